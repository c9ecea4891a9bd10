"""SERVICE and LOAD reach only allow-listed endpoints, however the query is written.

A second real HTTP server on 127.0.0.1 plays the address an attacker wants this server to
call: it answers like a SPARQL endpoint and records every request it gets; the tests assert
it was never called.
"""
from __future__ import annotations

import http.server
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from datacommons import servicecheck
from datacommons.audience import ANONYMOUS
from datacommons.config import Config
from datacommons.querycheck import QueryRefused
from datacommons.queryworker import Failure, QueryJob
from endpoint.app import create_app

from .conftest import World
from .live import running
from .webclient import bearer, fetch

NBSP = "\u00a0"
ROWS = b'{"head":{"vars":["o"]},"results":{"bindings":[{"o":{"type":"literal","value":"from-the-target"}}]}}'


@dataclass
class Target:
    """An HTTP server that must not be called: it counts the requests it gets."""

    url: str
    requests: list[str] = field(default_factory=list)


@pytest.fixture
def target() -> Iterator[Target]:
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            seen.append(f"{self.command} {self.path}")
            ntriples = self.path.endswith(".nt")
            body = b"<urn:a> <urn:b> <urn:c> .\n" if ntriples else ROWS
            self.send_response(200)
            self.send_header("Content-Type", "application/n-triples" if ntriples else "application/sparql-results+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

        def log_message(self, *args) -> None:
            """Quiet."""

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Target(f"http://127.0.0.1:{server.server_port}", seen)
    server.shutdown()
    server.server_close()


@pytest.fixture
def url(world: World) -> Iterator[str]:
    with running(create_app(world.commons, Config().with_(rate_limit=""))) as base:
        yield base


def hidden_service(endpoint: str) -> str:
    """The attack: an IRI holding U+00A0 then `#`, which a tokenizer using Python's `\\s`
    read as a space and a comment, hiding the SERVICE after it on the same line."""
    return (
        f"SELECT ?o WHERE {{ {{ BIND(<http://x/{NBSP}#> AS ?z) }} UNION "
        f"{{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }} }}"
    )


def test_a_service_hidden_behind_a_no_break_space_is_refused_and_never_called(url: str, target: Target) -> None:
    query = hidden_service(f"{target.url}/sparql")
    reply = fetch(f"{url}/sparql?" + urllib.parse.urlencode({"query": query}))
    assert reply.status == 400, reply.text
    assert "not allowed" in reply.text or "could not be checked" in reply.text
    assert "from-the-target" not in reply.text
    assert target.requests == []


def test_an_administrators_hidden_load_is_refused_and_never_fetched(url: str, world: World, target: Target) -> None:
    admin_graph = world.commons.uris.admin_graph
    update = (
        f"INSERT DATA {{ GRAPH <{admin_graph}> {{ <urn:s> <urn:p> <http://x/{NBSP}#> }} }} ; "
        f"LOAD <{target.url}/data.nt> INTO GRAPH <{admin_graph}>"
    )
    headers = {"Content-Type": "application/sparql-update", **bearer(world.tokens["admin"])}
    reply = fetch(f"{url}/sparql", data=update.encode(), headers=headers)
    assert reply.status == 400, reply.text
    assert target.requests == []


def test_the_reader_process_refuses_a_service_the_web_side_check_did_not_see(world: World, target: Target) -> None:
    """The decision that counts is taken in the reader process, on the parsed query, right
    before it runs: here the job reaches it directly, as if the first check were fooled."""
    from datacommons.querypool import QueryPool

    if not world.commons.embedded:
        pytest.skip("reader processes serve the embedded store only")
    pool = QueryPool(world.commons, 1)
    try:
        job = QueryJob(
            f"SELECT ?o WHERE {{ SERVICE <{target.url}/sparql> {{ ?s ?p ?o }} }}",
            [], [], results_format="application/sparql-results+json", graph_format=None, max_rows=10,
        )
        outcome = pool.run(job, ANONYMOUS, timeout=30)
    finally:
        pool.close()
    assert isinstance(outcome, Failure) and outcome.kind == "refused", outcome
    assert target.requests == []


def test_an_allow_listed_service_is_still_called(world: World, target: Target) -> None:
    endpoint = f"{target.url}/sparql"
    app = create_app(world.commons, Config().with_(rate_limit="", service_allowlist=frozenset({endpoint})))
    with running(app) as base:
        query = f"SELECT ?o WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}"
        reply = fetch(f"{base}/sparql?" + urllib.parse.urlencode({"query": query}),
                      headers={"Accept": "application/sparql-results+json"})
    assert reply.status == 200, reply.text
    assert "from-the-target" in reply.text
    assert len(target.requests) == 1


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://evil.example/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { OPTIONAL { SERVICE SILENT ?endpoint { ?s ?p ?o } } }",
        "PREFIX e: <http://evil.example/> SELECT * WHERE { { SERVICE e:sparql { ?s ?p ?o } } UNION { ?s ?p ?o } }",
        "BASE <http://evil.example/> SELECT * WHERE { SERVICE <sparql> { ?s ?p ?o } }",
        hidden_service("http://evil.example/sparql"),
        "SELECT * WHERE { SERVICE <http://evil.example/sparql> { ?s ?p ?o ",  # unparsed: refused
    ],
)
def test_the_algebra_check_refuses_every_spelling_of_a_call_out(query: str) -> None:
    with pytest.raises(QueryRefused):
        servicecheck.check(query, "query", frozenset({"http://allowed.example/sparql"}))


def test_the_words_service_and_load_in_strings_and_comments_are_not_calls() -> None:
    query = '# SERVICE <http://evil/>\nSELECT ?x WHERE { BIND("SERVICE <http://evil/> LOAD <http://evil/>" AS ?x) }'
    servicecheck.check(query, "query", frozenset())
    servicecheck.check("INSERT DATA { <urn:download> <urn:p> 'load' }", "update", frozenset())


def test_a_load_in_an_update_is_checked_like_a_service() -> None:
    with pytest.raises(QueryRefused, match="LOAD"):
        servicecheck.check("LOAD <http://evil.example/data.ttl>", "update", frozenset())
    servicecheck.check("LOAD <http://allowed.example/d.ttl>", "update", frozenset({"http://allowed.example/d.ttl"}))
