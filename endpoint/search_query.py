"""A directory search: its parameters (the same for the website, the JSON API and the
widget, so every search has a shareable URL) and how it runs against a search index.

Within a facet the selected values are alternatives (structure=OS60&structure=OS80 is worker
OR consumer co-ops); across facets they all apply. Facet counts for a facet are computed with
every other filter applied but not its own, so a person can widen a choice as well as narrow it.
SQL here is fixed text with `?` placeholders; what a user types is only ever a bound value.
"""
from __future__ import annotations

import math
import re
import sqlite3
from dataclasses import dataclass, field
from urllib.parse import urlencode

from .search_index import FACETS

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
DEFAULT_RADIUS_KM = 25.0
MAX_POINTS = 5000  # markers a map of the results gets at most
FACET_VALUES_SHOWN = 40


class SearchError(ValueError):
    """A search parameter is malformed; the message says which and how to write it."""


@dataclass(frozen=True)
class Search:
    q: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    near: tuple[float, float] | None = None
    radius_km: float = DEFAULT_RADIUS_KM
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @classmethod
    def from_args(cls, args, fixed: dict[str, tuple[str, ...]] | None = None) -> "Search":
        """Parse request arguments (a werkzeug MultiDict). `fixed` filters (an embedding
        member's own) are added to whatever the visitor chooses and cannot be removed."""
        filters = {f: tuple(v for v in args.getlist(f) if v.strip()) for f in FACETS}
        for f, values in (fixed or {}).items():
            filters[f] = tuple(dict.fromkeys(filters.get(f, ()) + values))
        near = None
        if args.get("near"):
            try:
                lat, lon = (float(x) for x in args["near"].split(","))
            except ValueError:
                raise SearchError("near must be 'latitude,longitude' in decimal degrees, e.g. near=45.5,-73.6") from None
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise SearchError("near is out of range: latitude -90..90, longitude -180..180")
            near = (lat, lon)
        return cls(
            q=args.get("q", "").strip()[:200],
            filters={f: v for f, v in filters.items() if v},
            near=near,
            radius_km=_number(args, "radius", DEFAULT_RADIUS_KM, 0.1, 20000),
            page=int(_number(args, "page", 1, 1, 100000)),
            per_page=int(_number(args, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)),
        )

    def args(self, **changes: object) -> list[tuple[str, str]]:
        """This search as URL parameters (with `changes`): the shareable form of every search."""
        q = changes.get("q", self.q)
        filters = changes.get("filters", self.filters)
        page = changes.get("page", self.page)
        out: list[tuple[str, str]] = [("q", q)] if q else []
        for f in FACETS:
            out += [(f, v) for v in filters.get(f, ())]  # type: ignore[union-attr]
        if self.near:
            out += [("near", f"{self.near[0]},{self.near[1]}"), ("radius", f"{self.radius_km:g}")]
        if page != 1:
            out.append(("page", str(page)))
        if self.per_page != DEFAULT_PER_PAGE:
            out.append(("per_page", str(self.per_page)))
        return out

    def query_string(self, **changes: object) -> str:
        return urlencode(self.args(**changes))

    def toggled(self, facet: str, value: str) -> str:
        """The query string of this search with `value` of `facet` switched on or off (page 1)."""
        current = self.filters.get(facet, ())
        values = tuple(v for v in current if v != value) if value in current else current + (value,)
        return self.query_string(filters={**self.filters, facet: values}, page=1)

    def as_dict(self) -> dict[str, object]:
        return {
            "q": self.q,
            **{f: list(self.filters.get(f, ())) for f in FACETS},
            "near": list(self.near) if self.near else None,
            "radius": self.radius_km if self.near else None,
            "page": self.page,
            "per_page": self.per_page,
        }


def _number(args, name: str, default: float, low: float, high: float) -> float:
    text = args.get(name)
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise SearchError(f"{name} must be a number") from None
    if not math.isfinite(value) or not low <= value <= high:
        raise SearchError(f"{name} must be between {low:g} and {high:g}")
    return value


def fts_query(text: str) -> str | None:
    """What a person typed as an FTS5 query: every word must match, as a word or a prefix
    ("bak" finds bakeries), accents ignored. Words are quoted, so FTS5 operators typed by
    a user are just words."""
    words = re.findall(r"\w+", text)
    return " ".join(f'"{w}"*' for w in words) or None


@dataclass
class Results:
    search: Search
    total: int
    rows: list[dict[str, object]]
    facets: dict[str, list[dict[str, object]]]
    points: list[dict[str, object]]

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.search.per_page))


def _conditions(search: Search, skip_facet: str | None = None) -> tuple[list[str], list[object]]:
    where: list[str] = []
    params: list[object] = []
    text = fts_query(search.q)
    if text:
        where.append("coop.id IN (SELECT rowid FROM coop_text WHERE coop_text MATCH ?)")
        params.append(text)
    for facet, values in search.filters.items():
        if facet == skip_facet:
            continue
        marks = ", ".join("?" * len(values))
        where.append(f"coop.id IN (SELECT coop FROM facet WHERE facet = ? AND value IN ({marks}))")
        params += [facet, *values]
    if search.near:
        lat, lon = search.near
        dlat = search.radius_km / 111.0
        dlon = search.radius_km / max(1e-6, 111.0 * math.cos(math.radians(lat)))
        where.append("coop.lat BETWEEN ? AND ? AND coop.lon BETWEEN ? AND ? "
                     "AND distance_km(coop.lat, coop.lon, ?, ?) <= ?")
        params += [lat - dlat, lat + dlat, lon - dlon, lon + dlon, lat, lon, search.radius_km]
    return where, params


def _where(where: list[str]) -> str:
    return (" WHERE " + " AND ".join(where)) if where else ""


def run(db: sqlite3.Connection, search: Search) -> Results:
    where, params = _conditions(search)
    total = db.execute(f"SELECT COUNT(*) FROM coop{_where(where)}", params).fetchone()[0]
    text = fts_query(search.q)
    if text:
        order_from = ("coop JOIN (SELECT rowid, bm25(coop_text, 8.0, 2.0, 3.0, 2.0) AS rank "
                      "FROM coop_text WHERE coop_text MATCH ?) AS t ON t.rowid = coop.id")
        order_params: list[object] = [text]
        order = "t.rank, coop.sort_name"
    else:
        order_from, order_params, order = "coop", [], "coop.sort_name"
    if search.near:
        order = "distance, " + order if not text else order + ", distance"
    distance = "distance_km(coop.lat, coop.lon, ?, ?)" if search.near else "NULL"
    distance_params = list(search.near) if search.near else []
    rows = db.execute(
        f"SELECT coop.id, coop.iri, coop.name, coop.description, coop.locality, coop.region, "
        f"coop.country, coop.country_name, coop.lat, coop.lon, {distance} AS distance "
        f"FROM {order_from}{_where(where)} ORDER BY {order} LIMIT ? OFFSET ?",
        distance_params + order_params + params + [search.per_page, (search.page - 1) * search.per_page],
    ).fetchall()
    return Results(search, total, _rows(db, rows), _facets(db, search), _points(db, where, params))


def _rows(db: sqlite3.Connection, rows: list[tuple]) -> list[dict[str, object]]:
    ids = [r[0] for r in rows]
    tags: dict[int, dict[str, list[dict[str, str | None]]]] = {i: {} for i in ids}
    if ids:
        marks = ", ".join("?" * len(ids))
        for coop, facet, value, label, iri in db.execute(
            f"SELECT f.coop, f.facet, f.value, l.label, l.iri FROM facet f JOIN facet_label l "
            f"ON l.facet = f.facet AND l.value = f.value WHERE f.coop IN ({marks}) "
            f"AND f.facet IN ('structure', 'activity', 'member') ORDER BY f.coop, f.facet, l.label",
            ids,
        ):
            tags[coop].setdefault(facet, []).append({"code": value, "label": label, "iri": iri})
    out = []
    for (cid, iri, name, description, locality, region, country, country_name, lat, lon, dist) in rows:
        item: dict[str, object] = {
            "id": iri, "name": name, "description": description, "locality": locality,
            "region": region,
            "country": {"code": country, "name": country_name} if country else None,
            "location": {"lat": lat, "lon": lon} if lat is not None and lon is not None else None,
            "structures": tags[cid].get("structure", []),
            "activities": _unique(tags[cid].get("activity", [])),
            "members": tags[cid].get("member", []),
        }
        if dist is not None:
            item["distance_km"] = round(dist, 2)
        out.append(item)
    return out


def _unique(tags: list[dict[str, str | None]]) -> list[dict[str, str | None]]:
    return list({t["code"]: t for t in tags}.values())


def _facets(db: sqlite3.Connection, search: Search) -> dict[str, list[dict[str, object]]]:
    out: dict[str, list[dict[str, object]]] = {}
    for facet in FACETS:
        where, params = _conditions(search, skip_facet=facet)
        selected = set(search.filters.get(facet, ()))
        rows = db.execute(
            f"SELECT f.value, l.label, COUNT(DISTINCT f.coop) AS n FROM facet f "
            f"JOIN facet_label l ON l.facet = f.facet AND l.value = f.value "
            f"WHERE f.facet = ?{' AND f.coop IN (SELECT coop.id FROM coop' + _where(where) + ')' if where else ''} "
            f"GROUP BY f.value ORDER BY n DESC, l.label LIMIT ?",
            [facet, *params, FACET_VALUES_SHOWN],
        ).fetchall()
        values = [{"value": v, "label": label, "count": n, "selected": v in selected} for v, label, n in rows]
        shown = {v["value"] for v in values}
        for v in sorted(selected - shown):  # a selected value always shows, even with no match
            label = db.execute("SELECT label FROM facet_label WHERE facet = ? AND value = ?", (facet, v)).fetchone()
            values.append({"value": v, "label": label[0] if label else v, "count": 0, "selected": True})
        out[facet] = values
    return out


def _points(db: sqlite3.Connection, where: list[str], params: list[object]) -> list[dict[str, object]]:
    """Every matching co-op with a position (up to MAX_POINTS): the map shows all results,
    not just the page."""
    positioned = where + ["coop.lat IS NOT NULL AND coop.lon IS NOT NULL"]
    return [
        {"id": iri, "name": name, "lat": lat, "lon": lon}
        for iri, name, lat, lon in db.execute(
            f"SELECT coop.iri, coop.name, coop.lat, coop.lon FROM coop{_where(positioned)} "
            f"ORDER BY coop.sort_name LIMIT ?", params + [MAX_POINTS],
        )
    ]
