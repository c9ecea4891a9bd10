"""One access decision: whatever a query says, an audience reads only its graphs."""
from __future__ import annotations

import pytest
from pyoxigraph import Literal, NamedNode, Quad

from datacommons.audience import ADMIN, ANONYMOUS, member_audience
from datacommons.querycheck import QueryRefused
from datacommons.system import hash_token

from collections.abc import Iterator

from datacommons.store import Commons

from .conftest import BASE, World, make_world

GRAPHS = {
    "alpha-public": f"{BASE}/graph/alpha/public",
    "alpha-members": f"{BASE}/graph/alpha/members",
    "alpha-private": f"{BASE}/graph/alpha/private",
    "alpha-imports": f"{BASE}/graph/alpha/imports",
    "commons": f"{BASE}/graph/commons",
}
AUDIENCES = {
    "anonymous": ANONYMOUS,
    "beta": member_audience("beta"),
    "alpha": member_audience("alpha"),
    "admin": ADMIN,
}
ALLOWED = {
    "anonymous": {"alpha-public", "commons"},
    "beta": {"alpha-public", "alpha-members", "commons"},
    "alpha": set(GRAPHS),
    "admin": set(GRAPHS),
}
P = "urn:test:marker"
TARGET = "urn:test:target"  # every graph says each marked subject points at it


def marker(name: str) -> str:
    return f"marker-{name}"


def forms(graph: str, name: str) -> dict[str, tuple[str, dict]]:
    m = marker(name)
    return {
        "select-union": (f'SELECT ?o WHERE {{ ?s <{P}> ?o FILTER(?o = "{m}") }}', {}),
        "select-graph-var": (f'SELECT ?o WHERE {{ GRAPH ?g {{ ?s <{P}> ?o }} FILTER(?o = "{m}") }}', {}),
        "select-graph-iri": (f"SELECT ?o WHERE {{ GRAPH <{graph}> {{ ?s <{P}> ?o }} }}", {}),
        "from": (f"SELECT ?o FROM <{graph}> WHERE {{ ?s <{P}> ?o }}", {}),
        "from-named": (f"SELECT ?o FROM NAMED <{graph}> WHERE {{ GRAPH ?g {{ ?s <{P}> ?o }} }}", {}),
        "protocol-default": (f"SELECT ?o WHERE {{ ?s <{P}> ?o }}", {"default_graph_uris": [graph]}),
        "protocol-named": (f"SELECT ?o WHERE {{ GRAPH ?g {{ ?s <{P}> ?o }} }}", {"named_graph_uris": [graph]}),
        "path": (f'SELECT ?o WHERE {{ ?s <{P}>/^<{P}>/<{P}> ?o FILTER(?o = "{m}") }}', {}),
        "count": (f'SELECT (COUNT(*) AS ?o) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?x }} }}', {}),
        "ask": (f'ASK {{ GRAPH ?g {{ ?s <{P}> "{m}" }} }}', {}),
        "construct": (f'CONSTRUCT {{ ?s <{P}> ?o }} WHERE {{ ?s <{P}> ?o FILTER(?o = "{m}") }}', {}),
        "describe": (f"DESCRIBE <urn:test:{name}>", {}),
    }


@pytest.fixture(scope="module")
def marked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """One world for the whole matrix (queries do not change it), with a marker in each graph."""
    path = tmp_path_factory.mktemp("access")
    commons = Commons(path / "store", base=BASE)
    world = make_world(commons, path)
    world.commons.apply(
        remove=(),
        add=[
            q
            for name, g in GRAPHS.items()
            for q in (Quad(NamedNode(f"urn:test:{name}"), NamedNode(P), Literal(marker(name)), NamedNode(g)),
                      Quad(NamedNode(f"urn:test:{name}"), NamedNode(P), NamedNode(TARGET), NamedNode(g)))
        ],
    )
    yield world
    commons.close()


def seen(result) -> bool:
    """Whether a query result shows anything of the hidden graph."""
    if hasattr(result, "variables"):
        rows = [s for s in result]
        if [v.value for v in result.variables] == ["o"] and rows and rows[0]["o"] is not None:
            value = rows[0]["o"].value
            if value.isdigit():
                return int(value) > 0
        return bool(rows)
    if isinstance(result, bool) or type(result).__name__ == "QueryBoolean":
        return bool(result)
    return bool(list(result))


@pytest.mark.parametrize("audience", list(AUDIENCES))
@pytest.mark.parametrize("graph", list(GRAPHS))
@pytest.mark.parametrize("form", list(forms("g", "n")))
def test_every_audience_sees_exactly_its_graphs(marked: World, audience: str, graph: str, form: str) -> None:
    query, params = forms(GRAPHS[graph], graph)[form]
    result = marked.commons.query(query, AUDIENCES[audience], **params)
    assert seen(result) == (graph in ALLOWED[audience]), (audience, graph, form)


@pytest.mark.parametrize("audience", list(AUDIENCES))
def test_index_lookups_for_pages_see_exactly_the_audiences_graphs(marked: World, audience: str) -> None:
    """The entity pages' look-ups without SPARQL (a subject's statements; who points at a
    co-op) ask the same access decision as queries."""
    commons, who = marked.commons, AUDIENCES[audience]
    for name, graph in GRAPHS.items():
        about = commons.quads_about(f"urn:test:{name}", who)
        assert bool(about) == (name in ALLOWED[audience]), (audience, name)
        assert {q.graph_name.value for q in about} <= {graph}
    pointing = commons.subjects_with(P, TARGET, who)
    assert pointing == sorted(f"urn:test:{name}" for name in ALLOWED[audience])


def test_tokens_are_stored_hashed_and_never_in_the_rdf_store(world: World) -> None:
    token = world.tokens["alpha"]
    assert world.commons.system.owner_of(token).member == "alpha"
    for text in (token, hash_token(token)):
        hits = world.commons.query(
            "SELECT ?s WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } "
            f"FILTER(CONTAINS(STR(?o), {Literal(text)})) }}",
            ADMIN,
        )
        assert list(hits) == []
    raw = world.commons.system._db.execute("SELECT hash FROM tokens").fetchall()
    assert all(token != h for (h,) in raw)


def test_service_to_an_endpoint_not_allow_listed_is_refused(world: World) -> None:
    with pytest.raises(QueryRefused, match="not allowed"):
        world.commons.query(
            "SELECT * WHERE { SERVICE <http://127.0.0.1:1234/sparql> { ?s ?p ?o } }", ANONYMOUS
        )
    with pytest.raises(QueryRefused):
        world.commons.query("SELECT * WHERE { SERVICE SILENT ?x { ?s ?p ?o } }", ANONYMOUS)


def test_the_word_service_inside_strings_and_comments_is_not_a_service_call(world: World) -> None:
    result = world.commons.query(
        '# SERVICE <http://evil/>\nSELECT ?x WHERE { BIND("SERVICE <http://evil/>" AS ?x) }', ANONYMOUS
    )
    assert [s["x"].value for s in result] == ["SERVICE <http://evil/>"]
