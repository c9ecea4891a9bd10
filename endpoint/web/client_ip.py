"""The address a request comes from, for consent records and sign-up rate limits.

`X-Forwarded-For` is believed only when the request reaches us from a configured proxy
(`trusted_proxies`): otherwise any client could write any address into the consent log.
The client is the right-most address in the header that is not itself a trusted proxy.
"""
from __future__ import annotations

import ipaddress

from flask import current_app, request


def _trusted(address: str, proxies: frozenset[str]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    for proxy in proxies:
        try:
            if ip in ipaddress.ip_network(proxy, strict=False):
                return True
        except ValueError:
            continue
    return False


def client_ip() -> str | None:
    proxies = current_app.config["DATACOMMONS"].trusted_proxies
    address = request.remote_addr
    if not address or not proxies or not _trusted(address, proxies):
        return address
    forwarded = [a.strip() for a in request.headers.get("X-Forwarded-For", "").split(",") if a.strip()]
    for hop in reversed(forwarded):
        if not _trusted(hop, proxies):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return address  # a mangled header: keep what we know
    return address


def network_of(address: str | None) -> str:
    """The /24 (IPv4) or /48 (IPv6) network of an address: a flood from many addresses of
    one network is one flood."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return "unknown"
    return str(ipaddress.ip_network(f"{ip}/{24 if ip.version == 4 else 48}", strict=False))
