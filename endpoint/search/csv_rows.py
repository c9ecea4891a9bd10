"""A directory search as a CSV download: every match (not one page), for the audience the
search ran for, in the columns a spreadsheet user expects. The rows come from the same search
index as the page, so a CSV holds nothing the page would not show that audience. Cells that a
spreadsheet would run as formulas are made text (csv_cells)."""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable

from ..web.csv_cells import safe_cell

COLUMNS = ("name", "url", "locality", "region", "country", "country_code", "latitude", "longitude",
           "kinds", "activities", "listed_by", "description")


def render(rows: Iterable[dict[str, object]], url_of: Callable[[str], str]) -> bytes:
    """RFC 4180 CSV (UTF-8 with a byte-order mark, which spreadsheets need to read accents;
    CRLF), one line a co-op; lists within a cell are separated by "; "."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    near = None
    for row in rows:
        if near is None:
            near = "distance_km" in row
            writer.writerow(COLUMNS + (("distance_km",) if near else ()))
        country = row.get("country") or {}
        location = row.get("location") or {}
        cells = [
            row.get("name"), url_of(str(row["id"])), row.get("locality"), row.get("region"),
            country.get("name"), country.get("code"), location.get("lat"), location.get("lon"),
            _labels(row.get("structures")), _labels(row.get("activities")), _labels(row.get("members")),
            row.get("description"),
        ]
        if near:
            cells.append(row.get("distance_km"))
        writer.writerow([_cell(c) for c in cells])
    if near is None:
        writer.writerow(COLUMNS)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _labels(tags: object) -> str:
    return "; ".join(str(t["label"]) for t in tags or ())  # type: ignore[union-attr, index]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return safe_cell(str(value))
