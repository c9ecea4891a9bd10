"""The response cache is exact: an answer is served again only to askers reading the same
graphs, for the same request, at the same store version; a write changes answers at once."""
from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from waitress import create_server

from endpoint.app import create_app
from endpoint.web.response_cache import ResponseCache

from .conftest import CORE_CSV, World, load_text, publish_at, stop_server
from .webclient import bearer, fetch

COOP_PATH = "/id/alpha/rd-1"


@dataclass
class Served:
    url: str
    world: World
    cache: ResponseCache
    app: Flask


def serve(world: World, **install) -> Iterator[Served]:
    app = create_app(world.commons)
    cache = app.extensions["response_cache"]
    if install:
        from endpoint.web import response_cache

        app.wsgi_app = cache.app  # put a differently sized cache in its place
        cache = response_cache.install(app, **install)
    wsgi = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=wsgi.run, daemon=True)
    thread.start()
    yield Served(publish_at(app, f"http://127.0.0.1:{wsgi.effective_port}"), world, cache, app)
    stop_server(wsgi, thread)


@pytest.fixture
def served(world: World) -> Iterator[Served]:
    yield from serve(world)


def test_a_repeated_request_is_answered_from_the_cache_with_the_same_answer(served: Served) -> None:
    for accept in ("text/html", "text/turtle"):
        first = fetch(served.url + COOP_PATH, headers={"Accept": accept})
        hits = served.cache.hits
        again = fetch(served.url + COOP_PATH, headers={"Accept": accept})
        assert served.cache.hits == hits + 1
        assert (again.status, again.body) == (first.status, first.body)
        assert again.headers["etag"] == first.headers["etag"]
        assert again.headers["vary"] == "Accept, Authorization"
        assert again.headers["content-type"] == first.headers["content-type"]


def test_a_write_changes_the_answer_at_once(served: Served, tmp_path) -> None:
    before = fetch(served.url + COOP_PATH, headers={"Accept": "text/turtle"})
    fetch(served.url + COOP_PATH, headers={"Accept": "text/turtle"})  # now kept
    search = json.loads(fetch(served.url + "/api/search?q=bakery").body)
    assert [r["name"] for r in search["results"]] == ["Red Door Bakery Co-op"]
    changed = CORE_CSV.replace("Red Door Bakery Co-op", "Blue Door Bakery Co-op")
    load_text(served.world.commons, "alpha", changed, tmp_path, "changed.csv")
    after = fetch(served.url + COOP_PATH, headers={"Accept": "text/turtle"})
    assert "Blue Door Bakery Co-op" in after.text and "Red Door" not in after.text
    assert after.headers["etag"] != before.headers["etag"]
    page = fetch(served.url + COOP_PATH, headers={"Accept": "text/html"})
    assert "Blue Door Bakery Co-op" in page.text
    search = json.loads(fetch(served.url + "/api/search?q=bakery").body)
    assert [r["name"] for r in search["results"]] == ["Blue Door Bakery Co-op"]


def test_members_and_the_public_never_share_answers(served: Served) -> None:
    member = bearer(served.world.tokens["beta"])
    for accept in ("text/html", "text/turtle"):
        for _ in range(2):  # the second public request is a hit: still nothing members-only
            public = fetch(served.url + COOP_PATH, headers={"Accept": accept})
            assert public.status == 200 and "info@reddoorbakery.coop" not in public.text
        for _ in range(2):
            seen = fetch(served.url + COOP_PATH, headers={"Accept": accept, **member})
            assert "info@reddoorbakery.coop" in seen.text and "1 Main St" in seen.text
        public = fetch(served.url + COOP_PATH, headers={"Accept": accept})
        assert "info@reddoorbakery.coop" not in public.text and "1 Main St" not in public.text


def test_an_unlisted_coop_stays_hidden_from_the_public_after_members_read_it(served: Served) -> None:
    """rd-3 is not listed publicly: a member's 200 is never given to the public."""
    member = bearer(served.world.tokens["beta"])
    for _ in range(2):
        assert fetch(served.url + "/id/alpha/rd-3", headers={"Accept": "text/turtle", **member}).status == 200
    assert fetch(served.url + "/id/alpha/rd-3", headers={"Accept": "text/turtle"}).status == 404


def test_members_reading_different_graphs_never_share_answers(served: Served) -> None:
    """alpha also reads its own private graph and import log, beta its own: each gets the
    answer made for it (the ETag names the audience), again and again."""
    tags: dict[str, set[str]] = {"alpha": set(), "beta": set()}
    for _ in range(3):
        for member in tags:
            reply = fetch(served.url + COOP_PATH, headers={"Accept": "text/turtle", **bearer(served.world.tokens[member])})
            tags[member].add(reply.headers["etag"])
    assert len(tags["alpha"]) == len(tags["beta"]) == 1 and tags["alpha"] != tags["beta"]


def test_a_revoked_or_unknown_token_is_refused_even_for_a_kept_answer(served: Served) -> None:
    token = served.world.tokens["beta"]
    for _ in range(2):
        assert fetch(served.url + COOP_PATH, headers={"Accept": "text/html", **bearer(token)}).status == 200
    served.world.commons.system.revoke_tokens("beta")
    assert fetch(served.url + COOP_PATH, headers={"Accept": "text/html", **bearer(token)}).status == 401
    assert fetch(served.url + COOP_PATH, headers={"Accept": "text/html", "Authorization": "Basic eDp5"}).status == 401


def test_conditional_and_head_requests_on_a_kept_answer(served: Served) -> None:
    first = fetch(served.url + COOP_PATH, headers={"Accept": "text/turtle"})
    fetch(served.url + COOP_PATH, headers={"Accept": "text/turtle"})
    hits = served.cache.hits
    again = fetch(served.url + COOP_PATH, headers={"Accept": "text/turtle", "If-None-Match": first.headers["etag"]})
    assert again.status == 304 and again.body == b"" and again.headers["etag"] == first.headers["etag"]
    assert served.cache.hits == hits + 1
    other = fetch(served.url + COOP_PATH, headers={"Accept": "text/turtle", "If-None-Match": '"nope"'})
    assert other.status == 200 and other.body == first.body
    head = fetch(served.url + COOP_PATH, headers={"Accept": "text/turtle"}, method="HEAD")
    assert head.status == 200 and head.body == b""
    assert head.headers["content-length"] == str(len(first.body))


def test_negotiation_and_hosts_are_part_of_the_key(served: Served) -> None:
    for _ in range(2):
        turtle = fetch(served.url + COOP_PATH, headers={"Accept": "text/turtle"})
        html = fetch(served.url + COOP_PATH, headers={"Accept": "text/html"})
        assert turtle.headers["content-type"].startswith("text/turtle")
        assert html.headers["content-type"].startswith("text/html")
    for _ in range(2):
        linked = json.loads(fetch(served.url + COOP_PATH, headers={"Accept": "application/ld+json"}).body)
        assert linked["@context"].startswith(served.url)
        other_host = json.loads(fetch(served.url + COOP_PATH, headers={
            "Accept": "application/ld+json", "Host": "elsewhere.example"}).body)
        assert other_host["@context"] == linked["@context"]  # links never follow the Host header


def test_errors_and_streams_are_never_kept(served: Served) -> None:
    for _ in range(2):
        assert fetch(served.url + "/id/alpha/nope", headers={"Accept": "text/html"}).status == 404
        assert fetch(served.url + "/api/search?near=oops").status == 400
    assert len(served.cache) == 0


def test_the_cache_keeps_within_its_byte_budget(world: World) -> None:
    for served in serve(world, max_bytes=64 * 1024):
        for path in ("/id/alpha/rd-1", "/id/alpha/rd-2", "/id/member/alpha", "/api/search?q=co", "/", "/vocab"):
            for accept in ("text/html", "text/turtle", "application/json"):
                fetch(served.url + path, headers={"Accept": accept})
        assert 0 < served.cache.bytes <= 64 * 1024


def test_the_search_index_answers_from_its_file_after_a_restart(world: World) -> None:
    """An index current for the store version is not rebuilt when a server starts again."""
    for served in serve(world):
        assert json.loads(fetch(served.url + "/api/search?q=bakery").body)["total"] == 1
    folder = world.commons.path / "search"
    built = {p.name: p.stat().st_mtime_ns for p in folder.glob("*.sqlite3")}
    for served in serve(world):
        assert json.loads(fetch(served.url + "/api/search?q=bakery").body)["total"] == 1
    assert {p.name: p.stat().st_mtime_ns for p in folder.glob("*.sqlite3")} == built




def test_an_index_file_of_an_older_layout_is_rebuilt_before_it_is_used(world: World) -> None:
    import sqlite3

    for served in serve(world):
        assert json.loads(fetch(served.url + "/api/search?q=bakery").body)["total"] == 1
    (path,) = (world.commons.path / "search").glob("anonymous-*.sqlite3")
    db = sqlite3.connect(path)
    db.execute("DROP TABLE facet_bits")
    db.execute("UPDATE meta SET value = '1:' || substr(value, 3) WHERE key = 'state'")
    db.commit()
    db.close()
    for served in serve(world):
        assert json.loads(fetch(served.url + "/api/search?q=bakery").body)["total"] == 1


def test_while_a_first_index_is_built_other_searches_are_told_to_retry_and_pages_still_serve(
    world: World, monkeypatch
) -> None:
    """A first build (a new store) can take minutes at 100,000 co-ops: searches that find one
    under way wait a moment, then answer 503 with Retry-After instead of holding a thread."""
    from datacommons.audience import ANONYMOUS
    from endpoint.search import index as search_index

    monkeypatch.setattr(search_index, "STALE_WAIT", 0.2)
    for served in serve(world):
        indexes = served.app.extensions["search_indexes"]
        under_way = indexes._first[ANONYMOUS.key] = threading.Event()  # as a first build running elsewhere
        busy = fetch(served.url + "/api/search?q=bakery")
        assert busy.status == 503 and busy.headers["retry-after"] == "5"
        assert fetch(served.url + COOP_PATH, headers={"Accept": "text/html"}).status == 200
        del indexes._first[ANONYMOUS.key]
        under_way.set()
        assert json.loads(fetch(served.url + "/api/search?q=bakery").body)["total"] == 1
