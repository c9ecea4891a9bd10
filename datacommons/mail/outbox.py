"""The delivery queue: messages wait in the system area until the SMTP server takes them.

A message is written to the queue in the same breath as the change that asked for it, so a
restart loses nothing; delivery retries with exponential backoff (1 minute, doubling, at most
6 hours apart) and gives up after `MAX_ATTEMPTS`. Bounces the commons is told about are
recorded against the address.
"""
from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

from ..tables import Tables, now, stamp
from . import dkim as dkim_signing
from .settings import MailSettings
from .smtp import SmtpTransport

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created TEXT NOT NULL,
    recipient TEXT NOT NULL,
    message BLOB NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt TEXT NOT NULL,
    sent TEXT,
    failed TEXT,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (next_attempt) WHERE sent IS NULL AND failed IS NULL;
CREATE TABLE IF NOT EXISTS bounces (
    recipient TEXT NOT NULL,
    at TEXT NOT NULL,
    reason TEXT NOT NULL
);
"""

MAX_ATTEMPTS = 10
# CRLF line ends; header lines kept whole up to RFC 5322's 998 characters, so a long
# List-Unsubscribe URL is not folded (some receivers handle folded ones badly)
WIRE = policy.SMTP.clone(max_line_length=998)
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)
CLAIM = timedelta(minutes=10)  # a message being sent is not due again for this long


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failure."""
    return min(FIRST_RETRY * (2 ** (attempts - 1)), LONGEST_RETRY)


@dataclass(frozen=True)
class Queued:
    id: int
    recipient: str
    attempts: int
    next_attempt: str
    sent: str | None
    failed: str | None
    last_error: str | None


class Outbox:
    def __init__(self, tables: Tables, settings: MailSettings, base: str) -> None:
        tables.db.executescript(SCHEMA)
        self._t = tables
        self.settings = settings
        self.base = base

    def enqueue(self, message: EmailMessage, db=None) -> int:
        """Queue a message; `db` is the connection of a transaction the caller is in."""
        row = (db or self._t).execute(
            "INSERT INTO outbox (created, recipient, message, next_attempt) VALUES (?, ?, ?, ?)",
            (stamp(), message["To"], message.as_bytes(policy=WIRE), stamp()),
        )
        return row.lastrowid

    def queued(self) -> list[Queued]:
        rows = self._t.all("SELECT id, recipient, attempts, next_attempt, sent, failed, last_error FROM outbox ORDER BY id")
        return [Queued(*r) for r in rows]

    def deliver_due(self, transport=None, at: datetime | None = None) -> int:
        """Send every message whose time has come; the number sent. A failure is recorded
        and retried later, never raised: one bad address must not stop the others."""
        if not self.settings.configured:
            return 0
        transport = transport or SmtpTransport(self.settings)
        when = at or now()
        due = self._t.all(
            "SELECT id, recipient, message, attempts FROM outbox WHERE sent IS NULL AND failed IS NULL "
            "AND next_attempt <= ? ORDER BY id", (stamp(when),),
        )
        sent = 0
        sender = self.settings.sender(self.base)
        key = self.settings.dkim_key()
        for row in due:
            if not self._claim(row["id"], when):
                continue  # another worker (a second `serve` process) is sending it
            raw = bytes(row["message"])
            if key is not None:
                raw = dkim_signing.sign(raw, self.settings.dkim_domain, self.settings.dkim_selector, key)
            try:
                transport.send(sender, row["recipient"], raw)
            except (smtplib.SMTPException, OSError) as e:
                attempts = row["attempts"] + 1
                gave_up = attempts >= MAX_ATTEMPTS or isinstance(e, smtplib.SMTPRecipientsRefused)
                self._t.execute(
                    "UPDATE outbox SET attempts = ?, next_attempt = ?, last_error = ?, failed = ? WHERE id = ?",
                    (attempts, stamp(when + backoff(attempts)), f"{type(e).__name__}: {e}"[:500],
                     stamp(when) if gave_up else None, row["id"]),
                )
                continue
            self._t.execute("UPDATE outbox SET sent = ?, attempts = attempts + 1 WHERE id = ?",
                            (stamp(), row["id"]))
            sent += 1
        return sent

    def _claim(self, message: int, when: datetime) -> bool:
        """Take a due message for this round: its next attempt moves past the longest send, so
        a worker that read the same due list skips it; a crash mid-send retries it later."""
        claimed = self._t.execute(
            "UPDATE outbox SET next_attempt = ? WHERE id = ? AND sent IS NULL AND failed IS NULL "
            "AND next_attempt <= ?", (stamp(when + CLAIM), message, stamp(when)))
        return claimed.rowcount == 1

    def record_bounce(self, recipient: str, reason: str) -> None:
        self._t.execute("INSERT INTO bounces (recipient, at, reason) VALUES (?, ?, ?)",
                        (recipient.strip().lower(), stamp(), reason[:500]))

    def bounces(self, recipient: str) -> list[tuple[str, str]]:
        return [(r["at"], r["reason"]) for r in self._t.all(
            "SELECT at, reason FROM bounces WHERE recipient = ? ORDER BY at", (recipient.strip().lower(),))]

    def prune(self, before: datetime) -> None:
        """Delete messages sent or given up on before `before`."""
        self._t.execute("DELETE FROM outbox WHERE (sent IS NOT NULL AND sent < ?) OR (failed IS NOT NULL AND failed < ?)",
                        (stamp(before), stamp(before)))

    def forget(self, recipient: str) -> None:
        """Erasure: delivered and undeliverable messages to the address go (queued ones too:
        a person who erased their data is sent nothing more)."""
        self._t.execute("DELETE FROM outbox WHERE recipient = ?", (recipient,))
        self._t.execute("DELETE FROM bounces WHERE recipient = ?", (recipient.strip().lower(),))


def parse(raw: bytes) -> EmailMessage:
    return message_from_bytes(raw, policy=policy.default)
