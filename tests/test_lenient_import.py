"""A hand-kept directory loads on the first try: a value that cannot be cleaned but does no harm
is published as written, with a warning the member can act on; `--strict` refuses it instead."""
from __future__ import annotations

from pathlib import Path

from .test_cli import run

TEMPLATE = """\
name,phone,website,country,email
Harbour Bakery,+1 555 0100,harbourbakery.coop,,info@harbourbakery.coop
Corner Bikes,(555) 0100,cornerbikes.coop;cornerbikes.org,US,hello@cornerbikes.coop
Maison Verte,01 23 45 67 89,maisonverte.coop,,bonjour at maisonverte dot coop
"""


def test_a_template_with_unplaceable_phones_loads_every_record_with_warnings(tmp_path: Path) -> None:
    store = ["--store", str(tmp_path / "store")]
    run("member", "add", "alpha", "--name", "Alpha", *store, cwd=tmp_path)
    data = tmp_path / "directory.csv"
    data.write_text(TEMPLATE, encoding="utf-8")
    loaded = run("load", "--member", "alpha", str(data), *store, cwd=tmp_path)
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    assert "3 valid records" in loaded.stdout and "committed" in loaded.stdout
    assert "warning: row 2, field phone ('+1 555 0100')" in loaded.stdout
    assert "warning: row 3, field phone ('(555) 0100')" in loaded.stdout
    assert "warning: row 4, field email" in loaded.stdout

    everything = run("dump", "-", "--audience", "admin", *store, cwd=tmp_path).stdout
    assert '"(555) 0100"' in everything and "tel:(555)" not in everything
    assert '"bonjour at maisonverte dot coop"' in everything
    assert "<https://cornerbikes.org>" in everything  # the second website, a further page
    assert "<http://xmlns.com/foaf/0.1/page>" in everything


def test_strict_refuses_the_same_template_and_writes_nothing(tmp_path: Path) -> None:
    store = ["--store", str(tmp_path / "store")]
    run("member", "add", "alpha", "--name", "Alpha", *store, cwd=tmp_path)
    data = tmp_path / "directory.csv"
    data.write_text(TEMPLATE, encoding="utf-8")
    refused = run("load", "--member", "alpha", str(data), "--strict", *store, cwd=tmp_path)
    assert refused.returncode == 1
    assert "error: row 3, field phone ('(555) 0100')" in refused.stdout
    assert "the import is strict" in refused.stdout
    assert "nothing was written" in refused.stderr
    assert "Harbour Bakery" not in run("dump", "-", "--audience", "admin", *store, cwd=tmp_path).stdout
    checked = run("validate", str(data), "--strict", cwd=tmp_path)
    assert checked.returncode == 1


def test_a_members_default_phone_country_places_numbers_of_records_without_one(tmp_path: Path) -> None:
    store = ["--store", str(tmp_path / "store")]
    added = run("member", "add", "paris", "--name", "Paris", "--phone-country", "fr", *store, cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    data = tmp_path / "directory.csv"
    data.write_text("name,phone\nMaison Verte,01 23 45 67 89\n", encoding="utf-8")
    loaded = run("load", "--member", "paris", str(data), *store, cwd=tmp_path)
    assert loaded.returncode == 0 and "field phone" not in loaded.stdout, loaded.stdout
    assert "<tel:+33123456789>" in run("dump", "-", "--audience", "admin", *store, cwd=tmp_path).stdout
