"""The public view: one graph holding the merge of every graph the public may read.

A query with no dataset of its own reads, as its default graph, the merge of the graphs its
audience may read. Handed to Oxigraph as a list of graphs, that merge is looked up graph by graph
(a join over seven public graphs measured 3.2 s against 70 ms on one graph of the same
triples). So the commons keeps that merge, for the public's graphs, as one more graph, and
queries read it in place of those graphs.

It changes nothing about who sees what: `access.readable_graphs(ANONYMOUS, ...)` says which
graphs it merges (its *sources*); `Commons.dataset` uses it only for an audience that may read
every one of them; and every write to a source changes the view in the same store transaction
(`changes`), so it is never behind. GRAPH ?g still ranges over the real graphs, never over the
view, and the view is in no audience's readable graphs: nothing lists it, dumps it or serves it.
"""
from __future__ import annotations

from collections.abc import Iterable

from pyoxigraph import BlankNode, NamedNode, Quad, Triple

from . import access
from .audience import ANONYMOUS
from .uris import Uris

# Bump when what the view holds changes meaning: stores rebuild it when they open.
VIEW_LAYOUT = "1"
_CHUNK = 500


def public_view(uris: Uris) -> str:
    """The view's graph name: under the commons graph, whose name no member can take."""
    return f"{uris.commons_graph}/public-view"


def sources(members: Iterable[str], uris: Uris) -> frozenset[str]:
    return access.readable_graphs(ANONYMOUS, members, uris)


def changes(
    store, view: str, sources: frozenset[str], remove: list[Quad], add: list[Quad]
) -> tuple[list[Quad], list[Quad]] | None:
    """What the view loses and gains when `remove` and `add` are written to the store, or
    None when it must be rebuilt instead (a removed public statement with a blank node,
    which cannot be looked up by value).

    A statement leaves the view only when no source graph holds it after the write: the
    same statement may be public in several members' graphs."""
    node = NamedNode(view)
    added = {q.triple for q in add if q.graph_name.value in sources}
    leaving: dict[Triple, set[str]] = {}
    for q in remove:
        if q.graph_name.value in sources and q.triple not in added:
            leaving.setdefault(q.triple, set()).add(q.graph_name.value)
    if any(isinstance(term, BlankNode) for t in leaving for term in (t.subject, t.object)):
        return None
    held = _holders(store, list(leaving), sources)
    gone = [t for t, graphs in leaving.items() if not (held.get(t, set()) - graphs)]
    return [Quad(*t, node) for t in gone], [Quad(*t, node) for t in added]


def _holders(store, triples: list[Triple], sources: frozenset[str]) -> dict[Triple, set[str]]:
    """Which source graphs hold each statement now (one query per few hundred)."""
    held: dict[Triple, set[str]] = {}
    named = [NamedNode(g) for g in sorted(sources)]
    for start in range(0, len(triples), _CHUNK):
        rows = " ".join(f"({t.subject} {t.predicate} {t.object})" for t in triples[start:start + _CHUNK])
        solutions = store.query(
            f"SELECT ?s ?p ?o ?g WHERE {{ VALUES (?s ?p ?o) {{ {rows} }} GRAPH ?g {{ ?s ?p ?o }} }}",
            default_graph=named[:1],
            named_graphs=named,
        )
        for s in solutions:
            held.setdefault(Triple(s["s"], s["p"], s["o"]), set()).add(s["g"].value)
    return held


def replace_graph_text(view: str, graph: str, sources: frozenset[str], insert_data: str) -> str:
    """An update that replaces a source graph wholesale (`insert_data` is its INSERT DATA)
    and the view with it: what only that graph held leaves the view, its new statements
    enter it. Patterns, not values, so blank nodes (the vocabulary has some) are matched."""
    others = " ".join(f"<{g}>" for g in sorted(sources - {graph}))
    return (
        f"DELETE {{ GRAPH <{view}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} "
        f"FILTER NOT EXISTS {{ VALUES ?g {{ {others} }} GRAPH ?g {{ ?s ?p ?o }} }} }} ;\n"
        f"DROP SILENT GRAPH <{graph}> ;\n"
        + (f"{insert_data} ;\n" if insert_data else "")
        + f"INSERT {{ GRAPH <{view}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    )


def rebuild_text(view: str, sources: frozenset[str]) -> str:
    """An update that makes the view again from its sources."""
    values = " ".join(f"<{g}>" for g in sorted(sources))
    return (
        f"DROP SILENT GRAPH <{view}> ;\n"
        f"INSERT {{ GRAPH <{view}> {{ ?s ?p ?o }} }} WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"
    )
