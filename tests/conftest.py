"""Shared fixtures: a real store on disk, members with tokens, and a real HTTP server."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from waitress import create_server, wasyncore

from datacommons.audience import ADMIN
from datacommons.store import Commons
from endpoint.app import create_app
from loaders.pipeline import commit_import, plan_import

FIXTURES = Path(__file__).parent / "fixtures"
BASE = "http://commons.test"

CORE_CSV = """id,name,description,website,email,phone,street,locality,region,postal_code,country,latitude,longitude,founded,structure,activities,legal_form,workers,members,listed
rd-1,Red Door Bakery Co-op,Bread and pastries since 1978,reddoorbakery.coop,info@RedDoorBakery.coop,(612) 555-0142,1 Main St,Minneapolis,MN,55401,USA,44.9778,-93.2650,1978,Workers cooperative,Retail;Production,,12,12,true
rd-2,Prairie Harvest Cooperative,Grain growers,https://prairieharvest.ca,hello@prairieharvest.ca,+1 306 555 0100,22 Grain Rd,Saskatoon,SK,S7K 1J5,Canada,52.1332,-106.6700,11/8/1946,Producer cooperative,Agriculture,,4,320,true
rd-3,Quiet Housing Co-op,Homes for members,,,,5 Elm St,Toronto,ON,M5V 2T6,CA,43.6532,-79.3832,1990-05-01,Housing cooperative,Housing,,,80,false
"""


@dataclass
class World:
    commons: Commons
    tokens: dict[str, str]


def load_text(commons: Commons, member: str, text: str, tmp_path: Path, name: str = "coops.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    plan = plan_import(commons, member, path)
    assert not plan.errors, [str(p) for p in plan.errors]
    commit_import(commons, plan, ADMIN)
    return plan


@pytest.fixture
def commons(tmp_path: Path) -> Iterator[Commons]:
    c = Commons(tmp_path / "store", base=BASE)
    yield c
    c.close()


def make_world(commons: Commons, tmp_path: Path) -> World:
    """Two member organisations: `alpha` lists three co-ops, `beta` lists none yet."""
    tokens = {
        "alpha": commons.add_member("alpha", "Alpha Federation", "https://alpha.example"),
        "beta": commons.add_member("beta", "Beta Association"),
        "admin": commons.system.issue_token("admin", None, "test admin"),
    }
    load_text(commons, "alpha", CORE_CSV, tmp_path)
    return World(commons, tokens)


@pytest.fixture
def world(commons: Commons, tmp_path: Path) -> World:
    return make_world(commons, tmp_path)


@dataclass
class Server:
    url: str
    world: World
    app: object = None  # the Flask application it serves


@pytest.fixture
def server(world: World) -> Iterator[Server]:
    """The application served by waitress on 127.0.0.1 (a real socket, a real WSGI server)."""
    app = create_app(world.commons)
    wsgi = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=wsgi.run, daemon=True)
    thread.start()
    yield Server(publish_at(app, f"http://127.0.0.1:{wsgi.effective_port}"), world, app)
    stop_server(wsgi, thread)


def publish_at(app, url: str) -> str:
    """Configure the address the test server is reached at as its public URL, as an operator
    configures `public_url`: the links it publishes then lead back to it. Returns `url`."""
    app.config["DATACOMMONS"] = app.config["DATACOMMONS"].with_(public_url=url)
    return url


def stop_server(wsgi, thread: threading.Thread) -> None:
    """Stop waitress from inside its own loop: closing every channel empties the loop's map,
    which ends `run`; then stop the worker threads. If the loop has already ended (its
    trigger closed, EBADF), there is nothing left to close."""
    try:
        wsgi.trigger.pull_trigger(lambda: wasyncore.close_all(wsgi._map))
    except OSError:
        wasyncore.close_all(wsgi._map)
    thread.join(timeout=10)
    wsgi.task_dispatcher.shutdown()
