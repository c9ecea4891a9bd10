"""Serving the application with waitress, a production WSGI server (threads share one store)."""
from __future__ import annotations

import ctypes
import ctypes.util
import logging
import sys

from waitress import serve as waitress_serve

from datacommons.config import Config
from datacommons.store import Commons

from .app import create_app


M_ARENA_MAX = -8  # mallopt's parameter number (glibc malloc.h)


def _limit_malloc_arenas(arenas: int = 2) -> None:
    """glibc gives each thread that allocates concurrently its own arena, up to eight per
    core; memory freed in one stays there. Two arenas keep the server's peak RSS down (the
    threads mostly wait on the GIL anyway). Elsewhere than glibc, nothing changes."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        if libc is not None and hasattr(libc, "mallopt"):
            libc.mallopt(M_ARENA_MAX, arenas)
    except OSError:
        pass


def serve(commons: Commons, config: Config) -> None:
    _limit_malloc_arenas()
    # A thread that gave up the GIL (SQLite, the store, a socket) waits a whole switch
    # interval to get it back while another runs Python; shorter turns cut the tail latency.
    sys.setswitchinterval(config.switch_interval_ms / 1000)
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
