"""mykomap maps served as they are: the query texts the community's maps send (kept in
tests/fixtures/mykomap with their origin), sent to our /sparql over a real socket the way
mykomap's `get_dataset.php` sends them (GET, `default-graph-uri`, `Accept: application/json`),
answer the public co-ops in the shapes the maps read."""
from __future__ import annotations

import json
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from SPARQLWrapper import GET, JSON, SPARQLWrapper

from datacommons.config import Config
from datacommons.store import Commons
from endpoint.app import create_app

from .conftest import BASE, FIXTURES, World, load_text, make_world
from .live import running

QUERIES = FIXTURES / "mykomap"
PUBLIC = f"{BASE}/graph/public"
RED_DOOR, PRAIRIE = f"{BASE}/id/alpha/rd-1", f"{BASE}/id/alpha/rd-2"
ACTIVITIES = {"ICA240", "ICA250"}  # Retail, Production
MORE = """id,name,website,email,phone,street,locality,country,latitude,longitude,activities
b-1,Harbour Fish Co-op,https://harbourfish.example,fish@harbourfish.example,+44 1865 555 010,9 Quay St,Oxford,GB,51.7520,-1.2577,Agriculture
"""


@dataclass
class Site:
    url: str
    world: World


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    path = tmp_path_factory.mktemp("mykomap")
    commons = Commons(path / "store", base=BASE)
    world = make_world(commons, path)
    load_text(commons, "beta", MORE, path, "beta.csv")
    with running(create_app(commons, Config().with_(rate_limit=""))) as url:
        yield Site(url, world)
    commons.close()


def _mykomap(site: Site, name: str, default_graph: str = PUBLIC, uid: str = "", token: str = "") -> list[dict]:
    """What mykomap's `get_dataset.php` does: substitute the uid, send the query with the
    default graph by GET, and flatten `results.bindings` to {variable: value}."""
    query = (QUERIES / name).read_text(encoding="utf-8").replace("__UID__", uid)
    sparql = SPARQLWrapper(f"{site.url}/sparql")
    sparql.setMethod(GET)
    sparql.addDefaultGraph(default_graph)
    sparql.setQuery(query)
    sparql.setReturnFormat(JSON)
    if token:
        sparql.addCustomHttpHeader("Authorization", f"Bearer {token}")
    bindings = sparql.query().convert()["results"]["bindings"]
    return [{k: v["value"] for k, v in b.items()} for b in bindings]


def test_mykomap_oxford_query_returns_public_coops_with_coordinates_and_websites(site: Site) -> None:
    # Oxford's default-graph-uri.txt ends with a slash; ours is accepted with or without.
    rows = _mykomap(site, "mykomap-oxford-query.rq", default_graph=PUBLIC + "/")
    by_uri = {r["uri"]: r for r in rows}
    assert set(by_uri) == {RED_DOOR, PRAIRIE, f"{BASE}/id/beta/b-1"}
    red = by_uri[RED_DOOR]
    assert red["name"] == "Red Door Bakery Co-op"
    assert (red["lat"], red["lng"]) == ("44.9778", "-93.265")
    assert red["www"] == "https://reddoorbakery.coop"
    assert red["desc"] == "Bread and pastries since 1978"
    assert red["locality"] == "Minneapolis"
    # ORDER BY DESC(UCASE(?name)), as the map asked
    assert [r["name"] for r in rows] == sorted((r["name"] for r in rows), key=str.upper, reverse=True)


def test_public_never_gets_members_only_phone_email_street_or_unlisted_coops(site: Site) -> None:
    rows = _mykomap(site, "mykomap-oxford-query.rq")
    assert rows
    for row in rows:
        assert not {"tel", "email", "street", "postcode"} & set(row), row
    assert f"{BASE}/id/alpha/rd-3" not in {r["uri"] for r in rows}  # unlisted
    text = json.dumps(rows)
    assert "555" not in text and "@" not in text and "Quay St" not in text


def test_public_graph_means_public_even_for_a_member_with_a_token(site: Site) -> None:
    rows = _mykomap(site, "mykomap-oxford-query.rq", token=site.world.tokens["alpha"])
    assert rows and not any({"street", "postcode"} & set(r) for r in rows)


def test_coopsuk_query_under_the_dev_lod_coop_base_returns_activities_and_addresses(site: Site) -> None:
    rows = _mykomap(site, "coopsuk-query.rq")
    assert {r["uri"] for r in rows} == {RED_DOOR, PRAIRIE, f"{BASE}/id/beta/b-1"}
    red = [r for r in rows if r["uri"] == RED_DOOR]
    assert {r["activity"].rsplit("/", 1)[-1] for r in red} == ACTIVITIES
    assert {r["within"] for r in red} == {f"{RED_DOOR}#address"}
    assert all(r["lat"] == "44.9778" and r["locality"] == "Minneapolis" for r in red)


def test_se_open_data_query_under_the_lod_coop_base_returns_located_coops(site: Site) -> None:
    rows = _mykomap(site, "se-open-data-query.rq")
    assert {(r["name"], r["lat"], r["lng"]) for r in rows} == {
        ("Red Door Bakery Co-op", "44.9778", "-93.265"),
        ("Prairie Harvest Cooperative", "52.1332", "-106.67"),
        ("Harbour Fish Co-op", "51.752", "-1.2577"),
    }


def test_activities_query_without_an_rdf_prefix_answers_for_one_coop(site: Site) -> None:
    # Written for Virtuoso, which declares rdf: itself.
    rows = _mykomap(site, "mykomap-oxford-activities.rq", uid=f"{BASE}/id/beta/b-1")
    assert [r["uri"] for r in rows] == [f"{BASE}/id/beta/b-1"]
    assert rows[0]["activity"].startswith("http://purl.org/essglobal/standard/")


def test_get_dataset_php_request_as_sent_answers_json(site: Site) -> None:
    """Byte for byte what the PHP builds: urlencode()d parameters, Accept: application/json."""
    query = (QUERIES / "se-open-data-query.rq").read_text(encoding="utf-8")
    url = (
        f"{site.url}/sparql?default-graph-uri={urllib.parse.quote_plus(PUBLIC + '/')}"
        f"&query={urllib.parse.quote_plus(query)}"
    )
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    with urllib.request.urlopen(request) as response:
        assert "json" in response.headers["Content-Type"]
        body = json.load(response)
    assert len(body["results"]["bindings"]) == 3


def test_head_on_the_public_graph_says_when_it_changed(site: Site, tmp_path: Path) -> None:
    """mykomap HEADs the default graph (adding a slash) and refetches when it changed."""
    def head() -> tuple[str, str]:
        request = urllib.request.Request(PUBLIC.replace(BASE, site.url) + "/", method="HEAD")
        with urllib.request.urlopen(request) as response:
            return response.headers["Last-Modified"], response.headers["ETag"]

    modified, etag = head()
    assert modified and etag
    assert head() == (modified, etag)
    load_text(site.world.commons, "beta", MORE.replace("Harbour Fish", "Harbour Fishers"), tmp_path, "again.csv")
    assert head()[1] != etag
    rows = _mykomap(site, "se-open-data-query.rq")
    assert "Harbour Fishers Co-op" in {r["name"] for r in rows}
