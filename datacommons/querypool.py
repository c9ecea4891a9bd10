"""Reader processes for queries from the outside: a query that runs too long is stopped.

pyoxigraph offers no way to interrupt a query from Python (Oxigraph's cancellation token is
not exposed), and a thread cannot be killed. So each query runs in one of a few worker
processes (`queryworker`) over a read-only snapshot of the store (`Commons.snapshot`); when
the timeout passes, the process is killed, which stops the work at once, and a new one takes
its place. The web server's threads only wait on a pipe meanwhile, so other requests are
answered while a slow query runs. Processes start on first use, as fresh interpreters (no
copy of the server's threads or store handles).
"""
from __future__ import annotations

import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import weakref
from dataclasses import replace
from multiprocessing.connection import Connection

from . import access
from .audience import Audience
from .queryworker import Job, Outcome, QueryJob
from .store import Commons, Snapshot

class QueryTimeout(Exception):
    """The query ran past its timeout and was stopped."""


class PoolBusy(Exception):
    """Every reader process stayed busy for as long as the request could wait."""


class WorkerLost(Exception):
    """The reader process ended without answering (for instance, out of memory)."""


class QueryOutOfMemory(WorkerLost):
    """The query needed more memory than a reader process may use (`query_memory_mb`)."""


class _Worker:
    """One reader process, started as `python -m datacommons.queryworker` with one end of a
    socket pair: unlike multiprocessing's spawn, this never re-imports the server's main
    module, whatever started the server. `memory_mb` caps the process's data memory
    (`queryworker.cap_memory`); 0 for no cap."""

    def __init__(self, memory_mb: int = 0) -> None:
        ours, theirs = socket.socketpair()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "datacommons.queryworker", str(theirs.fileno()), str(memory_mb)],
            pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL,
        )
        theirs.close()
        self.conn = Connection(ours.detach())
        self.snapshot: Snapshot | None = None

    def stop(self) -> None:
        self.process.kill()
        self.process.wait(timeout=5)
        self.conn.close()


def _stop_all(workers: list[_Worker]) -> None:
    for worker in workers:
        worker.stop()


def within(commons: Commons, job: Job, audience: Audience) -> Job:
    """The job as `audience` may run it (the access decision): a query over those of its
    graphs the audience may read; an update only for an audience that may write the
    workspace (else PermissionError)."""
    if not isinstance(job, QueryJob):
        if not access.may_write_workspace(audience):
            raise PermissionError(f"{audience} may not update the workspace")
        return job
    readable = commons.readable_names(audience)
    return replace(job, default_graphs=[g for g in job.default_graphs if g in readable],
                   named_graphs=[g for g in job.named_graphs if g in readable])


class QueryPool:
    def __init__(self, commons: Commons, size: int, memory_mb: int = 0) -> None:
        self.commons = commons
        self.size = max(1, size)
        self.memory_mb = max(0, memory_mb)
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._workers: list[_Worker] = []
        self._lock = threading.Lock()
        self._started = False
        self._snapshots: set[Snapshot] = set()
        self._finalizer = weakref.finalize(self, _stop_all, self._workers)

    def run(self, job: Job, audience: Audience, timeout: float) -> Outcome:
        """Run `job` for `audience` on the current snapshot in a free reader process,
        stopping it (and raising QueryTimeout) if no answer comes within `timeout` seconds,
        counted from the call: waiting for a free process counts too.

        The access decision is on this path: a query runs over those of its graphs the
        audience may read, whatever the job names; an update only for an audience that may
        write the workspace."""
        deadline = time.monotonic() + timeout
        job = within(self.commons, job, audience)
        self._start()
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            raise PoolBusy(f"all {self.size} query processes stayed busy for {timeout:g} s") from None
        try:
            snapshot = self.commons.snapshot()
            self._use(worker, snapshot)
            worker.conn.send(replace(job, snapshot=str(snapshot.path)))
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                worker = self._replace(worker)
                raise QueryTimeout(f"the query was stopped after {timeout:g} s")
            return worker.conn.recv()
        except (EOFError, OSError) as e:
            lost, worker = worker, self._replace(worker)
            if self.memory_mb and lost.process.returncode == -signal.SIGABRT:
                # An allocation past the cap fails, and Oxigraph (Rust) aborts on that.
                raise QueryOutOfMemory(
                    f"the query needed more than {self.memory_mb} MB, the memory one query may "
                    "use here, and was stopped"
                ) from None
            raise WorkerLost(f"the query process ended without answering ({e})") from None
        finally:
            self._idle.put(worker)

    @property
    def processes(self) -> list[int]:
        """The ids of the reader processes running now."""
        with self._lock:
            return [w.process.pid for w in self._workers]

    def close(self) -> None:
        self._finalizer()

    def _start(self) -> None:
        with self._lock:
            if not self._started:
                for _ in range(self.size):
                    self._idle.put(self._add(_Worker(self.memory_mb)))
                self._started = True

    def _add(self, worker: _Worker) -> _Worker:
        self._workers.append(worker)
        return worker

    def _replace(self, worker: _Worker) -> _Worker:
        """Kill a worker (stopping whatever it runs) and start another in its place."""
        worker.stop()
        with self._lock:
            self._workers.remove(worker)
            fresh = self._add(_Worker(self.memory_mb))
        self._tidy()
        return fresh

    def _use(self, worker: _Worker, snapshot: Snapshot) -> None:
        with self._lock:
            worker.snapshot = snapshot
            self._snapshots.add(snapshot)
        self._tidy()

    def _tidy(self) -> None:
        """Delete the snapshots no process reads any more (the store keeps its current one)."""
        with self._lock:
            unused = self._snapshots - {w.snapshot for w in self._workers}
            self._snapshots -= {s for s in unused if self.commons.discard_snapshot(s)}
