"""The OpenAPI description of the paths that need a token: reviewable imports (`endpoint/imports.py`),
the match review queue (`endpoint/review.py`), and the SPARQL protocol and Graph Store Protocol
paths (`endpoint/sparql.py`, `endpoint/graphstore.py`).

Kept beside `api_docs.py` (the read paths) so each module stays one screen of schema; the shapes
written here are the ones `imports.plan_json` and `review.queue` answer with, which tests check."""
from __future__ import annotations

MEMBER_TOKEN = [{"memberToken": []}]


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict[str, dict[str, str]]:
    said = {
        400: "A malformed request; the body says which parameter or field.",
        401: "No token, or a token the commons does not know.",
        403: "The token's audience may not do this (another member's data, or not an administrator).",
        404: "No such member, import or record.",
        409: "The member's data changed since the preview was made: upload again.",
        410: "The preview expired or was discarded.",
        422: "The file could not be read, or it has errors and skip_invalid was not asked for; "
             "every problem names its record (line), field and value.",
    }
    return {str(c): {"description": said[c]} for c in codes}


PROBLEM = {
    "type": "object", "required": ["position", "field", "value", "message", "severity"],
    "properties": {
        "position": {"type": "string", "description": "Where in the file: line or record number."},
        "field": {"type": ["string", "null"]},
        "value": {"type": ["string", "null"]},
        "message": {"type": "string"},
        "severity": {"type": "string", "enum": ["error", "warning"]},
    },
}

DIFF = {
    "type": "object", "required": ["summary", "added", "removed", "changed", "unchanged", "rows"],
    "properties": {
        "summary": {"type": "string"},
        "added": {"type": "integer"}, "removed": {"type": "integer"},
        "changed": {"type": "integer"}, "unchanged": {"type": "integer"},
        "rows": {"type": "array", "description": "The daff table diff, changed rows only: the first row "
                 "is the header, each cell as daff writes it (`old->new` for a changed value).",
                 "items": {"type": "array", "items": {"type": ["string", "null"]}}},
    },
}

PREVIEW = {
    "type": "object",
    "required": ["preview", "member", "source", "expires", "records", "skipped", "errors", "warnings",
                 "committable", "mass_removal", "diff", "commit", "discard"],
    "properties": {
        "preview": {"type": "string", "description": "The preview's id; nothing is written yet."},
        "member": {"type": "string"},
        "source": {"type": "string", "description": "The uploaded file's name."},
        "expires": {"type": "string", "format": "date-time"},
        "records": {"type": "integer"},
        "skipped": {"type": "integer", "description": "Invalid records left out (skip_invalid)."},
        "errors": {"type": "array", "items": _ref("Problem")},
        "warnings": {"type": "array", "items": _ref("Problem")},
        "committable": {"type": "boolean"},
        "mass_removal": {"type": ["string", "null"], "description": "Set when the import would remove "
                         "all or most of the member's records (an empty file?): the commit must then "
                         "say allow_remove_all=true."},
        "diff": _ref("TableDiff"),
        "commit": {"type": "string", "format": "uri", "description": "POST here to write it."},
        "discard": {"type": "string", "format": "uri", "description": "DELETE here to drop it."},
    },
}

PAIR = {
    "type": "object", "required": ["a", "b", "points", "evidence", "records"],
    "properties": {
        "a": {"type": "string", "format": "iri"}, "b": {"type": "string", "format": "iri"},
        "points": {"type": "number", "description": "How strongly the two records look alike."},
        "evidence": {"type": "array", "items": {"type": "object", "properties": {
            "what": {"type": "string"}, "points": {"type": "number"}}}},
        "records": {"type": "array", "items": {"type": "object", "properties": {
            "iri": {"type": "string"}, "member": {"type": ["string", "null"]},
            "values": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}}}},
    },
}

SCHEMAS = {"Problem": PROBLEM, "TableDiff": DIFF, "ImportPreview": PREVIEW, "ReviewPair": PAIR}

_PREVIEW_ID = {"name": "preview_id", "in": "path", "required": True, "schema": {"type": "string"}}
_MEMBER_NUMBER = [
    {"name": "member", "in": "path", "required": True, "schema": {"type": "string"}},
    {"name": "number", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1},
     "description": "The import's number in the member's history (1 = the first)."},
]
_SPARQL_RESULTS = ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                   "text/tab-separated-values", "text/turtle", "application/ld+json", "application/n-triples")
_RDF = ("text/turtle", "application/n-triples", "application/n-quads", "application/ld+json",
        "application/rdf+xml", "application/trig")


def paths() -> dict[str, object]:
    return {
        "/api/imports": {
            "post": {
                "summary": "Upload a member's records for review",
                "description": "Reads, maps and validates the file and compares it with what the member "
                               "has now. Nothing is written: the answer is a preview with its problems and "
                               "table diff, to commit or discard.",
                "security": MEMBER_TOKEN,
                "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                    "type": "object", "required": ["file"], "properties": {
                        "file": {"type": "string", "format": "binary",
                                 "description": "CSV, JSON, or RDF (Turtle, JSON-LD, RDF/XML, N-Triples)."},
                        "mapping": {"type": "string", "format": "binary",
                                    "description": "A TOML column mapping for a CSV of any shape."},
                        "format": {"type": "string", "description": "Overrides the format guessed from the name."},
                        "member": {"type": "string", "description": "Administrators: the member it is for."},
                        "skip_invalid": {"type": "boolean", "description": "Commit the valid records only."},
                    }}}}},
                "responses": {"201": _json("The preview.", _ref("ImportPreview")), **_errors(400, 401, 403, 404, 422)},
            },
            "get": {
                "summary": "A member's import history",
                "security": MEMBER_TOKEN,
                "parameters": [{"name": "member", "in": "query", "required": False, "schema": {"type": "string"},
                                "description": "Administrators: whose history."}],
                "responses": {"200": _json("Committed imports, newest last.", {"type": "object", "properties": {
                    "member": {"type": "string"},
                    "imports": {"type": "array", "items": {"type": "object", "properties": {
                        "number": {"type": "integer"}, "committed": {"type": "string"},
                        "source": {"type": "string"}, "summary": {"type": "string"},
                        "diff": {"type": "string", "format": "uri"}}}}}}),
                    **_errors(400, 401, 403, 404)},
            },
        },
        "/api/imports/previews/{preview_id}": {
            "parameters": [_PREVIEW_ID],
            "get": {"summary": "A preview, checked again against the member's current data",
                    "security": MEMBER_TOKEN,
                    "responses": {"200": _json("The preview.", _ref("ImportPreview")), **_errors(401, 403, 409, 410)}},
            "delete": {"summary": "Discard a preview", "security": MEMBER_TOKEN,
                       "responses": {"204": {"description": "Gone (or already gone)."}, **_errors(401, 403)}},
        },
        "/api/imports/previews/{preview_id}/commit": {
            "parameters": [_PREVIEW_ID],
            "post": {"summary": "Write a preview: all of it, in one transaction, or nothing",
                     "description": "An import that removes all or most of the member's records is "
                                    "refused (422) unless the query or body says allow_remove_all=true.",
                     "security": MEMBER_TOKEN,
                     "responses": {"200": _json("Written.", {"type": "object", "properties": {
                         "import": {"type": "string", "format": "iri", "description": "The import's provenance record."},
                         "number": {"type": "integer"}}}), **_errors(401, 403, 409, 410, 422)}},
        },
        "/api/imports/{member}/{number}": {
            "parameters": _MEMBER_NUMBER,
            "get": {"summary": "One past import and its table diff", "security": MEMBER_TOKEN,
                    "responses": {"200": _json("The import.", {"type": "object", "properties": {
                        "member": {"type": "string"}, "number": {"type": "integer"},
                        "committed": {"type": "string"}, "source": {"type": "string"}, "diff": _ref("TableDiff")}}),
                        **_errors(401, 403, 404)}},
        },
        "/api/imports/{member}/{number}/rollback": {
            "parameters": _MEMBER_NUMBER,
            "post": {"summary": "Preview going back to the data as that import left it",
                     "description": "Answers with a preview (its diff shows what going back changes); commit it to roll back.",
                     "security": MEMBER_TOKEN,
                     "responses": {"201": _json("The rollback's preview.", _ref("ImportPreview")), **_errors(401, 403, 404)}},
        },
        "/api/review": {
            "get": {"summary": "The queue of possible matches between members' records (administrators)",
                    "security": MEMBER_TOKEN,
                    "parameters": [{"name": "offset", "in": "query", "required": False,
                                    "schema": {"type": "integer", "minimum": 0, "default": 0}}],
                    "responses": {"200": _json("A page of pairs, most likely first.", {"type": "object", "properties": {
                        "pairs": {"type": "array", "items": _ref("ReviewPair")}, "total": {"type": "integer"},
                        "offset": {"type": "integer"}, "page": {"type": "integer"}}}), **_errors(400, 401, 403)}},
        },
        "/api/review/decisions": {
            "post": {"summary": "Accept or reject a pair: the decision outlives re-imports",
                     "security": MEMBER_TOKEN,
                     "requestBody": {"required": True, "content": {m: {"schema": {
                         "type": "object", "required": ["a", "b", "decision"], "properties": {
                             "a": {"type": "string", "format": "iri"}, "b": {"type": "string", "format": "iri"},
                             "decision": {"type": "string", "enum": ["accept", "reject"]}}}}
                         for m in ("application/json", "application/x-www-form-urlencoded")}},
                     "responses": {"200": _json("Recorded.", {"type": "object"}), **_errors(400, 401, 403)}},
        },
        "/sparql": {
            "get": {"summary": "SPARQL 1.1 Protocol: query",
                    "description": "Answers with what the audience may read. SERVICE reaches allow-listed endpoints only.",
                    "parameters": [
                        {"name": "query", "in": "query", "required": True, "schema": {"type": "string"}},
                        {"name": "default-graph-uri", "in": "query", "required": False,
                         "schema": {"type": "array", "items": {"type": "string"}}},
                        {"name": "named-graph-uri", "in": "query", "required": False,
                         "schema": {"type": "array", "items": {"type": "string"}}}],
                    "responses": {"200": {"description": "Results", "content": {m: {} for m in _SPARQL_RESULTS}},
                                  "400": {"description": "A malformed query, or a SERVICE not allowed."},
                                  "503": {"description": "The query ran past the time limit."}}},
            "post": {"summary": "SPARQL 1.1 Protocol: query or update (form or direct body)",
                     "description": "Updates need an administrator's token.",
                     "requestBody": {"content": {"application/sparql-query": {}, "application/sparql-update": {},
                                                 "application/x-www-form-urlencoded": {}}},
                     "responses": {"200": {"description": "Results", "content": {m: {} for m in _SPARQL_RESULTS}},
                                   "204": {"description": "Update done."}, **_errors(400, 401, 403)}},
        },
        "/graph": {
            "parameters": [{"name": "graph", "in": "query", "required": False, "schema": {"type": "string"},
                            "description": "The graph's IRI; or /graph/{name} names it directly."},
                           {"name": "default", "in": "query", "required": False, "allowEmptyValue": True,
                            "schema": {"type": "string"}}],
            "get": {"summary": "SPARQL 1.1 Graph Store Protocol: read a graph the audience may read",
                    "responses": {"200": {"description": "The graph", "content": {m: {} for m in _RDF}},
                                  **_errors(400, 404)}},
            **{method: {
                "summary": f"Graph Store Protocol: {verb}",
                "description": "A member writes its directory graph {base}/graph/{member}: the body goes "
                               "through the same mapping, validation and diff as an import, and is written "
                               "whole or not at all. Administrators also write workspace graphs. The "
                               "commons' own graphs are read-only (405).",
                "security": MEMBER_TOKEN,
                **({"requestBody": {"content": {m: {} for m in _RDF}}} if method != "delete" else {}),
                "responses": {"200": {"description": "Written; the body is the import's report."},
                              "201": {"description": "Created."}, "204": {"description": "Done."},
                              "405": {"description": "A graph the commons writes itself."},
                              **_errors(400, 401, 403, 404, 409)},
            } for method, verb in (("put", "replace a graph"), ("post", "add to a graph"),
                                   ("delete", "empty a graph"))},
        },
    }
