"""The home page: what the commons holds, for this audience, and where to go from here."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request

from . import negotiate, queries
from .auth import current_audience

bp = Blueprint("home", __name__)


def _rows(name: str) -> list[dict[str, str]]:
    commons = current_app.extensions["commons"]
    result = commons.query(queries.text(name), current_audience())
    return [
        {v.value: s[v].value for v in result.variables if s[v] is not None} for s in result
    ]


@bp.route("/")
def home():
    counts = _rows("home-counts")[0]
    data = {
        "coops": int(counts.get("coops", 0)),
        "members": _rows("members"),
        "some_coops": _rows("coops-by-name"),
        "audience": str(current_audience()),
    }
    if negotiate.best(request, ["text/html", "application/json"], {}, "text/html") == "application/json":
        return jsonify(data)
    return render_template("home.html", **data)
