"""Delivery over SMTP with the standard library's smtplib."""
from __future__ import annotations

import smtplib
import ssl

from .settings import MailSettings


class SmtpTransport:
    """Sends one raw message at a time; a connection per batch is not worth its state here
    (confirmations are few)."""

    def __init__(self, settings: MailSettings, timeout: float = 30) -> None:
        self.endpoint = settings.smtp()
        self.timeout = timeout

    def send(self, sender: str, recipient: str, raw: bytes) -> None:
        """Raises `smtplib.SMTPException` or `OSError` when the server does not take it."""
        e = self.endpoint
        context = ssl.create_default_context()
        if e.tls:
            client = smtplib.SMTP_SSL(e.host, e.port, timeout=self.timeout, context=context)
        else:
            client = smtplib.SMTP(e.host, e.port, timeout=self.timeout)
        with client:
            if e.starttls:
                client.starttls(context=context)
            if e.user:
                client.login(e.user, e.password or "")
            client.sendmail(sender, [recipient], raw)
