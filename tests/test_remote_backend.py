"""The `sparql` backend against a real Oxigraph server started here, and two web workers
(`datacommons serve` processes) serving from that one store at once.

The whole suite also runs on the remote path (`DATACOMMONS_BACKEND=oxigraph-server`, see
scripts/test); this module covers what only a store shared by several processes shows.
"""
from __future__ import annotations

import json
import os
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

from .conftest import BASE, CORE_CSV, load_text
from .webclient import bearer, fetch

ROOT = Path(__file__).resolve().parent.parent
NAMES = "SELECT ?name WHERE { ?c <http://purl.org/goodrelations/v1#name> ?name } ORDER BY ?name"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the process serving {url} stopped"
        try:
            if fetch(url).status < 500:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} did not answer within {seconds} s")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def oxigraph(tmp_path: Path) -> Iterator[str]:
    """An Oxigraph server of its own (not the one our backend can start), on a folder."""
    binary = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    port = _free_port()
    process = subprocess.Popen(
        [binary, "serve", "--location", str(tmp_path / "oxigraph"), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    _wait_for(f"{url}/query?query=ASK%7B%7D", process)
    yield url
    _stop(process)


@dataclass
class Workers:
    urls: list[str]
    tokens: dict[str, str]
    store: str
    env: dict[str, str]


@pytest.fixture
def workers(oxigraph: str, tmp_path: Path) -> Iterator[Workers]:
    """A commons on the Oxigraph server (state folder shared), then two `datacommons serve`
    processes on it."""
    env = {
        **os.environ,
        "DATACOMMONS_BACKEND": "sparql",
        "DATACOMMONS_SPARQL_URL": oxigraph,
        "DATACOMMONS_RATE_LIMIT": "",
    }
    state = tmp_path / "state"
    commons = Commons(state, base=BASE, config=Config(backend="sparql", sparql_url=oxigraph))
    tokens = {
        "alpha": commons.add_member("alpha", "Alpha Federation", "https://alpha.example"),
        "admin": commons.system.issue_token("admin", None, "test admin"),
    }
    load_text(commons, "alpha", CORE_CSV, tmp_path)
    commons.close()  # nothing of the data stays with this process

    processes, urls = [], []
    for _ in range(2):
        port = _free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "cli", "serve", "--store", str(state), "--port", str(port)],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        processes.append(process)
        urls.append(f"http://127.0.0.1:{port}")
    try:
        for url, process in zip(urls, processes):
            _wait_for(f"{url}/health", process)
        yield Workers(urls, tokens, str(state), env)
    finally:
        for process in processes:
            _stop(process)


def _names(url: str, token: str | None = None) -> list[str]:
    client = SPARQLWrapper(f"{url}/sparql")
    client.setQuery(NAMES)
    client.setReturnFormat(JSON)
    if token:
        client.addCustomHttpHeader("Authorization", f"Bearer {token}")
    rows = client.queryAndConvert()["results"]["bindings"]
    return [r["name"]["value"] for r in rows]


def test_the_data_lives_in_the_remote_store_in_the_publication_graphs(workers: Workers, oxigraph: str) -> None:
    client = SPARQLWrapper(f"{oxigraph}/query")
    client.setQuery("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    client.setReturnFormat(JSON)
    graphs = {r["g"]["value"] for r in client.queryAndConvert()["results"]["bindings"]}
    assert {f"{BASE}/graph/alpha/public", f"{BASE}/graph/commons", f"{BASE}/graph/vocabulary"} <= graphs
    # No local RDF store was made beside the system database.
    assert not (Path(workers.store) / "oxigraph").exists()


def test_two_workers_serve_the_same_commons_under_the_same_access_rules(workers: Workers) -> None:
    first, second = workers.urls
    public = _names(first)
    assert public == _names(second)
    assert "Red Door Bakery Co-op" in public
    # alpha's own members-level and private fields are its own to read, on either worker.
    page = "/id/alpha/rd-1"
    for url in workers.urls:
        public_page = fetch(url + page, headers={"Accept": "text/turtle"})
        own_page = fetch(url + page, headers={"Accept": "text/turtle", **bearer(workers.tokens["alpha"])})
        assert public_page.status == own_page.status == 200
        assert "info@reddoorbakery.coop" not in public_page.text.lower()
        assert "info@reddoorbakery.coop" in own_page.text.lower()


def test_a_write_through_one_worker_is_seen_at_once_by_the_other(workers: Workers) -> None:
    first, second = workers.urls
    graph = "http://example.org/notes"  # a workspace graph
    body = b"<http://example.org/a> <http://example.org/says> \"hello from worker one\" ."
    put = fetch(
        f"{first}/graph?graph={urllib.parse.quote(graph, safe='')}",
        headers={"Content-Type": "application/n-triples", **bearer(workers.tokens["admin"])},
        data=body, method="PUT",
    )
    assert put.status in (201, 204), put.text
    got = fetch(
        f"{second}/graph?graph={urllib.parse.quote(graph, safe='')}",
        headers={"Accept": "application/n-triples", **bearer(workers.tokens["admin"])},
    )
    assert got.status == 200 and "hello from worker one" in got.text


def test_an_import_from_the_command_line_while_both_workers_serve(workers: Workers, tmp_path: Path) -> None:
    """With the embedded store the command line could not open a store a server holds; with a
    remote store it can, and both workers answer with the new data at once (their caches are
    keyed by the shared store version)."""
    before = [_names(url) for url in workers.urls]  # answered, and cached
    extra = tmp_path / "more.csv"
    header = CORE_CSV.splitlines()[0]
    extra.write_text(
        CORE_CSV + "rd-4,Lakeside Energy Co-op,,,,,,Duluth,MN,,USA,,,,,,,,,true\n", encoding="utf-8"
    )
    assert header.startswith("id,name")
    result = subprocess.run(
        [sys.executable, "-m", "cli", "load", str(extra), "--member", "alpha", "--store", workers.store],
        env=workers.env, cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    for url, old in zip(workers.urls, before):
        assert "Lakeside Energy Co-op" not in old
        assert "Lakeside Energy Co-op" in _names(url)
        search = json.loads(fetch(f"{url}/api/search?q=Lakeside").text)
        assert any("Lakeside" in json.dumps(hit) for hit in search.get("results", search.get("items", [])))


def test_the_sparql_backend_without_endpoints_says_which_settings_are_missing(tmp_path: Path) -> None:
    from datacommons.store import StoreError

    with pytest.raises(StoreError, match="DATACOMMONS_SPARQL_URL.*DATACOMMONS_SPARQL_QUERY_URL"):
        Commons(tmp_path / "state", base=BASE, config=Config(backend="sparql", sparql_url=None))
    with pytest.raises(StoreError, match="'postgres' is not one of embedded, sparql, oxigraph-server"):
        Commons(tmp_path / "state2", base=BASE, config=Config(backend="postgres"))


def test_an_unreachable_store_is_a_clear_error(tmp_path: Path) -> None:
    from datacommons.store import StoreError

    dead = f"http://127.0.0.1:{_free_port()}"
    with pytest.raises(StoreError, match=f"SPARQL store at {dead}.* does not answer"):
        Commons(tmp_path / "state", base=BASE, config=Config(backend="sparql", sparql_url=dead))


def test_bound_variables_open_the_where_group_and_skip_templates_and_strings() -> None:
    from pyoxigraph import Literal, NamedNode, Store, Variable

    from datacommons.sparqlstore import bind_variables

    store = Store()
    store.update('INSERT DATA { <http://x/a> <http://x/p> "{ not a group }" . <http://x/b> <http://x/p> "b" }')
    cases = [
        'SELECT ?target ?o WHERE { ?s <http://x/p> ?o FILTER(?s = ?target) }',
        'SELECT ?o ?target { ?s <http://x/p> ?o FILTER(?s = ?target) }',
        'CONSTRUCT { ?s <http://x/q> "}{" } WHERE { ?s <http://x/p> ?o FILTER(?s = ?target) }',
        'ASK { ?target <http://x/p> "{ not a group }" }',
    ]
    values = {Variable("target"): NamedNode("http://x/a")}
    for query in cases:
        expected = (
            store.query(query, substitutions=values) if query.startswith("SELECT")
            else store.query(query.replace("?target", "<http://x/a>"))
        )
        bound = store.query(bind_variables(query, values))
        if hasattr(expected, "variables"):
            assert [list(s) for s in bound] == [list(s) for s in expected] != []
        elif isinstance(expected, bool) or type(expected).__name__ == "QueryBoolean":
            assert bool(bound) == bool(expected) is True
        else:
            triples = set(bound)
            assert triples == set(expected) != set()
    literal = bind_variables("SELECT ?x ?v WHERE { BIND(?v AS ?x) }", {Variable("v"): Literal('a "quoted" {}')})
    assert [s["x"].value for s in store.query(literal)] == ['a "quoted" {}']
