"""Who is at the import and review pages: a bearer token (the API), or for people in a browser,
the same token given once to a sign-in form, which opens a session.

The session lives in the system area (`System.open_session`): the cookie carries only its
random id, never the token, and signing out (or revoking the token) ends it on the server.
The cookie is signed (Flask's session), HttpOnly, Secure and SameSite=Strict; every
state-changing request made with it (a form post, or an API call such as POST /api/imports)
must carry the session's CSRF token (form field `csrf` or header `X-CSRF-Token`) and, if it
says where it comes from (`Origin`), come from this site. Only the import and review
blueprints read the session: every other path (SPARQL, the Graph Store Protocol...) takes
bearer tokens alone, so a signed-in browser cannot be made to write through them by another
site.
"""
from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from flask import Blueprint, current_app, request, session
from werkzeug.exceptions import Forbidden, Unauthorized

from datacommons.audience import ANONYMOUS, Audience, InvalidToken, audience_for_token
from datacommons.system import SystemError_

from .audience import current_audience


def install(bp: Blueprint) -> None:
    """Configure signed session cookies once for the application (the secret is kept in the
    system area, so sessions survive a restart)."""

    def configure(state) -> None:
        app = state.app
        system = app.extensions["commons"].system
        secret = system.setting("session_secret")
        if secret is None:
            secret = secrets.token_hex(32)
            system.set_setting("session_secret", secret)
        if not app.config.get("SECRET_KEY"):
            app.config["SECRET_KEY"] = secret
        app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SECURE=True,
                          SESSION_COOKIE_SAMESITE="Strict")

    bp.record_once(configure)


_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})


def _guard_cookie_write() -> None:
    """A state-changing request that the signed-in session (not a bearer token) authorises
    carries the CSRF token and no foreign Origin: else another site could make the browser
    post with its cookie."""
    if request.method in _SAFE:
        return
    origin = request.headers.get("Origin")
    if origin is not None and not _same_site(origin):
        raise Forbidden(f"a request from {origin} may not use this site's sign-in; "
                        "send a bearer token")
    check_csrf()


def _same_site(origin: str) -> bool:
    """`Origin` names this server (as the request reached it, or its public address)."""
    from . import published

    netloc = urlsplit(origin).netloc.lower()
    if not netloc:
        return False  # "null": a sandboxed or opaque origin
    return netloc in {request.host.lower(), urlsplit(published.root()).netloc.lower()}


def sign_in(token: str) -> Audience:
    try:
        audience = audience_for_token(current_app.extensions["commons"].system, token.strip())
    except InvalidToken as e:
        raise Unauthorized(str(e)) from None
    if audience.kind == "anonymous":
        raise Unauthorized("give a member organisation's or an administrator's token")
    system = current_app.extensions["commons"].system
    try:
        session_id = system.open_session(token.strip())
    except SystemError_ as e:
        raise Unauthorized(str(e)) from None
    _end_session()
    session.clear()
    session["sid"] = session_id  # not the token: the session is kept, and ended, on the server
    session["csrf"] = secrets.token_urlsafe(24)
    return audience


def sign_out() -> None:
    _end_session()
    session.clear()


def _end_session() -> None:
    session_id = session.get("sid")
    if session_id:
        current_app.extensions["commons"].system.end_session(session_id)


def page_audience() -> Audience:
    """The bearer token's audience if one is sent, else the signed-in session's (for a
    state-changing request, only with the session's CSRF token and from this site)."""
    if request.headers.get("Authorization"):
        return current_audience()
    session_id = session.get("sid")
    if not session_id:
        return ANONYMOUS
    _guard_cookie_write()  # the session is what authorises this request
    owner = current_app.extensions["commons"].system.session_owner(session_id)
    if owner is None:
        session.clear()
        raise Unauthorized("your session ended (signed out, expired, or its token was revoked); "
                           "sign in again")
    return Audience("admin", None, owner.label) if owner.kind == "admin" else \
        Audience("member", owner.member, owner.label)


def check_csrf() -> None:
    """A form post (or API call) made with the session cookie must carry the session's CSRF
    token, as the form field `csrf` or the header `X-CSRF-Token`."""
    if request.headers.get("Authorization"):
        return  # a bearer token is not sent by browsers on their own: no CSRF to fear
    expected = session.get("csrf", "")
    given = request.headers.get("X-CSRF-Token") or request.form.get("csrf", "")
    if not expected or not hmac.compare_digest(expected, given):
        raise Forbidden("the form's CSRF token is missing or wrong; reload the page and try again")


def csrf_token() -> str:
    """The session's CSRF token, made on first use (the sign-in form carries one too, so no
    other site can sign a browser in under its own token)."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return session["csrf"]
