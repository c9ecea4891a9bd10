"""The benchmark suite: import speed, SPARQL side by side with Oxigraph server, entity pages and
search, memory and start-up, on a generated commons.

    .venv/bin/python benchmarks/run.py                  # full run: 100,000 co-ops, 3 runs each
    .venv/bin/python benchmarks/run.py --quick          # smoke run: small data, short loads

Prints every figure and (unless --no-write) writes them to benchmarks/RESULTS.md between the
`bench` markers, with the machine and the date. Needs the `oxigraph` package (the server it
compares against), installed by `pip install -e '.[bench]'`.
"""
from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.load import LoadResult, run_load, spread  # noqa: E402
from datacommons.audience import ADMIN, ANONYMOUS  # noqa: E402
from datacommons.fields import TEMPLATE_COLUMNS  # noqa: E402
from datacommons.store import Commons  # noqa: E402
from loaders.demo import generate_records  # noqa: E402
from loaders.pipeline import commit_import, plan_import  # noqa: E402

MEMBERS = ("m1", "m2", "m3", "m4", "m5")
PREFIXES = """PREFIX essglobal: <http://purl.org/essglobal/vocab/>
PREFIX gr: <http://purl.org/goodrelations/v1#>
PREFIX vcard: <http://www.w3.org/2006/vcard/ns#>
PREFIX coop: <https://w3id.org/coop-commons/vocab#>
PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#>
"""
# Typical directory queries (the named queries in queries/ are added to the mix).
DIRECTORY_QUERIES = [
    "SELECT (COUNT(*) AS ?n) WHERE { ?c a essglobal:SSEInitiative }",
    "SELECT ?region (COUNT(?c) AS ?n) WHERE { ?c essglobal:hasAddress ?a . ?a vcard:region ?region } "
    "GROUP BY ?region ORDER BY DESC(?n)",
    "SELECT ?c ?name WHERE { ?c gr:name ?name ; essglobal:hasAddress ?a . ?a vcard:locality \"Toronto\" } "
    "ORDER BY ?name LIMIT 50",
    "SELECT ?c ?name WHERE { ?c gr:name ?name ; essglobal:economicSector "
    "<http://purl.org/essglobal/standard/activities-ica/ICA140> } LIMIT 100",
    "SELECT ?c ?name ?lat ?long WHERE { ?c gr:name ?name ; geo:lat ?lat ; geo:long ?long "
    "FILTER(?lat > 45 && ?lat < 46 && ?long > -74 && ?long < -73) } LIMIT 200",
    "SELECT ?m (COUNT(?c) AS ?n) WHERE { ?c coop:listedBy ?m } GROUP BY ?m",
]
WORDS = ["bakery", "food", "credit", "housing", "farm", "energy", "print", "care", "books",
         "coop", "workers", "grocery", "north", "river", "union", "harvest"]


@dataclass
class Figures:
    lines: list[str] = field(default_factory=list)

    def add(self, line: str) -> None:
        print(line, flush=True)
        self.lines.append(line)


def member_files(workdir: Path, coops: int, seed: int) -> dict[str, Path]:
    """The generated co-ops as five members' template CSVs (round robin)."""
    writers, files = {}, {}
    for m in MEMBERS:
        files[m] = workdir / f"{m}.csv"
        handle = files[m].open("w", newline="", encoding="utf-8")
        writers[m] = (csv.DictWriter(handle, fieldnames=TEMPLATE_COLUMNS), handle)
        writers[m][0].writeheader()
    for i, row in enumerate(generate_records(seed=seed, coops=coops)):
        writers[MEMBERS[i % len(MEMBERS)]][0].writerow(row)
    for _, handle in writers.values():
        handle.close()
    return files


def one_file(workdir: Path, name: str, coops: int, seed: int) -> Path:
    path = workdir / name
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=TEMPLATE_COLUMNS)
        writer.writeheader()
        writer.writerows(generate_records(seed=seed, coops=coops))
    return path


def changed_copy(path: Path, fraction: float, seed: int) -> Path:
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    rng = random.Random(seed)
    for row in rng.sample(rows, int(len(rows) * fraction)):
        row["description"] = (row.get("description") or "") + " (updated)"
    out = path.with_name(path.stem + "-changed.csv")
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return out


def timed_import(commons: Commons, member: str, path: Path) -> float:
    start = time.perf_counter()
    plan = plan_import(commons, member, path)
    if plan.errors:
        raise SystemExit(f"benchmark data has errors: {plan.errors[:3]}")
    commit_import(commons, plan, ADMIN)
    return time.perf_counter() - start


def bench_imports(workdir: Path, sizes: list[int], reimport_size: int, runs: int, seed: int, out: Figures) -> None:
    for size in sizes:
        rates = []
        for run in range(runs):
            commons = Commons(workdir / f"imp-{size}-{run}", base="http://bench.example")
            commons.add_member("bench", "Bench")
            seconds = timed_import(commons, "bench", one_file(workdir, f"imp-{size}.csv", size, seed))
            rates.append(size / seconds)
            commons.close()
            shutil.rmtree(workdir / f"imp-{size}-{run}")
        out.add(f"| first import of {size:,} records | {spread(rates)} records/s |")
    times = []
    for run in range(runs):
        commons = Commons(workdir / f"re-{run}", base="http://bench.example")
        commons.add_member("bench", "Bench")
        first = one_file(workdir, "re.csv", reimport_size, seed)
        timed_import(commons, "bench", first)
        times.append(timed_import(commons, "bench", changed_copy(first, 0.05, seed + run)))
        commons.close()
        shutil.rmtree(workdir / f"re-{run}")
    out.add(f"| re-import of {reimport_size:,} records, 5% changed | {spread(times)} s |")


def build_commons(workdir: Path, coops: int, seed: int) -> tuple[Path, list[str]]:
    store = workdir / "commons"
    commons = Commons(store, base="http://bench.example")
    files = member_files(workdir, coops, seed)
    for member, path in files.items():
        commons.add_member(member, f"Member {member}")
        timed_import(commons, member, path)
    iris = [s["c"].value for s in commons.query(
        "SELECT ?c WHERE { ?c a <http://purl.org/essglobal/vocab/SSEInitiative> }", ANONYMOUS)]
    with (workdir / "public.nq").open("wb") as handle:
        commons.dump(handle, ANONYMOUS)
    commons.close()
    return store, iris


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, timeout: float = 120) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return time.perf_counter() - start
        except OSError:
            time.sleep(0.02)
    raise SystemExit(f"{url} did not come up in {timeout} s")


def tree_peak_rss_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of a process and its children, in MB."""
    pids = {pid}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) in pids:
                    pids.add(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue
    total = 0.0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            continue
    return total


def query_request(text: str) -> tuple[str, str, dict[str, str], bytes]:
    body = urllib.parse.urlencode({"query": PREFIXES + text}).encode()
    return ("POST", "/sparql", {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/sparql-results+json"}, body)


def named_queries() -> list[str]:
    texts = []
    for path in sorted((ROOT / "queries").glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        if "# param" not in text and "$" not in text:
            texts.append(text)
    return texts


def bench_servers(workdir: Path, store: Path, iris: list[str], clients_list: list[int],
                  seconds: float, runs: int, out: Figures) -> None:
    env = {**os.environ, "DATACOMMONS_RATE_LIMIT": "", "DATACOMMONS_THREADS": "16"}
    oxi_dir = workdir / "oxigraph"
    oxigraph = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    subprocess.run([oxigraph, "load", "--location", str(oxi_dir), "--file", str(workdir / "public.nq")],
                   check=True, capture_output=True)
    port = free_port()
    started = time.perf_counter()
    ours = subprocess.Popen(
        [sys.executable, "-m", "datacommons.cli", "serve", "--store", str(store), "--port", str(port)],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    oxi_port = free_port()
    peer = subprocess.Popen(
        [oxigraph, "serve-read-only", "--location", str(oxi_dir), "--bind", f"127.0.0.1:{oxi_port}",
         "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        ours_url, oxi_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{oxi_port}"
        wait_until_up(ours_url + "/health", 300)
        startup = time.perf_counter() - started
        wait_until_up(oxi_url + "/query?query=ASK%7B%7D")
        out.add(f"| server ready to serve (start-up) | {startup:.2f} s |")
        mix = named_queries() + DIRECTORY_QUERIES
        repeated = [query_request(q) for q in mix]

        def fresh(i: int) -> tuple[str, str, dict[str, str], bytes]:
            word = WORDS[i % len(WORDS)]
            return query_request(
                f'SELECT ?c ?name WHERE {{ ?c gr:name ?name FILTER(CONTAINS(LCASE(?name), "{word}")) }} '
                f"LIMIT {10 + i}"
            )

        for label, make in (("repeated query mix", lambda i: repeated[i % len(repeated)]),
                            ("queries never seen before", fresh)):
            for clients in clients_list:
                ratios, ours_runs, oxi_runs = [], [], []
                for run in range(runs):
                    offset = run * 100_000
                    a = run_load(ours_url, lambda i: make(i + offset), clients=clients, seconds=seconds)
                    b = run_load(oxi_url, lambda i: _to_oxigraph(make(i + offset)), clients=clients, seconds=seconds)
                    ours_runs.append(a)
                    oxi_runs.append(b)
                    ratios.append(a.throughput / b.throughput if b.throughput else float("nan"))
                out.add(
                    f"| SPARQL {label}, {clients} client(s) | ours {_load(ours_runs)}; Oxigraph server "
                    f"{_load(oxi_runs)}; ratio {spread(ratios)}x |"
                )
        paths = [urllib.parse.urlsplit(iri).path for iri in iris]
        rng = random.Random(1)
        rng.shuffle(paths)
        for label, accept in (("entity pages (HTML)", "text/html"), ("entity pages (Turtle)", "text/turtle")):
            runs_ = [run_load(ours_url, lambda i: ("GET", paths[i % len(paths)], {"Accept": accept}, None),
                              clients=16, seconds=seconds) for _ in range(runs)]
            out.add(f"| {label}, 16 clients | {_load(runs_)} |")
        probe = urllib.request.Request(ours_url + "/api/search?q=bakery")
        try:
            urllib.request.urlopen(probe, timeout=30).read()
            runs_ = [run_load(ours_url, lambda i: ("GET", f"/api/search?q={WORDS[i % len(WORDS)]}", {}, None),
                              clients=16, seconds=seconds) for _ in range(runs)]
            out.add(f"| search API, 16 clients | {_load(runs_)} |")
        except OSError as e:
            out.add(f"| search API | not measured: {e} |")
        out.add(f"| server peak RSS (with its reader processes) | {tree_peak_rss_mb(ours.pid):.0f} MB |")
    finally:
        for process in (ours, peer):
            process.terminate()
            process.wait(timeout=30)


def _to_oxigraph(request: tuple) -> tuple:
    method, _, headers, body = request
    return (method, "/query", headers, body)


def _load(results: list[LoadResult]) -> str:
    return (
        f"{spread([r.throughput for r in results])} req/s, p50 {spread([r.percentile(50) for r in results])} ms, "
        f"p99 {spread([r.percentile(99) for r in results])} ms"
        + (f", {sum(r.errors for r in results)} errors" if any(r.errors for r in results) else "")
    )


def machine() -> str:
    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                if l.startswith("model name")), platform.processor())
    memory = next((int(l.split()[1]) // 1024 // 1024 for l in Path("/proc/meminfo").read_text().splitlines()
                   if l.startswith("MemTotal")), 0)
    return f"{os.cpu_count()} cores ({cpu}), {memory} GiB, Python {platform.python_version()}, {platform.system()}"


def write_results(out: Figures, args: argparse.Namespace) -> None:
    results = ROOT / "benchmarks" / "RESULTS.md"
    text = results.read_text(encoding="utf-8") if results.exists() else "# Benchmark results\n"
    block = "\n".join([
        "<!-- bench:start -->",
        "## Import, SPARQL, pages, memory (`benchmarks/run.py`)",
        "",
        f"Machine: {machine()}. Date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC. "
        f"Commons: {args.coops:,} co-ops from 5 members; {args.runs} runs of {args.seconds:g} s each, "
        "median (min, max). Oxigraph server (`oxigraph serve-read-only --union-default-graph`) serves "
        "the public dump of the same commons in the same run; ours answers as the public.",
        "",
        "| measure | figure |",
        "|---|---|",
        *out.lines,
        "<!-- bench:end -->",
    ])
    if "<!-- bench:start -->" in text:
        head, rest = text.split("<!-- bench:start -->", 1)
        text = head + block + rest.split("<!-- bench:end -->", 1)[1]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    results.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--coops", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--quick", action="store_true", help="smoke run: 500 co-ops, 1 run, 1 s loads")
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    args = parser.parse_args()
    if args.quick:
        args.coops, args.runs, args.seconds = 500, 1, 1.0
    import_sizes = [min(10_000, args.coops), args.coops] if args.coops > 10_000 else [args.coops]
    out = Figures()
    with tempfile.TemporaryDirectory(prefix="datacommons-bench-") as tmp:
        workdir = Path(tmp)
        bench_imports(workdir, import_sizes, min(10_000, args.coops), args.runs, args.seed, out)
        store, iris = build_commons(workdir, args.coops, args.seed)
        bench_servers(workdir, store, iris, [1, 16], args.seconds, args.runs, out)
    if not args.no_write:
        write_results(out, args)


if __name__ == "__main__":
    main()
