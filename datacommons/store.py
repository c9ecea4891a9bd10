"""The commons: the RDF store and the system area, behind the one access decision.

`Commons` is the only object that opens the store. Reads take an `Audience` and see only the
graphs `access.readable_graphs` grants it; writes replace a member's graphs in one store
transaction, so a failure leaves the previous data as it was.
"""
from __future__ import annotations

import hashlib
import threading
from datetime import datetime, timezone
from collections.abc import Iterable, Iterator
from pathlib import Path

from pyoxigraph import (
    DefaultGraph,
    NamedNode,
    Quad,
    QueryBoolean,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Store,
    Triple,
    parse,
)

from . import access, querycheck
from .audience import Audience
from .config import DEFAULT_BASE
from .fields import Level
from .policy import Policy, policy_from_triples, policy_triples
from .resources import resource_dir
from .system import System
from .uris import Uris, check_member_id
from .vocab import COOP, FOAF, ORG, RDF, RDFS

QueryResult = QuerySolutions | QueryBoolean | QueryTriples


class StoreError(Exception):
    """The store cannot be opened or changed as asked."""


class Commons:
    def __init__(self, path: Path | str, base: str | None = None) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.system = System(self.path / "system.sqlite3")
        stored_base = self.system.setting("base")
        if stored_base is None:
            stored_base = (base or DEFAULT_BASE).rstrip("/")
            self.system.set_setting("base", stored_base)
        elif base and base.rstrip("/") != stored_base:
            raise StoreError(
                f"this store's URIs are based on {stored_base}; it cannot be served as {base} "
                "(URIs must stay stable). Use another --store for another base."
            )
        self.uris = Uris(stored_base)
        try:
            self._store = Store(str(self.path / "oxigraph"))
        except OSError as e:
            raise StoreError(
                f"cannot open the store at {self.path}: {e}. Is another datacommons process "
                "(a server?) using it?"
            ) from None
        self._write_lock = threading.Lock()
        self._version = int(self.system.setting("version") or 0)
        self.service_allowlist: frozenset[str] = frozenset()
        self._load_vocabulary()

    def close(self) -> None:
        self._store.flush()
        self.system.close()
        del self._store

    # --- what there is -------------------------------------------------------------------
    @property
    def version(self) -> int:
        """Bumped on every write: a cache key or ETag built on it is exact."""
        return self._version

    def members(self) -> list[str]:
        return [m.id for m in self.system.members()]

    def graphs_for(self, audience: Audience) -> frozenset[str]:
        return access.readable_graphs(audience, self.members(), self.uris)

    # --- reads ---------------------------------------------------------------------------
    def query(
        self,
        sparql: str,
        audience: Audience,
        *,
        default_graph_uris: Iterable[str] = (),
        named_graph_uris: Iterable[str] = (),
        substitutions: dict | None = None,
    ) -> QueryResult:
        """Run a SPARQL query over the graphs `audience` may read, and nothing else.

        The dataset the query or the protocol names (FROM, FROM NAMED, default-graph-uri,
        named-graph-uri) is intersected with the readable graphs; without one, the default
        graph is the union of the readable graphs and GRAPH ranges over them.
        """
        allowed = self.graphs_for(audience)
        shape = querycheck.inspect(sparql)
        querycheck.check_services(shape, self.service_allowlist)
        default = list(default_graph_uris) or shape.default_graphs
        named = list(named_graph_uris) or shape.named_graphs
        default_graphs = (
            [g for g in default if g in allowed] if default else sorted(allowed)
        )
        named_graphs = [g for g in named if g in allowed] if (named or default) else sorted(allowed)
        return self._store.query(
            sparql,
            default_graph=[NamedNode(g) for g in default_graphs] or [_EMPTY_GRAPH],
            named_graphs=[NamedNode(g) for g in named_graphs] or [_EMPTY_GRAPH],
            substitutions=substitutions,
        )

    def quads_about(self, subject: str, audience: Audience) -> list[Quad]:
        """Every statement about `subject` the audience may read, with the graph saying it."""
        allowed = self.graphs_for(audience)
        node = NamedNode(subject)
        return [
            q
            for q in self._store.quads_for_pattern(node, None, None, None)
            if isinstance(q.graph_name, NamedNode) and q.graph_name.value in allowed
        ]

    def quads_in(self, graphs: Iterable[str]) -> Iterator[Quad]:
        """All quads of the named graphs (callers pass graphs the access decision allowed)."""
        for g in graphs:
            yield from self._store.quads_for_pattern(None, None, None, NamedNode(g))

    def readable_quads(self, audience: Audience) -> Iterator[Quad]:
        return self.quads_in(sorted(self.graphs_for(audience)))

    def member_triples(self, member: str) -> list[Triple]:
        """A member's record triples from its three publication graphs, without duplicates."""
        seen: dict[Triple, None] = {}
        for q in self.quads_in(self.uris.member_graphs(member)):
            seen[q.triple] = None
        return list(seen)

    def member_quads(self, member: str) -> set[Quad]:
        return set(self.quads_in(self.uris.member_graphs(member)))

    # --- members and policies --------------------------------------------------------------
    def add_member(self, member: str, name: str, homepage: str | None = None) -> str:
        """Register a member organisation; returns its first API token (shown once)."""
        check_member_id(member)
        self.system.add_member(member, name, homepage)
        node = NamedNode(self.uris.member(member))
        commons = NamedNode(self.uris.commons_graph)
        description = [
            Triple(node, RDF.type, COOP.MemberOrganisation),
            Triple(node, RDF.type, ORG.Organization),
            Triple(node, FOAF.name, _lit(name)),
            Triple(node, RDFS.label, _lit(name)),
            Triple(node, COOP.policy, NamedNode(self.uris.policy(member))),
        ]
        if homepage:
            description.append(Triple(node, FOAF.homepage, NamedNode(homepage)))
        description += policy_triples(Policy(member), self.uris)
        self.apply(remove=(), add=[Quad(*t, commons) for t in description])
        return self.system.issue_token("member", member, f"{member} (first token)")

    def policy(self, member: str) -> Policy:
        prefix = self.uris.policy(member)
        triples = [
            q.triple
            for q in self._store.quads_for_pattern(None, None, None, NamedNode(self.uris.commons_graph))
            if q.subject.value.startswith(prefix)
        ]
        return policy_from_triples(member, triples, self.uris)

    def policy_quads(self, policy: Policy) -> list[Quad]:
        commons = NamedNode(self.uris.commons_graph)
        return [Quad(*t, commons) for t in policy_triples(policy, self.uris)]

    def old_policy_quads(self, member: str) -> list[Quad]:
        prefix = self.uris.policy(member)
        return [
            q
            for q in self._store.quads_for_pattern(None, None, None, NamedNode(self.uris.commons_graph))
            if q.subject.value.startswith(prefix)
        ]

    # --- writes --------------------------------------------------------------------------
    def apply(self, remove: Iterable[Quad], add: Iterable[Quad]) -> None:
        """Remove and add quads in one store transaction: all of it happens, or none."""
        remove, add = list(remove), list(add)
        update = _update_text(remove, add)
        with self._write_lock:
            if update:
                self._store.update(update)
            self._version += 1
            self.system.set_setting("version", str(self._version))
            self._record_graph_changes(
                {q.graph_name.value for q in (*remove, *add) if isinstance(q.graph_name, NamedNode)},
                str(self._version),
            )

    def _record_graph_changes(self, graphs: Iterable[str], token: str) -> None:
        """Remember, per graph, the write that last changed it and when: HTTP validators
        (ETag, Last-Modified) of a page then change exactly when one of its graphs does."""
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        for g in graphs:
            self.system.set_setting(f"graph-changed:{g}", f"{token} {now}")

    def graph_state(self, graphs: Iterable[str]) -> tuple[str, datetime]:
        """A fingerprint of the versions of `graphs` and the time the latest of them changed.

        Graphs never written since this was recorded count as changed when the store was
        first asked (a fixed time, so conditional requests keep working)."""
        created = self.system.setting("graphs-recorded-since")
        if created is None:
            created = datetime.now(timezone.utc).isoformat(timespec="seconds")
            self.system.set_setting("graphs-recorded-since", created)
        parts, latest = [], datetime.fromisoformat(created)
        for g in sorted(set(graphs)):
            token, _, when = (self.system.setting(f"graph-changed:{g}") or f"0 {created}").partition(" ")
            parts.append(f"{g}={token}")
            latest = max(latest, datetime.fromisoformat(when))
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:24], latest

    # --- vocabulary ----------------------------------------------------------------------
    def _load_vocabulary(self) -> None:
        """Load ontology/ into the vocabulary graph when its files changed."""
        files = sorted(resource_dir("ontology").rglob("*.ttl"))
        digest = hashlib.sha256()
        for f in files:
            digest.update(f.name.encode() + f.read_bytes())
        if self.system.setting("vocabulary_hash") == digest.hexdigest():
            return
        graph = NamedNode(self.uris.vocabulary_graph)
        quads = []
        for f in files:
            for t in parse(path=str(f), format=RdfFormat.TURTLE):
                quads.append(Quad(t.subject, t.predicate, t.object, graph))
        with self._write_lock:
            self._store.remove_graph(graph) if self._store.contains_named_graph(graph) else None
            self._store.extend(quads)
        self.system.set_setting("vocabulary_hash", digest.hexdigest())
        self._record_graph_changes([graph.value], digest.hexdigest()[:16])

    def dump(self, output, audience: Audience, fmt: RdfFormat = RdfFormat.N_QUADS) -> None:
        """Serialise every quad the audience may read (streamed, never built in memory)."""
        from pyoxigraph import serialize

        serialize(self.readable_quads(audience), output, format=fmt)


_EMPTY_GRAPH = NamedNode("urn:x-datacommons:empty")


def _lit(text: str):
    from pyoxigraph import Literal

    return Literal(text)


def _update_text(remove: Iterable[Quad], add: Iterable[Quad]) -> str:
    parts = []
    for verb, quads in (("DELETE DATA", remove), ("INSERT DATA", add)):
        by_graph: dict[str, list[str]] = {}
        for q in quads:
            if isinstance(q.graph_name, DefaultGraph):
                raise StoreError("the commons writes only to named graphs")
            by_graph.setdefault(str(q.graph_name), []).append(
                f"{q.subject} {q.predicate} {q.object} ."
            )
        if by_graph:
            body = "\n".join(f"GRAPH {g} {{\n" + "\n".join(ts) + "\n}" for g, ts in by_graph.items())
            parts.append(f"{verb} {{\n{body}\n}}")
    return " ;\n".join(parts)


def level_graphs(uris: Uris, member: str) -> dict[Level, str]:
    return {level: uris.graph(member, level) for level in Level}
