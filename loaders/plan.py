"""An import plan: what an import would change, made without writing (`pipeline.plan_import`)
and committed later (`pipeline.commit_import`); kept by the history for previews.

Its own module, below both the pipeline that makes plans and the history that keeps them, so
neither has to import the other to name a plan.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from pyoxigraph import Quad

from .diff import TableDiff
from .import_state import StateChange
from .record import Problem, Record


class ImportRefused(Exception):
    """The import cannot be committed as asked (errors in the input, stale plan, no right)."""


class MassRemovalRefused(ImportRefused):
    """The import would remove all or most of the member's records and nobody said it may
    (an empty file, a header-only CSV, the wrong file: each looks like "remove everything")."""


# An import that removes more than this share of the member's stored records, and more than
# `MASS_REMOVAL_MIN` of them (or every one), must be confirmed.
MASS_REMOVAL_SHARE = 0.5
MASS_REMOVAL_MIN = 5


@dataclass
class SnapshotDelta:
    """The member's records after an import, said as a change to what they were after import
    `base`: the local ids of every record, in order, and the statements (N-Triples) of the
    records made anew, which replace those of the same ids."""

    base: int
    ids: list[str]
    changed: bytes


@dataclass
class ImportPlan:
    member: str
    source_name: str
    source_hash: str
    kind: str
    records: list[Record]
    problems: list[Problem]
    diff: TableDiff
    remove: set[Quad] = field(default_factory=set)
    add: set[Quad] = field(default_factory=set)
    revision: str = ""
    skipped: int = 0
    # what is stored now of each record the plan changes, when the plan read it (for the
    # reconciler); None: not read
    stored: dict[str, list[Quad]] | None = None
    # each record's statements as N-Triples, in order (the history's snapshot); None: make them
    snapshots: list[bytes] | None = None
    # or, for a re-import, the history's snapshot as a change to the last import's
    snapshot_delta: SnapshotDelta | None = None
    # what the import teaches `import_state` once committed
    state: StateChange | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != "error"]

    @property
    def stored_count(self) -> int:
        """How many records the member has stored now (before this import)."""
        return self.diff.removed + self.diff.changed + self.diff.unchanged

    @property
    def mass_removal(self) -> str | None:
        """A loud warning when the import would remove all or most of the member's records
        (a rollback restores a state the member published, and is not asked about); else None."""
        removed, stored = self.diff.removed, self.stored_count
        if self.kind == "rollback" or not removed:
            return None
        if removed < stored and not (removed > MASS_REMOVAL_SHARE * stored and removed > MASS_REMOVAL_MIN):
            return None
        what = "all" if removed == stored else "most"
        return (f"{self.source_name} would remove {what} of member {self.member!r}'s records: "
                f"{removed} of {stored} removed, {len(self.records)} left")

    def report(self) -> str:
        """The validation report and the table diff, as text for a terminal."""
        lines = [f"{self.source_name}: {len(self.records)} valid records ({self.kind})"]
        if self.mass_removal:
            lines.append(f"WARNING: {self.mass_removal}")
        if self.skipped:
            lines.append(f"{self.skipped} invalid records skipped")
        lines += [str(p) for p in self.problems]
        lines.append(f"changes: {self.diff.summary}")
        if not self.diff.is_empty:
            lines.append(self.diff.text())
        return "\n".join(lines)
