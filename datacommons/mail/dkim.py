"""DKIM signatures (dkimpy), with the list headers inside the signature as RFC 8058 section 4
requires: a receiver then knows the one-click URL came from the signing domain."""
from __future__ import annotations

import dkim

SIGNED_HEADERS = (
    b"from", b"to", b"subject", b"date", b"message-id", b"mime-version", b"content-type",
    b"list-id", b"list-unsubscribe", b"list-unsubscribe-post",
)


def sign(raw: bytes, domain: str, selector: str, key: bytes) -> bytes:
    """The message with a DKIM-Signature header in front (relaxed/relaxed, rsa-sha256)."""
    signature = dkim.sign(
        raw, selector.encode(), domain.encode(), key,
        include_headers=[h for h in SIGNED_HEADERS if _has(raw, h)],
        canonicalize=(b"relaxed", b"relaxed"),
    )
    return signature + raw


def _has(raw: bytes, header: bytes) -> bool:
    head = raw.split(b"\r\n\r\n", 1)[0].lower()
    return head.startswith(header + b":") or (b"\r\n" + header + b":") in head
