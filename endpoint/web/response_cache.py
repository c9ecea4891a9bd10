"""Whole responses kept while they are exact, and served without running the application.

An entity page, a search answer or the home page changes only when the store does (every write
bumps `Commons.version`), so a response can be kept under a key that names everything it
depends on and served again as it is:

- who asks: the audience's key and the graphs the access decision lets it read
  (`Commons.graphs_for`), so no audience ever gets an answer made for another, and an answer is
  shared only by askers that read exactly the same graphs;
- what was asked: method-independent path and query string, the `Accept` header (the
  negotiated format follows from it), and the scheme, host and script root (absolute links);
- when: `Commons.version`, read afresh for every request: after a write no earlier answer matches.

Views opt in (`keep`): only a complete `200` answer whose body the view built in one piece is
kept; streamed dumps, errors and anything setting a cookie never are. A hit is answered by this
WSGI layer in front of Flask (no request context, no view): with `304` when the client's copy is
still good (`If-None-Match`, `If-Modified-Since`), else with the kept headers and body. The
cache is bounded by bytes (an LRU from `cachetools`). Bodies are kept as they are: compressing
them (zlib, level 1) cost more than building a Turtle answer afresh on a small machine.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

from cachetools import LRUCache
from flask import request
from werkzeug.datastructures import Headers
from werkzeug.http import is_resource_modified, remove_entity_headers

from datacommons.audience import ANONYMOUS, Audience, InvalidToken, audience_for_token
from datacommons.store import Commons

DEFAULT_MAX_BYTES = 32 * 1024 * 1024  # config.response_cache_mb
CACHED_PREFIXES = ("/id/", "/api/search", "/search", "/vocab", "/embed")
CACHED_PATHS = frozenset({"/"})
_KEY = "datacommons.response_key"
_KEEP = "datacommons.keep_response"


def keep() -> None:
    """Called by a view: the response it is building may be kept (if it ends as a `200`)."""
    request.environ[_KEEP] = True


@dataclass(frozen=True)
class Kept:
    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    etag: str | None
    last_modified: str | None

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers) + 400


class ResponseCache:
    """WSGI middleware: answers what it kept, keeps what views allow."""

    def __init__(self, app, commons: Commons, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.app = app
        self.commons = commons
        self._entries: LRUCache = LRUCache(maxsize=max_bytes, getsizeof=lambda kept: kept.size)
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def bytes(self) -> int:
        return self._entries.currsize

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD")
        path = environ.get("PATH_INFO", "")
        if method not in ("GET", "HEAD") or not (path in CACHED_PATHS or path.startswith(CACHED_PREFIXES)):
            return self.app(environ, start_response)
        with self.commons.pinned():  # one read of the version and members for the whole request
            return self._serve(environ, start_response, method, path)

    def _serve(self, environ, start_response, method: str, path: str):
        key = self._key(environ, path)
        if key is None:  # a token the application must refuse: let it say why
            return self.app(environ, start_response)
        with self._lock:
            kept = self._entries.get(key)
        if kept is not None:
            self.hits += 1
            return self._answer(kept, environ, start_response, method == "HEAD")
        self.misses += 1
        environ[_KEY] = key
        return self._fill(key, environ, start_response)

    def _key(self, environ, path: str) -> tuple | None:
        audience = self._audience(environ.get("HTTP_AUTHORIZATION", ""))
        if audience is None:
            return None
        return (
            audience.key,
            self.commons.graphs_for(audience),
            self.commons.version,
            path,
            environ.get("QUERY_STRING", ""),
            environ.get("HTTP_ACCEPT", ""),
            environ.get("wsgi.url_scheme", "http"),
            environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME')}:{environ.get('SERVER_PORT')}",
            environ.get("SCRIPT_NAME", ""),
        )

    def _audience(self, header: str) -> Audience | None:
        """The audience `auth.current_audience` will find, or None where it will refuse."""
        if not header:
            return ANONYMOUS
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer":
            return None
        try:
            return audience_for_token(self.commons.system, token or None)
        except InvalidToken:
            return None

    def _answer(self, kept: Kept, environ, start_response, head: bool):
        if (kept.etag or kept.last_modified) and (
            "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ
        ) and not is_resource_modified(environ, etag=kept.etag, last_modified=kept.last_modified):
            headers = Headers(list(kept.headers))
            remove_entity_headers(headers)
            start_response("304 NOT MODIFIED", headers.to_wsgi_list())
            return [b""]
        start_response(kept.status, list(kept.headers))
        return [b""] if head else [kept.body]

    def _fill(self, key: tuple, environ, start_response):
        captured: dict[str, object] = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        app_iter = self.app(environ, capture)
        status = str(captured.get("status", ""))
        headers = list(captured.get("headers") or [])
        if (
            not environ.get(_KEEP)
            or environ.get("REQUEST_METHOD") != "GET"
            or not status.startswith("200")
            or any(name.lower() == "set-cookie" for name, _ in headers)
        ):
            return app_iter
        try:
            body = b"".join(app_iter)
        finally:
            if hasattr(app_iter, "close"):
                app_iter.close()
        found = {name.lower(): value for name, value in headers}
        kept = Kept(status, tuple(headers), body, _etag(found.get("etag")), found.get("last-modified"))
        if kept.size <= self._entries.maxsize // 8:
            with self._lock:
                self._entries[key] = kept
        return [body]


def _etag(header: str | None) -> str | None:
    """The opaque tag of an `ETag` header (`"abc"` -> `abc`; weak tags are not kept)."""
    if not header or header.startswith("W/"):
        return None
    return header.strip('"')


def install(app, max_bytes: int = DEFAULT_MAX_BYTES) -> ResponseCache:
    """Put the cache in front of `app`'s WSGI callable; returns it (app.extensions too)."""
    cache = ResponseCache(app.wsgi_app, app.extensions["commons"], max_bytes)
    app.wsgi_app = cache
    app.extensions["response_cache"] = cache
    return cache
