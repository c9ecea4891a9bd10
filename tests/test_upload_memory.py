"""Big uploads cannot fill the server's memory: an upload past `max_upload_mb` is answered
413 before its body is read, and a big preview is kept on disk (the previews table) and
planned again from there, not held in memory for the day it lives."""
from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from datacommons.audience import ADMIN
from datacommons.config import Config
from endpoint.app import create_app
from loaders.history import history_of

from .conftest import CORE_CSV, Server, World
from .live import running
from .test_parser_bombs import NAMES, upload
from .webclient import bearer, fetch


@pytest.fixture
def small(world: World) -> Iterator[Server]:
    with running(create_app(world.commons, Config().with_(rate_limit="", max_upload_mb=1))) as url:
        yield Server(url, world)


def names(world: World) -> set[str]:
    return {r["n"].value for r in world.commons.query(NAMES, ADMIN)}


def test_an_upload_over_max_upload_mb_is_refused_with_413_and_a_clear_message(small: Server) -> None:
    before = names(small.world)
    big = CORE_CSV + "".join(f"x-{i},Co-op number {i},{'padding ' * 20}\n" for i in range(10_000))
    assert len(big) > 1024 * 1024
    reply = upload(small, "alpha", "big.csv", big.encode())
    assert reply.status == 413, reply.text
    assert "max_upload_mb" in reply.text and "1 MB" in reply.text
    assert names(small.world) == before


def test_a_preview_bigger_than_the_memory_budget_lives_on_disk_and_still_commits(small: Server) -> None:
    history = history_of(small.world.commons)
    history.keep_records = 2  # CORE_CSV's three records are "big" here
    text = CORE_CSV.replace("Red Door Bakery Co-op", "Red Door Bakery Workers Co-op")
    reply = upload(small, "alpha", "coops.csv", text.encode())
    assert reply.status == 201, reply.text
    preview = json.loads(reply.body)
    assert history.recall(preview["preview"], history.preview(preview["preview"])[0].revision) is None
    token = bearer(small.world.tokens["alpha"])
    shown = json.loads(fetch(f"{small.url}/api/imports/previews/{preview['preview']}", headers=token).body)
    assert shown["diff"] == preview["diff"]
    commit = fetch(f"{small.url}/api/imports/previews/{preview['preview']}/commit", method="POST", headers=token, data=b"")
    assert commit.status == 200, commit.text
    assert "Red Door Bakery Workers Co-op" in names(small.world)
