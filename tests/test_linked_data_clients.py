"""The linked-data clients people use read a co-op's URI as they expect: a quad-preferring
client (Comunica asks for N-Quads first) finds the statements in the default graph, with who
said each still in the named graphs; every format served is listed in `Link`; a member's
record points to its merged co-op (`rel="canonical"`); every co-op page carries schema.org
JSON-LD for search engines. None of it shows the public a members-only value."""
from __future__ import annotations

import html.parser
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import rdflib

from datacommons.audience import ADMIN, ANONYMOUS

from .directory_world import MEMBERS_ONLY, Directory, directory  # noqa: F401
from .webclient import bearer, fetch

COMUNICA = Path(__file__).parent / "js" / "node_modules" / ".bin" / "comunica-sparql"
GR_NAME = rdflib.URIRef("http://purl.org/goodrelations/v1#name")
DEFAULT = rdflib.graph.DATASET_DEFAULT_GRAPH_ID
MEMBERS_ONLY_OF_MERGED = """
SELECT ?c ?value WHERE {
  ?c a <https://w3id.org/coop-commons/vocab#CanonicalOrganisation> .
  GRAPH ?g { { ?c <http://www.w3.org/2006/vcard/ns#hasEmail> ?value }
             UNION { ?c <http://purl.org/essglobal/vocab/hasAddress> ?a . ?a <http://www.w3.org/2006/vcard/ns#street-address> ?value } }
  FILTER(STRENDS(STR(?g), "/members"))
} ORDER BY ?c LIMIT 1"""


def merged_coop(directory: Directory) -> tuple[str, str]:
    """A merged co-op (several members' records) and one of those records."""
    row = next(iter(directory.commons.query(
        "SELECT ?c ?r WHERE { ?c a <https://w3id.org/coop-commons/vocab#CanonicalOrganisation> ; "
        "<http://www.w3.org/2002/07/owl#sameAs> ?r } ORDER BY ?c ?r LIMIT 1", ANONYMOUS)))
    return row["c"].value, row["r"].value


def merged_coop_with_a_members_only_value(directory: Directory) -> tuple[str, str]:
    row = next(iter(directory.commons.query(MEMBERS_ONLY_OF_MERGED, ADMIN)))
    value = row["value"].value
    return row["c"].value, value.removeprefix("mailto:")


def dataset(body: bytes, fmt: str) -> rdflib.Dataset:
    d = rdflib.Dataset()
    d.parse(data=body, format=fmt)
    return d


@pytest.mark.parametrize("media,fmt", [("application/n-quads", "nquads"), ("application/trig", "trig")])
def test_a_quad_client_finds_the_coop_in_the_default_graph_and_who_said_it_in_named_graphs(
        directory: Directory, media: str, fmt: str) -> None:
    canonical, _ = merged_coop(directory)
    d = dataset(fetch(canonical, headers={"Accept": media}).body, fmt)
    default = {(s, p, o) for s, p, o, g in d.quads((None, None, None, None)) if g == DEFAULT}
    named = {(s, p, o) for s, p, o, g in d.quads((None, None, None, None)) if g != DEFAULT}
    assert any(s == rdflib.URIRef(canonical) and p == GR_NAME for s, p, _ in default)
    assert default == named  # the same statements: the default graph is their union
    graphs = {str(g) for *_, g in d.quads((None, None, None, None)) if g != DEFAULT}
    assert len(graphs) >= 2 and all("/graph/" in g and g.endswith("/public") for g in graphs)


def test_the_link_header_lists_every_format_served(directory: Directory) -> None:
    from endpoint.web.negotiate import RDF_EXTENSIONS

    reply = fetch(directory.iri("/id/alpha/rd-1"), headers={"Accept": "text/turtle"})
    for ext, media in RDF_EXTENSIONS.items():
        assert f'type="{media}"' in reply.headers["link"], ext
    assert '</id/alpha/rd-1.trig>; rel="alternate"; type="application/trig"' in reply.headers["link"]
    trig = fetch(directory.iri("/id/alpha/rd-1.trig"))
    assert trig.status == 200 and trig.headers["content-type"].startswith("application/trig")


def test_comunica_gets_rows_from_a_merged_coops_uri(directory: Directory) -> None:
    node = shutil.which("node")
    assert node and COMUNICA.exists(), "Comunica is missing: ./scripts/test installs tests/js"
    canonical, _ = merged_coop(directory)
    run = subprocess.run(
        [node, COMUNICA, canonical, "-q", "SELECT ?name WHERE { ?coop <http://purl.org/goodrelations/v1#name> ?name }",
         "-t", "application/sparql-results+json"],
        capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stderr
    bindings = json.loads(run.stdout)["results"]["bindings"]
    assert bindings and all(b["name"]["value"] for b in bindings)


def test_a_member_record_points_to_its_merged_coop(directory: Directory) -> None:
    canonical, record = merged_coop(directory)
    for accept in ("text/html", "text/turtle", "application/n-quads"):
        reply = fetch(record, headers={"Accept": accept})
        assert f'<{canonical}>; rel="canonical"' in reply.headers["link"], accept
    page = fetch(record, headers={"Accept": "text/html"}).text
    assert f'<link rel="canonical" href="{canonical}">' in page
    assert f'href="{canonical[len(directory.url):]}" data-canonical' in page
    merged = fetch(canonical, headers={"Accept": "text/html"})
    assert 'rel="canonical"' not in merged.headers["link"] and 'rel="canonical"' not in merged.text


def test_a_record_no_other_member_lists_has_no_canonical_link(directory: Directory) -> None:
    reply = fetch(directory.iri("/id/alpha/rd-1"), headers={"Accept": "text/html"})
    assert 'rel="canonical"' not in reply.headers["link"] and 'rel="canonical"' not in reply.text


class _JsonLdBlocks(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[str] = []
        self._in = False

    def handle_starttag(self, tag, attrs) -> None:
        self._in = tag == "script" and ("type", "application/ld+json") in attrs

    def handle_data(self, data) -> None:
        if self._in:
            self.blocks.append(data)

    def handle_endtag(self, tag) -> None:
        self._in = False


def schema_org(page: str) -> dict:
    parser = _JsonLdBlocks()
    parser.feed(page)
    assert len(parser.blocks) == 1
    return json.loads(parser.blocks[0])


def test_a_coop_page_describes_the_coop_for_search_engines(directory: Directory) -> None:
    doc = schema_org(fetch(directory.iri("/id/alpha/rd-1"), headers={"Accept": "text/html"}).text)
    assert doc["@context"] == "https://schema.org" and doc["@type"] == "Organization"
    assert doc["@id"] == directory.iri("/id/alpha/rd-1") and doc["name"] == "Red Door Bakery Co-op"
    assert doc["url"] == "https://reddoorbakery.coop"
    assert doc["address"] == {"@type": "PostalAddress", "addressLocality": "Minneapolis",
                              "addressRegion": "MN", "addressCountry": "US"}
    assert doc["geo"] == {"@type": "GeoCoordinates", "latitude": 44.9778, "longitude": -93.265}
    assert doc["memberOf"] == [{"@type": "Organization", "@id": directory.iri("/id/member/alpha"),
                                "name": "Alpha Federation"}]
    merged, record = merged_coop(directory)
    merged_doc = schema_org(fetch(merged, headers={"Accept": "text/html"}).text)
    assert merged_doc["@type"] == "Organization" and record in merged_doc["sameAs"]


def test_public_never_sees_members_only_values_in_schema_org_or_the_default_graph(directory: Directory) -> None:
    merged, secret = merged_coop_with_a_members_only_value(directory)
    for iri, hidden in ((directory.iri("/id/alpha/rd-1"), MEMBERS_ONLY), (merged, (secret,))):
        doc = json.dumps(schema_org(fetch(iri, headers={"Accept": "text/html"}).text), ensure_ascii=False)
        assert not [v for v in hidden if v in doc]
        assert "email" not in doc and "telephone" not in doc and "streetAddress" not in doc
        quads = fetch(iri, headers={"Accept": "application/n-quads"}).text
        assert not [v for v in hidden if v in quads]
    member = bearer(directory.tokens["gamma"])
    doc = schema_org(fetch(directory.iri("/id/alpha/rd-1"), headers={"Accept": "text/html", **member}).text)
    assert doc["email"] == "info@reddoorbakery.coop" and doc["address"]["streetAddress"] == "1 Main St"
    assert doc["address"]["postalCode"] == "55401"
    default = dataset(fetch(merged, headers={"Accept": "application/n-quads", **member}).body, "nquads")
    assert any(secret in str(o) for _, _, o, g in default.quads((None, None, None, None)) if g == DEFAULT)
