"""The public finds co-ops: text search, facets, distance, pages, as HTML and as an API with a
stable, documented shape; and search never shows anyone what they may not read."""
from __future__ import annotations

import json
from urllib.parse import urlencode

from .conftest import Server, load_text
from .directory_world import MEMBERS_ONLY, Directory, directory  # noqa: F401
from .webclient import bearer, fetch


def api(directory: Directory, headers: dict[str, str] | None = None, **params) -> dict:
    reply = fetch(f"{directory.url}/api/search?{urlencode(params, doseq=True)}", headers=headers)
    assert reply.status == 200, reply.text
    assert reply.headers["access-control-allow-origin"] == "*"
    return json.loads(reply.body)


def names(document: dict) -> list[str]:
    return [r["name"] for r in document["results"]]


def test_a_person_finds_a_bakery_by_name_and_place(directory: Directory) -> None:
    found = api(directory, q="red door minneapolis")
    assert names(found) == ["Red Door Bakery Co-op"]
    assert found["results"][0]["url"] == f"{directory.url}/id/alpha/rd-1"
    assert api(directory, q="bak")["total"] >= 1  # a word's beginning is enough


def test_accents_and_activity_names_in_french_find_coops(directory: Directory) -> None:
    assert "Café Ñandú Coopérative" in names(api(directory, q="cafe nandu"))
    # ICA's "Housing" is "Logement" in French: the activity's labels are searchable too.
    housing = api(directory, q="logement", per_page=100)
    assert housing["total"] > 0
    assert all(any(a["code"] == "ICA210" for a in r["activities"]) for r in housing["results"])


def test_facets_narrow_and_count_with_the_other_filters(directory: Directory) -> None:
    everything = api(directory)
    worker = api(directory, structure="OS60")
    assert 0 < worker["total"] < everything["total"]
    assert all(any(s["code"] == "OS60" for s in r["structures"]) for r in worker["results"])
    counts = {v["value"]: v for v in worker["facets"]["structure"]}
    assert counts["OS60"]["selected"] and counts["OS60"]["count"] == worker["total"]
    either = api(directory, structure=["OS60", "OS70"])
    assert either["total"] == worker["total"] + counts["OS70"]["count"]  # OR within a facet
    in_canada = api(directory, structure="OS60", country="CA")
    assert in_canada["total"] < worker["total"]  # AND across facets
    assert {r["country"]["code"] for r in in_canada["results"]} == {"CA"}


def test_member_facet_shows_one_members_listing(directory: Directory) -> None:
    alpha = api(directory, member="alpha")
    assert sorted(names(alpha)) == ["Prairie Harvest Cooperative", "Red Door Bakery Co-op"]
    assert alpha["results"][0]["members"][0] == {
        "code": "alpha", "label": "Alpha Federation", "iri": f"{directory.url}/id/member/alpha"}


def test_near_finds_coops_within_the_radius_nearest_first(directory: Directory) -> None:
    near = api(directory, near="44.98,-93.27", radius="5")
    assert names(near) == ["Red Door Bakery Co-op"] or names(near)[0] == "Red Door Bakery Co-op"
    assert near["results"][0]["distance_km"] < 1
    distances = [r["distance_km"] for r in near["results"]]
    assert distances == sorted(distances) and max(distances) <= 5
    assert fetch(f"{directory.url}/api/search?near=north").status == 400


def test_pages_are_stable_and_linked(directory: Directory) -> None:
    first = api(directory, per_page=5)
    second = json.loads(fetch(first["links"]["next"]).body)
    assert second["page"] == 2 and second["links"]["prev"] and not set(names(first)) & set(names(second))
    assert first["pages"] == -(-first["total"] // 5)


def test_the_response_shape_is_the_documented_one(directory: Directory) -> None:
    spec = json.loads(fetch(f"{directory.url}/api/openapi.json").body)
    schemas = spec["components"]["schemas"]
    document = api(directory, q="bakery", per_page=3)
    assert set(document) == set(schemas["SearchResults"]["required"])
    coop_keys = set(schemas["Coop"]["properties"])
    for result in document["results"]:
        assert set(schemas["Coop"]["required"]) <= set(result) <= coop_keys
    documented = {p["name"] for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    assert documented >= {"q", "structure", "activity", "country", "region", "member", "near", "radius",
                          "page", "per_page"}
    assert spec["servers"][0]["url"] == directory.url


def test_jsonld_and_geojson_forms(directory: Directory) -> None:
    linked = json.loads(fetch(f"{directory.url}/api/search?q=bakery&format=jsonld").body)
    assert linked["@context"]["results"]["@id"] == "hydra:member"
    assert linked["total"] == api(directory, q="bakery")["total"]
    geo = json.loads(fetch(f"{directory.url}/api/search?member=alpha",
                           headers={"Accept": "application/geo+json"}).body)
    assert geo["type"] == "FeatureCollection" and len(geo["features"]) == 2


def test_public_search_never_shows_members_only_or_unlisted_data(directory: Directory) -> None:
    for params in ({"member": "alpha"}, {"q": "cafe"}, {"q": "bakery minneapolis"},
                   {"member": "gamma", "format": "jsonld"}, {"member": "alpha", "format": "geojson"}):
        reply = fetch(f"{directory.url}/api/search?{urlencode(params)}")
        assert not [v for v in MEMBERS_ONLY if v in reply.text], params
    assert api(directory, q="info reddoorbakery")["total"] == 0  # emails are not searchable
    assert api(directory, q="1 Main St")["total"] == 0  # nor are streets
    assert api(directory, q="quiet housing")["total"] == 0  # the unlisted co-op
    page = fetch(f"{directory.url}/search?member=alpha", headers={"Accept": "text/html"})
    assert "Red Door Bakery Co-op" in page.text and not [v for v in MEMBERS_ONLY if v in page.text]


def test_a_member_searches_what_members_may_read(directory: Directory) -> None:
    as_member = api(directory, headers=bearer(directory.tokens["alpha"]), q="quiet housing")
    assert names(as_member) == ["Quiet Housing Co-op"]


def test_the_search_page_has_a_shareable_url_facets_and_a_map(directory: Directory) -> None:
    page = fetch(f"{directory.url}/search?q=bakery&structure=OS60", headers={"Accept": "text/html"})
    assert page.status == 200
    assert 'name="structure" value="OS60" checked' in page.text
    assert "data-map" in page.text and "Red Door Bakery Co-op" in page.text
    assert "/api/search?q=bakery&amp;structure=OS60" in page.text  # the same search as JSON
    assert fetch(f"{directory.url}/search?radius=-1", headers={"Accept": "text/html"}).status == 400


def test_the_index_follows_the_store(server: Server, tmp_path) -> None:
    """A new import is searchable at the next search (the index is rebuilt for the new version)."""
    def search(q: str) -> dict:
        return json.loads(fetch(f"{server.url}/api/search?q={q}").body)

    assert search("zephyr")["total"] == 0
    load_text(server.world.commons, "beta", "id,name,locality\nz-1,Zephyr Wind Co-op,Regina\n", tmp_path, "b.csv")
    assert [r["name"] for r in search("zephyr")["results"]] == ["Zephyr Wind Co-op"]


def test_home_page_counts_and_entry_points(directory: Directory) -> None:
    home = fetch(directory.url + "/", headers={"Accept": "text/html"})
    assert home.status == 200
    assert "Alpha Federation" in home.text and "/search?structure=OS60" in home.text
    assert 'role="search"' in home.text
    counts = json.loads(fetch(directory.url + "/", headers={"Accept": "application/json"}).body)
    assert counts["coops"] == api(directory)["total"]


def test_a_word_most_coops_share_lists_them_by_name(directory: Directory, monkeypatch) -> None:
    """Ranking scores every match, which for a word most co-ops share costs much and says
    little: past RANKED_AT_MOST matches, the words' co-ops come by name, the total unchanged."""
    from endpoint.search import query as search_query

    ranked = api(directory, q="co", per_page=50)
    assert ranked["total"] > 2
    monkeypatch.setattr(search_query, "RANKED_AT_MOST", 1)
    by_name = api(directory, q="co", per_page=49)  # another URL: not the answer kept above
    assert by_name["total"] == ranked["total"]
    assert names(by_name) == sorted(names(by_name), key=str.casefold)
    if ranked["total"] <= 49:
        assert sorted(names(by_name)) == sorted(names(ranked))
