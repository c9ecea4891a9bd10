"""Composing the commons' messages: every one carries the RFC 2369 and RFC 8058 headers."""
from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from urllib.parse import urlsplit

from ..tables import now


def compose(
    *, sender: str, recipient: str, subject: str, body: str, unsubscribe_url: str,
    list_id: str | None = None, base: str,
) -> EmailMessage:
    """A plain-text message. `unsubscribe_url` is the one-click URL (RFC 8058): a POST of
    `List-Unsubscribe=One-Click` to it unsubscribes; the body must carry a link as well."""
    if unsubscribe_url not in body:
        raise ValueError("the body must carry the unsubscribe link too (CASL)")
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = recipient
    msg["Subject"] = subject
    msg["Date"] = format_datetime(now())
    msg["Message-ID"] = make_msgid(domain=urlsplit(base).hostname or "localhost")
    if list_id:
        msg["List-Id"] = f"<{list_id}>"
    msg["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(body, cte="quoted-printable")
    return msg
