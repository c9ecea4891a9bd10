"""A real SMTP server for the tests (aiosmtpd on 127.0.0.1): the commons sends to it, the
tests read what arrived."""
from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


@dataclass
class Received:
    sender: str
    recipients: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.raw, policy=policy.default)

    @property
    def body(self) -> str:
        return self.message.get_body(("plain",)).get_content()


@dataclass
class Mailbox:
    url: str
    port: int
    messages: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def to(self, address: str) -> list[Received]:
        with self.lock:
            return [m for m in self.messages if address in m.recipients]

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        with self.lock:
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def smtp_server(port: int | None = None) -> Iterator[Mailbox]:
    port = port or free_port()
    box = Mailbox(f"smtp://127.0.0.1:{port}", port)
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()
