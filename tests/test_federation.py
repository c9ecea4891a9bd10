"""Federation in practice: the commons and another solidarity-economy map, each behind its
own real SPARQL endpoint on 127.0.0.1 (ours, and an Oxigraph server from PyPI), joined by a
SERVICE call from our endpoint and by Comunica running one query over both."""
from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from SPARQLWrapper import JSON, SPARQLWrapper

from datacommons.config import Config
from datacommons.store import Commons
from endpoint.app import create_app

from .conftest import BASE, FIXTURES, make_world
from .live import running
from .webclient import fetch

OXIGRAPH = Path(sys.executable).parent / "oxigraph"
COMUNICA = Path(__file__).parent / "js" / "node_modules" / ".bin" / "comunica-sparql"
MAP = FIXTURES / "federation" / "solidarity-map.ttl"
JOINED = {
    ("Red Door Bakery Co-op", "Fair Trade Minneapolis"),
    ("Prairie Harvest Cooperative", "Certified Organic (SK)"),
}
PREFIXES = """PREFIX gr: <http://purl.org/goodrelations/v1#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX essglobal: <http://purl.org/essglobal/vocab/>
PREFIX map: <https://map.solidarity.example/vocab#>
PREFIX coop: <https://w3id.org/coop-commons/vocab#>
"""


@dataclass
class Endpoints:
    commons: str  # our /sparql
    other_map: str  # the Oxigraph server's query endpoint


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def other_map(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An Oxigraph server (the `oxigraph` package from PyPI) holding the other map."""
    assert OXIGRAPH.exists(), "the oxigraph server is missing: ./scripts/test installs it"
    location = tmp_path_factory.mktemp("other-map")
    subprocess.run([OXIGRAPH, "load", "--location", location, "--file", MAP], check=True, capture_output=True)
    port = _free_port()
    server = subprocess.Popen(
        [OXIGRAPH, "serve", "--location", location, "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/query"
    try:
        for _ in range(100):
            try:
                if fetch(f"{url}?" + urllib.parse.urlencode({"query": "ASK {}"})).status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def endpoints(other_map: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoints]:
    path = tmp_path_factory.mktemp("federation")
    commons = Commons(path / "store", base=BASE)
    make_world(commons, path)
    config = Config().with_(rate_limit="", service_allowlist=frozenset({other_map}))
    with running(create_app(commons, config), threads=6) as url:
        yield Endpoints(f"{url}/sparql", other_map)
    commons.close()


def test_a_service_query_joins_the_commons_with_another_map(endpoints: Endpoints) -> None:
    sparql = SPARQLWrapper(endpoints.commons)
    sparql.setQuery(PREFIXES + f"""
        SELECT ?name ?certification WHERE {{
          ?coop a essglobal:SSEInitiative ; gr:name ?name ; foaf:homepage ?home .
          SERVICE <{endpoints.other_map}> {{ ?initiative foaf:homepage ?home ; map:certification ?certification }}
        }}""")
    sparql.setReturnFormat(JSON)
    rows = sparql.query().convert()["results"]["bindings"]
    assert {(r["name"]["value"], r["certification"]["value"]) for r in rows} == JOINED


def test_comunica_runs_one_federated_query_over_both_endpoints(endpoints: Endpoints) -> None:
    node = shutil.which("node")
    assert node and COMUNICA.exists(), "Comunica is missing: ./scripts/test installs tests/js"
    # Only the commons says who lists a co-op; only the other map says who certified it.
    query = PREFIXES + """
        SELECT ?name ?certification WHERE {
          ?coop coop:listedBy ?member ; gr:name ?name ; foaf:homepage ?home .
          ?initiative map:certification ?certification ; foaf:homepage ?home .
        }"""
    run = subprocess.run(
        [node, COMUNICA, f"sparql@{endpoints.commons}", f"sparql@{endpoints.other_map}",
         "-q", query, "-t", "application/sparql-results+json"],
        capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stderr
    rows = json.loads(run.stdout)
    assert {(r["name"], r["certification"]) for r in _simple(rows)} == JOINED


def _simple(rows) -> list[dict[str, str]]:
    """Comunica writes SPARQL JSON results; keep each binding's value."""
    bindings = rows["results"]["bindings"] if isinstance(rows, dict) else rows
    return [{k: v["value"] if isinstance(v, dict) else v for k, v in b.items()} for b in bindings]
