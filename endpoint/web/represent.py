"""One resource, many representations: the negotiated response for anything the commons
serves as linked data (co-ops, member organisations, concepts, the vocabulary, VoID, DCAT).

The same URI answers with `200` in the negotiated format (no `303`): a representation at the
URI itself is what schema.org and Wikidata do, and it saves clients a round trip. Caches are
told the answer depends on `Accept` and `Authorization` (`Vary`), where the other formats are
(`Link`, and `Content-Location` for the negotiated one), and when it changes: the `ETag` and
`Last-Modified` follow the versions of the graphs the representation was read from, so a
conditional request (`If-None-Match`, `If-Modified-Since`) is answered `304` without reading
or serialising anything more.
"""
from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

from cachetools import LRUCache

from flask import Response, current_app, request
from pyoxigraph import Quad, serialize
from werkzeug.exceptions import NotAcceptable
from werkzeug.http import is_resource_modified

from datacommons.vocab import PREFIXES

from . import jsonld, negotiate, published, response_cache
from .audience import current_audience

OFFERED = [negotiate.HTML, *negotiate.RDF_FORMATS]
EXTENSIONS = ("html", "ttl", "jsonld", "rdf", "nt", "nq", "trig")  # the alternates a `Link` header lists
_EXTENSION_OF = {negotiate.RDF_EXTENSIONS[e]: e for e in EXTENSIONS}


def split_extension(path: str) -> tuple[str, str | None]:
    """`rd-1.ttl` -> (`rd-1`, `text/turtle`); a path without a known extension is kept whole."""
    stem, dot, ext = path.rpartition(".")
    if dot and "/" not in ext and ext in negotiate.RDF_EXTENSIONS:
        return stem, negotiate.RDF_EXTENSIONS[ext]
    return path, None


def choose_media(explicit: str | None) -> str:
    """The media type by extension if there is one, else by `Accept` (HTML when it says nothing)."""
    if explicit:
        return explicit
    media = negotiate.best(request, OFFERED, negotiate.RDF_ALIASES, negotiate.HTML)
    if media is None:
        raise NotAcceptable(f"available as {', '.join(OFFERED)}")
    return media


@cache
def _code_fingerprint() -> str:
    """Templates and static files shape the HTML too: a new release changes every ETag."""
    digest = hashlib.sha256()
    root = Path(__file__).parent.parent  # endpoint/: its rooms' templates and code
    for f in sorted([*root.glob("**/templates/*.html"), *root.glob("static/*.*"), *root.glob("**/*.py")]):
        digest.update(f.name.encode() + f.read_bytes())
    return digest.hexdigest()[:12]


_STATES: LRUCache = LRUCache(maxsize=2 * 1024 * 1024, getsizeof=lambda state: 400)
_STATES_LOCK = threading.Lock()


def _graph_state(commons, graphs: frozenset[str]):
    """`Commons.graph_state`, kept per store version: graphs change only with a write, and
    every write bumps the version (reading it from the system area on every request made
    concurrent requests queue on its lock)."""
    key = (graphs, commons.version, str(commons.path))
    with _STATES_LOCK:
        state = _STATES.get(key)
    if state is None:
        state = commons.graph_state(graphs)
        with _STATES_LOCK:
            _STATES[key] = state
    return state


def with_default_graph(quads: list[Quad]) -> list[Quad]:
    """The statements once in the default graph, then each in the graph that holds it.

    A quad-preferring client (Comunica asks for N-Quads first) queries the default graph of
    what it fetched; with every statement in a member's graph, that graph was empty and it
    found nothing. The copy holds only what `quads` holds (what the audience may read), so it
    shows nothing more; who said what stays in the named graphs, for `GRAPH ?g { ... }`."""
    merged = [Quad(*triple) for triple in dict.fromkeys(q.triple for q in quads)]
    return merged + quads


def represent(
    *,
    iri: str,
    quads: Callable[[], list[Quad]],
    graphs: Iterable[str],
    media: str,
    html: Callable[[], str],
    data_path: str | None,
    links: Iterable[str] = (),
) -> Response:
    """The response for `iri` in `media`: the page from `html()`, or `quads()` serialised
    (both are called only when the client's copy is out of date).

    `graphs` are the graphs the representation depends on (its statements' and those its
    labels come from). N-Quads and TriG keep the graph of each statement: who said it; see
    `with_default_graph` for why they also carry each statement once in the default graph.
    `links`: more `Link` header entries (a member record's `rel="canonical"`)."""
    commons = current_app.extensions["commons"]
    audience = current_audience()
    fingerprint, modified = _graph_state(commons, frozenset(graphs))
    etag = hashlib.sha256(
        f"{fingerprint}|{audience.key}|{iri}|{media}|{_code_fingerprint()}".encode()
    ).hexdigest()[:32]
    if not is_resource_modified(request.environ, etag=etag, last_modified=modified):
        response = Response(status=304)
    elif media == negotiate.HTML:
        response = Response(html(), mimetype=media)
    elif media == jsonld.MEDIA:
        triples = dict.fromkeys(q.triple for q in quads())
        response = Response(
            jsonld.serialize_triples(triples, published.root() + jsonld.CONTEXT_PATH),
            mimetype=media,
        )
    else:
        fmt = negotiate.RDF_FORMATS[media]
        data = with_default_graph(quads()) if media in negotiate.DATASET_MEDIA else list(dict.fromkeys(q.triple for q in quads()))
        response = Response(serialize(data, format=fmt, prefixes=PREFIXES), mimetype=media)
    if media.startswith("text/"):
        response.charset = "utf-8"
    response_cache.keep()
    response.set_etag(etag)
    response.last_modified = modified
    response.headers["Vary"] = "Accept, Authorization"
    alternates = [
        f'<{data_path}.{ext}>; rel="alternate"; type="{negotiate.RDF_EXTENSIONS[ext]}"' for ext in EXTENSIONS
    ] if data_path else []
    if alternates or links:
        response.headers["Link"] = ", ".join([*alternates, *links])
    if data_path:
        if media in _EXTENSION_OF:
            response.headers["Content-Location"] = f"{data_path}.{_EXTENSION_OF[media]}"
    return response
