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
        return [r for i, r in enumerate(self.rows) if i == 0 or r[0] in ("+++", "---") or _is_arrow(r[0])]

    def text(self, limit: int = 200) -> str:
        """One line a changed row: `->` rows list each changed field as `field: old -> new`."""
        if not self.rows:
            return ""
        header = self.rows[0]
        lines = []
        for row in self.changes_only()[1:]:
            cells = dict(zip(header, row))
            if _is_arrow(row[0]):
                arrow = row[0]
                detail = "; ".join(
                    f"{column}: {cell.replace(arrow, f' {arrow} ', 1)}"
                    for column, cell in cells.items()
                    if column not in ("@@", "id") and arrow in cell
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


def table_diff(
    old: Sequence[dict[str, str]], new: Sequence[dict[str, str]], *, same: int = 0
) -> TableDiff:
    """Compare two tables of rows keyed by their `id` column.

    Columns that are empty on both sides are left out so the table stays readable. The rows
    are daff's highlighter format (a first column of @@, +++, ---, ->), made here by id:
    daff's own alignment of two tables takes seconds for ten thousand rows. `same` counts
    rows known to be unchanged and left out of both tables.
    """
    columns = [
        c
        for c in (list(new[0]) if new else list(old[0]) if old else ["id"])
        if c == "id" or any(r.get(c) for r in old) or any(r.get(c) for r in new)
    ]

    def cells(row: dict[str, str]) -> list[str]:
        return [row.get(c, "") for c in columns]

    old_by_id = {r.get("id", ""): cells(r) for r in old}
    new_by_id = {r.get("id", ""): cells(r) for r in new}
    added = {i: ["+++", *c] for i, c in new_by_id.items() if i not in old_by_id}
    removed = {i: ["---", *c] for i, c in old_by_id.items() if i not in new_by_id}
    changed = sorted(i for i, c in new_by_id.items() if i in old_by_id and old_by_id[i] != c)
    by_id = {**added, **removed, **_highlighted(columns, changed, old_by_id, new_by_id)}
    rows = [["@@", *columns]] + [by_id[i] for i in sorted(by_id)]
    return TableDiff(rows, len(added), len(removed), len(changed),
                     max(0, len(new_by_id) - len(added) - len(changed)) + same)


def _highlighted(columns: list[str], ids: list[str], old: dict[str, list[str]],
                 new: dict[str, list[str]]) -> dict[str, list[str]]:
    """The rows `ids` that changed, highlighted as daff highlights them: marked with an arrow,
    each changed cell `old->new`. The arrow is `->` unless a cell already holds it; then it
    grows a dash at a time until no cell does (daff's `getSeparator`), so it stays readable.
    Asking daff itself costs about a millisecond a row: it aligns the tables cell by cell."""
    if not ids:
        return {}
    arrow = "->"
    while any(arrow in c for c in columns) or any(
        arrow in c for i in ids for row in (old[i], new[i]) for c in row
    ):
        arrow = "-" + arrow
    return {
        i: [arrow, *(a if a == b else f"{a}{arrow}{b}" for a, b in zip(old[i], new[i]))]
        for i in ids
    }


def _is_arrow(marker: str) -> bool:
    """daff marks a changed row `->`, or `-->` (longer still) when a value itself holds `->`."""
    return marker.endswith("->") and set(marker[:-1]) == {"-"}
