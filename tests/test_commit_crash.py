"""The server is killed (SIGKILL) in the middle of an HTTP commit, at each step of it in turn:
when it comes back, the system area and the store agree on which imports happened, a retried
commit takes the next number (never a second "import N"), and a preview made before the crash
is refused (409) exactly when the crashed commit reached the store (issue 11, finding 5).

The server stops at a named step (`loaders.crashpoint`, DATACOMMONS_PAUSE_AT) and is killed
there, so each kill point is exact, not a matter of timing."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from datacommons.audience import ADMIN
from datacommons.store import Commons
from datacommons.vocab import COOP
from loaders.crashpoint import STEPS
from loaders.previews import committed_count

from .conftest import BASE, CORE_CSV, load_text
from .test_imports_http import multipart
from .webclient import bearer, fetch

CHANGED = CORE_CSV.replace("Red Door Bakery Co-op", "Red Door Bakery Cooperative")
OTHER = CORE_CSV.replace("Grain growers", "Grain and oilseed growers")
REACHED_STORE = {"store-written", "settings-written", "reconciled"}
HASHES = """SELECT ?import ?hash WHERE { GRAPH ?g { ?import <%s> ?hash } }"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(condition, what: str, tries: int = 600) -> None:
    for _ in range(tries):
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"gave up waiting for {what}")


class ServerProcess:
    """`datacommons serve` in its own process group (an Oxigraph server it starts dies with it)."""

    def __init__(self, store: Path, token: str, log: Path, env: dict[str, str] | None = None) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cli", "serve", "--store", str(store), "--base", BASE,
             "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=self.log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
            start_new_session=True,
        )
        self.token = token
        _wait_for(self._ready, "the server to answer")

    def _ready(self) -> bool:
        assert self.process.poll() is None, f"the server exited; see {self.log.name}"
        try:
            return fetch(f"{self.url}/api/imports", headers=bearer(self.token)).status == 200
        except OSError:
            return False

    def upload(self, text: str, name: str) -> str:
        body, content_type = multipart({}, {"file": (name, text)})
        reply = fetch(f"{self.url}/api/imports", data=body, method="POST",
                      headers={**bearer(self.token), "Content-Type": content_type})
        assert reply.status == 201, reply.text
        return json.loads(reply.body)["preview"]

    def commit(self, preview: str):
        return fetch(f"{self.url}/api/imports/previews/{preview}/commit", method="POST", data=b"",
                     headers=bearer(self.token))

    def history(self) -> list[int]:
        reply = fetch(f"{self.url}/api/imports", headers=bearer(self.token))
        return [i["number"] for i in json.loads(reply.body)["imports"]]

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.log.close()

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=60)
        self.log.close()


@pytest.mark.parametrize("step", STEPS)
def test_a_server_killed_mid_commit_comes_back_with_store_and_system_area_agreeing(tmp_path: Path, step: str) -> None:
    store = tmp_path / "store"
    commons = Commons(store, base=BASE)
    token = commons.add_member("alpha", "Alpha Federation")
    load_text(commons, "alpha", CORE_CSV, tmp_path)  # import 1
    commons.close()

    marker = tmp_path / "paused"
    server = ServerProcess(store, token, tmp_path / "server.log",
                           {"DATACOMMONS_PAUSE_AT": step, "DATACOMMONS_PAUSE_FILE": str(marker)})
    stale = server.upload(OTHER, "other.csv")  # previewed on import 1
    changed = server.upload(CHANGED, "changed.csv")
    committing = threading.Thread(target=lambda: _ignore_errors(server.commit, changed), daemon=True)
    committing.start()
    _wait_for(marker.exists, f"the commit to reach {step}")
    server.kill()
    committing.join()

    server = ServerProcess(store, token, tmp_path / "server.log")
    try:
        crashed_import_happened = step in REACHED_STORE
        assert server.history() == ([2, 1] if crashed_import_happened else [1])
        reply = server.commit(stale)
        if crashed_import_happened:
            assert reply.status == 409, reply.text
            assert "changed since this preview was made" in reply.text
        else:
            assert reply.status == 200, reply.text
            assert json.loads(reply.body)["number"] == 2
        retried = server.commit(server.upload(CHANGED, "changed.csv"))
        assert retried.status == 200, retried.text
        assert json.loads(retried.body)["number"] == 3
        assert server.history() == [3, 2, 1]
    finally:
        server.stop()

    commons = Commons(store, base=BASE)
    try:
        rows = commons.query(HASHES % COOP.sourceHash.value, ADMIN)
        hashes: dict[str, list[str]] = {}
        for row in rows:
            hashes.setdefault(row["import"].value, []).append(row["hash"].value)
        assert committed_count(commons, "alpha") == 3
        assert set(hashes) == {commons.uris.import_("alpha", n) for n in (1, 2, 3)}
        assert all(len(h) == 1 for h in hashes.values()), hashes  # no import recorded twice
    finally:
        commons.close()


def _ignore_errors(call, *args) -> None:
    try:
        call(*args)
    except OSError:
        pass  # the server died under the request: that is the point
