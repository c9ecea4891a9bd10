"""Buyers' search, /api/market (issue 22 item 3): words, facets, "serves my location", sorted
by distance, in JSON, JSON-LD, GeoJSON and CSV; and what the public must never see in it."""
from __future__ import annotations

import csv
import io
import json
import urllib.request
from pathlib import Path

import pytest

from datacommons.fields import Level
from loaders.pipeline import republish

from .conftest import BASE, load_text
from .test_market_offers import BREAD, OFFER, PRINTING, with_offers

GOODS = "https://w3id.org/coop-commons/concept/goods/"
BAKERY = [{"title": "Organic sourdough", "category": "50180000", "certifications": ["organic"],
           "area_served": [{"lat": 52.13, "lon": -106.67, "radius_km": 40}], "price": "6 CAD"}]


@pytest.fixture
def market(server, tmp_path: Path):
    rows = {"rd-1": PRINTING, "rd-2": BAKERY, "rd-3": BREAD}
    load_text(server.world.commons, "alpha", with_offers(rows=rows), tmp_path, "offers.csv")
    return server


def get(server, path: str, accept: str = "application/json", token: str | None = None) -> tuple[str, bytes]:
    headers = {"Accept": accept}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    with urllib.request.urlopen(urllib.request.Request(server.url + path, headers=headers)) as r:
        return r.headers["Content-Type"], r.read()


def api(server, query: str = "", token: str | None = None) -> dict:
    return json.loads(get(server, f"/api/market?{query}", token=token)[1])


def test_a_buyer_finds_who_sells_printing_by_words_and_each_result_is_an_offer_iri(market) -> None:
    found = api(market, "q=risograph")
    assert found["total"] == 1
    [result] = found["results"]
    assert (result["uri"], result["kind"], result["title"]) == (OFFER, "offer", "Risograph printing")
    assert result["coop"] == f"{BASE}/id/alpha/rd-1"


def test_a_buyer_filters_by_category_code_and_facets_count_the_rest(market) -> None:
    found = api(market, "category=50180000")
    assert [r["title"] for r in found["results"]] == ["Organic sourdough"]
    assert found["facets"]["category"][GOODS + "55000000"] == 2  # the printing offer and demand
    assert found["facets"]["certification"] == {"https://w3id.org/coop-commons/concept/certification/organic": 1}


def test_demands_are_found_as_demands(market) -> None:
    [demand] = api(market, "kind=demand")["results"]
    assert demand["kind"] == "demand" and demand["uri"].startswith(f"{BASE}/id/demand/")


def test_serves_my_location_keeps_offerings_whose_circle_contains_the_point(market) -> None:
    assert [r["title"] for r in api(market, "serves=52.2,-106.6")["results"]] == ["Organic sourdough"]
    assert [r["title"] for r in api(market, "serves=44.95,-93.3")["results"]] == ["Risograph printing"]
    assert api(market, "serves=10,10")["results"] == []


def test_near_sorts_by_distance_and_radius_cuts_off(market) -> None:
    near_minneapolis = api(market, "near=44.9,-93.2")["results"]
    assert near_minneapolis[0]["coop"] == f"{BASE}/id/alpha/rd-1"
    assert near_minneapolis[-1]["title"] == "Organic sourdough"
    assert {r["title"] for r in api(market, "near=44.9,-93.2&radius=100")["results"]} == {
        "Risograph printing", "Recycled paper"}


def test_the_public_never_sees_an_unlisted_coops_offerings_in_the_market(market) -> None:
    assert not [r for r in api(market)["results"] if "rd-3" in r["uri"]]
    assert api(market, "q=sourdough+loaves")["total"] == 0
    member = market.world.tokens["beta"]
    assert api(market, "q=sourdough+loaves", token=member)["total"] == 1


def test_public_cannot_find_offerings_by_words_their_member_keeps_members_only(market) -> None:
    commons = market.world.commons
    republish(commons, "alpha", commons.policy("alpha").changed({"offer_description": Level.MEMBERS}))
    assert api(market, "q=recycled+paper+short+runs")["total"] == 0
    for fmt in ("application/json", "application/ld+json", "application/geo+json", "text/csv"):
        assert b"Short runs" not in get(market, "/api/market", fmt)[1], fmt
    assert api(market, "q=short+runs", token=market.world.tokens["beta"])["total"] == 1


@pytest.mark.parametrize("accept,media", [
    ("application/ld+json", "application/ld+json"), ("application/geo+json", "application/geo+json"),
    ("text/csv", "text/csv"),
])
def test_the_market_answers_json_ld_geojson_and_csv_by_accept(market, accept: str, media: str) -> None:
    content_type, body = get(market, "/api/market?q=printing", accept)
    assert content_type.startswith(media)
    if media == "text/csv":
        rows = list(csv.DictReader(io.StringIO(body.decode())))
        assert [r["uri"] for r in rows] == [OFFER]
    elif media == "application/geo+json":
        [feature] = json.loads(body)["features"]
        assert feature["id"] == OFFER and feature["geometry"]["coordinates"] == [-93.265, 44.9778]
    else:
        document = json.loads(body)
        assert "@context" in document and document["results"][0]["uri"] == OFFER


def test_a_bad_point_is_a_clear_400(market) -> None:
    with pytest.raises(urllib.error.HTTPError) as e:
        get(market, "/api/market?near=north")
    assert e.value.code == 400 and b"near must be lat,lon" in e.value.read()


def test_the_demo_commons_has_offerings_in_several_categories_on_the_market(commons, tmp_path: Path) -> None:
    from datacommons.audience import ANONYMOUS
    from datacommons.market.search import MarketSearch, search_offerings
    from demo.load import load_demo

    list(load_demo(commons, tmp_path / "demo", coops=200))
    found = search_offerings(commons, ANONYMOUS, MarketSearch())
    assert found.total >= 200
    assert len(found.facets["category"]) >= 8 and found.facets["certification"]
    assert {r["kind"] for r in found.results} == {"offer", "demand"}
    bread = search_offerings(commons, ANONYMOUS, MarketSearch(q="sourdough"))
    assert bread.total and all("sourdough" in r["title"].lower() for r in bread.results)


def test_a_buyer_searches_the_market_page_and_never_sees_an_unlisted_coop(market) -> None:
    content_type, body = get(market, "/market?q=sourdough", "text/html")
    page = body.decode()
    assert content_type.startswith("text/html")
    assert "Organic sourdough" in page and "/id/offer/alpha/rd-2/organic-sourdough" in page
    assert "Sourdough loaves" not in page  # the unlisted co-op's
    assert "Bread and bakery products" in page  # the category's label
