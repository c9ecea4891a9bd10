"""A founding date is stored as the source meant it: Co-operatives UK writes 11/8/1863 for
11 August, a US federation for November 8, and the commons never swaps them silently."""
from __future__ import annotations

from pathlib import Path

import pytest

from loaders.concepts import ConceptIndex
from loaders.normalise import normalise_all
from loaders.readers import read
from loaders.record import InputError, RawRecord


@pytest.fixture(scope="module")
def concepts() -> ConceptIndex:
    return ConceptIndex.default()


def founded(records: list) -> dict[str, str | None]:
    return {r.name: r.founded for r in records}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_one_day_first_date_decides_the_whole_column(concepts: ConceptIndex) -> None:
    raws = [
        RawRecord("row 2", {"name": "Co-operative Group", "founded": "11/8/1863"}),
        RawRecord("row 3", {"name": "Midcounties", "founded": "23/6/1925"}),
        RawRecord("row 4", {"name": "Lincolnshire", "founded": "3/4/1861"}),
    ]
    records, problems = normalise_all(raws, concepts)
    assert founded(records) == {
        "Co-operative Group": "1863-08-11", "Midcounties": "1925-06-23", "Lincolnshire": "1861-04-03",
    }
    assert problems == []


def test_one_month_first_date_decides_the_whole_column(concepts: ConceptIndex) -> None:
    raws = [
        RawRecord("row 2", {"name": "A", "founded": "11/8/1863", "country": "GB"}),
        RawRecord("row 3", {"name": "B", "founded": "6/23/1925", "country": "GB"}),
    ]
    records, problems = normalise_all(raws, concepts)
    assert founded(records) == {"A": "1863-11-08", "B": "1925-06-23"}
    assert problems == []


def test_a_column_of_only_ambiguous_dates_follows_each_country_and_says_so(concepts: ConceptIndex) -> None:
    raws = [
        RawRecord("row 2", {"name": "Leeds Co-op", "founded": "11/8/1863", "country": "United Kingdom"}),
        RawRecord("row 3", {"name": "Ohio Co-op", "founded": "11/8/1963", "country": "US"}),
    ]
    records, problems = normalise_all(raws, concepts)
    assert founded(records) == {"Leeds Co-op": "1863-08-11", "Ohio Co-op": "1963-11-08"}
    [warning] = problems
    assert (warning.severity, warning.position, warning.field) == ("warning", "row 2", "founded")
    assert "day first (d/m/y) for GB" in warning.message
    assert "month first (m/d/y) for US" in warning.message
    assert "date_order" in warning.message


def test_a_column_with_both_orders_reads_the_ambiguous_dates_by_country_with_a_warning(concepts: ConceptIndex) -> None:
    raws = [
        RawRecord("row 2", {"name": "A", "founded": "25/12/1990", "country": "FR"}),
        RawRecord("row 3", {"name": "B", "founded": "12/25/1990", "country": "FR"}),
        RawRecord("row 4", {"name": "C", "founded": "1/2/1990", "country": "FR"}),
    ]
    records, problems = normalise_all(raws, concepts)
    assert founded(records) == {"A": "1990-12-25", "B": "1990-12-25", "C": "1990-02-01"}
    [warning] = problems
    assert warning.position == "row 4" and "day first (row 2: '25/12/1990')" in warning.message


def test_a_mapping_says_the_source_writes_day_first(tmp_path: Path, concepts: ConceptIndex) -> None:
    write(tmp_path, "m.toml", '[source]\ndate_order = "dmy"\n[fields]\nname = "Name"\nfounded = "Date"\n')
    path = write(tmp_path, "coops.csv", "Name,Date\nA,11/8/1863\nB,1/2/1990\n")
    result = read(path, mapping=tmp_path / "m.toml")
    records, problems = normalise_all(result.records, concepts)
    assert founded(records) == {"A": "1863-08-11", "B": "1990-02-01"}
    assert problems == []


def test_a_date_the_mappings_order_cannot_give_is_an_error(tmp_path: Path, concepts: ConceptIndex) -> None:
    write(tmp_path, "m.toml", '[source]\ndate_order = "mdy"\n[fields]\nname = "Name"\nfounded = "Date"\n')
    path = write(tmp_path, "coops.csv", "Name,Date\nA,11/8/1863\nB,23/6/1925\n")
    records, problems = normalise_all(read(path, mapping=tmp_path / "m.toml").records, concepts)
    assert founded(records) == {"A": "1863-11-08"}
    [error] = problems
    assert (error.severity, error.position, error.field, error.value) == ("error", "row 3", "founded", "23/6/1925")
    assert "month first" in error.message


def test_an_unknown_date_order_in_a_mapping_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "m.toml", '[source]\ndate_order = "dd/mm"\n[fields]\nname = "Name"\n')
    path = write(tmp_path, "coops.csv", "Name\nA\n")
    with pytest.raises(InputError, match="source.date_order"):
        read(path, mapping=tmp_path / "m.toml")
