"""People use the directory in a real browser (Debian's Chromium, driven by Playwright): search
with a facet, see the results on a map, read a co-op's page, and use the widget a member
organisation pasted into its own website on another origin.

Screenshots go to the test's temporary folder; with DATACOMMONS_SCREENSHOTS=docs they are
written to docs/ for the README.
"""
from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.request import urlopen

import pytest

from .directory_world import MEMBERS_ONLY, Directory, directory  # noqa: F401
from .live import static_site

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ROOT = Path(__file__).parent.parent

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (scripts/test installs it)"
)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Playwright gives every launch a fresh, temporary --user-data-dir.
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    p = context.new_page()
    p.set_default_timeout(15000)
    yield p
    context.close()


def screenshot(page, tmp_path: Path, name: str) -> None:
    shot = tmp_path / name
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 10_000
    target = os.environ.get("DATACOMMONS_SCREENSHOTS")
    if target:
        shutil.copy(shot, ROOT / target / name)


def api_total(directory: Directory, query: str) -> int:
    with urlopen(f"{directory.url}/api/search?{query}") as reply:
        return json.load(reply)["total"]


def test_a_person_searches_and_narrows_with_a_facet(directory: Directory, page) -> None:
    page.goto(f"{directory.url}/")
    page.get_by_label("Find a co-op by name, activity or place").fill("bakery")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=bakery")
    before = int(page.locator("[data-total]").inner_text())
    assert before == api_total(directory, "q=bakery")
    with page.expect_navigation():
        page.locator('fieldset[data-facet="country"]').get_by_label("Canada").check()
    assert "country=CA" in page.url and "q=bakery" in page.url
    after = int(page.locator("[data-total]").inner_text())
    assert 0 < after < before and after == api_total(directory, "q=bakery&country=CA")
    places = page.locator(".result .place").all_inner_texts()
    assert places and all(p.endswith("Canada") for p in places)


SINGLES = ".map-results path.leaflet-interactive"
CLUSTERS = ".map-results .marker-cluster"


def on_the_map(page) -> tuple[int, list[int]]:
    """The single markers drawn and the count each cluster shows."""
    counts = [int(c) for c in page.locator(CLUSTERS).all_inner_texts()]
    return page.locator(SINGLES).count(), counts


def test_the_map_shows_every_result_as_a_marker_or_in_a_cluster(directory: Directory, page, tmp_path: Path) -> None:
    page.goto(f"{directory.url}/search?member=alpha")
    page.wait_for_selector(".map-results[data-markers]")
    assert on_the_map(page) == (2, [])  # Minneapolis and Saskatoon are far apart
    page.goto(f"{directory.url}/search?q=bakery")
    page.wait_for_selector(".map-results[data-markers]")
    drawn = int(page.locator(".map-results").get_attribute("data-markers"))
    assert drawn >= int(page.locator("[data-total]").inner_text()) - 5  # a few have no position
    singles, clusters = on_the_map(page)
    assert clusters and all(n >= 2 for n in clusters)  # nearby co-ops gather
    assert singles + sum(clusters) == drawn  # a cluster's count is the markers it holds
    # clicking a cluster zooms in until its co-ops show one by one
    for _ in range(20):
        if not page.locator(CLUSTERS).count():
            break
        page.locator(CLUSTERS).first.click()
        page.wait_for_function(  # Leaflet's zoom and the cluster group's own animation are over
            "!document.querySelector('.map-results .leaflet-zoom-anim, .map-results .leaflet-cluster-anim')")
    singles_after, clusters_after = on_the_map(page)
    assert clusters_after == [] and singles_after > 0  # zoomed in, the co-ops show one by one
    page.locator(SINGLES).last.dispatch_event("click")
    assert page.locator(".leaflet-popup-content a").count() == 1  # the popup links to the co-op
    page.goto(f"{directory.url}/search?country=CA")
    page.wait_for_selector(".map-results[data-markers]")
    screenshot(page, tmp_path, "search-page.png")


def test_a_coop_page_reads_well_and_works_from_the_keyboard(directory: Directory, page, tmp_path: Path) -> None:
    page.goto(f"{directory.url}/id/alpha/rd-1")
    assert page.locator("h1").inner_text() == "Red Door Bakery Co-op"
    assert "Minneapolis" in page.locator("section[aria-labelledby=where-h]").inner_text()
    page.wait_for_selector(".map-small[data-markers='1']")
    assert page.locator(".map-small path.leaflet-interactive").count() == 1
    assert "Alpha Federation" in page.locator("section[aria-labelledby=listed-by-h]").inner_text()
    assert page.locator("table.statements tbody tr").count() > 10
    assert not [v for v in MEMBERS_ONLY if v in page.content()]
    screenshot(page, tmp_path, "entity-page.png")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


@pytest.fixture
def host_site(tmp_path: Path, directory: Directory) -> Iterator[str]:
    """A member's own website on another origin, with the widget snippet and the iframe."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Alpha Federation</title>
<style>
  h2 {{ color: rgb(255, 0, 0); }}
  li {{ display: none; }}
  button {{ background: rgb(0, 0, 255); }}
  [data-commons-widget] {{ --dc-accent: rgb(138, 21, 56); }}
</style>
<script>window.hostGlobals = Object.keys(window);</script>
</head><body>
<h2>Our member co-ops</h2>
<ul><li id="host-item">hidden by the host's own CSS</li></ul>
<script src="{directory.url}/widget.js" data-member="alpha" data-per-page="5" async></script>
<iframe src="{directory.url}/embed?member=alpha" title="Co-op directory" width="600" height="400"></iframe>
</body></html>""", encoding="utf-8")
    with static_site(site) as url:
        yield url


def test_the_widget_works_on_a_member_site_on_another_origin(directory: Directory, host_site: str, page) -> None:
    page.goto(host_site)
    widget = page.locator("[data-commons-widget][data-state=ready]")
    widget.wait_for()
    results = widget.locator("li a")
    assert sorted(results.all_inner_texts()) == ["Prairie Harvest Cooperative", "Red Door Bakery Co-op"]
    assert not [v for v in MEMBERS_ONLY if v in widget.inner_text()]

    widget.get_by_label("Search co-ops").fill("prairie")
    widget.get_by_role("button", name="Search").click()
    page.wait_for_function(
        "document.querySelector('[data-commons-widget]').shadowRoot.querySelectorAll('li').length === 1")
    assert results.all_inner_texts() == ["Prairie Harvest Cooperative"]
    assert results.first.get_attribute("href") == f"{directory.url}/id/alpha/rd-2"

    # Nothing leaks either way: the host's styles do not reach the widget, the widget's do not
    # reach the host, the host's custom property does, and no global variable was added.
    assert widget.locator("li").first.evaluate("e => getComputedStyle(e).display") != "none"
    assert page.locator("#host-item").evaluate("e => getComputedStyle(e).display") == "none"
    assert page.locator("h2").evaluate("e => getComputedStyle(e).color") == "rgb(255, 0, 0)"
    button = widget.get_by_role("button", name="Search")
    assert button.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(138, 21, 56)"
    assert page.evaluate("document.querySelectorAll('style, link[rel=stylesheet]').length") == 1
    new_globals = "Object.keys(window).filter(k => !hostGlobals.includes(k) && k !== 'hostGlobals' && isNaN(k))"
    assert page.evaluate(new_globals) == []  # (numeric keys are the page's own frames)

    frame = page.frame_locator("iframe[title='Co-op directory']")
    assert sorted(frame.locator("li a").all_inner_texts()) == ["Prairie Harvest Cooperative", "Red Door Bakery Co-op"]


SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(params=sorted(SIZES))
def sized_page(browser, request):
    """A page at a desktop's and a phone's size (the sizes issue 23 was checked at)."""
    context = browser.new_context(viewport=SIZES[request.param])
    p = context.new_page()
    p.set_default_timeout(15000)
    yield p
    context.close()


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_chromium_shows_the_styled_page_for_a_broken_link(directory: Directory, sized_page) -> None:
    reply = sized_page.goto(f"{directory.url}/id/alpha/no-such-coop")
    assert reply.status == 404 and reply.headers["content-type"].startswith("text/html")
    assert sized_page.locator("h1").inner_text().startswith("404")
    assert sized_page.title().startswith("404") and sized_page.locator("html").get_attribute("lang") == "en"
    assert sized_page.locator("header.site").evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
    assert no_sideways_scroll(sized_page)
