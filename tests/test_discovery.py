"""Machines discover the dataset: VoID and DCAT with per-audience counts, streamed dumps per
audience, a sitemap of entity pages, robots.txt."""
from __future__ import annotations

import gzip

import rdflib
from pyoxigraph import RdfFormat, parse

from datacommons import licences
from datacommons.audience import ANONYMOUS

from .directory_world import MEMBERS_ONLY, Directory, directory  # noqa: F401
from .webclient import bearer, fetch

VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")


def void_graph(directory: Directory, headers: dict[str, str] | None = None) -> rdflib.Graph:
    reply = fetch(f"{directory.url}/void", headers={"Accept": "text/turtle", **(headers or {})})
    assert reply.status == 200
    return rdflib.Graph().parse(data=reply.body, format="turtle")


def dataset_triples(graph: rdflib.Graph) -> int:
    dataset = next(graph.subjects(VOID.sparqlEndpoint, None))
    return int(graph.value(dataset, VOID.triples))


def dump_quads(directory: Directory, headers: dict[str, str] | None = None) -> tuple[bytes, list]:
    reply = fetch(f"{directory.url}/dumps/commons.nq.gz", headers=headers)
    assert reply.status == 200 and reply.headers["content-type"] == "application/gzip"
    text = gzip.decompress(reply.body)
    return text, list(parse(text, format=RdfFormat.N_QUADS))


def test_void_counts_what_the_public_may_read_and_matches_the_public_dump(directory: Directory) -> None:
    public = void_graph(directory)
    _, quads = dump_quads(directory)
    about_licences = licences.dump_statements(directory.commons, directory.commons.graphs_for(ANONYMOUS))
    assert about_licences and quads[:len(about_licences)] == about_licences  # the dump's own, first
    assert dataset_triples(public) == len(quads) - len(about_licences)
    graphs = {str(o) for o in public.objects(None, rdflib.URIRef("http://www.w3.org/ns/sparql-service-description#name"))}
    assert f"{directory.url}/graph/alpha/public" in graphs
    assert not any(g.endswith(("/members", "/private", "/imports")) for g in graphs)
    member = void_graph(directory, bearer(directory.tokens["alpha"]))
    assert dataset_triples(member) > dataset_triples(public)
    assert (None, VOID.uriSpace, rdflib.Literal(f"{directory.url}/id/")) in public


def test_well_known_void_and_other_formats(directory: Directory) -> None:
    reply = fetch(f"{directory.url}/.well-known/void", headers={"Accept": "application/n-triples"})
    assert reply.status == 200 and "http://rdfs.org/ns/void#Dataset" in reply.text
    page = fetch(f"{directory.url}/void", headers={"Accept": "text/html"})
    assert "VoID description" in page.text


def test_dcat_catalogue_names_the_dump_and_services(directory: Directory) -> None:
    graph = rdflib.Graph().parse(data=fetch(f"{directory.url}/catalog.ttl").body, format="turtle")
    assert (None, DCAT.downloadURL, rdflib.URIRef(f"{directory.url}/dumps/commons.nq.gz")) in graph
    assert (None, DCAT.endpointURL, rdflib.URIRef(f"{directory.url}/sparql")) in graph
    assert (None, DCAT.endpointDescription, rdflib.URIRef(f"{directory.url}/api/openapi.json")) in graph


def test_public_dump_holds_no_members_only_value_and_keeps_graphs(directory: Directory) -> None:
    text, quads = dump_quads(directory)
    assert not [v for v in MEMBERS_ONLY if v.encode() in text]
    assert b"mailto:" not in text and b"tel:" not in text
    assert {q.graph_name.value for q in quads} >= {f"{directory.url}/graph/alpha/public"}
    member_text, _ = dump_quads(directory, bearer(directory.tokens["gamma"]))
    assert b"info@reddoorbakery.coop" in member_text and b"bonjour@nandu.example" in member_text


def test_dump_answers_304_when_nothing_changed(directory: Directory) -> None:
    reply = fetch(f"{directory.url}/dumps/commons.nq.gz")
    again = fetch(f"{directory.url}/dumps/commons.nq.gz", headers={"If-None-Match": reply.headers["etag"]})
    assert again.status == 304


def test_sitemap_lists_public_entity_pages(directory: Directory) -> None:
    index = fetch(f"{directory.url}/sitemap.xml").text
    assert f"{directory.url}/sitemaps/coops-1.xml" in index and f"{directory.url}/sitemaps/pages.xml" in index
    coops = fetch(f"{directory.url}/sitemaps/coops-1.xml").text
    assert f"<loc>{directory.url}/id/alpha/rd-1</loc>" in coops
    assert "/id/alpha/rd-3" not in coops  # unlisted
    pages = fetch(f"{directory.url}/sitemaps/pages.xml").text
    assert f"<loc>{directory.url}/id/member/alpha</loc>" in pages


def test_robots_txt_points_to_the_sitemap(directory: Directory) -> None:
    robots = fetch(f"{directory.url}/robots.txt").text
    assert f"Sitemap: {directory.url}/sitemap.xml" in robots and "Disallow: /sparql" in robots


def test_data_page_lists_every_way_in(directory: Directory) -> None:
    page = fetch(f"{directory.url}/data", headers={"Accept": "text/html"}).text
    for link in ("/dumps/commons.nq.gz", "/void", "/catalog", "/api/openapi.json", "/widget", "/queries"):
        assert f'href="{link}' in page
