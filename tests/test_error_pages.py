"""A person who follows a broken link or types a bad search gets the directory's styled error
page in every browser; curl and API clients keep the one plain line they can read."""
from __future__ import annotations

import pytest

from .directory_world import Directory, directory  # noqa: F401
from .webclient import fetch

# The Accept headers the browsers send for a page (Chromium 120+, Firefox 128).
CHROMIUM_ACCEPT = ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
                   "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7")
FIREFOX_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
BROKEN = {404: "/id/alpha/no-such-coop", 400: "/search?near=somewhere"}


@pytest.mark.parametrize("status", sorted(BROKEN))
@pytest.mark.parametrize("accept", [CHROMIUM_ACCEPT, FIREFOX_ACCEPT], ids=["chromium", "firefox"])
def test_a_browser_gets_the_styled_error_page(directory: Directory, status: int, accept: str) -> None:
    reply = fetch(directory.url + BROKEN[status], headers={"Accept": accept})
    assert reply.status == status
    assert reply.headers["content-type"].startswith("text/html")
    assert '<html lang="en">' in reply.text and f"<title>{status} " in reply.text
    assert 'rel="stylesheet"' in reply.text and f"<h1>{status} " in reply.text


@pytest.mark.parametrize("accept", ["*/*", "application/json", None], ids=["curl", "api", "none"])
def test_curl_and_api_clients_get_a_plain_error_line(directory: Directory, accept: str | None) -> None:
    reply = fetch(directory.url + BROKEN[400], headers={"Accept": accept} if accept else {})
    assert reply.status == 400 and reply.headers["content-type"].startswith("text/plain")
    assert reply.text.startswith("400 Bad Request: near must be")
