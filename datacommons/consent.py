"""The consent log: what a person was asked, what they answered, when, and from where.

It is kept to prove express consent (CASL section 10, GDPR article 7(1)) and to answer a
person's request to see their data. The log is append-only: SQLite triggers refuse every
UPDATE and DELETE, whoever asks. A person appears in it only as a keyed HMAC of their
normalised address (the key is in the system area, never published): erasure removes the
address everywhere else and leaves the log able to prove past consent for whoever shows the
address again, while a dictionary of addresses cannot reverse it without the key.

Network addresses are kept as `consent_ip` says: `kept`, `truncated` (IPv4 to /24, IPv6 to
/48: enough to show a network, not a household) or `none`.
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
from dataclasses import dataclass

from .tables import Tables, stamp

SCHEMA = """
CREATE TABLE IF NOT EXISTS consent_wordings (
    hash TEXT PRIMARY KEY,
    text TEXT NOT NULL,
    first_shown TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS consent_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    event TEXT NOT NULL CHECK (event IN
        ('subscribe', 'confirm', 'resubscribe', 'unsubscribe', 'suppress', 'erase')),
    person TEXT NOT NULL,
    list TEXT,
    source TEXT,
    wording TEXT REFERENCES consent_wordings(hash),
    ip TEXT,
    request INTEGER
);
CREATE INDEX IF NOT EXISTS consent_log_person ON consent_log (person);
CREATE TRIGGER IF NOT EXISTS consent_log_no_update BEFORE UPDATE ON consent_log
BEGIN SELECT RAISE(ABORT, 'the consent log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS consent_log_no_delete BEFORE DELETE ON consent_log
BEGIN SELECT RAISE(ABORT, 'the consent log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS consent_wordings_no_update BEFORE UPDATE ON consent_wordings
BEGIN SELECT RAISE(ABORT, 'consent wordings are kept as shown'); END;
CREATE TRIGGER IF NOT EXISTS consent_wordings_no_delete BEFORE DELETE ON consent_wordings
BEGIN SELECT RAISE(ABORT, 'consent wordings are kept as shown'); END;
"""

IP_MODES = ("kept", "truncated", "none")


@dataclass(frozen=True)
class Entry:
    seq: int
    at: str
    event: str
    list: str | None
    source: str | None
    wording: str | None
    ip: str | None
    request: int | None


def wording_hash(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def keep_ip(address: str | None, mode: str) -> str | None:
    """The network address as the configuration says to keep it."""
    if not address or mode == "none":
        return None
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    if mode == "kept":
        return str(ip)
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


class ConsentLog:
    def __init__(self, tables: Tables, key: bytes, ip_mode: str = "truncated") -> None:
        if ip_mode not in IP_MODES:
            raise ValueError(f"consent_ip {ip_mode!r} must be one of {', '.join(IP_MODES)}")
        tables.db.executescript(SCHEMA)
        self._t = tables
        self._key = key
        self.ip_mode = ip_mode

    def person(self, address: str) -> str:
        """The keyed HMAC that stands for a normalised address in the log and on the
        suppression list (never a plain hash: one of every address is easy to compute)."""
        return hmac.new(self._key, address.encode("utf-8"), hashlib.sha256).hexdigest()

    def wording(self, text: str, db=None) -> str:
        """Keep the exact text shown (once per version); its hash names it in the log."""
        digest = wording_hash(text)
        (db or self._t).execute(
            "INSERT OR IGNORE INTO consent_wordings (hash, text, first_shown) VALUES (?, ?, ?)",
            (digest, text, stamp()),
        )
        return digest

    def append(self, event: str, address: str, *, list_key: str | None = None, source: str | None = None,
               wording: str | None = None, ip: str | None = None, request: int | None = None,
               db=None) -> None:
        (db or self._t).execute(
            "INSERT INTO consent_log (at, event, person, list, source, wording, ip, request) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (stamp(), event, self.person(address), list_key, source, wording,
             keep_ip(ip, self.ip_mode), request),
        )

    def entries(self, address: str) -> list[Entry]:
        rows = self._t.all(
            "SELECT seq, at, event, list, source, wording, ip, request FROM consent_log "
            "WHERE person = ? ORDER BY seq", (self.person(address),),
        )
        return [Entry(*r) for r in rows]

    def wording_text(self, digest: str) -> str | None:
        row = self._t.one("SELECT text FROM consent_wordings WHERE hash = ?", (digest,))
        return row[0] if row else None

    def receipt(self, address: str, signer) -> dict:
        """A person's consent record as a signed JSON receipt: every entry, the wordings they
        were shown, and a signature over both that the commons can check later."""
        entries = self.entries(address)
        wordings = {e.wording: self.wording_text(e.wording) for e in entries if e.wording}
        record = {
            "address": address,
            "issued": stamp(),
            "entries": [e.__dict__ for e in entries],
            "wordings": wordings,
        }
        body = canonical(record)
        return {"receipt": record, "signature": signer.signature(body)}


def canonical(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
