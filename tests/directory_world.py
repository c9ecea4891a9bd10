"""One live commons for the directory's tests, built once per test session: the demo members
(a small generated directory) plus `alpha`, whose co-ops carry members-only values we look
for everywhere the public reads, and a few awkward URIs.

The commons' base IRI is the server's own URL, so the URIs it mints dereference for real:
`rdflib.Graph().parse(uri)` fetches them from the server. Nothing here writes after the
build: tests that change data use conftest's per-test `server`.
"""
from __future__ import annotations

import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad
from waitress import create_server

from datacommons.config import Config
from datacommons.store import Commons
from datacommons.vocab import COOP, ESS, GR, RDF
from endpoint.app import create_app
from demo.load import load_demo

from .conftest import CORE_CSV, load_text, stop_server

GAMMA_CSV = """id,name,locality,region,country,latitude,longitude,structure,activities,email,street
cafe-nandu,Café Ñandú Coopérative,Montréal,QC,CA,45.5017,-73.5673,Workers cooperative,Service,bonjour@nandu.example,12 rue Sainte-Catherine
"""
# Local ids as other tools write them (the CSV loader slugifies ids; RDF imports and canonical
# co-ops need not): non-ASCII percent-encoded, non-ASCII kept as an IRI, an encoded space, and
# a long local name.
LONG_ID = "a-very-long-local-identifier-" + "x" * 220
AWKWARD_IDS = {
    "caf%C3%A9-%C3%B1and%C3%BA": "Café Ñandú (encoded)",
    "société-raw": "Société coopérative (IRI)",
    "two%20words": "Two Words Housing Co-op",
    LONG_ID: "Long Name Printing Co-op",
}
# Members-only values of alpha's and gamma's co-ops: none may ever reach the public.
MEMBERS_ONLY = ("info@reddoorbakery.coop", "1 Main St", "+16125550142", "55401",
                "bonjour@nandu.example", "12 rue Sainte-Catherine")


@dataclass
class Directory:
    url: str
    commons: Commons
    tokens: dict[str, str]

    def iri(self, path: str) -> str:
        return f"{self.url}{path}"


class _Later:
    """A WSGI app set after the server exists: the store's base must be the server's URL,
    which is known only once the socket is bound."""

    app = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


@pytest.fixture(scope="session")
def directory() -> Iterator[Directory]:
    with tempfile.TemporaryDirectory(prefix="directory-") as tmp:
        path = Path(tmp)
        later = _Later()
        wsgi = create_server(later, host="127.0.0.1", port=0, threads=6)
        url = f"http://127.0.0.1:{wsgi.effective_port}"
        commons = Commons(path / "store", base=url)
        tokens = {
            "alpha": commons.add_member("alpha", "Alpha Federation", "https://alpha.example"),
            "gamma": commons.add_member("gamma", "Gamma Council"),
            "admin": commons.system.issue_token("admin", None, "test admin"),
        }
        load_text(commons, "alpha", CORE_CSV, path, "alpha.csv")
        load_text(commons, "gamma", GAMMA_CSV, path, "gamma.csv")
        graph = NamedNode(f"{url}/graph/gamma/public")
        commons.apply(remove=(), add=[
            quad for local, name in AWKWARD_IDS.items() for quad in (
                Quad(NamedNode(f"{url}/id/gamma/{local}"), RDF.type, ESS.SSEInitiative, graph),
                Quad(NamedNode(f"{url}/id/gamma/{local}"), GR.name, Literal(name), graph),
                Quad(NamedNode(f"{url}/id/gamma/{local}"), COOP.listedBy, NamedNode(f"{url}/id/member/gamma"), graph),
            )
        ])
        for _ in load_demo(commons, path / "demo", seed=7, coops=120):
            pass
        later.app = create_app(commons, Config(tile_url=""))  # tests reach no outside tile server
        thread = threading.Thread(target=wsgi.run, daemon=True)
        thread.start()
        yield Directory(url, commons, tokens)
        stop_server(wsgi, thread)
        commons.close()
