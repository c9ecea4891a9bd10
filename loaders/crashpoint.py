"""Named steps of a commit at which a test can stop the process, so that it is killed
(SIGKILL) exactly there and not at a moment chosen by timing; the test then checks what the
commons makes of the half-done commit when it is opened again.

Off unless the environment variable DATACOMMONS_PAUSE_AT names a step: the process then
writes the step's name to the file DATACOMMONS_PAUSE_FILE (if set) and waits, forever, to be
killed.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

STEPS = ("intent-recorded", "history-recorded", "store-written", "settings-written", "reconciled")


def reached(step: str) -> None:
    if os.environ.get("DATACOMMONS_PAUSE_AT") != step:
        return
    marker = os.environ.get("DATACOMMONS_PAUSE_FILE")
    if marker:
        Path(marker).write_text(step, encoding="utf-8")
    while True:  # until killed
        time.sleep(3600)
