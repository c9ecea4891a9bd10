"""People take a search home: every search (and every named query) downloads as CSV, all of
its matches, for the audience that asked; and the stats page counts only what the public can
see, whoever asks. Over real HTTP against the directory's live commons."""
from __future__ import annotations

import csv
import io
import json
from urllib.parse import urlencode

from datacommons.audience import member_audience
from endpoint.web import query_text as internal_queries

from .directory_world import MEMBERS_ONLY, Directory, directory  # noqa: F401
from .webclient import bearer, fetch

MEMBERS_ONLY_COOP = "Quiet Housing Co-op"  # alpha lists it with listed=false


def download(directory: Directory, path: str, headers: dict[str, str] | None = None, **params):
    reply = fetch(f"{directory.url}{path}?{urlencode(params, doseq=True)}", headers=headers)
    assert reply.status == 200, reply.text
    return reply


def csv_rows(reply) -> list[dict[str, str]]:
    assert reply.headers["content-type"].startswith("text/csv")
    text = reply.body.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def api_total(directory: Directory, headers: dict[str, str] | None = None, **params) -> int:
    return json.loads(download(directory, "/api/search", headers, **params).body)["total"]


def test_a_search_downloads_as_csv_with_every_match_not_one_page(directory: Directory) -> None:
    reply = download(directory, "/search", q="bakery", format="csv", per_page=5)
    assert reply.headers["content-disposition"] == 'attachment; filename="coops-bakery.csv"'
    rows = csv_rows(reply)
    assert len(rows) == api_total(directory, q="bakery") > 5
    red_door = next(r for r in rows if r["name"] == "Red Door Bakery Co-op")
    assert red_door["url"] == f"{directory.url}/id/alpha/rd-1"
    assert (red_door["locality"], red_door["country_code"]) == ("Minneapolis", "US")
    assert float(red_door["latitude"]) == 44.9778
    assert "Workers cooperative" in red_door["kinds"] and "Alpha Federation" in red_door["listed_by"]


def test_the_api_offers_the_same_csv_and_says_what_formats_exist(directory: Directory) -> None:
    by_format = csv_rows(download(directory, "/api/search", country="CA", format="csv"))
    by_accept = csv_rows(download(directory, "/api/search", {"Accept": "text/csv"}, country="CA"))
    assert by_format == by_accept and len(by_format) == api_total(directory, country="CA")
    assert {r["country_code"] for r in by_format} == {"CA"}
    wrong = fetch(f"{directory.url}/api/search?format=xlsx")
    assert wrong.status == 400 and b"csv" in wrong.body


def test_a_search_near_a_place_downloads_nearest_first_with_distances(directory: Directory) -> None:
    rows = csv_rows(download(directory, "/search", near="45.5,-73.6", radius="50", format="csv"))
    assert rows and [float(r["distance_km"]) for r in rows] == sorted(float(r["distance_km"]) for r in rows)


def test_public_csv_of_a_search_holds_no_members_only_coop_or_value(directory: Directory) -> None:
    public = download(directory, "/search", format="csv").body.decode("utf-8-sig")
    assert MEMBERS_ONLY_COOP not in public
    assert not [v for v in MEMBERS_ONLY if v.lower() in public.lower()]
    alpha = download(directory, "/search", bearer(directory.tokens["alpha"]), format="csv").body.decode("utf-8-sig")
    assert MEMBERS_ONLY_COOP in alpha  # the member's own download has it: the test can fail
    assert len(csv_rows(download(directory, "/search", format="csv"))) == api_total(directory)


def test_an_empty_search_downloads_a_header_only(directory: Directory) -> None:
    reply = download(directory, "/search", q="nothing-matches-this-zzz", format="csv")
    assert reply.body.decode("utf-8-sig").splitlines() == [
        "name,url,locality,region,country,country_code,latitude,longitude,kinds,activities,listed_by,description"]


def test_the_search_page_links_its_csv_download(directory: Directory) -> None:
    page = download(directory, "/search", {"Accept": "text/html"}, q="bakery", page="2").text
    assert 'href="/search?q=bakery&amp;format=csv" download' in page


def test_a_named_query_downloads_as_a_named_csv_file(directory: Directory) -> None:
    reply = download(directory, "/queries/coops-by-country", country="CA", format="csv")
    assert reply.headers["content-disposition"] == 'attachment; filename="coops-by-country.csv"'
    public = reply.body.decode("utf-8")
    assert "Prairie Harvest Cooperative" in public and MEMBERS_ONLY_COOP not in public
    alpha = download(directory, "/queries/coops-by-country", bearer(directory.tokens["alpha"]), country="CA", format="csv")
    assert MEMBERS_ONLY_COOP in alpha.body.decode("utf-8")


def test_the_stats_count_only_public_coops_whoever_asks(directory: Directory) -> None:
    public = json.loads(download(directory, "/stats", {"Accept": "application/json"}).body)
    as_alpha = json.loads(download(directory, "/stats", {"Accept": "application/json", **bearer(directory.tokens["alpha"])}).body)
    assert public == as_alpha
    assert public["coops"] == api_total(directory) < api_total(directory, bearer(directory.tokens["alpha"]))
    facets = json.loads(download(directory, "/api/search").body)["facets"]
    for shown in public["by"]["structure"]:  # the numbers search shows the public
        assert shown["count"] == next(v["count"] for v in facets["structure"] if v["value"] == shown["code"])
    assert {m["label"] for m in public["by"]["member"]} >= {"Alpha Federation", "Gamma Council"}
    years = {y["year"]: y for y in public["founded"]}
    seen_by_alpha = {int(s["year"].value): int(s["coops"].value) for s in directory.commons.query(
        internal_queries.text("founding-years"), member_audience("alpha"))}
    assert seen_by_alpha[1990] == years.get(1990, {"count": 0})["count"] + 1  # Quiet Housing, members only
    assert years[1978]["count"] >= 1 and years[1946]["count"] >= 1  # Red Door and Prairie Harvest
    assert public["founded"][-1]["total"] == sum(y["count"] for y in public["founded"])


def test_the_stats_page_prints_each_charts_numbers_as_a_table(directory: Directory) -> None:
    page = download(directory, "/stats", {"Accept": "text/html"}).text
    for heading in ("Co-ops by kind of co-op", "Co-ops by activity", "Co-ops by country", "Co-ops by listing member",
                    "Growth by founding year"):
        assert heading in page
    assert page.count("<table>") == 5 and page.count("<canvas") == 5
    assert MEMBERS_ONLY_COOP not in page and "Alpha Federation" in page
