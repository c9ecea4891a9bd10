"""Closed-loop HTTP load: N clients, each on one keep-alive connection, sending requests back to
back for a fixed time, against one server at a time (ours or Oxigraph server, alike).

Two generators send the same requests: wrk (`benchmarks/wrk.lua` builds each request from a
workload file this module writes), and a Python fallback for machines without wrk, whose own
cost weighs on the server it measures (it shares the CPU and the GIL), so its figures are
lower; RESULTS.md says which one ran.

A workload is a list of templates. Request number n (each client's n are its own residue
class, so no two clients send the same n) is

- `repeated`: template n mod T with its first value and its base limit, so the same T texts
  come round again and again;
- `unseen`: template t = n mod T, then r = n div T picks value r mod V and the limit
  base + 1 + r div V. (t, value, limit) is one-to-one with n, and every limit is above the base
  the repeated texts use, so as long as each run starts past the n the previous one reached
  (`next_start`), no text is ever sent twice to a server nor equals a repeated one.
"""
from __future__ import annotations

import http.client
import json
import math
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

LUA = Path(__file__).with_name("wrk.lua")
VALUE, LIMIT = "{{value}}", "{{limit}}"


@dataclass(frozen=True)
class Template:
    """A request path (GET) or body (POST), with optional {{value}} and {{limit}} slots."""
    text: str
    values: tuple[str, ...] = ("",)
    limit: int = 0
    label: str = ""  # for people (reports), never sent

    def expand(self, value: str, limit: int) -> str:
        return self.text.replace(VALUE, value).replace(LIMIT, str(limit))


@dataclass(frozen=True)
class Workload:
    name: str
    templates: tuple[Template, ...]
    method: str = "GET"
    path: str = "/"  # POST workloads: where the bodies go
    headers: dict[str, str] = field(default_factory=dict)
    unseen: bool = False

    def request_text(self, n: int) -> str:
        """The path (GET) or body (POST) of request number n (see the module's docstring)."""
        count = len(self.templates)
        template = self.templates[n % count]
        if not self.unseen:
            return template.expand(template.values[0], template.limit)
        r = n // count
        values = len(template.values)
        return template.expand(template.values[r % values], template.limit + 1 + r // values)

    def for_server(self, path: str) -> "Workload":
        """The same requests sent to another server's path (Oxigraph's /query for our /sparql)."""
        return Workload(self.name, self.templates, self.method, path, self.headers, self.unseen)


@dataclass
class LoadResult:
    requests: int  # answered with a 2xx/3xx status
    errors: int  # answered with another status, or not answered
    seconds: float
    p50_ms: float
    p99_ms: float
    sent_to: int = 0  # the highest request number that may have been sent, plus one
    capped: bool = False  # a fixed amount of work was asked for, and time ran out first

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


class Generator:
    name = ""

    def run(self, base_url: str, workload: Workload, *, clients: int, seconds: float, start: int,
            work: int = 0) -> LoadResult:
        """Load the server for `seconds`; or, with `work`, until about that many requests were
        answered (each wrk thread or Python client does its share), `seconds` being the cap."""
        raise NotImplementedError


def percentile(ordered: Sequence[float], p: float) -> float:
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class Wrk(Generator):
    """wrk with `benchmarks/wrk.lua`; threads: one per core (at most one per client)."""

    def __init__(self, executable: str, threads: int) -> None:
        self.executable, self.threads = executable, threads
        version = subprocess.run([executable, "-v"], capture_output=True, text=True)
        self.name = "wrk " + (version.stdout or version.stderr).split("[", 1)[0].replace("wrk", "").strip()

    def run(self, base_url: str, workload: Workload, *, clients: int, seconds: float, start: int,
            work: int = 0) -> LoadResult:
        threads = max(1, min(self.threads, clients))
        share = -(-work // threads) if work else 0
        with tempfile.NamedTemporaryFile("wb", suffix=".workload") as data:
            data.write(_workload_file(workload))
            data.flush()
            process = subprocess.Popen(
                [self.executable, f"-t{threads}", f"-c{clients}", f"-d{max(1, math.ceil(seconds))}s",
                 "--timeout", "60s", "-s", str(LUA), base_url, "--", data.name, str(start), str(threads),
                 str(share)],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )
            lines, finished = [], 0
            for line in process.stdout:
                lines.append(line)
                finished += line.startswith("WRK-THREAD-DONE")
                if share and finished == threads:
                    process.send_signal(signal.SIGINT)  # wakes wrk's main thread, which reports
            errors = process.stderr.read()
            process.wait()
        line = next((l for l in lines if l.startswith("WRK-RESULT ")), None)
        if process.returncode != 0 or line is None:
            raise RuntimeError(f"wrk failed ({process.returncode}): {errors.strip() or ''.join(lines)[-500:]}")
        figures = json.loads(line.split(" ", 1)[1])
        answered = max(0, figures["requests"] - figures["status_errors"])
        p50, p99 = (figures["p50_ms"], figures["p99_ms"]) if figures["requests"] else (math.nan, math.nan)
        return LoadResult(
            answered, figures["status_errors"] + figures["socket_errors"], figures["seconds"], p50, p99,
            # thread k sent requests start + k + threads * i for i below its count
            start + threads * figures["issued_most"], capped=bool(share) and finished < threads,
        )


def _workload_file(workload: Workload) -> bytes:
    """What wrk.lua reads: a header block, then one entry per template, NUL-separated; an entry
    is its base limit, its text and its values, separated by \\x01."""
    head = "\n".join([workload.method, workload.path, "unseen" if workload.unseen else "repeated",
                      *(f"{k}: {v}" for k, v in workload.headers.items())])
    entries = ["\x01".join([str(t.limit), t.text, *t.values]) for t in workload.templates]
    return "\x00".join([head, *entries]).encode("utf-8")


class PythonLoad(Generator):
    """Threads with http.client: for machines without wrk."""

    def __init__(self, why: str) -> None:
        self.name = f"Python load generator (benchmarks/load.py; {why})"

    def run(self, base_url: str, workload: Workload, *, clients: int, seconds: float, start: int,
            work: int = 0) -> LoadResult:
        parts = urlsplit(base_url)
        share = -(-work // clients) if work else math.inf
        lock = threading.Lock()
        latencies: list[float] = []
        counts = {"ok": 0, "errors": 0, "sent": start}
        deadline = time.perf_counter() + seconds

        def client(k: int) -> None:
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
            mine: list[float] = []
            ok = errors = 0
            n = start + k
            while time.perf_counter() < deadline and ok + errors < share:
                text = workload.request_text(n)
                path, body = (text, None) if workload.method == "GET" else (workload.path, text.encode("utf-8"))
                began = time.perf_counter()
                try:
                    conn.request(workload.method, path, body=body, headers=workload.headers)
                    response = conn.getresponse()
                    response.read()
                    mine.append((time.perf_counter() - began) * 1000)
                    if response.status >= 400:
                        errors += 1
                    else:
                        ok += 1
                except (OSError, http.client.HTTPException):
                    errors += 1
                    conn.close()
                    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
                n += clients
            conn.close()
            with lock:
                latencies.extend(mine)
                counts["ok"] += ok
                counts["errors"] += errors
                counts["sent"] = max(counts["sent"], n)

        began = time.perf_counter()
        threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - began
        latencies.sort()
        return LoadResult(counts["ok"], counts["errors"], elapsed, percentile(latencies, 50),
                          percentile(latencies, 99), counts["sent"],
                          capped=bool(work) and counts["ok"] + counts["errors"] < work)


def generator(choice: str, threads: int) -> Generator:
    """`wrk` if asked for or (with `auto`) found on the PATH, else the Python load generator."""
    found = shutil.which("wrk")
    if choice == "wrk" and not found:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk); or use --generator python")
    if choice != "python" and found:
        return Wrk(found, threads)
    return PythonLoad("asked for" if choice == "python" else "wrk not found")
