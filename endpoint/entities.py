"""/id/...: every URI the commons mints dereferences, as HTML for people and RDF for machines.

The same URI answers with 200 in the negotiated format (no 303 redirect): the URIs name
organisations, but a representation served at the same URI is common practice (as with
schema.org and Wikidata's entity pages) and saves clients a round trip. `.ttl`, `.jsonld`,
`.rdf`, `.nt`, `.nq` and `.html` suffixes pick a format explicitly.
"""
from __future__ import annotations

import hashlib
from urllib.parse import quote

from flask import Blueprint, Response, current_app, render_template, request
from pyoxigraph import serialize
from werkzeug.exceptions import NotAcceptable, NotFound

from datacommons.vocab import PREFIXES

from . import negotiate
from .auth import current_audience
from .describe import describe

bp = Blueprint("entities", __name__)

OFFERED = [negotiate.HTML, *negotiate.RDF_FORMATS]


def _split_extension(rest: str) -> tuple[str, str | None]:
    stem, dot, ext = rest.rpartition(".")
    if dot and ext in negotiate.RDF_EXTENSIONS and "/" not in ext:
        return stem, negotiate.RDF_EXTENSIONS[ext]
    return rest, None


@bp.route("/id/<path:rest>")
def entity(rest: str) -> Response:
    commons = current_app.extensions["commons"]
    audience = current_audience()
    iri = f"{commons.uris.base}/id/{quote(rest, safe='-._~/')}"
    found = describe(commons, iri, audience)
    media = None
    if found is None:
        stem, media = _split_extension(rest)
        if media:
            iri = f"{commons.uris.base}/id/{quote(stem, safe='-._~/')}"
            found = describe(commons, iri, audience)
    if found is None:
        raise NotFound(f"the commons has nothing to say about <{iri}>")
    if media is None:
        media = negotiate.best(request, OFFERED, negotiate.RDF_ALIASES, negotiate.HTML)
        if media is None:
            raise NotAcceptable(f"available as {', '.join(OFFERED)}")
    etag = hashlib.sha256(
        f"{commons.version}|{audience.key}|{iri}|{media}".encode()
    ).hexdigest()[:32]
    if etag in request.if_none_match:
        response = Response(status=304)
    elif media == negotiate.HTML:
        response = Response(
            render_template("entity.html", entity=found, formats=negotiate.RDF_EXTENSIONS, base=commons.uris.base),
            mimetype="text/html",
        )
    else:
        fmt = negotiate.RDF_FORMATS[media]
        if media in negotiate.DATASET_MEDIA:
            data = found.quads
        else:
            data = list(dict.fromkeys(q.triple for q in found.quads))
        response = Response(serialize(data, format=fmt, prefixes=PREFIXES), mimetype=media)
    response.set_etag(etag)
    response.headers["Vary"] = "Accept, Authorization"
    response.headers["Link"] = ", ".join(
        f'<{iri}.{ext}>; rel="alternate"; type="{m}"'
        for ext, m in negotiate.RDF_EXTENSIONS.items()
        if ext in ("ttl", "jsonld", "rdf", "nt", "nq", "html")
    )
    return response
