"""One access decision: whatever a query says, an audience reads only its graphs."""
from __future__ import annotations

import pytest
from pyoxigraph import Literal, NamedNode, Quad

import io
import json

from pyoxigraph import RdfFormat, Triple, parse

from datacommons import access
from datacommons.audience import ADMIN, ANONYMOUS, SYSTEM, member_audience
from datacommons.fields import Level
from datacommons.querypool import QueryPool
from datacommons.queryworker import QueryJob
from datacommons.store import StoreError
from datacommons.uris import Uris
from loaders.pipeline import ImportRefused, commit_import, plan_import
from datacommons.querycheck import QueryRefused
from datacommons.system import hash_token

from collections.abc import Iterator

from datacommons.store import Commons

from .conftest import BASE, CORE_CSV, World, make_world

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
# In a graph everyone reads, statements that match the look-up `(?, P, TARGET)` but for its
# predicate, or but for its object: a look-up that ignored either would return them.
DECOYS = (("urn:test:decoy-predicate", "urn:test:other-predicate", TARGET),
          ("urn:test:decoy-object", P, "urn:test:elsewhere"))


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
        ] + [Quad(*(NamedNode(t) for t in decoy), NamedNode(GRAPHS["alpha-public"])) for decoy in DECOYS],
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


@pytest.mark.parametrize("audience", list(AUDIENCES))
def test_a_dump_holds_every_statement_of_the_audiences_graphs_and_nothing_else(marked: World, audience: str) -> None:
    commons, who = marked.commons, AUDIENCES[audience]
    out = io.BytesIO()
    commons.dump(out, who)
    dumped = set(parse(out.getvalue(), format=RdfFormat.N_QUADS))
    marked_graphs = {name for name, g in GRAPHS.items()
                     if Quad(NamedNode(f"urn:test:{name}"), NamedNode(P), Literal(marker(name)), NamedNode(g)) in dumped}
    assert marked_graphs == ALLOWED[audience]
    readable = set(commons.quads_in(sorted(commons.graphs_for(who)), who))
    assert readable <= dumped and {q.graph_name.value for q in dumped} <= commons.graphs_for(who)
    names = {q.object.value for q in dumped if q.predicate.value == "http://purl.org/goodrelations/v1#name"}
    assert "Red Door Bakery Co-op" in names
    assert ("Quiet Housing Co-op" in names) == (audience != "anonymous")  # unlisted: members read it
    emails = {q.object.value for q in dumped if q.predicate.value == "http://www.w3.org/2006/vcard/ns#hasEmail"}
    assert (emails != set()) == (audience != "anonymous")


@pytest.mark.parametrize("audience", list(AUDIENCES))
def test_the_cores_graph_reads_hand_an_audience_only_the_graphs_it_may_read(marked: World, audience: str) -> None:
    """`quads_in`, `quads_of` and `member_quads` ask the access decision themselves: a caller
    naming a graph the audience may not read gets nothing of it."""
    commons, who = marked.commons, AUDIENCES[audience]
    everything = list(GRAPHS.values())
    seen = {q.object.value for q in commons.quads_in(everything, who) if q.object.value.startswith("marker-")}
    assert seen == {marker(name) for name in ALLOWED[audience]}
    about = {name for name in GRAPHS if commons.quads_of(f"urn:test:{name}", everything, who)}
    assert about == ALLOWED[audience]
    graphs = {q.graph_name.value for q in commons.member_quads("alpha", who)}
    assert graphs <= {GRAPHS[name] for name in ALLOWED[audience]}


@pytest.mark.parametrize("audience", ["anonymous", "beta"])
def test_the_query_pool_runs_a_job_over_the_graphs_its_audience_may_read_only(marked: World, audience: str) -> None:
    """The pool asks the access decision itself: a job naming every graph, handed to it for
    an audience, reads the audience's graphs and nothing else."""
    if not marked.commons.embedded:
        pytest.skip("reader processes serve the embedded store only")
    pool = QueryPool(marked.commons, 1)
    try:
        job = QueryJob(f"SELECT ?o WHERE {{ GRAPH ?g {{ ?s <{P}> ?o }} }}", [], list(GRAPHS.values()),
                       results_format="application/sparql-results+json", graph_format=None, max_rows=100)
        answer = pool.run(job, AUDIENCES[audience], timeout=60)
    finally:
        pool.close()
    rows = json.loads(answer.body)["results"]["bindings"]
    seen = {row["o"]["value"] for row in rows if row["o"]["value"].startswith("marker-")}
    assert seen == {marker(name) for name in ALLOWED[audience]}


def test_the_public_cannot_read_a_members_only_email_through_member_triples(world: World) -> None:
    email = "http://www.w3.org/2006/vcard/ns#hasEmail"
    commons = world.commons
    assert any(t.predicate.value == email for t in commons.member_triples("alpha", SYSTEM))
    assert not any(t.predicate.value == email for t in commons.member_triples("alpha", ANONYMOUS))


def test_a_member_writes_its_own_graphs_only_and_administrators_any_members() -> None:
    assert access.may_write(member_audience("alpha"), "alpha")
    assert not access.may_write(member_audience("beta"), "alpha")
    assert not access.may_write(ANONYMOUS, "alpha")
    assert access.may_write(ADMIN, "alpha") and access.may_write(ADMIN, "beta")
    assert access.may_write_workspace(ADMIN)
    assert not access.may_write_workspace(member_audience("alpha")) and not access.may_write_workspace(ANONYMOUS)


def test_another_member_cannot_import_into_a_members_graphs_and_nothing_changes(world: World, tmp_path) -> None:
    commons = world.commons
    before = commons.member_quads("alpha", SYSTEM)
    path = tmp_path / "hijack.csv"
    path.write_text(CORE_CSV.replace("Red Door Bakery Co-op", "Hijacked Bakery"), encoding="utf-8")
    plan = plan_import(commons, "alpha", path)
    for intruder in (member_audience("beta"), ANONYMOUS):
        with pytest.raises(ImportRefused, match="may not write member 'alpha'"):
            commit_import(commons, plan, intruder)
        assert commons.member_quads("alpha", SYSTEM) == before
    commit_import(commons, plan, member_audience("alpha"))  # its owner may
    assert "Hijacked Bakery" in {q.object.value for q in commons.member_quads("alpha", SYSTEM)}


def test_graphs_under_the_admin_graph_are_the_administrators_workspace(world: World) -> None:
    commons = world.commons
    drafts = f"{BASE}/graph/admin/drafts"
    commons.write_workspace({drafts: [Triple(NamedNode("urn:test:draft"), NamedNode(P), Literal("draft"))]})
    ask = f'ASK {{ GRAPH <{drafts}> {{ ?s <{P}> "draft" }} }}'
    assert bool(commons.query(ask, ADMIN))
    assert drafts in commons.graphs_for(ADMIN)
    for audience in (ANONYMOUS, member_audience("alpha")):
        assert not bool(commons.query(ask, audience)) and drafts not in commons.graphs_for(audience)
    # A graph whose name only begins like the admin graph's is one of the commons' own.
    for own in (f"{BASE}/graph/administration", f"{BASE}/graph/alpha/public"):
        with pytest.raises(StoreError, match="commons' own graphs"):
            commons.write_workspace({own: []})


def test_a_base_with_a_trailing_slash_mints_the_same_uris_and_an_address_belongs_to_its_record() -> None:
    slashed, plain = Uris(BASE + "/"), Uris(BASE)
    assert slashed == plain
    assert slashed.graph("alpha", Level.PUBLIC) == f"{BASE}/graph/alpha/public"
    assert slashed.record("alpha", "rd-1") == f"{BASE}/id/alpha/rd-1"
    record = plain.record("alpha", "rd-1")
    assert plain.record_of(plain.address(record)) == record == plain.record_of(record)
    assert plain.record_of(f"{record}#address#x") == record
