"""The one access decision: which graphs an audience may read, and which it may write.

Every read path (SPARQL, entity pages, search, dumps, counts...) asks `readable_graphs`;
every write path asks `may_write`. Nothing else decides.
"""
from __future__ import annotations

from collections.abc import Iterable

from .audience import Audience
from .fields import Level
from .uris import Uris


def readable_graphs(
    audience: Audience, members: Iterable[str], uris: Uris, workspace: Iterable[str] = ()
) -> frozenset[str]:
    """The named graphs `audience` may read.

    - the public: the commons and vocabulary graphs and each member's public graph;
    - a member organisation: also every member's members-only graph, and its own private
      graph and import log;
    - an administrator: every graph of every member, and the `workspace` graphs
      (see `Uris.is_workspace`).
    """
    graphs = {uris.commons_graph, uris.vocabulary_graph}
    if audience.is_admin:
        graphs.update(g for g in workspace if uris.is_workspace(g))
    for member in members:
        graphs.add(uris.graph(member, Level.PUBLIC))
        if audience.kind in ("member", "admin"):
            graphs.add(uris.graph(member, Level.MEMBERS))
        if audience.is_admin or (audience.kind == "member" and audience.member == member):
            graphs.add(uris.graph(member, Level.PRIVATE))
            graphs.add(uris.imports_graph(member))
    return frozenset(graphs)


def may_write(audience: Audience, member: str) -> bool:
    """A member organisation writes only its own graphs; administrators write any member's."""
    return audience.is_admin or (audience.kind == "member" and audience.member == member)


def may_write_workspace(audience: Audience) -> bool:
    """Only administrators write the workspace (SPARQL Update, Graph Store Protocol)."""
    return audience.is_admin
