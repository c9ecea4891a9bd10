"""A real server for a module of tests: the application under waitress on 127.0.0.1."""
from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

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


@contextmanager
def static_site(folder: Path) -> Iterator[str]:
    """Serve a folder of files (a member's own website, on another origin than the commons)
    until the block ends; yields the URL of its index.html."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(SimpleHTTPRequestHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
