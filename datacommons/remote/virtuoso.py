"""A Virtuoso Open Source server of our own (`virtuoso-t`) on a throwaway database folder, for
the tests and for trying the commons on Virtuoso on one machine.

The folder gets a `virtuoso.ini` written here: SQL and HTTP on free ports of 127.0.0.1, no
Unix socket, the thread and buffer settings that matter (see README, "Virtuoso"), and
`DirsAllowed` limited to the folder. The packaged debconf password is not applied to a
database started this way, so the dba password is set with `isql` after the first start.
"""
from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import time
import weakref
from pathlib import Path

from ..sparqlstore import Endpoints, RemoteStoreError, _die_with_parent, _free_port, _stop_process

INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
MaxClientConnections = 20
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
CheckpointInterval = 60
DirsAllowed = {folder}
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
ServerThreads = 20
MaxClientConnections = 20
MaxKeepAlives = 20
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 300
MaxQueryCostEstimationTime = 0
"""


class ManagedVirtuoso:
    """`virtuoso-t` on `folder`, stopped with `stop()` or when this process ends."""

    def __init__(self, folder: Path, password: str | None = None) -> None:
        binary = shutil.which("virtuoso-t")
        self.isql = shutil.which("isql-vt") or shutil.which("isql")
        if not binary or not self.isql:
            raise RemoteStoreError(
                "Virtuoso is not installed: apt-get install virtuoso-opensource (virtuoso-t, isql-vt)"
            )
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.sql_port, self.http_port = _free_port(), _free_port()
        (folder / "virtuoso.ini").write_text(
            INI.format(folder=folder, sql_port=self.sql_port, http_port=self.http_port), encoding="utf-8"
        )
        first_start = not (folder / "virtuoso.db").exists()
        self.process = subprocess.Popen(
            [binary, "+foreground", "+configfile", str(folder / "virtuoso.ini")],
            cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=_die_with_parent,
        )
        self._stop = weakref.finalize(self, _stop_process, self.process)
        self.url = f"http://127.0.0.1:{self.http_port}"
        self._wait_ready()
        # Kept beside the database (only the owner may read it) so the folder opens again.
        saved = folder / "dba-password"
        if first_start:
            self.password = password or secrets.token_urlsafe(16)
            self.sql(f"user_set_password('dba', '{self.password}');", password="dba")
            # SERVICE from the anonymous /sparql (the commons allows it to allow-listed
            # endpoints only, checked before a query leaves: `servicecheck`).
            self.sql('GRANT SELECT ON DB.DBA.SPARQL_SINV_2 TO "SPARQL";')
            self.sql('GRANT EXECUTE ON DB.DBA.SPARQL_SINV_IMP TO "SPARQL";')
            saved.touch(mode=0o600)
            saved.write_text(self.password, encoding="utf-8")
        else:
            self.password = password or saved.read_text(encoding="utf-8").strip()

    @property
    def endpoints(self) -> Endpoints:
        """Reads on the anonymous `/sparql` (read-only), writes as dba on the endpoints that
        ask for HTTP Digest authentication."""
        return Endpoints(
            f"{self.url}/sparql", f"{self.url}/sparql-auth", f"{self.url}/sparql-graph-crud-auth",
            "dba", self.password,
        )

    def sql(self, statement: str, password: str | None = None) -> str:
        """Run one SQL statement (`SPARQL ...` included) with isql as dba."""
        done = subprocess.run(
            [self.isql, f"127.0.0.1:{self.sql_port}", "dba", password or self.password,
             f"exec={statement}"],
            capture_output=True, text=True, timeout=120,
        )
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            raise RemoteStoreError(f"isql: {(done.stdout + done.stderr).strip()[:2000]}")
        return done.stdout

    def _wait_ready(self, seconds: float = 60.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = self.folder / "virtuoso.log"
                tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
                raise RemoteStoreError(f"virtuoso-t stopped at once: {tail}")
            try:
                with socket.create_connection(("127.0.0.1", self.http_port), timeout=0.5):
                    with socket.create_connection(("127.0.0.1", self.sql_port), timeout=0.5):
                        return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RemoteStoreError(f"virtuoso-t did not listen on port {self.http_port} within {seconds:g} s")

    def stop(self) -> None:
        self._stop()
