"""Additions-only writes too large for one store transaction, still all of it or none.

`Store.extend` writes in one RocksDB transaction, which at millions of quads holds gigabytes and
runs for many minutes (a first import of 100,000 co-ops, 2.6M quads, had not finished after 13
minutes at 10 GB). Oxigraph's bulk loader is several times faster, but it ingests what it loads
in pieces of `ATOMIC_LIMIT` quads, each on its own: a process killed part-way would leave part
of the write. So a write of that size is journaled first, in the folder `big-write` beside the
store:

1. a checkpoint of the store as it is, `before` (`Store.backup`: hard links to its immutable
   table files, so it takes a moment and little disk);
2. the marker `pending` (written and synced once the checkpoint is whole), naming the graphs
   the write changes;
3. the quads, bulk-loaded in batches of `BATCH`;
4. the caller's own bookkeeping (the store version), then the marker is removed (the write is
   done from here on) and the checkpoint deleted.

Whoever opens the store next and finds the marker (the process died in 3 or 4) puts the
checkpoint back in place of the store before opening it (`recover`), so the store is exactly as
it was before the write, every quad it held before included, however many of them the write also
contained. Putting back a checkpoint costs the same at any size; removing the quads instead would
cost more than writing them (clearing a graph of 1M quads took 86 s and 1.2 GB here).

Test hook: `DATACOMMONS_TEST_BIG_WRITE_FAULT` set to `kill:N` kills this process (SIGKILL) after
its N-th batch, `raise:N` raises `OSError` there, so that tests can interrupt a write part-way.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import signal
from collections.abc import Iterable
from pathlib import Path

from pyoxigraph import Quad, Store

log = logging.getLogger(__name__)

# Oxigraph's bulk-load batch (DEFAULT_BULK_LOAD_BATCH_SIZE): a bulk load of fewer quads is one
# ingestion, all of it or none; a write of this many or more is journaled here.
ATOMIC_LIMIT = 1_000_000
# Quads per `bulk_extend` call. Above `ATOMIC_LIMIT`, Oxigraph loads the call's pieces on two
# threads at once (2M quads in 34 s against 57 s in four calls of 500k, on this 2-core machine).
BATCH = 2_000_000

FOLDER = "big-write"
_MARKER = "pending"
_BEFORE = "before"
_PARTIAL = "partial"
_FAULT = "DATACOMMONS_TEST_BIG_WRITE_FAULT"


class Journal:
    """The journal of one store: `folder` beside the store at `location`."""

    def __init__(self, folder: Path, location: Path) -> None:
        self.folder = folder
        self.location = location

    def begin(self, store: Store, graphs: Iterable[str]) -> None:
        """Record the store as it is, before a big write to `graphs` starts."""
        shutil.rmtree(self.folder, ignore_errors=True)  # what an unfinished begin left
        self.folder.mkdir()
        store.backup(str(self.folder / _BEFORE))
        temporary = self.folder / f"{_MARKER}.tmp"
        with temporary.open("w") as out:
            json.dump({"graphs": sorted(graphs)}, out)
            out.flush()
            os.fsync(out.fileno())
        temporary.rename(self.folder / _MARKER)
        _sync_folder(self.folder)

    def finish(self) -> None:
        """The write is whole: from here on it stays."""
        (self.folder / _MARKER).unlink()
        _sync_folder(self.folder)
        shutil.rmtree(self.folder, ignore_errors=True)

    def recover(self) -> list[str] | None:
        """Before the store is opened: put back the store as it was before an unfinished big
        write, and return the graphs that write changed (None when there was none).

        Each step can be interrupted and the whole done again: the store moves aside, the
        checkpoint takes its place, then the marker and what moved aside are removed."""
        marker = self.folder / _MARKER
        if not marker.exists():
            shutil.rmtree(self.folder, ignore_errors=True)  # a finished or never started write
            return None
        graphs = json.loads(marker.read_text())["graphs"]
        before, partial = self.folder / _BEFORE, self.folder / _PARTIAL
        if before.exists():
            if self.location.exists():
                shutil.rmtree(partial, ignore_errors=True)
                self.location.rename(partial)
            before.rename(self.location)
            _sync_folder(self.location.parent)
        marker.unlink()
        _sync_folder(self.folder)
        shutil.rmtree(self.folder, ignore_errors=True)
        log.warning(
            "a large write to %s was interrupted part-way; the store was put back as it was "
            "before it", ", ".join(graphs) or "the store",
        )
        return graphs


def load(store: Store, quads: list[Quad]) -> None:
    """Bulk-load `quads` in batches (between `Journal.begin` and `Journal.finish`)."""
    kind, _, after = os.environ.get(_FAULT, "").partition(":")
    for number, start in enumerate(range(0, len(quads), BATCH), 1):
        store.bulk_extend(quads[start:start + BATCH])
        if kind and number == int(after):
            if kind == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            raise OSError(f"{_FAULT}: a fault after batch {number}")


def _sync_folder(folder: Path) -> None:
    """Make renames and removals in `folder` durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
