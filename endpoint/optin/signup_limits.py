"""Rate limits on sign-ups: per client address, and ten times as many per network.

The confirmation mail is the costly, abusable part (it lands in someone's inbox), so a flood
of sign-ups is refused before any is recorded. Counted by the `limits` library in the same
storage as the other rate limits (`rate_limit_storage`).
"""
from __future__ import annotations

import time

from flask import current_app
from werkzeug.exceptions import TooManyRequests

from ..web.client_ip import client_ip, network_of


class SignupLimiter:
    def __init__(self, rate: str, storage_uri: str) -> None:
        from limits import parse_many
        from limits.storage import storage_from_string
        from limits.strategies import MovingWindowRateLimiter

        self.items = parse_many(rate) if rate.strip() else []
        self.network_items = [type(i)(i.amount * 10, i.multiples) for i in self.items]
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))

    def hit(self) -> None:
        """Count one sign-up from this request's client; 429 when over a limit."""
        address = client_ip() or "unknown"
        checks = [(i, "signup:address", address) for i in self.items]
        checks += [(i, "signup:network", network_of(address)) for i in self.network_items]
        for item, scope, key in checks:
            if not self.limiter.hit(item, scope, key):
                reset = self.limiter.get_window_stats(item, scope, key).reset_time
                raise TooManyRequests(
                    f"too many sign-ups from your network ({item}); please try again later",
                    retry_after=max(1, int(reset - time.time())))


def limiter() -> SignupLimiter:
    app = current_app
    if "signup_limiter" not in app.extensions:
        config = app.config["DATACOMMONS"]
        app.extensions["signup_limiter"] = SignupLimiter(config.subscribe_rate_limit, config.rate_limit_storage)
    return app.extensions["signup_limiter"]
