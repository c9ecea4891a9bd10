"""Queries from the outside over a remote store: the store answers them itself.

The embedded store runs them in reader processes that are killed at the timeout
(`querypool`); a remote store is another server, so here the request to it is given up at the
timeout (and the store's own timeout should stop its work: Oxigraph `--timeout-s`, Fuseki
`arq:queryTimeout`, Virtuoso `MaxQueryExecutionTime`). Same `run(job, audience, timeout)` as the pool (and the same access decision),
same answers: both go through `queryworker.execute`.
"""
from __future__ import annotations

from .audience import Audience
from .querycheck import QueryRefused
from .querypool import QueryTimeout, within
from .queryworker import Failure, Job, Outcome, execute
from .sparqlstore import RemoteTimeout
from .store import Commons


class RemoteQueries:
    processes: list[int] = []  # no reader processes of our own

    def __init__(self, commons: Commons) -> None:
        self.commons = commons

    def run(self, job: Job, audience: Audience, timeout: float) -> Outcome:
        try:
            store = self.commons.remote_store(timeout)  # a copy of its own (with_timeout)
            store.outside = True
            return execute(within(self.commons, job, audience), store)
        except QueryRefused as e:  # its dataset could not be written in (remote.dataset)
            return Failure("refused", str(e))
        except RemoteTimeout:
            raise QueryTimeout(f"the query was stopped after {timeout:g} s") from None

    def close(self) -> None:
        """Nothing to stop: the connections belong to the commons."""
