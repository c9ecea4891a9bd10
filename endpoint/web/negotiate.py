"""Content negotiation: which representation a client gets, by `Accept`, extension or `format`."""
from __future__ import annotations

from flask import Request
from werkzeug.exceptions import NotFound
from pyoxigraph import QueryResultsFormat, RdfFormat
from werkzeug.datastructures import MIMEAccept

HTML = "text/html"

RDF_FORMATS: dict[str, RdfFormat] = {
    "text/turtle": RdfFormat.TURTLE,
    "application/ld+json": RdfFormat.JSON_LD,
    "application/rdf+xml": RdfFormat.RDF_XML,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/n-quads": RdfFormat.N_QUADS,
    "application/trig": RdfFormat.TRIG,
}
# Served with the graph of each statement (who said it); every other format gets plain triples.
DATASET_MEDIA = frozenset({"application/n-quads", "application/trig"})
RDF_ALIASES = {
    "application/x-turtle": "text/turtle",
    "application/json": "application/ld+json",
    "text/n3": "text/turtle",
    "text/plain": "application/n-triples",
    "application/xml": "application/rdf+xml",
    "text/x-nquads": "application/n-quads",
}
RDF_EXTENSIONS = {
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "json": "application/ld+json",
    "rdf": "application/rdf+xml",
    "xml": "application/rdf+xml",
    "nt": "application/n-triples",
    "nq": "application/n-quads",
    "trig": "application/trig",
    "html": HTML,
}

RESULT_FORMATS: dict[str, QueryResultsFormat] = {
    "application/sparql-results+json": QueryResultsFormat.JSON,
    "application/sparql-results+xml": QueryResultsFormat.XML,
    "text/csv": QueryResultsFormat.CSV,
    "text/tab-separated-values": QueryResultsFormat.TSV,
}
RESULT_ALIASES = {
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
}
RESULTS_DEFAULT = "application/sparql-results+json"
GRAPH_DEFAULT = "text/turtle"
FORMAT_PARAMETER = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "rdf": "application/rdf+xml",
    "ntriples": "application/n-triples",
    "nt": "application/n-triples",
    "nquads": "application/n-quads",
    "trig": "application/trig",
}

# The same `format` names for CONSTRUCT/DESCRIBE results: json and xml mean their RDF forms.
GRAPH_FORMAT_PARAMETER = {
    **FORMAT_PARAMETER,
    "json": "application/ld+json",
    "xml": "application/rdf+xml",
}


def best(request: Request, offered: list[str], aliases: dict[str, str], default: str) -> str | None:
    """The offered media type the client prefers (q-values and specificity, by werkzeug);
    `default` for no Accept header or `*/*`; None when nothing offered is acceptable.

    Parameters other than q (`text/turtle; charset=utf-8`) are set aside: every text format
    here is served as UTF-8, so they never make a type unacceptable."""
    if not request.headers.get("Accept"):
        return default
    candidates = [default] + [m for m in offered if m != default] + list(aliases)
    accept = MIMEAccept([(value.split(";")[0].strip(), q) for value, q in request.accept_mimetypes])
    match = accept.best_match(candidates)
    return aliases.get(match, match) if match else None


def media_for_extension(ext: str | None) -> str | None:
    """The media type a `.ext` suffix asks for (None for no suffix); 404 for an unknown one."""
    if ext is None:
        return None
    media = RDF_EXTENSIONS.get(ext)
    if media is None:
        raise NotFound(f"no format .{ext}; try {', '.join(RDF_EXTENSIONS)}")
    return media
