"""Table diffs people review before an import is committed, made with daff (Coopy's successor)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import daff


@dataclass
class TableDiff:
    """The highlighted diff (daff's format: a first column of @@, +++, ---, ->) and its counts."""

    rows: list[list[str]]
    added: int
    removed: int
    changed: int
    unchanged: int

    @property
    def summary(self) -> str:
        return (
            f"{self.added} added, {self.removed} removed, {self.changed} changed, "
            f"{self.unchanged} unchanged"
        )

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def changes_only(self) -> list[list[str]]:
        """The header and the rows that changed, for a terminal or a review page."""
        return [r for i, r in enumerate(self.rows) if i == 0 or r[0] in ("+++", "---", "->")]

    def text(self, limit: int = 200) -> str:
        """One line a changed row: `->` rows list each changed field as `field: old -> new`."""
        if not self.rows:
            return ""
        header = self.rows[0]
        lines = []
        for row in self.changes_only()[1:]:
            cells = dict(zip(header, row))
            if row[0] == "->":
                detail = "; ".join(
                    f"{column}: {cell.replace('->', ' -> ', 1)}"
                    for column, cell in cells.items()
                    if column not in ("@@", "id") and "->" in cell
                )
            else:
                detail = " | ".join(
                    cells[c] for c in ("name", "locality", "region", "country") if cells.get(c)
                )
            lines.append(f"{row[0]:3}  {cells.get('id', '')}  {detail}")
        shown = lines[:limit]
        if len(lines) > limit:
            shown.append(f"... and {len(lines) - limit} more changed rows")
        return "\n".join(shown)

    def html(self) -> str:
        renderer = daff.DiffRender()
        renderer.usePrettyArrows(True)
        renderer.render(daff.PythonTableView(self.changes_only()))
        return renderer.html()


def table_diff(old: Sequence[dict[str, str]], new: Sequence[dict[str, str]]) -> TableDiff:
    """Compare two tables of rows keyed by their `id` column.

    Columns that are empty on both sides are left out so the table stays readable.
    """
    columns = [
        c
        for c in (list(new[0]) if new else list(old[0]) if old else ["id"])
        if c == "id" or any(r.get(c) for r in old) or any(r.get(c) for r in new)
    ]

    def table(rows: Sequence[dict[str, str]]) -> list[list[str]]:
        body = sorted(([r.get(c, "") for c in columns] for r in rows), key=lambda r: r[0])
        return [columns] + body

    flags = daff.CompareFlags()
    flags.addPrimaryKey("id")
    alignment = daff.Coopy.compareTables(
        daff.PythonTableView(table(old)), daff.PythonTableView(table(new)), flags
    ).align()
    output = daff.PythonTableView([])
    differ = daff.TableDiff(alignment, flags)
    differ.hilite(output)
    rows = [[("" if c is None else str(c)) for c in r] for r in output.data]
    added = sum(1 for r in rows if r[0] == "+++")
    removed = sum(1 for r in rows if r[0] == "---")
    changed = sum(1 for r in rows if r[0] == "->")
    return TableDiff(rows, added, removed, changed, max(0, len(new) - added - changed))
