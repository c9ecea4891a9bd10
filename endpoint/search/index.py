"""The directory's search index: SQLite FTS5 tables built from what one audience may read.

Regex SPARQL over every name and description costs a full scan per keystroke; an FTS5 index
answers text, facet and distance queries in milliseconds at 100,000 co-ops. The index is
derived, never a source: it is built through `Commons.query` with the audience's own access,
so it holds only what the access decision grants that audience, and there is one per audience
key (the public, each member organisation, administrators), each in its own file. It is
rebuilt after the store's version (every write bumps it) or the vocabulary changes: the first
search to see the change starts the rebuild in the background and waits for it a moment
(`STALE_WAIT`); searches meanwhile use the file as it was, so serving never stops for a
rebuild, and `Index.current` says whether an answer is up to date (only such answers are kept
by the response cache). Files survive restarts, so a server that starts on an unchanged store
searches at once, without rebuilding anything. A co-op that several members list, and that
the commons merged into a canonical co-op, is one entry under the canonical URI, with every
member's values.

Co-ops are numbered in name order, so "by name" is "by number", and each facet value keeps
the set of co-ops that have it as a bitmap (`facet_bits`): facet counts of any search are then
a few hundred AND-and-count operations on Python integers, not a GROUP BY over every match.
"""
from __future__ import annotations

import hashlib
import math
import os
import sqlite3
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from datacommons.audience import Audience
from datacommons.store import Commons
from datacommons.vocab import COOP, DCTERMS, ESS, GEO, GR, VCARD

from ..web import query_text as internal_queries

SCHEMA_VERSION = "2"
STALE_WAIT = 2.0  # seconds a search waits for a rebuild before it answers from the older file
READER_CACHE_KB = 512  # SQLite page cache of each reader connection
READERS_PER_THREAD = 4  # audiences whose connection a server thread keeps open
FACETS = ("structure", "activity", "country", "region", "member")
# Which index field each property the rows query reads fills.
FIELD_OF = {
    GR.name.value: "name", DCTERMS.description.value: "description", GEO.lat.value: "lat",
    GEO.long.value: "lon", ESS.organisationalStructure.value: "structure",
    ESS.economicSector.value: "activity", ESS.primarySector.value: "activity",
    COOP.listedBy.value: "member", VCARD.locality.value: "locality", VCARD.region.value: "region",
    COOP.country.value: "country", VCARD["country-name"].value: "country_name",
}

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE coop (
    id INTEGER PRIMARY KEY, iri TEXT NOT NULL UNIQUE, name TEXT NOT NULL, sort_name TEXT NOT NULL,
    description TEXT, locality TEXT, region TEXT, country TEXT, country_name TEXT, lat REAL, lon REAL
);
CREATE INDEX coop_sort ON coop (sort_name);
CREATE INDEX coop_position ON coop (lat, lon);
CREATE VIRTUAL TABLE coop_text USING fts5 (
    name, description, place, concepts, tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TABLE facet (coop INTEGER NOT NULL, facet TEXT NOT NULL, value TEXT NOT NULL);
CREATE INDEX facet_value ON facet (facet, value, coop);
CREATE INDEX facet_coop ON facet (coop, facet);
CREATE TABLE facet_bits (facet TEXT NOT NULL, value TEXT NOT NULL, bits BLOB NOT NULL,
                         PRIMARY KEY (facet, value));
CREATE TABLE facet_label (
    facet TEXT NOT NULL, value TEXT NOT NULL, label TEXT NOT NULL, iri TEXT,
    PRIMARY KEY (facet, value)
);
"""


# Rows as the queries return them, before they are grouped by co-op (temporary: dropped with
# the connection that builds the index, kept in SQLite's temporary file, not in memory).
STAGING = """
CREATE TEMP TABLE staged_canonical (record TEXT PRIMARY KEY, canonical TEXT NOT NULL);
CREATE TEMP TABLE staged_row (coop TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL);
"""


def distance_km(lat1: float | None, lon1: float | None, lat2: float, lon2: float) -> float | None:
    """Great-circle distance (haversine, mean Earth radius): exact enough to sort a map."""
    if lat1 is None or lon1 is None:
        return None
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0088 * 2 * math.asin(min(1.0, math.sqrt(a)))


def concept_code(iri: str) -> str:
    """A concept's short code, the value facets use in URLs: OS60, ICA210, credit-union, CA."""
    return iri.rstrip("/").rsplit("/", 1)[-1]


@dataclass
class _Coop:
    values: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def first(self, name: str) -> str | None:
        return self.values[name][0] if self.values.get(name) else None

    def add(self, name: str, value: str) -> None:
        if value not in self.values[name]:
            self.values[name].append(value)


class IndexNotReady(Exception):
    """The audience's first index is being built by another request."""


@dataclass
class Facets:
    """What one index file says about facets, held in memory: per facet value the bitmap of
    the co-ops having it (bit i is co-op number i), their labels, and every co-op's bitmap."""

    everything: int
    bits: dict[str, dict[str, int]]
    labels: dict[tuple[str, str], str]
    iris: dict[tuple[str, str], str | None]

    @classmethod
    def load(cls, db: sqlite3.Connection) -> "Facets":
        count = db.execute("SELECT COALESCE(MAX(id), 0) FROM coop").fetchone()[0]
        bits: dict[str, dict[str, int]] = {f: {} for f in FACETS}
        for facet, value, blob in db.execute("SELECT facet, value, bits FROM facet_bits"):
            bits.setdefault(facet, {})[value] = int.from_bytes(blob, "little")
        labels, iris = {}, {}
        for f, v, label, iri in db.execute("SELECT facet, value, label, iri FROM facet_label"):
            labels[(f, v)], iris[(f, v)] = label, iri
        return cls(((1 << (count + 1)) - 1) & ~1, bits, labels, iris)


@dataclass
class Index:
    """One audience's index as a request uses it: this thread's read-only connection, the
    facets in memory, the state the file was built for, and whether that is the store's
    current state (False while a rebuild runs: the answer may be a write behind)."""

    db: sqlite3.Connection
    facets: Facets
    state: str
    current: bool


class SearchIndexes:
    """The search indexes of one commons, one per audience key, kept up to date lazily."""

    def __init__(self, commons: Commons, folder: Path | None = None) -> None:
        self.commons = commons
        self.folder = folder or commons.path / "search"
        self.folder.mkdir(parents=True, exist_ok=True)
        self._locks: dict[str, threading.Lock] = defaultdict(threading.Lock)
        self._guard = threading.Lock()
        self._built: dict[str, str] = {}  # audience key -> state its file holds (as last seen)
        self._building: dict[str, tuple[str, threading.Thread]] = {}
        self._first: dict[str, threading.Event] = {}  # audience key -> first build under way
        self._facets: dict[tuple[str, str], Facets] = {}  # (audience key, state) -> facets
        self._local = threading.local()

    def _state(self) -> str:
        vocabulary = self.commons.system.setting("vocabulary_hash") or ""
        return f"{SCHEMA_VERSION}:{self.commons.version}:{vocabulary[:16]}"

    def _path(self, audience: Audience) -> Path:
        readable = hashlib.sha256(audience.key.encode()).hexdigest()[:8]
        safe = "".join(c if c.isalnum() else "-" for c in audience.key)
        return self.folder / f"{safe}-{readable}.sqlite3"

    def _ensure(self, audience: Audience, patient: bool = False) -> tuple[Path, str, bool]:
        """(file, the state it holds, whether that is current), building it as needed.

        With a file of this layout, a rebuild runs in the background: the search that starts
        it waits STALE_WAIT for it, the others answer from the file as it is. With no usable
        file (a new store, a new layout), the first search builds it and waits; the others
        wait STALE_WAIT, then `IndexNotReady` (`patient`: they wait for it too), so a long
        first build never holds every server thread."""
        path, state, key = self._path(audience), self._state(), audience.key
        if self._built.get(key) == state:
            return path, state, True
        with self._guard:
            lock = self._locks[key]
        first: threading.Event | None = None
        building = None
        with lock:
            held = self._built.get(key) or _stored_state(path)
            if held == state:
                self._built[key] = state
                return path, state, True
            usable = held is not None and held.startswith(f"{SCHEMA_VERSION}:")
            if not usable:
                first = self._first.get(key)
                mine = first is None
                if mine:
                    first = self._first[key] = threading.Event()
            else:
                self._built[key] = held
                running = self._building.get(key)
                if running is None or not running[1].is_alive():
                    thread = threading.Thread(target=self._rebuild, args=(audience, path, state),
                                              name=f"search-index {key}", daemon=True)
                    building = self._building[key] = (state, thread)
                    thread.start()
        if first is not None:
            if mine:
                try:
                    self._build(audience, path, state)
                    self._built[key] = state
                finally:
                    with lock:
                        del self._first[key]
                    first.set()
                return path, state, True
            if not first.wait(None if patient else STALE_WAIT):
                raise IndexNotReady(f"the search index for {audience} is being built; try again shortly")
            return self._ensure(audience, patient)
        if building is not None:
            building[1].join(STALE_WAIT)
        held = self._built.get(key, held)
        return path, held, held == state

    def _rebuild(self, audience: Audience, path: Path, state: str) -> None:
        self._build(audience, path, state)
        self._built[audience.key] = state

    def open(self, audience: Audience) -> Index:
        """The audience's index for this request: a connection this thread keeps (opened
        again only when the file is rebuilt) and the facets in memory."""
        path, state, current = self._ensure(audience)
        connections: dict[str, tuple[str, sqlite3.Connection]] = self._local.__dict__.setdefault("open", {})
        held = connections.get(audience.key)
        if held is None or held[0] != state:
            if held is not None:
                held[1].close()
            db = _reader(path)
            if _stored_state_of(db) != state:  # rebuilt again just now: take what it holds
                state = _stored_state_of(db) or state
                current = state == self._state()
            connections.pop(audience.key, None)
            while len(connections) >= READERS_PER_THREAD:  # the one used longest ago goes
                connections.pop(next(iter(connections)))[1].close()
            held = connections[audience.key] = (state, db)
        else:
            connections[audience.key] = connections.pop(audience.key)  # most recently used last
        facets = self._facets.get((audience.key, state))
        if facets is None:
            facets = Facets.load(held[1])
            with self._guard:
                self._facets = {k: v for k, v in self._facets.items() if k[0] != audience.key}
                self._facets[(audience.key, state)] = facets
        return Index(held[1], facets, state, current)

    def connect(self, audience: Audience) -> sqlite3.Connection:
        """A new read-only connection to the audience's index (the caller closes it)."""
        path, _, _ = self._ensure(audience, patient=True)
        return _reader(path)

    def _build(self, audience: Audience, path: Path, state: str) -> None:
        """Write the audience's index to a new file, then put it in place. The rows the
        queries return are staged in a temporary table and read back one co-op at a time, so
        memory stays small whatever the size of the commons."""
        pref: dict[str, str] = {}
        words: dict[str, list[str]] = defaultdict(list)
        for s in self.commons.query(internal_queries.text("search-index-labels"), audience):
            thing, label = s["thing"].value, s["label"]
            words[thing].append(label.value)
            if s["kind"].value == "pref" and (thing not in pref or label.language == "en"):
                pref[thing] = label.value
        tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.unlink(missing_ok=True)
        db = sqlite3.connect(tmp)
        try:
            db.executescript(SCHEMA + STAGING)
            db.executemany("INSERT OR IGNORE INTO staged_canonical VALUES (?, ?)", (
                (s["record"].value, s["canonical"].value) for s in self.commons.query(
                    internal_queries.text("search-index-canonical"), audience)))
            for rows in ("search-index-rows", "search-index-address-rows"):
                db.executemany("INSERT INTO staged_row (coop, field, value) VALUES (?, ?, ?)", (
                    (s["coop"].value, FIELD_OF[s["p"].value], s["value"].value)
                    for s in self.commons.query(internal_queries.text(rows), audience)))
            _fill(db, pref, words)
            db.execute("INSERT INTO meta VALUES ('state', ?), ('audience', ?)", (state, audience.key))
            db.commit()
        finally:
            db.close()
        os.replace(tmp, path)


def _reader(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    db.execute(f"PRAGMA cache_size = -{READER_CACHE_KB}")  # the OS caches the file; keep RSS small
    db.create_function("distance_km", 4, distance_km, deterministic=True)
    return db


def _stored_state_of(db: sqlite3.Connection) -> str | None:
    row = db.execute("SELECT value FROM meta WHERE key = 'state'").fetchone()
    return row[0] if row else None


def _stored_state(path: Path) -> str | None:
    if not path.exists():
        return None
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = db.execute("SELECT value FROM meta WHERE key = 'state'").fetchone()
        finally:
            db.close()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def _staged_coops(db: sqlite3.Connection):
    """(IRI, values) of each co-op staged, one co-op at a time; a member's record merged into
    a canonical co-op counts as that co-op."""
    rows = db.execute(
        "SELECT COALESCE(c.canonical, r.coop) AS iri, r.field, r.value FROM staged_row r "
        "LEFT JOIN staged_canonical c ON c.record = r.coop ORDER BY iri, r.rowid")
    current, coop = None, _Coop()
    for iri, name, value in rows:
        if iri != current:
            if current is not None:
                yield current, coop
            current, coop = iri, _Coop()
        coop.add(name, value)
    if current is not None:
        yield current, coop


def _fill(db: sqlite3.Connection, pref: dict[str, str], words: dict[str, list[str]]) -> None:
    names = [((c.first("name") or iri).casefold(), iri) for iri, c in _staged_coops(db)]
    names.sort()
    numbers = {iri: n for n, (_, iri) in enumerate(names, start=1)}  # name order: ORDER BY sort_name is ORDER BY id
    del names
    labels: dict[tuple[str, str], tuple[str, str | None]] = {}
    bitmaps: dict[tuple[str, str], bytearray] = {}
    size = len(numbers) // 8 + 1
    for iri, c in _staged_coops(db):
        number = numbers[iri]
        name = c.first("name") or iri
        country = concept_code(c.first("country")) if c.first("country") else None
        db.execute(
            "INSERT INTO coop VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (number, iri, name, name.casefold(), c.first("description"), c.first("locality"),
             c.first("region"), country, c.first("country_name"),
             _number(c.first("lat")), _number(c.first("lon"))),
        )
        concepts = c.values.get("structure", []) + c.values.get("activity", [])
        db.execute(
            "INSERT INTO coop_text (rowid, name, description, place, concepts) VALUES (?, ?, ?, ?, ?)",
            (number, " ".join(c.values.get("name", [])), " ".join(c.values.get("description", [])),
             " ".join(c.values.get("locality", []) + c.values.get("region", []) + c.values.get("country_name", [])),
             " ".join(w for concept in concepts for w in words.get(concept, []))),
        )
        facet_rows: list[tuple[int, str, str]] = []
        for facet in ("structure", "activity", "member"):
            for value_iri in c.values.get(facet, []):
                code = concept_code(value_iri)
                facet_rows.append((number, facet, code))
                labels.setdefault((facet, code), (pref.get(value_iri, code), value_iri))
        if country:
            facet_rows.append((number, "country", country))
            labels.setdefault(("country", country), (c.first("country_name") or country, c.first("country")))
        for region in c.values.get("region", []):
            facet_rows.append((number, "region", region))
            labels.setdefault(("region", region), (region, None))
        facet_rows = list(dict.fromkeys(facet_rows))
        db.executemany("INSERT INTO facet VALUES (?, ?, ?)", facet_rows)
        for _, facet, value in facet_rows:
            bitmap = bitmaps.get((facet, value))
            if bitmap is None:
                bitmap = bitmaps[(facet, value)] = bytearray(size)
            bitmap[number >> 3] |= 1 << (number & 7)
    db.executemany(
        "INSERT INTO facet_label VALUES (?, ?, ?, ?)",
        [(f, v, label, iri) for (f, v), (label, iri) in labels.items()],
    )
    db.executemany("INSERT INTO facet_bits VALUES (?, ?, ?)",
                   [(f, v, bytes(b)) for (f, v), b in bitmaps.items()])
