"""Import previews and import history, in the store's system area (`imports.sqlite3`, beside
the RDF store, so no SPARQL query can read them; the endpoint shows them only to the member
and to administrators).

- A *preview* keeps an uploaded file (and its mapping) for a while so the member can review
  the report and the table diff, then commit or discard. Committing plans the import again
  from the same bytes: if the member's data changed meanwhile (its revision moved), the
  preview is stale and refused, so what is committed is always what was reviewed.
- Every committed import keeps its table diff and a snapshot of the member's records after
  it (their RDF, policy-free, compressed; a re-import keeps only what changed since the import
  before, read back through that chain), so a member can see each import's diff and roll back
  to any earlier state; a rollback is planned like an import and committed as a new, recorded
  one.
"""
from __future__ import annotations

import json
import secrets
import threading
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from pyoxigraph import RdfFormat, parse, serialize

from datacommons.sidestore import SideStore, side_store
from datacommons.store import Commons
from datacommons.uris import Uris

from .concepts import ConceptIndex
from .diff import TableDiff
from .normalise import normalise_all
from .plan import ImportPlan, ImportRefused
from .readers import raw_records_from_rdf
from .record import Record
from .tordf import record_triples

PREVIEW_LIFETIME = timedelta(hours=24)

SCHEMA = """
CREATE TABLE IF NOT EXISTS previews (
    id TEXT PRIMARY KEY, member TEXT NOT NULL, created TEXT NOT NULL, expires TEXT NOT NULL,
    revision TEXT NOT NULL, source_name TEXT NOT NULL, format TEXT, skip_invalid INTEGER NOT NULL,
    data BLOB NOT NULL, mapping BLOB, rollback_to INTEGER
);
CREATE TABLE IF NOT EXISTS history (
    member TEXT NOT NULL, number INTEGER NOT NULL, committed TEXT NOT NULL,
    source_name TEXT NOT NULL, summary TEXT NOT NULL, diff TEXT NOT NULL, snapshot BLOB NOT NULL,
    base INTEGER,
    PRIMARY KEY (member, number)
);
"""
# `base`: NULL when `snapshot` holds every record; else the import whose records `snapshot`
# changes (a re-import's: the JSON list of every record's local id, in order, a newline, and
# the N-Triples of the records made anew), so a commit writes what changed, not everything.


class PreviewGone(ImportRefused):
    """The preview expired or was discarded (or never existed)."""


@dataclass(frozen=True)
class Preview:
    id: str
    member: str
    expires: str
    revision: str
    source_name: str
    rollback_to: int | None


@dataclass(frozen=True)
class PastImport:
    member: str
    number: int
    committed: str
    source_name: str
    summary: str
    diff: TableDiff | None = None


class History:
    def __init__(self, path: Path) -> None:
        # `base` came after the first stores were made
        self._db = SideStore(path, SCHEMA, columns={"history": {"base": "INTEGER"}})
        self._lock = threading.Lock()
        self._plans: OrderedDict[str, ImportPlan] = OrderedDict()

    # The last few previews' plans, so that showing and committing a fresh preview does not
    # plan (and validate) the file again; a plan made on another revision is never reused.
    # A plan holds its records many times over (records, diff, triples, quads: some 30 KB a
    # record), so the plans kept hold at most `keep_records` records together; a bigger
    # preview lives only on disk (its file in the previews table) and is planned again from
    # there when shown or committed.
    _KEEP_PLANS = 4
    keep_records = 5_000

    def remember(self, preview_id: str, plan: ImportPlan) -> None:
        with self._lock:
            if len(plan.records) > self.keep_records:
                return
            self._plans[preview_id] = plan
            while len(self._plans) > self._KEEP_PLANS or (
                sum(len(p.records) for p in self._plans.values()) > self.keep_records
            ):
                self._plans.popitem(last=False)

    def recall(self, preview_id: str, revision: str) -> ImportPlan | None:
        with self._lock:
            plan = self._plans.get(preview_id)
        return plan if plan is not None and plan.revision == revision else None

    def _rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        return self._db.rows(sql, params)

    # --- previews ------------------------------------------------------------------------
    def keep_preview(self, member: str, revision: str, source_name: str, data: bytes, *,
                     fmt: str | None, mapping: bytes | None, skip_invalid: bool,
                     rollback_to: int | None = None) -> Preview:
        """Keep an upload for review; its id is unguessable (it is a capability, with the token)."""
        now = datetime.now(timezone.utc)
        preview = Preview(secrets.token_urlsafe(18), member, (now + PREVIEW_LIFETIME).isoformat(timespec="seconds"),
                          revision, source_name, rollback_to)
        self._rows(
            "INSERT INTO previews VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (preview.id, member, now.isoformat(timespec="seconds"), preview.expires, revision,
             source_name, fmt, int(skip_invalid), data, mapping, rollback_to),
        )
        self._rows("DELETE FROM previews WHERE expires < ?", (now.isoformat(timespec="seconds"),))
        return preview

    def preview(self, preview_id: str) -> tuple[Preview, bytes, bytes | None, str | None, bool]:
        found = self._rows(
            "SELECT id, member, expires, revision, source_name, rollback_to, data, mapping, format, "
            "skip_invalid FROM previews WHERE id = ?", (preview_id,))
        if not found:
            raise PreviewGone("this preview was committed, discarded or never existed; upload the file again")
        row = found[0]
        if row[2] < datetime.now(timezone.utc).isoformat(timespec="seconds"):
            self.discard(preview_id)
            raise PreviewGone(f"this preview expired at {row[2]}; upload the file again")
        return Preview(*row[:6]), row[6], row[7], row[8], bool(row[9])

    def discard(self, preview_id: str) -> None:
        self._rows("DELETE FROM previews WHERE id = ?", (preview_id,))
        with self._lock:
            self._plans.pop(preview_id, None)

    # --- history -------------------------------------------------------------------------
    def record(self, member: str, number: int, plan: ImportPlan) -> None:
        """Keep an import's diff and the member's records after it (before the store commit:
        a row for an import that then failed is replaced by the next import's)."""
        delta, base = plan.snapshot_delta, None
        if delta is not None and delta.base == number - 1 and self._rows(
            "SELECT 1 FROM history WHERE member = ? AND number = ?", (member, delta.base)
        ):
            text = json.dumps(delta.ids).encode() + b"\n" + delta.changed
            base = delta.base
        elif plan.snapshots is not None:
            text = b"".join(plan.snapshots)
        else:
            triples = [t for r in plan.records for t in record_triples(r, member, _SNAPSHOT_URIS)]
            text = serialize(triples, format=RdfFormat.N_TRIPLES)
        snapshot = zlib.compress(text, 1)  # the fastest level: this runs on every commit
        self._rows(
            "INSERT OR REPLACE INTO history VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (member, number, datetime.now(timezone.utc).isoformat(timespec="seconds"),
             plan.source_name, plan.diff.summary, json.dumps(_diff_json(plan.diff)), snapshot, base),
        )

    def imports(self, member: str, committed: int) -> list[PastImport]:
        rows = self._rows(
            "SELECT member, number, committed, source_name, summary FROM history "
            "WHERE member = ? AND number <= ? ORDER BY number DESC", (member, committed))
        return [PastImport(*r) for r in rows]

    def past_import(self, member: str, number: int, committed: int) -> PastImport | None:
        rows = self._rows(
            "SELECT member, number, committed, source_name, summary, diff FROM history "
            "WHERE member = ? AND number = ? AND number <= ?", (member, number, committed))
        if not rows:
            return None
        *head, diff = rows[0]
        return PastImport(*head, diff=TableDiff(**json.loads(diff)))

    def snapshot_records(self, member: str, number: int) -> list[Record]:
        """The member's records after import `number`: its snapshot, or the snapshot it
        changes with the changes of each import since applied in turn."""
        chain: list[tuple[bytes, int | None]] = []
        at: int | None = number
        while at is not None:
            rows = self._rows("SELECT snapshot, base FROM history WHERE member = ? AND number = ?", (member, at))
            if not rows:
                raise ImportRefused(f"member {member!r} has no recorded import {at}")
            chain.append((zlib.decompress(rows[0][0]), rows[0][1]))
            at = rows[0][1]
        text, _ = chain.pop()
        records = _parsed(text)
        for text, _ in reversed(chain):
            head, _, changed = text.partition(b"\n")
            by_id = {r.local_id: r for r in records}
            by_id.update((r.local_id, r) for r in _parsed(changed))
            records = [by_id[i] for i in json.loads(head)]
        return records


def _parsed(ntriples: bytes) -> list[Record]:
    records, _ = normalise_all(
        raw_records_from_rdf(parse(ntriples, format=RdfFormat.N_TRIPLES)), ConceptIndex.default()
    )
    return records


# Snapshots are read back by local id (`raw_records_from_rdf`), whatever base their IRIs
# have: an import's snapshot is its records' statements as the store has them; others are
# written under this fixed base.
_SNAPSHOT_URIS = Uris("http://snapshot.invalid")


def _diff_json(diff: TableDiff) -> dict:
    return {"rows": diff.changes_only(), "added": diff.added, "removed": diff.removed,
            "changed": diff.changed, "unchanged": diff.unchanged}


def history_of(commons: Commons) -> History:
    return side_store(commons, "imports", History)
