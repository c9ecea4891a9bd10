"""The directory: the search page (/search) and its JSON twin (/api/search), one view path.

Both take the same parameters (q, structure, activity, country, region, member, near, radius,
page, per_page; see openapi.py) and run the same search against the index of the request's
audience, so what the website, the API and the embedded widget show never differs, and no
one sees through search what the access decision does not grant them.
"""
from __future__ import annotations

import json
import re

from flask import Blueprint, Response, current_app, render_template, request, url_for
from werkzeug.exceptions import BadRequest, ServiceUnavailable

from datacommons.vocab import COOP_CONCEPT, SCHEME_ACTIVITY, SCHEME_STRUCTURE

from . import csv_rows as search_csv
from ..web import negotiate, published, response_cache
from ..web.audience import current_audience
from ..web.iri_paths import page_for
from .index import Index, IndexNotReady, SearchIndexes
from .query import Results, Search, SearchError, run

bp = Blueprint("directory", __name__, template_folder="templates")

FACET_NAMES = {
    "structure": "Kind of co-op", "activity": "Activity", "country": "Country",
    "region": "Region", "member": "Listed by",
}
GEOJSON = "application/geo+json"
API_CONTEXT = {
    "@vocab": "https://w3id.org/coop-commons/search#",
    "hydra": "http://www.w3.org/ns/hydra/core#",
    "id": "@id",
    "iri": "@id",
    "results": {"@id": "hydra:member", "@container": "@list"},
    "total": "hydra:totalItems",
    "name": "http://purl.org/goodrelations/v1#name",
    "description": "http://purl.org/dc/terms/description",
    "locality": "http://www.w3.org/2006/vcard/ns#locality",
    "region": "http://www.w3.org/2006/vcard/ns#region",
    "lat": "http://www.w3.org/2003/01/geo/wgs84_pos#lat",
    "lon": "http://www.w3.org/2003/01/geo/wgs84_pos#long",
    "structures": "http://purl.org/essglobal/vocab/organisationalStructure",
    "activities": "http://purl.org/essglobal/vocab/economicSector",
    "members": "https://w3id.org/coop-commons/vocab#listedBy",
    "label": "http://www.w3.org/2004/02/skos/core#prefLabel",
    "code": "http://www.w3.org/2004/02/skos/core#notation",
}


def search_indexes() -> SearchIndexes:
    return current_app.extensions["search_indexes"]


def search(fixed: dict[str, tuple[str, ...]] | None = None) -> Results:
    """Run the request's search for the request's audience (400 for a malformed parameter)."""
    try:
        wanted = Search.from_args(request.args, fixed)
    except SearchError as e:
        raise BadRequest(str(e)) from None
    index = open_index()
    if index.current:  # an answer from an index a write behind is not kept
        response_cache.keep()
    return run(index, wanted)


def open_index() -> Index:
    """The request's audience's search index (503, try again, while its first build runs)."""
    try:
        return search_indexes().open(current_audience())
    except IndexNotReady as e:
        raise ServiceUnavailable(str(e), retry_after=5) from None


def facet_for_concept(iri: str) -> tuple[str, str] | None:
    """(facet, code) under which the directory filters by this concept, if it does."""
    for facet, namespaces in (
        ("structure", (str(SCHEME_STRUCTURE), f"{COOP_CONCEPT}structure/")),
        ("activity", (str(SCHEME_ACTIVITY), f"{COOP_CONCEPT}activity/")),
    ):
        for ns in namespaces:
            if iri.startswith(ns):
                return facet, iri[len(ns):]
    return None


@bp.route("/search")
def search_page() -> Response:
    results = search()
    if request.args.get("format") == "csv":
        return _csv(results)
    wants = negotiate.best(request, ["text/html", "application/json", "text/csv"], {}, "text/html")
    if wants == "text/csv":
        return _csv(results)
    if wants == "application/json":
        return _json(results)
    base = current_app.extensions["commons"].uris.base
    points = [{**p, "href": page_for(base, str(p["id"]))} for p in results.points]
    return Response(render_template(
        "search.html", results=results, s=results.search, facet_names=FACET_NAMES,
        points=points, base=base, settings=current_app.config["DATACOMMONS"],
    ), mimetype="text/html")


@bp.route("/api/search")
def api_search() -> Response:
    results = search()
    fmt = request.args.get("format", "")
    if fmt == "geojson":
        return _geojson(results)
    if fmt == "csv":
        return _csv(results)
    if fmt and fmt not in ("json", "jsonld"):
        raise BadRequest(f"format {fmt!r} is not offered; use json, jsonld, geojson or csv")
    wanted = {"json": "application/json", "jsonld": "application/ld+json"}.get(fmt) or negotiate.best(
        request, ["application/json", "application/ld+json", GEOJSON, "text/csv"], {}, "application/json")
    if wanted == GEOJSON:
        return _geojson(results)
    if wanted == "text/csv":
        return _csv(results)
    return _json(results, linked=wanted == "application/ld+json")


def api_document(results: Results) -> dict[str, object]:
    """The API's response: stable keys, documented in /api/openapi.json (SearchResults)."""
    s = results.search
    root = published.root()
    base = current_app.extensions["commons"].uris.base
    api = root + url_for("directory.api_search")

    def link(**changes: object) -> str:
        qs = s.query_string(**changes)
        return f"{api}?{qs}" if qs else api

    rows = [{**r, "url": _absolute(root, page_for(base, str(r["id"])))} for r in results.rows]
    return {
        "query": s.as_dict(),
        "total": results.total,
        "page": s.page,
        "per_page": s.per_page,
        "pages": results.pages,
        "results": rows,
        "facets": results.facets,
        "links": {
            "self": link(),
            "html": root + url_for("directory.search_page") + (f"?{s.query_string()}" if s.query_string() else ""),
            "next": link(page=s.page + 1) if s.page < results.pages else None,
            "prev": link(page=s.page - 1) if s.page > 1 else None,
        },
    }


def _absolute(root: str, path: str) -> str:
    return root + path if path.startswith("/") else path


def _json(results: Results, linked: bool = False) -> Response:
    document = api_document(results)
    media = "application/json"
    if linked:
        document = {"@context": API_CONTEXT, "@type": "hydra:Collection", **document}
        media = "application/ld+json"
    response = Response(json.dumps(document, ensure_ascii=False), mimetype=media)
    response.headers["Vary"] = "Accept, Authorization"
    return response


def _geojson(results: Results) -> Response:
    root = published.root()
    base = current_app.extensions["commons"].uris.base
    features = [
        {"type": "Feature", "id": p["id"],
         "geometry": {"type": "Point", "coordinates": [p["lon"], p["lat"]]},
         "properties": {"name": p["name"], "url": _absolute(root, page_for(base, str(p["id"])))}}
        for p in results.points
    ]
    response = Response(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
                        mimetype=GEOJSON)
    response.headers["Vary"] = "Accept, Authorization"
    return response


def _csv(results: Results) -> Response:
    """Every match of the search as a CSV download, named after the search."""
    root = published.root()
    base = current_app.extensions["commons"].uris.base
    body = search_csv.render(results.every_row(), lambda iri: _absolute(root, page_for(base, iri)))
    response = Response(body, mimetype="text/csv")
    response.charset = "utf-8"
    name = "-".join(w for w in re.findall(r"[A-Za-z0-9]+", results.search.q.lower())[:5]) or "all"
    response.headers["Content-Disposition"] = f'attachment; filename="coops-{name}.csv"'
    response.headers["Vary"] = "Accept, Authorization"
    return response
