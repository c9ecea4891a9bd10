"""Per-client rate limits for the endpoints that run work for clients (SPARQL, Graph Store).

Flask-Limiter counts requests per client and answers 429 with `Retry-After` once a client is
over its limit. The counts live where `rate_limit_storage` says: in the process's memory by
default; in a shared store (Redis, Memcached, MongoDB: any storage the `limits` library knows)
when several web workers serve one commons, so that a client's limit is one limit, not one
per worker. A client is the audience its valid token resolves to
(member organisations' scripts, wherever they run from), otherwise its address. Preflight
requests (OPTIONS) are never counted.
"""
from __future__ import annotations

from flask import Blueprint, Flask, request
from werkzeug.exceptions import Unauthorized

from datacommons.audience import ANONYMOUS

from ..web.audience import current_audience

LIMITED_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE"]


def client_key() -> str:
    """The resolved audience: a valid token's member (or administrator), else the address. A
    malformed, unknown or revoked token counts against the address, so rewording the header
    never buys a fresh allowance (the request is then refused with 401)."""
    try:
        audience = current_audience()
    except Unauthorized:
        audience = ANONYMOUS
    if audience.kind != "anonymous":
        return "audience:" + audience.key + (":" + audience.label if audience.is_admin else "")
    return "address:" + (request.remote_addr or "unknown")


class RateLimitConfigError(ValueError):
    """The rate limit or its storage is not one the server can use; says which and why."""


def init_app(app: Flask, blueprints: list[Blueprint]) -> None:
    """Limit `blueprints` to the configured rate (none if it is empty)."""
    config = app.config["DATACOMMONS"]
    rate = config.rate_limit.strip()
    if not rate:
        return
    # a quarter second of imports, only when limits are on
    from flask_limiter import Limiter
    from limits import parse_many
    from limits.errors import ConfigurationError

    try:
        parse_many(rate)
    except ValueError as e:
        raise RateLimitConfigError(f"rate_limit {rate!r} is not a rate such as 120/minute: {e}") from None
    try:  # the limiter makes its storage here, and says when it cannot
        limiter = Limiter(client_key, app=app, storage_uri=config.rate_limit_storage, headers_enabled=True)
    except ConfigurationError as e:
        raise RateLimitConfigError(f"rate_limit_storage {config.rate_limit_storage!r}: {e}") from None
    for blueprint in blueprints:
        limiter.limit(rate, methods=LIMITED_METHODS)(blueprint)
