"""What every template of the directory may use: links to local pages, URL arguments, settings."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask

from datacommons import licences

from . import published
from .iri_paths import page_for


def install(app: Flask) -> None:
    commons = app.extensions["commons"]

    @app.template_filter("page_for")
    def _page_for(iri: str) -> str:
        """The page showing `iri` (a local path for what the commons serves)."""
        return page_for(commons.uris.base, iri)

    @app.template_filter("urlencode_args")
    def _urlencode_args(args, **changes: str) -> str:
        """Request arguments with some replaced, as a query string (keeps repeated keys)."""
        pairs = [(k, v) for k, v in args.items(multi=True) if k not in changes]
        return urlencode(pairs + list(changes.items()))

    @app.template_filter("licence")
    def _licence(member: str) -> licences.Licence | None:
        """The licence of a member's public data, by the member's IRI or id."""
        return licences.licences(commons).get(member.rstrip("/").rsplit("/", 1)[-1])

    @app.template_filter("thousands")
    def _thousands(n: int | str) -> str:
        """12,345: counts read at a glance (issue 23)."""
        try:
            return f"{int(n):,}"
        except (TypeError, ValueError):
            return str(n)

    @app.context_processor
    def _settings() -> dict[str, object]:
        return {"settings": app.config["DATACOMMONS"], "public_root": published.root}
