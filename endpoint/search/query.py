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
import threading
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urlencode

from cachetools import LRUCache

from .index import FACETS, Facets, Index

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
DEFAULT_RADIUS_KM = 25.0
MAX_POINTS = 5000  # markers a map of the results gets at most
FACET_VALUES_SHOWN = 40
# Words matching more co-ops than this list them by name, not best first: ranking scores every
# match (a word most co-ops share, "coop", cost 0.2-1 s at 100,000 co-ops) and says little.
RANKED_AT_MOST = 5000


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


class Results:
    """A search's answer: the total, one page of rows and the facet counts; `points` (every
    match with a position, for maps) is read only when a page asks for it."""

    def __init__(self, search: Search, total: int, rows: list[dict[str, object]],
                 facets: dict[str, list[dict[str, object]]], points: Callable[[], list[dict[str, object]]],
                 every_row: Callable[[], Iterator[dict[str, object]]] | None = None):
        self.search, self.total, self.rows, self.facets = search, total, rows, facets
        self._points = points
        self._every_row = every_row or (lambda: iter(self.rows))

    def every_row(self) -> Iterator[dict[str, object]]:
        """Every match (not one page), in the page's row shape: what a CSV download holds."""
        return self._every_row()

    @cached_property
    def points(self) -> list[dict[str, object]]:
        return self._points()

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.search.per_page))


# What a text matches, kept per index state and query: as a bitmap (for the total, the facets
# and the filters) and, once a search needs it, best first (a full-text ranking of every match;
# pages, facets and filters of the same words reuse it). Co-op numbers are 4-byte ints.
_TEXT: LRUCache = LRUCache(maxsize=8 * 1024 * 1024, getsizeof=lambda found: 200 + found[1].bit_length() // 8
                           + (4 * len(found[0]) if found[0] is not None else 0))
_TEXT_LOCK = threading.Lock()
RANK = "ORDER BY bm25(coop_text, 8.0, 2.0, 3.0, 2.0), rowid"  # best first, then by name


def _text_matches(index: Index, text: str, ranked: bool) -> tuple[array | None, int]:
    """The co-ops matching an FTS5 query as a bitmap, and best first (ties by name) when
    `ranked` and they are at most RANKED_AT_MOST (else None, unless kept from an earlier
    search). Ranking is most of the cost of a common word (every match is scored), so a
    search that shows a page of the words alone asks SQLite for that page instead (`_best`)."""
    key = (index.state, id(index.facets), text)
    with _TEXT_LOCK:
        found = _TEXT.get(key)
    if found is None:
        found = (None, _bitmap([r[0] for r in index.db.execute(
            "SELECT rowid FROM coop_text WHERE coop_text MATCH ?", (text,))]))
        with _TEXT_LOCK:
            _TEXT[key] = found
    if ranked and found[0] is None and found[1].bit_count() <= RANKED_AT_MOST:
        found = (array("i", (r[0] for r in index.db.execute(
            f"SELECT rowid FROM coop_text WHERE coop_text MATCH ? {RANK}", (text,)))), found[1])
        with _TEXT_LOCK:
            _TEXT[key] = found
    return found


def _best(index: Index, text: str, first: int, count: int) -> list[int]:
    """One page of the co-ops matching an FTS5 query, best first (ties by name)."""
    return [r[0] for r in index.db.execute(
        f"SELECT rowid FROM coop_text WHERE coop_text MATCH ? {RANK} LIMIT ? OFFSET ?", (text, count, first))]


def _bitmap(numbers) -> int:
    if not len(numbers):
        return 0
    flags = bytearray(max(numbers) // 8 + 1)
    for n in numbers:
        flags[n >> 3] |= 1 << (n & 7)
    return int.from_bytes(flags, "little")


def _numbers(bitmap: int, limit: int | None = None) -> list[int]:
    """The co-op numbers set in a bitmap, in order (the first `limit` of them)."""
    out: list[int] = []
    data = bitmap.to_bytes((bitmap.bit_length() + 7) // 8, "little")
    for i, byte in enumerate(data):
        if byte:
            base = i << 3
            for bit in range(8):
                if byte >> bit & 1:
                    out.append(base + bit)
            if limit is not None and len(out) >= limit:
                return out[:limit]
    return out


def _near(index: Index, search: Search) -> dict[int, float]:
    """Co-ops within the search's radius, with their distance."""
    lat, lon = search.near  # type: ignore[misc]
    dlat = search.radius_km / 111.0
    dlon = search.radius_km / max(1e-6, 111.0 * math.cos(math.radians(lat)))
    return dict(index.db.execute(
        "SELECT id, distance_km(lat, lon, ?, ?) AS d FROM coop WHERE lat BETWEEN ? AND ? "
        "AND lon BETWEEN ? AND ? AND d <= ?",
        (lat, lon, lat - dlat, lat + dlat, lon - dlon, lon + dlon, search.radius_km)))


def run(index: Index, search: Search) -> Results:
    """Run a search on an index: every filter is a bitmap (text matches, co-ops near, each
    facet's chosen values OR-ed), the answer is their AND, and facet counts AND each value's
    bitmap with every filter but the facet's own."""
    facets = index.facets
    base = facets.everything
    text = fts_query(search.q)
    ranked: array | None = None
    words_alone = not search.near and not search.filters
    if text:
        ranked, matched = _text_matches(index, text, ranked=not words_alone)
        base &= matched
    distances: dict[int, float] = {}
    if search.near:
        distances = _near(index, search)
        base &= _bitmap(list(distances))
    chosen = {f: _any(facets.bits.get(f, {}), values) for f, values in search.filters.items()}
    match = base
    for bits in chosen.values():
        match &= bits
    total = match.bit_count()
    first, wanted = (search.page - 1) * search.per_page, search.page * search.per_page
    if text and words_alone and matched.bit_count() <= RANKED_AT_MOST:  # the words' ranking is the order
        page = list(ranked[first:wanted]) if ranked is not None else _best(index, text, first, search.per_page)
    elif ranked is not None:
        flags = match.to_bytes((facets.everything.bit_length() + 7) // 8 + 1, "little")
        order: list[int] = []
        for n in ranked:
            if flags[n >> 3] >> (n & 7) & 1:
                order.append(n)
                if len(order) >= wanted:  # rank, then name: distance never breaks a tie
                    break
        page = order[first:wanted]
    elif search.near:
        page = sorted(_numbers(match), key=lambda n: (distances[n], n))[first:wanted]
    else:
        page = _numbers(match, wanted)[first:wanted]
    return Results(
        search, total, _rows(index.db, facets, page, distances), _facets(facets, search, base, chosen),
        lambda: _points(index.db, match),
        lambda: _every_row(index.db, facets, match, distances),
    )


def _every_row(db: sqlite3.Connection, facets: Facets, match: int,
               distances: dict[int, float]) -> Iterator[dict[str, object]]:
    numbers = _numbers(match)
    if distances:
        numbers.sort(key=lambda n: (distances[n], n))
    for start in range(0, len(numbers), 500):
        yield from _rows(db, facets, numbers[start:start + 500], distances)


def _any(values_bits: dict[str, int], values: tuple[str, ...]) -> int:
    bits = 0
    for v in values:
        bits |= values_bits.get(v, 0)
    return bits


def _rows(db: sqlite3.Connection, facets: Facets, page: list[int],
          distances: dict[int, float]) -> list[dict[str, object]]:
    if not page:
        return []
    marks = ", ".join("?" * len(page))
    found = {r[0]: r for r in db.execute(
        f"SELECT id, iri, name, description, locality, region, country, country_name, lat, lon "
        f"FROM coop WHERE id IN ({marks})", page)}
    tags: dict[int, dict[str, list[dict[str, str | None]]]] = {i: {} for i in page}
    listed = sorted(
        (coop, facet, facets.labels.get((facet, value), value), value)
        for coop, facet, value in db.execute(f"SELECT coop, facet, value FROM facet WHERE coop IN ({marks})", page)
        if facet in ("structure", "activity", "member")
    )
    for coop, facet, label, value in listed:
        tags[coop].setdefault(facet, []).append({"code": value, "label": label, "iri": facets.iris.get((facet, value))})
    out = []
    for cid in page:
        _, iri, name, description, locality, region, country, country_name, lat, lon = found[cid]
        item: dict[str, object] = {
            "id": iri, "name": name, "description": description, "locality": locality,
            "region": region,
            "country": {"code": country, "name": country_name} if country else None,
            "location": {"lat": lat, "lon": lon} if lat is not None and lon is not None else None,
            "structures": tags[cid].get("structure", []),
            "activities": _unique(tags[cid].get("activity", [])),
            "members": tags[cid].get("member", []),
        }
        if cid in distances:
            item["distance_km"] = round(distances[cid], 2)
        out.append(item)
    return out


def _unique(tags: list[dict[str, str | None]]) -> list[dict[str, str | None]]:
    return list({t["code"]: t for t in tags}.values())


def _facets(facets: Facets, search: Search, base: int, chosen: dict[str, int]) -> dict[str, list[dict[str, object]]]:
    out: dict[str, list[dict[str, object]]] = {}
    for facet in FACETS:
        scope = base
        for other, bits in chosen.items():
            if other != facet:
                scope &= bits
        selected = set(search.filters.get(facet, ()))
        counted = []
        for value, bits in facets.bits.get(facet, {}).items():
            n = (scope & bits).bit_count()
            if n:
                counted.append((-n, facets.labels.get((facet, value), value), value))
        counted.sort()
        values = [{"value": v, "label": label, "count": -n, "selected": v in selected}
                  for n, label, v in counted[:FACET_VALUES_SHOWN]]
        shown = {v["value"] for v in values}
        for v in sorted(selected - shown):  # a selected value always shows, even with no match
            values.append({"value": v, "label": facets.labels.get((facet, v), v), "count": 0, "selected": True})
        out[facet] = values
    return out


def _points(db: sqlite3.Connection, match: int) -> list[dict[str, object]]:
    """Every matching co-op with a position (up to MAX_POINTS), by name: the map shows all
    results, not just the page."""
    out: list[dict[str, object]] = []
    numbers = _numbers(match)
    for start in range(0, len(numbers), 2000):
        chunk = numbers[start:start + 2000]
        marks = ", ".join("?" * len(chunk))
        for iri, name, lat, lon in db.execute(
            f"SELECT iri, name, lat, lon FROM coop WHERE id IN ({marks}) "
            f"AND lat IS NOT NULL AND lon IS NOT NULL ORDER BY id", chunk,
        ):
            out.append({"id": iri, "name": name, "lat": lat, "lon": lon})
            if len(out) >= MAX_POINTS:
                return out
    return out
