"""The web application's tunables come from the one configuration (datacommons/config.py),
each with its documented key and environment variable."""
from __future__ import annotations

from datacommons.config import Config
from endpoint.app import create_app

from .conftest import World
from .live import running
from .webclient import fetch


def test_an_operator_can_lower_the_largest_request_body_the_site_reads(world: World) -> None:
    app = create_app(world.commons, Config(max_request_mb=0.001))  # about 1 KB
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    with running(app) as url:
        big = fetch(f"{url}/lists/subscribe", method="POST", data=b"email=" + b"a" * 4000, headers=form)
        assert big.status == 413
        small = fetch(f"{url}/lists/subscribe", method="POST", data=b"email=a%40b.example", headers=form)
        assert small.status == 403  # read, and refused for its missing form token


def test_the_endpoint_settings_are_read_from_the_environment(monkeypatch) -> None:
    for name, value in {"MAX_REQUEST_MB": "8", "CHANNEL_TIMEOUT": "30", "ANSWER_CACHE_MB": "4",
                        "REVIEW_PAGE_SIZE": "10"}.items():
        monkeypatch.setenv(f"DATACOMMONS_{name}", value)
    config = Config()
    assert (config.max_request_mb, config.channel_timeout, config.answer_cache_mb,
            config.review_page_size) == (8, 30, 4, 10)


def test_every_endpoint_setting_is_documented_in_the_configuration_table() -> None:
    import datacommons.config as module

    for key in ("max_request_mb", "channel_timeout", "answer_cache_mb", "review_page_size"):
        assert f"| {key} | DATACOMMONS_{key.upper()} |" in module.__doc__
