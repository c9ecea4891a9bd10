"""Tables of the system area beside `System`'s own: mailing lists, subscriptions, the consent
log, the mail outbox and webhook deliveries.

They live in the same SQLite file as accounts and tokens (`system.sqlite3`), so no SPARQL
query, dump or page can read them, and a backup of the store folder keeps them. Each `Tables`
has its own connection: writes are serialised by its lock (and by SQLite between processes:
the command line, a second web worker), reads see every committed write (WAL).
"""
from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path


def now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def stamp(when: datetime | None = None) -> str:
    """Times are stored as ISO 8601 in UTC, seconds: they sort as text."""
    return (when or now()).astimezone(timezone.utc).isoformat(timespec="seconds")


class Tables:
    """One connection to the system database, with a schema of its own applied once."""

    def __init__(self, path: Path, schema: str) -> None:
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        # erased addresses must not linger in free pages of the file
        self.db.execute("PRAGMA secure_delete=ON")
        self.db.executescript(schema)
        self.lock = threading.RLock()

    def execute(self, sql: str, params: tuple | dict = ()) -> sqlite3.Cursor:
        with self.lock:
            return self.db.execute(sql, params)

    def all(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        with self.lock:
            return self.db.execute(sql, params).fetchall()

    def one(self, sql: str, params: tuple | dict = ()) -> sqlite3.Row | None:
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

    def close(self) -> None:
        self.db.close()
