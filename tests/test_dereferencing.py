"""Every URI of the commons dereferences for machines and people, with caching done right.

The live commons' base IRI is the server's URL, so rdflib fetches the URIs themselves."""
from __future__ import annotations

import json
from urllib.parse import quote

import pytest
import rdflib
from rdflib.namespace import RDF

from datacommons.audience import ANONYMOUS

from .conftest import CORE_CSV, Server, load_text
from .directory_world import AWKWARD_IDS, MEMBERS_ONLY, Directory, directory  # noqa: F401
from .webclient import bearer, fetch

GR = rdflib.Namespace("http://purl.org/goodrelations/v1#")
ESS = rdflib.Namespace("http://purl.org/essglobal/vocab/")
VCARD = rdflib.Namespace("http://www.w3.org/2006/vcard/ns#")
GEO = rdflib.Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
SKOS = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")

FORMATS = [
    ("ttl", "text/turtle", "turtle"),
    ("jsonld", "application/ld+json", "json-ld"),
    ("rdf", "application/rdf+xml", "xml"),
    ("nt", "application/n-triples", "nt"),
]


def assert_complete_red_door(graph: rdflib.Graph, iri: str) -> None:
    coop = rdflib.URIRef(iri)
    assert graph.value(coop, GR.name).toPython() == "Red Door Bakery Co-op"
    assert (coop, RDF.type, ESS.SSEInitiative) in graph
    address = graph.value(coop, ESS.hasAddress)
    assert str(graph.value(address, VCARD.locality)) == "Minneapolis"
    assert float(graph.value(coop, GEO.lat)) == pytest.approx(44.9778)
    assert {str(o) for o in graph.objects(coop, ESS.economicSector)} == {
        "http://purl.org/essglobal/standard/activities-ica/ICA240",
        "http://purl.org/essglobal/standard/activities-ica/ICA250",
    }


def test_rdflib_parses_a_coop_straight_from_its_uri(directory: Directory) -> None:
    iri = directory.iri("/id/alpha/rd-1")
    graph = rdflib.Graph().parse(iri)  # rdflib's own Accept header and redirects, as any client
    assert_complete_red_door(graph, iri)
    assert not any(v in graph.serialize(format="nt") for v in MEMBERS_ONLY)


@pytest.mark.parametrize("ext,media,rdflib_format", FORMATS)
def test_each_format_by_accept_and_by_extension_is_complete(
    directory: Directory, ext: str, media: str, rdflib_format: str
) -> None:
    iri = directory.iri("/id/alpha/rd-1")
    by_accept = fetch(iri, headers={"Accept": media})
    by_extension = fetch(f"{iri}.{ext}")
    for reply in (by_accept, by_extension):
        assert reply.status == 200 and reply.headers["content-type"].startswith(media)
        graph = rdflib.Graph().parse(data=reply.body, format=rdflib_format, publicID=iri)
        assert_complete_red_door(graph, iri)
    assert by_accept.headers["content-location"] == f"/id/alpha/rd-1.{ext}"
    assert by_accept.body == by_extension.body


def test_jsonld_refers_to_the_published_context(directory: Directory) -> None:
    reply = fetch(directory.iri("/id/alpha/rd-1.jsonld"))
    document = json.loads(reply.body)
    assert document["@context"] == f"{directory.url}/context.jsonld"
    context = json.loads(fetch(document["@context"]).body)["@context"]
    assert context["gr"] == str(GR) and context["essglobal"] == str(ESS)


def test_nquads_say_which_member_said_each_statement(directory: Directory) -> None:
    reply = fetch(directory.iri("/id/alpha/rd-1"), headers={"Accept": "application/n-quads"})
    dataset = rdflib.Dataset()
    dataset.parse(data=reply.body, format="nquads")
    graphs = {str(g) for *_, g in dataset.quads((None, None, None, None))}
    assert graphs - {str(rdflib.graph.DATASET_DEFAULT_GRAPH_ID)} == {directory.iri("/graph/alpha/public")}  # and all once in the default graph
    members = fetch(directory.iri("/id/alpha/rd-1.nq"), headers=bearer(directory.tokens["gamma"]))
    assert directory.iri("/graph/alpha/members") in members.text and "info@reddoorbakery.coop" in members.text


def test_curl_style_turtle_request_gets_the_data(directory: Directory) -> None:
    reply = fetch(directory.iri("/id/alpha/rd-1"), headers={"Accept": "text/turtle", "User-Agent": "curl/8"})
    assert reply.status == 200 and "Red Door Bakery Co-op" in reply.text
    assert reply.headers["vary"] == "Accept, Authorization"
    links = reply.headers["link"]
    for ext in ("html", "ttl", "jsonld", "rdf", "nt", "nq"):
        assert f"</id/alpha/rd-1.{ext}>; rel=\"alternate\"" in links


def test_public_entity_pages_never_show_members_only_values(directory: Directory) -> None:
    for path in ("/id/alpha/rd-1", "/id/gamma/cafe-nandu"):
        for accept in ("text/html", "text/turtle", "application/ld+json", "application/n-quads",
                       "application/rdf+xml", "application/n-triples"):
            reply = fetch(directory.iri(path), headers={"Accept": accept})
            assert reply.status == 200
            assert not [v for v in MEMBERS_ONLY if v in reply.text], (path, accept)
            assert "mailto:" not in reply.text and "tel:" not in reply.text


def test_member_token_sees_contact_on_the_page_with_its_level(directory: Directory) -> None:
    reply = fetch(directory.iri("/id/alpha/rd-1"), headers={"Accept": "text/html", **bearer(directory.tokens["gamma"])})
    assert "info@reddoorbakery.coop" in reply.text and "1 Main St" in reply.text
    assert "members only" in reply.text


@pytest.mark.parametrize("local_id", list(AWKWARD_IDS))
def test_awkward_uris_dereference(directory: Directory, local_id: str) -> None:
    iri = directory.iri(f"/id/gamma/{local_id}")
    request_url = directory.iri("/id/gamma/" + quote(local_id, safe="-%"))  # on the wire: ASCII
    graph = rdflib.Graph().parse(request_url + ".ttl", format="turtle")
    assert str(graph.value(rdflib.URIRef(iri), GR.name)) == AWKWARD_IDS[local_id]
    page = fetch(request_url, headers={"Accept": "text/html"})
    assert page.status == 200 and AWKWARD_IDS[local_id] in page.text


def test_a_percent_encoded_iri_answers_when_asked_in_its_unicode_form(directory: Directory) -> None:
    reply = fetch(directory.iri("/id/gamma/" + quote("café-ñandú")), headers={"Accept": "text/turtle"})
    assert reply.status == 200 and "Café Ñandú (encoded)" in reply.text


def test_unknown_uri_gets_a_real_404_page(directory: Directory) -> None:
    reply = fetch(directory.iri("/id/alpha/no-such-coop"), headers={"Accept": "text/html"})
    assert reply.status == 404 and "<h1>404 Not Found</h1>" in reply.text
    assert fetch(directory.iri("/id/alpha/no-such-coop.ttl")).status == 404


def test_member_organisation_page_lists_its_coops_and_links_to_search(directory: Directory) -> None:
    reply = fetch(directory.iri("/id/member/alpha"), headers={"Accept": "text/html"})
    assert "Alpha Federation" in reply.text and "Red Door Bakery Co-op" in reply.text
    assert "Co-ops listed (2)" in reply.text  # the unlisted third is not public
    assert "/search?member=alpha" in reply.text


def test_concepts_are_served_at_local_paths_with_their_labels(directory: Directory) -> None:
    essglobal = fetch(directory.iri("/id/concept/essglobal/organisational-structure/OS60.ttl"))
    graph = rdflib.Graph().parse(data=essglobal.body, format="turtle")
    concept = rdflib.URIRef("http://purl.org/essglobal/standard/organisational-structure/OS60")
    assert (concept, RDF.type, SKOS.Concept) in graph
    ours = fetch(directory.iri("/id/concept/structure/credit-union"), headers={"Accept": "text/html"})
    assert ours.status == 200 and "Coopérative de crédit" in ours.text
    assert "/search?structure=credit-union" in ours.text
    coop_page = fetch(directory.iri("/id/alpha/rd-1"), headers={"Accept": "text/html"})
    assert 'href="/id/concept/essglobal/organisational-structure/OS60"' in coop_page.text


def test_the_vocabulary_is_served_at_vocab(directory: Directory) -> None:
    graph = rdflib.Graph().parse(directory.iri("/vocab.ttl"), format="turtle")
    assert (rdflib.URIRef("https://w3id.org/coop-commons/vocab#listedBy"), None, None) in graph
    page = fetch(directory.iri("/vocab"), headers={"Accept": "text/html"})
    assert 'id="listedBy"' in page.text


def test_etag_and_last_modified_give_304(directory: Directory) -> None:
    iri = directory.iri("/id/alpha/rd-1")
    first = fetch(iri, headers={"Accept": "text/turtle"})
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert fetch(iri, headers={"Accept": "text/turtle", "If-None-Match": etag}).status == 304
    assert fetch(iri, headers={"Accept": "text/turtle", "If-Modified-Since": modified}).status == 304
    assert fetch(iri, headers={"Accept": "text/html", "If-None-Match": etag}).status == 200
    as_member = {"Accept": "text/turtle", "If-None-Match": etag, **bearer(directory.tokens["gamma"])}
    assert fetch(iri, headers=as_member).status == 200  # another audience, another representation


def test_etag_follows_the_graphs_the_page_reads(server: Server, tmp_path) -> None:
    page = server.url + "/id/alpha/rd-1"
    etag = fetch(page, headers={"Accept": "text/turtle"}).headers["etag"]
    load_text(server.world.commons, "beta", "id,name\nb-1,Beta Bakery\n", tmp_path, "beta.csv")
    assert fetch(page, headers={"Accept": "text/turtle", "If-None-Match": etag}).status == 304
    load_text(server.world.commons, "alpha", CORE_CSV.replace("Bread and pastries", "Bread and cakes"), tmp_path)
    changed = fetch(page, headers={"Accept": "text/turtle", "If-None-Match": etag})
    assert changed.status == 200 and "Bread and cakes" in changed.text
    assert changed.headers["etag"] != etag


def test_a_coop_several_members_list_shows_who_said_each_value(directory: Directory) -> None:
    canonical = next(iter(directory.commons.query(
        "SELECT ?c WHERE { ?c a <https://w3id.org/coop-commons/vocab#CanonicalOrganisation> } ORDER BY ?c LIMIT 1",
        ANONYMOUS)))["c"].value
    page = fetch(canonical, headers={"Accept": "text/html"})
    assert page.status == 200 and "Who said what" in page.text
    assert page.text.count("said by") >= 2  # the values of each member, each attributed
    quads = rdflib.Dataset()
    quads.parse(data=fetch(canonical + ".nq").body, format="nquads")
    assert len({str(g) for *_, g in quads.quads((None, None, None, None))}) >= 2
    record = next(o for _, _, o, _ in quads.quads((rdflib.URIRef(canonical), rdflib.OWL.sameAs, None, None)))
    name = next(o for _, _, o, _ in quads.quads((rdflib.URIRef(canonical), GR.name, None, None)))
    record_page = fetch(str(record), headers={"Accept": "text/html"})
    assert f'href="{canonical[len(directory.url):]}"' in record_page.text
    found = json.loads(fetch(f"{directory.url}/api/search?per_page=100&q=" + quote(str(name))).body)
    assert [r["id"] for r in found["results"]].count(canonical) == 1
    assert str(record) not in [r["id"] for r in found["results"]]  # shown once, as the canonical co-op
