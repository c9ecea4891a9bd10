"""Every kind of page a person meets passes axe-core (the accessibility engine browsers' own
audits use) with no serious or critical violation, on a phone and on a desktop, and none
scrolls sideways. axe-core is pinned in tests/js/package.json and installed by `npm ci`
(scripts/test); Playwright injects it into the page under test in Debian's Chromium."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import CORE_CSV, Server
from .directory_world import Directory, directory  # noqa: F401
from .test_imports_http import upload
from .test_reconcile import BETA
from .webclient import bearer, fetch
from .optin_world import OptinWorld, optin_world  # noqa: F401
from .test_browser import CHROMIUM, SIZES, browser, no_sideways_scroll  # noqa: F401

AXE = Path(__file__).parent / "js" / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (scripts/test installs it)"),
    pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (scripts/test runs npm ci in tests/js)"),
]

# The public pages of the directory, each with what shows it has finished drawing.
PUBLIC_PAGES = {
    "home": ("/", "h1"),
    "search with results": ("/search?q=bakery", ".result"),
    "map of a search": ("/search?country=CA", ".map-results[data-markers]"),
    "co-op page": ("/id/alpha/rd-1", ".map-small[data-markers]"),
    "stats": ("/stats", "h1"),
    "mailing lists": ("/lists", "h1"),
    "error page": ("/id/alpha/no-such-coop", "h1"),
    "imports sign-in": ("/imports", "h1"),
    "sparql": ("/sparql", "h1"),
    "named queries": ("/queries", "h1"),
    "data": ("/data", "h1"),
    "widget": ("/widget", "h1"),
    "embed": ("/embed?member=alpha", "li"),
    "member record": ("/id/member/alpha", "h1"),
}


@pytest.fixture(params=sorted(SIZES))
def sized_context(browser, request):
    context = browser.new_context(viewport=SIZES[request.param])
    yield context
    context.close()


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical findings on the page, one line each (rule, help, nodes)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} at "
            + json.dumps([n["target"] for n in v["nodes"]][:5])
            for v in result["violations"] if v["impact"] in SERIOUS]


def check(page, url: str, ready: str) -> None:
    page.goto(url)
    page.wait_for_selector(ready)
    assert serious_violations(page) == [], url
    assert no_sideways_scroll(page), url


@pytest.mark.parametrize("kind", sorted(PUBLIC_PAGES))
def test_every_public_page_passes_axe_core_on_a_phone_and_a_desktop(
        directory: Directory, sized_context, kind: str) -> None:
    page = sized_context.new_page()
    path, ready = PUBLIC_PAGES[kind]
    check(page, directory.url + path, ready)


def sign_in(page, url: str, token: str) -> None:
    page.goto(f"{url}/imports")
    page.get_by_label("API token").fill(token)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def test_a_members_imports_and_preview_pages_pass_axe_core(directory: Directory, sized_context, tmp_path: Path) -> None:
    page = sized_context.new_page()
    sign_in(page, directory.url, directory.tokens["alpha"])
    check(page, f"{directory.url}/imports", "form[action$='upload']")
    upload = tmp_path / "alpha.csv"  # a preview only: nothing is committed
    upload.write_text(CORE_CSV.replace("Red Door Bakery Co-op", "Red Door Bakery"), encoding="utf-8")
    page.get_by_label("File (CSV, JSON or RDF)").set_input_files(str(upload))
    with page.expect_navigation():
        page.get_by_role("button", name="Preview").click()
    assert "/imports/previews/" in page.url
    assert serious_violations(page) == [], page.url
    assert no_sideways_scroll(page), page.url




def test_the_review_queue_passes_axe_core_for_an_administrator(server: Server, sized_context) -> None:
    beta = json.loads(upload(server, server.world.tokens["beta"], BETA, "beta.csv").body)  # likely matches of alpha's
    fetch(beta["commit"], method="POST", headers=bearer(server.world.tokens["beta"]), data=b"")
    page = sized_context.new_page()
    sign_in(page, server.url, server.world.tokens["admin"])
    check(page, f"{server.url}/review", "section.pair")


@pytest.mark.parametrize("path", ["/lists", "/lists/alpha/news", "/lists/embed?list=beta/updates"])
def test_the_sign_up_pages_pass_axe_core(optin_world: OptinWorld, sized_context, path: str) -> None:
    page = sized_context.new_page()
    check(page, optin_world.url + path, "form")
