"""The SPARQL 1.1 Graph Store HTTP Protocol: read and write graphs as documents.

Graphs are named directly (`GET /graph/alpha` is the graph `{base}/graph/alpha`) or
indirectly (`/graph?graph=IRI`, `/graph?default`). What may be done depends on the graph:

- a member's directory, `{base}/graph/{member}`: reading gives the member's records at the
  levels the audience may read; PUT, POST and DELETE are imports (read, mapped, validated
  with SHACL, split by the member's publication policy, committed in one transaction with
  provenance), allowed to that member and administrators only. An invalid document is a 400
  with the report, and nothing changes;
- the commons' other graphs (commons, vocabulary, each member's level graphs and import
  log): read-only, for the audiences `access.readable_graphs` allows;
- administrators' workspace graphs (the admin graph, which is `?default`, graphs under it,
  and graphs outside `{base}/graph/`): any RDF, read and written by administrators only.
  POST to /graph creates a new one under the admin graph and answers its IRI in `Location`.
"""
from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterable
from pathlib import Path

from flask import Blueprint, Response, current_app, request
from pyoxigraph import RdfFormat, Triple, parse, serialize
from werkzeug.exceptions import (
    BadRequest,
    Forbidden,
    MethodNotAllowed,
    NotAcceptable,
    NotFound,
    Unauthorized,
    UnsupportedMediaType,
)

from datacommons import access
from datacommons.audience import ANONYMOUS, Audience
from datacommons.store import Commons
from datacommons.vocab import PREFIXES
from loaders.pipeline import ImportRefused, commit_import, plan_import
from loaders.record import InputError

from ..web import negotiate
from ..web.audience import current_audience

bp = Blueprint("graphstore", __name__)
METHODS = ["GET", "PUT", "POST", "DELETE"]  # HEAD and OPTIONS come with GET
READ_ONLY = ["GET", "HEAD", "OPTIONS"]
# Documents a graph may be written as (triples only), and the reader's name for each.
WRITABLE: dict[str, str] = {
    "text/turtle": "turtle",
    "application/n-triples": "n-triples",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "rdf-xml",
}


@bp.route("/graph", methods=METHODS)
def indirect() -> Response:
    if "graph" in request.args and "default" in request.args:
        raise BadRequest("name a graph with 'graph' or ask for 'default', not both")
    if "default" in request.args:
        return _handle(_commons().uris.admin_graph)
    if "graph" in request.args:
        return _handle(request.args["graph"])
    if request.method == "POST":
        return _create()
    raise BadRequest("name a graph: /graph?graph=IRI, /graph?default, or /graph/... directly")


@bp.route("/graph/<path:rest>", methods=METHODS)
def direct(rest: str) -> Response:
    return _handle(f"{_commons().uris.base}/graph/{rest}")


def _handle(graph: str) -> Response:
    commons, audience = _commons(), current_audience()
    uris = commons.uris
    if uris.is_workspace(graph):
        return _workspace(commons, audience, graph)
    if uris.is_public_graph(graph):
        return _public(commons)
    member = graph.removeprefix(f"{uris.base}/graph/")
    if commons.system.member(member) is not None and graph == uris.directory(member):
        return _directory(commons, audience, member)
    if request.method not in READ_ONLY:
        raise MethodNotAllowed(
            READ_ONLY,
            f"<{graph}> is written by the commons itself; a member organisation writes its "
            "directory graph, {base}/graph/{member}",
        )
    if graph not in commons.graphs_for(audience):
        raise NotFound(f"no graph <{graph}> that you may read")
    return _document(commons.quads_in([graph]))


def _public(commons: Commons) -> Response:
    """`{base}/graph/public`, the merge of the public graphs: mykomap's servers HEAD it and
    fetch their data again when its `Last-Modified` moves."""
    if request.method not in READ_ONLY:
        raise MethodNotAllowed(READ_ONLY, "the public merge changes through members' imports")
    graphs = sorted(access.readable_graphs(ANONYMOUS, commons.members(), commons.uris))
    fingerprint, modified = commons.graph_state(graphs)
    if request.method == "HEAD":
        response = Response(mimetype="text/turtle")
    else:
        response = _document(commons.quads_in(graphs))
    response.set_etag(f"public-{fingerprint}")
    response.last_modified = modified
    return response


# --- members' directories: reading and importing --------------------------------------------
def _directory(commons: Commons, audience: Audience, member: str) -> Response:
    if request.method in ("GET", "HEAD"):
        readable = commons.graphs_for(audience)
        return _document(commons.quads_in([g for g in commons.uris.member_graphs(member) if g in readable]))
    if not access.may_write(audience, member):
        _refuse(audience, f"only {member} and administrators write {member}'s directory")
    had_data = bool(commons.member_triples(member))
    if request.method == "DELETE":
        triples: list[Triple] = []
    else:
        triples = list(_body_triples(commons.uris.directory(member)))
        if request.method == "POST":
            triples = commons.member_triples(member) + triples
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "directory.nt"
        path.write_bytes(serialize(triples, format=RdfFormat.N_TRIPLES))
        try:
            plan = plan_import(
                commons, member, path, fmt="n-triples",
                source_name=f"{request.method} {commons.uris.directory(member)}",
            )
        except InputError as e:
            raise BadRequest(str(e)) from None
    if plan.errors:
        return Response(plan.report() + "\n", status=400, mimetype="text/plain")
    try:
        # DELETE means "remove everything"; a PUT that empties the graph says so explicitly
        allow = request.method == "DELETE" or request.args.get("allow_remove_all", "") in ("1", "true", "yes")
        commit_import(commons, plan, audience, allow_remove_all=allow)
    except ImportRefused as e:
        return Response(f"{e}\n", status=409, mimetype="text/plain")
    status = 201 if not had_data and request.method != "DELETE" else 200
    return Response(plan.report() + "\n", status=status, mimetype="text/plain")


# --- administrators' workspace ------------------------------------------------------------------
def _workspace(commons: Commons, audience: Audience, graph: str) -> Response:
    if not access.may_write_workspace(audience):
        if request.method in READ_ONLY:
            raise NotFound(f"no graph <{graph}> that you may read")
        _refuse(audience, "only administrators write workspace graphs")
    if request.method in ("GET", "HEAD"):
        if graph not in commons.workspace_graphs():
            raise NotFound(f"no graph <{graph}>")
        return _document(commons.quads_in([graph]))
    with commons.workspace_lock:
        exists = graph in commons.workspace_graphs()
        if request.method == "DELETE":
            if not exists:
                raise NotFound(f"no graph <{graph}>")
            commons.write_workspace({graph: None})
            return Response(status=204)
        commons.write_workspace({graph: list(_body_triples(graph))}, merge=request.method == "POST")
    return Response(status=204 if exists else 201)


def _create() -> Response:
    """POST to the graph store itself: a new workspace graph, named by the commons."""
    commons, audience = _commons(), current_audience()
    if not access.may_write_workspace(audience):
        _refuse(audience, "only administrators create workspace graphs")
    graph = f"{commons.uris.admin_graph}/{uuid.uuid4()}"
    with commons.workspace_lock:
        commons.write_workspace({graph: list(_body_triples(graph))})
    response = Response(status=201)
    response.headers["Location"] = graph
    return response


# --- documents in and out --------------------------------------------------------------------
def _document(quads: Iterable) -> Response:
    media = negotiate.best(
        request, list(negotiate.RDF_FORMATS), negotiate.RDF_ALIASES, negotiate.GRAPH_DEFAULT
    )
    if media is None:
        raise NotAcceptable(f"graphs are available as {', '.join(negotiate.RDF_FORMATS)}")
    triples = list(dict.fromkeys(q.triple for q in quads))
    fmt = negotiate.RDF_FORMATS[media]
    prefixes = PREFIXES if fmt in (RdfFormat.TURTLE, RdfFormat.TRIG) else None
    response = Response(serialize(triples, format=fmt, prefixes=prefixes), mimetype=media)
    if media.startswith("text/"):
        response.charset = "utf-8"
    response.headers["Vary"] = "Accept, Authorization"
    return response


def _body_triples(base_iri: str) -> Iterable[Triple]:
    """The triples of the request body: one RDF document, or the files of a multipart form
    (each part typed), merged."""
    if request.mimetype == "multipart/form-data":
        parts = [(f.mimetype, f.read()) for f in request.files.values()]
        if not parts:
            raise BadRequest("the multipart request holds no file")
    else:
        parts = [(request.mimetype, request.get_data())]
    for media, data in parts:
        media = negotiate.RDF_ALIASES.get(media, media)
        if media not in WRITABLE:
            raise UnsupportedMediaType(f"send a graph as one of {', '.join(WRITABLE)}, not {media or 'untyped data'}")
        try:
            yield from (q.triple for q in parse(data, negotiate.RDF_FORMATS[media], base_iri=base_iri))
        except SyntaxError as e:
            raise BadRequest(f"the {media} document is not valid: {e}") from None


def _refuse(audience: Audience, message: str) -> None:
    if audience.kind == "anonymous":
        raise Unauthorized(f"{message}: send a token")
    raise Forbidden(message)


def _commons() -> Commons:
    return current_app.extensions["commons"]
