"""Serving the application with waitress, a production WSGI server (threads share one store)."""
from __future__ import annotations

import logging

from waitress import serve as waitress_serve

from datacommons.config import Config
from datacommons.store import Commons

from .app import create_app


def serve(commons: Commons, config: Config) -> None:
    logging.getLogger("waitress").setLevel(logging.INFO)
    app = create_app(commons, config)
    print(f"Data Commons serving {commons.uris.base} on http://{config.host}:{config.port}/", flush=True)
    waitress_serve(
        app,
        host=config.host,
        port=config.port,
        threads=config.threads,
        ident="datacommons",
        channel_timeout=120,
    )
