"""The commons: the RDF store and the system area, behind the one access decision.

`Commons` is the only object that opens the store. Reads take an `Audience` and see only the
graphs `access.readable_graphs` grants it; writes replace a member's graphs in one store
transaction, so a failure leaves the previous data as it was.
"""
from __future__ import annotations

import fcntl
import gc
import hashlib
import itertools
import shutil
import threading
import traceback
import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timezone
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from pyoxigraph import (
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Triple,
    parse,
    serialize,
)

from . import access, bigwrite, licences, querycheck, views
from .audience import SYSTEM, Audience
from .backends import BackendError, embedded_location, open_store
from .sparqlstore import RemoteStoreError, data_update
from .config import DEFAULT_BASE, Config
from .policy import Policy, policy_from_triples, policy_triples
from .resources import resource_dir
from .sidestore import FILES
from .system import System
from .uris import Uris, check_member_id
from .vocab import COOP, FOAF, ORG, RDF, RDFS

QueryResult = QuerySolutions | QueryBoolean | QueryTriples

# (commons, version, members) read once for the read-only request this thread serves (`pinned`).
_PINNED: ContextVar[tuple["Commons", int, tuple[str, ...]] | None] = ContextVar("datacommons_pinned", default=None)


class StoreError(Exception):
    """The store cannot be opened or changed as asked."""


@dataclass(frozen=True)
class QueryDataset:
    """The graphs a query reads: its default graph (merged) and its named graphs. An empty
    list is an empty graph or no named graphs, never "everything"."""

    default: list[str]
    named: list[str]


@dataclass(frozen=True)
class Snapshot:
    """A read-only copy of the store at one version, for reader processes."""

    path: Path
    version: int


class Commons:
    """The commons over its store: `config.backend` chooses where the RDF data lives
    (`backends`); everything above this class is the same for each."""

    def __init__(self, path: Path | str, base: str | None = None, config: Config | None = None) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.system = System(self.path / FILES["system"])
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
        self._config = config = config or Config()
        self._journal = bigwrite.Journal(self.path / bigwrite.FOLDER, embedded_location(self.path))
        # An embedded store is first put back as it was before a large write that did not
        # finish (`bigwrite`), before anything reads it.
        undone = self._journal.recover() if config.backend == "embedded" else None
        self._open()
        if undone is not None:
            self._written(set(undone))  # the store is as before: what was cached since is stale
        # Snapshots for reader processes exist only for the embedded store; a remote store
        # answers outside queries itself (`remotequery`).
        self.embedded = self._opened.embedded
        self._write_lock = threading.Lock()
        self._snapshot_lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        # Workspace writes read the graphs, change them and write them back: one at a time.
        self.workspace_lock = threading.Lock()
        self.service_allowlist: frozenset[str] = frozenset()
        self.public_view = views.public_view(self.uris)
        try:
            self._load_vocabulary()
            self._ensure_view()
        except RemoteStoreError as e:
            self._opened.close()
            raise StoreError(str(e)) from None

    @property
    def config(self) -> Config:
        """The configuration the commons was opened with (read by `licences`, for one)."""
        return self._config

    def _open(self) -> None:
        try:
            self._opened = open_store(self.path, self._config, base=self.uris.base)
        except BackendError as e:
            raise StoreError(str(e)) from None
        except OSError as e:
            raise StoreError(
                f"cannot open the store at {self.path}: {e}. Is another datacommons process "
                "(a server?) using it?"
            ) from None
        self._store = self._opened.store

    def close(self) -> None:
        shutil.rmtree(self.path / "snapshots", ignore_errors=True)
        self._store.flush()
        self._opened.close()
        self.system.close()
        del self._store

    # --- what there is -------------------------------------------------------------------
    @property
    def version(self) -> int:
        """Bumped on every write: a cache key or ETag built on it is exact. Read from the
        system database each time, so every process serving the store sees each write."""
        pinned = _PINNED.get()
        if pinned is not None and pinned[0] is self:
            return pinned[1]
        return int(self.system.setting("version") or 0)

    def members(self) -> list[str]:
        pinned = _PINNED.get()
        if pinned is not None and pinned[0] is self:
            return list(pinned[2])
        return [m.id for m in self.system.members()]

    @contextmanager
    def pinned(self) -> Iterator[None]:
        """For one read-only request: the version and the members are read from the system
        area once, on entering, and every `version`, `members` and `graphs_for` of this
        thread inside the block answers from them. A page asks for them a dozen times; each
        read is a SQLite call that gives up the GIL, and under load every give-up waits a
        switch interval to get it back. A write inside the block unpins (`_written`)."""
        token = _PINNED.set(None)
        try:
            _PINNED.set((self, self.version, tuple(self.members())))
            yield
        finally:
            _PINNED.reset(token)

    def graphs_for(self, audience: Audience) -> frozenset[str]:
        workspace = self.workspace_graphs() if audience.is_admin else ()
        return access.readable_graphs(audience, self.members(), self.uris, workspace)

    def readable_names(self, audience: Audience) -> frozenset[str]:
        """The graph names a query of the audience's may run over: its readable graphs, and
        the public view when that stands for graphs it may read (`_merged`)."""
        allowed = self.graphs_for(audience)
        if views.sources(self.members(), self.uris) <= allowed:
            return allowed | {self.public_view}
        return allowed

    def workspace_graphs(self) -> set[str]:
        """The administrators' workspace graphs in the store, and always the admin graph."""
        return {self.uris.admin_graph} | {
            g.value
            for g in self._store.named_graphs()
            if isinstance(g, NamedNode) and self.uris.is_workspace(g.value)
        }

    # --- reads ---------------------------------------------------------------------------
    def dataset(
        self,
        sparql: str,
        audience: Audience,
        default_graph_uris: Iterable[str] = (),
        named_graph_uris: Iterable[str] = (),
    ) -> QueryDataset:
        """The dataset a query runs over: what it asks for, within what `audience` may read.

        The protocol's default-graph-uri/named-graph-uri, when given, replace the query's own
        FROM/FROM NAMED (SPARQL 1.1 Protocol 2.1.4); the dataset named either way is
        intersected with the readable graphs. With none named, the default graph is the union
        of the readable graphs and GRAPH ranges over them. SERVICE calls must be allow-listed.
        """
        allowed = self.graphs_for(audience)
        shape = querycheck.inspect(sparql)
        querycheck.check_services(shape, self.service_allowlist)
        default, named = list(default_graph_uris), list(named_graph_uris)
        if not default and not named:
            default, named = shape.default_graphs, shape.named_graphs
        if not default and not named:
            return QueryDataset(self._merged(allowed), sorted(allowed))
        # Naming the view itself reads nothing (it is no audience's graph); it comes in only
        # where `{base}/graph/public` stands for the public graphs' merge.
        default = [g for g in default if g in allowed or self.uris.is_public_graph(g)]
        if any(self.uris.is_public_graph(g) for g in default + named):
            # `{base}/graph/public` names the public graphs' merge: the public view as the
            # default graph (one graph, see `_merged`), the public graphs as named graphs.
            public = views.sources(self.members(), self.uris) & allowed
            default = _expand(default, self.uris.is_public_graph, self._merged(public))
            named = _expand(named, self.uris.is_public_graph, sorted(public))
        return QueryDataset(
            default,
            [g for g in named if g in allowed],
        )

    def _merged(self, allowed: frozenset[str]) -> list[str]:
        """The graphs whose merge is the merge of `allowed`: the public view in place of the
        public's graphs when `allowed` holds every one of them (`views`)."""
        public = views.sources(self.members(), self.uris)
        if public <= allowed:
            return [self.public_view, *sorted(allowed - public)]
        return sorted(allowed)

    def query(
        self,
        sparql: str,
        audience: Audience,
        *,
        default_graph_uris: Iterable[str] = (),
        named_graph_uris: Iterable[str] = (),
        substitutions: dict | None = None,
    ) -> QueryResult:
        """Run a SPARQL query over the graphs `audience` may read, and nothing else
        (see `dataset`), in this process: for the application's own queries. Queries from
        the outside run in reader processes that can be stopped (`querypool`)."""
        dataset = self.dataset(sparql, audience, default_graph_uris, named_graph_uris)
        return self._store.query(
            sparql,
            default_graph=[NamedNode(g) for g in dataset.default],
            named_graphs=[NamedNode(g) for g in dataset.named],
            substitutions=substitutions,
        )

    def quads_about(self, subject: str, audience: Audience) -> list[Quad]:
        """Every statement about `subject` the audience may read, with the graph saying it."""
        return self._readable(audience, NamedNode(subject), None, None)

    def subjects_with(self, predicate: str, obj: str, audience: Audience) -> list[str]:
        """The subjects of the statements `(?, predicate, obj)` the audience may read, in
        order, once each: one index look-up, where a SPARQL query is parsed and planned."""
        return sorted({q.subject.value for q in self._readable(audience, None, NamedNode(predicate), NamedNode(obj))})

    def _readable(self, audience: Audience, subject, predicate, obj) -> list[Quad]:
        """The quads matching a pattern in the named graphs the audience may read."""
        allowed = self.graphs_for(audience)
        return [
            q
            for q in self._store.quads_for_pattern(subject, predicate, obj, None)
            if isinstance(q.graph_name, NamedNode) and q.graph_name.value in allowed
        ]

    def _allowed(self, graphs: Iterable[str], audience: Audience) -> list[str]:
        """Those of `graphs` the audience may read (the access decision), in order; for
        `SYSTEM`, the commons' own upkeep, all of them."""
        if audience == SYSTEM:
            return list(graphs)
        allowed = self.graphs_for(audience)
        return [g for g in graphs if g in allowed]

    def quads_in(self, graphs: Iterable[str], audience: Audience) -> Iterator[Quad]:
        """All quads of those of the named graphs the audience may read."""
        for g in self._allowed(graphs, audience):
            yield from self._store.quads_for_pattern(None, None, None, NamedNode(g))

    def readable_quads(self, audience: Audience) -> Iterator[Quad]:
        return self.quads_in(sorted(self.graphs_for(audience)), audience)

    def member_triples(self, member: str, audience: Audience) -> list[Triple]:
        """A member's record triples from those of its three publication graphs the audience
        may read, without duplicates."""
        seen: dict[Triple, None] = {}
        for q in self.member_quads(member, audience):
            seen[q.triple] = None
        return list(seen)

    def member_quads(self, member: str, audience: Audience) -> set[Quad]:
        """The quads of a member's records. Its graphs also hold what it says about canonical
        co-ops (`{base}/id/org/...`, written by the reconciler at the level of the source
        value); those follow from the records and are left out here."""
        return {
            q for q in self.quads_in(self.uris.member_graphs(member), audience)
            if not self.uris.is_canonical(q.subject.value)
        }

    def quads_of(self, subject: str, graphs: Iterable[str], audience: Audience) -> list[Quad]:
        """The quads about `subject` in those of the named graphs the audience may read."""
        node = NamedNode(subject)
        return [q for g in self._allowed(graphs, audience) for q in self._store.quads_for_pattern(node, None, None, NamedNode(g))]

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
            Triple(node, FOAF.name, Literal(name)),
            Triple(node, RDFS.label, Literal(name)),
            Triple(node, COOP.policy, NamedNode(self.uris.policy(member))),
        ]
        if homepage:
            description.append(Triple(node, FOAF.homepage, NamedNode(homepage)))
        description += policy_triples(Policy(member), self.uris)
        self.apply(remove=(), add=[Quad(*t, commons) for t in description])
        return self.system.issue_token("member", member, f"{member} (first token)")

    def policy(self, member: str) -> Policy:
        triples = [q.triple for q in self.old_policy_quads(member)]
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
        """Remove and add quads in one store transaction: all of it happens, or none.

        A write that only adds goes in without SPARQL text: `Store.extend` (one transaction)
        or, for a large one, `Store.bulk_extend`, which writes sorted table files and ingests
        them in one RocksDB ingestion, several times faster. Oxigraph's bulk loader ingests
        once per batch of `bigwrite.ATOMIC_LIMIT` quads, so a write of that size or more is
        journaled (`bigwrite`): undone at once if it fails here, and when the store is next
        opened if this process dies part-way. (A remote store takes any write as one update.)
        """
        remove, add = list(remove), list(add)
        graphs = {q.graph_name for q in remove} | {q.graph_name for q in add}
        if any(isinstance(g, DefaultGraph) for g in graphs):
            raise StoreError("the commons writes only to named graphs")
        with self._writing():
            # The public view changes with its sources, in the same transaction.
            delta = views.changes(
                self._store, self.public_view, views.sources(self.members(), self.uris), remove, add
            )
            if delta is None:
                text = _update_text(remove, add) + " ;\n" + self._view_rebuild_text()
                self._store.update(text)
            elif remove or delta[0]:
                self._store.update(_update_text(remove + delta[0], add + delta[1]))
            else:
                add += delta[1]
                if self.embedded and len(add) >= bigwrite.ATOMIC_LIMIT:
                    return self._write_big(add, {g.value for g in graphs})
                if len(add) >= _BULK_MIN:
                    self._store.bulk_extend(add)
                elif add:
                    self._store.extend(add)
            self._written({g.value for g in graphs})

    def _write_big(self, add: list[Quad], graphs: set[str]) -> None:
        """Bulk-load an additions-only write of any size, all of it or none (`bigwrite`)."""
        self._journal.begin(self._store, graphs)
        try:
            bigwrite.load(self._store, add)
            self._written(graphs)
            self._journal.finish()
        except BaseException as e:
            traceback.clear_frames(e.__traceback__)  # whose locals hold the store open
            self._restore()
            # Readers in this process saw the batches come in: what they cached since is stale.
            self._written(graphs)
            if isinstance(e, OSError):
                raise StoreError(f"the write failed and was undone: {e}") from None
            raise

    def _restore(self) -> None:
        """Put the store back as it was before the big write that just failed: closed (the
        checkpoint takes its place on disk) and opened again."""
        self._opened.close()
        del self._store
        gc.collect()  # nothing else may hold RocksDB open
        self._journal.recover()
        self._open()

    def write_workspace(
        self, graphs: Mapping[str, Iterable[Triple] | None], *, merge: bool = False
    ) -> None:
        """Replace (or with `merge`, add to) administrators' workspace graphs in one store
        transaction; None drops a graph. Blank nodes are written afresh, as when any RDF
        document is loaded again. The commons' own graphs are refused."""
        operations = []
        for graph, triples in graphs.items():
            if not self.uris.is_workspace(graph):
                raise StoreError(
                    f"<{graph}> is one of the commons' own graphs; members' data changes only "
                    "through imports"
                )
            iri = NamedNode(graph)
            if triples is None or not merge:
                operations.append(f"DROP SILENT GRAPH {iri}")
            if triples is not None:
                operations.append(f"CREATE SILENT GRAPH {iri}")
                body = "\n".join(f"{t.subject} {t.predicate} {t.object} ." for t in triples)
                if body:
                    operations.append(f"INSERT DATA {{ GRAPH {iri} {{\n{body}\n}} }}")
        with self._writing():
            if operations:
                self._store.update(" ;\n".join(operations))
            self._written(set(graphs))

    @contextmanager
    def _writing(self):
        """One writer at a time: between this process's threads, and between processes that
        share the store folder (web workers over a remote store, the command line)."""
        with self._write_lock, (self.path / "write.lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _written(self, graphs: set[str]) -> None:
        """After a write (under the write lock): a new version, and which graphs changed."""
        _PINNED.set(None)  # this thread reads the new version from now on
        version = self.system.bump("version")
        self._record_graph_changes(graphs, str(version))

    def remote_store(self, timeout: float):
        """The remote store, its requests given up after `timeout` seconds (`remotequery`)."""
        if self.embedded:
            raise StoreError("the embedded store answers outside queries in reader processes")
        return self._store.with_timeout(timeout)

    # --- snapshots for reader processes ---------------------------------------------------
    def snapshot(self) -> Snapshot:
        """A read-only copy of the store as it is now, made again only after a write.

        It is a RocksDB checkpoint (hard links to the immutable table files: milliseconds,
        little disk). Reader processes open it with `Store.read_only`; opening the live store
        read-only beside its writer is undefined behaviour, and a second read-write opening is
        refused by RocksDB's lock. Whoever stops using a snapshot discards it
        (`discard_snapshot`); the current one is kept.
        """
        if not self.embedded:
            raise StoreError("a remote store has no snapshots; it answers queries itself")
        with self._snapshot_lock:
            version = self.version
            current = self._snapshot
            if current is not None and current.version == version:
                return current
            folder = self.path / "snapshots"
            if current is None:
                shutil.rmtree(folder, ignore_errors=True)  # left by an earlier run
            folder.mkdir(exist_ok=True)
            with self._write_lock:
                version = self.version
                path = folder / f"{version}-{uuid.uuid4().hex[:8]}"
                self._store.backup(str(path))
                self._snapshot = Snapshot(path, version)
            return self._snapshot

    def discard_snapshot(self, snapshot: Snapshot) -> bool:
        """Delete a snapshot no reader uses any more; False for the current one, which stays."""
        with self._snapshot_lock:
            if snapshot == self._snapshot:
                return False
            shutil.rmtree(snapshot.path, ignore_errors=True)
            return True

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
        with self._writing():  # replaced in one transaction, the public view with it
            self._store.update(views.replace_graph_text(
                self.public_view, graph.value, views.sources(self.members(), self.uris),
                _update_text((), quads),
            ))
        self.system.set_setting("vocabulary_hash", digest.hexdigest())
        self._record_graph_changes([graph.value], digest.hexdigest()[:16])

    def _view_rebuild_text(self) -> str:
        return views.rebuild_text(self.public_view, views.sources(self.members(), self.uris))

    def _ensure_view(self) -> None:
        """Make the public view when this store has none yet, or one of an older layout."""
        if self.system.setting("public-view") == views.VIEW_LAYOUT:
            return
        with self._writing():
            if self.embedded:
                # Bulk-loaded from the sources (minutes faster than INSERT ... WHERE on a large
                # store); the layout is recorded only once it is whole, so an interrupted
                # build is made again at the next opening.
                view = NamedNode(self.public_view)
                if self._store.contains_named_graph(view):
                    self._store.remove_graph(view)
                self._store.bulk_extend(
                    Quad(q.subject, q.predicate, q.object, view)
                    for q in self.quads_in(sorted(views.sources(self.members(), self.uris)), SYSTEM)
                )
            else:
                self._store.update(self._view_rebuild_text())
        self.system.set_setting("public-view", views.VIEW_LAYOUT)

    def dump(self, output, audience: Audience, fmt: RdfFormat = RdfFormat.N_QUADS) -> None:
        """Serialise every quad the audience may read (streamed, never built in memory),
        after what the dump says about its licences (`licences.dump_statements`)."""
        about = licences.dump_statements(self, self.graphs_for(audience))
        serialize(itertools.chain(about, self.readable_quads(audience)), output, format=fmt)




# Additions-only writes of at least this many quads use the bulk loader (below it, its fixed
# cost of writing a table file per index is more than a transaction costs); from
# `bigwrite.ATOMIC_LIMIT` on, journaled.
_BULK_MIN = 20_000


def _update_text(remove: Iterable[Quad], add: Iterable[Quad]) -> str:
    try:
        parts = (data_update("DELETE DATA", remove), data_update("INSERT DATA", add))
    except ValueError as e:
        raise StoreError(str(e)) from None
    return " ;\n".join(p for p in parts if p)


def _expand(graphs: list[str], is_alias, replacement: list[str]) -> list[str]:
    """`graphs` with each alias replaced by the graphs it stands for."""
    out: list[str] = []
    for g in graphs:
        out += replacement if is_alias(g) else [g]
    return list(dict.fromkeys(out))
