"""`/market` (the page) and `GET /api/market`: buyers find who sells (or seeks) what, near them, as JSON, JSON-LD,
GeoJSON or CSV (by Accept, or `?format=`). The contract is issue 22's "Interfaces": a result's
`uri` is its `/id/offer/...` (`/id/demand/...`) IRI and `kind` says which."""
from __future__ import annotations

import csv
import io
import json

from flask import Blueprint, Response, current_app, render_template, request
from werkzeug.exceptions import BadRequest, NotAcceptable

from datacommons.market.categories import categories, certifications
from datacommons.market.search import MarketResults, MarketSearch, search_offerings

from ..web import negotiate
from ..web.csv_cells import safe_cell
from ..web.audience import current_audience
from ..web.iri_paths import page_for

bp = Blueprint("market", __name__, template_folder="templates")
GEOJSON = "application/geo+json"
MEDIA = {"json": "application/json", "jsonld": "application/ld+json", "geojson": GEOJSON, "csv": "text/csv"}
CONTEXT = {"schema": "https://schema.org/", "gr": "http://purl.org/goodrelations/v1#",
           "results": {"@id": "schema:itemListElement", "@container": "@list"},
           "uri": "@id", "title": "schema:name", "coop": {"@id": "gr:offeredBy", "@type": "@id"},
           "description": "schema:description", "total": "schema:numberOfItems"}
CSV_COLUMNS = ("uri", "kind", "title", "coop", "coop_name", "locality", "lat", "lon", "categories",
               "certifications", "area_served", "distance_km")


def _point(name: str) -> tuple[float, float] | None:
    text = request.args.get(name)
    if not text:
        return None
    try:
        lat, lon = (float(v) for v in text.split(","))
    except ValueError:
        raise BadRequest(f"{name} must be lat,lon (e.g. 45.5,-73.6), not {text!r}") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise BadRequest(f"{name}: {text!r} is not a point on Earth")
    return lat, lon


def _concepts(name: str, vocabulary) -> tuple[str, ...]:
    found = []
    for text in request.args.getlist(name):
        iri = vocabulary.resolve(text)
        if iri is None:
            raise BadRequest(f"{name} {text!r} is no concept of the market's schemes")
        found.append(iri)
    return tuple(found)


def market_search() -> MarketSearch:
    radius = request.args.get("radius")
    try:
        radius_km = float(radius) if radius else None
    except ValueError:
        raise BadRequest(f"radius must be a number of kilometres, not {radius!r}") from None
    near = _point("near")
    if radius_km is not None and near is None:
        raise BadRequest("radius needs near=lat,lon")
    kind = request.args.get("kind") or None
    if kind not in (None, "offer", "demand"):
        raise BadRequest("kind is offer or demand")
    return MarketSearch(
        q=request.args.get("q", "")[:500], category=_concepts("category", categories()),
        certification=_concepts("certification", certifications()),
        kind_of_coop=tuple(request.args.getlist("kind_of_coop")), place=tuple(request.args.getlist("place")),
        area_served=tuple(request.args.getlist("area_served")), kind=kind,
        near=near, radius_km=radius_km, serves=_point("serves"),
    )


@bp.route("/api/market")
def api_market() -> Response:
    fmt = request.args.get("format", "")
    if fmt and fmt not in MEDIA:
        raise BadRequest(f"format {fmt!r} is not offered; use {', '.join(MEDIA)}")
    wanted = MEDIA.get(fmt) or negotiate.best(request, list(MEDIA.values()), {}, "application/json")
    if wanted is None:
        raise NotAcceptable(f"/api/market answers {', '.join(MEDIA.values())}")
    found = search_offerings(current_app.extensions["commons"], current_audience(), market_search())
    body, media = {GEOJSON: _geojson, "text/csv": _csv}.get(wanted, _json)(found, wanted)
    response = Response(body, mimetype=media)
    response.headers["Vary"] = "Accept, Authorization"
    return response


def _json(found: MarketResults, media: str) -> tuple[str, str]:
    document: dict = {"results": found.results, "total": found.total, "facets": found.facets}
    if media == "application/ld+json":
        document = {"@context": CONTEXT, **document}
    return json.dumps(document, ensure_ascii=False), media


def _geojson(found: MarketResults, media: str) -> tuple[str, str]:
    features = [{"type": "Feature", "id": r["uri"],
                 "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
                 "properties": {k: r[k] for k in ("uri", "kind", "title", "coop", "coop_name")}}
                for r in found.results if r["lat"] is not None]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False), media


def _csv(found: MarketResults, media: str) -> tuple[str, str]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for r in found.results:
        cells = [";".join(v) if isinstance(v := r.get(c), list) else "" if v is None else str(v) for c in CSV_COLUMNS]
        writer.writerow([safe_cell(c) for c in cells])  # no cell a spreadsheet runs as a formula
    return out.getvalue(), "text/csv; charset=utf-8"


FACET_NAMES = {"category": "Category", "certification": "Certification", "kind_of_coop": "Kind of co-op",
               "place": "Place", "area_served": "Area served"}


def _label(value: str) -> str:
    for vocabulary in (categories(), certifications()):
        if value in vocabulary.by_iri:
            return vocabulary.by_iri[value].label()
    return value.rstrip("/").rsplit("/", 1)[-1] if value.startswith("http") else value


@bp.route("/market")
def market_page() -> Response:
    """The same search as /api/market, for people."""
    commons = current_app.extensions["commons"]
    found = search_offerings(commons, current_audience(), market_search())
    base = commons.uris.base
    return Response(render_template(
        "market/market.html", found=found, s=market_search(), facet_names=FACET_NAMES,
        label=_label, page=lambda iri: page_for(base, iri), chosen=request.args.getlist,
        api="/api/market?" + request.query_string.decode("ascii", "replace"),
    ), mimetype="text/html")
