"""/queries: every queries/*.rq file as an API endpoint, /queries/{name}?param=value.

Results come in every SPARQL results format (JSON, XML, CSV, TSV: by `Accept` or
`format=json|xml|csv|tsv`) and as an HTML table for browsers, always over the graphs the
request's audience may read. Paging (`limit`, `offset`) is applied to the solutions; the page
is written as SPARQL JSON and re-read by pyoxigraph, which then writes every other format, so
all formats carry exactly the same rows.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from itertools import islice

from flask import Blueprint, Response, current_app, render_template, request
from pyoxigraph import (
    BlankNode, Literal, NamedNode, QueryBoolean, QueryResultsFormat, QueryTriples, parse_query_results,
)
from werkzeug.exceptions import BadRequest, NotAcceptable, NotFound, ServiceUnavailable

from datacommons.querycheck import QueryRefused
from datacommons.queryworker import Answer, Failure

from ..web import csv_cells, negotiate, published
from ..web.audience import current_audience
from .named_query_catalogue import ParameterError, bindings, catalogue, paging
from .answer_cache import StillRunning, keepable

bp = Blueprint("named_queries", __name__, template_folder="templates")

OFFERED = ["text/html", *negotiate.RESULT_FORMATS]
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


@bp.route("/queries")
def index() -> Response:
    queries = catalogue()
    if negotiate.best(request, ["text/html", "application/json"], {}, "text/html") == "application/json":
        return Response(json.dumps([_describe(q) for q in queries.values()], ensure_ascii=False),
                        mimetype="application/json")
    return Response(render_template("queries.html", queries=queries), mimetype="text/html")


def _describe(query) -> dict[str, object]:
    return {
        "name": query.name, "title": query.title, "description": query.description,
        "url": published.root() + f"/queries/{query.name}",
        "parameters": [
            {"name": p.name, "type": p.type, "required": p.required, "default": p.default,
             "description": p.description}
            for p in query.parameters
        ],
    }


@bp.route("/queries/<name>")
def run(name: str) -> Response:
    query = catalogue().get(name)
    if query is None:
        raise NotFound(f"no named query {name!r}; see /queries")
    commons = current_app.extensions["commons"]
    audience = current_audience()
    media = _media()
    try:
        values = bindings(query, request.args, commons.uris,
                          lambda iri: bool(commons.quads_about(iri, audience)))
        offset, limit = paging(query, request.args, current_app.config["DATACOMMONS"].max_rows)
    except ParameterError as e:
        if media == "text/html":
            return Response(render_template("query.html", query=query, error=str(e), rows=None,
                                            variables=[], args=request.args), status=400, mimetype="text/html")
        raise BadRequest(str(e)) from None
    key = NamedQueryKey(
        version=commons.version,  # read first, as for /sparql (see result_cache)
        graphs=commons.graphs_for(audience),
        query=query.sparql,
        values=tuple(sorted(values.items(), key=lambda item: item[0].value)),
        offset=offset,
        limit=limit,
    )
    cache = current_app.extensions["sparql_results"]
    timeout = current_app.config["DATACOMMONS"].query_timeout
    compute = lambda _: _page(commons, query.sparql, audience, values, offset, limit)  # noqa: E731
    try:
        page = cache.answer(key, compute, timeout) if keepable(query.sparql) else compute(timeout)
    except StillRunning as e:
        raise ServiceUnavailable(str(e)) from None
    if isinstance(page, Failure):
        raise (NotAcceptable if page.kind == "unacceptable" else BadRequest)(page.message)
    body = page.body
    if media == "text/html":
        document = json.loads(body)
        rows = document.get("results", {}).get("bindings", [])
        return Response(render_template(
            "query.html", query=query, error=None, variables=document["head"].get("vars", []),
            rows=rows, boolean=document.get("boolean"), args=request.args,
            offset=offset, limit=limit,
        ), mimetype="text/html")
    if media != "application/sparql-results+json":
        body = parse_query_results(body, format=QueryResultsFormat.JSON).serialize(
            format=negotiate.RESULT_FORMATS[media])
        if media == "text/csv":
            body = csv_cells.neutralise(body)
    response = Response(body, mimetype=media)
    if media.startswith("text/"):
        response.charset = "utf-8"
    if media == "text/csv":  # a download, named after the query
        response.headers["Content-Disposition"] = f'attachment; filename="{query.name}.csv"'
    response.headers["Vary"] = "Accept, Authorization"
    return response


@dataclass(frozen=True)
class NamedQueryKey:
    """Everything one page of a named query's results depends on (see result_cache)."""

    version: int
    graphs: frozenset[str]
    query: str
    values: tuple
    offset: int
    limit: int


def _page(commons, sparql: str, audience, values, offset: int, limit: int) -> Answer | Failure:
    """One page of results as SPARQL JSON, or the reason there is none."""
    try:
        result = commons.query(sparql, audience, substitutions=values)
    except (SyntaxError, QueryRefused) as e:
        return Failure("syntax", str(e))
    if isinstance(result, QueryTriples):
        return Failure("unacceptable", "named queries are SELECT or ASK queries")
    document = _results_json(result, offset, limit)
    return Answer(json.dumps(document, ensure_ascii=False).encode("utf-8"),
                  "application/sparql-results+json", "boolean" if "boolean" in document else "solutions")


def _media() -> str:
    fmt = request.args.get("format")
    if fmt:
        media = negotiate.FORMAT_PARAMETER.get(fmt.lower(), fmt)
        media = negotiate.RESULT_ALIASES.get(media, media)
        if media not in OFFERED:
            raise BadRequest(f"format {fmt!r} is not offered; use json, xml, csv, tsv or html")
        return media
    media = negotiate.best(request, OFFERED, negotiate.RESULT_ALIASES, "text/html")
    if media is None:
        raise NotAcceptable(f"available as {', '.join(OFFERED)}")
    return media


def _results_json(result, offset: int, limit: int) -> dict[str, object]:
    """SPARQL 1.1 JSON results for one page of solutions."""
    if isinstance(result, QueryBoolean):
        return {"head": {}, "boolean": bool(result)}
    variables = [v.value for v in result.variables]
    rows = []
    for solution in islice(result, offset, offset + limit):
        row = {}
        for v in variables:
            term = solution[v]
            if term is not None:
                row[v] = _term_json(term)
        rows.append(row)
    return {"head": {"vars": variables}, "results": {"bindings": rows}}


def _term_json(term) -> dict[str, str]:
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    raise TypeError(f"cannot write {term!r} as a SPARQL JSON term")
