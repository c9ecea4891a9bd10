"""The audience of the current request, from its `Authorization: Bearer` token."""
from __future__ import annotations

import re

from flask import current_app, g, request
from werkzeug.exceptions import Unauthorized

from datacommons.audience import Audience, InvalidToken, audience_for_token

# RFC 6750 section 2.1: the scheme (case-insensitive, RFC 7235), one space, one token68
_BEARER = re.compile(r"(?i:bearer) ([A-Za-z0-9\-._~+/]+=*)")


def bearer_token(header: str) -> str | None:
    """The token of an `Authorization` header; None when there is no header. A header that is
    there but is not exactly `Bearer <token>` (empty token, extra spaces, another scheme) is
    refused: read loosely, each spelling would be a fresh client to the rate limit."""
    if not header:
        return None
    match = _BEARER.fullmatch(header)
    if match is None:
        raise Unauthorized("use 'Authorization: Bearer <token>' (one space, a non-empty token)")
    return match.group(1)


def current_audience() -> Audience:
    if "audience" not in g:
        token = bearer_token(request.headers.get("Authorization", ""))
        try:
            g.audience = audience_for_token(current_app.extensions["commons"].system, token)
        except InvalidToken as e:
            raise Unauthorized(str(e)) from None
    return g.audience
