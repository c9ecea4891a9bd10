"""The benchmark suite of issue 6: import speed, SPARQL side by side with Oxigraph server,
entity pages and search, memory and start-up, on a generated commons.

    ./scripts/bench                      # full run: 100,000 co-ops, 3 runs (installs what it needs)
    ./scripts/bench --quick              # smoke run: small data, 1 s loads, 1 run
    .venv/bin/python benchmarks/run.py --coops 20000 --runs 1   # any size; --help for all options

Each run starts both servers afresh: ours (`datacommons serve`: waitress, rate limit off,
answering as the public) and Oxigraph server (`oxigraph serve-read-only --union-default-graph`
on the public dump of the same commons); every load phase primes the server with one request,
warms it up and measures it, with wrk (or the Python load generator without wrk). Pages and
searches load the server for --seconds; a SPARQL phase gives both servers the same fixed work
(--passes over the mix, at most --cap s), since its queries cost from a millisecond to
seconds and a fixed time would measure different queries on each. Figures are the median and
(min-max) of the runs.
Writes benchmarks/RESULTS.md between the `bench` markers (other sections stay as they are),
and with --json every run's figures.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import machine, workloads  # noqa: E402
from benchmarks.load import Generator, LoadResult, Workload, generator  # noqa: E402
from datacommons.audience import ADMIN, ANONYMOUS  # noqa: E402
from datacommons.config import Config  # noqa: E402
from datacommons.fields import TEMPLATE_COLUMNS  # noqa: E402
from datacommons.store import Commons  # noqa: E402
from demo.generator import generate_records  # noqa: E402
from loaders.pipeline import ImportPlan, commit_import, plan_import  # noqa: E402

MEMBERS = ("m1", "m2", "m3", "m4", "m5")
BASE = "http://bench.example"
P99_TARGET = (25.0, "<=")
COUNT_COOPS = """PREFIX essglobal: <http://purl.org/essglobal/vocab/>
PREFIX coop: <https://w3id.org/coop-commons/vocab#>
SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a essglobal:SSEInitiative ; coop:listedBy ?m }"""
COUNT_QUADS = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


@dataclass
class Measure:
    label: str
    unit: str
    target: tuple[float, str] | None = None  # (value, ">=" / "<=" / "<")
    values: list[float] = field(default_factory=list)
    errors: int = 0
    capped: int = 0  # runs whose fixed work was cut at the time cap

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def met(self) -> bool | None:
        if self.target is None or not self.values:
            return None
        goal, op = self.target
        return {">=": self.median >= goal, "<=": self.median <= goal, "<": self.median < goal}[op]


class Figures:
    """Every measure, in the order first recorded, with one value per run."""

    def __init__(self) -> None:
        self.measures: dict[str, Measure] = {}

    def add(self, label: str, value: float, unit: str, target: tuple[float, str] | None = None,
            errors: int = 0, capped: bool = False) -> None:
        measure = self.measures.setdefault(label, Measure(label, unit, target))
        measure.values.append(value)
        measure.errors += errors
        measure.capped += capped
        print(f"  {label}: {_number(value, unit)}" + (f" ({errors} errors)" if errors else "")
              + (" (cut at the time cap)" if capped else ""), flush=True)


# ---------------------------------------------------------------------------------------- data


def write_csv(path: Path, rows) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=TEMPLATE_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def changed_copy(path: Path, fraction: float, seed: int) -> tuple[Path, int]:
    """A copy of a template CSV in which `fraction` of the rows have changed fields."""
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    chosen = random.Random(seed).sample(range(len(rows)), round(len(rows) * fraction))
    for i in chosen:
        row = rows[i]
        row["description"] = (row["description"] + " Now also runs a community kitchen.").strip()
        row["workers"] = str(int(row["workers"]) + 1) if row["workers"] else "4"
    return write_csv(path.with_name(path.stem + "-changed.csv"), rows), len(chosen)


def timed_import(commons: Commons, member: str, path: Path) -> tuple[float, ImportPlan]:
    """The whole import a member makes: read, map, validate, diff (plan_import), then commit."""
    start = time.perf_counter()
    plan = plan_import(commons, member, path)
    if plan.errors:
        raise SystemExit(f"benchmark data has errors: {[str(p) for p in plan.errors[:3]]}")
    commit_import(commons, plan, ADMIN)
    return time.perf_counter() - start, plan


def count(commons: Commons, sparql: str) -> int:
    return int(next(iter(commons.query(sparql, ADMIN)))["n"].value)


def bench_imports(workdir: Path, args: argparse.Namespace, figures: Figures, checks: dict) -> None:
    for size in args.import_sizes:
        path = write_csv(workdir / f"import-{size}.csv", generate_records(seed=args.seed, coops=size))
        for run in range(args.import_runs or args.runs):
            store = workdir / f"import-{size}-{run}"
            commons = Commons(store, base=BASE)
            commons.add_member("bench", "Bench")
            seconds, plan = timed_import(commons, "bench", path)
            checks["imports"].append({"size": size, "records": len(plan.records), "added": plan.diff.added,
                                      "coops_stored": count(commons, COUNT_COOPS)})
            commons.close()
            shutil.rmtree(store)
            figures.add(f"first import of {size:,} records (read, map, validate, diff, commit)",
                        size / seconds, "records/s", (5000, ">="))
    size = args.reimport_size
    first = write_csv(workdir / f"reimport-{size}.csv", generate_records(seed=args.seed + 1, coops=size))
    for run in range(args.import_runs or args.runs):
        changed, n_changed = changed_copy(first, args.changed, args.seed + run)
        store = workdir / f"reimport-{run}"
        commons = Commons(store, base=BASE)
        commons.add_member("bench", "Bench")
        timed_import(commons, "bench", first)
        seconds, plan = timed_import(commons, "bench", changed)
        checks["reimports"].append({"size": size, "rows_changed": n_changed, "changed": plan.diff.changed,
                                    "added": plan.diff.added, "removed": plan.diff.removed})
        commons.close()
        shutil.rmtree(store)
        figures.add(f"re-import of {size:,} records, {n_changed:,} ({args.changed:.0%}) of them changed",
                    seconds, "s", (1.0, "<"))


def build_commons(workdir: Path, args: argparse.Namespace, checks: dict) -> tuple[Path, Path, workloads.Corpus, list]:
    """The commons under test: the generated co-ops as five members' template CSVs (round robin),
    each imported as a member does; and its public dump, for Oxigraph server."""
    rows: dict[str, list] = {m: [] for m in MEMBERS}
    for i, row in enumerate(generate_records(seed=args.seed, coops=args.coops)):
        rows[MEMBERS[i % len(MEMBERS)]].append(row)
    store = workdir / "commons"
    commons = Commons(store, base=BASE)
    started = time.perf_counter()
    for member in MEMBERS:
        commons.add_member(member, f"Member {member}")
        timed_import(commons, member, write_csv(workdir / f"{member}.csv", rows[member]))
    checks["commons"] = {
        "coops": args.coops, "build_seconds": time.perf_counter() - started,
        "coops_stored": count(commons, COUNT_COOPS), "quads": count(commons, COUNT_QUADS),
    }
    public = workdir / "public.nq"
    with public.open("wb") as handle:
        commons.dump(handle, ANONYMOUS)
    with public.open("rb") as handle:
        checks["commons"]["public_quads"] = sum(1 for line in handle if line.strip())
    data = workloads.corpus(commons)
    templates = workloads.sparql_templates(commons, data, args.seed)
    commons.close()
    return store, public, data, templates


# ------------------------------------------------------------------------------------- servers


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, headers: dict[str, str] | None = None, body: bytes | None = None, timeout: float = 600) -> bytes:
    request = urllib.request.Request(url, data=body, headers=headers or {})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read()


def wait_until_up(url: str, headers: dict[str, str], process: subprocess.Popen, timeout: float = 300) -> None:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server stopped (exit {process.returncode}) before answering {url}")
        try:
            get(url, headers, timeout=30)
            return
        except OSError:
            time.sleep(0.01)
    raise SystemExit(f"{url} did not answer in {timeout} s")


@dataclass
class Server:
    name: str
    url: str
    process: subprocess.Popen
    sparql_path: str
    next_start: dict[str, int] = field(default_factory=dict)  # per workload: the next request number

    def load(self, gen: Generator, workload: Workload, clients: int, seconds: float, work: int = 0) -> LoadResult:
        requests = workload.for_server(self.sparql_path) if workload.method == "POST" else workload
        result = gen.run(self.url, requests, clients=clients, seconds=seconds,
                         start=self.next_start.get(workload.name, 0), work=work)
        self.next_start[workload.name] = result.sent_to
        return result

    def prime(self, workload: Workload) -> None:
        """Send one request and wait for its answer (however long: a first search builds its index)."""
        n = self.next_start.get(workload.name, 0)
        text = workload.request_text(n)
        self.next_start[workload.name] = n + 1
        try:
            if workload.method == "GET":
                get(self.url + text, workload.headers)
            else:
                get(self.url + self.sparql_path, workload.headers, text.encode("utf-8"))
        except OSError as e:
            print(f"  {self.name} did not answer the first request of {workload.name} ({e})", flush=True)

    def settle(self, timeout: float = 300) -> None:
        """Wait until the server has finished what the last load left running: a load
        generator stops with requests in flight, and neither server stops a query whose client
        went away (Oxigraph server has no timeout at all). Settled: a trivial query is answered
        at once, and the server's processes have stopped computing (a server answers an ASK at
        once while other threads still run cut-off queries, which would take the CPU from the
        next measurement, of either server)."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            asked = time.perf_counter()
            try:
                get(self.url + self.sparql_path, workloads.SPARQL_HEADERS, b"ASK {}", timeout=timeout)
            except OSError:
                time.sleep(0.1)
                continue
            if time.perf_counter() - asked < 0.25:
                break
        while time.perf_counter() < deadline:
            before = machine.tree_cpu_seconds(self.process.pid)
            time.sleep(0.5)
            if machine.tree_cpu_seconds(self.process.pid) - before < 0.05:  # under 10% of a core
                return
        print(f"  {self.name} was still busy after {timeout:g} s; measuring anyway", flush=True)

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def datacommons_command() -> list[str]:
    script = Path(sys.executable).with_name("datacommons")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cli"]


def start_ours(store: Path, probe: str) -> tuple[Server, float]:
    """`datacommons serve` on the store; start-up: from launching the process to the first
    successful answer (an entity page)."""
    port = free_port()
    env = {**os.environ, "DATACOMMONS_RATE_LIMIT": ""}
    started = time.perf_counter()
    process = subprocess.Popen(
        [*datacommons_command(), "serve", "--store", str(store), "--port", str(port)],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    wait_until_up(url + probe, {"Accept": "text/turtle"}, process)
    return Server("ours", url, process, "/sparql"), time.perf_counter() - started


def start_oxigraph(oxigraph: str, location: Path) -> tuple[Server, float]:
    port = free_port()
    started = time.perf_counter()
    process = subprocess.Popen(
        [oxigraph, "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}",
         "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    wait_until_up(url + "/query?query=ASK%7B%7D", {"Accept": "application/sparql-results+json"}, process)
    return Server("Oxigraph server", url, process, "/query"), time.perf_counter() - started


def check_mix(ours: Server, peer: Server, workload: Workload) -> list[str]:
    """Every query of the mix answers on both servers, with as many rows: the same data, the
    same queries. Returns the names of queries whose row counts differ."""
    differ = []
    for n, template in enumerate(workload.templates):
        body = workload.request_text(n).encode("utf-8")
        rows = []
        for server in (ours, peer):
            try:
                document = json.loads(get(server.url + server.sparql_path, workloads.SPARQL_HEADERS, body))
                rows.append(f"{len(document.get('results', {}).get('bindings', []))} rows")
            except OSError as e:
                rows.append(f"no answer ({e})")
        if rows[0] != rows[1]:
            differ.append(f"{template.label}: ours {rows[0]}, Oxigraph {rows[1]}")
    return differ


def measure_phase(gen: Generator, servers: list[Server], workload: Workload, clients: int,
                  args: argparse.Namespace) -> list[LoadResult]:
    """Prime each server with one request, warm it up, then measure it; one server after the other.

    Pages and searches: warm-up and measure for fixed times. SPARQL mixes, whose queries cost
    from a millisecond to seconds, measure a fixed amount of work instead, the same for both
    servers: `--passes` passes over the mix (capped at `--cap` s); the repeated mix warms up
    with one whole pass (what a cache of it would hold), never-seen queries for `--warmup` s."""
    results = []
    passes = len(workload.templates) if workload.method == "POST" else 0
    for server in servers:
        for other in servers:  # what the last phase left running on either server is over
            other.settle()
        server.prime(workload)
        if passes and not workload.unseen:
            server.load(gen, workload, clients, args.cap, work=passes)
        elif args.warmup:
            server.load(gen, workload, clients, args.warmup)
        if passes:
            server.settle()
            results.append(server.load(gen, workload, clients, args.cap, work=passes * args.passes))
            server.settle()
        else:
            results.append(server.load(gen, workload, clients, args.seconds))
    return results


def add_load(figures: Figures, label: str, result: LoadResult, target_p99: tuple[float, str] | None) -> None:
    figures.add(f"{label}: throughput", result.throughput, "req/s", errors=result.errors, capped=result.capped)
    figures.add(f"{label}: p50 latency", result.p50_ms, "ms")
    figures.add(f"{label}: p99 latency", result.p99_ms, "ms", target_p99)


def _elapsed(since: float) -> str:
    return f"{time.perf_counter() - since:.0f} s since the start"


@dataclass
class Bench:
    """One benchmark: its options and what the load phases need, built before the runs."""
    args: argparse.Namespace
    gen: Generator
    oxigraph: str  # the Oxigraph server executable
    began: float
    store: Path = Path()
    oxi_store: Path = Path()
    templates: list = field(default_factory=list)  # the SPARQL mix
    paths: list[str] = field(default_factory=list)  # entity pages
    searches: list[str] = field(default_factory=list)
    starts: dict[str, int] = field(default_factory=dict)  # per workload: the next request number
    figures: Figures = field(default_factory=Figures)
    checks: dict = field(default_factory=lambda: {"imports": [], "reimports": []})


def session(bench: Bench, run: int) -> None:
    """One run: both servers started afresh, every load phase, then both stopped."""
    args, gen, figures, checks, starts = bench.args, bench.gen, bench.figures, bench.checks, bench.starts
    templates, paths, searches = bench.templates, bench.paths, bench.searches
    print(f"run {run + 1} of {args.runs} ({_elapsed(bench.began)})", flush=True)
    ours, startup = start_ours(bench.store, paths[0])
    peer, peer_startup = start_oxigraph(bench.oxigraph, bench.oxi_store)
    ours.next_start, peer.next_start = dict(starts), dict(starts)
    peak = 0.0

    def sample_memory() -> None:
        nonlocal peak
        peak = max(peak, machine.tree_peak_rss_mb(ours.process.pid))

    try:
        figures.add("server ready to serve: process start to first answer (entity page)", startup, "s", (2.0, "<"))
        figures.add("Oxigraph server start to first answer (for comparison)", peer_startup, "s")
        repeated = workloads.sparql(templates, unseen=False)
        if run == 0:
            checks["mix_rows_differ"] = check_mix(ours, peer, repeated)
        for workload, target in ((repeated, 1.0), (workloads.sparql(templates, unseen=True), 0.7)):
            for clients in (1, 16):
                mine, theirs = measure_phase(gen, [ours, peer], workload, clients, args)
                sample_memory()
                label = f"{workload.name}, {clients} client{'s' if clients > 1 else ''}"
                figures.add(f"{label}: throughput ours / Oxigraph server", mine.throughput / theirs.throughput
                            if theirs.throughput else float("nan"), "x", (target, ">="))
                add_load(figures, f"{label}, ours", mine, None)
                add_load(figures, f"{label}, Oxigraph server", theirs, None)
        # Oxigraph server has no query timeout: queries the SPARQL phases cut off keep running
        # on its threads (an ASK still answers at once, so settle() does not see them) and took
        # CPU from our page phases. Its part is over here: stop it.
        figures.add("Oxigraph server peak RSS (for comparison)", machine.tree_peak_rss_mb(peer.process.pid), "MB")
        peer.stop()
        asked = time.perf_counter()
        try:
            get(ours.url + searches[0], {"Accept": "application/json"})
            figures.add("first /api/search after start (builds or opens the search index)",
                        time.perf_counter() - asked, "s")
        except OSError as e:
            print(f"  the first search failed: {e}", flush=True)
        hot = args.hot
        for label, workload in (
            (f"entity pages, HTML, {len(paths):,} co-ops drawn uniformly, 16 clients",
             workloads.pages("html", paths, "text/html")),
            (f"entity pages, Turtle, {len(paths):,} co-ops drawn uniformly, 16 clients",
             workloads.pages("turtle", paths, "text/turtle")),
            (f"/api/search, {len(searches):,} searches of words drawn uniformly, 16 clients",
             workloads.pages("search", searches, "application/json")),
            (f"hot set: entity pages, HTML, the same {hot} co-ops, 16 clients",
             workloads.pages("html-hot", paths[:hot], "text/html")),
            (f"hot set: entity pages, Turtle, the same {hot} co-ops, 16 clients",
             workloads.pages("turtle-hot", paths[:hot], "text/turtle")),
            (f"hot set: /api/search, the same {hot} searches, 16 clients",
             workloads.pages("search-hot", searches[:hot], "application/json")),
        ):
            (result,) = measure_phase(gen, [ours], workload, 16, args)
            sample_memory()
            add_load(figures, label, result, P99_TARGET)
        figures.add("server peak RSS (VmHWM, server + reader processes)", peak, "MB", (400, "<="))
    finally:
        ours.stop()
        peer.stop()
    # The next run's never-seen queries start past every number this one sent (either server).
    for key in set(ours.next_start) | set(peer.next_start):
        starts[key] = max(ours.next_start.get(key, 0), peer.next_start.get(key, 0))


# ------------------------------------------------------------------------------------- results


def _number(value: float, unit: str) -> str:
    if value != value:  # NaN
        return "n/a"
    if unit == "x":
        return f"{value:.2f}x"
    if unit in ("records/s", "req/s", "MB"):
        return f"{value:,.0f} {unit}" if value >= 100 else f"{value:,.1f} {unit}"
    return f"{value:.3f} {unit}" if unit == "s" and value < 1 else f"{value:,.1f} {unit}" if unit == "ms" else f"{value:.2f} {unit}"


def table(figures: Figures) -> list[str]:
    lines = ["| measure | median | spread (min–max) | target | met? |", "|---|---|---|---|---|"]
    for m in figures.measures.values():
        spread = (f"{_number(min(m.values), m.unit)} – {_number(max(m.values), m.unit)}"
                  if len(m.values) > 1 else "(1 run)")
        target = f"{m.target[1]} {_number(m.target[0], m.unit)}" if m.target else ""
        met = {True: "met", False: "**not met**", None: ""}[m.met]
        label = (m.label + (f" ({m.errors} errors)" if m.errors else "")
                 + (f" (work cut at the --cap time in {m.capped} of {len(m.values)} runs)" if m.capped else ""))
        lines.append(f"| {label} | {_number(m.median, m.unit)} | {spread} | {target} | {met} |")
    return lines


def section(figures: Figures, args: argparse.Namespace, meta: dict, checks: dict) -> str:
    c = checks["commons"]
    m = meta["machine"]
    differ = checks.get("mix_rows_differ", [])
    return "\n".join([
        "<!-- bench:start -->",
        "## Import, SPARQL, pages, memory, start-up (`./scripts/bench`)",
        "",
        f"`./scripts/bench {meta['arguments']}` on {meta['date']} UTC, {meta['minutes']:.1f} minutes. "
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory']} RAM, {m['os']}; {m['python']}, "
        f"pyoxigraph {m['pyoxigraph']}, Oxigraph server {m['oxigraph']}. Load average (1 / 5 / 15 min) "
        f"before {meta['load_before']}, after {meta['load_after']} (the machine may be shared: other "
        "work on it slows every figure). Load generator: "
        f"{meta['generator']}.",
        "",
        f"Commons: {c['coops']:,} co-ops from `demo/generator.py` `generate_records` (seed {args.seed}), "
        f"imported as five members' template CSVs in {c['build_seconds']:.0f} s "
        f"({c['coops'] / c['build_seconds']:,.0f} records/s): {c['quads']:,} quads in the "
        f"store, {c['public_quads']:,} public ones, which Oxigraph server serves "
        "(`oxigraph serve-read-only --union-default-graph`) while ours answers as the public "
        f"(`datacommons serve`: waitress, {meta['threads']} threads, {meta['query_workers']} reader "
        "processes, rate limit off). "
        f"{args.runs} run{'s' if args.runs > 1 else ''}, each starting both servers afresh; every load "
        "phase primes the server with one request and warms it up, then measures it. Pages and "
        f"searches: {args.warmup:g} s of warm-up, {args.seconds:g} s measured. SPARQL, ours then "
        "Oxigraph's: the same fixed work for both, "
        f"{args.passes} pass{'es' if args.passes > 1 else ''} over the mix (split among the clients; "
        f"at most {args.cap:g} s), after one pass of the repeated mix or {args.warmup:g} s of "
        "never-seen queries; throughput is answers per second from the first request to the last "
        "answer. Median and spread over the runs.",
        "",
        f"SPARQL mix ({meta['mix']} queries, POSTed as `application/sparql-query`, JSON results): the "
        "named queries in `queries/` (parameters as a VALUES row: region ON, activity ICA210, "
        "structure OS60, country CA, since 2015; cut at their declared limit) and typical directory "
        "queries (counts, a locality's co-ops, an activity's, a map box, a name word, one co-op's "
        "statements). Never-seen queries: the same templates with other values and LIMITs, no text "
        "sent twice to a server. "
        + ("Every query of the mix gives as many rows on both servers. " if not differ else
           f"The answers differ on {len(differ)} queries: {'; '.join(differ)}. ")
        + f"Entity pages: {meta['sample']:,} co-ops drawn uniformly (fixed seed) from the "
        f"{meta['public_coops']:,} public ones; searches: `/api/search?q=WORD`, words of co-op names "
        "and places drawn uniformly (fixed seed). Import rates are for one member's template CSV "
        "into an empty store, through `plan_import` and `commit_import`; the re-import changes "
        "the description and workers of the chosen rows.",
        "",
        *table(figures),
        "<!-- bench:end -->",
    ])


def write_results(path: Path, block: str) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    if "<!-- bench:start -->" in text:
        head, rest = text.split("<!-- bench:start -->", 1)
        text = head + block + rest.split("<!-- bench:end -->", 1)[1]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--coops", type=int, default=100_000, help="co-ops in the commons under load")
    parser.add_argument("--import-sizes", help="first-import sizes, comma-separated (default: 10000 and --coops)")
    parser.add_argument("--reimport-size", type=int, help="records of the re-import (default: 10000, at most --coops)")
    parser.add_argument("--changed", type=float, default=0.05, help="share of rows the re-import changes")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--import-runs", type=int, default=0,
                        help="runs of each import figure (default: --runs); a 100,000-record import takes minutes")
    parser.add_argument("--seconds", type=float, default=10, help="measured seconds of each page and search phase")
    parser.add_argument("--warmup", type=float, default=3,
                        help="warm-up seconds before each phase (the repeated SPARQL mix: one pass)")
    parser.add_argument("--passes", type=int, default=1, help="passes over the SPARQL mix each SPARQL phase measures")
    parser.add_argument("--cap", type=float, default=45,
                        help="seconds a SPARQL phase (and the repeated mix's warm-up pass) may take at most")
    parser.add_argument("--sample", type=int, default=5000, help="co-ops whose pages are requested")
    parser.add_argument("--hot", type=int, default=300, help="pages and searches of the hot-set lines")
    parser.add_argument("--skip-imports", action="store_true",
                        help="leave out the import figures (the commons under load is still imported)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--generator", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 300 co-ops, imports of 200, 1 run, 1 s loads, 1 pass of the SPARQL mix")
    parser.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    parser.add_argument("--json", type=Path, help="also write every run's figures and checks here")
    parser.add_argument("--workdir", type=Path, help="where the stores go (default: a temporary folder)")
    args = parser.parse_args(argv)
    args.arguments = " ".join(argv if argv is not None else sys.argv[1:])
    if args.quick:
        args.coops, args.import_sizes, args.reimport_size = 300, "200", 200
        args.runs, args.seconds, args.warmup, args.sample, args.hot = 1, 1, 0, 200, 50
        args.passes, args.cap = 1, 30
    if args.import_sizes is None:
        args.import_sizes = f"{min(10_000, args.coops)},{args.coops}"
    args.import_sizes = sorted({int(s) for s in str(args.import_sizes).split(",") if s.strip()})
    if args.reimport_size is None:
        args.reimport_size = min(10_000, args.coops)
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    oxigraph = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not Path(oxigraph).exists():
        raise SystemExit("Oxigraph server is missing: pip install -e '.[bench]'")
    bench = Bench(args, generator(args.generator, len(os.sched_getaffinity(0))), oxigraph, time.perf_counter())
    load_before = machine.load_average()
    print(f"load generator: {bench.gen.name}; load average {load_before}", flush=True)
    with tempfile.TemporaryDirectory(prefix="datacommons-bench-", dir=args.workdir) as tmp:
        workdir = Path(tmp)
        if not args.skip_imports:
            print("imports", flush=True)
            bench_imports(workdir, args, bench.figures, bench.checks)
        print(f"building the commons of {args.coops:,} co-ops ({_elapsed(bench.began)})", flush=True)
        bench.store, public, data, bench.templates = build_commons(workdir, args, bench.checks)
        print(f"  {bench.checks['commons']}", flush=True)
        bench.oxi_store = workdir / "oxigraph"
        subprocess.run([oxigraph, "load", "--location", str(bench.oxi_store), "--file", str(public)],
                       check=True, capture_output=True)
        print(f"  Oxigraph store loaded ({_elapsed(bench.began)})", flush=True)
        bench.paths = workloads.entity_paths(data, args.sample, args.seed)
        bench.searches = workloads.search_paths(data, max(args.sample, args.hot), args.seed)
        for run in range(args.runs):
            session(bench, run)
    config = Config()
    meta = {
        "arguments": args.arguments, "date": f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M}",
        "minutes": (time.perf_counter() - bench.began) / 60, "machine": machine.description(oxigraph),
        "load_before": load_before, "load_after": machine.load_average(), "generator": bench.gen.name,
        "threads": config.threads, "query_workers": config.query_workers, "mix": len(bench.templates),
        "sample": len(bench.paths), "public_coops": len(data.coops),
    }
    block = section(bench.figures, args, meta, bench.checks)
    print("\n" + block)
    if not args.no_write:
        write_results(args.results, block)
    if args.json:
        args.json.write_text(json.dumps({
            "meta": meta, "checks": bench.checks,
            "measures": [{"label": m.label, "unit": m.unit, "values": m.values, "median": m.median,
                          "target": m.target, "met": m.met, "errors": m.errors}
                         for m in bench.figures.measures.values()],
        }, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
