"""The reader process: runs one SPARQL query (or administrator update) at a time over a
read-only snapshot of the store, and answers with the serialised result.

pyoxigraph cannot interrupt a query from Python, so a query that runs past its timeout is
stopped by killing the process that runs it (`querypool`); nothing here needs to cooperate.
This module imports only pyoxigraph (and rdflib's SPARQL parser for a query that may call
out, `servicecheck`), so a new process is ready in a fraction of a second.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from itertools import islice
from multiprocessing.connection import Connection

from pyoxigraph import (
    DefaultGraph,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Store,
    parse_query_results,
    serialize,
)

from .querycheck import QueryRefused
from .servicecheck import check


@dataclass(frozen=True)
class QueryJob:
    """A query over the given dataset (already restricted by the access decision).

    The result formats are media types chosen by content negotiation, one for results
    (SELECT, ASK) and one for graphs (CONSTRUCT, DESCRIBE); None when the client accepts
    none of that kind."""

    query: str
    default_graphs: list[str]
    named_graphs: list[str]
    results_format: str | None
    graph_format: str | None
    max_rows: int
    base_iri: str | None = None
    snapshot: str = ""
    service_allowlist: frozenset[str] = frozenset()  # SERVICE targets it may call


@dataclass(frozen=True)
class UpdateJob:
    """An administrator's update, run on a scratch copy of the workspace graphs.

    The admin graph is the update's default graph; the update sees no other graph, so
    `DROP ALL` means the workspace, never the commons."""

    update: str
    base_iri: str
    workspace: list[str]
    admin_graph: str
    snapshot: str = ""
    service_allowlist: frozenset[str] = frozenset()  # LOAD sources and SERVICE targets


@dataclass(frozen=True)
class Answer:
    body: bytes
    media_type: str
    kind: str  # "boolean", "solutions" or "graph"
    truncated: bool = False


@dataclass(frozen=True)
class WorkspaceChange:
    """What an update changed: N-Triples of each changed graph, None for a dropped one."""

    graphs: dict[str, bytes | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Failure:
    kind: str  # "syntax", "unacceptable", "refused", "memory" or "error"
    message: str


Job = QueryJob | UpdateJob
Outcome = Answer | WorkspaceChange | Failure


def cap_memory(megabytes: int) -> None:
    """Limit this process's data memory (heap and private mappings: RLIMIT_DATA, which
    leaves RocksDB's mapped files alone): a query past it fails to allocate, Oxigraph aborts,
    and the pool reports the query as out of memory instead of the machine swapping."""
    if megabytes > 0:
        import resource

        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


def main(conn: Connection) -> None:
    """Serve jobs from the parent until it closes the connection."""
    stores: dict[str, Store] = {}
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(run(job, stores))


def run(job: Job, stores: dict[str, Store]) -> Outcome:
    store = stores.get(job.snapshot)
    if store is None:
        stores.clear()  # an older snapshot: the parent deletes it once nobody reads it
        store = stores[job.snapshot] = Store.read_only(job.snapshot)
    return execute(job, store)


def execute(job: Job, store) -> Outcome:
    """Run `job` on `store`: a snapshot here, or a remote store (`remotequery`), which
    offers the same methods. SERVICE and LOAD are checked here, on the parsed text, right
    before it runs (`servicecheck`)."""
    try:
        _check_calls(job)
    except QueryRefused as e:
        return Failure("refused", str(e))
    try:
        if isinstance(job, UpdateJob):
            return _update(job, store)
        return _query(job, store)
    except SyntaxError as e:
        return Failure("syntax", str(e))
    except MemoryError:
        return Failure("memory", "the query needed more memory than one query may use here")
    except (OSError, ValueError, RuntimeError) as e:
        return Failure("error", str(e))


def _check_calls(job: Job) -> None:
    if isinstance(job, UpdateJob):
        check(job.update, "update", job.service_allowlist, job.base_iri)
    else:
        check(job.query, "query", job.service_allowlist, job.base_iri)


def _query(job: QueryJob, store: Store) -> Outcome:
    result = store.query(
        job.query,
        base_iri=job.base_iri,
        default_graph=[NamedNode(g) for g in job.default_graphs],
        named_graphs=[NamedNode(g) for g in job.named_graphs],
    )
    if isinstance(result, (QueryBoolean, QuerySolutions)):
        if job.results_format is None:
            return Failure("unacceptable", "results")
        fmt = QueryResultsFormat.from_media_type(job.results_format)
        if isinstance(result, QueryBoolean):
            return Answer(result.serialize(format=fmt), job.results_format, "boolean")
        body, truncated = _capped_solutions(result, fmt, job.max_rows)
        return Answer(body, job.results_format, "solutions", truncated)
    if job.graph_format is None:
        return Failure("unacceptable", "graph")
    triples = list(islice(result, job.max_rows + 1))
    body = serialize(triples[: job.max_rows], format=RdfFormat.from_media_type(job.graph_format))
    return Answer(body, job.graph_format, "graph", len(triples) > job.max_rows)


class _Enough(Exception):
    """Raised from inside the serialiser once the rows wanted have been written."""


class _Lines:
    """A file-like sink that keeps what is written until it holds `limit` lines."""

    def __init__(self, limit: int) -> None:
        self.data = bytearray()
        self.lines = 0
        self.limit = limit

    def write(self, chunk: bytes) -> int:
        self.data += chunk
        self.lines += chunk.count(b"\n")
        if self.lines >= self.limit:
            raise _Enough
        return len(chunk)

    def flush(self) -> None:
        """Called by the serialiser when it finishes before the limit."""


def _capped_solutions(
    solutions: QuerySolutions, fmt: QueryResultsFormat, max_rows: int
) -> tuple[bytes, bool]:
    """At most `max_rows` solutions in `fmt`, and whether there were more.

    pyoxigraph serialises a whole solution sequence and cannot serialise a list, so the
    solutions are written as TSV (exactly one line per solution, escapes included), the
    serialiser is stopped by the sink after the header and max_rows + 1 rows, and the first
    max_rows rows are parsed back and written in the format asked for. Both steps are
    pyoxigraph's own serialisers; nothing past the cap is computed."""
    sink = _Lines(max_rows + 2)
    try:
        solutions.serialize(sink, format=QueryResultsFormat.TSV)
    except _Enough:
        pass
    truncated = sink.lines > max_rows + 1
    complete_lines = bytes(sink.data).split(b"\n")[:-1]  # the last piece is "" or a part
    tsv = b"".join(line + b"\n" for line in complete_lines[: max_rows + 1])
    if fmt == QueryResultsFormat.TSV:
        return tsv, truncated
    return parse_query_results(tsv, format=QueryResultsFormat.TSV).serialize(format=fmt), truncated


def _update(job: UpdateJob, store: Store) -> Outcome:
    scratch = Store()
    before: dict[str, set] = {}
    for graph in job.workspace:
        node = NamedNode(graph)
        if graph != job.admin_graph:
            if not store.contains_named_graph(node):
                continue
            scratch.add_graph(node)
        target = DefaultGraph() if graph == job.admin_graph else node
        triples = {q.triple for q in store.quads_for_pattern(None, None, None, node)}
        scratch.extend(Quad(t.subject, t.predicate, t.object, target) for t in triples)
        before[graph] = triples
    scratch.update(job.update, base_iri=job.base_iri)

    after: dict[str, set] = {
        job.admin_graph: {q.triple for q in scratch.quads_for_pattern(None, None, None, DefaultGraph())}
    }
    for node in scratch.named_graphs():
        after[node.value] = {q.triple for q in scratch.quads_for_pattern(None, None, None, node)}
    changes: dict[str, bytes | None] = {g: None for g in before if g not in after}
    for graph, triples in after.items():
        if before.get(graph) != triples:
            changes[graph] = serialize(triples, format=RdfFormat.N_TRIPLES)
    return WorkspaceChange(changes)


if __name__ == "__main__":
    # Run the module's importable twin, so the results pickle under its real name.
    from datacommons import queryworker

    queryworker.cap_memory(int(sys.argv[2]) if len(sys.argv) > 2 else 0)
    queryworker.main(Connection(int(sys.argv[1])))
