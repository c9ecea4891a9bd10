"""Reviewable imports over HTTP: upload -> preview (validation report and daff table diff, nothing
written) -> commit or discard; the member's import history, each import's diff, and rollback.

The API (`/api/imports...`, JSON, bearer token) and the pages (`/imports...`, HTML, signed-in
session) run the same code; `loaders.history` keeps previews and history in the system area.
Only the member itself and administrators see a member's previews and history.
"""
from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, redirect, render_template, request, url_for
from markupsafe import Markup
from werkzeug.exceptions import BadRequest, Conflict, Forbidden, Gone, NotFound, Unauthorized, UnprocessableEntity
from werkzeug.exceptions import RequestEntityTooLarge

from datacommons import access
from datacommons.audience import Audience
from loaders.history import PreviewGone, history_of
from loaders.previews import committed_count, preview_rollback, preview_upload, replan
from loaders.pipeline import ImportPlan, ImportRefused, MassRemovalRefused, commit_import
from loaders.record import InputError

from ..web import browser_session as imports_auth, published

bp = Blueprint("imports", __name__, template_folder="templates")
imports_auth.install(bp)


@bp.before_request
def _limit_upload() -> None:
    """Uploads are bounded (`max_upload_mb`, answered 413 before the body is read): planning
    an import holds its records in memory many times over the file's size."""
    limit_mb = current_app.config["DATACOMMONS"].max_upload_mb
    limit = int(limit_mb * 1024 * 1024) + 64 * 1024  # room for the form's other fields
    request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge(
            f"this upload is {request.content_length / 1024 / 1024:.1f} MB; the commons takes "
            f"files of up to {limit_mb:g} MB (max_upload_mb): split the file, or load it with "
            "the command line (datacommons load)"
        )


# --- shared steps ------------------------------------------------------------------------------
def _commons():
    return current_app.extensions["commons"]


def _member_for(audience: Audience, requested: str | None) -> str:
    """The member an upload or a listing is for: a member's own; an administrator names one."""
    if audience.kind == "anonymous":
        raise Unauthorized("sign in with your member organisation's token")
    member = requested or audience.member
    if not member:
        raise BadRequest("administrators say which member: member=ID")
    if _commons().system.member(member) is None:
        raise NotFound(f"no member organisation {member!r}")
    if not access.may_write(audience, member):
        raise Forbidden(f"{audience} may not import or read the imports of member {member!r}")
    return member


def _upload(audience: Audience) -> tuple:
    member = _member_for(audience, request.form.get("member"))
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise BadRequest("send the file as multipart/form-data, field 'file'")
    mapping = request.files.get("mapping")
    try:
        return preview_upload(
            _commons(), member, upload.filename, upload.read(),
            fmt=request.form.get("format") or None,
            mapping=mapping.read() if mapping and mapping.filename else None,
            skip_invalid=request.form.get("skip_invalid", "") in ("1", "true", "on", "yes"),
        )
    except InputError as e:
        raise UnprocessableEntity(f"{upload.filename}: {e}") from None
    except ImportRefused as e:
        raise BadRequest(str(e)) from None


def _replan(preview_id: str, audience: Audience) -> tuple:
    try:
        preview, plan = replan(_commons(), preview_id)
    except PreviewGone as e:
        raise Gone(str(e)) from None
    except ImportRefused as e:
        raise Conflict(str(e)) from None
    if not access.may_write(audience, preview.member):
        raise Forbidden(f"{audience} may not see member {preview.member!r}'s previews")
    return preview, plan


def _commit(preview_id: str, audience: Audience) -> tuple[str, str, int]:
    preview, plan = _replan(preview_id, audience)
    if plan.errors and not plan.skipped:
        raise UnprocessableEntity(f"{len(plan.errors)} error(s) in {plan.source_name}; nothing was written")
    try:
        activity = commit_import(_commons(), plan, audience, allow_remove_all=_allow_remove_all())
    except MassRemovalRefused as e:
        raise UnprocessableEntity(str(e)) from None
    except ImportRefused as e:
        raise Conflict(str(e)) from None
    history_of(_commons()).discard(preview_id)
    return activity, preview.member, committed_count(_commons(), preview.member)


def _allow_remove_all() -> bool:
    """The commit's confirmation that removing all or most of the member's records is meant
    (the preview page's checkbox, or `allow_remove_all=true` in the API's form, JSON body or
    query)."""
    body = request.get_json(silent=True) if request.is_json else None
    value = (body or {}).get("allow_remove_all") if isinstance(body, dict) else None
    if value is None:
        value = request.form.get("allow_remove_all", request.args.get("allow_remove_all", ""))
    return value is True or str(value).lower() in ("1", "true", "on", "yes")


def _discard(preview_id: str, audience: Audience) -> None:
    try:
        preview = history_of(_commons()).preview(preview_id)[0]
    except PreviewGone:
        return
    if not access.may_write(audience, preview.member):
        raise Forbidden(f"{audience} may not discard member {preview.member!r}'s previews")
    history_of(_commons()).discard(preview_id)


def _past(member: str, number: int, audience: Audience):
    member = _member_for(audience, member)
    past = history_of(_commons()).past_import(member, number, committed_count(_commons(), member))
    if past is None:
        raise NotFound(f"member {member!r} has no recorded import {number}")
    return past


def _rollback(member: str, number: int, audience: Audience) -> tuple:
    member = _member_for(audience, member)
    try:
        return preview_rollback(_commons(), member, number)
    except ImportRefused as e:
        raise NotFound(str(e)) from None


def plan_json(preview, plan: ImportPlan) -> dict:
    def problem(p) -> dict:
        return {"position": p.position, "field": p.field, "value": p.value, "message": p.message,
                "severity": p.severity}

    return {
        "preview": preview.id,
        "member": preview.member,
        "source": plan.source_name,
        "expires": preview.expires,
        "records": len(plan.records),
        "skipped": plan.skipped,
        "errors": [problem(p) for p in plan.errors],
        "warnings": [problem(p) for p in plan.warnings],
        "committable": not plan.errors or bool(plan.skipped),
        # set when the import would remove all or most of the member's records: the commit
        # must then say allow_remove_all=true
        "mass_removal": plan.mass_removal,
        "diff": _diff_json(plan.diff),
        "commit": published.url("imports.api_commit", preview_id=preview.id),
        "discard": published.url("imports.api_preview", preview_id=preview.id),
    }


def _diff_json(diff) -> dict:
    return {"summary": diff.summary, "added": diff.added, "removed": diff.removed,
            "changed": diff.changed, "unchanged": diff.unchanged, "rows": diff.changes_only()}


# --- API -----------------------------------------------------------------------------------
@bp.post("/api/imports")
def api_upload() -> tuple[Response, int]:
    preview, plan = _upload(imports_auth.page_audience())
    response = jsonify(plan_json(preview, plan))
    response.headers["Location"] = url_for("imports.api_preview", preview_id=preview.id)
    return response, 201


@bp.route("/api/imports/previews/<preview_id>", methods=["GET", "DELETE"])
def api_preview(preview_id: str):
    audience = imports_auth.page_audience()
    if request.method == "DELETE":
        _discard(preview_id, audience)
        return Response(status=204)
    return jsonify(plan_json(*_replan(preview_id, audience)))


@bp.post("/api/imports/previews/<preview_id>/commit")
def api_commit(preview_id: str):
    activity, _, number = _commit(preview_id, imports_auth.page_audience())
    return jsonify({"import": activity, "number": number})


@bp.get("/api/imports")
def api_history():
    audience = imports_auth.page_audience()
    member = _member_for(audience, request.args.get("member"))
    imports = history_of(_commons()).imports(member, committed_count(_commons(), member))
    return jsonify({"member": member, "imports": [
        {"number": i.number, "committed": i.committed, "source": i.source_name, "summary": i.summary,
         "diff": published.url("imports.api_past", member=member, number=i.number)}
        for i in imports
    ]})


@bp.get("/api/imports/<member>/<int:number>")
def api_past(member: str, number: int):
    past = _past(member, number, imports_auth.page_audience())
    return jsonify({"member": past.member, "number": past.number, "committed": past.committed,
                    "source": past.source_name, "diff": _diff_json(past.diff)})


@bp.post("/api/imports/<member>/<int:number>/rollback")
def api_rollback(member: str, number: int):
    preview, plan = _rollback(member, number, imports_auth.page_audience())
    return jsonify(plan_json(preview, plan)), 201


# --- pages ---------------------------------------------------------------------------------
@bp.get("/imports")
def home():
    audience = imports_auth.page_audience()
    if audience.kind == "anonymous":
        return render_template("imports_signin.html", csrf=imports_auth.csrf_token())
    members = [audience.member] if audience.member else [m.id for m in _commons().system.members()]
    requested = request.args.get("member")
    member = _member_for(audience, requested) if requested else (members[0] if members else None)
    imports = history_of(_commons()).imports(member, committed_count(_commons(), member)) if member else []
    return render_template("imports_home.html", audience=audience, members=members, member=member,
                           imports=imports, csrf=imports_auth.csrf_token())


@bp.post("/imports/sign-in")
def sign_in():
    imports_auth.check_csrf()
    imports_auth.sign_in(request.form.get("token", ""))
    return redirect(url_for("imports.home"), 303)


@bp.post("/imports/sign-out")
def sign_out():
    imports_auth.check_csrf()
    imports_auth.sign_out()
    return redirect(url_for("imports.home"), 303)


@bp.post("/imports/upload")
def upload():
    imports_auth.check_csrf()
    preview, _ = _upload(imports_auth.page_audience())
    return redirect(url_for("imports.preview_page", preview_id=preview.id), 303)


@bp.get("/imports/previews/<preview_id>")
def preview_page(preview_id: str):
    preview, plan = _replan(preview_id, imports_auth.page_audience())
    return render_template("imports_preview.html", preview=preview, plan=plan,
                           diff_html=Markup(plan.diff.html()) if not plan.diff.is_empty else None,
                           csrf=imports_auth.csrf_token())


@bp.post("/imports/previews/<preview_id>/commit")
def commit_page(preview_id: str):
    imports_auth.check_csrf()
    _, member, number = _commit(preview_id, imports_auth.page_audience())
    return redirect(url_for("imports.past_page", member=member, number=number), 303)


@bp.post("/imports/previews/<preview_id>/discard")
def discard_page(preview_id: str):
    imports_auth.check_csrf()
    _discard(preview_id, imports_auth.page_audience())
    return redirect(url_for("imports.home"), 303)


@bp.get("/imports/<member>/<int:number>")
def past_page(member: str, number: int):
    past = _past(member, number, imports_auth.page_audience())
    diff_html = Markup(past.diff.html()) if not past.diff.is_empty else None
    return render_template("imports_past.html", past=past, diff_html=diff_html,
                           csrf=imports_auth.csrf_token())


@bp.post("/imports/<member>/<int:number>/rollback")
def rollback_page(member: str, number: int):
    imports_auth.check_csrf()
    preview, _ = _rollback(member, number, imports_auth.page_audience())
    return redirect(url_for("imports.preview_page", preview_id=preview.id), 303)

