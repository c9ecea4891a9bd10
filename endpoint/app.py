"""The application factory: one Flask app over one `Commons`."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask.globals import request_ctx
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from datacommons.config import Config
from datacommons.store import Commons


def _wants_html_error() -> bool:
    """A browser gets the styled page, anything else the plain line. Asked as "which of the
    two does the client rate higher" rather than "is text/html its favourite": Chromium's
    Accept lists `application/signed-exchange;v=b3` and werkzeug's `best` ranks that first.
    On a tie (`*/*`, curl) the plain line wins."""
    return request.accept_mimetypes.best_match(["text/plain", "text/html"]) == "text/html"


class _BoundedInt(IntegerConverter):
    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)


def create_app(commons: Commons, config: Config | None = None) -> Flask:
    app = Flask(__name__)
    # Numbers in paths (import numbers, sitemap pages) fit the system area's 64-bit integers:
    # a larger one is no page of ours (404), not an overflow deep in SQLite (issue 11, finding 10).
    app.url_map.converters["int"] = _BoundedInt
    app.config["DATACOMMONS"] = config or Config()
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024 * 1024
    app.extensions["commons"] = commons
    from datacommons import licences

    licences.default(commons)  # a default licence that is none stops the server at its start

    from .pages import entities, home
    from .sparql import graph_store as graphstore, protocol as sparql, rate_limits as limits

    app.register_blueprint(home.bp)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(entities.bp)
    app.register_blueprint(graphstore.bp)
    sparql.init_app(app)
    limits.init_app(app, [sparql.bp, graphstore.bp])

    from .imports import member_imports as imports, review  # member imports (preview, commit, history); match review

    app.register_blueprint(imports.bp)
    app.register_blueprint(review.bp)

    from .api import openapi as api_docs
    from .discovery import descriptions as discovery
    from .search import directory, widget
    from .sparql import named_queries
    from .web import templating
    from .search.index import SearchIndexes

    app.extensions["search_indexes"] = SearchIndexes(commons)
    for blueprint in (directory.bp, api_docs.bp, named_queries.bp, discovery.bp, widget.bp):
        app.register_blueprint(blueprint)
    from .search import stats  # the commons in charts (public numbers only)

    app.register_blueprint(stats.bp)
    templating.install(app)
    from datacommons.optin import Optin

    from .optin import mailing_lists as optin  # mailing lists: sign-up pages, the mail's links, the lists API

    app.extensions["optin"] = Optin(commons, app.config["DATACOMMONS"])
    app.register_blueprint(optin.bp)
    from .web import response_cache

    response_cache.install(app, int(app.config["DATACOMMONS"].response_cache_mb * 1024 * 1024))  # exact answers (audience, request, store version) served again

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        # A request whose Host could not be matched (e.g. a label over 63 characters) has no
        # URL adapter: the styled page, which links our pages, cannot be built, so it gets the
        # plain line (issue 11, finding 10: this was every fuzzed 500).
        wants_html = _wants_html_error() and request_ctx.url_adapter is not None
        if wants_html:
            body = render_template("error.html", error=error)
        else:
            body = f"{error.code} {error.name}: {error.description}\n"
        response = app.response_class(
            body, status=error.code, mimetype="text/html" if wants_html else "text/plain"
        )
        if error.code == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="datacommons"'
        for name in ("Allow", "Retry-After"):
            value = dict(error.get_headers()).get(name)
            if value:
                response.headers[name] = value
        return response

    @app.after_request
    def cors(response):
        response.headers.setdefault("Access-Control-Allow-Origin", "*")
        response.headers.setdefault("Access-Control-Allow-Headers", "Authorization, Content-Type, Accept")
        response.headers.setdefault("Access-Control-Expose-Headers", "ETag, Link, Vary")
        if request.method == "OPTIONS":  # a preflight: what a cross-origin request may do
            response.headers.setdefault("Access-Control-Allow-Methods", "GET, HEAD, POST, PUT, DELETE, OPTIONS")
            response.headers.setdefault("Access-Control-Max-Age", "86400")
        response.headers["Access-Control-Expose-Headers"] += (
            ", Location, Retry-After, Result-Row-Limit, Result-Truncated"
            ", X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset"
        )
        return response

    app.add_url_rule("/health", "health", lambda: jsonify(status="ok", version=commons.version))
    return app
