"""The SPARQL 1.1 Service Description of /sparql: what it speaks, in which formats, and the
limits it keeps (stated in words, since the vocabulary has no terms for them)."""
from __future__ import annotations

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from datacommons.config import Config
from datacommons.store import Commons
from datacommons.vocab import RDF, RDFS, Namespace

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
RESULT_FORMATS = (
    "SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
    "Turtle", "JSON-LD", "RDF_XML", "N-Triples", "N-Quads", "TriG",
)


def description(endpoint: str, commons: Commons, config: Config) -> list[Triple]:
    service = BlankNode()
    dataset = BlankNode()
    default_graph = BlankNode()
    limits = (
        f"Queries run for at most {config.query_timeout:g} s (ask for less with the 'timeout' "
        f"parameter, in seconds; a stopped query is answered 503). Results hold at most "
        f"{config.max_rows} rows or triples (header 'Result-Row-Limit'; "
        "'Result-Truncated: true' when cut). SERVICE calls go only to allow-listed endpoints. "
        "Updates are for administrators and change only their workspace graphs."
    )
    triples = [
        Triple(service, RDF.type, SD.Service),
        Triple(service, SD.endpoint, NamedNode(endpoint)),
        Triple(service, SD.supportedLanguage, SD.SPARQL11Query),
        Triple(service, SD.supportedLanguage, SD.SPARQL11Update),
        Triple(service, SD.feature, SD.UnionDefaultGraph),
        Triple(service, SD.feature, SD.BasicFederatedQuery),
        Triple(service, SD.defaultDataset, dataset),
        Triple(service, RDFS.comment, Literal(limits, language="en")),
        Triple(dataset, RDF.type, SD.Dataset),
        Triple(dataset, SD.defaultGraph, default_graph),
        Triple(default_graph, RDF.type, SD.Graph),
        Triple(
            default_graph,
            RDFS.comment,
            Literal("The union of the named graphs the requester may read.", language="en"),
        ),
    ]
    for graph in (commons.uris.commons_graph, commons.uris.vocabulary_graph):
        named = BlankNode()
        triples += [
            Triple(dataset, SD.namedGraph, named),
            Triple(named, RDF.type, SD.NamedGraph),
            Triple(named, SD.name, NamedNode(graph)),
        ]
    for fmt in RESULT_FORMATS:
        triples.append(Triple(service, SD.resultFormat, FORMATS[fmt]))
    return triples
