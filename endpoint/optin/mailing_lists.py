"""Mailing lists over HTTP: the public sign-up pages and embeddable form, the links in the
commons' mail (confirm, one-click unsubscribe, manage, never), and the lists API.

Who may see what:
- anyone: list descriptions (`/api/lists`, the pages, `/id/list/...`), and a list's
  subscriber count when its member allows it;
- the list's member (its bearer token, or signed in at `/member/lists`): its own lists'
  subscribers, by export (`/api/lists/{member}/{list}/subscribers`) and its page;
- administrators: every list's counts, never an address;
- a person: their own subscriptions, from the signed link in their mail.
The public forms carry a signed form token instead of a session CSRF token (they live in
other sites' iframes, where a cookie would be a third-party cookie). The one-click
unsubscribe POST carries nothing but its signed URL (RFC 8058): no cookie, no CSRF token.
"""
from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, current_app, jsonify, redirect, render_template, request, url_for
from werkzeug.exceptions import BadRequest, Forbidden, Gone, NotFound, Unauthorized

from datacommons.lists import ListError, MailingList
from datacommons.optin import BadAddress, BadLink, ExpiredLink, Optin, OptinError, UsedLink

from ..web import browser_session as imports_auth
from ..web.audience import current_audience
from ..web.client_ip import client_ip
from ..web.csv_cells import safe_cell
from .signup_limits import limiter

bp = Blueprint("optin", __name__, template_folder="templates")
imports_auth.install(bp)

ACCEPTED = ("If this address can receive mail, a confirmation link is on its way to it. "
            "Nothing is subscribed until the link is followed.")
EXPORT_COLUMNS = ("email", "status", "source", "requested", "confirmed", "unsubscribed")


def _optin() -> Optin:
    return current_app.extensions["optin"]


def _list(member: str, list_id: str) -> MailingList:
    lst = _optin().lists.get(member, list_id)
    if lst is None:
        raise NotFound(f"there is no mailing list {member}/{list_id}")
    return lst


def _no_store(response: Response) -> Response:
    """Pages reached by a personal link are never cached, nor their address leaked onwards."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _public(lst: MailingList) -> dict:
    optin = _optin()
    name, postal, contact = optin.member_identity(lst)
    out = {**lst.public(), "member_name": name, "contact": contact, "postal_address": postal,
           "iri": optin.lists.iri(lst.member, lst.id),
           "subscribe": f"{optin.base}/api/lists/{lst.member}/{lst.id}/subscribe",
           "consent_text": optin.consent_text(lst)}
    if lst.public_count:
        out["subscribers"] = optin.counts(lst.key)["confirmed"]
    return out


# --- the API -------------------------------------------------------------------------------
@bp.get("/api/lists")
def api_lists():
    return jsonify(lists=[_public(l) for l in _optin().lists.all()])


@bp.get("/api/lists/<member>/<list_id>")
def api_list(member: str, list_id: str):
    return jsonify(_public(_list(member, list_id)))


def _may_manage(member: str) -> None:
    audience = current_audience()
    if audience.kind == "anonymous":
        raise Unauthorized("send the member's token: Authorization: Bearer <token>")
    if not (audience.is_admin or audience.member == member):
        raise Forbidden(f"only {member} and administrators change {member}'s lists")


def _fields(data: dict) -> dict:
    allowed = {"name", "descriptions", "language", "topics", "frequency", "postal_address", "contact",
               "public_count", "webhook_url"}
    unknown = set(data) - allowed
    if unknown:
        raise BadRequest(f"unknown field(s): {', '.join(sorted(unknown))}")
    if "descriptions" in data and not isinstance(data["descriptions"], dict):
        raise BadRequest("descriptions: give an object such as {\"en\": \"...\", \"fr\": \"...\"}")
    if "topics" in data and not (isinstance(data["topics"], list) and all(isinstance(t, str) for t in data["topics"])):
        raise BadRequest("topics: give a list of strings")
    return data


@bp.put("/api/lists/<member>/<list_id>")
def api_put_list(member: str, list_id: str):
    """Create or change a list (JSON); the webhook secret is in the answer once, when made."""
    _may_manage(member)
    data = _fields(request.get_json(silent=True) or {})
    lists = _optin().lists
    old = lists.get(member, list_id)
    try:
        if old is None:
            if "name" not in data:
                raise BadRequest("name: a new list needs a name")
            data["topics"] = tuple(data.get("topics", ()))
            lst = lists.add(MailingList(member=member, id=list_id, **data))
        else:
            lst = lists.set(member, list_id, **data)
    except ListError as e:
        raise BadRequest(str(e)) from None
    body = _public(lst)
    if lst.webhook_secret and (old is None or old.webhook_secret != lst.webhook_secret):
        body["webhook_secret"] = lst.webhook_secret
    return jsonify(body), 201 if old is None else 200


@bp.delete("/api/lists/<member>/<list_id>")
def api_delete_list(member: str, list_id: str):
    _may_manage(member)
    try:
        _optin().lists.remove(member, list_id)
    except ListError as e:
        raise NotFound(str(e)) from None
    return Response(status=204)


@bp.post("/api/lists/<member>/<list_id>/subscribe")
def api_subscribe(member: str, list_id: str):
    """202, the same answer whether the address is known, new, subscribed or suppressed."""
    lst = _list(member, list_id)
    data = request.get_json(silent=True) if request.is_json else request.form
    email = (data or {}).get("email", "")
    if not isinstance(email, str) or not email.strip():
        raise BadRequest("email: give the address to subscribe")
    limiter().hit()
    source = request.headers.get("Origin") or request.headers.get("Referer") or "api"
    try:
        _optin().request(email, [lst.key], source=f"api {source}"[:300], ip=client_ip())
    except BadAddress as e:
        raise BadRequest(str(e)) from None
    return jsonify(status="accepted", message=ACCEPTED), 202


@bp.get("/api/lists/<member>/<list_id>/subscribers")
def api_subscribers(member: str, list_id: str):
    """The member's export: CSV by default, JSON by Accept; every status."""
    rows = _subscribers_for(member, list_id)
    if request.accept_mimetypes.best_match(["text/csv", "application/json"]) == "application/json" \
            and "application/json" in request.accept_mimetypes:
        return _no_store(jsonify(list=f"{member}/{list_id}", subscribers=rows))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _csv_safe(row[k]) for k in EXPORT_COLUMNS})
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{member}-{list_id}-subscribers.csv"'
    return _no_store(response)


def _csv_safe(value):
    """A cell a spreadsheet would run as a formula is quoted with an apostrophe (`csv_cells`)."""
    return safe_cell(value) if isinstance(value, str) else value


def _subscribers_for(member: str, list_id: str) -> list[dict]:
    lst = _optin().lists.get(member, list_id)
    audience = imports_auth.page_audience()
    if audience.kind == "anonymous":
        raise Unauthorized("send the member's token: Authorization: Bearer <token>")
    if audience.member != member:
        raise Forbidden(f"only {member} reads the subscribers of its lists "
                        "(administrators see counts: /member/lists)")
    if lst is None and not _optin().subscribers(f"{member}/{list_id}"):
        raise NotFound(f"there is no mailing list {member}/{list_id}")
    return _optin().subscribers(f"{member}/{list_id}")


# --- public pages --------------------------------------------------------------------------
def _form_lists() -> list[MailingList]:
    """The lists a form offers: `?list=member/list` (repeatable), `?member=...`, or all."""
    optin = _optin()
    keys = request.args.getlist("list")
    members = request.args.getlist("member")
    if keys:
        lists = [optin.lists.by_key(k) for k in keys]
        if None in lists:
            raise NotFound("one of the lists asked for does not exist")
        return lists
    return [l for l in optin.lists.all() if not members or l.member in members]


def _grouped(lists: list[MailingList]) -> list[tuple[str, str, list[dict]]]:
    """The lists by member: (member id, member name, its lists), one box per list."""
    optin = _optin()
    groups: dict[str, tuple[str, list[dict]]] = {}
    for lst in lists:
        groups.setdefault(lst.member, (optin.member_identity(lst)[0], []))[1].append(_public(lst))
    return [(member, name, ls) for member, (name, ls) in groups.items()]


def _form_page(template: str, lists: list[MailingList], **extra) -> Response:
    optin = _optin()
    return render_template(template, groups=_grouped(lists), operator=optin.operator,
                           form_token=optin.form_token(), **extra)


@bp.get("/lists")
def index():
    """"Hear from other federations": every member's lists on one page, none ticked."""
    return _form_page("optin_index.html", _form_lists())


@bp.get("/lists/<member>/<list_id>")
def list_page(member: str, list_id: str):
    lst = _list(member, list_id)
    return _form_page("optin_list.html", [lst], lst=_public(lst))


@bp.get("/lists/embed")
def embed():
    """The form for another site's iframe: any origin may frame it; no cookie is set."""
    # the consent record says which site the form was on: the iframe's Referer (browsers send
    # the host page's origin at least)
    page = request.full_path.rstrip("?") + (f" on {request.referrer}" if request.referrer else "")
    response = Response(_form_page("optin_embed.html", _form_lists(), page=page[:250],
                                   accent=request.args.get("accent", "")), mimetype="text/html")
    response.headers["Content-Security-Policy"] = "frame-ancestors *"
    return response


@bp.post("/lists/subscribe")
def subscribe_form():
    """The forms' target (works without JavaScript). The answer is the same for every valid
    address: whether it was known is never shown."""
    optin = _optin()
    embedded = request.form.get("embedded") == "1"
    template = "optin_embed_done.html" if embedded else "optin_message.html"
    try:
        optin.check_form_token(request.form.get("form_token", ""))
    except OptinError as e:
        raise Forbidden(str(e)) from None
    keys = request.form.getlist("list")
    email = request.form.get("email", "")
    if not email.strip():
        return _message(template, "Give your email address", "email: give the address to subscribe", 400)
    if not keys:
        return _message(template, "Choose a list", "lists: tick at least one list", 400)
    limiter().hit()
    source = request.form.get("page") or request.referrer or request.path
    try:
        optin.request(email, keys, source=f"form {source}"[:300], ip=client_ip())
    except BadAddress as e:
        return _message(template, "That address does not look right", str(e), 400)
    except OptinError as e:
        return _message(template, "That did not work", str(e), 400)
    response = _message(template, "Check your inbox", ACCEPTED, 200)
    if embedded:
        response.headers["Content-Security-Policy"] = "frame-ancestors *"
    return response


def _message(template: str, title: str, text: str, status: int) -> Response:
    return _no_store(Response(render_template(template, title=title, text=text), status=status,
                              mimetype="text/html"))


def _link_error(e: OptinError) -> Response:
    status = 410 if isinstance(e, (ExpiredLink, UsedLink)) else 404 if isinstance(e, BadLink) else 400
    return _message("optin_message.html", "This link does not work", str(e), status)


@bp.route("/lists/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    """GET shows a button (mail scanners follow links; they must not subscribe anyone);
    POST confirms, once."""
    optin = _optin()
    if request.method == "GET":
        try:
            optin.check_confirm_link(token)
        except OptinError as e:
            return _link_error(e)
        return _no_store(Response(render_template("optin_confirm.html", token=token,
                                                  form_token=optin.form_token())))
    try:
        optin.check_form_token(request.form.get("form_token", ""))
        lists = optin.confirm(token, ip=client_ip())
    except OptinError as e:
        return _link_error(e)
    names = [optin.lists.by_key(k).name for k in lists if optin.lists.by_key(k)]
    text = ("You are subscribed to: " + ", ".join(names) + ". A message with your unsubscribe "
            "and manage links is on its way.") if names else "Your subscriptions were already confirmed."
    return _message("optin_message.html", "Subscription confirmed", text, 200)


@bp.route("/lists/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """RFC 8058 one-click: a POST (of `List-Unsubscribe=One-Click`, or anything) unsubscribes
    at once and answers 200, with no cookie, sign-in or CSRF token; the signed URL is its own
    authority. GET shows a confirm button, so link scanners unsubscribe nobody."""
    optin = _optin()
    try:
        found = optin.unsubscription(token)
    except OptinError as e:
        return _link_error(e)
    lst = optin.lists.by_key(found[0].list) if found else None
    name = lst.name if lst else (found[0].list if found else "the list")
    if request.method == "GET":
        return _no_store(Response(render_template("optin_unsubscribe.html", token=token, name=name,
                                                  done=found is None or found[0].status == "unsubscribed")))
    source = "one-click" if request.form.get("List-Unsubscribe") == "One-Click" else "unsubscribe page"
    optin.unsubscribe(token, source=source, ip=client_ip())
    return _message("optin_message.html", "Unsubscribed",
                    f"You will get no more email from \u201c{name}\u201d.", 200)


def _person(token: str, purpose: str = "manage") -> tuple[int, str]:
    found = _optin().person_for(token, purpose)
    if found is None:
        raise BadLink("nothing is kept about this address any more (its data was erased)")
    return found


@bp.get("/lists/manage/<token>")
def manage(token: str):
    """Every subscription of one person across members, from one signed link."""
    optin = _optin()
    try:
        person, address = _person(token)
    except OptinError as e:
        return _link_error(e)
    subs = [(s, optin.lists.by_key(s.list)) for s in optin.subscriptions_of(person)]
    return _no_store(Response(render_template(
        "optin_manage.html", token=token, address=address, subscriptions=subs,
        form_token=optin.form_token(), entries=optin.log.entries(address))))


@bp.post("/lists/manage/<token>/<action>")
def manage_action(token: str, action: str):
    optin = _optin()
    try:
        optin.check_form_token(request.form.get("form_token", ""))
        person, _ = _person(token)
        if action == "unsubscribe":
            optin.unsubscribe_from(person, request.form.get("list", ""), source="manage page", ip=client_ip())
            text = "Unsubscribed. You will get no more email from that list."
        elif action == "never":
            optin.never(person, source="manage page", ip=client_ip())
            text = "Done: this commons will never email this address again."
        elif action == "erase":
            optin.erase(person, source="manage page", ip=client_ip())
            text = ("Your data is erased. Only a keyed fingerprint of the address is kept, so "
                    "that it is never emailed again, with the record of past consent.")
        else:
            raise NotFound(f"no action {action!r}")
    except OptinError as e:
        return _link_error(e)
    return _message("optin_message.html", "Done", text, 200)


@bp.get("/lists/manage/<token>/receipt.json")
def receipt(token: str):
    """The person's consent record, signed by the commons (a JSON consent receipt)."""
    try:
        person, _ = _person(token)
    except OptinError as e:
        return _link_error(e)
    response = jsonify(_optin().receipt(person))
    response.headers["Content-Disposition"] = 'attachment; filename="consent-receipt.json"'
    return _no_store(response)


@bp.route("/lists/never/<token>", methods=["GET", "POST"])
def never(token: str):
    """The List-Unsubscribe of mail that is not list mail (confirmations): one click stops
    all mail from this commons to the address."""
    optin = _optin()
    try:
        found = optin.person_for(token, "never")
    except OptinError as e:
        return _link_error(e)
    if request.method == "GET":
        return _no_store(Response(render_template("optin_never.html", token=token)))
    if found is not None:
        optin.never(found[0], source="never link", ip=client_ip())
    return _message("optin_message.html", "Done", "This commons will never email this address again.", 200)


# --- the member's page ---------------------------------------------------------------------
@bp.get("/member/lists")
def member_page():
    """A member's lists (counts, webhook deliveries it has not acknowledged, export links);
    an administrator sees every list's counts and no address."""
    audience = imports_auth.page_audience()
    if audience.kind == "anonymous":
        return render_template("imports_signin.html", csrf=imports_auth.csrf_token())
    optin = _optin()
    lists = optin.lists.all(None if audience.is_admin else audience.member)
    rows = [(l, optin.counts(l.key)) for l in lists]
    pending = optin.webhooks.unacknowledged(audience.member) if audience.member else []
    return _no_store(Response(render_template(
        "optin_member.html", audience=audience, rows=rows, unacknowledged=pending,
        csrf=imports_auth.csrf_token())))


@bp.post("/member/lists")
def member_add_list():
    imports_auth.check_csrf()
    audience = imports_auth.page_audience()
    if audience.kind != "member":
        raise Forbidden("sign in with a member organisation's token to add its lists")
    form = request.form
    descriptions = {lang: form.get(f"description_{lang}", "").strip() for lang in ("en", "fr", "es")}
    try:
        _optin().lists.add(MailingList(
            member=audience.member, id=form.get("id", "").strip(), name=form.get("name", "").strip(),
            descriptions={k: v for k, v in descriptions.items() if v},
            postal_address=form.get("postal_address", "").strip() or None,
            contact=form.get("contact", "").strip() or None,
        ))
    except ListError as e:
        raise BadRequest(str(e)) from None
    return redirect(url_for("optin.member_page"), 303)
