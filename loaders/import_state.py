"""What the commons remembers of each member's stored records, so that a re-import reads the
whole file but normalises, validates, publishes and writes only the records that changed.

For each member: which state of its data the memory describes (`key`: the member's revision
and a fingerprint of everything that turns raw values into statements), and for each stored
record a hash of the raw values it was made from, the normalised record and its warnings (so a
re-import reports them again). A row whose raw values hash the same as a remembered record's is that record: the
normaliser, the RDF mapping and the shapes are functions of the raw values alone.

The memory is a cache, never the truth: it is kept in its own SQLite file beside the store,
forgotten before every write of the member's data and written again after it, so a write
that fails or is interrupted leaves no memory, and the next import of that member takes the
whole way (and remembers again).
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import pickle
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from datacommons.sidestore import SideStore, side_store
from datacommons.store import Commons

from .record import Problem, Record

# Bump when what is remembered changes shape.
FORMAT = "2"
# The code that turns raw values into records, statements and problems: a change to any of
# them makes every memory stale.
_RULES = (
    "loaders/normalise.py", "loaders/concepts.py", "loaders/mapping.py", "loaders/record.py",
    "loaders/tordf.py", "loaders/shacl.py", "loaders/validate.py", "datacommons/fields.py",
    "datacommons/market",
    "datacommons/policy.py", "datacommons/vocab.py", "shapes", "ontology",
)
_ROOT = Path(__file__).resolve().parent.parent

SCHEMA = """
CREATE TABLE IF NOT EXISTS members (member TEXT PRIMARY KEY, key TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    member TEXT NOT NULL, local_id TEXT NOT NULL, hash TEXT NOT NULL, entry BLOB NOT NULL,
    PRIMARY KEY (member, local_id)
);
"""

Warning = tuple[str | None, str | None, str, str]  # field, value, message, severity


@dataclass
class Remembered:
    """One stored record as the import that wrote it left it."""

    local_id: str
    hash: str
    record: Record  # its position is the one it had then
    checks: list[Warning]  # the normaliser's warnings
    shapes: list[Warning]  # SHACL warnings

    def problems(self, position: str, which: list[Warning]) -> list[Problem]:
        return [Problem(position, *w) for w in which]


@dataclass
class StateChange:
    """What a commit teaches the memory: records made or changed, records gone, or (`whole`)
    the member's whole state."""

    changed: list[Remembered]
    gone: list[str]
    whole: bool


def raw_hash(values: Mapping[str, str], hints: Mapping[str, str] | None = None) -> str:
    """A fingerprint of a raw record's values (after mapping; the position and the order of
    the columns do not count) and of the hints it is read with (a date order changes what
    "11/8/1863" means). Field names and values are separated by control characters a
    cell cannot hold once read (the readers keep text, and these are not text)."""
    text = "\x1e".join([f"{k}\x1f{v}" for k, v in sorted(values.items())])
    if hints:
        text += "\x1d" + "\x1e".join([f"{k}\x1f{v}" for k, v in sorted(hints.items())])
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


# A record is kept as the tuple of its fields' values: unpickling ten thousand of them is the
# most of what recalling a member's memory costs, and a tuple unpickles several times faster
# than a dataclass instance.
_FIELDS = tuple(f.name for f in dataclasses.fields(Record))


def _entry(r: Remembered) -> bytes:
    record = r.record
    return pickle.dumps(
        (tuple([getattr(record, f) for f in _FIELDS]), r.checks, r.shapes), pickle.HIGHEST_PROTOCOL
    )


def warnings_of(problems: Iterable[Problem]) -> list[Warning]:
    return [(p.field, p.value, p.message, p.severity) for p in problems]


@functools.lru_cache(maxsize=1)
def _rules_fingerprint() -> str:
    digest = hashlib.blake2b(FORMAT.encode(), digest_size=16)
    for name in _RULES:
        path = _ROOT / name
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for f in files:
            if f.is_file():
                digest.update(f.relative_to(_ROOT).as_posix().encode() + b"\0" + f.read_bytes())
    return digest.hexdigest()


def state_key(commons: Commons, revision: str) -> str:
    """Which state a memory describes: the member's revision (an import or a policy change
    moves it), the store's base, and the rules."""
    return f"{revision} {commons.uris.base} {_rules_fingerprint()}"


class ImportState:
    def __init__(self, path: Path) -> None:
        # a cache: losing its last write is harmless
        self._db = SideStore(path, SCHEMA, pragmas=("synchronous=NORMAL",))

    def recall(self, member: str, key: str) -> dict[str, Remembered] | None:
        """The member's remembered records, by local id; None when there is no memory of
        the state `key` names."""
        with self._db.lock:
            found = self._db.one("SELECT key FROM members WHERE member = ?", (member,))
            if found is None or found[0] != key:
                return None
            rows = self._db.rows("SELECT local_id, hash, entry FROM records WHERE member = ?", (member,))
        out: dict[str, Remembered] = {}
        for local_id, digest, entry in rows:
            values, checks, shapes = pickle.loads(entry)
            out[local_id] = Remembered(local_id, digest, Record(*values), checks, shapes)
        return out

    def forget(self, member: str) -> None:
        """Before the member's data is written: until `remember`, there is no memory of it."""
        self._db.execute("DELETE FROM members WHERE member = ?", (member,))

    def remember(self, member: str, key: str, change: StateChange) -> None:
        """After the member's data was written (its new revision in `key`)."""
        with self._db.transaction() as db:
            if change.whole:
                db.execute("DELETE FROM records WHERE member = ?", (member,))
            else:
                db.executemany("DELETE FROM records WHERE member = ? AND local_id = ?",
                               ((member, i) for i in change.gone))
            db.executemany(
                "INSERT OR REPLACE INTO records (member, local_id, hash, entry) VALUES (?, ?, ?, ?)",
                ((member, r.local_id, r.hash, _entry(r)) for r in change.changed),
            )
            db.execute("INSERT OR REPLACE INTO members (member, key) VALUES (?, ?)", (member, key))


def import_state(commons: Commons) -> ImportState:
    return side_store(commons, "import-state", ImportState)
