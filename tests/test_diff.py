"""The table diff people review: the same rows daff's highlighter gives, made by id."""
from __future__ import annotations

import random

import daff

from loaders.diff import table_diff


def daff_rows(old: list[dict[str, str]], new: list[dict[str, str]]) -> list[list[str]]:
    columns = list(new[0])

    def table(rows: list[dict[str, str]]) -> list[list[str]]:
        return [columns] + sorted([r[c] for c in columns] for r in rows)

    flags = daff.CompareFlags()
    flags.addPrimaryKey("id")
    alignment = daff.Coopy.compareTables(
        daff.PythonTableView(table(old)), daff.PythonTableView(table(new)), flags
    ).align()
    output = daff.PythonTableView([])
    daff.TableDiff(alignment, flags).hilite(output)
    return [[("" if c is None else str(c)) for c in r] for r in output.data]


def tables(seed: int, arrows: bool) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    rng = random.Random(seed)
    words = ["", "a", "b", "co-op", "x->y" if arrows else "xy", "Main St"]
    old = [{"id": f"r{i:03d}", "name": rng.choice(words[1:]), "city": rng.choice(words),
            "phone": rng.choice(words)} for i in range(60)]
    new = []
    for row in old:
        roll = rng.random()
        if roll < 0.1:
            continue  # removed
        row = dict(row)
        if roll < 0.4:
            row[rng.choice(["name", "city", "phone"])] = rng.choice(words[1:])
        new.append(row)
    new += [{"id": f"n{i}", "name": "new", "city": rng.choice(words), "phone": ""} for i in range(5)]
    return old, new


def test_rows_are_daffs_highlighted_rows():
    for seed in range(6):
        for arrows in (False, True):
            old, new = tables(seed, arrows)
            ours = table_diff(old, new)
            theirs = daff_rows(old, new)
            assert ours.rows[0] == theirs[0]
            changes = sorted(r for r in theirs[1:] if r[0] not in ("", "..."))
            assert sorted(ours.rows[1:]) == changes
            assert ours.added == sum(r[0] == "+++" for r in changes)
            assert ours.removed == sum(r[0] == "---" for r in changes)
            assert ours.changed == sum(r[0].endswith("->") for r in changes)
            assert ours.added + ours.changed + ours.unchanged == len(new)
            assert ours.changes_only() == ours.rows


def test_a_value_holding_an_arrow_lengthens_the_arrow_and_is_still_counted():
    old = [{"id": "a", "name": "A->B"}, {"id": "b", "name": "B"}]
    new = [{"id": "a", "name": "A->C"}, {"id": "b", "name": "B2"}]
    diff = table_diff(old, new)
    assert diff.changed == 2 and diff.summary == "0 added, 0 removed, 2 changed, 0 unchanged"
    assert diff.rows[1:] == [["-->", "a", "A->B-->A->C"], ["-->", "b", "B-->B2"]]
    assert "name: A->B --> A->C" in diff.text()


def test_unchanged_rows_left_out_are_counted():
    diff = table_diff([{"id": "a", "name": "A"}], [{"id": "a", "name": "B"}], same=7)
    assert (diff.changed, diff.unchanged) == (1, 7)
