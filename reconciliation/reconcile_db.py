"""What reconciliation remembers between runs, in the store's system area (SQLite, beside the
RDF store, where no SPARQL query can read it):

- each member record's matching features and blocking keys, so that re-reconciling after one
  member's import reads only that member's changed records, not the whole commons;
- the scored pairs above "apart" (with their evidence), from which clusters are rebuilt;
- each record's canonical co-op (its slug), so canonical URIs stay stable across runs;
- administrators' decisions on pairs (accept / reject), which outlive any re-import: they are
  keyed by the records' URIs, and those are stable.
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path

from datacommons.sidestore import SideStore

from .matching import Comparison, Features

SCHEMA = """
CREATE TABLE IF NOT EXISTS records (iri TEXT PRIMARY KEY, member TEXT NOT NULL, features TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS keys (key TEXT NOT NULL, iri TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS keys_by_key ON keys (key);
CREATE INDEX IF NOT EXISTS keys_by_iri ON keys (iri);
CREATE TABLE IF NOT EXISTS links (
    a TEXT NOT NULL, b TEXT NOT NULL, points REAL NOT NULL, evidence TEXT NOT NULL,
    PRIMARY KEY (a, b)
);
CREATE INDEX IF NOT EXISTS links_by_b ON links (b);
CREATE TABLE IF NOT EXISTS decisions (
    a TEXT NOT NULL, b TEXT NOT NULL, decision TEXT NOT NULL CHECK (decision IN ('accept', 'reject')),
    decided_by TEXT NOT NULL, decided_at TEXT NOT NULL, PRIMARY KEY (a, b)
);
CREATE TABLE IF NOT EXISTS canonical (iri TEXT PRIMARY KEY, slug TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS canonical_by_slug ON canonical (slug);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


class ReconcileDB:
    """The reconciler's tables; one connection shared by threads under a lock."""

    def __init__(self, path: Path) -> None:
        self._store = SideStore(path, SCHEMA)
        self.lock, self.rows, self.transaction = self._store.lock, self._store.rows, self._store.transaction

    def close(self) -> None:
        self._store.close()

    # --- state ---------------------------------------------------------------------------
    def state(self, key: str) -> str | None:
        found = self.rows("SELECT value FROM state WHERE key = ?", (key,))
        return found[0][0] if found else None

    # --- records -------------------------------------------------------------------------
    def features(self, iris: Iterable[str]) -> dict[str, Features]:
        out: dict[str, Features] = {}
        for chunk in _chunks(list(iris)):
            marks = ",".join("?" * len(chunk))
            for iri, text in self.rows(f"SELECT iri, features FROM records WHERE iri IN ({marks})", chunk):
                out[iri] = Features(*json.loads(text))
        return out

    def member_records(self, member: str) -> set[str]:
        return {r[0] for r in self.rows("SELECT iri FROM records WHERE member = ?", (member,))}

    def _grouped(self, sql: str, values: Iterable[str]) -> dict[str, list[str]]:
        """Run `sql` (selecting group, item; `{marks}` stands for the placeholders) over the
        values in chunks SQLite accepts, and group the items."""
        out: dict[str, list[str]] = {}
        for chunk in _chunks(sorted(set(values))):
            marks = ",".join("?" * len(chunk))
            for group, item in self.rows(sql.format(marks=marks), chunk):
                out.setdefault(group, []).append(item)
        return out

    def records_by_key(self, keys: Iterable[str]) -> dict[str, list[str]]:
        return self._grouped("SELECT key, iri FROM keys WHERE key IN ({marks})", keys)

    # --- links, decisions, canonical slugs -------------------------------------------------
    def links_of(self, iris: Iterable[str]) -> dict[tuple[str, str], float]:
        return self._pairs_touching("SELECT a, b, points FROM links", iris)

    def decisions(self, iris: Iterable[str] | None = None) -> dict[tuple[str, str], str]:
        if iris is None:
            return {(a, b): d for a, b, d in self.rows("SELECT a, b, decision FROM decisions")}
        return self._pairs_touching("SELECT a, b, decision FROM decisions", iris)

    def _pairs_touching(self, select: str, iris: Iterable[str]) -> dict:
        """{(a, b): value} of the pairs with either side among `iris` (chunked IN look-ups)."""
        out = {}
        for chunk in _chunks(list(iris)):
            marks = ",".join("?" * len(chunk))
            for a, b, value in self.rows(f"{select} WHERE a IN ({marks}) OR b IN ({marks})", chunk + chunk):
                out[a, b] = value
        return out

    def decide(self, a: str, b: str, decision: str, by: str) -> None:
        a, b = pair(a, b)
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with self.transaction() as db:
            db.execute(
                "INSERT INTO decisions (a, b, decision, decided_by, decided_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(a, b) DO UPDATE SET decision = excluded.decision, "
                "decided_by = excluded.decided_by, decided_at = excluded.decided_at",
                (a, b, decision, by, now),
            )

    def undecide(self, a: str, b: str) -> None:
        self.rows("DELETE FROM decisions WHERE a = ? AND b = ?", pair(a, b))

    def slugs(self, iris: Iterable[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for chunk in _chunks(list(iris)):
            marks = ",".join("?" * len(chunk))
            out.update(self.rows(f"SELECT iri, slug FROM canonical WHERE iri IN ({marks})", chunk))
        return out

    def slug_taken(self, slug: str) -> bool:
        return bool(self.rows("SELECT 1 FROM canonical WHERE slug = ? LIMIT 1", (slug,)))

    def records_of_slugs(self, slugs: Iterable[str]) -> dict[str, list[str]]:
        return self._grouped("SELECT slug, iri FROM canonical WHERE slug IN ({marks})", slugs)

    def queue(self) -> list[tuple[str, str, float, list[tuple[str, float]]]]:
        """Pairs waiting for an administrator, most likely matches first: every scored pair
        that is not decided and not already in one cluster (uncertain pairs, and strong ones
        the clustering rules kept apart)."""
        rows = self.rows(QUEUE)
        return [(a, b, points, [tuple(e) for e in json.loads(ev)]) for a, b, points, ev in rows]

    def link(self, a: str, b: str) -> tuple[float, list[tuple[str, float]]] | None:
        found = self.rows("SELECT points, evidence FROM links WHERE a = ? AND b = ?", pair(a, b))
        if not found:
            return None
        points, evidence = found[0]
        return points, [tuple(e) for e in json.loads(evidence)]


def write_records(db: sqlite3.Connection, gone: Iterable[str], present: Iterable[Features],
                  keys: dict[str, list[str]], *, fresh: bool = False) -> None:
    """Replace the stored features and keys of these records (inside a transaction);
    `fresh`: the tables were just emptied, there is nothing to delete."""
    gone, present = list(gone), list(present)
    if not fresh:
        db.executemany("DELETE FROM records WHERE iri = ?", ((i,) for i in gone))
        db.executemany("DELETE FROM keys WHERE iri = ?", ((i,) for i in gone))
        db.executemany("DELETE FROM keys WHERE iri = ?", ((f.iri,) for f in present))
    db.executemany(
        "INSERT OR REPLACE INTO records (iri, member, features) VALUES (?, ?, ?)",
        ((f.iri, f.member, json.dumps(f.values())) for f in present),
    )
    db.executemany(  # in key order: each insert lands beside the last in the table's index
        "INSERT INTO keys (key, iri) VALUES (?, ?)",
        sorted((k, f.iri) for f in present for k in keys.get(f.iri, ())),
    )


def write_links(db: sqlite3.Connection, records: Iterable[str],
                links: dict[tuple[str, str], Comparison]) -> None:
    """Replace every link touching `records` (inside a transaction)."""
    db.executemany("DELETE FROM links WHERE a = ? OR b = ?", ((i, i) for i in records))
    db.executemany(
        "INSERT OR REPLACE INTO links (a, b, points, evidence) VALUES (?, ?, ?, ?)",
        ((a, b, c.points, json.dumps(c.evidence)) for (a, b), c in links.items()),
    )


def write_slugs(db: sqlite3.Connection, slugs: dict[str, str | None]) -> None:
    """Record -> canonical slug; None: the record is in no cluster now (inside a transaction)."""
    db.executemany("DELETE FROM canonical WHERE iri = ?", ((i,) for i, s in slugs.items() if s is None))
    db.executemany(
        "INSERT OR REPLACE INTO canonical (iri, slug) VALUES (?, ?)",
        ((i, s) for i, s in slugs.items() if s is not None),
    )


def set_state(db: sqlite3.Connection, key: str, value: str) -> None:
    db.execute("INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)", (key, value))


# The review queue: scored pairs, undecided, whose records are not in one cluster.
QUEUE = """
SELECT l.a, l.b, l.points, l.evidence FROM links l
LEFT JOIN decisions d ON d.a = l.a AND d.b = l.b
LEFT JOIN canonical ca ON ca.iri = l.a
LEFT JOIN canonical cb ON cb.iri = l.b
WHERE d.a IS NULL AND (ca.slug IS NULL OR cb.slug IS NULL OR ca.slug != cb.slug)
ORDER BY l.points DESC, l.a, l.b
"""


def _chunks(items: list, size: int = 400) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]
