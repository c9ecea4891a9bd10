"""Requests the fuzzing of issue 11 (finding 10) answered with a 500 and a traceback: each gets a
4xx with a clear message now, over real HTTP."""
from __future__ import annotations

from .conftest import Server
from .webclient import bearer, fetch

HUGE = "9" * 40  # past SQLite's 64-bit integers, and past sys.maxsize


def test_huge_numbers_in_paths_are_pages_that_do_not_exist(server: Server) -> None:
    token = server.world.tokens["alpha"]
    assert fetch(f"{server.url}/sitemaps/coops-{HUGE}.xml").status == 404
    assert fetch(f"{server.url}/api/imports/alpha/{HUGE}", headers=bearer(token)).status == 404
    page = fetch(f"{server.url}/imports/alpha/{HUGE}", headers={**bearer(token), "Accept": "text/html"})
    assert page.status == 404


def test_a_huge_named_query_offset_is_explained(server: Server) -> None:
    reply = fetch(f"{server.url}/queries/coops-by-region?region=MN&offset={HUGE}&format=json")
    assert reply.status == 400 and "offset must be at most" in reply.text


def test_a_host_label_too_long_for_dns_gets_a_400_even_from_a_browser(server: Server) -> None:
    reply = fetch(f"{server.url}/", headers={"Host": "a" * 70 + ".example", "Accept": "text/html"})
    assert reply.status == 400
