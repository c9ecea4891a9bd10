"""The limits a public endpoint needs, over real HTTP: a runaway query is stopped at its
timeout while others are answered, rows are capped and the cap is stated, bodies are
bounded, clients are rate-limited, browsers on any origin may ask."""
from __future__ import annotations

import json
import os
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from pyoxigraph import RdfFormat, parse

from datacommons.config import Config
from datacommons.store import Commons
from endpoint.app import create_app
from endpoint.sparql.rate_limits import RateLimitConfigError

from .conftest import BASE, World, make_world
from .live import running
from .webclient import Reply, bearer, fetch

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
ALL_TRIPLES = "SELECT * WHERE { ?s ?p ?o }"
SD = "http://www.w3.org/ns/sparql-service-description#"


@dataclass
class Live:
    url: str
    world: World
    app: object

    def query(self, query: str, headers: dict[str, str] | None = None, **params: str) -> Reply:
        return fetch(f"{self.url}/sparql?" + urllib.parse.urlencode({"query": query, **params}), headers=headers)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    path = tmp_path_factory.mktemp("limits")
    commons = Commons(path / "store", base=BASE)
    world = make_world(commons, path)
    config = Config().with_(query_timeout=2.0, max_rows=5, max_query_bytes=2000, rate_limit="", query_workers=2)
    app = create_app(commons, config)
    with running(app) as url:
        yield Live(url, world, app)
    commons.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_runaway_query_is_stopped_at_its_timeout_while_other_requests_are_answered(live: Live) -> None:
    pool = live.app.extensions["querypool"]
    live.query("ASK {}")  # the reader processes are up
    before = set(pool.processes)
    slow: dict[str, Reply] = {}
    runaway = threading.Thread(target=lambda: slow.setdefault("reply", live.query(RUNAWAY)))
    runaway.start()
    answered_meanwhile = []
    for _ in range(3):
        names = live.query("SELECT ?name WHERE { ?c <http://purl.org/goodrelations/v1#name> ?name }")
        page = fetch(f"{live.url}/health")
        answered_meanwhile.append(names.status == 200 and page.status == 200 and runaway.is_alive())
    runaway.join()

    assert any(answered_meanwhile), "nothing was answered while the runaway query ran"
    reply = slow["reply"]
    assert reply.status == 503
    assert "stopped after 2 s" in reply.text
    if live.app.extensions["commons"].embedded:
        # The process that ran it was killed (the work stopped), and a fresh one took its place.
        replaced = before - set(pool.processes)
        assert len(replaced) == 1 and not any(_alive(pid) for pid in replaced)
    assert live.query("ASK {}").status == 200


def test_a_client_may_ask_for_a_shorter_timeout_but_never_a_longer_one(live: Live) -> None:
    assert "stopped after 1 s" in live.query(RUNAWAY, timeout="1").text
    assert "stopped after 2 s" in live.query(RUNAWAY, timeout="600").text
    assert live.query("ASK {}", timeout="soon").status == 400


def test_results_are_capped_and_the_cap_is_stated(live: Live) -> None:
    reply = live.query(ALL_TRIPLES)
    assert reply.status == 200
    assert len(json.loads(reply.body)["results"]["bindings"]) == 5
    assert reply.headers["result-row-limit"] == "5"
    assert reply.headers["result-truncated"] == "true"
    graph = live.query("CONSTRUCT WHERE { ?s ?p ?o }", headers={"Accept": "application/n-triples"})
    assert len(graph.text.strip().splitlines()) == 5 and graph.headers["result-truncated"] == "true"
    small = live.query("SELECT ?x WHERE { VALUES ?x { 1 2 } }", headers={"Accept": "text/csv"})
    assert small.text.split() == ["x", "1", "2"] and "result-truncated" not in small.headers


def test_a_request_body_over_the_limit_is_refused(live: Live) -> None:
    big = ("ASK {} #" + "x" * 3000).encode()
    reply = fetch(f"{live.url}/sparql", data=big, headers={"Content-Type": "application/sparql-query"})
    assert reply.status == 413


def test_syntax_errors_are_400_and_point_at_the_position(live: Live) -> None:
    reply = live.query("SELECT ?x WHERE { ?x ?y }")
    assert reply.status == 400 and "syntax error" in reply.text and "1:" in reply.text


def test_accept_q_values_and_the_format_parameter_choose_the_format(live: Live) -> None:
    ask = "ASK {}"
    prefer_xml = {"Accept": "application/sparql-results+json;q=0.5, application/sparql-results+xml"}
    assert live.query(ask, headers=prefer_xml).headers["content-type"].startswith("application/sparql-results+xml")
    assert live.query(ALL_TRIPLES, headers={"Accept": "text/*"}).headers["content-type"].startswith("text/csv")
    assert live.query(ALL_TRIPLES, format="tsv").headers["content-type"].startswith("text/tab-separated-values")
    rdfxml = live.query("CONSTRUCT WHERE { ?s ?p ?o }", format="xml")
    assert rdfxml.headers["content-type"].startswith("application/rdf+xml")
    assert live.query(ask, headers={"Accept": "image/png"}).status == 406


def test_the_service_description_and_the_query_editor(live: Live) -> None:
    turtle = fetch(f"{live.url}/sparql", headers={"Accept": "text/turtle"})
    assert turtle.status == 200
    described = {(t.predicate.value, t.object.value) for t in (q.triple for q in parse(turtle.body, RdfFormat.TURTLE))}
    assert (f"{SD}endpoint", f"{live.url}/sparql") in described
    assert (f"{SD}supportedLanguage", f"{SD}SPARQL11Update") in described
    assert (f"{SD}resultFormat", "http://www.w3.org/ns/formats/SPARQL_Results_CSV") in described
    page = fetch(f"{live.url}/sparql", headers={"Accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html") and "yasgui" in page.text.lower()


def test_browsers_on_any_origin_may_query(live: Live) -> None:
    preflight = fetch(
        f"{live.url}/sparql",
        method="OPTIONS",
        headers={
            "Origin": "https://map.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, authorization",
        },
    )
    assert preflight.status == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "content-type" in preflight.headers["access-control-allow-headers"].lower()
    reply = live.query("ASK {}", headers={"Origin": "https://map.example"})
    assert reply.headers["access-control-allow-origin"] == "*"
    assert "Result-Row-Limit" in reply.headers["access-control-expose-headers"]


def test_one_client_over_its_rate_is_told_to_wait_and_others_are_not(tmp_path) -> None:
    commons = Commons(tmp_path / "store", base=BASE)
    world = make_world(commons, tmp_path)
    app = create_app(commons, Config().with_(rate_limit="3/minute", query_workers=1))
    with running(app) as url:
        ask = f"{url}/sparql?" + urllib.parse.urlencode({"query": "ASK {}"})
        statuses = [fetch(ask).status for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        refused = fetch(ask)
        assert refused.status == 429 and int(refused.headers["retry-after"]) > 0
        assert fetch(ask, headers=bearer(world.tokens["beta"])).status == 200
        assert fetch(f"{url}/health").status == 200  # pages are not counted
    commons.close()


@pytest.mark.parametrize("changes, named", [
    ({"rate_limit": "3/minute", "rate_limit_storage": "nosuch://host:1"}, "rate_limit_storage 'nosuch://host:1'"),
    ({"rate_limit": "three a minute"}, "rate_limit 'three a minute'"),
])
def test_a_rate_limit_the_server_cannot_use_is_refused_at_start_naming_the_key(tmp_path, changes, named) -> None:
    commons = Commons(tmp_path / "store", base=BASE)
    with pytest.raises(RateLimitConfigError) as refused:
        create_app(commons, Config().with_(query_workers=1, **changes))
    assert named in str(refused.value)
    commons.close()


def test_rewording_the_authorization_header_buys_no_fresh_allowance(tmp_path) -> None:
    commons = Commons(tmp_path / "store", base=BASE)
    world = make_world(commons, tmp_path)
    app = create_app(commons, Config().with_(rate_limit="3/minute", query_workers=1))
    with running(app) as url:
        ask = f"{url}/sparql?" + urllib.parse.urlencode({"query": "ASK {}"})
        assert [fetch(ask).status for _ in range(4)] == [200, 200, 200, 429]
        token = world.tokens["beta"]
        for header in ["Bearer", "Bearer ", "bearer", "BEARER", f"Bearer  {token}", f"Basic {token}",
                       "Token abc", f"Bearer {token} extra", "Bearer dct_not-a-token"]:
            reply = fetch(ask, headers={"Authorization": header})
            assert reply.status in (401, 429), (header, reply.status)
        # the same member under any spelling of the scheme is one client with one allowance
        spellings = [f"Bearer {token}", f"bearer {token}", f"BEARER {token}", f"Bearer {token}"]
        assert [fetch(ask, headers={"Authorization": h}).status for h in spellings] == [200, 200, 200, 429]
    commons.close()


def test_a_malformed_authorization_header_is_refused_not_read_as_the_public(live: Live) -> None:
    token = live.world.tokens["beta"]
    for header in ["Bearer", "Bearer ", "bearer", f"Bearer  {token}", f"Basic {token}"]:
        reply = live.query("ASK {}", headers={"Authorization": header})
        assert reply.status == 401, (header, reply.status)
    assert live.query("ASK {}", headers={"Authorization": f"bearer {token}"}).status == 200
