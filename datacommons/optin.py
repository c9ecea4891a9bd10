"""Opting in to members' mailing lists: double opt-in, unsubscribes, suppression and erasure.

One subscription is one person on one list with a status (`pending` until the person follows
the signed confirmation link, then `confirmed`, `unsubscribed`...). Every step is written to
the consent log (`consent`) in the same SQLite transaction as the change, with the mail or
webhook it causes queued in that transaction too: a step happens whole or not at all.

Addresses live only here, in the system area. Links carry opaque signed tokens
(itsdangerous) naming a row id, never an address: the confirmation link expires after
`CONFIRM_DAYS` and works once; unsubscribe and manage links do not expire (CASL asks for at
least 60 days after the message).
"""
from __future__ import annotations

import json
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from itsdangerous import BadSignature, Signer, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

from . import consent as consent_log
from .lists import Lists, MailingList
from .lists import SCHEMA_SQL as LISTS_SCHEMA
from .mail import MailSettings, Outbox, compose
from .sidestore import FILES
from .tables import Tables, now, stamp
from .webhooks import Webhooks

SCHEMA = LISTS_SCHEMA + """
CREATE TABLE IF NOT EXISTS persons (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    address TEXT NOT NULL UNIQUE,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS subscriptions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person INTEGER NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    list TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'unsubscribed')),
    source TEXT,
    requested TEXT NOT NULL,
    confirmed TEXT,
    unsubscribed TEXT,
    UNIQUE (person, list)
);
CREATE TABLE IF NOT EXISTS confirmation_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person INTEGER NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    lists TEXT NOT NULL,
    created TEXT NOT NULL,
    mailed INTEGER NOT NULL,
    used TEXT
);
CREATE TABLE IF NOT EXISTS suppressed (
    person TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    at TEXT NOT NULL
);
"""

CONFIRM_DAYS = 2
# Addresses that never confirmed are forgotten after this long (GDPR data minimisation): the
# consent log keeps its keyed HMAC entries, which name no address.
FORGET_UNCONFIRMED_DAYS = 30
# Sent or abandoned messages (their bodies carry the address and its links) are kept this long,
# to answer "did you send me that?", then deleted.
KEEP_SENT_DAYS = 30
CONFIRMATIONS_PER_DAY = 3  # confirmation mails to one address in 24 hours, at most
STATUSES = ("pending", "confirmed", "unsubscribed", "suppressed")


class OptinError(ValueError):
    """A request that cannot be done; the message says why, for the person asking."""


class BadAddress(OptinError):
    pass


class BadLink(OptinError):
    """A forged, mangled or no-longer-meaningful link."""


class ExpiredLink(OptinError):
    pass


class UsedLink(OptinError):
    pass


@dataclass(frozen=True)
class Operator:
    """Who runs the commons and seeks consent (CASL: the person seeking consent)."""

    name: str
    address: str | None
    contact: str


@dataclass(frozen=True)
class Subscription:
    id: int
    list: str
    status: str
    source: str | None
    requested: str
    confirmed: str | None
    unsubscribed: str | None


def normalise(address: str) -> str:
    """A valid address in one spelling (email-validator's, lower-cased whole: every
    provider that matters treats the local part case-insensitively)."""
    try:
        checked = validate_email(address.strip(), check_deliverability=False)
    except EmailNotValidError as e:
        raise BadAddress(f"email: {e}") from None
    return checked.normalized.lower()


class Optin:
    """Lists, subscriptions, consent log, outbox and webhooks of one commons."""

    def __init__(self, commons, config) -> None:
        self.commons = commons
        self.config = config
        self.base = commons.uris.base
        self.tables = Tables(commons.path / FILES["system"], SCHEMA)
        self._secret = _secret(self.tables, "optin_secret")
        self.lists = Lists(self.tables, commons)
        self.log = consent_log.ConsentLog(self.tables, _secret(self.tables, "suppression_key").encode(),
                                          getattr(config, "consent_ip", "truncated"))
        self.mail = MailSettings.from_config(config)
        self.outbox = Outbox(self.tables, self.mail, self.base)
        self.webhooks = Webhooks(self.tables, self.lists)
        self._stop = threading.Event()
        self._worker: threading.Thread | None = None

    def close(self) -> None:
        self.stop_delivery()
        self.tables.close()

    # --- the operator and the wording ---------------------------------------------------
    @property
    def operator(self) -> Operator:
        c = self.config
        return Operator(
            name=getattr(c, "operator_name", None) or f"the operator of the Data Commons at {self.base}",
            address=getattr(c, "operator_address", None),
            contact=getattr(c, "operator_contact", None) or f"{self.base}/",
        )

    def member_identity(self, lst: MailingList) -> tuple[str, str | None, str]:
        """The member's name, mailing address and contact for consent requests and footers:
        what the list says, else what the commons knows of the member."""
        member = self.commons.system.member(lst.member)
        name = member.name if member else lst.member
        contact = lst.contact or (member.homepage if member and member.homepage else None) \
            or self.commons.uris.member(lst.member)
        return name, lst.postal_address, contact

    def consent_text(self, lst: MailingList) -> str:
        """What a person is shown before consenting to one list; logged word for word.

        CASL's regulations (Electronic Commerce Protection Regulations, CRTC, s. 4) and the
        CRTC's guidance: who seeks consent and on whose behalf, which is which, a mailing
        address and a telephone, email or web contact for each, and that consent can be
        withdrawn."""
        op = self.operator
        name, postal, contact = self.member_identity(lst)
        return (
            f'Send me email from {name}: "{lst.name}". '
            f"Consent is sought by {op.name}, which runs this commons, on behalf of {name}, "
            f"which sends the list. "
            f"{op.name} (seeking consent): mailing address {op.address or '[mailing address not configured]'}; "
            f"contact {op.contact}. "
            f"{name} (on whose behalf consent is sought): mailing address "
            f"{postal or '[mailing address not given]'}; contact {contact}. "
            f"You can withdraw your consent at any time, with the unsubscribe link in every "
            f"message or by writing to either contact."
        )

    # --- tokens -----------------------------------------------------------------------------
    def _serializer(self, purpose: str, timed: bool = False):
        cls = URLSafeTimedSerializer if timed else URLSafeSerializer
        return cls(self._secret, salt=f"datacommons-optin-{purpose}")

    def form_token(self) -> str:
        """A stateless anti-forgery token for the public forms (no cookie: the forms live
        inside other sites' iframes, where third-party cookies are blocked)."""
        return self._serializer("form", timed=True).dumps(secrets.token_hex(4))

    def check_form_token(self, token: str) -> None:
        try:
            self._serializer("form", timed=True).loads(token or "", max_age=86400)
        except SignatureExpired:
            raise OptinError("the form is more than a day old; reload it and send it again") from None
        except BadSignature:
            raise OptinError("the form's anti-forgery token is missing or wrong; reload the form") from None

    def signature(self, body: bytes) -> str:
        return Signer(self._secret, salt="datacommons-consent-receipt").get_signature(body).decode()

    def check_receipt(self, receipt: dict) -> bool:
        body = consent_log.canonical(receipt["receipt"])
        signer = Signer(self._secret, salt="datacommons-consent-receipt")
        return signer.verify_signature(body, receipt["signature"].encode())

    def _load(self, purpose: str, token: str, max_age: int | None = None) -> int:
        try:
            if max_age is None:
                value = self._serializer(purpose).loads(token)
            else:
                value = self._serializer(purpose, timed=True).loads(token, max_age=max_age)
        except SignatureExpired:
            raise ExpiredLink("this confirmation link has expired; subscribe again for a new one") from None
        except BadSignature:
            raise BadLink("this link is not one the commons made (mistyped, cut short or forged)") from None
        if not isinstance(value, int):
            raise BadLink("this link is not one the commons made")
        return value

    def check_confirm_link(self, token: str) -> None:
        """Raise as `confirm` would for a forged or expired link (for the page before it)."""
        self._load("confirm", token, max_age=CONFIRM_DAYS * 86400)

    def link(self, purpose: str, row: int) -> str:
        paths = {"confirm": "confirm", "unsubscribe": "unsubscribe", "manage": "manage", "never": "never"}
        token = self._serializer(purpose, timed=purpose == "confirm").dumps(row)
        return f"{self.base}/lists/{paths[purpose]}/{token}"

    # --- subscribing ------------------------------------------------------------------------
    def request(self, address: str, list_keys: list[str], *, source: str, ip: str | None) -> None:
        """Someone asks to subscribe `address` to lists. Nothing is subscribed: a confirmation
        link is mailed (at most `CONFIRMATIONS_PER_DAY` a day). The caller answers the same
        whatever happens here for a valid request, so nobody learns whether an address is
        known."""
        normalised = normalise(address)
        lists = []
        for key in dict.fromkeys(list_keys):
            lst = self.lists.by_key(key)
            if lst is None:
                raise OptinError(f"lists: there is no list {key!r}")
            lists.append(lst)
        if not lists:
            raise OptinError("lists: choose at least one list")
        if self.is_suppressed(normalised):
            return  # this address asked never to be emailed from this commons
        when = now()
        with self.tables.transaction() as db:
            person = _person(db, normalised)
            for lst in lists:
                db.execute(
                    "INSERT INTO subscriptions (person, list, status, source, requested) VALUES (?, ?, 'pending', ?, ?) "
                    "ON CONFLICT (person, list) DO UPDATE SET requested = excluded.requested, "
                    "status = CASE WHEN status = 'confirmed' THEN status ELSE 'pending' END",
                    (person, lst.key, source, stamp(when)),
                )
                wording = self.log.wording(self.consent_text(lst), db=db)
                self.log.append("subscribe", normalised, list_key=lst.key, source=source,
                                wording=wording, ip=ip, db=db)
            recent = db.execute(
                "SELECT count(*) FROM confirmation_requests WHERE person = ? AND mailed = 1 AND created > ?",
                (person, stamp(when - timedelta(days=1))),
            ).fetchone()[0]
            mail = recent < CONFIRMATIONS_PER_DAY
            request = db.execute(
                "INSERT INTO confirmation_requests (person, lists, created, mailed) VALUES (?, ?, ?, ?)",
                (person, json.dumps([l.key for l in lists]), stamp(when), int(mail)),
            ).lastrowid
            if mail:
                self.outbox.enqueue(self._confirmation_mail(normalised, person, request, lists), db=db)

    def _confirmation_mail(self, address: str, person: int, request: int, lists: list[MailingList]):
        names = "\n".join(f"  - {self.member_identity(l)[0]}: {l.name}" for l in lists)
        never = self.link("never", person)
        body = (
            f"Someone, probably you, asked to receive email from:\n{names}\n\n"
            f"To confirm, open this link within {CONFIRM_DAYS} days:\n{self.link('confirm', request)}\n\n"
            f"If it was not you, do nothing: you will not be subscribed.\n\n"
            f"What you agree to:\n" + "\n".join(f"  {self.consent_text(l)}" for l in lists) + "\n\n"
            f"Never email this address from this commons again: {never}\n"
            + self._footer()
        )
        return compose(sender=self.mail.sender(self.base), recipient=address,
                       subject="Please confirm your subscription", body=body,
                       unsubscribe_url=never, base=self.base)

    def _footer(self) -> str:
        op = self.operator
        return (f"\n--\nSent by {op.name}, {op.address or '[mailing address not configured]'}, "
                f"{op.contact}\n")

    def confirm(self, token: str, *, ip: str | None) -> list[str]:
        """Follow a confirmation link: the lists it confirmed."""
        request = self._load("confirm", token, max_age=CONFIRM_DAYS * 86400)
        confirmed: list[tuple[MailingList, int]] = []
        with self.tables.transaction() as db:
            row = db.execute(
                "SELECT r.person, r.lists, r.used, p.address FROM confirmation_requests r "
                "JOIN persons p ON p.id = r.person WHERE r.id = ?", (request,),
            ).fetchone()
            if row is None:
                raise BadLink("this link no longer leads anywhere (the data it named was erased)")
            if row["used"]:
                raise UsedLink("this confirmation link has already been used; manage your "
                               "subscriptions from the link in the email that followed it")
            db.execute("UPDATE confirmation_requests SET used = ? WHERE id = ?", (stamp(), request))
            db.execute("DELETE FROM suppressed WHERE person = ? AND reason = 'never'",
                       (self.log.person(row["address"]),))
            for key in json.loads(row["lists"]):
                lst = self.lists.by_key(key)
                sub = db.execute("SELECT id, status, confirmed FROM subscriptions WHERE person = ? AND list = ?",
                                 (row["person"], key)).fetchone()
                if lst is None or sub is None or sub["status"] == "confirmed":
                    continue
                event = "resubscribe" if sub["confirmed"] else "confirm"
                db.execute("UPDATE subscriptions SET status = 'confirmed', confirmed = ? WHERE id = ?",
                           (stamp(), sub["id"]))
                self.log.append(event, row["address"], list_key=key, source="confirmation link",
                                ip=ip, request=request, db=db)
                self.webhooks.enqueue(key, "subscribe", {"email": row["address"]}, db=db)
                self.outbox.enqueue(self._welcome_mail(row["address"], row["person"], sub["id"], lst), db=db)
                confirmed.append((lst, sub["id"]))
        return [l.key for l, _ in confirmed]

    def _welcome_mail(self, address: str, person: int, subscription: int, lst: MailingList):
        name, postal, contact = self.member_identity(lst)
        unsubscribe = self.link("unsubscribe", subscription)
        body = (
            f'You are subscribed to "{lst.name}" from {name}. Its messages come from {name}\'s '
            f"own mail service.\n\n"
            f"Unsubscribe: {unsubscribe}\n"
            f"Manage all your subscriptions, see or erase your data: {self.link('manage', person)}\n\n"
            f"{name}: {postal or '[mailing address not given]'}, {contact}\n" + self._footer()
        )
        host = self.base.split("://", 1)[-1].split("/")[0].split(":")[0]
        return compose(sender=self.mail.sender(self.base), recipient=address,
                       subject=f"Subscribed: {lst.name}", body=body, unsubscribe_url=unsubscribe,
                       list_id=f"{lst.id}.{lst.member}.{host}", base=self.base)

    # --- unsubscribing, suppression, erasure --------------------------------------------------
    def unsubscription(self, token: str) -> tuple[Subscription, str] | None:
        """The subscription an unsubscribe link names and its address (None if erased)."""
        sub_id = self._load("unsubscribe", token)
        row = self.tables.one(
            "SELECT s.*, p.address FROM subscriptions s JOIN persons p ON p.id = s.person WHERE s.id = ?",
            (sub_id,))
        return (_subscription(row), row["address"]) if row else None

    def unsubscribe(self, token: str, *, source: str, ip: str | None) -> Subscription | None:
        """One-click unsubscribe (RFC 8058): idempotent; None if the data was erased (which
        unsubscribed it already)."""
        found = self.unsubscription(token)
        if found is None:
            return None
        return self._unsubscribe(found[0].id, source=source, ip=ip)

    def _unsubscribe(self, subscription: int, *, source: str, ip: str | None) -> Subscription:
        with self.tables.transaction() as db:
            row = db.execute("SELECT s.*, p.address FROM subscriptions s JOIN persons p ON p.id = s.person "
                             "WHERE s.id = ?", (subscription,)).fetchone()
            if row["status"] != "unsubscribed":
                db.execute("UPDATE subscriptions SET status = 'unsubscribed', unsubscribed = ? WHERE id = ?",
                           (stamp(), subscription))
                self.log.append("unsubscribe", row["address"], list_key=row["list"], source=source, ip=ip, db=db)
                if row["status"] == "confirmed":
                    self.webhooks.enqueue(row["list"], "unsubscribe", {"email": row["address"]}, db=db)
            row = db.execute("SELECT * FROM subscriptions WHERE id = ?", (subscription,)).fetchone()
        return _subscription(row)

    def person_for(self, token: str, purpose: str = "manage") -> tuple[int, str] | None:
        person = self._load(purpose, token)
        row = self.tables.one("SELECT id, address FROM persons WHERE id = ?", (person,))
        return (row["id"], row["address"]) if row else None

    def subscriptions_of(self, person: int) -> list[Subscription]:
        rows = self.tables.all("SELECT * FROM subscriptions WHERE person = ? ORDER BY list", (person,))
        return [_subscription(r) for r in rows]

    def unsubscribe_from(self, person: int, list_key: str, *, source: str, ip: str | None) -> None:
        row = self.tables.one("SELECT id FROM subscriptions WHERE person = ? AND list = ?", (person, list_key))
        if row is None:
            raise OptinError(f"list: you are not on {list_key}")
        self._unsubscribe(row["id"], source=source, ip=ip)

    def never(self, person: int, *, source: str, ip: str | None) -> None:
        """"Never email this address from this commons": every list unsubscribed, the
        address on the suppression list."""
        for sub in self.subscriptions_of(person):
            self._unsubscribe(sub.id, source=source, ip=ip)
        address = self._address(person)
        with self.tables.transaction() as db:
            db.execute("INSERT OR IGNORE INTO suppressed (person, reason, at) VALUES (?, 'never', ?)",
                       (self.log.person(address), stamp()))
            self.log.append("suppress", address, source=source, ip=ip, db=db)

    def erase(self, person: int, *, source: str, ip: str | None) -> None:
        """A person's request to erase their data: unsubscribed everywhere (members told by
        webhook), then the address removed from every table but the consent log, which never
        held it; a keyed HMAC on the suppression list keeps the unsubscribe honoured."""
        for sub in self.subscriptions_of(person):
            self._unsubscribe(sub.id, source=source, ip=ip)
        address = self._address(person)
        with self.tables.transaction() as db:
            db.execute("INSERT OR REPLACE INTO suppressed (person, reason, at) VALUES (?, 'erased', ?)",
                       (self.log.person(address), stamp()))
            self.log.append("erase", address, source=source, ip=ip, db=db)
            db.execute("DELETE FROM persons WHERE id = ?", (person,))
        self.outbox.forget(address)

    def is_suppressed(self, address: str) -> bool:
        return self.tables.one("SELECT 1 FROM suppressed WHERE person = ?", (self.log.person(address),)) is not None

    def _address(self, person: int) -> str:
        row = self.tables.one("SELECT address FROM persons WHERE id = ?", (person,))
        if row is None:
            raise BadLink("this link no longer leads anywhere (the data it named was erased)")
        return row["address"]

    def receipt(self, person: int) -> dict:
        return self.log.receipt(self._address(person), self)

    # --- what members see --------------------------------------------------------------------
    def subscribers(self, list_key: str) -> list[dict]:
        """Every subscriber of a list in every status, for the member's export."""
        rows = self.tables.all(
            "SELECT p.address, s.status, s.source, s.requested, s.confirmed, s.unsubscribed "
            "FROM subscriptions s JOIN persons p ON p.id = s.person WHERE s.list = ? ORDER BY s.id",
            (list_key,))
        out = []
        for r in rows:
            status = "suppressed" if self.is_suppressed(r["address"]) else r["status"]
            out.append({"email": r["address"], "status": status, "source": r["source"],
                        "requested": r["requested"], "confirmed": r["confirmed"],
                        "unsubscribed": r["unsubscribed"]})
        return out

    def counts(self, list_key: str) -> dict[str, int]:
        rows = self.tables.all("SELECT status, count(*) FROM subscriptions WHERE list = ? GROUP BY status",
                               (list_key,))
        counts = {s: 0 for s in ("pending", "confirmed", "unsubscribed")}
        counts.update({r[0]: r[1] for r in rows})
        return counts

    # --- delivery ---------------------------------------------------------------------------
    def deliver_due(self, at: datetime | None = None) -> tuple[int, int]:
        """Send the mail and webhooks whose time has come: (mails sent, webhooks delivered).
        Each round also forgets what is no longer needed (`prune`)."""
        sent = self.outbox.deliver_due(at=at), self.webhooks.deliver_due(at=at)
        self.prune(at=at)
        return sent

    def prune(self, at: datetime | None = None) -> None:
        """Forget addresses that never confirmed within `FORGET_UNCONFIRMED_DAYS`, and sent
        mail older than `KEEP_SENT_DAYS`: nothing about a person is kept longer than it serves
        them or the proof of their consent."""
        when = at or now()
        unconfirmed = stamp(when - timedelta(days=FORGET_UNCONFIRMED_DAYS))
        with self.tables.transaction() as db:
            db.execute("DELETE FROM subscriptions WHERE status = 'pending' AND confirmed IS NULL "
                       "AND requested < ?", (unconfirmed,))
            gone = [r[0] for r in db.execute(
                "SELECT address FROM persons p WHERE created < ? AND NOT EXISTS "
                "(SELECT 1 FROM subscriptions s WHERE s.person = p.id)", (unconfirmed,))]
            db.executemany("DELETE FROM persons WHERE address = ?", [(a,) for a in gone])
            db.executemany("DELETE FROM outbox WHERE recipient = ? AND sent IS NULL", [(a,) for a in gone])
        self.outbox.prune(when - timedelta(days=KEEP_SENT_DAYS))

    def start_delivery(self, interval: float = 5.0) -> None:
        """Deliver in a background thread every `interval` seconds (for `serve`)."""
        if self._worker is not None:
            return

        def run() -> None:
            while not self._stop.wait(interval):
                try:
                    self.deliver_due()
                except Exception:  # noqa: BLE001 - a delivery round must never kill the worker
                    import logging

                    logging.getLogger("datacommons.mail").exception("delivery round failed")

        self._worker = threading.Thread(target=run, name="datacommons-delivery", daemon=True)
        self._worker.start()

    def stop_delivery(self) -> None:
        self._stop.set()
        if self._worker is not None:
            self._worker.join(timeout=10)
            self._worker = None


def _secret(tables: Tables, key: str) -> str:
    """A secret made once per commons and kept in the system area (the first process to
    make it wins; the others read it)."""
    tables.execute("INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)", (key, secrets.token_hex(32)))
    return tables.one("SELECT value FROM settings WHERE key = ?", (key,))[0]


def _person(db, address: str) -> int:
    db.execute("INSERT OR IGNORE INTO persons (address, created) VALUES (?, ?)", (address, stamp()))
    return db.execute("SELECT id FROM persons WHERE address = ?", (address,)).fetchone()[0]


def _subscription(row) -> Subscription:
    return Subscription(row["id"], row["list"], row["status"], row["source"], row["requested"],
                        row["confirmed"], row["unsubscribed"])
