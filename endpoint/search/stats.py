"""The stats page (/stats): the commons in charts, co-ops by kind, activity, country and
listing member, and its growth by founding year.

Always the public's numbers, whoever asks: the page is for sharing (a member organisation's
token does not change it), so a co-op a member keeps to members is never counted where the
public reads. Facet counts come from the public search index (the same numbers search shows),
founding years from endpoint/rq/founding-years.rq run with the public's access. Each chart is
drawn by Chart.js (vendored) from the same numbers the page prints as a table, so a screen
reader, a printout and a browser without JavaScript read the data too.
"""
from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, render_template, request

from datacommons.audience import ANONYMOUS

from ..web import negotiate, query_text as internal_queries
from .index import IndexNotReady
from .directory import FACET_NAMES, search_indexes

bp = Blueprint("stats", __name__, template_folder="templates")
CHARTED = ("structure", "activity", "country", "member")
BARS_AT_MOST = 20  # a chart shows the largest values; its table lists every one


def public_stats() -> dict[str, object]:
    """Counts of the public's co-ops by facet (largest first) and by founding year."""
    try:
        index = search_indexes().open(ANONYMOUS)
    except IndexNotReady as e:
        from werkzeug.exceptions import ServiceUnavailable

        raise ServiceUnavailable(str(e), retry_after=5) from None
    facets = index.facets
    by: dict[str, list[dict[str, object]]] = {}
    for facet in CHARTED:
        counted = sorted(
            ((-(bits & facets.everything).bit_count(), facets.labels.get((facet, value), value), value)
             for value, bits in facets.bits.get(facet, {}).items()),
        )
        by[facet] = [{"code": v, "label": label, "count": -n} for n, label, v in counted if n]
    commons = current_app.extensions["commons"]
    years = [
        {"year": int(s["year"].value), "count": int(s["coops"].value)}
        for s in commons.query(internal_queries.text("founding-years"), ANONYMOUS)
        if s["year"] is not None
    ]
    running, growth = 0, []
    for y in years:
        running += y["count"]
        growth.append({**y, "total": running})
    return {"coops": facets.everything.bit_count(), "by": by, "founded": growth}


@bp.route("/stats")
def stats_page() -> Response:
    data = public_stats()
    if negotiate.best(request, ["text/html", "application/json"], {}, "text/html") == "application/json":
        return jsonify(data)
    return Response(render_template(
        "stats.html", stats=data, charted=CHARTED, facet_names=FACET_NAMES, bars_at_most=BARS_AT_MOST,
    ), mimetype="text/html")
