"""The embeddable directory for members' websites: `/widget.js` (one `<script>` tag, Shadow
DOM, no global CSS or JS), `/embed` (the same search in an `<iframe>`, for sites that allow no
scripts) and `/widget` (how to paste either, with a live preview).

Both show what the public may see: the widget calls /api/search from the visitor's browser
without a token, and /embed runs the same search for the request's audience.
"""
from __future__ import annotations

import re

from flask import Blueprint, Response, current_app, render_template, request, send_from_directory

from ..web import published
from .directory import search
from .index import FACETS

bp = Blueprint("widget", __name__, template_folder="templates")

_COLOUR = re.compile(r"^#[0-9a-fA-F]{3,8}$")


@bp.route("/widget.js")
def script() -> Response:
    response = send_from_directory(current_app.static_folder, "widget.js", mimetype="text/javascript",
                                   max_age=3600)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.route("/embed")
def embed() -> Response:
    """The search, as a small page made to live in another site's iframe."""
    results = search()
    accent = request.args.get("accent", "")
    response = Response(render_template(
        "embed.html", results=results, s=results.search, facets=FACETS,
        accent=accent if _COLOUR.match(accent) else None,
    ), mimetype="text/html")
    response.headers["Content-Security-Policy"] = "frame-ancestors *"
    return response


@bp.route("/widget")
def docs() -> Response:
    return Response(render_template("widget.html", root=published.root()), mimetype="text/html")
