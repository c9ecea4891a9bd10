"""Each member organisation chooses the licence of its public data (CC0, CC BY 4.0, ODbL or a
licence's URL; the operator sets the default): people see it on co-op pages, member pages,
search results and the home page; machines find it per member dataset in VoID and DCAT and
per graph in the dumps; the sitemap says when each page last changed."""
from __future__ import annotations

import gzip
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

import pytest
import rdflib
from pyoxigraph import RdfFormat, parse

from datacommons import licences
from datacommons.config import Config
from datacommons.store import Commons

from .conftest import BASE, CORE_CSV, Server, load_text
from .webclient import bearer, fetch

DCT = rdflib.Namespace("http://purl.org/dc/terms/")
ODBL = "https://opendatacommons.org/licenses/odbl/1-0/"
CC_BY = "https://creativecommons.org/licenses/by/4.0/"
CC0 = "https://creativecommons.org/publicdomain/zero/1.0/"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def page(server: Server, path: str, **headers: str) -> str:
    reply = fetch(server.url + path, headers={"Accept": "text/html", **headers})
    assert reply.status == 200, reply.text
    return reply.text


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cli", *args],
                          capture_output=True, text=True, cwd=cwd, timeout=300)


def test_a_member_chooses_its_licence_on_the_command_line(tmp_path: Path) -> None:
    store = ["--store", str(tmp_path / "store")]
    assert run("member", "add", "alpha", "--name", "Alpha Federation", *store, cwd=tmp_path).returncode == 0
    shown = run("member", "licence", "alpha", *store, cwd=tmp_path)
    assert shown.returncode == 0 and shown.stdout.split("\t")[1:] == ["CC BY 4.0", CC_BY + "\n"]  # the default
    chosen = run("member", "licence", "alpha", "odbl", *store, cwd=tmp_path)
    assert chosen.returncode == 0 and "ODbL 1.0" in chosen.stdout
    refused = run("member", "licence", "alpha", "all rights reserved", *store, cwd=tmp_path)
    assert refused.returncode == 2 and "unknown licence 'all rights reserved'" in refused.stderr
    assert "ODbL 1.0" in run("member", "licence", "alpha", *store, cwd=tmp_path).stdout  # unchanged
    other = run("member", "licence", "alpha", "https://example.org/our-licence", *store, cwd=tmp_path)
    assert other.returncode == 0 and "https://example.org/our-licence" in other.stdout
    assert run("member", "licence", "nobody", "cc0", *store, cwd=tmp_path).returncode == 2


def test_the_operator_sets_the_default_licence(tmp_path: Path) -> None:
    commons = Commons(tmp_path / "store", base=BASE, config=Config(default_licence="cc0"))
    try:
        commons.add_member("alpha", "Alpha Federation")
        commons.add_member("beta", "Beta Association")
        licences.set_licence(commons, "beta", "ODbL")
        assert {m: l.iri for m, l in licences.licences(commons).items()} == {"alpha": CC0, "beta": ODBL}
    finally:
        commons.close()
    broken = Commons(tmp_path / "other", base=BASE, config=Config(default_licence="mine"))
    try:
        from endpoint.app import create_app

        with pytest.raises(ValueError, match="default_licence .*unknown licence 'mine'"):
            create_app(broken)
    finally:
        broken.close()


def test_people_see_each_members_licence_on_pages_and_in_search(server: Server, tmp_path: Path) -> None:
    commons = server.world.commons
    licences.set_licence(commons, "alpha", "odbl")
    coop = page(server, "/id/alpha/rd-1")
    assert f'<a rel="license" href="{ODBL}">ODbL 1.0</a>' in coop
    assert f'<a rel="license" href="{ODBL}">ODbL 1.0</a>' in page(server, "/id/member/alpha")
    assert f'<a rel="license" href="{ODBL}">ODbL 1.0</a>' in page(server, "/search?q=red+door")
    home = page(server, "/")
    assert f'<a rel="license" href="{ODBL}">ODbL 1.0</a>' in home
    assert f'<a rel="license" href="{CC_BY}">CC BY 4.0</a>' in home  # beta has not chosen
    for link in ('href="/dumps/commons.nq.gz"', 'href="/catalog"', 'href="/void"'):
        assert link in home


def test_void_and_dcat_give_each_member_datasets_licence(server: Server) -> None:
    commons = server.world.commons
    licences.set_licence(commons, "alpha", "odbl")
    load_text(commons, "beta", "id,name,country\nb-1,Beta Bakery,CA\n", Path(commons.path).parent, "beta.csv")
    void = rdflib.Graph().parse(data=fetch(server.url + "/void.ttl").body, format="turtle")
    sd_name = rdflib.URIRef("http://www.w3.org/ns/sparql-service-description#name")
    by_graph = {str(void.value(s, sd_name)): str(o) for s, o in void.subject_objects(DCT.license)}
    assert by_graph == {f"{BASE}/graph/alpha/public": ODBL, f"{BASE}/graph/beta/public": CC_BY}
    dcat = rdflib.Graph().parse(data=fetch(server.url + "/catalog.ttl").body, format="turtle")
    by_publisher = {str(dcat.value(s, DCT.publisher)): str(o) for s, o in dcat.subject_objects(DCT.license)}
    assert by_publisher == {f"{BASE}/id/member/alpha": ODBL, f"{BASE}/id/member/beta": CC_BY}


def test_dumps_say_the_licence_of_each_graph(server: Server, tmp_path: Path) -> None:
    commons = server.world.commons
    licences.set_licence(commons, "alpha", "cc0")
    assert 'rel="license"' not in fetch(server.url + "/dumps/commons.nq.gz").headers["link"]  # beta's differs
    licences.set_licence(commons, "beta", "cc0")
    reply = fetch(server.url + "/dumps/commons.nq.gz")
    quads = list(parse(gzip.decompress(reply.body), format=RdfFormat.N_QUADS))
    said = {(q.subject.value, q.object.value) for q in quads if q.predicate.value == str(DCT.license)}
    assert (f"{BASE}/graph/alpha/public", CC0) in said
    assert not [s for s, _ in said if s.endswith(("/members", "/private"))]  # no claim on what is not public
    assert f'<{CC0}>; rel="license"' in reply.headers["link"]  # every member's the same here
    assert 'rel="describedby"' in reply.headers["link"]
    members = fetch(server.url + "/dumps/commons.nq.gz", headers=bearer(server.world.tokens["alpha"]))
    member_quads = list(parse(gzip.decompress(members.body), format=RdfFormat.N_QUADS))
    assert not [q for q in member_quads if q.predicate.value == str(DCT.license) and q.subject.value.endswith("/members")]


def test_the_command_line_dump_says_the_licence_too(tmp_path: Path) -> None:
    store = ["--store", str(tmp_path / "store")]
    run("member", "add", "alpha", "--name", "Alpha Federation", *store, cwd=tmp_path)
    (tmp_path / "coops.csv").write_text(CORE_CSV, encoding="utf-8")
    run("load", "--member", "alpha", str(tmp_path / "coops.csv"), *store, cwd=tmp_path)
    run("member", "licence", "alpha", "odbl", *store, cwd=tmp_path)
    dumped = run("dump", "-", *store, cwd=tmp_path).stdout
    assert f"/graph/alpha/public> <http://purl.org/dc/terms/license> <{ODBL}>" in dumped


def sitemap(server: Server, path: str) -> dict[str, datetime]:
    root = ET.fromstring(fetch(server.url + path).body)
    return {e.findtext(f"{SITEMAP}loc"): datetime.fromisoformat(e.findtext(f"{SITEMAP}lastmod"))
            for e in root}


def test_the_sitemap_says_when_each_coop_last_changed(server: Server, tmp_path: Path) -> None:
    commons = server.world.commons
    load_text(commons, "beta", "id,name,country\nb-1,Beta Bakery,CA\n", tmp_path, "beta.csv")
    before = sitemap(server, "/sitemaps/coops-1.xml")
    assert set(before) >= {f"{server.url}/id/alpha/rd-1", f"{server.url}/id/beta/b-1"}
    index = sitemap(server, "/sitemap.xml")
    assert index and all(index.values())
    assert sitemap(server, "/sitemaps/pages.xml")[f"{server.url}/id/member/alpha"]
    time.sleep(1.1)  # lastmod has a resolution of one second
    load_text(commons, "alpha", CORE_CSV.replace("Bread and pastries", "Bread and cakes"), tmp_path)
    after = sitemap(server, "/sitemaps/coops-1.xml")
    assert after[f"{server.url}/id/alpha/rd-1"] > before[f"{server.url}/id/alpha/rd-1"]
    assert after[f"{server.url}/id/beta/b-1"] == before[f"{server.url}/id/beta/b-1"]
