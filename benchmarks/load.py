"""A small closed-loop HTTP load generator: N clients, each with one keep-alive connection,
sending requests back to back for a fixed time. Used for both servers in a comparison, so
its own overhead weighs on both alike."""
from __future__ import annotations

import http.client
import statistics
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

Request = tuple[str, str, dict[str, str], bytes | None]  # method, path, headers, body


@dataclass
class LoadResult:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    def summary(self) -> str:
        return (
            f"{self.throughput:8.1f} req/s  p50 {self.percentile(50):7.1f} ms  "
            f"p99 {self.percentile(99):7.1f} ms  ({self.requests} requests, {self.errors} errors)"
        )


def run_load(base_url: str, requests: Callable[[int], Request], *, clients: int, seconds: float,
             max_requests: int = 1_000_000) -> LoadResult:
    """Run `clients` loops for `seconds`; client k sends requests(k), requests(k + clients), ..."""
    parts = urlsplit(base_url)
    lock = threading.Lock()
    latencies: list[float] = []
    counts = {"ok": 0, "errors": 0}
    deadline = time.perf_counter() + seconds

    def client(k: int) -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        mine: list[float] = []
        errors = 0
        i = k
        while time.perf_counter() < deadline and i < max_requests:
            method, path, headers, body = requests(i)
            start = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status >= 400:
                    errors += 1
                else:
                    mine.append((time.perf_counter() - start) * 1000)
            except (OSError, http.client.HTTPException):
                errors += 1
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
            i += clients
        conn.close()
        with lock:
            latencies.extend(mine)
            counts["ok"] += len(mine)
            counts["errors"] += errors

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return LoadResult(counts["ok"], counts["errors"], time.perf_counter() - started, latencies)


def spread(values: Sequence[float]) -> str:
    """Median and spread of repeated runs, as people read them."""
    if len(values) == 1:
        return f"{values[0]:.1f}"
    return f"{statistics.median(values):.1f} (min {min(values):.1f}, max {max(values):.1f})"
