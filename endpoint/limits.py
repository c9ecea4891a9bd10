"""Per-client rate limits for the endpoints that run work for clients (SPARQL, Graph Store).

Flask-Limiter counts requests per client and answers 429 with `Retry-After` once a client is
over its limit. The counts live where `rate_limit_storage` says: in the process's memory by
default; in a shared store (Redis, Memcached, MongoDB: any storage the `limits` library knows)
when several web workers serve one commons, so that a client's limit is one limit, not one
per worker. A client is its token when it sends one
(member organisations' scripts, wherever they run from), otherwise its address. Preflight
requests (OPTIONS) are never counted.
"""
from __future__ import annotations

import hashlib

from flask import Blueprint, Flask, request

LIMITED_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE"]


def client_key() -> str:
    header = request.headers.get("Authorization", "")
    if header:
        return "token:" + hashlib.sha256(header.encode()).hexdigest()[:32]
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
