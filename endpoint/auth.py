"""The audience of the current request, from its `Authorization: Bearer` token."""
from __future__ import annotations

from flask import current_app, g, request
from werkzeug.exceptions import Unauthorized

from datacommons.audience import Audience, InvalidToken, audience_for_token


def current_audience() -> Audience:
    if "audience" not in g:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if header and scheme.lower() != "bearer":
            raise Unauthorized("use 'Authorization: Bearer <token>'")
        try:
            g.audience = audience_for_token(current_app.extensions["commons"].system, token or None)
        except InvalidToken as e:
            raise Unauthorized(str(e)) from None
    return g.audience
