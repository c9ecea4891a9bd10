"""The W3C SPARQL 1.1 Protocol tests, replayed at /sparql on a running server.

The tests assume an empty store and the right to update: they run with an administrator's
token on a commons with no members, whose updates change the administrators' workspace
(`DROP ALL` empties the workspace, never the commons' own graphs). Before each test the
workspace is emptied and the test's data loaded into the graphs it names.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from datacommons.config import Config
from datacommons.store import Commons
from endpoint.app import create_app

from .conftest import BASE
from .live import running
from .w3c.harness import SUITE, ManifestTest, load, replay, send

TESTS = load(SUITE / "protocol" / "manifest.ttl")


class Endpoint:
    def __init__(self, url: str, token: str) -> None:
        self.url, self.token = url, token

    def update(self, text: str) -> None:
        reply = send(
            self.url, "POST", "/sparql",
            {"content-type": "application/sparql-update", "authorization": f"Bearer {self.token}"},
            text.encode(),
        )
        assert reply.status == 204, reply.body

    def prepare(self, test: ManifestTest) -> None:
        """An empty workspace, then the test's data in the graphs it names."""
        self.update("DROP ALL")
        for path, graph in test.graph_data:
            self.update(f"INSERT DATA {{ GRAPH <{graph}> {{ {Path(path).read_text()} }} }}")


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoint]:
    commons = Commons(tmp_path_factory.mktemp("w3c") / "store", base=BASE)
    token = commons.system.issue_token("admin", None, "W3C protocol tests")
    with running(create_app(commons, Config().with_(rate_limit=""))) as url:
        yield Endpoint(url, token)
    commons.close()


def test_the_suite_has_all_34_protocol_tests() -> None:
    assert len(TESTS) == 34


@pytest.mark.parametrize("test", TESTS, ids=[t.name for t in TESTS])
def test_w3c_protocol(endpoint: Endpoint, test: ManifestTest) -> None:
    endpoint.prepare(test)
    assert replay(test, endpoint.url, {"/sparql/": "/sparql"}, endpoint.token) == [], test.title
