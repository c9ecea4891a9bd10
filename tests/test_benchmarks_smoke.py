"""The benchmark suite runs end to end on a small commons (its full run is not part of CI)."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_benchmark_smoke_run_reports_every_figure() -> None:
    result = subprocess.run(
        [sys.executable, "benchmarks/run.py", "--quick", "--no-write"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    assert re.search(r"first import of 500 records \| [\d.]+ records/s", out)
    assert re.search(r"re-import of 500 records, 5% changed \| [\d.]+ s", out)
    assert re.search(r"SPARQL repeated query mix, 16 client\(s\) \| ours [\d.]+ req/s.*ratio [\d.]+x", out)
    assert re.search(r"entity pages \(Turtle\), 16 clients \| [\d.]+ req/s", out)
    assert re.search(r"server peak RSS .* \| \d+ MB", out)
    sparql_lines = [line for line in out.splitlines() if line.startswith("| SPARQL")]
    assert len(sparql_lines) == 4 and not any("errors" in line for line in sparql_lines)
