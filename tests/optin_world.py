"""A commons with mailing lists, served on 127.0.0.1, sending through a real SMTP server
(aiosmtpd), with a real webhook receiver: the world of the opt-in tests."""
from __future__ import annotations

import http.client
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

from datacommons.config import Config
from datacommons.lists import MailingList
from datacommons.optin import Optin
from datacommons.store import Commons
from datacommons.webhooks import verify
from endpoint.app import create_app

from .conftest import make_world
from .live import running
from .smtp_server import Mailbox, smtp_server
from .webclient import Reply, fetch


@dataclass
class Receiver:
    """A member's webhook endpoint: keeps what it is sent; answers `status` (500 to refuse)."""

    url: str = ""
    secret: str = ""
    status: int = 200
    events: list[dict] = field(default_factory=list)
    bad_signatures: int = 0


def _receiver_server(receiver: Receiver):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if receiver.status == 200:
                if verify(receiver.secret, self.headers.get("X-Datacommons-Signature", ""), body):
                    receiver.events.append(json.loads(body))
                else:
                    receiver.bad_signatures += 1
            self.send_response(receiver.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    return ThreadingHTTPServer(("127.0.0.1", 0), Handler)


@dataclass
class OptinWorld:
    url: str
    commons: Commons
    optin: Optin
    mailbox: Mailbox
    receiver: Receiver
    tokens: dict[str, str]
    app: object

    def deliver(self) -> None:
        self.optin.deliver_due()

    def mails_to(self, address: str):
        self.deliver()
        return self.mailbox.to(address)

    def link_in(self, address: str, word: str) -> str:
        """The last link with `word` in its path in the mail to `address`."""
        links = [l for m in self.mails_to(address) for l in re.findall(r"https?://\S+", m.body)
                 if f"/{word}/" in l]
        assert links, f"no {word} link in the mail to {address}"
        return links[-1]

    def links_in(self, address: str, word: str) -> list[str]:
        return [l for m in self.mails_to(address) for l in re.findall(r"https?://\S+", m.body)
                if f"/{word}/" in l]

    def local(self, link: str) -> str:
        """The commons' link (under `base`) on the test server."""
        return self.url + urlsplit(link).path


def form_post(url: str, fields: dict | list, headers: dict | None = None) -> Reply:
    """A form POST that does not follow redirects (http.client, not urllib)."""
    parts = urlsplit(url)
    body = urlencode(fields, doseq=True)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.request("POST", parts.path + (f"?{parts.query}" if parts.query else ""), body=body,
                 headers={"Content-Type": "application/x-www-form-urlencoded", **(headers or {})})
    r = conn.getresponse()
    reply = Reply(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
    conn.close()
    return reply


def form_token(page_html: str) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', page_html).group(1)


@pytest.fixture
def optin_world(tmp_path: Path, commons: Commons) -> Iterator[OptinWorld]:
    world = make_world(commons, tmp_path)
    receiver = Receiver()
    hooks = _receiver_server(receiver)
    threading.Thread(target=hooks.serve_forever, daemon=True).start()
    receiver.url = f"http://127.0.0.1:{hooks.server_port}/hooks"
    with smtp_server() as mailbox:
        config = Config().with_(smtp_url=mailbox.url, mail_from="commons@commons.example",
                                operator_name="Commons Operators Co-op",
                                operator_address="1 Commons Way, Ottawa ON K1A 0A1, Canada",
                                operator_contact="hello@commons.example", rate_limit="",
                                subscribe_rate_limit="1000/hour")
        app = create_app(commons, config)
        optin = app.extensions["optin"]
        optin.lists.add(MailingList(member="alpha", id="news", name="Alpha News",
                                    descriptions={"en": "Worker co-op news", "fr": "Nouvelles"},
                                    postal_address="10 Alpha St, Winnipeg MB, Canada",
                                    contact="news@alpha.example"))
        lst = optin.lists.add(MailingList(member="beta", id="updates", name="Beta Updates",
                                          webhook_url=receiver.url))
        receiver.secret = lst.webhook_secret
        with running(app, clear_untrusted_proxy_headers=False) as url:  # as `serve` with trusted_proxies
            yield OptinWorld(url, commons, optin, mailbox, receiver, world.tokens, app)
        optin.stop_delivery()
    hooks.shutdown()
    hooks.server_close()

