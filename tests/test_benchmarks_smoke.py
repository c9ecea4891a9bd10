"""The benchmark suite runs end to end on a small commons (its full run is not part of CI), and
its load generators send exactly the requests a workload describes. No timing is asserted:
speed is what the suite reports, not what the tests check."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from benchmarks.load import Template, Workload, generator

ROOT = Path(__file__).parent.parent
RATIOS = [
    ("SPARQL repeated query mix, 1 client", ">= 1.00x"),
    ("SPARQL repeated query mix, 16 clients", ">= 1.00x"),
    ("SPARQL queries never seen before, 1 client", ">= 0.70x"),
    ("SPARQL queries never seen before, 16 clients", ">= 0.70x"),
]
PAGES = [
    "entity pages, HTML, 200 co-ops drawn uniformly, 16 clients",
    "entity pages, Turtle, 200 co-ops drawn uniformly, 16 clients",
    "/api/search, 200 searches of words drawn uniformly, 16 clients",
    "hot set: entity pages, HTML, the same 50 co-ops, 16 clients",
    "hot set: entity pages, Turtle, the same 50 co-ops, 16 clients",
    "hot set: /api/search, the same 50 searches, 16 clients",
]
NUMBER = r"[\d,]+(\.\d+)?"


def _outside_bench_section(text: str) -> str:
    if "<!-- bench:start -->" not in text:
        return text.rstrip()
    head, rest = text.split("<!-- bench:start -->", 1)
    return (head + rest.split("<!-- bench:end -->", 1)[1]).rstrip()


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory) -> tuple[str, str, dict]:
    folder = tmp_path_factory.mktemp("bench")
    results, figures = folder / "RESULTS.md", folder / "figures.json"
    original = (ROOT / "benchmarks" / "RESULTS.md").read_text(encoding="utf-8")
    results.write_text(original, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "benchmarks/run.py", "--quick", "--results", str(results), "--json", str(figures)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return original, results.read_text(encoding="utf-8"), json.loads(figures.read_text(encoding="utf-8"))


def test_quick_run_writes_every_measure_with_its_target_into_results(quick_run) -> None:
    original, text, _ = quick_run
    assert _outside_bench_section(text) == _outside_bench_section(original)  # reconcile, sparql-limits kept
    section = text.split("<!-- bench:start -->", 1)[1].split("<!-- bench:end -->", 1)[0]
    for fact in ("cores", "RAM", "CPython 3.", "pyoxigraph 0.", "Oxigraph server 0.", "Load average",
                 "before ", "after ", "Load generator: ", "300 co-ops", "quads in the store"):
        assert fact in section, fact

    def row(label: str, unit: str, target: str = "") -> None:
        met = r"(met|\*\*not met\*\*)" if target else ""
        pattern = (rf"^\| {re.escape(label)} \| {NUMBER} ?{re.escape(unit)} \| \(1 run\) \| "
                   rf"{re.escape(target)} \| {met} \|$")
        assert re.search(pattern, section, re.M), f"no row {label!r} with {unit} {target}"

    row("first import of 200 records (read, map, validate, diff, commit)", "records/s", ">= 5,000 records/s")
    row("re-import of 200 records, 10 (5%) of them changed", "s", "< 1.00 s")
    for label, target in RATIOS:
        row(f"{label}: throughput ours / Oxigraph server", "x", target)
        for server in ("ours", "Oxigraph server"):
            row(f"{label}, {server}: throughput", "req/s")
            row(f"{label}, {server}: p50 latency", "ms")
            row(f"{label}, {server}: p99 latency", "ms")
    for label in PAGES:
        row(f"{label}: throughput", "req/s")
        row(f"{label}: p99 latency", "ms", "<= 25.0 ms")
    row("server peak RSS (VmHWM, server + reader processes)", "MB", "<= 400 MB")
    row("server ready to serve: process start to first answer (entity page)", "s", "< 2.00 s")


def test_quick_run_ratios_come_from_both_servers_figures(quick_run) -> None:
    _, _, figures = quick_run
    measures = {m["label"]: m for m in figures["measures"]}
    for label, _ in RATIOS:
        ours = measures[f"{label}, ours: throughput"]
        theirs = measures[f"{label}, Oxigraph server: throughput"]
        assert ours["errors"] == theirs["errors"] == 0
        assert all(v > 0 for v in ours["values"] + theirs["values"])
        expected = [o / t for o, t in zip(ours["values"], theirs["values"])]
        assert measures[f"{label}: throughput ours / Oxigraph server"]["values"] == pytest.approx(expected)
    for label in PAGES:
        assert measures[f"{label}: throughput"]["errors"] == 0
    assert figures["checks"]["mix_rows_differ"] == []  # both servers give every query as many rows


def test_quick_run_imports_every_record_and_the_reimport_changes_five_percent(quick_run) -> None:
    _, _, figures = quick_run
    checks = figures["checks"]
    assert checks["imports"] == [{"size": 200, "records": 200, "added": 200, "coops_stored": 200}]
    assert checks["reimports"] == [{"size": 200, "rows_changed": 10, "changed": 10, "added": 0, "removed": 0}]
    commons = checks["commons"]
    assert commons["coops_stored"] == 300
    assert 0 < commons["public_quads"] < commons["quads"]


class _Recorder(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    seen: list[tuple[str, str, str | None]] = []

    def log_message(self, *args) -> None:
        pass

    def _answer(self, body: str | None) -> None:
        self.seen.append((self.command, self.path, body))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def do_GET(self) -> None:  # noqa: N802
        self._answer(None)

    def do_POST(self) -> None:  # noqa: N802
        self._answer(self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8"))


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass  # the load generators close their connections mid-keep-alive when time is up


@pytest.fixture
def recorder():
    _Recorder.seen = []
    server = _QuietServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", _Recorder.seen
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("choice", ["wrk", "python"])
def test_load_generator_sends_the_workloads_requests_and_never_repeats_an_unseen_one(choice, recorder) -> None:
    if choice == "wrk" and not shutil.which("wrk"):
        pytest.skip("wrk is not installed (./scripts/bench installs it)")
    url, seen = recorder
    gen = generator(choice, 2)
    templates = (Template("SELECT ?x {{value}} LIMIT {{limit}}", ("a", "b", "c"), 10),
                 Template("ASK {} LIMIT {{limit}}", ("",), 5))
    unseen = Workload("q", templates, "POST", "/sparql", {"Content-Type": "application/sparql-query"}, unseen=True)
    first = gen.run(url, unseen, clients=4, seconds=1, start=0)
    second = gen.run(url, unseen, clients=4, seconds=1, start=first.sent_to)
    bodies = [body for _, _, body in seen]
    assert first.requests > 0 and second.requests > 0 and first.errors == second.errors == 0
    assert len(bodies) >= first.requests + second.requests
    assert {(method, path) for method, path, _ in seen} == {("POST", "/sparql")}
    assert len(set(bodies)) == len(bodies)  # no text sent twice, across both runs
    assert set(bodies) <= {unseen.request_text(n) for n in range(second.sent_to)}
    assert "SELECT ?x a LIMIT 10" not in bodies  # nor one of the repeated mix's texts

    seen.clear()
    gen.run(url, Workload("q", templates, "POST", "/sparql", unseen.headers), clients=4, seconds=1, start=0)
    assert {body for _, _, body in seen} == {"SELECT ?x a LIMIT 10", "ASK {} LIMIT 5"}

    seen.clear()
    pages = Workload("p", (Template("/id/a"), Template("/id/b?q=x%20y")), headers={"Accept": "text/turtle"})
    gen.run(url, pages, clients=2, seconds=1, start=0)
    assert {(method, path) for method, path, _ in seen} == {("GET", "/id/a"), ("GET", "/id/b?q=x%20y")}


@pytest.mark.parametrize("choice", ["wrk", "python"])
def test_load_generator_stops_after_a_fixed_amount_of_work(choice, recorder) -> None:
    if choice == "wrk" and not shutil.which("wrk"):
        pytest.skip("wrk is not installed (./scripts/bench installs it)")
    url, seen = recorder
    pages = Workload("p", (Template("/id/a"), Template("/id/b")))
    done = generator(choice, 2).run(url, pages, clients=4, seconds=60, start=0, work=30)
    assert 30 <= done.requests <= 34 and not done.capped  # the shares, not the 60 s cap
    assert done.requests <= len(seen)
