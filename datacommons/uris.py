"""Minting the commons' URIs. Every URI the commons publishes is made here, from one base."""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from .fields import Level

MEMBER_ID = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
RESERVED_MEMBER_IDS = frozenset(
    {"member", "org", "import", "graph", "commons", "vocabulary", "concept", "admin", "system", "public", "source",
     # mailing lists: {base}/id/list/{member}/{list}; /lists/{member}/{list} beside the
     # mail's links /lists/confirm/..., /lists/unsubscribe/..., /lists/manage/..., /lists/never/...
     "list", "lists", "confirm", "unsubscribe", "manage", "never",
     # the marketplace: {base}/id/offer/..., {base}/id/demand/..., /market
     "offer", "demand", "market"}
)


def check_member_id(member: str) -> str:
    """A member id becomes part of URIs, so it must be a short lower-case slug."""
    if not MEMBER_ID.match(member):
        raise ValueError(
            f"member id {member!r} must be 1-64 lower-case letters, digits or '-', "
            "starting and ending with a letter or digit"
        )
    if member in RESERVED_MEMBER_IDS:
        raise ValueError(f"member id {member!r} is reserved")
    return member


@dataclass(frozen=True)
class Uris:
    base: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "base", self.base.rstrip("/"))

    # entities
    def member(self, member: str) -> str:
        return f"{self.base}/id/member/{member}"

    def policy(self, member: str) -> str:
        return f"{self.base}/id/member/{member}/policy"

    def record(self, member: str, local_id: str) -> str:
        return f"{self.base}/id/{member}/{quote(local_id, safe='-._~')}"

    def address(self, record: str) -> str:
        return f"{record}#address"

    def canonical(self, slug: str) -> str:
        """A co-op as the commons knows it after reconciling several members' records."""
        return f"{self.base}/id/org/{slug}"

    def is_canonical(self, iri: str) -> bool:
        return iri.startswith(f"{self.base}/id/org/")

    def import_(self, member: str, number: int) -> str:
        return f"{self.base}/id/import/{member}/{number}"

    # graphs
    def graph(self, member: str, level: Level) -> str:
        return f"{self.base}/graph/{member}/{level.value}"

    def member_graphs(self, member: str) -> tuple[str, str, str]:
        return tuple(self.graph(member, level) for level in Level)  # type: ignore[return-value]

    def imports_graph(self, member: str) -> str:
        return f"{self.base}/graph/{member}/imports"

    @property
    def commons_graph(self) -> str:
        return f"{self.base}/graph/commons"

    @property
    def public_graph(self) -> str:
        """The name of everything the public may read (the merge of the public graphs): what
        mykomap's servers send as `default-graph-uri`, and HEAD on it says when it changed."""
        return f"{self.base}/graph/public"

    def is_public_graph(self, iri: str) -> bool:
        """Whether `iri` names the public merge (mykomap's servers add a trailing slash)."""
        return iri.rstrip("/") == self.public_graph

    @property
    def vocabulary_graph(self) -> str:
        return f"{self.base}/graph/vocabulary"

    def directory(self, member: str) -> str:
        """A member's whole directory as one graph (Graph Store Protocol): reading it gives
        the member's levels an audience may read; writing it is an import."""
        return f"{self.base}/graph/{member}"

    @property
    def admin_graph(self) -> str:
        """The administrators' own graph: the default graph of their SPARQL updates."""
        return f"{self.base}/graph/admin"

    def is_workspace(self, graph: str) -> bool:
        """Whether a graph is the administrators' workspace rather than the commons' own.

        The commons manages every graph under `{base}/graph/` (members' data changes only
        through imports); the admin graph, graphs under it and graphs outside the commons'
        base are the workspace, which administrators alone read and write.
        """
        admin = self.admin_graph
        return (
            not graph.startswith(f"{self.base}/graph/")
            or graph == admin
            or graph.startswith(admin + "/")
        )

    def record_of(self, subject: str) -> str:
        """The record a subject belongs to (an address belongs to its record)."""
        return subject.split("#", 1)[0]
