"""A page and its JSON twin come from one view (datasette's habit): the review queue answers the
same pairs at /api/review, /review.json and /review with `Accept: application/json`, and the
HTML page at /review shows them."""
from __future__ import annotations

import json

from .conftest import Server
from .test_imports_http import upload
from .test_reconcile import BETA
from .webclient import bearer, fetch


def _one_uncertain_pair(server: Server) -> None:
    tokens = server.world.tokens
    preview = json.loads(upload(server, tokens["beta"], BETA, "beta.csv").body)
    fetch(preview["commit"], method="POST", headers=bearer(tokens["beta"]), data=b"")


def test_an_administrator_gets_the_same_review_queue_as_json_from_every_door(server: Server) -> None:
    _one_uncertain_pair(server)
    admin = bearer(server.world.tokens["admin"])
    api = json.loads(fetch(f"{server.url}/api/review", headers=admin).body)
    assert len(api["pairs"]) == 1
    suffixed = fetch(f"{server.url}/review.json", headers=admin)
    assert suffixed.headers["content-type"].startswith("application/json")
    assert json.loads(suffixed.body) == api
    negotiated = fetch(f"{server.url}/review", headers={"Accept": "application/json", **admin})
    assert json.loads(negotiated.body) == api
    page = fetch(f"{server.url}/review", headers={"Accept": "text/html", **admin})
    assert page.headers["content-type"].startswith("text/html")
    assert "Prairie Harvest Grain Co-operative" in page.text


def test_a_member_who_is_not_an_administrator_gets_no_review_queue_from_any_door(server: Server) -> None:
    _one_uncertain_pair(server)
    member = bearer(server.world.tokens["alpha"])
    for path in ("/api/review", "/review.json", "/review"):
        assert fetch(f"{server.url}{path}", headers=member).status == 403, path
        assert fetch(f"{server.url}{path}").status == 401, path


def test_a_member_gets_the_same_past_import_as_json_from_every_door(server: Server) -> None:
    _one_uncertain_pair(server)  # beta's first import
    beta = bearer(server.world.tokens["beta"])
    api = json.loads(fetch(f"{server.url}/api/imports/beta/1", headers=beta).body)
    assert (api["member"], api["number"]) == ("beta", 1)
    assert json.loads(fetch(f"{server.url}/imports/beta/1.json", headers=beta).body) == api
    negotiated = fetch(f"{server.url}/imports/beta/1", headers={"Accept": "application/json", **beta})
    assert json.loads(negotiated.body) == api
    page = fetch(f"{server.url}/imports/beta/1", headers={"Accept": "text/html", **beta})
    assert page.headers["content-type"].startswith("text/html") and "beta.csv" in page.text


def test_another_member_sees_no_past_import_of_beta_from_any_door(server: Server) -> None:
    _one_uncertain_pair(server)
    alpha = bearer(server.world.tokens["alpha"])
    for path in ("/api/imports/beta/1", "/imports/beta/1.json", "/imports/beta/1"):
        assert fetch(f"{server.url}{path}", headers=alpha).status == 403, path
