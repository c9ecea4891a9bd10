"""A tiny HTTP client over urllib for tests: real requests, status and headers kept."""
from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def fetch(url: str, *, headers: dict[str, str] | None = None, data: bytes | None = None,
          method: str | None = None) -> Reply:
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return Reply(r.status, {k.lower(): v for k, v in r.headers.items()}, r.read())
    except urllib.error.HTTPError as e:
        return Reply(e.code, {k.lower(): v for k, v in e.headers.items()}, e.read())


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
