"""Who is at the import and review pages: a bearer token (the API), or for people in a browser,
the same token given once to a sign-in form and kept in a session cookie.

The cookie is signed (Flask's session), HttpOnly, Secure and SameSite=Strict; every form post
made with it also carries a per-session CSRF token. Only the import and review blueprints
read the session: every other path (SPARQL, the Graph Store Protocol...) takes bearer tokens
alone, so a signed-in browser cannot be made to write through them by another site.
"""
from __future__ import annotations

import hmac
import secrets

from flask import Blueprint, current_app, request, session
from werkzeug.exceptions import Forbidden, Unauthorized

from datacommons.audience import ANONYMOUS, Audience, InvalidToken, audience_for_token

from .auth import current_audience


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


def sign_in(token: str) -> Audience:
    try:
        audience = audience_for_token(current_app.extensions["commons"].system, token.strip())
    except InvalidToken as e:
        raise Unauthorized(str(e)) from None
    if audience.kind == "anonymous":
        raise Unauthorized("give a member organisation's or an administrator's token")
    session.clear()
    session["token"] = token.strip()
    session["csrf"] = secrets.token_urlsafe(24)
    return audience


def sign_out() -> None:
    session.clear()


def page_audience() -> Audience:
    """The bearer token's audience if one is sent, else the signed-in session's."""
    if request.headers.get("Authorization"):
        return current_audience()
    token = session.get("token")
    if not token:
        return ANONYMOUS
    try:
        return audience_for_token(current_app.extensions["commons"].system, token)
    except InvalidToken:
        session.clear()
        raise Unauthorized("the token you signed in with was revoked; sign in again") from None


def check_csrf() -> None:
    """A form post made with the session cookie must carry the session's CSRF token."""
    if request.headers.get("Authorization"):
        return  # a bearer token is not sent by browsers on their own: no CSRF to fear
    expected = session.get("csrf", "")
    given = request.form.get("csrf", "")
    if not expected or not hmac.compare_digest(expected, given):
        raise Forbidden("the form's CSRF token is missing or wrong; reload the page and try again")


def csrf_token() -> str:
    """The session's CSRF token, made on first use (the sign-in form carries one too, so no
    other site can sign a browser in under its own token)."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return session["csrf"]
