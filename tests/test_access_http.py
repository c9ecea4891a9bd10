"""The access decision over HTTP: whatever a request to /sparql or /graph says, an audience
reads only its graphs, not even as a count or an ASK answer.

One world for the module, with a marker triple in every kind of graph; every audience sends
every query form for every graph to the running server.
"""
from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Triple, parse

from datacommons.audience import SYSTEM
from datacommons.config import Config
from datacommons.store import Commons
from endpoint.app import create_app

from .conftest import BASE, CORE_CSV, World, make_world
from .live import running
from .test_imports_http import multipart
from .webclient import Reply, bearer, fetch

GRAPHS = {
    "alpha-public": f"{BASE}/graph/alpha/public",
    "alpha-members": f"{BASE}/graph/alpha/members",
    "alpha-private": f"{BASE}/graph/alpha/private",
    "alpha-imports": f"{BASE}/graph/alpha/imports",
    "commons": f"{BASE}/graph/commons",
    "admin-workspace": f"{BASE}/graph/admin",
    "outside-workspace": "urn:example:scratch",
}
ALLOWED = {
    "anonymous": {"alpha-public", "commons"},
    "beta": {"alpha-public", "alpha-members", "commons"},
    "alpha": {"alpha-public", "alpha-members", "alpha-private", "alpha-imports", "commons"},
    "admin": set(GRAPHS),
}
P = "urn:test:marker"
RESULTS, TRIPLES = "application/sparql-results+json", "application/n-triples"


@dataclass
class Live:
    url: str
    world: World

    def headers(self, audience: str, accept: str) -> dict[str, str]:
        token = self.world.tokens.get(audience)
        return {"Accept": accept, **(bearer(token) if token else {})}


def forms(graph: str, name: str, url: str) -> dict[str, tuple[str, dict[str, str], str]]:
    """Each query form: (query, extra protocol parameters, the Accept it is read with)."""
    m = f"marker-{name}"
    return {
        "select-union": (f'SELECT ?o WHERE {{ ?s <{P}> ?o FILTER(?o = "{m}") }}', {}, RESULTS),
        "select-graph-var": (f'SELECT ?o WHERE {{ GRAPH ?g {{ ?s <{P}> ?o }} FILTER(?o = "{m}") }}', {}, RESULTS),
        "select-graph-iri": (f"SELECT ?o WHERE {{ GRAPH <{graph}> {{ ?s <{P}> ?o }} }}", {}, RESULTS),
        "from": (f"SELECT ?o FROM <{graph}> WHERE {{ ?s <{P}> ?o }}", {}, RESULTS),
        "from-named": (f"SELECT ?o FROM NAMED <{graph}> WHERE {{ GRAPH ?g {{ ?s <{P}> ?o }} }}", {}, RESULTS),
        "protocol-default": (f"SELECT ?o WHERE {{ ?s <{P}> ?o }}", {"default-graph-uri": graph}, RESULTS),
        "protocol-named": (f"SELECT ?o WHERE {{ GRAPH ?g {{ ?s <{P}> ?o }} }}", {"named-graph-uri": graph}, RESULTS),
        "path": (f'SELECT ?o WHERE {{ ?s <{P}>/^<{P}>/<{P}> ?o FILTER(?o = "{m}") }}', {}, RESULTS),
        "count-graph": (f"SELECT (COUNT(*) AS ?o) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?x }} }}", {}, RESULTS),
        "count-union": (f'SELECT (COUNT(?s) AS ?o) WHERE {{ ?s <{P}> "{m}" }}', {}, RESULTS),
        "aggregate": (f'SELECT (GROUP_CONCAT(?x) AS ?o) WHERE {{ GRAPH ?g {{ ?s <{P}> ?x }} FILTER(?x = "{m}") }} HAVING (COUNT(?x) > 0)', {}, RESULTS),
        "ask": (f'ASK {{ GRAPH ?g {{ ?s <{P}> "{m}" }} }}', {}, RESULTS),
        "construct": (f'CONSTRUCT {{ ?s <{P}> ?o }} WHERE {{ ?s <{P}> ?o FILTER(?o = "{m}") }}', {}, TRIPLES),
        "describe": (f"DESCRIBE <urn:test:{name}>", {}, TRIPLES),
        "service-self": (f'SELECT ?o WHERE {{ SERVICE <{url}/sparql> {{ ?s <{P}> ?o FILTER(?o = "{m}") }} }}', {}, RESULTS),
    }


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    path = tmp_path_factory.mktemp("access-http")
    commons = Commons(path / "store", base=BASE)
    world = make_world(commons, path)
    markers = {name: [(NamedNode(f"urn:test:{name}"), NamedNode(P), Literal(f"marker-{name}"))] for name in GRAPHS}
    commons.apply(
        remove=(),
        add=[Quad(*t, NamedNode(GRAPHS[n])) for n, ts in markers.items() if not n.endswith("workspace") for t in ts],
    )
    commons.write_workspace({GRAPHS[n]: [Triple(*t) for t in markers[n]] for n in GRAPHS if n.endswith("workspace")})
    with running(create_app(commons, Config().with_(rate_limit="", query_workers=2))) as url:
        commons.service_allowlist = frozenset({f"{url}/sparql"})  # this endpoint calling itself
        yield Live(url, world)
    commons.close()


def shows_marker(reply: Reply) -> bool:
    """Whether a reply shows anything of the marked graph: a row, a triple, a count above
    zero, a true ASK."""
    assert reply.status == 200, reply.text
    if reply.headers["content-type"].startswith(TRIPLES):
        return bool(list(parse(reply.body, RdfFormat.N_TRIPLES)))
    result = json.loads(reply.body)
    if "boolean" in result:
        return result["boolean"]
    rows = [r for r in result["results"]["bindings"] if r]
    if len(rows) == 1 and rows[0]["o"]["value"].isdigit():
        return int(rows[0]["o"]["value"]) > 0
    return bool(rows)


@pytest.mark.parametrize("audience", list(ALLOWED))
@pytest.mark.parametrize("graph", list(GRAPHS))
@pytest.mark.parametrize("form", list(forms("g", "n", "u")))
def test_no_query_shows_an_audience_more_than_its_graphs(live: Live, audience: str, graph: str, form: str) -> None:
    query, params, accept = forms(GRAPHS[graph], graph, live.url)[form]
    url = f"{live.url}/sparql?" + urllib.parse.urlencode({"query": query, **params})
    seen = shows_marker(fetch(url, headers=live.headers(audience, accept)))
    # A SERVICE call back to this endpoint is a new, anonymous request: it sees public data.
    allowed = ALLOWED["anonymous" if form == "service-self" else audience]
    assert seen == (graph in allowed), (audience, graph, form)


@pytest.mark.parametrize("audience", list(ALLOWED))
@pytest.mark.parametrize("graph", list(GRAPHS))
def test_the_graph_store_gives_an_audience_only_its_graphs(live: Live, audience: str, graph: str) -> None:
    url = f"{live.url}/graph?" + urllib.parse.urlencode({"graph": GRAPHS[graph]})
    reply = fetch(url, headers=live.headers(audience, TRIPLES))
    if graph in ALLOWED[audience]:
        assert f"marker-{graph}" in reply.text
    else:
        assert reply.status == 404 and "marker" not in reply.text


def test_a_service_call_to_an_endpoint_not_allow_listed_is_refused_before_it_runs(live: Live) -> None:
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    reply = fetch(f"{live.url}/sparql?" + urllib.parse.urlencode({"query": query}))
    assert reply.status == 400 and "not allowed" in reply.text


def test_members_cannot_update_and_the_public_is_asked_for_a_token(live: Live) -> None:
    update = "INSERT DATA { GRAPH <urn:example:scratch> { <urn:a> <urn:b> <urn:c> } }".encode()
    headers = {"Content-Type": "application/sparql-update"}
    assert fetch(f"{live.url}/sparql", data=update, headers=headers).status == 401
    member = {**headers, **bearer(live.world.tokens["alpha"])}
    assert fetch(f"{live.url}/sparql", data=update, headers=member).status == 403


BETA_DOC = """<{base}/id/beta/sun> a <http://purl.org/essglobal/vocab/SSEInitiative> ;
    <https://w3id.org/coop-commons/vocab#localId> "sun" ;
    <http://purl.org/goodrelations/v1#name> "Sun Bakery" .
""".format(base=BASE).encode()


def test_a_member_cannot_write_or_import_into_another_members_directory(live: Live) -> None:
    """beta's token may not replace, add to or empty alpha's directory (Graph Store
    Protocol), nor upload an import for alpha; alpha's graphs are as they were. beta writes
    its own directory."""
    commons, beta = live.world.commons, bearer(live.world.tokens["beta"])
    before = commons.member_quads("alpha", SYSTEM)
    turtle = {"Content-Type": "text/turtle", **beta}
    for method in ("PUT", "POST", "DELETE"):
        reply = fetch(f"{live.url}/graph/alpha", method=method, data=BETA_DOC.replace(b"/beta/", b"/alpha/"), headers=turtle)
        assert reply.status == 403, (method, reply.status, reply.text)
    body, content_type = multipart({"member": "alpha"}, {"file": ("hijack.csv", CORE_CSV.replace("Red Door", "Hijacked"))})
    upload = fetch(f"{live.url}/api/imports", method="POST", data=body, headers={**beta, "Content-Type": content_type})
    assert upload.status == 403, upload.text
    assert fetch(f"{live.url}/api/imports?member=alpha", headers=beta).status == 403
    assert commons.member_quads("alpha", SYSTEM) == before
    own = fetch(f"{live.url}/graph/beta", method="PUT", data=BETA_DOC, headers=turtle)
    assert own.status == 201, own.text
    assert "Sun Bakery" in {q.object.value for q in commons.member_quads("beta", SYSTEM)}
