"""Writes larger than one bulk-load ingestion: in batches, still all of it or none, even when
the process dies part-way (datacommons/bigwrite.py). The limits are lowered so that a few
hundred quads make several batches; the code path is the one millions of quads take."""
from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Triple

from datacommons import bigwrite
from datacommons.audience import ADMIN, SYSTEM
from datacommons.config import Config
from datacommons.store import Commons, StoreError
from datacommons.uris import Level

from .conftest import BASE, CORE_CSV, load_text

ROOT = Path(__file__).resolve().parent.parent
EMBEDDED = Config(backend="embedded")


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bigwrite, "ATOMIC_LIMIT", 100)
    monkeypatch.setattr(bigwrite, "BATCH", 100)


def statements(commons: Commons, n: int) -> list[Quad]:
    """`n` public statements of member alpha (the public view gets them too)."""
    graph = NamedNode(commons.uris.graph("alpha", Level.PUBLIC))
    return [
        Quad(NamedNode(f"{BASE}/id/coop/alpha/c{i // 10}"), NamedNode(f"{BASE}/vocab#p{i % 10}"),
             Literal(f"value {i}"), graph)
        for i in range(n)
    ]


def everything(commons: Commons) -> list[str]:
    """Every quad in the store, the public view's included."""
    return sorted(str(q) for q in commons._store.quads_for_pattern(None, None, None, None))


def test_a_write_larger_than_a_batch_lands_whole(commons: Commons, small_batches: None) -> None:
    commons.add_member("alpha", "Alpha")
    version = commons.version
    quads = statements(commons, 350)  # 700 with the public view's: seven batches
    commons.apply(remove=(), add=quads)
    stored = set(commons.quads_in([commons.uris.graph("alpha", Level.PUBLIC)], SYSTEM))
    assert stored == set(quads)
    view = {q.triple for q in commons.quads_in([commons.public_view], SYSTEM)}
    assert {q.triple for q in quads} <= view
    assert commons.version == version + 1
    assert not (commons.path / bigwrite.FOLDER).exists()


def test_a_first_import_in_batches_stores_what_one_transaction_does(tmp_path: Path, monkeypatch) -> None:
    def imported(name: str) -> tuple[set[Quad], set[Triple]]:
        commons = Commons(tmp_path / name, base=BASE)
        commons.add_member("alpha", "Alpha")
        load_text(commons, "alpha", CORE_CSV, tmp_path)
        try:
            view = {q.triple for q in commons.quads_in([commons.public_view], SYSTEM)}
            # (the vocabulary's blank nodes are named afresh in each store)
            named = {t for t in view if not any(isinstance(x, BlankNode) for x in (t.subject, t.object))}
            return commons.member_quads("alpha", SYSTEM), named
        finally:
            commons.close()

    whole = imported("whole")
    assert len(whole[0]) > 3 * 20  # so that the import below is written in several batches
    monkeypatch.setattr(bigwrite, "ATOMIC_LIMIT", 20)
    monkeypatch.setattr(bigwrite, "BATCH", 20)
    assert imported("batched") == whole


def test_a_write_killed_after_its_first_batch_leaves_the_store_as_it_was(tmp_path: Path, caplog) -> None:
    path = tmp_path / "store"
    commons = Commons(path, base=BASE, config=EMBEDDED)
    commons.add_member("alpha", "Alpha")
    commons.apply(remove=(), add=statements(commons, 30))  # also in the big write below
    before, version = everything(commons), commons.version
    commons.close()

    child = subprocess.run(
        [sys.executable, "-c", f"from tests.test_big_write import write_big; write_big({str(path)!r})"],
        cwd=ROOT, env={**os.environ, "DATACOMMONS_TEST_BIG_WRITE_FAULT": "kill:1"},
        capture_output=True, text=True, timeout=120,
    )
    assert child.returncode == -9, child.stderr
    assert (path / bigwrite.FOLDER / "pending").exists()

    with caplog.at_level(logging.WARNING, logger="datacommons.bigwrite"):
        commons = Commons(path, config=EMBEDDED)
    try:
        assert everything(commons) == before  # the 30 quads written before the big one too
        assert "interrupted part-way" in caplog.text
        assert commons.version > version
        assert not (path / bigwrite.FOLDER).exists()
        commons.apply(remove=(), add=statements(commons, 40))  # and it takes writes again
        assert len(set(commons.quads_in([commons.uris.graph("alpha", Level.PUBLIC)], SYSTEM))) == 40
    finally:
        commons.close()


def write_big(path: str) -> None:
    """In a child process: a big write into the store at `path` (killed by the test hook)."""
    bigwrite.ATOMIC_LIMIT = bigwrite.BATCH = 100
    commons = Commons(path, config=EMBEDDED)
    commons.apply(remove=(), add=statements(commons, 350))


def test_a_partly_written_store_is_what_the_undo_repairs(tmp_path: Path) -> None:
    """The kill above really leaves a part of the write in the store until it is undone."""
    path = tmp_path / "store"
    commons = Commons(path, base=BASE, config=EMBEDDED)
    commons.add_member("alpha", "Alpha")
    count = len(everything(commons))
    commons.close()
    subprocess.run(
        [sys.executable, "-c", f"from tests.test_big_write import write_big; write_big({str(path)!r})"],
        cwd=ROOT, env={**os.environ, "DATACOMMONS_TEST_BIG_WRITE_FAULT": "kill:1"}, timeout=120,
    )
    (path / bigwrite.FOLDER / "pending").unlink()  # as if the journal had not been kept
    commons = Commons(path, config=EMBEDDED)
    try:
        assert len(everything(commons)) == count + 100  # the first batch stayed
    finally:
        commons.close()


def test_a_write_failing_after_its_first_batch_is_undone_at_once(
    tmp_path: Path, small_batches: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    commons = Commons(tmp_path / "store", base=BASE, config=EMBEDDED)
    try:
        commons.add_member("alpha", "Alpha")
        commons.apply(remove=(), add=statements(commons, 30))
        before, version = everything(commons), commons.version
        monkeypatch.setenv("DATACOMMONS_TEST_BIG_WRITE_FAULT", "raise:1")
        with pytest.raises(StoreError, match="failed and was undone"):
            commons.apply(remove=(), add=statements(commons, 350))
        assert everything(commons) == before
        assert commons.version > version  # what was read during the write is not cached as before
        assert not (commons.path / bigwrite.FOLDER).exists()
        monkeypatch.delenv("DATACOMMONS_TEST_BIG_WRITE_FAULT")
        commons.apply(remove=(), add=statements(commons, 350))
        assert len(set(commons.quads_in([commons.uris.graph("alpha", Level.PUBLIC)], SYSTEM))) == 350
        assert len(commons.quads_about(f"{BASE}/id/coop/alpha/c0", ADMIN)) == 10
    finally:
        commons.close()
