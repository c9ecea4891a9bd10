"""A query cannot take the machine's memory: each reader process has a cap
(`query_memory_mb`), and a query past it is stopped and answered 503 with a clear message,
while the next query is answered as usual. Reader processes belong to the embedded store."""
from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator

import pytest

from datacommons.config import Config
from endpoint.app import create_app

from .conftest import World
from .live import running
from .webclient import fetch

RESULTS = {"Accept": "application/sparql-results+json"}
NUMBERS = " ".join(str(i) for i in range(150))
# 3.4 million rows, each with a string, all held at once to be sorted.
CARTESIAN_SORT = (
    f"SELECT ?x WHERE {{ VALUES ?a {{ {NUMBERS} }} VALUES ?b {{ {NUMBERS} }} VALUES ?c {{ {NUMBERS} }} "
    'BIND(CONCAT(STR(?a), "-", STR(?b), "-", STR(?c), " and some padding to hold") AS ?x) } '
    "ORDER BY DESC(?x) LIMIT 1"
)


@pytest.fixture
def url(world: World) -> Iterator[str]:
    if not world.commons.embedded:
        pytest.skip("reader processes serve the embedded store only")
    config = Config().with_(rate_limit="", query_workers=1, query_memory_mb=256, query_timeout=120)
    with running(create_app(world.commons, config)) as base:
        yield base


def ask(url: str, query: str):
    return fetch(f"{url}/sparql?" + urllib.parse.urlencode({"query": query}), headers=RESULTS)


def test_a_query_past_the_memory_cap_is_stopped_with_a_clear_503_and_the_next_is_answered(url: str) -> None:
    reply = ask(url, CARTESIAN_SORT)
    assert reply.status == 503, reply.text
    assert "256 MB" in reply.text or "more memory" in reply.text
    after = ask(url, "ASK { ?s ?p ?o }")
    assert after.status == 200 and json.loads(after.body)["boolean"] is True
