"""What the stoppable query processes cost and how fast they stop a runaway query.

    .venv/bin/python benchmarks/sparql_limits.py [--coops N] [--no-write]

On a demo commons of N co-ops (default 10,000): the time to take a store snapshot after a
write (a RocksDB checkpoint), a query's round trip through a reader process against the
same query in the server's own process, and, for a runaway query with a 1 s timeout, how
long until the caller has its answer and until a fresh process answers again. Writes the
figures to benchmarks/RESULTS.md between the `sparql-limits` markers.
"""
from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pyoxigraph import QueryResultsFormat  # noqa: E402

from datacommons.audience import ANONYMOUS  # noqa: E402
from datacommons.querypool import QueryPool, QueryTimeout  # noqa: E402
from datacommons.queryworker import QueryJob  # noqa: E402
from datacommons.store import Commons  # noqa: E402
from demo.load import load_demo  # noqa: E402

JSON = "application/sparql-results+json"
NAMES = "SELECT ?c ?n WHERE { ?c <http://purl.org/goodrelations/v1#name> ?n } LIMIT 1000"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
START, END = "<!-- sparql-limits:start -->", "<!-- sparql-limits:end -->"


def median_ms(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--coops", type=int, default=10_000)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        commons = Commons(Path(folder) / "store", base="http://bench.example")
        for _ in load_demo(commons, Path(folder), coops=args.coops):
            pass
        quads = len(list(commons.readable_quads(ANONYMOUS)))
        lines = measure(commons, quads)
        commons.close()
    report = "\n".join(lines)
    print(report)
    if not args.no_write:
        write(report, args.coops)


def measure(commons: Commons, quads: int) -> list[str]:
    scratch = f"{commons.uris.admin_graph}/bench"

    def write_then_snapshot() -> None:
        commons.write_workspace({scratch: []})
        start = time.perf_counter()
        commons.snapshot()
        snapshot_times.append((time.perf_counter() - start) * 1000)

    snapshot_times: list[float] = []
    for _ in range(10):
        write_then_snapshot()
    dataset = commons.dataset(NAMES, ANONYMOUS)
    pool = QueryPool(commons, 2)

    def job(query: str) -> QueryJob:
        return QueryJob(query, dataset.default, dataset.named, JSON, "text/turtle", 10_000)

    pool.run(job("ASK {}"), 30)  # processes up, snapshot open
    ask_pool = median_ms(lambda: pool.run(job("ASK {}"), 30), 200)
    ask_here = median_ms(
        lambda: commons.query("ASK {}", ANONYMOUS).serialize(format=QueryResultsFormat.JSON), 200
    )
    names_pool = median_ms(lambda: pool.run(job(NAMES), 30), 50)
    names_here = median_ms(
        lambda: commons.query(NAMES, ANONYMOUS).serialize(format=QueryResultsFormat.JSON), 50
    )
    stops, recoveries = [], []
    for _ in range(3):
        start = time.perf_counter()
        try:
            pool.run(job(RUNAWAY), 1.0)
        except QueryTimeout:
            stops.append(time.perf_counter() - start)
        start = time.perf_counter()
        pool.run(job("ASK {}"), 30)
        pool.run(job("ASK {}"), 30)  # both processes: one of them is the new one
        recoveries.append(time.perf_counter() - start)
    pool.close()
    return [
        f"Commons of {quads:,} public quads; machine: {platform.machine()}, "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{datetime.now(timezone.utc):%Y-%m-%d}.",
        "",
        "| measure | figure |",
        "|---|---|",
        f"| snapshot after a write (RocksDB checkpoint), median of 10 | {statistics.median(snapshot_times):.1f} ms |",
        f"| `ASK {{}}` in a reader process (round trip) / in the server process | {ask_pool:.2f} ms / {ask_here:.2f} ms |",
        f"| 1,000 names as JSON in a reader process / in the server process | {names_pool:.1f} ms / {names_here:.1f} ms |",
        f"| runaway query, 1 s timeout: caller answered after (3 runs) | {', '.join(f'{s:.2f} s' for s in stops)} |",
        f"| then both reader processes answering again after | {', '.join(f'{s:.2f} s' for s in recoveries)} |",
    ]


def write(report: str, coops: int) -> None:
    path = ROOT / "benchmarks" / "RESULTS.md"
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    section = f"{START}\n## SPARQL limits ({coops:,} co-ops; `benchmarks/sparql_limits.py`)\n\n{report}\n{END}"
    if START in text:
        before, _, rest = text.partition(START)
        _, _, after = rest.partition(END)
        text = before + section + after
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text)


if __name__ == "__main__":
    main()
