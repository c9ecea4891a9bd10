"""Member organisations' mailing lists: kept in the system area, published as linked data.

A list's description (name, descriptions in en/fr/es, language, topics, how often it writes,
the member's postal address and contact) is public: it is written to the commons graph as
`{base}/id/list/{member}/{list}`, so it has an entity page and is in VoID/DCAT and dumps. Its
settings that are not public (the webhook and its secret, whether the subscriber count is
shown) and all of its subscribers stay in the system area (`subscriptions`).
"""
from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field, replace

from pyoxigraph import Literal, NamedNode, Quad

from .tables import Tables, stamp
from .vocab import COOP, DCAT, DCTERMS, RDF, RDFS, SCHEMA

LIST_ID = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
LANGUAGES = ("en", "fr", "es")
# How often a list writes: the EU's frequency authority table, which DCAT recommends for
# dcterms:accrualPeriodicity.
FREQUENCIES = {
    "daily": "DAILY", "weekly": "WEEKLY", "monthly": "MONTHLY", "quarterly": "QUARTERLY",
    "yearly": "ANNUAL", "irregular": "IRREG",
}
FREQUENCY_BASE = "http://publications.europa.eu/resource/authority/frequency/"

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS mailing_lists (
    member TEXT NOT NULL REFERENCES members(id),
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    descriptions TEXT NOT NULL DEFAULT '{}',
    language TEXT,
    topics TEXT NOT NULL DEFAULT '[]',
    frequency TEXT,
    postal_address TEXT,
    contact TEXT,
    public_count INTEGER NOT NULL DEFAULT 0,
    webhook_url TEXT,
    webhook_secret TEXT,
    created TEXT NOT NULL,
    PRIMARY KEY (member, id)
);
"""


class ListError(ValueError):
    """A list could not be made or changed as asked; the message names the field."""


@dataclass(frozen=True)
class MailingList:
    member: str
    id: str
    name: str
    descriptions: dict[str, str] = field(default_factory=dict)
    language: str | None = None
    topics: tuple[str, ...] = ()
    frequency: str | None = None
    postal_address: str | None = None
    contact: str | None = None
    public_count: bool = False
    webhook_url: str | None = None
    webhook_secret: str | None = None

    @property
    def key(self) -> str:
        """`member/list`: how forms, tokens and the consent log name a list."""
        return f"{self.member}/{self.id}"

    def public(self) -> dict:
        """What anyone may know of the list (the API's and the pages' view of it)."""
        return {
            "member": self.member, "id": self.id, "name": self.name,
            "descriptions": dict(self.descriptions), "language": self.language,
            "topics": list(self.topics), "frequency": self.frequency,
            "postal_address": self.postal_address, "contact": self.contact,
        }


EDITABLE = ("name", "descriptions", "language", "topics", "frequency", "postal_address",
            "contact", "public_count", "webhook_url")


def check(lst: MailingList) -> MailingList:
    """Refuse values that would make a broken list, naming the field."""
    if not LIST_ID.match(lst.id):
        raise ListError(f"list id {lst.id!r} must be 1-64 lower-case letters, digits or '-', "
                        "starting and ending with a letter or digit")
    if not lst.name.strip():
        raise ListError("name: a list needs a name")
    for lang in lst.descriptions:
        if lang not in LANGUAGES:
            raise ListError(f"description: language {lang!r} is not one of {', '.join(LANGUAGES)}")
    if lst.language is not None and not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{1,8})*", lst.language):
        raise ListError(f"language: {lst.language!r} is not a language tag such as en or fr-CA")
    if lst.frequency is not None and lst.frequency not in FREQUENCIES:
        raise ListError(f"frequency: {lst.frequency!r} is not one of {', '.join(FREQUENCIES)}")
    if lst.webhook_url is not None and not re.match(r"^https?://[^\s/]+", lst.webhook_url):
        raise ListError(f"webhook: {lst.webhook_url!r} is not an http(s) URL")
    return lst


class Lists:
    """The lists of every member, in the system area; their descriptions mirrored to the store."""

    def __init__(self, tables: Tables, commons) -> None:
        self._t = tables
        self._commons = commons

    def get(self, member: str, list_id: str) -> MailingList | None:
        row = self._t.one("SELECT * FROM mailing_lists WHERE member = ? AND id = ?", (member, list_id))
        return _from_row(row) if row else None

    def by_key(self, key: str) -> MailingList | None:
        member, _, list_id = key.partition("/")
        return self.get(member, list_id)

    def all(self, member: str | None = None) -> list[MailingList]:
        if member is None:
            rows = self._t.all("SELECT * FROM mailing_lists ORDER BY member, id")
        else:
            rows = self._t.all("SELECT * FROM mailing_lists WHERE member = ? ORDER BY id", (member,))
        return [_from_row(r) for r in rows]

    def add(self, lst: MailingList) -> MailingList:
        if self._commons.system.member(lst.member) is None:
            raise ListError(f"no member organisation {lst.member!r}")
        check(lst)
        if self.get(lst.member, lst.id) is not None:
            raise ListError(f"{lst.key}: the list already exists (change it with `list set`)")
        if lst.webhook_url and not lst.webhook_secret:
            lst = replace(lst, webhook_secret=secrets.token_urlsafe(32))
        self._t.execute(
            "INSERT INTO mailing_lists (member, id, name, descriptions, language, topics, frequency, "
            "postal_address, contact, public_count, webhook_url, webhook_secret, created) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (lst.member, lst.id, lst.name, json.dumps(lst.descriptions), lst.language,
             json.dumps(list(lst.topics)), lst.frequency, lst.postal_address, lst.contact,
             int(lst.public_count), lst.webhook_url, lst.webhook_secret, stamp()),
        )
        self._publish(None, lst)
        return lst

    def set(self, member: str, list_id: str, **changes: object) -> MailingList:
        """Change the given fields (None leaves a field as it is; "" clears an optional one)."""
        old = self.get(member, list_id)
        if old is None:
            raise ListError(f"no list {member}/{list_id}")
        values: dict[str, object] = {}
        for name, value in changes.items():
            if name not in EDITABLE:
                raise ListError(f"{name}: not a field of a list")
            if value is None:
                continue
            values[name] = None if value == "" and name not in ("name",) else value
        if "descriptions" in values:
            values["descriptions"] = {**old.descriptions, **(values["descriptions"] or {})}
            values["descriptions"] = {k: v for k, v in values["descriptions"].items() if v}
        if "topics" in values:
            values["topics"] = tuple(values["topics"] or ())
        new = check(replace(old, **values))
        if new.webhook_url and (not old.webhook_secret or new.webhook_url != old.webhook_url):
            new = replace(new, webhook_secret=secrets.token_urlsafe(32))
        self._t.execute(
            "UPDATE mailing_lists SET name = ?, descriptions = ?, language = ?, topics = ?, "
            "frequency = ?, postal_address = ?, contact = ?, public_count = ?, webhook_url = ?, "
            "webhook_secret = ? WHERE member = ? AND id = ?",
            (new.name, json.dumps(new.descriptions), new.language, json.dumps(list(new.topics)),
             new.frequency, new.postal_address, new.contact, int(new.public_count),
             new.webhook_url, new.webhook_secret, member, list_id),
        )
        self._publish(old, new)
        return new

    def remove(self, member: str, list_id: str) -> None:
        """The list stops taking subscriptions and leaves the store; its subscribers' records
        and consent log stay (unsubscribe links keep working, the member can still export)."""
        old = self.get(member, list_id)
        if old is None:
            raise ListError(f"no list {member}/{list_id}")
        self._t.execute("DELETE FROM mailing_lists WHERE member = ? AND id = ?", (member, list_id))
        self._publish(old, None)

    def iri(self, member: str, list_id: str) -> str:
        return f"{self._commons.uris.base}/id/list/{member}/{list_id}"

    def _publish(self, old: MailingList | None, new: MailingList | None) -> None:
        """Replace the list's description in the commons graph, in one store transaction."""
        remove = self.quads(old) if old else []
        add = self.quads(new) if new else []
        self._commons.apply(remove=remove, add=add)

    def quads(self, lst: MailingList) -> list[Quad]:
        graph = NamedNode(self._commons.uris.commons_graph)
        node = NamedNode(self.iri(lst.member, lst.id))
        member = NamedNode(self._commons.uris.member(lst.member))
        lang = lst.language.split("-")[0] if lst.language else None
        name = Literal(lst.name, language=lang) if lang in LANGUAGES else Literal(lst.name)
        t = [
            (member, COOP.mailingList, node),
            (node, RDF.type, COOP.MailingList),
            (node, RDFS.label, name),
            (node, DCTERMS["title"], name),
            (node, DCTERMS.publisher, member),
            (node, SCHEMA.url, NamedNode(f"{self._commons.uris.base}/lists/{lst.member}/{lst.id}")),
        ]
        t += [(node, DCTERMS.description, Literal(text, language=l)) for l, text in sorted(lst.descriptions.items())]
        if lst.language:
            t.append((node, DCTERMS.language, Literal(lst.language)))
        t += [(node, COOP.topic, Literal(topic)) for topic in lst.topics]
        t += [(node, DCAT.keyword, Literal(topic)) for topic in lst.topics]
        if lst.frequency:
            t.append((node, DCTERMS.accrualPeriodicity, NamedNode(FREQUENCY_BASE + FREQUENCIES[lst.frequency])))
        if lst.postal_address:
            t.append((node, COOP.postalAddress, Literal(lst.postal_address)))
        if lst.contact:
            t.append((node, COOP.contact, Literal(lst.contact)))
        return [Quad(s, p, o, graph) for s, p, o in t]


def _from_row(row) -> MailingList:
    return MailingList(
        member=row["member"], id=row["id"], name=row["name"],
        descriptions=json.loads(row["descriptions"]), language=row["language"],
        topics=tuple(json.loads(row["topics"])), frequency=row["frequency"],
        postal_address=row["postal_address"], contact=row["contact"],
        public_count=bool(row["public_count"]), webhook_url=row["webhook_url"],
        webhook_secret=row["webhook_secret"],
    )
