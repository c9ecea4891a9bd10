"""/sparql: the SPARQL 1.1 Protocol (query by GET, POST form and POST direct) over the graphs
the audience may read."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request
from pyoxigraph import QueryTriples, RdfFormat, serialize
from werkzeug.exceptions import BadRequest, NotAcceptable, UnsupportedMediaType

from datacommons.querycheck import QueryRefused
from datacommons.vocab import PREFIXES

from . import negotiate
from .auth import current_audience

bp = Blueprint("sparql", __name__)


def _params() -> tuple[str | None, list[str], list[str]]:
    """The query and the protocol's dataset parameters, from whichever way they were sent."""
    if request.method == "GET":
        args = request.args
        return args.get("query"), args.getlist("default-graph-uri"), args.getlist("named-graph-uri")
    content_type = (request.mimetype or "").lower()
    if content_type == "application/x-www-form-urlencoded":
        form = request.form
        return form.get("query"), form.getlist("default-graph-uri"), form.getlist("named-graph-uri")
    if content_type == "application/sparql-query":
        args = request.args
        return (
            request.get_data(as_text=True),
            args.getlist("default-graph-uri"),
            args.getlist("named-graph-uri"),
        )
    raise UnsupportedMediaType(
        "send the query as application/x-www-form-urlencoded (query=...) or "
        "application/sparql-query"
    )


@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    query, default_graphs, named_graphs = _params()
    if query is None and request.method == "GET":
        return _service_description()
    if not query or not query.strip():
        raise BadRequest("the 'query' parameter is empty")
    commons = current_app.extensions["commons"]
    try:
        result = commons.query(
            query,
            current_audience(),
            default_graph_uris=default_graphs,
            named_graph_uris=named_graphs,
        )
    except SyntaxError as e:
        raise BadRequest(f"SPARQL syntax error: {e}") from None
    except QueryRefused as e:
        raise BadRequest(str(e)) from None
    fmt_param = request.values.get("format")
    if isinstance(result, QueryTriples):
        media = _choose(fmt_param, list(negotiate.RDF_FORMATS), negotiate.RDF_ALIASES, "text/turtle")
        body = result.serialize(format=negotiate.RDF_FORMATS[media])
    else:
        media = _choose(
            fmt_param,
            list(negotiate.RESULT_FORMATS),
            negotiate.RESULT_ALIASES,
            "application/sparql-results+json",
        )
        body = result.serialize(format=negotiate.RESULT_FORMATS[media])
    response = Response(body, mimetype=media)
    if media.startswith("text/"):
        response.charset = "utf-8"
    response.headers["Vary"] = "Accept, Authorization"
    return response


def _choose(fmt_param: str | None, offered: list[str], aliases: dict[str, str], default: str) -> str:
    if fmt_param:
        media = negotiate.FORMAT_PARAMETER.get(fmt_param.lower(), fmt_param)
        media = aliases.get(media, media)
        if media not in offered:
            raise BadRequest(f"format {fmt_param!r} is not offered for this query; use one of {', '.join(offered)}")
        return media
    media = negotiate.best(request, offered, aliases, default)
    if media is None:
        raise NotAcceptable(f"this query's results are available as {', '.join(offered)}")
    return media


def _service_description() -> Response:
    wants = negotiate.best(
        request, ["text/html", *negotiate.RDF_FORMATS], negotiate.RDF_ALIASES, "text/turtle"
    )
    commons = current_app.extensions["commons"]
    if wants == "text/html":
        return Response(render_template("sparql.html", prefixes=PREFIXES), mimetype="text/html")
    from .service_description import description

    fmt = negotiate.RDF_FORMATS.get(wants or "text/turtle", RdfFormat.TURTLE)
    endpoint = request.base_url
    return Response(
        serialize(description(endpoint, commons), format=fmt, prefixes=PREFIXES),
        mimetype=wants or "text/turtle",
    )
