"""Imports are previewed without writing, committed in one transaction, and recorded."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from datacommons.audience import ADMIN, ANONYMOUS, SYSTEM, member_audience
from datacommons.store import Commons
from loaders import pipeline
from loaders.pipeline import ImportRefused, commit_import, plan_import

from .conftest import BASE, CORE_CSV, World

NAMES = "SELECT ?n WHERE { ?s <http://purl.org/goodrelations/v1#name> ?n }"


def names(commons: Commons, audience=ADMIN) -> set[str]:
    return {s["n"].value for s in commons.query(NAMES, audience)}


def write(tmp_path: Path, text: str, name: str = "next.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


CHANGED = CORE_CSV.replace("Red Door Bakery Co-op", "Red Door Bakery Cooperative").replace(
    "rd-2,Prairie Harvest", "rd-9,Prairie Harvest"
)


def test_dry_run_shows_the_table_diff_and_writes_nothing(world: World, tmp_path: Path) -> None:
    before = world.commons.member_quads("alpha", SYSTEM)
    plan = plan_import(world.commons, "alpha", write(tmp_path, CHANGED))
    assert (plan.diff.added, plan.diff.removed, plan.diff.changed) == (1, 1, 1)
    text = plan.report()
    assert "rd-1  name: Red Door Bakery Co-op -> Red Door Bakery Cooperative" in text
    assert "+++" in text and "---" in text
    assert world.commons.member_quads("alpha", SYSTEM) == before


def test_reimport_replaces_the_members_graphs(world: World, tmp_path: Path) -> None:
    plan = plan_import(world.commons, "alpha", write(tmp_path, CHANGED))
    commit_import(world.commons, plan, ADMIN)
    assert "Red Door Bakery Cooperative" in names(world.commons)
    assert "Red Door Bakery Co-op" not in names(world.commons)
    assert world.commons.query(f"ASK {{ <{BASE}/id/alpha/rd-9> ?p ?o }}", ANONYMOUS)
    assert not world.commons.query(f"ASK {{ <{BASE}/id/alpha/rd-2> ?p ?o }}", ADMIN)


def test_unchanged_reimport_changes_nothing(world: World, tmp_path: Path) -> None:
    plan = plan_import(world.commons, "alpha", write(tmp_path, CORE_CSV))
    assert plan.diff.is_empty and not plan.add and not plan.remove


def test_an_invalid_record_refuses_the_import_and_keeps_the_old_data(world: World, tmp_path: Path) -> None:
    before = world.commons.member_quads("alpha", SYSTEM)
    bad = CHANGED + "rd-10,Broken Co-op,,,,,,,,,,95.0,10.0,,,,,,,\n"
    plan = plan_import(world.commons, "alpha", write(tmp_path, bad))
    assert any(p.position == "row 5" and p.field == "latitude" for p in plan.errors)
    with pytest.raises(ImportRefused, match="nothing was written"):
        commit_import(world.commons, plan, ADMIN)
    assert world.commons.member_quads("alpha", SYSTEM) == before


def test_skip_invalid_loads_the_valid_records(world: World, tmp_path: Path) -> None:
    bad = CHANGED + "rd-10,Broken Co-op,,,,,,,,,,95.0,10.0,,,,,,,\n"
    plan = plan_import(world.commons, "alpha", write(tmp_path, bad), skip_invalid=True)
    assert plan.skipped == 1
    commit_import(world.commons, plan, ADMIN)
    assert "Red Door Bakery Cooperative" in names(world.commons)
    assert "Broken Co-op" not in names(world.commons)


def test_exception_injected_mid_commit_leaves_the_old_data_intact(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = world.commons.member_quads("alpha", SYSTEM)
    plan = plan_import(world.commons, "alpha", write(tmp_path, CHANGED))

    def crash(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(pipeline, "_provenance", crash)
    with pytest.raises(RuntimeError):
        commit_import(world.commons, plan, ADMIN)
    assert world.commons.member_quads("alpha", SYSTEM) == before
    monkeypatch.undo()
    commit_import(world.commons, plan_import(world.commons, "alpha", write(tmp_path, CHANGED)), ADMIN)
    assert "Red Door Bakery Cooperative" in names(world.commons)


def test_a_stale_preview_is_refused(world: World, tmp_path: Path) -> None:
    first = plan_import(world.commons, "alpha", write(tmp_path, CHANGED))
    second = plan_import(world.commons, "alpha", write(tmp_path, CORE_CSV, "again.csv"))
    commit_import(world.commons, first, ADMIN)
    with pytest.raises(ImportRefused, match="changed since"):
        commit_import(world.commons, second, ADMIN)


def test_only_the_member_or_an_administrator_may_commit(world: World, tmp_path: Path) -> None:
    plan = plan_import(world.commons, "alpha", write(tmp_path, CHANGED))
    with pytest.raises(ImportRefused, match="may not write"):
        commit_import(world.commons, plan, member_audience("beta"))
    commit_import(world.commons, plan, member_audience("alpha"))


def test_provenance_is_readable_by_the_member_only(world: World) -> None:
    query = """PREFIX coop: <https://w3id.org/coop-commons/vocab#>
    SELECT ?hash ?count ?summary WHERE { ?i a coop:Import ; coop:sourceHash ?hash ;
      coop:recordCount ?count ; coop:diffSummary ?summary }"""
    rows = list(world.commons.query(query, member_audience("alpha")))
    assert len(rows) == 1
    assert rows[0]["hash"].value.startswith("sha256:") and rows[0]["count"].value == "3"
    assert rows[0]["summary"].value.startswith("3 added")
    assert list(world.commons.query(query, member_audience("beta"))) == []
    assert list(world.commons.query(query, ANONYMOUS)) == []


KILLER = """
import sys
from pathlib import Path
from datacommons.audience import ADMIN
from datacommons.store import Commons
from loaders.pipeline import commit_import, plan_import
commons = Commons(sys.argv[1])
plan = plan_import(commons, "alpha", Path(sys.argv[2]))
print("committing", flush=True)
commit_import(commons, plan, ADMIN)
print("committed", flush=True)
"""


def test_a_process_killed_during_commit_leaves_old_or_new_data_never_a_mix(tmp_path: Path) -> None:
    store = tmp_path / "store"
    commons = Commons(store, base=BASE)
    commons.add_member("alpha", "Alpha")
    header = CORE_CSV.splitlines()[0]
    old = header + "\n" + "".join(f"o{i},Old Co-op {i},,,,,,Town,ON,,CA,,,,,,,,,\n" for i in range(3000))
    new = header + "\n" + "".join(f"n{i},New Co-op {i},,,,,,Town,ON,,CA,,,,,,,,,\n" for i in range(3000))
    commit_import(commons, plan_import(commons, "alpha", write(tmp_path, old, "old.csv")), ADMIN)
    commons.close()
    process = subprocess.Popen(
        [sys.executable, "-c", KILLER, str(store), str(write(tmp_path, new, "new.csv"))],
        stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parent.parent,
    )
    assert process.stdout.readline().strip() == "committing"
    time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    reopened = Commons(store)
    seen = names(reopened)
    reopened.close()
    olds = {n for n in seen if n.startswith("Old")}
    news = {n for n in seen if n.startswith("New")}
    assert (len(olds), len(news)) in ((3000, 0), (0, 3000))
