"""The demo commons: what its members submit is realistic, messy where real exports are, and
always the same for the same seed."""
from __future__ import annotations

import csv
import io
import json
import tomllib
from collections import Counter, defaultdict
from pathlib import Path

import phonenumbers
import pytest

from datacommons.fields import TEMPLATE_COLUMNS
from demo.generator import (
    ACTIVITY_IDS, FOREIGN_FIELDS, STANDARD_COLUMNS, STRUCTURE_IDS, MemberSubmission, generate,
    generate_records,
)
from demo.places import PLACES

COUNTRY = {"CA": "CA", "CAN": "CA", "Canada": "CA", "US": "US", "USA": "US",
           "United States": "US"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> list[MemberSubmission]:
    return generate(tmp_path_factory.mktemp("demo"), coops=3000)


def _text(path: Path) -> str:
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def _rows(submission: MemberSubmission) -> list[dict[str, str]]:
    """Each row as a dict of template keys, read the way the member wrote it."""
    text = _text(submission.path)
    if submission.path.suffix == ".json":
        return [{k: "" if v is None else v for k, v in row.items()} for row in json.loads(text)]
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    if rows and "Identifier" in rows[0]:
        return [{"id": r["Identifier"], "name": r["Name"], "phone": r["Phone"],
                 "country": r["Country ID"], "locality": r["Locality"],
                 "latitude": r["Latitude"], "longitude": r["Longitude"]} for r in rows]
    if submission.mapping:
        fields = tomllib.loads(submission.mapping.read_text(encoding="utf-8"))["fields"]
        return [{field: r[source] if isinstance(source, str) else source["value"]
                 for field, source in fields.items() if isinstance(source, str)
                 or "value" in source} for r in rows]
    return rows


def _by_member(demo: list[MemberSubmission]) -> dict[str, list[dict[str, str]]]:
    return {s.member_id: _rows(s) for s in demo}


def test_same_seed_gives_byte_identical_files_and_another_seed_does_not(tmp_path: Path) -> None:
    def files(seed: int, where: str) -> dict[str, bytes]:
        out = tmp_path / where
        generate(out, seed=seed, coops=500)
        return {p.name: p.read_bytes() for p in sorted(out.iterdir())}

    first = files(7, "a")
    assert files(7, "b") == first
    other = files(8, "c")
    assert other.keys() == first.keys()
    assert all(other[name] != first[name] for name in first if not name.endswith(".toml"))


def test_at_least_five_members_each_with_its_own_file_and_homepage(demo) -> None:
    assert len(demo) >= 5
    assert len({s.member_id for s in demo}) == len(demo)
    for s in demo:
        assert s.path.is_file() and s.path.stat().st_size > 0
        assert s.homepage.startswith("https://")


def test_members_submit_template_csv_standard_csv_json_and_a_mapped_foreign_csv(demo) -> None:
    headers = {}
    for s in demo:
        if s.path.suffix == ".csv":
            headers[s.member_id] = tuple(next(csv.reader(io.StringIO(_text(s.path)))))
    assert TEMPLATE_COLUMNS in headers.values()
    assert STANDARD_COLUMNS in headers.values()
    assert tuple(FOREIGN_FIELDS.values()) in headers.values()
    json_members = [s for s in demo if s.path.suffix == ".json"]
    assert json_members
    for s in json_members:
        rows = json.loads(s.path.read_text(encoding="utf-8"))
        assert all(set(row) <= set(TEMPLATE_COLUMNS) for row in rows)
        assert all(isinstance(row["activities"], list) for row in rows)


def test_the_foreign_export_is_fully_described_by_its_mapping(demo) -> None:
    (foreign,) = [s for s in demo if s.mapping]
    fields = tomllib.loads(foreign.mapping.read_text(encoding="utf-8"))["fields"]
    rows = list(csv.DictReader(io.StringIO(_text(foreign.path), newline="")))
    for spec in fields.values():
        source = spec if isinstance(spec, str) else spec.get("column")
        assert source is None or source in rows[0]
    assert fields["country"] == {"value": "US"}
    types = fields["structure"]["lookup"]["values"]
    industries = fields["activities"]["lookup"]["values"]
    split = fields["activities"]["split"]
    assert {r["Type"] for r in rows} <= set(types)
    assert {term.strip() for r in rows for term in r["Industry"].split(split)} <= set(industries)
    assert set(types.values()) <= set(STRUCTURE_IDS)
    assert set(industries.values()) <= set(ACTIVITY_IDS)


def test_standard_csv_vocabulary_cells_are_concept_ids_or_uris(demo) -> None:
    ids = set(STRUCTURE_IDS.values()) | set(ACTIVITY_IDS.values())
    standard = [s for s in demo if s.path.suffix == ".csv"
                and next(csv.reader(io.StringIO(_text(s.path)))) == list(STANDARD_COLUMNS)]
    assert standard
    cells = [value for s in standard
             for row in csv.DictReader(io.StringIO(_text(s.path), newline=""))
             for column in ("Organisational Structure", "Primary Activity", "Activities")
             for value in row[column].split(";") if value]
    assert {c.rsplit("/", 1)[-1] for c in cells} <= ids
    assert any(c.startswith("http://purl.org/essglobal/standard/") for c in cells)
    assert any(c in ids for c in cells)
    assert "credit-union" in cells


def test_one_file_is_windows_1252_and_one_starts_with_a_utf8_bom(demo) -> None:
    cp1252 = []
    for s in demo:
        data = s.path.read_bytes()
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            cp1252.append(s)
            assert "Montréal" in data.decode("cp1252")
    assert len(cp1252) == 1
    assert sum(s.path.read_bytes().startswith(b"\xef\xbb\xbf") for s in demo) == 1


def test_files_carry_the_mess_a_good_loader_must_handle(demo) -> None:
    texts = {s.member_id: _text(s.path) for s in demo}
    everything = "\n".join(texts.values())
    assert "&amp;" in everything
    rows = _by_member(demo)
    descriptions = [r.get("description", "") for member in rows.values() for r in member]
    assert any("\n" in d for d in descriptions)
    template_rows = [r for member in rows.values() for r in member if "listed" in r]
    assert any(r["listed"] in ("false", False) for r in template_rows)
    assert {r["country"] for r in template_rows} >= {"Canada", "CA", "CAN", "USA", "US"}
    founded = {r["founded"] for r in template_rows if r.get("founded")}
    assert any(f.isdigit() for f in founded)
    assert any("/" in f for f in founded) and any("-" in f for f in founded)
    assert any(r["name"] != r["name"].strip() for r in template_rows)


def test_quebec_coops_sometimes_have_french_names(demo) -> None:
    names = [r["name"] for member in _by_member(demo).values() for r in member
             if r.get("locality", "").strip() == "Montréal"]
    assert any(n.strip().startswith(("Coopérative", "Coop ", "Caisse")) for n in names)
    assert any("Co-op" in n or "Co-operative" in n for n in names)


def test_about_a_sixth_of_coops_are_listed_by_two_or_three_members(demo) -> None:
    truth = list(csv.DictReader((demo[0].path.parent / "truth.csv").open(encoding="utf-8")))
    holders = Counter(row["coop"] for row in truth)
    assert len(holders) == 3000
    shared = sum(1 for n in holders.values() if n > 1)
    assert 0.15 <= shared / len(holders) <= 0.20
    assert max(holders.values()) == 3

    localities: dict[str, set[str]] = defaultdict(set)
    rows = {(member, r["id"]): r for member, member_rows in _by_member(demo).items()
            for r in member_rows}
    for row in truth:
        localities[row["coop"]].add(rows[(row["member"], row["local_id"])]["locality"].strip())
    assert all(len(places) == 1 for places in localities.values())


def test_each_member_uses_unique_local_ids(demo) -> None:
    for member, rows in _by_member(demo).items():
        ids = [r["id"] for r in rows]
        assert len(ids) == len(set(ids)), member


def test_every_phone_number_is_valid_for_its_country(demo) -> None:
    checked = 0
    for member, rows in _by_member(demo).items():
        for row in rows:
            if not row.get("phone"):
                continue
            country = COUNTRY[row["country"]]
            number = phonenumbers.parse(row["phone"], country)
            assert phonenumbers.is_valid_number(number), (member, row["phone"])
            assert phonenumbers.is_valid_number_for_region(number, country), (member, row["phone"])
            checked += 1
    assert checked > 3000


def test_coordinates_are_in_north_america_near_their_city(demo) -> None:
    checked = 0
    for rows in _by_member(demo).values():
        for row in rows:
            if row.get("latitude") in (None, ""):
                continue
            lat, lon = float(row["latitude"]), float(row["longitude"])
            assert 24 < lat < 72 and -170 < lon < -52
            checked += 1
    assert checked > 3000


def test_places_cover_every_province_and_territory_and_many_states() -> None:
    assert len(PLACES) >= 60
    provinces = {p.region for p in PLACES if p.country == "CA"}
    assert provinces == {"QC", "ON", "BC", "AB", "SK", "MB", "NS", "NB", "PE", "NL", "YT",
                         "NT", "NU"}
    assert len({p.region for p in PLACES if p.country == "US"}) >= 40


def test_generate_records_yields_template_rows_for_100k_coops() -> None:
    count = 0
    for row in generate_records(coops=100_000):
        if count == 0:
            assert tuple(row) == TEMPLATE_COLUMNS
        count += 1
    assert count == 100_000


def test_generate_records_are_the_coops_the_truth_file_names(demo) -> None:
    keys = {row["id"] for row in generate_records(coops=3000)}
    truth = csv.DictReader((demo[0].path.parent / "truth.csv").open(encoding="utf-8"))
    assert {row["coop"] for row in truth} == keys
