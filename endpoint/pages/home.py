"""The home page: what the commons holds, for this audience, and where to go from here.

Counts and member organisations come from named queries (queries/home-counts, members); the
first co-ops by name and the entry points by kind, activity and country come from the
audience's search index, which has them sorted and counted already (queries/coops-by-name
answers the same list, but sorts every co-op first: a second at 3,500 co-ops)."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request

from ..web import named_query_text as queries, negotiate, response_cache
from ..web.audience import current_audience
from ..search.directory import open_index
from ..search.query import Search, run

bp = Blueprint("home", __name__, template_folder="templates")
SOME_COOPS = 12


def _rows(name: str) -> list[dict[str, str]]:
    commons = current_app.extensions["commons"]
    result = commons.query(queries.text(name), current_audience())
    return [{v.value: s[v].value for v in result.variables if s[v] is not None} for s in result]


@bp.route("/")
def home():
    counts = _rows("home-counts")[0]
    index = open_index()
    if index.current:
        response_cache.keep()
    overview = run(index, Search(per_page=SOME_COOPS))
    data = {
        "coops": overview.total,  # co-ops, with those several members list counted once
        "records": int(counts.get("coops", 0)),  # the members' records of them
        "members": _rows("members"),
        "some_coops": [
            {"coop": r["id"], "name": r["name"], "locality": r["locality"], "region": r["region"]}
            for r in overview.rows
        ],
        "facets": {f: overview.facets[f][:12] for f in ("structure", "activity", "country")},
        "audience": str(current_audience()),
    }
    if negotiate.best(request, ["text/html", "application/json"], {}, "text/html") == "application/json":
        return jsonify(data)
    return render_template("home.html", **data)
