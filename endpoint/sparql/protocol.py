"""/sparql: the SPARQL 1.1 Protocol over the graphs the audience may read.

Queries by GET, POST form and POST direct; updates by POST form and POST direct, for
administrators, on their workspace (see `Uris.is_workspace`): the update's default graph is
the admin graph and `DROP ALL` means the workspace, never the commons' own graphs. Every
query runs in a reader process with a timeout (`datacommons.querypool`); results are capped
at `max_rows`, and the cap is stated in the `Result-Row-Limit` header. A repeated query is
answered from an exact cache (`result_cache`: keyed by the store version and the audience's
readable graphs among the rest). A GET with no query is the service description, or the
query editor for browsers.
"""
from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request
from pyoxigraph import RdfFormat, parse, serialize
from werkzeug.exceptions import (
    BadRequest,
    Forbidden,
    NotAcceptable,
    ServiceUnavailable,
    Unauthorized,
    UnsupportedMediaType,
)

from datacommons import access
from datacommons.config import Config
from datacommons.essglobal import rewrite_query
from datacommons.querycheck import QueryRefused, check_services, inspect, with_using
from datacommons.querypool import PoolBusy, QueryOutOfMemory, QueryPool, QueryTimeout, WorkerLost
from datacommons.queryworker import Answer, Failure, QueryJob, UpdateJob, WorkspaceChange
from datacommons.store import Commons, StoreError
from datacommons.vocab import PREFIXES

from ..web import csv_cells, negotiate, published
from ..web.audience import current_audience
from .answer_cache import AnswerKey, ResultCache, StillRunning, keepable

bp = Blueprint("sparql", __name__, template_folder="templates")

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"
EXAMPLE = "SELECT ?coop ?name WHERE { ?coop a essglobal:SSEInitiative ; gr:name ?name } LIMIT 20\n"
ROW_LIMIT_HEADER = "Result-Row-Limit"
TRUNCATED_HEADER = "Result-Truncated"


@bp.before_request
def _limit_body() -> None:
    request.max_content_length = _config().max_query_bytes


@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    operation, text = _operation()
    if operation is None:
        return _service_description()
    if operation == "update":
        return _update(text)
    return _query(text)


def _operation() -> tuple[str | None, str]:
    """Which operation the request carries ("query", "update" or None) and its text, from
    whichever way the protocol allows it to be sent; anything else is a 4xx."""
    if request.method == "GET":
        if "update" in request.args:
            raise BadRequest("updates are sent by POST, never by GET")
        return ("query", _single(request.args, "query")) if "query" in request.args else (None, "")
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType(f"send SPARQL as UTF-8, not {charset}")
    mimetype = (request.mimetype or "").lower()
    if mimetype == FORM:
        has_query, has_update = "query" in request.form, "update" in request.form
        if has_query == has_update:
            raise BadRequest("send exactly one 'query' or one 'update' parameter")
        name = "query" if has_query else "update"
        return name, _single(request.form, name)
    if mimetype in (QUERY, UPDATE):
        try:
            text = request.get_data().decode("utf-8")
        except UnicodeDecodeError:
            raise BadRequest("the request body is not UTF-8") from None
        return ("query" if mimetype == QUERY else "update"), text
    raise UnsupportedMediaType(
        f"send a query as {FORM} (query=...) or {QUERY}, an update as {FORM} (update=...) or "
        f"{UPDATE}; this request's body is {request.mimetype or 'untyped'}"
    )


def _single(values, name: str) -> str:
    found = values.getlist(name)
    if len(found) != 1:
        raise BadRequest(f"send one '{name}' parameter, not {len(found)}")
    if not found[0].strip():
        raise BadRequest(f"the '{name}' parameter is empty")
    return found[0]


# --- queries ---------------------------------------------------------------------------------
def _query(text: str) -> Response:
    commons, config, cache = _commons(), _config(), _cache()
    text = rewrite_query(text)  # the community's ESSGlobal bases and Virtuoso's prefixes
    audience = current_audience()
    timeout = _timeout()  # checked on every request, answered from the cache or not
    default_uris = request.values.getlist("default-graph-uri")
    named_uris = request.values.getlist("named-graph-uri")
    # The version is read first: an answer is then never filed under a version later than
    # the data it was computed on (see result_cache).
    key = AnswerKey(
        version=commons.version,
        graphs=commons.graphs_for(audience),
        query=text,
        default_graph_uris=tuple(default_uris),
        named_graph_uris=tuple(named_uris),
        results_format=_format("results"),
        graph_format=_format("graph"),
        max_rows=config.max_rows,
        base_iri=request.base_url,
    )
    if not keepable(text):  # it calls another endpoint, whose data changes without our version
        answer = _answer(key, audience, timeout)
    else:
        try:
            answer = cache.answer(key, lambda seconds: _answer(key, audience, seconds), timeout)
        except StillRunning as e:
            raise ServiceUnavailable(f"{e}: the query needs longer than this endpoint allows") from None
    if isinstance(answer, Failure):
        if answer.kind == "unacceptable":
            raise NotAcceptable(_unacceptable(answer.message))
        if answer.kind == "memory":
            raise ServiceUnavailable(f"{answer.message}: make the query more selective")
        raise BadRequest(_failure_text(answer))
    assert isinstance(answer, Answer)
    body = csv_cells.neutralise(answer.body) if answer.media_type == "text/csv" else answer.body
    response = Response(body, mimetype=answer.media_type)
    if answer.media_type.startswith("text/"):
        response.charset = "utf-8"
    if answer.kind != "boolean":
        response.headers[ROW_LIMIT_HEADER] = str(config.max_rows)
        if answer.truncated:
            response.headers[TRUNCATED_HEADER] = "true"
    response.headers["Vary"] = "Accept, Authorization"
    return response


def _answer(key: AnswerKey, audience, timeout: float):
    """Run the query of `key` over the dataset it names within what `audience` may read."""
    try:
        dataset = _commons().dataset(
            key.query, audience, key.default_graph_uris, key.named_graph_uris
        )
    except QueryRefused as e:
        raise BadRequest(str(e)) from None
    return _run(
        QueryJob(
            key.query,
            dataset.default,
            dataset.named,
            results_format=key.results_format,
            graph_format=key.graph_format,
            max_rows=key.max_rows,
            base_iri=key.base_iri,
            service_allowlist=_commons().service_allowlist,
        ),
        timeout,
    )


def _format(kind: str) -> str | None:
    """The media type for results of `kind` ("results" for SELECT/ASK, "graph" for
    CONSTRUCT/DESCRIBE): from the `format` parameter if given, else by `Accept`; None when
    the client would accept none of that kind (the query's own kind decides if that
    matters)."""
    if kind == "results":
        offered, aliases, default = negotiate.RESULT_FORMATS, negotiate.RESULT_ALIASES, negotiate.RESULTS_DEFAULT
        names = negotiate.FORMAT_PARAMETER
    else:
        offered, aliases, default = negotiate.RDF_FORMATS, negotiate.RDF_ALIASES, negotiate.GRAPH_DEFAULT
        names = negotiate.GRAPH_FORMAT_PARAMETER
    name = request.values.get("format")
    if name:
        media = names.get(name.lower(), name.lower())
        media = aliases.get(media, media)
        return media if media in offered else None
    return negotiate.best(request, list(offered), aliases, default)


def _unacceptable(kind: str) -> str:
    offered = negotiate.RESULT_FORMATS if kind == "results" else negotiate.RDF_FORMATS
    asked = request.values.get("format") or request.headers.get("Accept", "")
    return f"this query's results are available as {', '.join(offered)}; the request asked for {asked}"


# --- updates ---------------------------------------------------------------------------------
def _update(text: str) -> Response:
    audience = current_audience()
    if not access.may_write_workspace(audience):
        if audience.kind == "anonymous":
            raise Unauthorized("SPARQL updates are for administrators: send an administrator's token")
        raise Forbidden(
            "SPARQL updates are for administrators; member organisations change their data by "
            "import (datacommons load, or PUT to their graph with the Graph Store Protocol)"
        )
    commons = _commons()
    using = request.values.getlist("using-graph-uri")
    using_named = request.values.getlist("using-named-graph-uri")
    try:
        check_services(inspect(text), commons.service_allowlist)
        if using or using_named:
            text = with_using(text, using, using_named)
    except QueryRefused as e:
        raise BadRequest(str(e)) from None
    with commons.workspace_lock:
        outcome = _run(
            UpdateJob(
                text,
                base_iri=request.base_url,
                workspace=sorted(commons.workspace_graphs()),
                admin_graph=commons.uris.admin_graph,
                service_allowlist=commons.service_allowlist,
            )
        )
        if isinstance(outcome, Failure):
            raise BadRequest(_failure_text(outcome))
        assert isinstance(outcome, WorkspaceChange)
        graphs = {
            graph: None if data is None else [q.triple for q in parse(data, RdfFormat.N_TRIPLES)]
            for graph, data in outcome.graphs.items()
        }
        try:
            commons.write_workspace(graphs)
        except StoreError as e:
            raise Forbidden(f"the update was not applied: {e}") from None
    return Response(status=204)


# --- running -----------------------------------------------------------------------------------
def _run(job: QueryJob | UpdateJob, timeout: float | None = None):
    """Run a job in a reader process within the request's timeout; a stopped or unanswered
    job is a 503 the client can tell from a result."""
    timeout = _timeout() if timeout is None else timeout
    try:
        return _pool().run(job, timeout)
    except QueryTimeout as e:
        raise ServiceUnavailable(
            f"{e}: the query needs longer than this endpoint allows ({_config().query_timeout:g} s "
            "at most). Make it more selective, or ask for fewer results."
        ) from None
    except PoolBusy as e:
        raise ServiceUnavailable(f"{e}; try again shortly", retry_after=2) from None
    except QueryOutOfMemory as e:
        raise ServiceUnavailable(
            f"{e}. Make it more selective (an ORDER BY or GROUP BY over many rows holds them all)."
        ) from None
    except WorkerLost as e:
        raise ServiceUnavailable(str(e)) from None


def _timeout() -> float:
    """The configured timeout, or less if the client asks (`timeout` parameter, seconds)."""
    limit = _config().query_timeout
    asked = request.values.get("timeout")
    if not asked:
        return limit
    try:
        seconds = float(asked)
    except ValueError:
        raise BadRequest(f"timeout must be a number of seconds, not {asked!r}") from None
    return min(limit, seconds) if seconds > 0 else limit


def _failure_text(failure: Failure) -> str:
    if failure.kind == "syntax":
        return f"SPARQL syntax error: {failure.message}"
    if failure.kind == "refused":
        return failure.message
    return f"the request could not be carried out: {failure.message}"


def _commons() -> Commons:
    return current_app.extensions["commons"]


def _config() -> Config:
    return current_app.config["DATACOMMONS"]


def _pool() -> QueryPool:
    return current_app.extensions["querypool"]


def _cache() -> ResultCache:
    return current_app.extensions["sparql_results"]


def init_app(app) -> None:
    """Give the application its reader processes (started on the first query), the cache of
    answers, and the SERVICE allow-list from its configuration."""
    commons, config = app.extensions["commons"], app.config["DATACOMMONS"]
    commons.service_allowlist = config.service_allowlist
    if commons.embedded:
        app.extensions["querypool"] = QueryPool(commons, config.query_workers, config.query_memory_mb)
    else:
        from datacommons.remotequery import RemoteQueries

        app.extensions["querypool"] = RemoteQueries(commons)
    app.extensions["sparql_results"] = ResultCache()


# --- service description ---------------------------------------------------------------------
def _service_description() -> Response:
    wants = negotiate.best(
        request, [negotiate.HTML, *negotiate.RDF_FORMATS], negotiate.RDF_ALIASES, "text/turtle"
    )
    if wants == negotiate.HTML:
        prologue = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
        example = prologue + EXAMPLE
        page = render_template("sparql.html", example=example, config=_config())
        return Response(page, mimetype="text/html")
    from .service_description import description

    media = wants or "text/turtle"
    body = serialize(
        description(published.url("sparql.sparql"), _commons(), _config()),
        format=negotiate.RDF_FORMATS[media],
        prefixes=PREFIXES,
    )
    response = Response(body, mimetype=media)
    response.headers["Vary"] = "Accept"
    return response
