"""A real server for a module of tests: the application under waitress on 127.0.0.1."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from waitress import create_server

from .conftest import publish_at, stop_server


@contextmanager
def running(app: Flask, threads: int = 4, **options) -> Iterator[str]:
    """Serve `app` until the block ends; yields its base URL. The app's reader processes
    are stopped with it."""
    wsgi = create_server(app, host="127.0.0.1", port=0, threads=threads, **options)
    thread = threading.Thread(target=wsgi.run, daemon=True)
    thread.start()
    try:
        yield publish_at(app, f"http://127.0.0.1:{wsgi.effective_port}")
    finally:
        stop_server(wsgi, thread)
        app.extensions["querypool"].close()
