"""Entity pages and search under load: build a commons once, serve it with waitress (as
`datacommons serve` does) and measure p50/p99 at N closed-loop clients, per request type.

    .venv/bin/python benchmarks/profile_pages.py build --coops 20000 --store /tmp/pages-20k
    .venv/bin/python benchmarks/profile_pages.py load --store /tmp/pages-20k --seconds 10
    .venv/bin/python benchmarks/profile_pages.py profile --store /tmp/pages-20k  # cProfile, in process

Entity URIs are drawn uniformly at random from every co-op of the commons ("uniform"), and
from 50 of them over and over ("hot set"); searches from a word list with facets and pages.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.load import run_load  # noqa: E402
from benchmarks.run import build_commons, free_port, tree_peak_rss_mb, wait_until_up  # noqa: E402

WORDS = ["bakery", "food", "credit", "housing", "farm", "energy", "print", "care", "books",
         "coop", "workers", "grocery", "north", "river", "union", "harvest"]
FACETS = ["", "&structure=OS60", "&country=CA", "&page=2", "&activity=ICA140", "&per_page=50"]


def build(args: argparse.Namespace) -> None:
    store = Path(args.store)
    workdir = store.parent / (store.name + "-work")
    workdir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    built, iris = build_commons(workdir, args.coops, args.seed)
    built.rename(store)
    (store / "iris.txt").write_text("\n".join(iris), encoding="utf-8")
    print(f"built {args.coops:,} co-ops ({len(iris):,} records) in {time.perf_counter() - start:.0f} s")


def entity_paths(store: Path) -> list[str]:
    iris = (store / "iris.txt").read_text(encoding="utf-8").split()
    return [urllib.parse.urlsplit(i).path for i in iris]


def searches(n: int, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    return [f"/api/search?q={rng.choice(WORDS)}{rng.choice(FACETS)}" for _ in range(n)]


def mixes(store: Path) -> dict[str, callable]:
    paths = entity_paths(store)
    rng = random.Random(1)
    uniform = [rng.choice(paths) for _ in range(200_000)]
    hot = rng.sample(paths, 50)
    unique_searches = [f"/api/search?q={w}&page={p}" for p in range(1, 400) for w in WORDS]
    rng.shuffle(unique_searches)
    hot_searches = searches(40)

    def get(path: str, accept: str | None = None):
        return ("GET", path, {"Accept": accept} if accept else {}, None)

    return {
        "entity HTML, uniform": lambda i: get(uniform[i % len(uniform)], "text/html"),
        "entity Turtle, uniform": lambda i: get(uniform[-1 - i % len(uniform)], "text/turtle"),
        "entity HTML, hot set of 50": lambda i: get(hot[i % len(hot)], "text/html"),
        "entity Turtle, hot set of 50": lambda i: get(hot[i % len(hot)], "text/turtle"),
        "search API, hot set of 40": lambda i: get(hot_searches[i % len(hot_searches)]),
        "search API, all distinct": lambda i: get(unique_searches[i % len(unique_searches)]),
    }


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_server(store: Path, threads: int, code: Path = ROOT) -> tuple[subprocess.Popen, str, float]:
    port = free_port()
    env = {**os.environ, "DATACOMMONS_RATE_LIMIT": "", "DATACOMMONS_THREADS": str(threads)}
    started = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "datacommons.cli", "serve", "--store", str(store), "--port", str(port)],
        env=env, cwd=code, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    wait_until_up(url + "/health", 300)
    return server, url, time.perf_counter() - started


def load(args: argparse.Namespace) -> None:
    store = Path(args.store)
    server, url, startup = start_server(store, args.threads)
    try:
        print(f"start-up {startup:.2f} s (threads {args.threads})", flush=True)
        for label, make in mixes(store).items():
            if args.only and not any(o in label for o in args.only):
                continue
            make(0)
            run_load(url, make, clients=args.clients, seconds=min(2.0, args.seconds))  # warm up
            result = run_load(url, lambda i: make(i + 7919), clients=args.clients, seconds=args.seconds)
            print(f"{label:32s} {args.clients} clients: {result.summary()}", flush=True)
        print(f"server peak RSS {tree_peak_rss_mb(server.pid):.0f} MB", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)


def wrk(args: argparse.Namespace) -> None:
    """The same mixes with wrk (C, so the client costs the machine little)."""
    import re
    import tempfile

    store = Path(args.store)
    paths = entity_paths(store)
    random.Random(1).shuffle(paths)
    server, url, startup = start_server(store, args.threads, Path(args.code))
    try:
        import urllib.request

        urllib.request.urlopen(url + "/api/search?q=bakery", timeout=600).read()  # the index, built if need be
        print(f"start-up {startup:.2f} s (threads {args.threads}); load average {os.getloadavg()[0]:.1f}", flush=True)
        with tempfile.TemporaryDirectory() as tmp:
            files = {"entities": Path(tmp) / "entities.txt", "searches": Path(tmp) / "searches.txt"}
            files["entities"].write_text("\n".join(paths), encoding="utf-8")
            unique = [f"/api/search?q={w}&page={p}" for p in range(1, 400) for w in WORDS]
            random.Random(2).shuffle(unique)
            files["searches"].write_text("\n".join(unique), encoding="utf-8")
            hot_searches = Path(tmp) / "hot-searches.txt"
            hot_searches.write_text("\n".join(searches(40)), encoding="utf-8")
            runs = [
                ("entity HTML, uniform", files["entities"], "text/html", 0),
                ("entity Turtle, uniform", files["entities"], "text/turtle", 0),
                ("entity HTML, hot set of 50", files["entities"], "text/html", 50),
                ("entity Turtle, hot set of 50", files["entities"], "text/turtle", 50),
                ("search API, hot set of 40", hot_searches, "application/json", 0),
                ("search API, all distinct", files["searches"], "application/json", 0),
            ]
            for label, source, accept, hot in runs:
                if args.only and not any(o in label for o in args.only):
                    continue
                env = {**os.environ, "PAGES_PATHS": str(source), "PAGES_ACCEPT": accept, "PAGES_HOT": str(hot)}
                command = ["wrk", "-t", "2", "-c", str(args.clients), "-d", f"{args.seconds:g}s", "--timeout", "30s", "--latency",
                           "-s", str(ROOT / "benchmarks" / "pages.lua"), url]
                warm = [*command[:5], "-d", "2s", *command[7:]]  # as in `load`: a short run first
                subprocess.run(warm, env=env, capture_output=True, check=True)
                cpu = cpu_seconds(server.pid)
                text = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
                cpu = cpu_seconds(server.pid) - cpu
                rate = re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)
                total = int(re.search(r"(\d+) requests in", text).group(1))
                p50 = re.search(r"^\s+50%\s+(\S+)", text, re.M).group(1)
                p99 = re.search(r"^\s+99%\s+(\S+)", text, re.M).group(1)
                errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
                print(f"{label:32s} {args.clients} clients (wrk): {float(rate):8.1f} req/s  p50 {p50:>8}  "
                      f"p99 {p99:>8}  server CPU {cpu / max(1, total) * 1000:.2f} ms/request"
                      f"{'  errors ' + errors.group(1) if errors else ''}", flush=True)
        print(f"server peak RSS {tree_peak_rss_mb(server.pid):.0f} MB", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)


def profile(args: argparse.Namespace) -> None:
    """cProfile of each request type in process (Flask test client, no sockets)."""
    from datacommons.store import Commons
    from endpoint.app import create_app

    store = Path(args.store)
    commons = Commons(store)
    app = create_app(commons)
    client = app.test_client()
    client.get("/api/search?q=x")
    for label, make in mixes(store).items():
        if args.only and not any(o in label for o in args.only):
            continue
        for i in range(20):
            _, path, headers, _ = make(i)
            client.get(path, headers=headers)
        profiler = cProfile.Profile()
        start = time.perf_counter()
        profiler.enable()
        for i in range(args.requests):
            _, path, headers, _ = make(i + 1000)
            response = client.get(path, headers=headers)
            assert response.status_code == 200, (path, response.status_code)
        profiler.disable()
        spent = (time.perf_counter() - start) / args.requests * 1000
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.top)
        print(f"=== {label}: {spent:.2f} ms per request (with profiler)\n{out.getvalue()}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build")
    b.add_argument("--coops", type=int, default=20_000)
    b.add_argument("--seed", type=int, default=11)
    b.add_argument("--store", required=True)
    ld = sub.add_parser("load")
    ld.add_argument("--store", required=True)
    ld.add_argument("--seconds", type=float, default=10)
    ld.add_argument("--clients", type=int, default=16)
    ld.add_argument("--threads", type=int, default=16)
    ld.add_argument("--only", nargs="*")
    w = sub.add_parser("wrk")
    w.add_argument("--store", required=True)
    w.add_argument("--seconds", type=float, default=10)
    w.add_argument("--clients", type=int, default=16)
    w.add_argument("--threads", type=int, default=16)
    w.add_argument("--only", nargs="*")
    w.add_argument("--code", default=str(ROOT), help="serve with the code in this folder (a before/after comparison)")
    p = sub.add_parser("profile")
    p.add_argument("--store", required=True)
    p.add_argument("--requests", type=int, default=200)
    p.add_argument("--top", type=int, default=35)
    p.add_argument("--only", nargs="*")
    args = parser.parse_args()
    {"build": build, "load": load, "wrk": wrk, "profile": profile}[args.command](args)


if __name__ == "__main__":
    main()
