"""Tables of the system area beside `System`'s own: mailing lists, subscriptions, the consent
log, the mail outbox and webhook deliveries.

They live in the same SQLite file as accounts and tokens (`system.sqlite3`), so no SPARQL
query, dump or page can read them, and a backup of the store folder keeps them. Each `Tables`
has its own connection: writes are serialised by its lock (and by SQLite between processes:
the command line, a second web worker), reads see every committed write (WAL).
"""
from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from .sidestore import SideStore


def now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def stamp(when: datetime | None = None) -> str:
    """Times are stored as ISO 8601 in UTC, seconds: they sort as text."""
    return (when or now()).astimezone(timezone.utc).isoformat(timespec="seconds")


class Tables(SideStore):
    """The system database (`system.sqlite3`), with a schema of its own applied once; rows
    read by column name, foreign keys enforced."""

    def __init__(self, path: Path, schema: str) -> None:
        # erased addresses must not linger in free pages of the file (secure_delete)
        super().__init__(path, schema, pragmas=("foreign_keys=ON", "secure_delete=ON"), rows_by_name=True)

    def all(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        return self.rows(sql, params)
