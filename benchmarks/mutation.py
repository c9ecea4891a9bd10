"""Mutation testing of the access core, as a standing check (docs/mutation-testing.md).

Runs mutmut 3 (the `mutation` extra; its scope is `[tool.mutmut]` in pyproject.toml) over the
functions in SCOPE with the access test files, and writes the figures (mutants, killed,
survived, equivalent) and every surviving mutant not in the reviewed list of equivalent
mutants (`benchmarks/mutation-equivalents.toml`) to benchmarks/RESULTS.md, in a block of its
own per `--label` (before/after/latest). A new survivor stands out: it is listed, and the run
exits 1.

    .venv/bin/python -m benchmarks.mutation --label latest --max-children 2
    .venv/bin/python -m benchmarks.mutation --only 'datacommons.policy.*'   # one module
"""
from __future__ import annotations

import argparse
import fnmatch
import json
import shutil
import subprocess
import sys
import time
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
EQUIVALENTS = ROOT / "benchmarks" / "mutation-equivalents.toml"

# Mutant-name globs (mutmut names a method `module.xǁClassǁmethod__mutmut_N`, a function
# `module.x_function__mutmut_N`). Whole modules, and only the read-path methods of store.py.
# A new read path (opt-in, marketplace, federation, remote backend) adds its module to
# `only_mutate` in pyproject.toml and its globs here.
_STORE_READS = (
    "graphs_for", "workspace_graphs", "dataset", "_merged", "query", "quads_about",
    "subjects_with", "_readable", "quads_in", "readable_quads", "member_triples",
    "member_quads", "quads_of", "policy", "old_policy_quads", "dump",
)
SCOPE: tuple[str, ...] = (
    "datacommons.access.*",
    "datacommons.audience.*",
    "datacommons.fields.*",
    "datacommons.policy.*",
    "datacommons.views.*",
    "datacommons.uris.*",
    *(f"datacommons.store.xǁCommonsǁ{m}__mutmut_*" for m in _STORE_READS),
)
KILLED = {"killed", "timeout", "caught by type check", "segfault"}


@dataclass(frozen=True)
class Mutant:
    name: str
    status: str
    removed: str
    added: str

    @property
    def function(self) -> str:
        return self.name.split("__mutmut_")[0]


def _status(code) -> str:
    from mutmut.stats import status_by_exit_code

    return status_by_exit_code[code]


def _change(name: str, path: Path) -> tuple[str, str]:
    """The lines a mutant changes (removed, added): its key in the equivalents list, stable
    when other code moves and mutmut numbers its mutants anew."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    diff = get_diff_for_mutant(name, path=path).splitlines()
    minus = [line[1:].strip() for line in diff if line.startswith("-") and not line.startswith("---")]
    plus = [line[1:].strip() for line in diff if line.startswith("+") and not line.startswith("+++")]
    return " / ".join(minus), " / ".join(plus)


def equivalents() -> list[dict[str, str]]:
    """The reviewed equivalent mutants: function, was, now, reason (one line)."""
    entries = tomllib.loads(EQUIVALENTS.read_text(encoding="utf-8")).get("equivalent", [])
    for e in entries:
        missing = {"function", "was", "now", "reason"} - set(e)
        if missing:
            raise SystemExit(f"{EQUIVALENTS.name}: an entry lacks {', '.join(sorted(missing))}: {e}")
    return entries


def collect(scope: tuple[str, ...]) -> list[Mutant]:
    """Every in-scope mutant mutmut generated, with its status and its change."""
    mutants = []
    for meta in sorted((ROOT / "mutants").rglob("*.py.meta")):
        source = meta.relative_to(ROOT / "mutants").with_suffix("")
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        for name, code in sorted(codes.items()):
            if not any(fnmatch.fnmatchcase(name, g) for g in scope):
                continue
            status = _status(code)
            removed, added = _change(name, source) if status not in KILLED else ("", "")
            mutants.append(Mutant(name, status, removed, added))
    return mutants


def run_mutmut(scope: tuple[str, ...], max_children: int, log: Path) -> float:
    """A fresh mutmut run (its `mutants/` copy is made anew: a stale copy of the tests
    would judge mutants with old tests)."""
    shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    started = time.monotonic()
    with log.open("w") as out:
        subprocess.run(
            [str(Path(sys.executable).parent / "mutmut"), "run", "--max-children", str(max_children), *scope],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, check=False,
        )
    return time.monotonic() - started


def report(mutants: list[Mutant], reviewed: list[dict[str, str]], label: str, seconds: float | None) -> tuple[str, list[Mutant]]:
    keys = {(e["function"], e["was"], e["now"]): e["reason"] for e in reviewed}
    equivalent = [m for m in mutants if m.status not in KILLED and (m.function, m.removed, m.added) in keys]
    open_ = [m for m in mutants if m.status not in KILLED | {"not checked"} and m not in equivalent]
    counts = Counter(m.status for m in mutants)
    killed = sum(counts[s] for s in KILLED)
    judged = len(mutants) - len(equivalent) - counts["not checked"]
    score = 100 * killed / judged if judged else 0.0
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    lines = [
        f"<!-- mutation:{label}:begin -->",
        f"### {label} (commit {commit}{f', {seconds / 60:.0f} min' if seconds else ''})",
        "",
        "| mutants | killed | survived | no covering test | not checked | equivalent (reviewed) | score of the non-equivalent |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| {len(mutants)} | {killed} | {sum(1 for m in open_ if m.status == 'survived')} | "
        f"{sum(1 for m in open_ if m.status == 'no tests')} | {counts['not checked']} | {len(equivalent)} | {score:.0f}% |",
        "",
    ]
    if open_:
        lines += ["Surviving mutants not in the reviewed equivalents:", ""]
        lines += [f"- `{m.name}` ({m.status}): `{m.removed}` -> `{m.added}`" for m in open_]
        lines.append("")
    lines.append(f"<!-- mutation:{label}:end -->")
    return "\n".join(lines), open_


SECTION = "## Mutation testing of the access core"


def write_results(block: str, label: str) -> None:
    """Put the block in its own section of RESULTS.md, replacing only the same label's."""
    text = RESULTS.read_text(encoding="utf-8")
    begin, end = f"<!-- mutation:{label}:begin -->", f"<!-- mutation:{label}:end -->"
    if begin in text:
        head, _, rest = text.partition(begin)
        text = head + block + rest.partition(end)[2]
    elif SECTION in text:
        head, _, rest = text.partition(SECTION)
        text = head + SECTION + "\n\n" + block + "\n" + rest
    else:
        text = text.rstrip("\n") + f"\n\n{SECTION}\n\n`benchmarks/mutation.py` (docs/mutation-testing.md).\n\n{block}\n"
    RESULTS.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", default="latest", help="the RESULTS.md block: before, after, latest")
    parser.add_argument("--max-children", type=int, default=2, help="mutmut worker processes")
    parser.add_argument("--only", action="append", help="mutant-name globs instead of the whole scope")
    parser.add_argument("--report-only", action="store_true", help="report the last run's mutants/")
    parser.add_argument("--no-write", action="store_true", help="print, leave RESULTS.md alone")
    args = parser.parse_args(argv)
    scope = tuple(args.only) if args.only else SCOPE
    seconds = None
    if not args.report_only:
        seconds = run_mutmut(scope, args.max_children, ROOT / "mutants.log")
    block, open_ = report(collect(scope), equivalents(), args.label, seconds)
    print(block)
    if not args.no_write and not args.only:
        write_results(block, args.label)
    return 1 if open_ else 0


if __name__ == "__main__":
    sys.exit(main())
