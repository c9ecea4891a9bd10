"""/sparql answers repeated queries from a cache that must stay exact: a write changes the
answer at once, and audiences share an answer only when they read exactly the same graphs."""
from __future__ import annotations

import json
import urllib.parse
from pathlib import Path

import threading
from collections.abc import Iterator

import pytest
from waitress import create_server

from datacommons.audience import ADMIN, ANONYMOUS, member_audience
from endpoint.app import create_app
from endpoint.sparql.answer_cache import ResultCache

from .conftest import Server, World, load_text, stop_server
from .webclient import bearer, fetch

COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
NAMES = """PREFIX gr: <http://purl.org/goodrelations/v1#>
SELECT ?name WHERE { ?coop gr:name ?name } ORDER BY ?name"""
BETA_CSV = """id,name,locality,country,structure,listed
b-1,Blue Door Grocery Co-op,Winnipeg,Canada,Consumer cooperative,true
"""


@pytest.fixture
def served(world: World) -> Iterator[tuple[Server, ResultCache]]:
    """The application over HTTP, as in conftest's `server`, and its cache of answers."""
    app = create_app(world.commons)
    wsgi = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=wsgi.run, daemon=True)
    thread.start()
    yield Server(f"http://127.0.0.1:{wsgi.effective_port}", world), app.extensions["sparql_results"]
    stop_server(wsgi, thread)


def ask(server: Server, query: str, token: str | None = None, **params: str) -> dict:
    body = urllib.parse.urlencode({"query": query, **params}).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded",
               "Accept": "application/sparql-results+json", **(bearer(token) if token else {})}
    reply = fetch(f"{server.url}/sparql", headers=headers, data=body)
    assert reply.status == 200, reply.text
    return json.loads(reply.body)


def count(server: Server, token: str | None = None) -> int:
    return int(ask(server, COUNT_ALL, token)["results"]["bindings"][0]["n"]["value"])


def direct_count(server: Server, audience) -> int:
    """The same count, asked of the store in this process (no HTTP, no cache)."""
    return int(next(iter(server.world.commons.query(COUNT_ALL, audience)))["n"].value)


def names(server: Server, token: str | None = None) -> list[str]:
    return [b["name"]["value"] for b in ask(server, NAMES, token)["results"]["bindings"]]


def test_each_audience_gets_its_own_answer_whichever_asked_first(server: Server) -> None:
    tokens = server.world.tokens
    audiences = [(None, ANONYMOUS), (tokens["beta"], member_audience("beta")),
                 (tokens["alpha"], member_audience("alpha")), (tokens["admin"], ADMIN)]
    expected = [direct_count(server, audience) for _, audience in audiences]
    assert expected[0] < expected[1] < expected[2]  # the public, a member, the member whose data it is
    for order in (audiences, list(reversed(audiences))):
        for token, audience in order:
            assert count(server, token) == direct_count(server, audience)
    for token, audience in audiences:  # answered again, from the cache by now
        assert count(server, token) == direct_count(server, audience)


def test_one_audience_repeating_a_query_is_answered_from_the_cache(served) -> None:
    server, cache = served
    other_token = server.world.commons.system.issue_token("member", "alpha", "second script")
    first = count(server, server.world.tokens["alpha"])
    hits = cache.hits
    assert count(server, other_token) == first  # another token of the same member: same graphs
    assert cache.hits == hits + 1
    count(server)  # the public reads fewer graphs: not the member's answer
    assert cache.hits == hits + 1


def test_an_import_changes_the_answer_at_once(server: Server, tmp_path: Path) -> None:
    before = names(server)
    assert "Blue Door Grocery Co-op" not in before
    names(server)  # now cached
    load_text(server.world.commons, "beta", BETA_CSV, tmp_path, "beta.csv")
    assert names(server) == sorted([*before, "Blue Door Grocery Co-op"])
    assert count(server) == direct_count(server, ANONYMOUS)


def test_a_sparql_update_changes_the_answer_at_once(server: Server) -> None:
    admin = server.world.tokens["admin"]
    query = "SELECT ?o WHERE { <urn:x:s> <urn:x:p> ?o }"
    assert ask(server, query, admin)["results"]["bindings"] == []
    reply = fetch(f"{server.url}/sparql", data=b"INSERT DATA { <urn:x:s> <urn:x:p> 'one' }",
                  headers={"Content-Type": "application/sparql-update", **bearer(admin)})
    assert reply.status == 204, reply.text
    assert [b["o"]["value"] for b in ask(server, query, admin)["results"]["bindings"]] == ["one"]
    assert ask(server, query)["results"]["bindings"] == []  # the workspace is the admins' alone


def test_dataset_parameters_and_formats_are_part_of_the_key(server: Server) -> None:
    public = f"{server.world.commons.uris.base}/graph/alpha/public"
    members = f"{server.world.commons.uris.base}/graph/alpha/members"
    token = server.world.tokens["beta"]
    whole = count(server, token)
    only_public = ask(server, COUNT_ALL, token, **{"default-graph-uri": public})
    only_members = ask(server, COUNT_ALL, token, **{"default-graph-uri": members})
    values = {int(d["results"]["bindings"][0]["n"]["value"]) for d in (only_public, only_members)}
    assert len(values) == 2 and whole not in values
    csv = fetch(f"{server.url}/sparql?" + urllib.parse.urlencode({"query": COUNT_ALL, "format": "csv"}))
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines() == ["n", str(count(server))]


def test_requests_for_one_query_at_once_run_it_once(served) -> None:
    server, cache = served
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d a ?f }"  # a cross product: some work
    answers: list[dict] = []
    misses = cache.misses
    threads = [threading.Thread(target=lambda: answers.append(ask(server, slow))) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == 6 and all(a == answers[0] for a in answers)
    assert cache.misses == misses + 1


def test_named_query_pages_change_at_once_and_per_audience(server: Server, tmp_path: Path) -> None:
    def coops(token: str | None = None) -> int:
        reply = fetch(f"{server.url}/queries/home-counts?format=json", headers=bearer(token) if token else {})
        assert reply.status == 200, reply.text
        return int(json.loads(reply.body)["results"]["bindings"][0]["coops"]["value"])

    public, alpha = coops(), coops(server.world.tokens["alpha"])
    assert alpha > public  # alpha also sees the co-op it keeps private
    assert (coops(), coops(server.world.tokens["alpha"])) == (public, alpha)  # from the cache
    load_text(server.world.commons, "beta", BETA_CSV, tmp_path, "beta.csv")
    assert (coops(), coops(server.world.tokens["alpha"])) == (public + 1, alpha + 1)


def test_a_query_calling_another_endpoint_is_never_kept(served) -> None:
    server, cache = served
    query = "SELECT * WHERE { OPTIONAL { SERVICE SILENT <http://127.0.0.1:9/sparql> { ?s ?p ?o } } }"
    server.world.commons.service_allowlist = frozenset({"http://127.0.0.1:9/sparql"})
    for _ in range(2):
        ask(server, query)
    assert len(cache) == 0 and cache.hits == 0


@pytest.mark.parametrize("bad", ["SELECT ?x WHERE {", "ASK { ?s ?p }"])
def test_a_syntax_error_stays_an_error(server: Server, bad: str) -> None:
    for _ in range(2):
        reply = fetch(f"{server.url}/sparql?" + urllib.parse.urlencode({"query": bad}))
        assert reply.status == 400 and "syntax" in reply.text.lower()

