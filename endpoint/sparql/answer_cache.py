"""Answers to /sparql queries kept for the next identical request: exact, because the key holds
everything the answer depends on.

An answer depends on the data (the store's version, `Commons.version`, bumped by every write),
on what the audience may read (its readable graphs, exactly as `Commons.graphs_for` gives
them: two audiences share answers only when they read exactly the same graphs), on the query
text and the protocol's dataset parameters, on the result formats negotiated, on the row cap
and on the base IRI relative IRIs resolve against. The version is read from the commons on
every request, before the query runs, so an answer is stored under a version no later than the
data it was computed on: once a write has returned, no request finds an answer computed before
it. Entries of older versions are never asked for again and age out of the LRU order.

Only answers and deterministic refusals (syntax errors, no acceptable format) are kept; a
query that ran out of time or lost its process is asked again next time. Whoever runs the
query (a reader process, a remote store) does not matter to the cache.
"""
from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from cachetools import LRUCache

from datacommons.queryworker import Answer, Failure

DEFAULT_BUDGET = 32 * 1024 * 1024  # bytes of answers kept at most
LARGEST_SHARE = 8  # an answer larger than 1/8 of the budget is not kept


# A query that may call another endpoint (SERVICE) depends on data that changes without our
# version: never kept. The word anywhere in the text is enough; missing the cache costs time only.
_SERVICE = re.compile(r"service", re.IGNORECASE)


def keepable(query: str) -> bool:
    """Whether the answer to `query` depends on this commons' store alone."""
    return _SERVICE.search(query) is None


class StillRunning(Exception):
    """The same query, asked first by another request, was not answered within this
    request's timeout."""


@dataclass(frozen=True)
class AnswerKey:
    """Everything one /sparql answer depends on."""

    version: int
    graphs: frozenset[str]
    query: str
    default_graph_uris: tuple[str, ...]
    named_graph_uris: tuple[str, ...]
    results_format: str | None
    graph_format: str | None
    max_rows: int
    base_iri: str


def _size(key: Hashable, outcome: Answer | Failure) -> int:
    """Roughly the bytes an entry holds (the key's graph set is shared with the commons)."""
    body = outcome.body if isinstance(outcome, Answer) else outcome.message.encode()
    return len(body) + len(getattr(key, "query", "")) + 256


class ResultCache:
    """A byte-bounded LRU map from a key (an `AnswerKey` for /sparql; any hashable value that
    holds everything the answer depends on, the version and readable graphs included) to the
    answer; safe to share between threads."""

    def __init__(self, budget: int = DEFAULT_BUDGET) -> None:
        self.budget = budget
        # values are (size, outcome): cachetools sizes an entry by its value alone
        self._entries: LRUCache[Hashable, tuple[int, Answer | Failure]] = LRUCache(
            maxsize=budget, getsizeof=lambda value: value[0]
        )
        self._lock = threading.Lock()
        self._running: dict[Hashable, threading.Event] = {}
        self.hits = 0
        self.misses = 0

    def answer(self, key: Hashable, compute: Callable[[float], object], timeout: float) -> object:
        """The kept outcome for `key`, else `compute(seconds left)`'s, kept if it may be.

        One computation per key at a time: requests asking for the same key meanwhile wait
        for it (within their own `timeout`, else StillRunning) and take its answer; if it
        ends without one to keep (a timeout, a lost process), the next of them computes."""
        deadline = time.monotonic() + timeout
        left = timeout
        while True:
            with self._lock:
                entry = self._entries.get(key)
                if entry is not None:
                    self.hits += 1
                    return entry[1]
                running = self._running.get(key)
                if running is None:
                    running = self._running[key] = threading.Event()
                    self.misses += 1
                    break
            if not running.wait(max(0.0, deadline - time.monotonic())):
                raise StillRunning(f"the same query, asked just before, was not answered in {timeout:g} s")
            left = max(0.0, deadline - time.monotonic())
        try:
            outcome = compute(left)
            self.put(key, outcome)
            return outcome
        finally:
            with self._lock:
                del self._running[key]
            running.set()

    def put(self, key: Hashable, outcome: object) -> None:
        """Keep `outcome` if it is an answer or a deterministic refusal and not too large."""
        if not isinstance(outcome, (Answer, Failure)):
            return
        if isinstance(outcome, Failure) and outcome.kind not in ("syntax", "unacceptable"):
            return
        size = _size(key, outcome)
        if size * LARGEST_SHARE > self.budget:
            return
        with self._lock:
            self._entries[key] = (size, outcome)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
