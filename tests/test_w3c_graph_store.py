"""The W3C Graph Store Protocol tests, replayed at /graph on a running server.

Supported, and all tested: direct graph identification (the manifests' /gsp/... paths are
graphs under the admin graph, /graph/admin/...), indirect identification (/graph?graph=IRI
and /graph?default), and graph creation by POST to /graph. They run with an
administrator's token on workspace graphs, emptied before each test.
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from datacommons.config import Config
from datacommons.store import Commons
from endpoint.app import create_app

from .conftest import BASE
from .live import running
from .test_w3c_protocol import Endpoint
from .w3c.harness import SUITE, ManifestTest, load, replay

DIRECT = load(SUITE / "graph-store-protocol" / "manifest-direct.ttl")
INDIRECT = load(SUITE / "graph-store-protocol" / "manifest-indirect.ttl")
PREFIXES = {"direct": {"/gsp": "/graph/admin"}, "indirect": {"/gsp": "/graph"}}
CASES = [("direct", t) for t in DIRECT] + [("indirect", t) for t in INDIRECT]


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoint]:
    commons = Commons(tmp_path_factory.mktemp("gsp") / "store", base=BASE)
    token = commons.system.issue_token("admin", None, "W3C graph store tests")
    with running(create_app(commons, Config().with_(rate_limit=""))) as url:
        yield Endpoint(url, token)
    commons.close()


def test_the_suite_covers_every_feature_the_graph_store_offers() -> None:
    features = {f for _, t in CASES for f in t.requires}
    assert features == {"DirectGraphIdentification", "IndirectGraphIdentification", "POSTGraphCreation"}
    assert len(CASES) == 13


@pytest.mark.parametrize("style,test", CASES, ids=[t.name for _, t in CASES])
def test_w3c_graph_store(endpoint: Endpoint, style: str, test: ManifestTest) -> None:
    endpoint.prepare(test)
    assert replay(test, endpoint.url, PREFIXES[style], endpoint.token) == [], test.title
