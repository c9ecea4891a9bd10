"""Signed webhooks to members on every subscribe and unsubscribe, delivered with retries.

A member syncing its own newsletter tool must learn of every unsubscribe (CASL gives the
sender 10 business days). Each event waits in the system area until the member's receiver
answers 2xx; until then it is retried with backoff and shown on the member's page as not
acknowledged. The body is JSON; `X-Datacommons-Signature: t=<unix time>,v1=<hex>` is an
HMAC-SHA256 with the list's webhook secret over `<t>.<body>`, so a receiver can check it came
from the commons and is not a replay of an old one.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from datetime import datetime

from .mail.outbox import CLAIM, backoff
from .tables import Tables, now, stamp

SCHEMA = """
CREATE TABLE IF NOT EXISTS webhook_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    list TEXT NOT NULL,
    event TEXT NOT NULL,
    payload TEXT NOT NULL,
    created TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt TEXT NOT NULL,
    delivered TEXT,
    failed TEXT,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS webhook_due ON webhook_events (next_attempt) WHERE delivered IS NULL AND failed IS NULL;
"""

MAX_ATTEMPTS = 12
HEADER = "X-Datacommons-Signature"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(secret: str, header: str, body: bytes) -> bool:
    """What a receiver does (and what the tests' receiver does)."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        expected = signature(secret, int(parts["t"]), body)
    except (KeyError, ValueError):
        return False
    return hmac.compare_digest(expected, header)


class Webhooks:
    def __init__(self, tables: Tables, lists) -> None:
        tables.db.executescript(SCHEMA)
        self._t = tables
        self._lists = lists

    def enqueue(self, list_key: str, event: str, data: dict, db=None) -> None:
        """Queue an event if the list has a webhook (`db`: the caller's transaction)."""
        lst = self._lists.by_key(list_key)
        if lst is None or not lst.webhook_url:
            return
        payload = {"event": event, "list": list_key, "at": stamp(), **data}
        (db or self._t).execute(
            "INSERT INTO webhook_events (list, event, payload, created, next_attempt) VALUES (?, ?, ?, ?, ?)",
            (list_key, event, json.dumps(payload, sort_keys=True), stamp(), stamp()),
        )

    def deliver_due(self, at: datetime | None = None, timeout: float = 10) -> int:
        when = at or now()
        due = self._t.all(
            "SELECT id, list, payload, attempts FROM webhook_events WHERE delivered IS NULL "
            "AND failed IS NULL AND next_attempt <= ? ORDER BY id", (stamp(when),),
        )
        delivered = 0
        for row in due:
            claimed = self._t.execute(  # another worker may have read the same due list
                "UPDATE webhook_events SET next_attempt = ? WHERE id = ? AND delivered IS NULL "
                "AND failed IS NULL AND next_attempt <= ?",
                (stamp(when + CLAIM), row["id"], stamp(when)))
            if claimed.rowcount != 1:
                continue
            lst = self._lists.by_key(row["list"])
            if lst is None or not lst.webhook_url:
                self._t.execute("UPDATE webhook_events SET failed = ?, last_error = ? WHERE id = ?",
                                (stamp(when), "the list or its webhook was removed", row["id"]))
                continue
            body = row["payload"].encode()
            request = urllib.request.Request(lst.webhook_url, data=body, method="POST", headers={
                "Content-Type": "application/json", "User-Agent": "datacommons-webhooks",
                HEADER: signature(lst.webhook_secret or "", int(when.timestamp()), body),
            })
            try:
                with urllib.request.urlopen(request, timeout=timeout) as reply:
                    ok = 200 <= reply.status < 300
                    error = None if ok else f"HTTP {reply.status}"
            except urllib.error.HTTPError as e:
                ok, error = False, f"HTTP {e.code}"
            except (urllib.error.URLError, OSError) as e:
                ok, error = False, f"{type(e).__name__}: {e}"
            if ok:
                # delivered: the address it carried need not be kept any longer
                self._t.execute("UPDATE webhook_events SET delivered = ?, attempts = attempts + 1, "
                                "payload = '{}' WHERE id = ?", (stamp(), row["id"]))
                delivered += 1
                continue
            attempts = row["attempts"] + 1
            self._t.execute(
                "UPDATE webhook_events SET attempts = ?, next_attempt = ?, last_error = ?, failed = ? WHERE id = ?",
                (attempts, stamp(when + backoff(attempts)), (error or "")[:500],
                 stamp(when) if attempts >= MAX_ATTEMPTS else None, row["id"]),
            )
        return delivered

    def unacknowledged(self, member: str, event: str = "unsubscribe") -> list[dict]:
        """The member's events its receiver has not acknowledged yet (oldest first)."""
        rows = self._t.all(
            "SELECT id, list, payload, created, attempts, last_error, failed FROM webhook_events "
            "WHERE delivered IS NULL AND event = ? AND list LIKE ? ORDER BY id",
            (event, member + "/%"),  # member ids are slugs: no LIKE wildcards
        )
        return [{**json.loads(r["payload"]), "created": r["created"], "attempts": r["attempts"],
                 "last_error": r["last_error"], "gave_up": r["failed"]} for r in rows]

    def events(self, list_key: str) -> list[dict]:
        rows = self._t.all("SELECT event, created, delivered, attempts FROM webhook_events WHERE list = ? ORDER BY id",
                           (list_key,))
        return [dict(r) for r in rows]
