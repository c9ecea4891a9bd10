"""Time (and optionally profile) the import path the benchmark measures: a first import of N
generated co-ops into a fresh commons, then a re-import with 5% of them changed.

    .venv/bin/python benchmarks/profile_import.py --coops 10000 [--profile first|re] [--members 1]

With --members > 1 the co-ops are spread over that many members (as benchmarks/run.py
member_files does), so reconciliation matches records across members.
"""
from __future__ import annotations

import argparse
import cProfile
import csv
import pstats
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from datacommons.audience import ADMIN  # noqa: E402
from datacommons.fields import TEMPLATE_COLUMNS  # noqa: E402
from datacommons.store import Commons  # noqa: E402
from demo.generator import generate_records  # noqa: E402
from loaders.pipeline import commit_import, plan_import  # noqa: E402


def write_csv(path: Path, rows: list[dict]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=TEMPLATE_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def changed(rows: list[dict], fraction: float, seed: int) -> list[dict]:
    rows = [dict(r) for r in rows]
    for row in random.Random(seed).sample(rows, int(len(rows) * fraction)):
        row["description"] = (row.get("description") or "") + " (updated)"
    return rows


def timed(commons: Commons, member: str, path: Path, profile: bool) -> tuple[float, float]:
    profiler = cProfile.Profile(time.process_time) if profile else None  # CPU time: the machine is shared
    cpu = time.process_time()
    start = time.perf_counter()
    if profiler:
        profiler.enable()
    plan = plan_import(commons, member, path)
    if plan.errors:
        raise SystemExit(f"errors: {plan.errors[:3]}")
    planned = time.perf_counter()
    commit_import(commons, plan, ADMIN)
    end = time.perf_counter()
    print(f"  (cpu {time.process_time() - cpu:.2f} s)", flush=True)
    if profiler:
        profiler.disable()
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(30)
    return planned - start, end - planned


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--coops", type=int, default=10_000)
    parser.add_argument("--members", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", choices=["first", "re"], default=None)
    parser.add_argument("--skip-re", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="profile-import-"))
    try:
        rows = list(generate_records(seed=args.seed, coops=args.coops))
        members = [f"m{i + 1}" for i in range(args.members)]
        commons = Commons(work / "store", base="http://bench.example")
        shares = {m: rows[i::len(members)] for i, m in enumerate(members)}
        for m in members:
            commons.add_member(m, m)
        last = members[-1]
        for m in members:
            path = write_csv(work / f"{m}.csv", shares[m])
            plan_s, commit_s = timed(commons, m, path, args.profile == "first" and m == last)
            n = len(shares[m])
            print(f"first import {m}: {n} records: plan {plan_s:.2f} s + commit {commit_s:.2f} s "
                  f"= {n / (plan_s + commit_s):,.0f} records/s", flush=True)
        if not args.skip_re:
            path = write_csv(work / f"{last}-changed.csv", changed(shares[last], 0.05, args.seed))
            plan_s, commit_s = timed(commons, last, path, args.profile == "re")
            print(f"re-import {last}: {len(shares[last])} records, 5% changed: plan {plan_s:.2f} s "
                  f"+ commit {commit_s:.2f} s = {plan_s + commit_s:.2f} s", flush=True)
        commons.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
