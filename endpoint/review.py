"""Matches waiting for a person: administrators see each uncertain pair with the evidence and
both records side by side, and accept or reject it (`/review` pages, `/api/review` JSON).

A decision is kept by the records' URIs and outlives re-imports (`loaders.reconcile.decide`).
"""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from werkzeug.exceptions import BadRequest, Forbidden, Unauthorized

from datacommons.audience import Audience
from loaders.reconcile import DecisionRefused, decide, state_of

from . import imports_auth

bp = Blueprint("review", __name__)
imports_auth.install(bp)

SHOWN = ("label", "website", "email", "phone", "street", "locality", "region", "postal",
         "country", "lat", "lon")


def _admin() -> Audience:
    audience = imports_auth.page_audience()
    if audience.kind == "anonymous":
        raise Unauthorized("sign in with an administrator's token")
    if not audience.is_admin:
        raise Forbidden("only administrators review matches")
    return audience


def queue() -> list[dict]:
    db = state_of(current_app.extensions["commons"])
    pairs = db.queue()
    features = db.features({x for a, b, *_ in pairs for x in (a, b)})
    out = []
    for a, b, points, evidence in pairs:
        fa, fb = features.get(a), features.get(b)
        if fa is None or fb is None:
            continue
        out.append({
            "a": a, "b": b, "points": points,
            "evidence": [{"what": what, "points": p} for what, p in evidence],
            "records": [{"iri": f.iri, "member": f.member, **{k: getattr(f, k) for k in SHOWN}}
                        for f in (fa, fb)],
        })
    return out


def _decide(audience: Audience, a: str, b: str, decision: str) -> None:
    if not (a and b and decision):
        raise BadRequest("give a, b (the two record URIs) and decision (accept or reject)")
    try:
        decide(current_app.extensions["commons"], a, b, decision, audience.label or str(audience))
    except DecisionRefused as e:
        raise BadRequest(str(e)) from None


@bp.get("/api/review")
def api_queue():
    _admin()
    return jsonify({"pairs": queue()})


@bp.post("/api/review/decisions")
def api_decide():
    audience = _admin()
    body = request.get_json(silent=True) or request.form
    _decide(audience, body.get("a", ""), body.get("b", ""), body.get("decision", ""))
    return jsonify({"a": body.get("a"), "b": body.get("b"), "decision": body.get("decision")})


@bp.get("/review")
def queue_page():
    _admin()
    return render_template("review_queue.html", pairs=queue(), fields=SHOWN, csrf=imports_auth.csrf_token())


@bp.post("/review/decide")
def decide_page():
    audience = _admin()
    imports_auth.check_csrf()
    _decide(audience, request.form.get("a", ""), request.form.get("b", ""), request.form.get("decision", ""))
    return redirect(url_for("review.queue_page"), 303)
