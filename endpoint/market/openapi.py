"""The marketplace's paths in /api/openapi.json."""
from __future__ import annotations


def _param(name: str, description: str, many: bool = False) -> dict:
    schema = {"type": "array", "items": {"type": "string"}} if many else {"type": "string"}
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema, **({"explode": True} if many else {})}


def paths() -> dict:
    result = {"type": "object", "required": ["uri", "kind", "title", "coop"], "properties": {
        "uri": {"type": "string", "description": "the /id/offer/... or /id/demand/... IRI"},
        "kind": {"type": "string", "enum": ["offer", "demand"]},
        "title": {"type": "string"}, "coop": {"type": "string"}}}
    document = {"type": "object", "required": ["results", "total", "facets"], "properties": {
        "results": {"type": "array", "items": result}, "total": {"type": "integer"},
        "facets": {"type": "object"}}}
    return {"/api/market": {"get": {
        "summary": "Buyers' search: who sells (or seeks) what, near where",
        "description": "Offerings and demands the audience may read (anonymous: public ones of "
                       "listed co-ops; a member's bearer token adds members-only values).",
        "parameters": [
            _param("q", "words in the title, description or co-op's name"),
            _param("category", "a UNSPSC or NAICS code, label or concept IRI", True),
            _param("certification", "a certification (fair-trade, organic, union-made...)", True),
            _param("kind_of_coop", "an organisational-structure concept IRI", True),
            _param("place", "the co-op's locality", True),
            _param("area_served", "a country code or place name the offering serves", True),
            _param("kind", "offer or demand"),
            _param("near", "lat,lon: sort by distance from this point"),
            _param("radius", "km around near"),
            _param("serves", "lat,lon: only offerings whose served circle contains this point"),
            _param("format", "json, jsonld, geojson or csv (else by Accept)"),
        ],
        "responses": {
            "200": {"description": "Every match, with facet counts.", "content": {
                "application/json": {"schema": document}, "application/ld+json": {"schema": document},
                "application/geo+json": {"schema": {"type": "object"}}, "text/csv": {"schema": {"type": "string"}}}},
            "400": {"description": "A malformed parameter; the body says which."},
        },
    }}}
