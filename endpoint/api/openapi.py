"""/api/openapi.json: the OpenAPI 3.1 description of the search API and the other read paths;
the paths that need a token come from `api_docs_write`.

The response shape written here is a promise: tests check that /api/search answers with
exactly these keys, so a change to one without the other fails."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify

from . import openapi_lists as api_docs_lists, openapi_members as api_docs_write
from ..web import published
from ..sparql.named_query_catalogue import catalogue
from ..search.query import DEFAULT_PER_PAGE, DEFAULT_RADIUS_KM, MAX_PER_PAGE

bp = Blueprint("api_docs", __name__)


def _facet_parameter(name: str, description: str, example: str) -> dict[str, object]:
    return {
        "name": name, "in": "query", "required": False, "description": description,
        "schema": {"type": "array", "items": {"type": "string"}}, "style": "form", "explode": True,
        "example": [example],
    }


SEARCH_PARAMETERS = [
    {"name": "q", "in": "query", "required": False,
     "description": "Words to find in names, descriptions, places and activity names (en/fr/es); "
                    "every word must match, as a word or its beginning; accents are ignored.",
     "schema": {"type": "string", "maxLength": 200}, "example": "bakery"},
    _facet_parameter("structure", "Organisational structure codes (OR within, AND across facets).", "OS60"),
    _facet_parameter("activity", "Economic activity codes.", "ICA210"),
    _facet_parameter("country", "ISO 3166 country codes.", "CA"),
    _facet_parameter("region", "Regions as addresses write them.", "ON"),
    _facet_parameter("member", "Member organisation ids (who lists the co-op).", "alpha"),
    {"name": "near", "in": "query", "required": False,
     "description": "Only co-ops within `radius` km of this point, nearest first.",
     "schema": {"type": "string", "pattern": r"^-?\d+(\.\d+)?,-?\d+(\.\d+)?$"}, "example": "45.5,-73.6"},
    {"name": "radius", "in": "query", "required": False, "description": "Kilometres around `near`.",
     "schema": {"type": "number", "minimum": 0.1, "maximum": 20000, "default": DEFAULT_RADIUS_KM}},
    {"name": "page", "in": "query", "required": False,
     "schema": {"type": "integer", "minimum": 1, "default": 1}},
    {"name": "per_page", "in": "query", "required": False,
     "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE}},
    {"name": "format", "in": "query", "required": False,
     "description": "json (default), jsonld, geojson (every matching co-op with a position, up to 5,000), "
                    "or csv (every matching co-op, all pages, as a download).",
     "schema": {"type": "string", "enum": ["json", "jsonld", "geojson", "csv"]}},
]

TAG = {"type": "object", "required": ["code", "label"], "properties": {
    "code": {"type": "string"}, "label": {"type": "string"}, "iri": {"type": ["string", "null"]}}}

SCHEMAS = {
    "Tag": TAG,
    "Coop": {
        "type": "object",
        "required": ["id", "url", "name", "description", "locality", "region", "country", "location",
                     "structures", "activities", "members"],
        "properties": {
            "id": {"type": "string", "format": "iri", "description": "The co-op's URI."},
            "url": {"type": "string", "format": "uri", "description": "Its page on this server."},
            "name": {"type": "string"},
            "description": {"type": ["string", "null"]},
            "locality": {"type": ["string", "null"]},
            "region": {"type": ["string", "null"]},
            "country": {"type": ["object", "null"], "properties": {
                "code": {"type": "string"}, "name": {"type": ["string", "null"]}}},
            "location": {"type": ["object", "null"], "properties": {
                "lat": {"type": "number"}, "lon": {"type": "number"}}},
            "structures": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}},
            "activities": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}},
            "members": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"},
                        "description": "Member organisations listing it (code: member id)."},
            "distance_km": {"type": "number", "description": "Only with `near`."},
        },
    },
    "FacetValue": {"type": "object", "required": ["value", "label", "count", "selected"], "properties": {
        "value": {"type": "string"}, "label": {"type": "string"}, "count": {"type": "integer"},
        "selected": {"type": "boolean"}}},
    "SearchResults": {
        "type": "object",
        "required": ["query", "total", "page", "per_page", "pages", "results", "facets", "links"],
        "properties": {
            "query": {"type": "object", "description": "The search as understood (parameters normalised)."},
            "total": {"type": "integer"},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "pages": {"type": "integer"},
            "results": {"type": "array", "items": {"$ref": "#/components/schemas/Coop"}},
            "facets": {
                "type": "object",
                "description": "Per facet, its values' counts with every other facet's filter applied.",
                "properties": {f: {"type": "array", "items": {"$ref": "#/components/schemas/FacetValue"}}
                               for f in ("structure", "activity", "country", "region", "member")},
            },
            "links": {"type": "object", "required": ["self", "html", "next", "prev"], "properties": {
                "self": {"type": "string"}, "html": {"type": "string"},
                "next": {"type": ["string", "null"]}, "prev": {"type": ["string", "null"]}}},
        },
    },
}


def document(server: str) -> dict[str, object]:
    paths: dict[str, object] = {
        "/api/search": {"get": {
            "summary": "Search the directory",
            "description": "The same search as the /search page and the widget. Anonymous requests see "
                           "public data; a member organisation's bearer token adds members-only values.",
            "parameters": SEARCH_PARAMETERS,
            "responses": {
                "200": {"description": "One page of results with facet counts.", "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/SearchResults"}},
                    "application/ld+json": {"schema": {"$ref": "#/components/schemas/SearchResults"}},
                    "application/geo+json": {"schema": {"type": "object"}},
                    "text/csv": {"schema": {"type": "string"}},
                }},
                "400": {"description": "A malformed parameter; the body says which."},
            },
        }},
        "/id/{path}": {"get": {
            "summary": "Dereference a URI of the commons",
            "parameters": [{"name": "path", "in": "path", "required": True, "schema": {"type": "string"},
                            "description": "e.g. alpha/rd-1, member/alpha, or with an extension (.ttl, .jsonld, .rdf, .nt, .nq, .html)"}],
            "responses": {"200": {"description": "The resource in the negotiated format.", "content": {
                m: {} for m in ("text/html", "text/turtle", "application/ld+json", "application/rdf+xml",
                                "application/n-triples", "application/n-quads")}},
                "304": {"description": "Not modified (If-None-Match / If-Modified-Since)."},
                "404": {"description": "Unknown, or nothing this audience may read."}},
        }},
        "/dumps/commons.nq.gz": {"get": {
            "summary": "Everything the audience may read, gzipped N-Quads",
            "responses": {"200": {"description": "A gzip file", "content": {"application/gzip": {}}}},
        }},
    }
    paths.update(api_docs_write.paths())
    paths.update(api_docs_lists.paths())  # mailing lists (endpoint/optin.py)
    for q in catalogue().values():
        paths[f"/queries/{q.name}"] = {"get": {
            "summary": q.title, "description": q.description,
            "parameters": [
                {"name": p.name, "in": "query", "required": p.required, "description": p.description,
                 "schema": {"type": "integer" if p.type == "integer" else "string",
                            **({"default": int(p.default) if p.type == "integer" else p.default}
                               if p.default is not None else {})}}
                for p in q.parameters
            ] + [{"name": "format", "in": "query", "required": False,
                  "schema": {"type": "string", "enum": ["json", "xml", "csv", "tsv", "html"]}}],
            "responses": {"200": {"description": "SPARQL results", "content": {
                m: {} for m in ("application/sparql-results+json", "application/sparql-results+xml",
                                "text/csv", "text/tab-separated-values", "text/html")}}},
        }}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Data Commons API",
            "version": "1",
            "description": "Find co-operatives shared by their federations. Responses depend on the "
                           "audience: send `Authorization: Bearer <token>` as a member organisation.",
            "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
        },
        "servers": [{"url": server}],
        "paths": paths,
        "components": {
            "schemas": {**SCHEMAS, **api_docs_write.SCHEMAS},
            "securitySchemes": {"memberToken": {"type": "http", "scheme": "bearer"}},
        },
    }


@bp.route("/api/openapi.json")
def openapi() -> Response:
    return jsonify(document(published.root()))
