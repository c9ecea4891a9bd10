"""The system area: member organisations' accounts and API tokens.

It is a SQLite database beside the RDF store, not a graph in it, so that no SPARQL query,
however written, can ever read it. Tokens are stored as SHA-256 hashes: a token is 256 random
bits, so a fast hash is enough and a leaked database reveals no usable token.
"""
from __future__ import annotations

import hashlib
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from .sidestore import SideStore

SCHEMA = """
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS members (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, homepage TEXT, created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
    hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('member', 'admin')),
    member TEXT REFERENCES members(id),
    label TEXT NOT NULL,
    created TEXT NOT NULL,
    revoked TEXT
);
CREATE TABLE IF NOT EXISTS sessions (
    hash TEXT PRIMARY KEY,
    token TEXT NOT NULL,
    created TEXT NOT NULL,
    ended TEXT
);
"""
# A browser's sign-in lasts at most this long (the cookie itself ends with the browser session).
SESSION_LIFETIME = timedelta(days=7)

TOKEN_PREFIX = "dct_"


class SystemError_(Exception):
    """A system-area operation was refused (unknown member, duplicate id...)."""


@dataclass(frozen=True)
class Member:
    id: str
    name: str
    homepage: str | None


@dataclass(frozen=True)
class TokenOwner:
    kind: str  # "member" or "admin"
    member: str | None
    label: str


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class System:
    """Accounts and tokens; safe to share between threads.

    Writes go through one connection, one at a time. The reads every request makes (the store
    version, the members) go through a connection of the reading thread's own (WAL: readers
    never wait for each other nor for a writer): on one shared connection behind a lock, each
    read gave up the GIL while holding the lock, and a server's threads queued on it."""

    def __init__(self, path: Path) -> None:
        self._store = SideStore(path, SCHEMA)
        self._db, self._lock = self._store.db, self._store.lock

    def close(self) -> None:
        self._store.close()

    def _reader(self) -> sqlite3.Connection:
        return self._store.reader()

    # settings
    def setting(self, key: str) -> str | None:
        row = self._reader().execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def bump(self, key: str) -> int:
        """Add one to a counting setting, atomically even between processes; the new value."""
        with self._lock:
            row = self._db.execute(
                "INSERT INTO settings (key, value) VALUES (?, '1') ON CONFLICT(key) DO UPDATE "
                "SET value = CAST(value AS INTEGER) + 1 RETURNING value",
                (key,),
            ).fetchone()
        return int(row[0])

    def set_setting(self, key: str, value: str) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def set_settings(self, values: dict[str, str], remove: tuple[str, ...] = ()) -> None:
        """Set and remove settings in one transaction: a crash leaves all of it or none."""
        with self._store.transaction() as db:
            db.executemany(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value", list(values.items()))
            db.executemany("DELETE FROM settings WHERE key = ?", [(k,) for k in remove])

    # members
    def add_member(self, member: str, name: str, homepage: str | None = None) -> None:
        with self._lock:
            try:
                self._db.execute(
                    "INSERT INTO members (id, name, homepage, created) VALUES (?, ?, ?, ?)",
                    (member, name, homepage, _now()),
                )
            except sqlite3.IntegrityError:
                raise SystemError_(f"member {member!r} already exists") from None

    def members(self) -> tuple[Member, ...]:
        """The members, read again whenever another connection (the writing one, another
        process: the command line, a second web worker) changed the database."""
        return self._store.fresh("members", lambda reader: tuple(
            Member(*row) for row in reader.execute("SELECT id, name, homepage FROM members ORDER BY id")))

    def member(self, member: str) -> Member | None:
        return next((m for m in self.members() if m.id == member), None)

    # tokens
    def issue_token(self, kind: str, member: str | None, label: str) -> str:
        """Make a new token and keep only its hash; the caller shows the token once."""
        if kind == "member" and self.member(member or "") is None:
            raise SystemError_(f"no member {member!r}")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self._lock:
            self._db.execute(
                "INSERT INTO tokens (hash, kind, member, label, created) VALUES (?, ?, ?, ?, ?)",
                (hash_token(token), kind, member, label, _now()),
            )
        return token

    def owner_of(self, token: str) -> TokenOwner | None:
        with self._lock:
            row = self._db.execute(
                "SELECT kind, member, label FROM tokens WHERE hash = ? AND revoked IS NULL",
                (hash_token(token),),
            ).fetchone()
        return TokenOwner(*row) if row else None

    def revoke_tokens(self, member: str) -> int:
        with self._lock:
            cursor = self._db.execute(
                "UPDATE tokens SET revoked = ? WHERE member = ? AND revoked IS NULL",
                (_now(), member),
            )
        return cursor.rowcount

    # browser sessions: the cookie carries a random session id, never the API token; the
    # id is kept here as a hash (like tokens) and stands for the token it was opened with
    def open_session(self, token: str) -> str:
        """A new session for a valid token; returns the session id to put in the cookie."""
        if self.owner_of(token) is None:
            raise SystemError_("the token is unknown or has been revoked")
        session_id = secrets.token_urlsafe(32)
        with self._lock:
            self._db.execute(
                "INSERT INTO sessions (hash, token, created) VALUES (?, ?, ?)",
                (hash_token(session_id), hash_token(token), _now()),
            )
        return session_id

    def session_owner(self, session_id: str) -> TokenOwner | None:
        """Who a session stands for; None once it was ended (sign-out), it expired, or its
        token was revoked."""
        oldest = (datetime.now(timezone.utc) - SESSION_LIFETIME).isoformat(timespec="seconds")
        with self._lock:
            row = self._db.execute(
                "SELECT t.kind, t.member, t.label FROM sessions s JOIN tokens t ON t.hash = s.token "
                "WHERE s.hash = ? AND s.ended IS NULL AND s.created >= ? AND t.revoked IS NULL",
                (hash_token(session_id), oldest),
            ).fetchone()
        return TokenOwner(*row) if row else None

    def end_session(self, session_id: str) -> None:
        with self._lock:
            self._db.execute("UPDATE sessions SET ended = ? WHERE hash = ? AND ended IS NULL",
                             (_now(), hash_token(session_id)))
