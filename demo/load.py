"""Building the demo commons: generate the members' files, then import each as a member would."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from datacommons.audience import ADMIN
from datacommons.store import Commons

from loaders.pipeline import commit_import, plan_import

from .generator import generate


def load_demo(commons: Commons, workdir: Path, *, seed: int = 7, coops: int = 3000) -> Iterator[str]:
    """Generate and import the demo members' files; yields a progress line per member."""
    for submission in generate(workdir, seed=seed, coops=coops):
        if commons.system.member(submission.member_id) is None:
            commons.add_member(submission.member_id, submission.name, submission.homepage)
        plan = plan_import(
            commons, submission.member_id, submission.path,
            mapping=submission.mapping, skip_invalid=True,
        )
        commit_import(commons, plan, ADMIN)
        skipped = f", {plan.skipped} invalid skipped" if plan.skipped else ""
        yield (
            f"{submission.member_id}: {len(plan.records)} co-ops from {submission.path.name} "
            f"({plan.kind}{skipped})"
        )
