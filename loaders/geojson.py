"""GeoJSON input: a FeatureCollection, or features one per line (newline-delimited GeoJSON,
and RFC 8142 text sequences), as the SUSY/TransforMap map and OpenStreetMap exports publish
them.

A feature becomes a flat set of source columns the way nested JSON does (`properties.name`,
`properties.addr:city`, `properties.contact.email` for a nested object), plus
`geometry.latitude` and `geometry.longitude` read from its geometry; the built-in mapping
`geojson-osm` maps the OpenStreetMap tags, and a member's mapping can read any other property.
Only the shape of the file is handled here: values are judged by the normaliser.
"""
from __future__ import annotations

import json
import re
from typing import Any

import pycountry

from .record import InputError, Problem

GEOMETRY_LATITUDE, GEOMETRY_LONGITUDE = "geometry.latitude", "geometry.longitude"
_FEATURE_TYPES = ("FeatureCollection", "Feature")
# OSM's description:fr, description:pt-BR: one description per language
_DESCRIPTION_LANGUAGE = re.compile(r"properties\.description:([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)")

Features = list[tuple[str, dict[str, Any]]]  # (position, feature)


def is_geojson(parsed: Any) -> bool:
    """Whether parsed JSON is a GeoJSON FeatureCollection or Feature."""
    return isinstance(parsed, dict) and parsed.get("type") in _FEATURE_TYPES


def features(parsed: Any) -> Features:
    """The features of a FeatureCollection (or of one Feature), named "feature N"."""
    if parsed.get("type") == "Feature":
        return [("feature 1", parsed)]
    found = parsed.get("features")
    if not isinstance(found, list):
        raise InputError("a GeoJSON FeatureCollection needs a list 'features'")
    return [(f"feature {n}", f) for n, f in enumerate(found, start=1)]


def line_features(text: str, name: str) -> Features | None:
    """Features written one per line (or RFC 8142 records), named "line N"; None when the
    first line is not a GeoJSON feature, so the text is something else."""
    out: Features = []
    for n, line in enumerate(text.splitlines(), start=1):
        line = line.strip().lstrip("\x1e").strip()
        if not line:
            continue
        try:
            item = json.loads(line, parse_float=str, parse_int=str)
        except json.JSONDecodeError as e:
            if not out:
                return None
            raise InputError(f"{name}, line {n}: not valid JSON: column {e.colno}: {e.msg}") from None
        if not out and not is_geojson(item):
            return None
        if isinstance(item, dict) and item.get("type") == "FeatureCollection":
            out += [(f"line {n}, {p}", f) for p, f in features(item)]
        else:
            out.append((f"line {n}", item))
    return out


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested JSON as dotted keys: {"address": {"city": "Lyon"}} -> {"address.city": "Lyon"}.
    A list of objects gives each key the list of its values; other leaves stay as they are."""
    out: dict[str, Any] = {}
    if isinstance(value, dict):
        for key, inner in value.items():
            out.update(flatten(inner, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(value, list) and any(isinstance(v, dict) for v in value):
        for item in value:
            for key, leaf in flatten(item, prefix).items():
                out.setdefault(key, []).extend(leaf if isinstance(leaf, list) else [leaf])
    else:
        out[prefix] = value
    return out


def feature_columns(
    feature: Any, position: str, problems: list[Problem]
) -> tuple[dict[str, Any], dict[str, str]]:
    """A feature's source columns (dotted keys as written, JSON leaves) and the descriptions
    it gives per language (`description:fr`), as record hints `description@fr`."""
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        problems.append(Problem(position, None, None, "a GeoJSON feature must be an object of type \"Feature\""))
        return {}, {}
    columns: dict[str, Any] = {}
    if feature.get("id") not in (None, ""):
        columns["id"] = feature["id"]
    properties = feature.get("properties") or {}
    if not isinstance(properties, dict):
        problems.append(Problem(position, None, None, "a feature's 'properties' must be an object"))
        properties = {}
    languages: dict[str, str] = {}
    for key, value in flatten(properties, "properties").items():
        m = _DESCRIPTION_LANGUAGE.fullmatch(key)
        if m and isinstance(value, str) and value.strip():
            language = m.group(1).lower()
            languages[f"description@{language}"] = value
            if not _is_language(language):
                problems.append(Problem(
                    position, key, language,
                    "not an ISO 639 language code (Greek is el, Czech cs); the description is "
                    "kept, tagged as written", "warning",
                ))
        else:
            columns[key] = value
    point = _point(feature.get("geometry"), position, problems)
    if point is not None:
        columns[GEOMETRY_LATITUDE], columns[GEOMETRY_LONGITUDE] = point
    return columns, languages


def _is_language(tag: str) -> bool:
    base = tag.split("-", 1)[0]
    found = pycountry.languages.get(**{"alpha_2" if len(base) == 2 else "alpha_3": base})
    return found is not None


def _point(geometry: Any, position: str, problems: list[Problem]) -> tuple[str, str] | None:
    """(latitude, longitude) as text: a Point's own; a polygon's centroid, with a warning."""
    if geometry is None:
        return None
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
    try:
        if kind == "Point":
            return _lat_long(coordinates)
        if kind in ("Polygon", "MultiPolygon"):
            rings = [coordinates[0]] if kind == "Polygon" else [p[0] for p in coordinates]
            lat, long = _centroid([[(float(c[0]), float(c[1])) for c in ring] for ring in rings])
            problems.append(Problem(
                position, "coordinates", None,
                f"the geometry is a {kind}; the co-op is placed at its centroid ({lat}, {long})",
                "warning",
            ))
            return lat, long
        if kind in ("MultiPoint", "LineString", "MultiLineString"):
            points = coordinates if kind != "MultiLineString" else [c for line in coordinates for c in line]
            lat = _round(sum(float(c[1]) for c in points) / len(points))
            long = _round(sum(float(c[0]) for c in points) / len(points))
            problems.append(Problem(
                position, "coordinates", None,
                f"the geometry is a {kind}; the co-op is placed at the mean of its points ({lat}, {long})",
                "warning",
            ))
            return lat, long
    except (TypeError, ValueError, IndexError, KeyError, ZeroDivisionError):
        problems.append(Problem(position, "coordinates", None, f"the {kind} geometry's coordinates cannot be read"))
        return None
    problems.append(Problem(
        position, "coordinates", None,
        f"a geometry of type {kind!r} gives no place; the record has no coordinates", "warning",
    ))
    return None


def _lat_long(position: Any) -> tuple[str, str]:
    """GeoJSON writes [longitude, latitude]; the numbers are kept as the file wrote them."""
    if not isinstance(position, list) or len(position) < 2:
        raise ValueError(position)
    long, lat = (str(v) for v in position[:2])
    float(lat), float(long)
    return lat, long


def _centroid(rings: list[list[tuple[float, float]]]) -> tuple[str, str]:
    """The area-weighted centroid of the outer rings (shoelace formula); a ring of no area
    counts by the mean of its points."""
    area_sum = x_sum = y_sum = 0.0
    for ring in rings:
        a = cx = cy = 0.0
        for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]):
            cross = x0 * y1 - x1 * y0
            a += cross
            cx += (x0 + x1) * cross
            cy += (y0 + y1) * cross
        area_sum += a / 2
        x_sum += cx / 6
        y_sum += cy / 6
    if abs(area_sum) < 1e-12:
        points = [p for ring in rings for p in ring]
        return _round(sum(p[1] for p in points) / len(points)), _round(sum(p[0] for p in points) / len(points))
    return _round(y_sum / area_sum), _round(x_sum / area_sum)


def _round(value: float) -> str:
    """Seven decimals: about a centimetre, as precise as any geocoder."""
    return f"{value:.7f}".rstrip("0").rstrip(".")
