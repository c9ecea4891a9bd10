"""Pausing Python's cycle collector while a plan is built."""
from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def no_gc() -> Iterator[None]:
    """Planning, committing and reconciling make a few hundred thousand small objects with
    no cycles: the collector's passes over them would cost more than the work."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
