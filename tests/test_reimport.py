"""A re-import normalises, validates and writes only the rows that changed, and ends in the
same store, report and diff as importing the file whole."""
from __future__ import annotations

from pathlib import Path

from pyoxigraph import NamedNode, Quad, Literal, DefaultGraph
import pytest

from datacommons.audience import ADMIN
from datacommons.fields import Level
from datacommons.store import Commons, StoreError
from loaders.import_state import import_state, state_key
from datacommons.revision import member_revision
from loaders.pipeline import commit_import, plan_import, republish

from .conftest import BASE, CORE_CSV, World, load_text

HEADER, *ROWS = CORE_CSV.strip("\n").split("\n")
EXTRA = [
    f"x-{i},Extra Co-op {i},,,,+1 612 555 01{i:02d} ext. 7,,Minneapolis,MN,,US,,,,,,,,,"
    for i in range(6)
]


def csv_text(rows: list[str]) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def fresh_copy(tmp_path: Path, text: str, name: str) -> Commons:
    """The same file imported whole into a new store (no memory of earlier imports)."""
    other = Commons(tmp_path / name, base=BASE)
    other.add_member("alpha", "Alpha Federation", "https://alpha.example")
    path = tmp_path / f"{name}.csv"
    path.write_text(text, encoding="utf-8")
    commit_import(other, plan_import(other, "alpha", path), ADMIN)
    return other


def test_only_changed_rows_are_normalised_and_written(world: World, tmp_path: Path) -> None:
    commons = world.commons
    load_text(commons, "alpha", csv_text(ROWS + EXTRA), tmp_path, "first.csv")
    changed = ROWS + EXTRA[:2] + [EXTRA[2].replace("Extra Co-op 2", "Extra Co-op Two")] + EXTRA[4:]
    path = tmp_path / "second.csv"
    path.write_text(csv_text(changed), encoding="utf-8")
    plan = plan_import(commons, "alpha", path)
    # made anew: the changed row only; x-3 is gone; the other rows are the stored records
    assert [r.local_id for r in plan.state.changed] == ["x-2"] and plan.state.gone == ["x-3"]
    assert (plan.diff.added, plan.diff.removed, plan.diff.changed, plan.diff.unchanged) == (0, 1, 1, 7)
    assert "x-2  name: Extra Co-op 2 -> Extra Co-op Two" in plan.report()
    subjects = {q.subject.value.split("#")[0].rsplit("/", 1)[-1] for q in plan.add | plan.remove}
    assert subjects == {"x-2", "x-3"}
    assert len(plan.records) == 8
    commit_import(commons, plan, ADMIN)
    whole = fresh_copy(tmp_path, csv_text(changed), "whole")
    assert commons.member_quads("alpha") == whole.member_quads("alpha")


def test_remembered_rows_keep_their_warnings(world: World, tmp_path: Path) -> None:
    commons = world.commons
    first = load_text(commons, "alpha", csv_text(ROWS + EXTRA), tmp_path, "first.csv")
    again = plan_import(commons, "alpha", tmp_path / "first.csv")
    assert again.diff.is_empty and not again.add and not again.remove
    assert [str(p) for p in again.problems] == [str(p) for p in first.problems]
    assert sum("extension" in p.message for p in again.warnings) == len(EXTRA)
    # moved rows are named where they are now
    moved = plan_import(commons, "alpha", _write(tmp_path, "moved.csv", csv_text(list(reversed(ROWS + EXTRA)))))
    assert moved.diff.is_empty
    assert {p.position for p in moved.warnings if "extension" in p.message} == {f"row {i}" for i in range(2, 8)}


def test_a_row_repeated_is_still_a_duplicate(world: World, tmp_path: Path) -> None:
    commons = world.commons
    load_text(commons, "alpha", csv_text(ROWS), tmp_path, "first.csv")
    plan = plan_import(commons, "alpha", _write(tmp_path, "twice.csv", csv_text(ROWS + ROWS[:1])))
    assert [str(p) for p in plan.errors] == ["error: row 5, field id ('rd-1'): id 'rd-1' is used by row 2 and row 5"]


def test_a_policy_change_makes_the_next_import_whole_and_right(world: World, tmp_path: Path) -> None:
    commons = world.commons
    load_text(commons, "alpha", csv_text(ROWS + EXTRA), tmp_path, "first.csv")
    assert import_state(commons).recall("alpha", state_key(commons, member_revision(commons, "alpha")))
    republish(commons, "alpha", commons.policy("alpha").changed({"locality": Level.PRIVATE}))
    assert import_state(commons).recall("alpha", state_key(commons, member_revision(commons, "alpha"))) is None
    text = csv_text(ROWS + EXTRA[1:])
    load_text(commons, "alpha", text, tmp_path, "second.csv")
    whole = fresh_copy(tmp_path, text, "whole")
    republish(whole, "alpha", whole.policy("alpha").changed({"locality": Level.PRIVATE}))
    assert commons.member_quads("alpha") == whole.member_quads("alpha")


def test_a_failed_commit_leaves_no_memory(world: World, tmp_path: Path) -> None:
    commons = world.commons
    load_text(commons, "alpha", csv_text(ROWS), tmp_path, "first.csv")
    before = commons.member_quads("alpha")
    plan = plan_import(commons, "alpha", _write(tmp_path, "second.csv", csv_text(ROWS + EXTRA)))
    # a plan the store refuses (a statement outside the named graphs): the write fails whole
    plan.add.add(Quad(NamedNode("https://example.org/x"), NamedNode("https://example.org/p"),
                      Literal("x"), DefaultGraph()))
    with pytest.raises(StoreError):
        commit_import(commons, plan, ADMIN)
    assert commons.member_quads("alpha") == before
    assert import_state(commons).recall("alpha", state_key(commons, member_revision(commons, "alpha"))) is None
    plan = plan_import(commons, "alpha", tmp_path / "second.csv")
    assert plan.diff.added == len(EXTRA)
    commit_import(commons, plan, ADMIN)
    assert commons.member_quads("alpha") == fresh_copy(tmp_path, csv_text(ROWS + EXTRA), "whole").member_quads("alpha")


def test_a_reimport_keeps_its_changes_in_the_history_and_rolls_back_whole(world: World, tmp_path: Path) -> None:
    from loaders.history import history_of
    from loaders.previews import committed_count, rollback_plan

    commons = world.commons
    first = ROWS + EXTRA
    second = ROWS + EXTRA[:2] + [EXTRA[2].replace("Extra Co-op 2", "Extra Co-op Two")] + EXTRA[4:]
    third = list(reversed(second[:-1])) + [EXTRA[3]]  # reordered, one gone, one back
    numbers = []
    for i, rows in enumerate([first, second, third]):
        plan = load_text(commons, "alpha", csv_text(rows), tmp_path, f"{i}.csv")
        assert plan.snapshot_delta is not None  # (the world imported alpha): what changed
        numbers.append(committed_count(commons, "alpha"))
    history = history_of(commons)
    bases = [history._rows("SELECT base FROM history WHERE member = 'alpha' AND number = ?", (n,))[0][0]
             for n in numbers]
    assert bases == [n - 1 for n in numbers]
    for number, rows in zip(numbers, [first, second, third]):
        whole = fresh_copy(tmp_path, csv_text(rows), f"whole-{number}")
        records = history.snapshot_records("alpha", number)
        assert records == history_of(whole).snapshot_records("alpha", committed_count(whole, "alpha"))
        assert [r.local_id for r in records] == [r.split(",")[0] for r in rows]
    commit_import(commons, rollback_plan(commons, "alpha", numbers[1]), ADMIN)
    assert commons.member_quads("alpha") == fresh_copy(tmp_path, csv_text(second), "again").member_quads("alpha")


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- the store's write paths ------------------------------------------------------------------
def _quads(commons: Commons, n: int) -> list[Quad]:
    graph = NamedNode(commons.uris.graph("alpha", Level.PUBLIC))
    p = NamedNode("https://example.org/p")
    return [Quad(NamedNode(f"https://example.org/s{i}"), p, Literal(f"value {i}"), graph) for i in range(n)]


def test_a_large_addition_is_written_whole(world: World) -> None:
    commons = world.commons
    quads = _quads(commons, 25_000)  # above the bulk loader's threshold
    version = commons.version
    commons.apply(remove=(), add=quads)
    assert commons.version == version + 1
    stored = set(commons.quads_in([commons.uris.graph("alpha", Level.PUBLIC)]))
    assert set(quads) <= stored
    commons.apply(remove=quads[:10], add=quads[:5] + quads[:5])
    stored = set(commons.quads_in([commons.uris.graph("alpha", Level.PUBLIC)]))
    assert set(quads[:5]) <= stored and not set(quads[5:10]) & stored


def test_a_write_naming_the_default_graph_writes_nothing(world: World) -> None:
    commons = world.commons
    quads = _quads(commons, 25_000)
    bad = Quad(NamedNode("https://example.org/x"), NamedNode("https://example.org/p"), Literal("x"), DefaultGraph())
    version = commons.version
    with pytest.raises(StoreError, match="named graphs"):
        commons.apply(remove=(), add=quads + [bad])
    assert commons.version == version
    assert not set(quads) & set(commons.quads_in([commons.uris.graph("alpha", Level.PUBLIC)]))
