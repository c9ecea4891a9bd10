"""`/api/market` "who sells X near me": p50/p95 latency at N concurrent clients (issue 22's
target: p95 <= 200 ms at 16 clients on 500,000 offerings, i.e. 100,000 co-ops with five each).

    python -m benchmarks.market --coops 1000 --clients 16 --requests 400

loads the demo commons (a few offerings per co-op) into a fresh store in a temporary folder,
serves it with waitress on 127.0.0.1 and sends the requests from client threads. On a shared
machine run it small (a few hundred co-ops); the full-scale run is for a machine of its own.
"""
from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from waitress import create_server

from datacommons.store import Commons
from demo.load import load_demo
from endpoint.app import create_app

WORDS = ("printing", "sourdough", "coffee", "vegetables", "cleaning", "furniture", "beer", "care",
         "websites", "solar", "seeds", "fish", "tours", "training")
PLACES = ((45.50, -73.57), (43.65, -79.38), (44.98, -93.27), (49.28, -123.12), (40.71, -74.0))


def run(coops: int, clients: int, requests: int, seed: int = 7) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        commons = Commons(Path(tmp) / "store", base="http://bench.test")
        list(load_demo(commons, Path(tmp) / "demo", coops=coops))
        wsgi = create_server(create_app(commons), host="127.0.0.1", port=0, threads=clients)
        server = threading.Thread(target=wsgi.run, daemon=True)
        server.start()
        url = f"http://127.0.0.1:{wsgi.effective_port}/api/market"
        rng = random.Random(seed)
        paths = [f"{url}?q={rng.choice(WORDS)}&near={lat},{lon}&radius=500"
                 for lat, lon in (rng.choice(PLACES) for _ in range(requests))]
        times: list[float] = []
        lock = threading.Lock()

        def client(mine: list[str]) -> None:
            for path in mine:
                start = time.perf_counter()
                with urllib.request.urlopen(path) as response:
                    response.read()
                with lock:
                    times.append(time.perf_counter() - start)

        threads = [threading.Thread(target=client, args=(paths[i::clients],)) for i in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wsgi.close()
        commons.close()
    times.sort()
    return {"requests": len(times), "p50_ms": 1000 * statistics.median(times),
            "p95_ms": 1000 * times[int(0.95 * (len(times) - 1))]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--coops", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args()
    result = run(args.coops, args.clients, args.requests)
    print(f"/api/market, {args.coops} co-ops, {args.clients} clients: "
          f"{result['requests']} requests, p50 {result['p50_ms']:.0f} ms, p95 {result['p95_ms']:.0f} ms")


if __name__ == "__main__":
    main()
