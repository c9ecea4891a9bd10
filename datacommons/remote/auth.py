"""HTTP authentication to a remote store: the scheme the server's challenge asks for.

Virtuoso's `/sparql-auth` and `/sparql-graph-crud-auth` challenge for Digest (RFC 7616), and
answer a Basic header sent up front with a bare 401 (no challenge at all); Fuseki and Oxigraph
behind a proxy use Basic. So the first request goes without credentials, and the challenge
decides the scheme for the requests after it. requests' Digest
implementation computes the answer to the challenge (nonce counting, qop, MD5/SHA-256).
"""
from __future__ import annotations

import threading

import urllib3
from requests.auth import HTTPDigestAuth
from requests.utils import parse_dict_header


class HttpAuth:
    def __init__(self, user: str, password: str | None) -> None:
        self._basic = urllib3.make_headers(basic_auth=f"{user}:{password or ''}")
        self._digest = HTTPDigestAuth(user, password or "")
        self._lock = threading.Lock()
        self._scheme: str | None = None  # "basic" or "digest" once challenged
        self._challenge: dict | None = None

    def headers(self, method: str, url: str) -> dict[str, str]:
        """The Authorization header for a request, in the scheme the server asked for."""
        with self._lock:
            if self._scheme == "basic":
                return dict(self._basic)
            if self._scheme == "digest":
                # requests keeps the challenge and nonce count per thread: every thread that
                # writes answers the challenge this store was last given.
                self._digest.init_per_thread_state()
                local = self._digest._thread_local
                if getattr(local, "chal", None) != self._challenge:
                    local.chal = self._challenge
                return {"Authorization": self._digest.build_digest_header(method, url)}
            return {}

    def challenged(self, response: urllib3.BaseHTTPResponse, method: str, url: str) -> bool:
        """Take a 401's Digest challenge; True if the request is worth sending again (a new
        challenge, or a nonce the server calls stale), False if the credentials were refused."""
        header = response.headers.get("WWW-Authenticate", "")
        scheme, _, params = header.partition(" ")
        scheme = scheme.lower()
        if scheme == "basic":
            with self._lock:
                fresh, self._scheme = self._scheme != "basic", "basic"
            return fresh
        if scheme != "digest":
            return False
        challenge = parse_dict_header(params)
        with self._lock:
            self._scheme = "digest"
            fresh = self._challenge is None or challenge.get("stale", "").lower() == "true" \
                or challenge.get("nonce") != self._challenge.get("nonce")
            self._digest.init_per_thread_state()
            self._digest._thread_local.chal = challenge
            self._challenge = challenge
        return fresh
