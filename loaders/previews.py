"""Previews and rollbacks as imports: an uploaded file planned and kept for review, a plan
that goes back to an earlier import's records, and a kept preview planned again.

Above both the pipeline (which makes and commits plans) and the history (which keeps
previews and snapshots); neither imports this module.
"""
from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

from pyoxigraph import RdfFormat, serialize

from datacommons.policy import publish
from datacommons.revision import member_revision
from datacommons.store import Commons

from .concepts import ConceptIndex
from .diff import table_diff
from .history import Preview, history_of
from .pipeline import _records_from_store, plan_import, recover_commit
from .plan import ImportPlan, ImportRefused
from .record import Record
from .tordf import record_row, record_triples


def committed_count(commons: Commons, member: str) -> int:
    recover_commit(commons, member, wait=False)  # an import a crash left unrecorded counts
    return int(commons.system.setting(f"imports:{member}") or 0)


# --- previews as imports -----------------------------------------------------------------------
def preview_upload(commons: Commons, member: str, source_name: str, data: bytes, *,
                   fmt: str | None = None, mapping: bytes | None = None,
                   skip_invalid: bool = False) -> tuple[Preview, ImportPlan]:
    """Plan an uploaded file (writing nothing to the store) and keep it for review."""
    plan = _plan_bytes(commons, member, source_name, data, fmt, mapping, skip_invalid)
    preview = history_of(commons).keep_preview(
        member, plan.revision, source_name, data, fmt=fmt, mapping=mapping, skip_invalid=skip_invalid)
    history_of(commons).remember(preview.id, plan)
    return preview, plan


def rollback_plan(commons: Commons, member: str, number: int) -> ImportPlan:
    """Plan going back to the member's records as they were after import `number`."""
    if not 0 < number <= committed_count(commons, member):
        raise ImportRefused(f"member {member!r} has no import {number}")
    return plan_records(commons, member, history_of(commons).snapshot_records(member, number),
                        f"rollback to import {number}")


def preview_rollback(commons: Commons, member: str, number: int) -> tuple[Preview, ImportPlan]:
    """A rollback to review before committing it, like an upload."""
    plan = rollback_plan(commons, member, number)
    preview = history_of(commons).keep_preview(
        member, plan.revision, plan.source_name, b"", fmt=None, mapping=None, skip_invalid=False,
        rollback_to=number)
    history_of(commons).remember(preview.id, plan)
    return preview, plan


def replan(commons: Commons, preview_id: str) -> tuple[Preview, ImportPlan]:
    """The plan of a preview, made again from what was kept; refused if it went stale."""
    history = history_of(commons)
    preview, data, mapping, fmt, skip_invalid = history.preview(preview_id)
    recover_commit(commons, preview.member, wait=False)
    if member_revision(commons, preview.member) != preview.revision:
        raise ImportRefused(
            f"member {preview.member!r}'s data changed since this preview was made (another "
            "import or a policy change); nothing was written. Upload the file again to see the "
            "diff against the current data."
        )
    cached = history.recall(preview_id, preview.revision)
    if cached is not None:
        return preview, cached
    if preview.rollback_to is not None:
        records = history.snapshot_records(preview.member, preview.rollback_to)
        return preview, plan_records(commons, preview.member, records, preview.source_name)
    return preview, _plan_bytes(commons, preview.member, preview.source_name, data, fmt, mapping, skip_invalid)


def _plan_bytes(commons: Commons, member: str, source_name: str, data: bytes, fmt: str | None,
                mapping: bytes | None, skip_invalid: bool) -> ImportPlan:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / (Path(source_name).name or "upload")
        path.write_bytes(data)
        mapping_path = None
        if mapping is not None:
            mapping_path = Path(tmp) / "mapping.toml"
            mapping_path.write_bytes(mapping)
        return plan_import(commons, member, path, mapping=mapping_path, fmt=fmt,
                           skip_invalid=skip_invalid, source_name=source_name)


def plan_records(commons: Commons, member: str, records: list[Record], source_name: str) -> ImportPlan:
    """An import plan for records already normalised (a rollback), as `plan_import` makes one."""
    revision = member_revision(commons, member)
    old = _records_from_store(commons, member, ConceptIndex.default())
    diff = table_diff([record_row(r) for r in old], [record_row(r) for r in records])
    triples = [t for r in records for t in record_triples(r, member, commons.uris)]
    digest = hashlib.sha256(serialize(triples, format=RdfFormat.N_TRIPLES)).hexdigest()
    plan = ImportPlan(member=member, source_name=source_name, source_hash="sha256:" + digest,
                      kind="rollback", records=records, problems=[], diff=diff, revision=revision)
    new = set(publish(triples, commons.policy(member), commons.uris))
    current = commons.member_quads(member)
    plan.remove, plan.add = current - new, new - current
    return plan
