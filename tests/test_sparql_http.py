"""/sparql over real HTTP on 127.0.0.1, queried by SPARQLWrapper as a real client."""
from __future__ import annotations

import json
import urllib.parse

import pytest
from SPARQLWrapper import CSV, JSON, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, Unauthorized

from .conftest import Server
from .webclient import bearer, fetch

EMAILS = """PREFIX vcard: <http://www.w3.org/2006/vcard/ns#>
SELECT ?email WHERE { ?coop vcard:hasEmail ?email }"""
NAMES = """PREFIX gr: <http://purl.org/goodrelations/v1#>
SELECT ?name WHERE { ?coop gr:name ?name } ORDER BY ?name"""


def client(server: Server, token: str | None = None, method: str = "GET") -> SPARQLWrapper:
    sparql = SPARQLWrapper(f"{server.url}/sparql")
    sparql.setMethod(method)
    if token:
        sparql.addCustomHttpHeader("Authorization", f"Bearer {token}")
    return sparql


def names(sparql: SPARQLWrapper) -> list[str]:
    sparql.setQuery(NAMES)
    sparql.setReturnFormat(JSON)
    return [b["name"]["value"] for b in sparql.query().convert()["results"]["bindings"]]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_public_query_over_http_sees_public_names(server: Server, method: str) -> None:
    assert names(client(server, method=method)) == [
        "Prairie Harvest Cooperative", "Red Door Bakery Co-op",
    ]


def test_public_cannot_see_members_only_email_over_sparql(server: Server) -> None:
    sparql = client(server)
    sparql.setQuery(EMAILS)
    sparql.setReturnFormat(JSON)
    assert sparql.query().convert()["results"]["bindings"] == []


def test_member_token_sees_members_only_email_over_sparql(server: Server) -> None:
    sparql = client(server, server.world.tokens["beta"])
    sparql.setQuery(EMAILS)
    sparql.setReturnFormat(JSON)
    emails = {b["email"]["value"] for b in sparql.query().convert()["results"]["bindings"]}
    assert emails == {"mailto:info@reddoorbakery.coop", "mailto:hello@prairieharvest.ca"}


def test_results_in_every_standard_format(server: Server) -> None:
    sparql = client(server)
    sparql.setQuery(NAMES)
    sparql.setReturnFormat(XML)
    xml = sparql.query().convert()
    assert [n.firstChild.data for n in xml.getElementsByTagName("literal")][0] == "Prairie Harvest Cooperative"
    for fmt, first_line in ((CSV, b"name"), (TSV, b"?name")):
        sparql.setReturnFormat(fmt)
        assert sparql.query().convert().splitlines()[0].strip() == first_line
    sparql.setQuery("CONSTRUCT { ?s ?p ?o } WHERE { ?s <http://purl.org/goodrelations/v1#name> ?o BIND(<http://purl.org/goodrelations/v1#name> AS ?p) }")
    sparql.setReturnFormat(TURTLE)
    turtle = sparql.query().convert()
    assert b"Red Door Bakery Co-op" in turtle


def test_ask_and_post_direct(server: Server) -> None:
    reply = fetch(
        f"{server.url}/sparql",
        data=b"ASK { ?s <http://www.w3.org/2006/vcard/ns#hasEmail> ?o }",
        headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
    )
    assert reply.status == 200 and json.loads(reply.body)["boolean"] is False
    reply = fetch(
        f"{server.url}/sparql",
        data=b"ASK { ?s <http://www.w3.org/2006/vcard/ns#hasEmail> ?o }",
        headers={"Content-Type": "application/sparql-query", **bearer(server.world.tokens["beta"])},
    )
    assert json.loads(reply.body)["boolean"] is True


def test_syntax_error_is_a_400_naming_the_problem(server: Server) -> None:
    sparql = client(server)
    sparql.setQuery("SELECT ?x WHERE { ?x ?y }")
    with pytest.raises(QueryBadFormed):
        sparql.query()
    reply = fetch(f"{server.url}/sparql?" + urllib.parse.urlencode({"query": "SELEC * {}"}))
    assert reply.status == 400 and "syntax" in reply.text.lower()


def test_unknown_token_is_refused_not_treated_as_public(server: Server) -> None:
    sparql = client(server, "dct_not-a-real-token")
    sparql.setQuery(NAMES)
    sparql.setReturnFormat(JSON)
    with pytest.raises(Unauthorized):
        sparql.query()


def test_rdflib_sparqlstore_reads_the_endpoint_as_a_graph(server: Server) -> None:
    """rdflib's SPARQLStore: a remote graph behind the protocol, queried like a local one."""
    from rdflib import Graph
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    graph = Graph(store=SPARQLStore(query_endpoint=f"{server.url}/sparql", returnFormat="xml"))
    names = sorted(str(row.name) for row in graph.query(NAMES))
    assert names == ["Prairie Harvest Cooperative", "Red Door Bakery Co-op"]
    assert not graph.query(EMAILS.replace("SELECT ?email WHERE", "ASK")).askAnswer
