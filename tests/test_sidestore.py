"""The side stores (the system area's databases in the store folder) are opened by one module:
every database file there is one it knows, in write-ahead-log mode, opened once per commons."""
from __future__ import annotations

import sqlite3
from pathlib import Path

from datacommons.sidestore import FILES, SideStore
from datacommons.store import Commons
from loaders.history import History, history_of
from loaders.previews import preview_upload
from loaders.import_state import import_state
from reconciliation.reconcile import state_of

from .conftest import BASE, CORE_CSV, World


def test_every_database_in_the_store_folder_is_a_side_store_opened_in_wal_mode(world: World) -> None:
    commons = world.commons
    preview_upload(commons, "alpha", "coops.csv", CORE_CSV.encode())
    state_of(commons).state("anything")
    import_state(commons)
    found = {p.name for p in commons.path.glob("*.sqlite3")}
    assert found == set(FILES.values())
    for name in found:
        with sqlite3.connect(commons.path / name) as db:
            assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal", name


def test_each_side_store_is_opened_once_per_commons(world: World, tmp_path: Path) -> None:
    assert history_of(world.commons) is history_of(world.commons)
    assert state_of(world.commons) is state_of(world.commons)
    other = Commons(tmp_path / "other", base=BASE)
    try:
        assert history_of(other) is not history_of(world.commons)
    finally:
        other.close()


def test_an_import_history_made_before_snapshots_had_a_base_opens_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / FILES["imports"]
    with sqlite3.connect(path) as old:
        old.execute("CREATE TABLE history (member TEXT NOT NULL, number INTEGER NOT NULL, committed TEXT "
                    "NOT NULL, source_name TEXT NOT NULL, summary TEXT NOT NULL, diff TEXT NOT NULL, "
                    "snapshot BLOB NOT NULL, PRIMARY KEY (member, number))")
        old.execute("INSERT INTO history VALUES ('alpha', 1, '2025-01-01T00:00:00+00:00', 'a.csv', "
                    "'1 added', '{}', x'00')")
    history = History(path)
    assert [i.source_name for i in history.imports("alpha", 1)] == ["a.csv"]
    assert history._rows("SELECT base FROM history") == [(None,)]


def test_a_member_another_process_adds_is_seen_at_once_by_a_running_commons(world: World) -> None:
    elsewhere = SideStore(world.commons.path / FILES["system"], "")
    assert world.commons.system.member("gamma") is None
    elsewhere.execute("INSERT INTO members (id, name, created) VALUES ('gamma', 'Gamma', 'now')")
    elsewhere.close()
    assert world.commons.system.member("gamma").name == "Gamma"

