"""Per-client rate limits for the endpoints that run work for clients (SPARQL, Graph Store).

Flask-Limiter counts requests per client in memory (one server process) and answers 429
with `Retry-After` once a client is over its limit. A client is its token when it sends one
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


def init_app(app: Flask, blueprints: list[Blueprint]) -> None:
    """Limit `blueprints` to the configured rate (none if it is empty)."""
    rate = app.config["DATACOMMONS"].rate_limit.strip()
    if not rate:
        return
    from flask_limiter import Limiter  # a quarter second of imports, only when limits are on

    limiter = Limiter(client_key, app=app, storage_uri="memory://", headers_enabled=True)
    for blueprint in blueprints:
        limiter.limit(rate, methods=LIMITED_METHODS)(blueprint)
