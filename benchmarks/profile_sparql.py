"""SPARQL side by side with Oxigraph server, alone: the repeated query mix and never-seen
queries of `benchmarks/run.py`, with start-up time and the server's peak memory.

    .venv/bin/python benchmarks/profile_sparql.py --coops 20000 --workdir /tmp/sparql-bench
    .venv/bin/python benchmarks/profile_sparql.py --workdir /tmp/sparql-bench --only ours

The commons (and Oxigraph's copy of its public dump) is built once in --workdir and reused by
later runs, so before/after comparisons run on the same data. Figures are printed, not written.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.load import run_load, spread  # noqa: E402
from benchmarks.run import (  # noqa: E402
    DIRECTORY_QUERIES, WORDS, _to_oxigraph, build_commons, free_port, named_queries, query_request,
    tree_peak_rss_mb, wait_until_up,
)


def prepare(workdir: Path, coops: int, seed: int) -> Path:
    store = workdir / "commons"
    if not (workdir / "ready").exists():
        shutil.rmtree(workdir, ignore_errors=True)
        workdir.mkdir(parents=True)
        build_commons(workdir, coops, seed)
        oxigraph = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
        subprocess.run([oxigraph, "load", "--location", str(workdir / "oxigraph"),
                        "--file", str(workdir / "public.nq")], check=True, capture_output=True)
        (workdir / "ready").write_text(json.dumps({"coops": coops, "seed": seed}))
    return store


def tree_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its live children, and of children it reaped:
    per request, a figure the other programs on a shared machine disturb less than req/s."""
    pids, total = {pid}, 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    pids.add(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
    return total / os.sysconf("SC_CLK_TCK")


def fresh(i: int):
    word = WORDS[i % len(WORDS)]
    return query_request(
        f'SELECT ?c ?name WHERE {{ ?c gr:name ?name FILTER(CONTAINS(LCASE(?name), "{word}")) }} '
        f"LIMIT {10 + i}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--coops", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/sparql-bench"))
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--clients", default="1,16")
    parser.add_argument("--only", choices=["ours", "oxigraph", "both"], default="both")
    parser.add_argument("--mixes", default="repeated,fresh")
    parser.add_argument("--source", type=Path, default=ROOT,
                        help="serve from this checkout (e.g. an older commit's `git archive`), to compare")
    args = parser.parse_args()
    store = prepare(args.workdir, args.coops, args.seed)
    env = {**os.environ, "DATACOMMONS_RATE_LIMIT": "", "DATACOMMONS_THREADS": "16"}
    servers: dict[str, tuple[subprocess.Popen, str]] = {}
    try:
        if args.only in ("ours", "both"):
            port = free_port()
            started = time.perf_counter()
            process = subprocess.Popen(
                [sys.executable, "-m", "cli", "serve", "--store", str(store), "--port", str(port)],
                env={**env, "PYTHONPATH": str(args.source)}, cwd=args.source, stdout=subprocess.DEVNULL,
            )
            url = f"http://127.0.0.1:{port}"
            wait_until_up(url + "/health", 300)
            print(f"ours: start-up {time.perf_counter() - started:.2f} s", flush=True)
            servers["ours"] = (process, url)
        if args.only in ("oxigraph", "both"):
            oxigraph = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
            port = free_port()
            process = subprocess.Popen(
                [oxigraph, "serve-read-only", "--location", str(args.workdir / "oxigraph"),
                 "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            url = f"http://127.0.0.1:{port}"
            wait_until_up(url + "/query?query=ASK%7B%7D")
            servers["oxigraph"] = (process, url)
        repeated = [query_request(q) for q in named_queries() + DIRECTORY_QUERIES]
        mixes = {"repeated": lambda i: repeated[i % len(repeated)], "fresh": fresh}
        for label in args.mixes.split(","):
            make = mixes[label]
            for clients in [int(c) for c in args.clients.split(",")]:
                rates: dict[str, list[float]] = {name: [] for name in servers}
                for run in range(args.runs):
                    offset = run * 100_000  # never-seen queries stay unseen across runs
                    for name, (process, url) in servers.items():
                        wrap = _to_oxigraph if name == "oxigraph" else (lambda r: r)
                        cpu = tree_cpu_seconds(process.pid)
                        result = run_load(url, lambda i: wrap(make(i + offset)), clients=clients,
                                          seconds=args.seconds)
                        cpu = tree_cpu_seconds(process.pid) - cpu
                        rates[name].append(result.throughput)
                        per = 1000 * cpu / max(1, result.requests)
                        print(f"  {label:8} {clients:2} clients {name:8}: {result.summary()}; "
                              f"server CPU {per:.1f} ms/request", flush=True)
                line = "; ".join(f"{n} {spread(r)} req/s" for n, r in rates.items())
                if len(rates) == 2:
                    ratios = [a / b for a, b in zip(rates["ours"], rates["oxigraph"])]
                    line += f"; ratio {spread(ratios)}x"
                print(f"{label}, {clients} client(s): {line}", flush=True)
        if "ours" in servers:
            print(f"ours: peak RSS (tree) {tree_peak_rss_mb(servers['ours'][0].pid):.0f} MB", flush=True)
    finally:
        for process, _ in servers.values():
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
