"""An external SPARQL 1.1 store, spoken to over the SPARQL Protocol and the Graph Store Protocol.

`SparqlStore` offers the part of pyoxigraph's `Store` interface that `Commons` uses (query,
quads_for_pattern, named_graphs, contains_named_graph, update, extend, remove_graph, flush), so
the application above it is the same whichever store holds the data:

- queries go to the query endpoint with the dataset as protocol parameters
  (`default-graph-uri`, `named-graph-uri`) and written into the text in place of the query's
  own FROM/FROM NAMED (`remote.dataset`), never left to the store's default: an empty part of
  the allowed dataset is one graph that never exists, so it reads nothing;
- every write is one SPARQL Update request, which Oxigraph, Fuseki (TDB2) and Virtuoso each
  apply as one transaction;
- whole graphs are read with the Graph Store Protocol (GET ?graph=...).

`ManagedOxigraph` starts an Oxigraph server of our own on a folder, for tests and for trying the
remote backend on one machine.
"""
from __future__ import annotations

import copy
import shutil
import socket
import subprocess
import sys
import time
import weakref
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import urllib3
from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    NamedNode,
    Quad,
    QueryResultsFormat,
    RdfFormat,
    Variable,
    parse,
    parse_query_results,
)

from .querycheck import _positioned
from .remote.auth import HttpAuth
from .remote.dataset import dataset_of, query_form, with_dataset
from .remote.terms import Skolem

RESULTS_JSON = "application/sparql-results+json"
# Graphs an engine keeps for itself (Virtuoso's), never the commons'.
_ENGINE_GRAPHS = (
    "http://www.openlinksw.com/", "http://localhost:8890/", "http://localuriqaserver/", "http://www.w3.org/ns/ldp#",
)
# Triples per INSERT DATA/DELETE DATA operation: Virtuoso parses no block over ~1,200-1,500.
DATA_BLOCK = 1000
N_TRIPLES = "application/n-triples"


class RemoteStoreError(OSError):
    """The SPARQL store did not answer, or answered with an error."""


class RemoteTimeout(Exception):
    """The SPARQL store did not answer within the time allowed (not an OSError: a query that
    ran too long is the caller's to report, not a failure of the store)."""


@dataclass(frozen=True)
class Endpoints:
    """Where the store listens: its query and update endpoints and its Graph Store Protocol
    endpoint, and how to log in (HTTP basic authentication) if it asks."""

    query: str
    update: str
    graph_store: str
    user: str | None = None
    password: str | None = None

    @classmethod
    def oxigraph(cls, root: str) -> "Endpoints":
        root = root.rstrip("/")
        return cls(f"{root}/query", f"{root}/update", f"{root}/store")


class SparqlStore:
    def __init__(
        self, endpoints: Endpoints, timeout: float | None = 300.0, base: str = "http://localhost:8080"
    ) -> None:
        self.endpoints = endpoints
        self.timeout = timeout
        self._http = urllib3.PoolManager(maxsize=16, retries=False)
        self.skolem = Skolem(base)
        # HTTP authentication: Basic is sent up front; a server that challenges for Digest
        # (Virtuoso's /sparql-auth) is answered, and asked in Digest from then on.
        self._auth = HttpAuth(endpoints.user, endpoints.password) if endpoints.user else None
        self._virtuoso: bool | None = None  # known from the first answer's Server header
        # Queries from outside are checked on their parsed text before they leave
        # (`remote.dataset`); the commons' own queries only when they could name a dataset.
        self.outside = False

    def with_timeout(self, seconds: float) -> "SparqlStore":
        """The same store (same connections) with requests stopped after `seconds`."""
        other = copy.copy(self)
        other.timeout = seconds
        return other

    # --- reads -----------------------------------------------------------------------------
    def query(
        self,
        query: str,
        *,
        base_iri: str | None = None,
        default_graph: Iterable[NamedNode] | None = None,
        named_graphs: Iterable[NamedNode] | None = None,
        substitutions: Mapping[Variable, object] | None = None,
    ):
        """Run a query over exactly the dataset given; answers as pyoxigraph's `Store.query`
        does (solutions, a boolean, or an iterator of triples)."""
        if substitutions:
            query = bind_variables(query, {v: self.skolem.term(t) for v, t in substitutions.items()})
        default, named = dataset_of(
            [g.value for g in default_graph or ()], [g.value for g in named_graphs or ()]
        )
        # In the text too, replacing the query's own FROM/FROM NAMED: some engines (Virtuoso)
        # merge the protocol's dataset with the query's instead of replacing it.
        query = with_dataset(query, default, named, parse=self.outside)
        fields = [("query", query)]
        fields += [("default-graph-uri", g) for g in default]
        fields += [("named-graph-uri", g) for g in named]
        response = self._request(
            "POST",
            self.endpoints.query,
            fields=fields,
            # Only what the form answers: Virtuoso sends a CONSTRUCT as results JSON if it may.
            accept=N_TRIPLES if query_form(query) in ("CONSTRUCT", "DESCRIBE") else RESULTS_JSON,
        )
        media = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if media == N_TRIPLES or media == "text/plain":
            data = self.skolem.ntriples(response.data)
            return iter(parse(data, format=RdfFormat.N_TRIPLES, base_iri=base_iri))
        return parse_query_results(self.skolem.results_json(response.data), format=QueryResultsFormat.JSON)

    def quads_for_pattern(self, subject=None, predicate=None, object=None, graph_name=None) -> Iterator[Quad]:
        if isinstance(graph_name, DefaultGraph):
            return iter(())  # the commons writes only to named graphs
        if graph_name is not None and subject is None and predicate is None and object is None:
            return iter(self._graph(graph_name))
        terms = {"s": subject, "p": predicate, "o": object, "g": graph_name}
        for name, term in terms.items():
            if isinstance(term, BlankNode):
                raise ValueError(f"a blank node cannot be looked up in a remote store ({name})")
        bound = {name: term for name, term in terms.items() if term is not None}
        text = "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"
        solutions = self.query(
            text,
            default_graph=[],
            named_graphs=[graph_name] if graph_name is not None else None,
            substitutions={Variable(n): t for n, t in bound.items()},
        ) if graph_name is not None else self._all_graphs(text, bound)
        return (
            Quad(
                bound.get("s") or s["s"], bound.get("p") or s["p"],
                bound.get("o") or s["o"], bound.get("g") or s["g"],
            )
            for s in solutions
        )

    def _all_graphs(self, text: str, bound: dict):
        """A pattern over every named graph: the store's own dataset (no dataset parameters),
        used only by the commons itself, never for a query from outside."""
        response = self._request(
            "POST",
            self.endpoints.query,
            fields=[("query", bind_variables(text, {Variable(n): t for n, t in bound.items()}))],
            accept=RESULTS_JSON,
        )
        return parse_query_results(self.skolem.results_json(response.data), format=QueryResultsFormat.JSON)

    def _graph(self, graph: NamedNode) -> list[Quad]:
        response = self._request(
            "GET", self.endpoints.graph_store, fields=[("graph", graph.value)], accept=N_TRIPLES,
            missing_ok=True,
        )
        if response.status == 404:
            return []
        data = self.skolem.ntriples(response.data)
        return [Quad(t.subject, t.predicate, t.object, graph) for t in parse(data, format=RdfFormat.N_TRIPLES)]

    # Graph discovery asks for a triple in the graph: `GRAPH ?g {}` finds no graph on
    # Virtuoso and `ASK { GRAPH <never> {} }` is true there. Virtuoso's own system graphs
    # (virtrdf, its service description) are not the commons' and are left out.
    def named_graphs(self) -> Iterator[NamedNode]:
        solutions = self._all_graphs("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", {})
        return (
            s["g"] for s in solutions
            if isinstance(s["g"], NamedNode) and not s["g"].value.startswith(_ENGINE_GRAPHS)
        )

    def contains_named_graph(self, graph: NamedNode) -> bool:
        response = self._request(
            "POST", self.endpoints.query,
            fields=[("query", f"SELECT ?s WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }} LIMIT 1")],
            accept=RESULTS_JSON,
        )
        return any(True for _ in parse_query_results(self.skolem.results_json(response.data), format=QueryResultsFormat.JSON))

    # --- writes ----------------------------------------------------------------------------
    def update(self, update: str, base_iri: str | None = None) -> None:
        """One SPARQL Update request: one transaction in the store."""
        update = self.skolem.update_text(update)
        if self.is_virtuoso():
            # Without it, a data block over ~1,200 triples is refused (SP031) or runs for minutes.
            update = f"define sql:big-data-const 1\n{update}"
        self._request(
            "POST", self.endpoints.update, body=update.encode("utf-8"),
            content_type="application/sparql-update",
        )

    def is_virtuoso(self) -> bool:
        """Whether the store is Virtuoso (its Server header says so), asked once."""
        if self._virtuoso is None:
            response = self._request("POST", self.endpoints.query, fields=[("query", "ASK {}")], accept=RESULTS_JSON)
            self._virtuoso = response.headers.get("Server", "").startswith("Virtuoso")
        return self._virtuoso

    def extend(self, quads: Iterable[Quad]) -> None:
        """Add quads in one request (one transaction)."""
        text = data_update("INSERT DATA", quads)
        if text:
            self.update(text)

    bulk_extend = extend

    def add_graph(self, graph: NamedNode) -> None:
        self.update(f"CREATE SILENT GRAPH {graph}")

    def remove_graph(self, graph: NamedNode) -> None:
        self.update(f"DROP SILENT GRAPH {graph}")

    def flush(self) -> None:
        """Nothing is buffered here: every write was one request, answered when done."""

    def close(self) -> None:
        self._http.clear()

    def backup(self, path: str) -> None:
        raise RemoteStoreError(
            "a remote SPARQL store has no snapshots here; back it up with the store's own tools"
        )

    # --- HTTP ------------------------------------------------------------------------------
    def _request(
        self,
        method: str,
        url: str,
        *,
        fields: list[tuple[str, str]] | None = None,
        body: bytes | str | None = None,
        content_type: str | None = None,
        accept: str | None = None,
        missing_ok: bool = False,
    ) -> urllib3.BaseHTTPResponse:
        headers = {}
        if self._auth is not None:
            headers.update(self._auth.headers(method, url))
        if accept:
            headers["Accept"] = accept
        if method == "POST" and fields is not None:
            body = urlencode(fields)
            content_type = "application/x-www-form-urlencoded"
        elif fields is not None:
            url = f"{url}?{urlencode(fields)}"
        if content_type:
            headers["Content-Type"] = content_type
        timeout = urllib3.Timeout(connect=10.0, read=self.timeout) if self.timeout else None
        response = self._send(method, url, body, headers, timeout)
        if response.status == 401 and self._auth is not None and self._auth.challenged(response, method, url):
            headers.update(self._auth.headers(method, url))
            response = self._send(method, url, body, headers, timeout)
        if response.headers.get("X-SQL-State") == "S1TAT":
            # Virtuoso's timeout: a 200 with partial or no results. Never a short answer.
            raise RemoteTimeout(f"the SPARQL store at {url} stopped the query at its own time limit")
        if response.status == 404 and missing_ok:
            return response
        if response.status >= 400:
            message = response.data.decode("utf-8", "replace").strip()[:2000]
            if response.status == 400 and url != self.endpoints.graph_store:
                raise SyntaxError(message or "the SPARQL store refused the request")
            raise RemoteStoreError(f"the SPARQL store at {url} answered {response.status}: {message}")
        return response

    def _send(self, method: str, url: str, body, headers: dict, timeout) -> urllib3.BaseHTTPResponse:
        try:
            return self._http.request(method, url, body=body, headers=headers, timeout=timeout)
        except urllib3.exceptions.NewConnectionError as e:  # (a ConnectTimeoutError subclass)
            raise RemoteStoreError(f"the SPARQL store at {url} does not answer: {e}") from None
        except urllib3.exceptions.TimeoutError:
            raise RemoteTimeout(f"the SPARQL store at {url} did not answer within {self.timeout:g} s") from None
        except urllib3.exceptions.HTTPError as e:
            raise RemoteStoreError(f"the SPARQL store at {url} does not answer: {e}") from None


def data_update(verb: str, quads: Iterable[Quad]) -> str:
    """`INSERT DATA` or `DELETE DATA` of quads, grouped by graph, in operations of at most
    `DATA_BLOCK` triples (one request still: one transaction where the store has them)."""
    by_graph: dict[str, list[Quad]] = {}
    for q in quads:
        if isinstance(q.graph_name, DefaultGraph):
            raise ValueError("the commons writes only to named graphs")
        by_graph.setdefault(str(q.graph_name), []).append(q)
    operations = []
    for g, qs in by_graph.items():
        for block in _blocks(qs):
            operations.append(f"{verb} {{\nGRAPH {g} {{\n" + "\n".join(block) + "\n}\n}")
    return " ;\n".join(operations)


def _blocks(quads: list[Quad]) -> Iterator[list[str]]:
    """Triples in blocks of about `DATA_BLOCK`, every blank node's triples in one block: a blank
    node label is scoped to one operation, so splitting its triples would make two nodes (and
    SPARQL refuses a label shared by two blocks). Remote stores see no blank nodes (skolemised);
    the vocabulary's OWL lists on the embedded store do."""
    parent: dict[str, str] = {}

    def root(b: str) -> str:
        while parent.setdefault(b, b) != b:
            parent[b] = parent[parent[b]]
            b = parent[b]
        return b

    for q in quads:
        nodes = [str(t) for t in (q.subject, q.object) if isinstance(t, BlankNode)]
        for other in nodes[1:]:
            parent[root(other)] = root(nodes[0])
    groups: dict[object, list[str]] = {}
    for i, q in enumerate(quads):
        b = q.subject if isinstance(q.subject, BlankNode) else q.object
        key = root(str(b)) if isinstance(b, BlankNode) else i
        groups.setdefault(key, []).append(f"{q.subject} {q.predicate} {q.object} .")
    block: list[str] = []
    for triples in groups.values():
        if block and len(block) + len(triples) > DATA_BLOCK:
            yield block
            block = []
        block += triples
    if block:
        yield block


def bind_variables(query: str, values: Mapping[Variable, object]) -> str:
    """The query with `values` bound from the start, as pyoxigraph's `substitutions` does:
    a VALUES block opening the query's WHERE group, so every pattern and filter of the query
    sees them. (A trailing VALUES clause would join only at the end, after the filters.)"""
    if not values:
        return query
    names = list(values)
    block = (
        "VALUES (" + " ".join(str(v) for v in names) + ") { ("
        + " ".join(str(values[v]) for v in names) + ") } "
    )
    tokens = _positioned(query)
    form = next(
        (i for i, (kind, text, _) in enumerate(tokens)
         if kind == "word" and text.upper() in ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")),
        None,
    )
    if form is None:
        raise ValueError("not a SPARQL query: no SELECT, CONSTRUCT, ASK or DESCRIBE")
    i = form + 1
    if tokens[form][1].upper() == "CONSTRUCT" and i < len(tokens) and tokens[i][1] == "{":
        depth = 0
        for i in range(i, len(tokens)):  # skip the template
            depth += {"{": 1, "}": -1}.get(tokens[i][1], 0)
            if depth == 0:
                break
        i += 1
    for kind, text, offset in tokens[i:]:
        if text == "{":
            return query[: offset + 1] + " " + block + query[offset + 1:]
    raise ValueError("the query has no WHERE group to bind variables in")


# --- an Oxigraph server of our own -------------------------------------------------------------
class _StillLocked(Exception):
    """The folder is still locked by a server that is stopping."""


class ManagedOxigraph:
    """`oxigraph serve` on a folder, on a free port of 127.0.0.1, stopped with `stop()` or
    when this process ends."""

    def __init__(self, location: Path, timeout_s: int | None = None) -> None:
        binary = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
        if not Path(binary).exists() and not shutil.which(binary):
            raise RemoteStoreError(
                "the oxigraph server is not installed: pip install oxigraph (it is in the "
                "[test] and [bench] extras)"
            )
        location.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + 15
        while True:
            self.port = _free_port()
            command = [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{self.port}"]
            if timeout_s:
                command += ["--timeout-s", str(timeout_s)]
            self.process = subprocess.Popen(
                command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=_die_with_parent
            )
            self.url = f"http://127.0.0.1:{self.port}"
            # Stopped by stop(), or when this object is collected, or when Python exits.
            self._stop = weakref.finalize(self, _stop_process, self.process)
            try:
                self._wait_ready()
                return
            except _StillLocked:
                # The server of a process that just ended is still letting go of the folder.
                if time.monotonic() > deadline:
                    raise RemoteStoreError(f"{location} stays locked by another Oxigraph server") from None
                time.sleep(0.2)

    @property
    def endpoints(self) -> Endpoints:
        return Endpoints.oxigraph(self.url)

    def _wait_ready(self, seconds: float = 30.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                error = self.process.stderr.read().decode(errors="replace")
                if "LOCK" in error and "temporarily unavailable" in error:
                    raise _StillLocked
                raise RemoteStoreError(f"oxigraph serve stopped at once: {error}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.02)
        self.stop()
        raise RemoteStoreError(f"oxigraph serve did not listen on port {self.port} within {seconds:g} s")

    def stop(self) -> None:
        self._stop()


def _stop_process(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stderr:
        process.stderr.close()


def _die_with_parent() -> None:
    """In the server's process before it starts: on Linux, ask for SIGTERM when the process
    that started it dies, however it dies (a killed process runs no atexit)."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
