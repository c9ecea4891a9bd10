"""Where the links the commons publishes point: the configured public URL (else the base).

Never the request's `Host` header: a client chooses that header, and a link minted from it
would be kept in caches, dumps, sitemaps and other sites' embeds under a host of the
client's choosing.
"""
from __future__ import annotations

from flask import current_app, url_for


def root() -> str:
    """The public root, without a trailing slash."""
    config = current_app.config["DATACOMMONS"]
    return (config.public_url or current_app.extensions["commons"].uris.base).rstrip("/")


def url(endpoint: str, **values: object) -> str:
    """`url_for`, absolute under the public root."""
    return root() + url_for(endpoint, **values)
