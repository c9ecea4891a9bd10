"""Buyers' search over the offerings an audience may read: words, facets, "serves my
location" and distance. The rows come from one SPARQL query run for the audience (so the
access decision and the publication policy have already removed what it may not read);
filtering, facets and ordering are done here, on those rows."""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..audience import Audience
from ..store import Commons
from ..vocab import SCHEME_COUNTRY

QUERY = (Path(__file__).parent / "offerings.rq").read_text(encoding="utf-8")
FACETS = ("category", "certification", "kind_of_coop", "place", "area_served")


@dataclass(frozen=True)
class MarketSearch:
    q: str = ""
    category: tuple[str, ...] = ()
    certification: tuple[str, ...] = ()
    kind_of_coop: tuple[str, ...] = ()
    place: tuple[str, ...] = ()
    area_served: tuple[str, ...] = ()
    kind: str | None = None  # "offer" or "demand"
    near: tuple[float, float] | None = None
    radius_km: float | None = None
    serves: tuple[float, float] | None = None  # a point the served area must contain


@dataclass
class MarketResults:
    results: list[dict]
    total: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine), in kilometres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def _split(text: str | None, sep: str = " ") -> list[str]:
    return [t for t in (text or "").split(sep) if t]


def _row(solution) -> dict:
    def value(name: str) -> str | None:
        term = solution[name]
        return term.value if term is not None else None

    def number(name: str) -> float | None:
        v = value(name)
        return float(v) if v not in (None, "") else None

    areas = _split(value("areas"), "\t")
    circle = None
    if number("clat") is not None and number("radius") is not None:
        circle = {"lat": number("clat"), "lon": number("clong"), "radius_km": number("radius") / 1000}
    return {
        "uri": value("offer"), "kind": "demand" if value("demand") == "true" else "offer",
        "title": value("title"), "description": value("descriptions") or None,
        "coop": value("coop"), "coop_name": value("coopName"), "locality": value("locality"),
        "lat": number("lat"), "lon": number("long"),
        "categories": sorted(_split(value("categories"))),
        "certifications": sorted(_split(value("certifications"))),
        "coop_kinds": sorted(_split(value("structures"))),
        "area_served": sorted(a[len(SCHEME_COUNTRY):] if a.startswith(SCHEME_COUNTRY) else a for a in areas),
        "served_circle": circle,
    }


def _serves(row: dict, point: tuple[float, float]) -> bool:
    c = row["served_circle"]
    return c is not None and distance_km((c["lat"], c["lon"]), point) <= c["radius_km"]


def search_offerings(commons: Commons, audience: Audience, s: MarketSearch) -> MarketResults:
    """The offerings `audience` may read that match `s`, nearest first when `near` is given."""
    rows = [_row(solution) for solution in commons.query(QUERY, audience)]
    words = s.q.lower().split()

    def matches(row: dict, skip: str | None = None) -> bool:
        text = " ".join(filter(None, (row["title"], row["description"], row["coop_name"]))).lower()
        checks = {
            "category": (s.category, row["categories"]),
            "certification": (s.certification, row["certifications"]),
            "kind_of_coop": (s.kind_of_coop, row["coop_kinds"]),
            "place": (s.place, [row["locality"]] if row["locality"] else []),
            "area_served": (s.area_served, row["area_served"]),
        }
        if any(w not in text for w in words):
            return False
        if s.kind and row["kind"] != s.kind:
            return False
        for name, (wanted, have) in checks.items():
            if name != skip and wanted and not set(wanted) & set(have):
                return False
        if s.serves and not _serves(row, s.serves):
            return False
        if s.near and s.radius_km is not None:
            if row["lat"] is None or distance_km(s.near, (row["lat"], row["lon"])) > s.radius_km:
                return False
        return True

    found = [r for r in rows if matches(r)]
    if s.near:
        for r in found:
            r["distance_km"] = (round(distance_km(s.near, (r["lat"], r["lon"])), 3)
                                if r["lat"] is not None else None)
        found.sort(key=lambda r: (r["distance_km"] is None, r["distance_km"] or 0, r["title"]))
    else:
        found.sort(key=lambda r: (r["title"].lower(), r["uri"]))
    facets: dict[str, dict[str, int]] = {}
    keys = {"category": "categories", "certification": "certifications", "kind_of_coop": "coop_kinds",
            "area_served": "area_served"}
    for name in FACETS:
        counts: Counter[str] = Counter()
        for r in rows:
            if matches(r, skip=name):  # a facet counts as if its own choice were not made
                counts.update(r[keys[name]] if name in keys else ([r["locality"]] if r["locality"] else []))
        facets[name] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return MarketResults(found, len(found), facets)
