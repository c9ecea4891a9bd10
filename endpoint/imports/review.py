"""Matches waiting for a person: administrators see each uncertain pair with the evidence and
both records side by side, and accept or reject it (`/review` pages, `/api/review` JSON).

A decision is kept by the records' URIs and outlives re-imports (`reconciliation.reconcile.decide`).
"""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from werkzeug.exceptions import BadRequest, Forbidden, Unauthorized

from datacommons.audience import Audience
from datacommons.fields import FIELD_BY_PREDICATE, FIELDS
from datacommons.vocab import COOP
from reconciliation.reconcile import DecisionRefused, decide, state_of

from ..web import browser_session as imports_auth

bp = Blueprint("review", __name__, template_folder="templates")
imports_auth.install(bp)

PAGE = 50  # pairs per page: each shows both records in full


def _admin() -> Audience:
    audience = imports_auth.page_audience()
    if audience.kind == "anonymous":
        raise Unauthorized("sign in with an administrator's token")
    if not audience.is_admin:
        raise Forbidden("only administrators review matches")
    return audience


def record_values(commons, iri: str) -> dict[str, list[str]]:
    """A member record's fields as its member gave them, every level (administrators only)."""
    member = iri[len(commons.uris.base) + 4:].split("/", 1)[0]
    graphs = commons.uris.member_graphs(member)
    values: dict[str, list[str]] = {}
    for q in commons.quads_of(iri, graphs) + commons.quads_of(commons.uris.address(iri), graphs):
        spec = FIELD_BY_PREDICATE.get(q.predicate.value)
        if spec is not None and q.predicate.value != COOP.country.value:
            values.setdefault(spec.name, []).append(q.object.value)
    return values


def queue(offset: int = 0) -> tuple[list[dict], int]:
    """A page of the queue (most likely matches first) and the queue's length."""
    commons = current_app.extensions["commons"]
    db = state_of(commons)
    pairs = db.queue()
    members = {iri: f.member for iri, f in db.features({x for a, b, *_ in pairs[offset:offset + PAGE] for x in (a, b)}).items()}
    out = []
    for a, b, points, evidence in pairs[offset:offset + PAGE]:
        out.append({
            "a": a, "b": b, "points": points,
            "evidence": [{"what": what, "points": p} for what, p in evidence],
            "records": [{"iri": iri, "member": members.get(iri), "values": record_values(commons, iri)}
                        for iri in (a, b)],
        })
    return out, len(pairs)


def _decide(audience: Audience, a: str, b: str, decision: str) -> None:
    if not (a and b and decision):
        raise BadRequest("give a, b (the two record URIs) and decision (accept or reject)")
    try:
        decide(current_app.extensions["commons"], a, b, decision, audience.label or str(audience))
    except DecisionRefused as e:
        raise BadRequest(str(e)) from None


def _offset() -> int:
    try:
        return max(0, int(request.args.get("offset", "0")))
    except ValueError:
        raise BadRequest("offset is a number of pairs to skip") from None


@bp.get("/api/review")
def api_queue():
    _admin()
    pairs, total = queue(_offset())
    return jsonify({"pairs": pairs, "total": total, "offset": _offset(), "page": PAGE})


@bp.post("/api/review/decisions")
def api_decide():
    audience = _admin()
    body = request.get_json(silent=True) or request.form
    _decide(audience, body.get("a", ""), body.get("b", ""), body.get("decision", ""))
    return jsonify({"a": body.get("a"), "b": body.get("b"), "decision": body.get("decision")})


@bp.get("/review")
def queue_page():
    _admin()
    pairs, total = queue(_offset())
    return render_template("review_queue.html", pairs=pairs, total=total, offset=_offset(), page=PAGE,
                           fields=[f.name for f in FIELDS], labels={f.name: f.label for f in FIELDS},
                           csrf=imports_auth.csrf_token())


@bp.post("/review/decide")
def decide_page():
    audience = _admin()
    imports_auth.check_csrf()
    _decide(audience, request.form.get("a", ""), request.form.get("b", ""), request.form.get("decision", ""))
    return redirect(url_for("review.queue_page"), 303)
