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

import threading
from dataclasses import dataclass

from cachetools import LRUCache

from datacommons.queryworker import Answer, Failure

DEFAULT_BUDGET = 32 * 1024 * 1024  # bytes of answers kept at most
LARGEST_SHARE = 8  # an answer larger than 1/8 of the budget is not kept


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


def _size(key: AnswerKey, outcome: Answer | Failure) -> int:
    """Roughly the bytes an entry holds (the key's graph set is shared with the commons)."""
    body = outcome.body if isinstance(outcome, Answer) else outcome.message.encode()
    return len(body) + len(key.query) + 256


class ResultCache:
    """A byte-bounded LRU map from `AnswerKey` to the answer; safe to share between threads."""

    def __init__(self, budget: int = DEFAULT_BUDGET) -> None:
        self.budget = budget
        # values are (size, outcome): cachetools sizes an entry by its value alone
        self._entries: LRUCache[AnswerKey, tuple[int, Answer | Failure]] = LRUCache(
            maxsize=budget, getsizeof=lambda value: value[0]
        )
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: AnswerKey) -> Answer | Failure | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self.hits += 1
            return entry[1]

    def put(self, key: AnswerKey, outcome: object) -> None:
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
