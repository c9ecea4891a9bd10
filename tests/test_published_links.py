"""A client that sends `Host: evil.example` gets the same links as everyone: every link the
commons publishes (JSON-LD contexts, search results, sitemaps, VoID, the catalogue, the
service description, OpenAPI, embeds) starts with the configured public URL. Over real HTTP."""
from __future__ import annotations

import json

import pytest

from .conftest import Server
from .test_imports_http import CHANGED, multipart
from .webclient import bearer, fetch

EVIL = {"Host": "evil.example"}

PUBLISHED = [
    ("/id/alpha/rd-1", {"Accept": "application/ld+json"}),
    ("/api/search?q=bakery", {}),
    ("/api/search?q=bakery&format=geojson", {}),
    ("/search?q=bakery", {"Accept": "text/html"}),
    ("/sitemap.xml", {}),
    ("/sitemaps/pages.xml", {}),
    ("/sitemaps/coops-1.xml", {}),
    ("/robots.txt", {}),
    ("/void", {"Accept": "text/turtle"}),
    ("/.well-known/void", {"Accept": "text/turtle"}),
    ("/catalog", {"Accept": "text/turtle"}),
    ("/sparql", {"Accept": "text/turtle"}),
    ("/sparql", {"Accept": "text/html"}),
    ("/api/openapi.json", {}),
    ("/embed?q=bakery", {}),
    ("/widget", {}),
    ("/queries", {"Accept": "application/json"}),
    ("/data", {"Accept": "text/html"}),
]


@pytest.mark.parametrize("path, headers", PUBLISHED, ids=[p + " " + h.get("Accept", "") for p, h in PUBLISHED])
def test_links_the_commons_publishes_never_follow_the_host_header(server: Server, path: str, headers: dict) -> None:
    honest = fetch(server.url + path, headers=headers)
    forged = fetch(server.url + path, headers={**headers, **EVIL})
    assert honest.status == forged.status == 200, (honest.status, forged.status)
    assert "evil.example" not in forged.text
    assert "evil.example" not in json.dumps(forged.headers)
    if server.url in honest.text:
        assert server.url in forged.text


def test_the_openapi_document_names_the_configured_server(server: Server) -> None:
    document = json.loads(fetch(server.url + "/api/openapi.json", headers=EVIL).body)
    assert [s["url"] for s in document["servers"]] == [server.url]


def test_a_preview_links_its_commit_under_the_configured_address(server: Server) -> None:
    token = server.world.tokens["alpha"]
    body, content_type = multipart({}, {"file": ("coops.csv", CHANGED)})
    reply = fetch(f"{server.url}/api/imports", data=body, method="POST",
                  headers={**bearer(token), "Content-Type": content_type, **EVIL})
    assert reply.status == 201, reply.text
    preview = json.loads(reply.body)
    assert preview["commit"].startswith(server.url + "/") and preview["discard"].startswith(server.url + "/")
    history = fetch(f"{server.url}/api/imports", headers={**bearer(token), **EVIL})
    assert "evil.example" not in history.text
