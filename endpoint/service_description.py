"""The SPARQL 1.1 Service Description of /sparql."""
from __future__ import annotations

from pyoxigraph import BlankNode, NamedNode, Triple

from datacommons.store import Commons
from datacommons.vocab import RDF, Namespace

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")


def description(endpoint: str, commons: Commons) -> list[Triple]:
    service = BlankNode()
    dataset = BlankNode()
    triples = [
        Triple(service, RDF.type, SD.Service),
        Triple(service, SD.endpoint, NamedNode(endpoint)),
        Triple(service, SD.supportedLanguage, SD.SPARQL11Query),
        Triple(service, SD.feature, SD.UnionDefaultGraph),
        Triple(service, SD.feature, SD.BasicFederatedQuery),
        Triple(service, SD.defaultDataset, dataset),
        Triple(dataset, RDF.type, SD.Dataset),
    ]
    for fmt in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                "SPARQL_Results_TSV", "Turtle", "JSON-LD", "RDF_XML", "N-Triples", "N-Quads", "TriG"):
        triples.append(Triple(service, SD.resultFormat, FORMATS[fmt]))
    return triples
