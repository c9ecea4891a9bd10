"""/api/openapi.json describes every API path the server has, and the answers have the shapes it
writes: an upload's preview, the review queue. The document itself is valid OpenAPI 3.1."""
from __future__ import annotations

import json
import re

from openapi_spec_validator import validate

from .conftest import Server
from .test_imports_http import upload
from .test_reconcile import BETA
from .webclient import bearer, fetch


def spec(server: Server) -> dict:
    return json.loads(fetch(f"{server.url}/api/openapi.json").body)


def test_the_document_is_valid_openapi(server: Server) -> None:
    validate(spec(server))


def test_every_api_route_is_documented(server: Server) -> None:
    documented = set(spec(server)["paths"])
    app = server.app
    routes = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule) for rule in app.url_map.iter_rules()}
    wanted = {r for r in routes if r.startswith("/api/") and r != "/api/openapi.json"} | {"/sparql", "/graph"}
    assert wanted and wanted <= documented, sorted(wanted - documented)


def test_an_upload_preview_has_the_documented_shape(server: Server) -> None:
    schemas = spec(server)["components"]["schemas"]
    preview = json.loads(upload(server, server.world.tokens["beta"], BETA, "beta.csv").body)
    assert set(preview) == set(schemas["ImportPreview"]["required"])
    assert set(preview["diff"]) == set(schemas["TableDiff"]["required"])
    bad = json.loads(upload(server, server.world.tokens["beta"], BETA.replace("43.65,-79.38", "143.65,-79.38"), "bad.csv").body)
    assert bad["errors"] and all(set(p) == set(schemas["Problem"]["required"]) for p in bad["errors"])


def test_the_review_queue_has_the_documented_shape(server: Server) -> None:
    tokens = server.world.tokens
    preview = json.loads(upload(server, tokens["beta"], BETA, "beta.csv").body)
    fetch(preview["commit"], method="POST", headers=bearer(tokens["beta"]), data=b"")
    queue = json.loads(fetch(f"{server.url}/api/review", headers=bearer(tokens["admin"])).body)
    documented = spec(server)["paths"]["/api/review"]["get"]["responses"]["200"]["content"]["application/json"]
    assert set(queue) == set(documented["schema"]["properties"])
    pair_keys = set(spec(server)["components"]["schemas"]["ReviewPair"]["required"])
    assert queue["pairs"] and all(set(p) == pair_keys for p in queue["pairs"])
