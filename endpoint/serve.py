"""Serving the application with waitress, a production WSGI server (threads share one store)."""
from __future__ import annotations

import ctypes
import ctypes.util
import logging
import sys
import threading

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


def _compile_templates(app) -> None:
    """Compile every page template once, the entity page first. Otherwise the first requests
    after start each compile the template they need (Jinja does not share a compilation in
    progress), several threads at once: seconds of CPU while the first visitors wait."""
    env = app.jinja_env
    names = sorted(env.list_templates(), key=lambda n: (n != "entity.html", n))
    for name in names:
        env.get_template(name)


def _start_delivery(app, commons: Commons) -> None:
    """Queued mail and webhooks go out from a background thread of the server. Unsubscribe
    links must be https in any real deployment (RFC 8058): say so when mail is on and they
    would not be."""
    optin = app.extensions["optin"]
    if optin.mail.configured and not commons.uris.base.startswith("https://"):
        print(f"warning: mail is configured (smtp_url) but base {commons.uris.base} is not https: "
              "the unsubscribe links in the mail would not be either (RFC 8058 asks for https)",
              file=sys.stderr, flush=True)
    optin.start_delivery()


def serve(commons: Commons, config: Config) -> None:
    _limit_malloc_arenas()
    # A thread that gave up the GIL (SQLite, the store, a socket) waits a whole switch
    # interval to get it back while another runs Python; shorter turns cut the tail latency.
    sys.setswitchinterval(config.switch_interval_ms / 1000)
    logging.getLogger("waitress").setLevel(logging.INFO)
    # "Task queue depth is N" on every request while more connections than threads are open:
    # expected under load (requests wait their turn), and a log line each costs CPU.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    app = create_app(commons, config)
    threading.Thread(target=_compile_templates, args=(app,), name="templates", daemon=True).start()
    _start_delivery(app, commons)
    print(f"Data Commons serving {commons.uris.base} on http://{config.host}:{config.port}/", flush=True)
    waitress_serve(
        app,
        host=config.host,
        port=config.port,
        threads=config.threads,
        ident="datacommons",
        channel_timeout=config.channel_timeout,
        # X-Forwarded-For reaches the application only when proxies are configured; it then
        # believes the header only from them (`client_ip`)
        clear_untrusted_proxy_headers=not config.trusted_proxies,
    )
