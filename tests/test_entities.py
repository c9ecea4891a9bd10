"""Every co-op and member URI dereferences: HTML for people, RDF for machines, as the audience may see."""
from __future__ import annotations

import json

import pytest
import rdflib

from .conftest import BASE, Server
from .webclient import bearer, fetch

COOP = f"{BASE}/id/alpha/rd-1"


def url(server: Server, iri: str) -> str:
    return server.url + iri[len(BASE):]


def test_coop_page_in_html_shows_public_values(server: Server) -> None:
    reply = fetch(url(server, COOP), headers={"Accept": "text/html"})
    assert reply.status == 200 and reply.headers["content-type"].startswith("text/html")
    assert "Red Door Bakery Co-op" in reply.text
    assert "Minneapolis" in reply.text
    assert "Workers cooperative" in reply.text  # concept label, not its IRI
    assert "Who said what" in reply.text and "Alpha Federation" in reply.text  # the source of each value


def test_public_cannot_see_members_only_email_on_entity_page(server: Server) -> None:
    for accept in ("text/html", "text/turtle", "application/ld+json", "application/n-quads"):
        reply = fetch(url(server, COOP), headers={"Accept": accept})
        assert reply.status == 200
        assert "reddoorbakery.coop" in reply.text  # the public website
        assert "info@reddoorbakery.coop" not in reply.text
        assert "1 Main St" not in reply.text


def test_member_token_sees_members_only_values_on_entity_page(server: Server) -> None:
    reply = fetch(url(server, COOP), headers={"Accept": "text/html", **bearer(server.world.tokens["beta"])})
    assert "info@reddoorbakery.coop" in reply.text and "1 Main St" in reply.text
    assert "members" in reply.text  # the level is shown beside members-only values


@pytest.mark.parametrize(
    "accept,rdflib_format",
    [("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
     ("application/rdf+xml", "xml"), ("application/n-triples", "nt")],
)
def test_coop_in_every_rdf_format_parses_and_is_complete(server: Server, accept: str, rdflib_format: str) -> None:
    reply = fetch(url(server, COOP), headers={"Accept": accept})
    assert reply.headers["content-type"].startswith(accept)
    graph = rdflib.Graph().parse(data=reply.body, format=rdflib_format)
    subject = rdflib.URIRef(COOP)
    assert graph.value(subject, rdflib.URIRef("http://purl.org/goodrelations/v1#name")).toPython() == "Red Door Bakery Co-op"
    assert (subject, rdflib.RDF.type, rdflib.URIRef("http://purl.org/essglobal/vocab/SSEInitiative")) in graph
    address = graph.value(subject, rdflib.URIRef("http://purl.org/essglobal/vocab/hasAddress"))
    assert str(graph.value(address, rdflib.URIRef("http://www.w3.org/2006/vcard/ns#locality"))) == "Minneapolis"
    assert float(graph.value(subject, rdflib.URIRef("http://www.w3.org/2003/01/geo/wgs84_pos#lat"))) == pytest.approx(44.9778)


def test_extension_picks_the_format_and_nquads_say_who_said_it(server: Server) -> None:
    reply = fetch(url(server, COOP) + ".nq")
    assert reply.headers["content-type"].startswith("application/n-quads")
    dataset = rdflib.Dataset()
    dataset.parse(data=reply.body, format="nquads")
    graphs = {str(g) for _, _, _, g in dataset.quads((None, None, None, None))}
    assert graphs - {str(rdflib.graph.DATASET_DEFAULT_GRAPH_ID)} == {f"{BASE}/graph/alpha/public"}  # and all once in the default graph
    assert fetch(url(server, COOP) + ".ttl").headers["content-type"].startswith("text/turtle")


def test_member_organisation_dereferences_with_its_coops(server: Server) -> None:
    reply = fetch(url(server, f"{BASE}/id/member/alpha"), headers={"Accept": "text/html"})
    assert reply.status == 200 and "Alpha Federation" in reply.text
    assert "Red Door Bakery Co-op" in reply.text and "Quiet Housing Co-op" not in reply.text
    reply = fetch(url(server, f"{BASE}/id/member/alpha"), headers={"Accept": "application/ld+json"})
    document = json.loads(reply.body)
    assert document["@context"].endswith("/context.jsonld")  # the published context, by URL
    assert "Alpha Federation" in json.dumps(document)


def test_unlisted_coop_is_404_for_the_public_and_200_for_members(server: Server) -> None:
    hidden = url(server, f"{BASE}/id/alpha/rd-3")
    assert fetch(hidden, headers={"Accept": "text/html"}).status == 404
    assert fetch(hidden, headers={"Accept": "text/html", **bearer(server.world.tokens["beta"])}).status == 200


def test_unknown_uri_is_a_real_404_page(server: Server) -> None:
    reply = fetch(server.url + "/id/alpha/nope", headers={"Accept": "text/html"})
    assert reply.status == 404 and "<h1>404" in reply.text


def test_headers_vary_link_etag_and_304(server: Server) -> None:
    reply = fetch(url(server, COOP), headers={"Accept": "text/turtle"})
    assert "Accept" in reply.headers["vary"]
    assert 'rel="alternate"' in reply.headers["link"]
    etag = reply.headers["etag"]
    again = fetch(url(server, COOP), headers={"Accept": "text/turtle", "If-None-Match": etag})
    assert again.status == 304
    other = fetch(url(server, COOP), headers={"Accept": "text/html", "If-None-Match": etag})
    assert other.status == 200


def test_home_page_links_to_members_and_coops(server: Server) -> None:
    reply = fetch(server.url + "/", headers={"Accept": "text/html"})
    assert reply.status == 200
    assert "Alpha Federation" in reply.text and "Red Door Bakery Co-op" in reply.text
    assert "Quiet Housing Co-op" not in reply.text
