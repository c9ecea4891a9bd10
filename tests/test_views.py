"""The public view holds exactly the merge of the public's graphs, after every kind of write,
and is never itself visible."""
from __future__ import annotations

import io
from pathlib import Path

from pyoxigraph import NamedNode, RdfFormat, parse

from datacommons import views
from datacommons.audience import ADMIN, ANONYMOUS, SYSTEM, member_audience
from datacommons.fields import Level
from datacommons.store import Commons
from loaders.pipeline import republish

from .conftest import BASE, CORE_CSV, World, load_text

NAME = "http://purl.org/goodrelations/v1#name"
PHONE = "http://www.w3.org/2006/vcard/ns#hasTelephone"


def view_triples(commons: Commons) -> set:
    return {q.triple for q in commons.quads_in([commons.public_view], SYSTEM)}


def public_merge(commons: Commons) -> set:
    return {q.triple for q in commons.quads_in(sorted(views.sources(commons.members(), commons.uris)), SYSTEM)}


def test_the_view_is_the_merge_of_the_public_graphs_after_imports_and_policy_changes(
    world: World, tmp_path: Path
) -> None:
    commons = world.commons
    assert view_triples(commons) == public_merge(commons) != set()
    # A field made public, then private again: in the view, then gone from it.
    republish(commons, "alpha", commons.policy("alpha").changed({"phone": Level.PUBLIC}))
    phones = {t.object.value for t in view_triples(commons) if t.predicate.value == PHONE}
    assert "tel:+16125550142" in phones
    republish(commons, "alpha", commons.policy("alpha").changed({"phone": Level.PRIVATE}))
    assert not any(t.predicate.value == PHONE for t in view_triples(commons))
    # A re-import that changes and drops records.
    changed = CORE_CSV.replace("Red Door Bakery Co-op", "Red Door Bakery").replace(
        CORE_CSV.splitlines()[2] + "\n", ""
    )
    load_text(commons, "alpha", changed, tmp_path, "again.csv")
    names = {t.object.value for t in view_triples(commons) if t.predicate.value == NAME}
    assert "Red Door Bakery" in names and "Red Door Bakery Co-op" not in names
    assert "Prairie Harvest Cooperative" not in names
    assert view_triples(commons) == public_merge(commons)


def test_a_statement_two_graphs_make_public_stays_while_one_still_does(world: World, tmp_path: Path) -> None:
    """Both members list the same co-op with the same locality: the view keeps the statement
    until neither public graph holds it (the view is a merge: a set, not a count)."""
    commons = world.commons
    shared = "http://example.org/shared-statement"
    alpha, beta = (NamedNode(f"{BASE}/graph/{m}/public") for m in ("alpha", "beta"))
    from pyoxigraph import Literal, Quad

    quad = lambda g: Quad(NamedNode(shared), NamedNode(NAME), Literal("Shared"), g)  # noqa: E731
    commons.apply(remove=(), add=[quad(alpha), quad(beta)])
    assert any(t.subject.value == shared for t in view_triples(commons))
    commons.apply(remove=[quad(alpha)], add=())
    assert any(t.subject.value == shared for t in view_triples(commons))
    commons.apply(remove=[quad(beta)], add=())
    assert not any(t.subject.value == shared for t in view_triples(commons))
    assert view_triples(commons) == public_merge(commons)


def test_queries_read_the_view_but_never_see_it(world: World) -> None:
    commons = world.commons
    assert commons.dataset("SELECT * {}", ANONYMOUS).default == [commons.public_view]
    member = commons.dataset("SELECT * {}", member_audience("alpha"))
    assert member.default[0] == commons.public_view and commons.public_view not in member.named
    for audience in (ANONYMOUS, member_audience("alpha"), ADMIN):
        graphs = {s["g"].value for s in commons.query("SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }", audience)}
        assert commons.public_view not in graphs and graphs
        # Naming the view as a dataset reads nothing: it is no audience's graph.
        named = commons.query(f"SELECT * FROM <{commons.public_view}> {{ ?s ?p ?o }} LIMIT 1", audience)
        assert list(named) == []
        out = io.BytesIO()
        commons.dump(out, audience)
        assert commons.public_view not in {q.graph_name.value for q in parse(out.getvalue(), format=RdfFormat.N_QUADS)}
    # Members' and private values stay out of the public's answers, though the view is used.
    names = {s["n"].value for s in commons.query(f"SELECT ?n {{ ?c <{NAME}> ?n }}", ANONYMOUS)}
    assert "Red Door Bakery Co-op" in names and "Quiet Housing Co-op" not in names


def test_a_store_without_the_view_makes_it_when_opened(tmp_path: Path) -> None:
    commons = Commons(tmp_path / "store", base=BASE)
    commons.add_member("alpha", "Alpha")
    load_text(commons, "alpha", CORE_CSV, tmp_path)
    expected = view_triples(commons)
    commons._store.update(f"DROP GRAPH <{commons.public_view}>")  # as a store made before views
    commons.system.set_setting("public-view", "0")
    assert view_triples(commons) == set()
    commons.close()
    reopened = Commons(tmp_path / "store")
    try:
        assert view_triples(reopened) == expected == public_merge(reopened)
    finally:
        reopened.close()


def test_a_removal_of_more_statements_than_one_lookup_holds_keeps_those_another_graph_holds(world: World) -> None:
    """The view asks which graphs still hold the removed statements a few hundred at a time:
    over several look-ups, a statement another public graph still holds stays, the others
    leave."""
    from pyoxigraph import Literal, Quad

    commons = world.commons
    alpha, beta = (NamedNode(f"{BASE}/graph/{m}/public") for m in ("alpha", "beta"))
    n = 3 * views._CHUNK + 7
    quads = [Quad(NamedNode(f"http://example.org/many/{i}"), NamedNode(NAME), Literal(f"Many {i}"), alpha) for i in range(n)]
    shared = {i for i in range(n) if i % 3 == 0}  # in every look-up
    commons.apply(remove=(), add=quads + [Quad(*quads[i].triple, beta) for i in shared])
    commons.apply(remove=quads, add=())
    left = {t.subject.value for t in view_triples(commons) if t.subject.value.startswith("http://example.org/many/")}
    assert left == {f"http://example.org/many/{i}" for i in shared}
    assert view_triples(commons) == public_merge(commons)


def test_a_changed_vocabulary_replaces_its_statements_in_the_view_when_the_store_opens(tmp_path: Path) -> None:
    """The vocabulary graph is replaced wholesale when its files change: what only it held
    leaves the view, what a member's public graph also holds stays, and its statements are
    all in the view again."""
    from pyoxigraph import Literal, Quad

    commons = Commons(tmp_path / "store", base=BASE)
    commons.add_member("alpha", "Alpha")
    vocabulary, alpha = NamedNode(commons.uris.vocabulary_graph), NamedNode(f"{BASE}/graph/alpha/public")
    stale = Quad(NamedNode("http://example.org/stale"), NamedNode(NAME), Literal("Stale"), vocabulary)
    also_alpha = Quad(NamedNode("http://example.org/kept"), NamedNode(NAME), Literal("Kept"), vocabulary)
    commons.apply(remove=(), add=[stale, also_alpha, Quad(*also_alpha.triple, alpha)])
    dropped = next(q for q in commons.quads_in([vocabulary.value], SYSTEM)
                   if q.subject.value.startswith("https://w3id.org/coop-commons/vocab#"))
    commons.apply(remove=[dropped], add=())
    assert stale.triple in view_triples(commons) and dropped.triple not in view_triples(commons)
    commons.system.set_setting("vocabulary_hash", "")  # as if ontology/ had changed
    commons.close()
    reopened = Commons(tmp_path / "store")
    try:
        view = view_triples(reopened)
        assert stale.triple not in view and also_alpha.triple in view and dropped.triple in view
        assert view == public_merge(reopened)
    finally:
        reopened.close()
