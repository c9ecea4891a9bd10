"""The audience's dataset holds on every remote store, whatever the engine does with the
query's own FROM/FROM NAMED (issue 24: Virtuoso merged them with the protocol's dataset, and
read every graph for GRAPH ?g, and obeyed DEFINE input:default-graph-uri).

Each test runs on an Oxigraph server and on Virtuoso, both started here on throwaway folders;
the public may read one graph, and a members-only graph beside it holds a secret."""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Variable

from datacommons.config import Config
from datacommons.querycheck import QueryRefused
from datacommons.store import Commons, StoreError
from datacommons.queryworker import Answer, Failure, QueryJob, execute
from datacommons.remote.virtuoso import ManagedVirtuoso
from datacommons.sparqlstore import ManagedOxigraph, SparqlStore

PUBLIC = "http://commons.test/graph/alpha/public"
MEMBERS = "http://commons.test/graph/alpha/members"
DATA = (
    f"INSERT DATA {{ GRAPH <{PUBLIC}> {{ <http://commons.test/c/1> <http://schema.org/name> 'Red Door' }}"
    f" GRAPH <{MEMBERS}> {{ <http://commons.test/c/1> <http://www.w3.org/2006/vcard/ns#hasEmail> 'secret@reddoor.coop' }} }}"
)


@pytest.fixture(scope="module", params=["oxigraph-server", "virtuoso"])
def remote(request, tmp_path_factory) -> Iterator[SparqlStore]:
    """A remote store holding one public and one members-only graph."""
    folder = tmp_path_factory.mktemp(request.param)
    if request.param == "virtuoso":
        if not shutil.which("virtuoso-t"):
            pytest.skip("Virtuoso is not installed (scripts/test installs it: virtuoso-opensource)")
        server = ManagedVirtuoso(folder)
        server.sql(f"SPARQL {DATA}")
    else:
        server = ManagedOxigraph(folder)
    store = SparqlStore(server.endpoints, timeout=60)
    if request.param == "oxigraph-server":
        store.update(DATA)
    yield store
    store.close()
    server.stop()


def public_values(store: SparqlStore, query: str) -> list[str]:
    """Every value a query answers when run as the public (the public graph only)."""
    solutions = store.query(query, default_graph=[NamedNode(PUBLIC)], named_graphs=[])
    return [term.value for solution in solutions for term in solution]


def test_the_members_only_graph_really_holds_the_secret(remote: SparqlStore) -> None:
    """The check the leak tests rely on: with the members graph in its dataset, it is read."""
    solutions = remote.query("SELECT ?o WHERE { ?s ?p ?o }", default_graph=[NamedNode(MEMBERS)])
    assert [s["o"].value for s in solutions] == ["secret@reddoor.coop"]


@pytest.mark.parametrize(
    "query",
    [
        f"SELECT ?o FROM <{MEMBERS}> WHERE {{ ?s ?p ?o }}",
        f"PREFIX g: <http://commons.test/graph/alpha/> SELECT ?o FROM g:members WHERE {{ ?s ?p ?o }}",
        f"SELECT ?o FROM <{PUBLIC}> FROM <{MEMBERS}> WHERE {{ ?s ?p ?o }}",
        f"SELECT ?o FROM NAMED <{MEMBERS}> WHERE {{ GRAPH <{MEMBERS}> {{ ?s ?p ?o }} }}",
        f"SELECT ?o FROM NAMED <{MEMBERS}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        "SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }",
        f"SELECT ?o WHERE {{ GRAPH <{MEMBERS}> {{ ?s ?p ?o }} }}",
        f"SELECT (COUNT(*) AS ?o) FROM <{MEMBERS}> WHERE {{ ?s <http://www.w3.org/2006/vcard/ns#hasEmail> ?e }}",
        f"CONSTRUCT {{ ?s ?p ?o }} FROM <{MEMBERS}> WHERE {{ ?s ?p ?o }}",
        f"from <{MEMBERS}> SELECT ?o WHERE {{ ?s ?p ?o }}",
    ],
)
def test_public_cannot_read_members_only_email_by_naming_its_graph(remote: SparqlStore, query: str) -> None:
    if query.startswith("CONSTRUCT"):
        result = remote.query(query, default_graph=[NamedNode(PUBLIC)], named_graphs=[])
        # (Virtuoso answers a CONSTRUCT with SPARQL results JSON when that is acceptable)
        values = [t.object.value if hasattr(t, "object") else t["o"].value for t in result]
    else:
        try:
            values = public_values(remote, query)
        except (QueryRefused, SyntaxError):
            return  # refused outright: nothing read
    assert "secret@reddoor.coop" not in values
    assert "1" not in values  # no count of the members' addresses either


def test_public_reads_its_own_graph_when_the_query_names_it(remote: SparqlStore) -> None:
    assert public_values(remote, f"SELECT ?o FROM <{PUBLIC}> WHERE {{ ?s ?p ?o }}") == ["Red Door"]
    assert public_values(remote, "SELECT ?o WHERE { ?s ?p ?o }") == ["Red Door"]


def test_a_virtuoso_pragma_naming_the_dataset_is_refused(remote: SparqlStore) -> None:
    with pytest.raises(QueryRefused, match="DEFINE"):
        public_values(remote, f"define input:default-graph-uri <{MEMBERS}> SELECT ?o WHERE {{ ?s ?p ?o }}")


def test_a_service_call_to_the_store_itself_is_refused_before_it_leaves(remote: SparqlStore) -> None:
    """SERVICE back into the store would read it with the store's own (whole) dataset."""
    job = QueryJob(
        f"SELECT ?o WHERE {{ SERVICE <{remote.endpoints.query}> {{ GRAPH <{MEMBERS}> {{ ?s ?p ?o }} }} }}",
        [PUBLIC], [], "application/sparql-results+json", None, 100,
    )
    outcome = execute(job, remote)
    assert isinstance(outcome, Failure) and outcome.kind == "refused"
    assert not isinstance(outcome, Answer)


def test_blank_nodes_written_to_a_remote_store_read_back_as_the_same_terms(remote: SparqlStore) -> None:
    """Virtuoso refuses blank nodes in INSERT DATA and writes its own as nodeID://...: they
    leave as skolem IRIs (RDF 1.1 section 3.5) and come back as the blank nodes written."""
    graph = NamedNode("http://commons.test/graph/vocabulary")
    node = BlankNode("b1")
    remote.extend([
        Quad(NamedNode("http://commons.test/c/2"), NamedNode("http://schema.org/address"), node, graph),
        Quad(node, NamedNode("http://schema.org/name"), Literal("Main St"), graph),
    ])
    solutions = remote.query("SELECT ?a WHERE { ?c <http://schema.org/address> ?a }", default_graph=[graph])
    assert [s["a"] for s in solutions] == [node]
    assert sorted(str(q.subject) for q in remote.quads_for_pattern(graph_name=graph)) == [
        "<http://commons.test/c/2>", "_:b1",
    ]
    solutions = remote.query(
        "SELECT ?name WHERE { ?a <http://schema.org/name> ?name }", default_graph=[graph],
        substitutions={Variable("a"): node},
    )
    assert [s["name"].value for s in solutions] == ["Main St"]


def test_graphs_are_found_by_their_triples_and_the_engines_own_graphs_are_not_the_commons(remote: SparqlStore) -> None:
    graphs = {g.value for g in remote.named_graphs()}
    assert {PUBLIC, MEMBERS} <= graphs
    assert not any(g.startswith("http://www.openlinksw.com/") for g in graphs)
    assert remote.contains_named_graph(NamedNode(PUBLIC))
    assert not remote.contains_named_graph(NamedNode("http://commons.test/graph/never"))


def test_a_write_of_many_triples_goes_in_blocks_the_engine_accepts(remote: SparqlStore) -> None:
    """Virtuoso parses no INSERT DATA block over ~1,200 triples (SP031)."""
    graph = NamedNode("http://commons.test/graph/bulk")
    remote.extend(
        Quad(NamedNode(f"http://commons.test/c/{i}"), NamedNode("http://schema.org/name"), Literal(f"co-op {i}"), graph)
        for i in range(5_000)
    )
    count = remote.query("SELECT (COUNT(?s) AS ?n) WHERE { ?s ?p ?o }", default_graph=[graph])
    assert [s["n"].value for s in count] == ["5000"]


def test_a_commons_refuses_to_open_on_a_store_another_commons_writes(remote: SparqlStore, tmp_path: Path) -> None:
    """Two commons on one store would overwrite each other's graphs without a word."""
    e = remote.endpoints
    config = Config().with_(
        backend="sparql", sparql_query_url=e.query, sparql_update_url=e.update,
        graph_store_url=e.graph_store, sparql_user=e.user, sparql_password=e.password,
    )
    with pytest.raises(StoreError, match="already holds <http://commons.test/graph/alpha/"):
        Commons(tmp_path / "other", base="http://other.test", config=config)
