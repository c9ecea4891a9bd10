"""The side stores: the SQLite databases beside the RDF store, in the store folder, that hold
the system area (accounts and tokens, import previews and history, reconciliation state,
opt-in tables, import memory).

They are databases, not graphs, so that no SPARQL query, dump or page can ever read them.
This module is the one place that knows their files and how they are opened: write-ahead log
(readers never wait for a writer), the schema applied once, one writer connection behind a
lock (SQLite serialises writers between processes: the command line, a second web worker),
`BEGIN IMMEDIATE` transactions, readers of each thread's own, change detection by
`PRAGMA data_version`, and one open database per `Commons` (`side_store`).
"""
from __future__ import annotations

import sqlite3
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

# Each side store's file in the store folder.
FILES = {
    "system": "system.sqlite3",
    "imports": "imports.sqlite3",
    "reconcile": "reconcile.sqlite3",
    "import-state": "import-state.sqlite3",
}


class SideStore:
    """One side-store database; safe to share between threads.

    Writes (and the reads a writer must see at once) go through one connection, one at a
    time, under `lock`; `reader()` gives each thread a connection of its own for the reads
    every request makes, so that server threads do not queue on one lock."""

    def __init__(self, path: Path, schema: str, *, pragmas: Iterable[str] = (),
                 rows_by_name: bool = False, columns: dict[str, dict[str, str]] | None = None) -> None:
        self.path = path
        self._pragmas = ("journal_mode=WAL", *pragmas)
        self._rows_by_name = rows_by_name
        self.db = self._connect(check_same_thread=False)
        self.db.executescript(schema)
        for table, wanted in (columns or {}).items():
            self._add_missing_columns(table, wanted)
        self.lock = threading.RLock()
        self._local = threading.local()

    def _connect(self, **options: Any) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, isolation_level=None, timeout=30, **options)
        if self._rows_by_name:
            db.row_factory = sqlite3.Row
        for pragma in self._pragmas:
            db.execute(f"PRAGMA {pragma}")
        return db

    def _add_missing_columns(self, table: str, wanted: dict[str, str]) -> None:
        """The additive migration: a column a newer version added, on a store an older made."""
        have = {row[1] for row in self.db.execute(f"PRAGMA table_info({table})")}
        for column, declaration in wanted.items():
            if column not in have:
                self.db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")

    def close(self) -> None:
        reader = getattr(self._local, "db", None)
        if reader is not None:
            reader.close()
            self._local.db = None
        self.db.close()

    # --- the writer ------------------------------------------------------------------------
    def execute(self, sql: str, params: tuple | dict = ()) -> sqlite3.Cursor:
        with self.lock:
            return self.db.execute(sql, params)

    def rows(self, sql: str, params: Iterable | dict = ()) -> list:
        with self.lock:
            return self.db.execute(sql, params if isinstance(params, dict) else tuple(params)).fetchall()

    def one(self, sql: str, params: tuple | dict = ()) -> Any:
        with self.lock:
            return self.db.execute(sql, params).fetchone()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Several statements that happen together or not at all."""
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    # --- this thread's reader ----------------------------------------------------------------
    def reader(self) -> sqlite3.Connection:
        reader = getattr(self._local, "db", None)
        if reader is None:
            reader = self._local.db = self._connect()
            self._local.fresh = {}
        return reader

    def fresh(self, key: str, load: Callable[[sqlite3.Connection], T]) -> T:
        """`load(reader)`, kept by this thread and loaded again only once anyone (this
        process's writer, another process) committed since (`PRAGMA data_version`)."""
        reader = self.reader()
        version = reader.execute("PRAGMA data_version").fetchone()[0]
        kept = self._local.fresh.get(key)
        if kept is None or kept[0] != version:
            kept = self._local.fresh[key] = (version, load(reader))
        return kept[1]


_OPEN: "weakref.WeakKeyDictionary[object, dict[str, Any]]" = weakref.WeakKeyDictionary()
_GUARD = threading.Lock()


def side_store(commons: Any, name: str, make: Callable[[Path], T]) -> T:
    """The commons' side store `name` (one of `FILES`), opened once per `Commons` with `make`
    (given its file) and kept while the commons lives."""
    return per_commons(commons, name, lambda: make(Path(commons.path) / FILES[name]))


def per_commons(commons: Any, key: str, make: Callable[[], T]) -> T:
    """One object per `Commons` and key (a side store, a lock), made on first use."""
    with _GUARD:
        held = _OPEN.setdefault(commons, {})
        if key not in held:
            held[key] = make()
        return held[key]
