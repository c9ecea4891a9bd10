"""Which RDF store holds the commons' data, chosen by configuration (`backend`).

- `embedded`: pyoxigraph in the store folder. One process opens it; queries from outside run in
  reader processes over snapshots (`querypool`).
- `sparql`: an external SPARQL 1.1 store (Oxigraph server, Apache Jena Fuseki, Virtuoso, ...)
  reached over the SPARQL Protocol and the Graph Store Protocol (`sparqlstore`). The store
  folder keeps only the system database (accounts, settings, matching state), so several web
  workers sharing that folder serve from one store at once.
- `oxigraph-server`: like `sparql`, against an Oxigraph server this process starts on the store
  folder and stops when it closes; for tests and for trying the remote path on one machine.
- `virtuoso`: the same with a Virtuoso Open Source server (`virtuoso-t`) this process starts
  on a database in the store folder (`remote.virtuoso`), spoken to with Digest authentication.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import Store

from .config import Config
from .remote.virtuoso import ManagedVirtuoso
from .sparqlstore import Endpoints, ManagedOxigraph, SparqlStore

BACKENDS = ("embedded", "sparql", "oxigraph-server", "virtuoso")
DEFAULT_BASE = "http://localhost:8080"


class BackendError(Exception):
    """The configured store cannot be used as configured."""


@dataclass
class OpenedStore:
    store: Store | SparqlStore | None
    embedded: bool
    server: ManagedOxigraph | ManagedVirtuoso | None = None

    def close(self) -> None:
        if isinstance(self.store, SparqlStore):
            self.store.close()
        if self.server is not None:
            self.server.stop()
        self.store = None  # the last reference: RocksDB releases its lock


def embedded_location(folder: Path) -> Path:
    """Where the embedded store keeps its files in the store folder."""
    return folder / "oxigraph"


def open_store(folder: Path, config: Config, base: str | None = None) -> OpenedStore:
    """The store `config` names; `base` is the commons' base IRI, under which blank nodes
    sent to a remote store are skolemised (`remote.terms`)."""
    base = base or config.base or DEFAULT_BASE
    if config.backend == "embedded":
        return OpenedStore(Store(str(embedded_location(folder))), embedded=True)
    if config.backend == "oxigraph-server":
        # No --timeout-s: Oxigraph server 0.5 keeps a thread per query alive for the whole
        # timeout, and the commons asks many small queries (an import of 3,000 records, about
        # 18,000), so within 30 s it reached Linux's limit of about 8,000 threads (65,530
        # memory maps) and answered 500 "Resource temporarily unavailable". The commons still
        # gives up waiting at its own query timeout (SparqlStore.with_timeout).
        server = ManagedOxigraph(folder / "oxigraph-server")
        return _one_commons(OpenedStore(SparqlStore(server.endpoints, base=base), embedded=False, server=server), base)
    if config.backend == "virtuoso":
        server = ManagedVirtuoso(folder / "virtuoso")
        return _one_commons(OpenedStore(SparqlStore(server.endpoints, base=base), embedded=False, server=server), base)
    if config.backend == "sparql":
        return _one_commons(OpenedStore(SparqlStore(endpoints(config), base=base), embedded=False), base)
    raise BackendError(f"backend {config.backend!r} is not one of {', '.join(BACKENDS)}")


def _one_commons(opened: OpenedStore, base: str) -> OpenedStore:
    """A remote store holds one commons: every graph the commons writes is under its base, so
    a graph under another base (another commons on the same Virtuoso, whose writes and ours
    would overwrite each other's) means this store is not ours to open."""
    prefix = base.rstrip("/") + "/"
    try:
        foreign = next((g.value for g in opened.store.named_graphs() if not g.value.startswith(prefix)), None)
    except BaseException:
        opened.close()
        raise
    if foreign is not None:
        opened.close()
        raise BackendError(
            f"the SPARQL store already holds <{foreign}>, which is not under this commons' base "
            f"{base}: a store holds one commons (give this one a database or a store of its own)"
        )
    return opened


def endpoints(config: Config) -> Endpoints:
    """The remote store's endpoints from the configuration: `sparql_url` (an Oxigraph server's
    root) gives all three; the separate URLs override it one by one."""
    root = Endpoints.oxigraph(config.sparql_url) if config.sparql_url else None
    query = config.sparql_query_url or (root and root.query)
    update = config.sparql_update_url or (root and root.update)
    graph_store = config.graph_store_url or (root and root.graph_store)
    missing = [
        name
        for name, value in (
            ("DATACOMMONS_SPARQL_QUERY_URL", query),
            ("DATACOMMONS_SPARQL_UPDATE_URL", update),
            ("DATACOMMONS_GRAPH_STORE_URL", graph_store),
        )
        if not value
    ]
    if missing:
        raise BackendError(
            "the sparql backend needs the store's endpoints: set DATACOMMONS_SPARQL_URL (an "
            f"Oxigraph server's root) or {', '.join(missing)}"
        )
    return Endpoints(query, update, graph_store, config.sparql_user, config.sparql_password)
