"""An import, from a member's file to its published graphs.

read -> map -> normalise -> validate (SHACL) -> diff against the member's current data ->
on commit, replace the member's graphs and record provenance in one store transaction.
A plan is computed without writing anything; `--dry-run` and review pages show it.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Triple, serialize

from datacommons.audience import Audience
from datacommons.policy import Policy, publish
from datacommons.store import Commons
from datacommons.uris import Uris
from datacommons.vocab import COOP, DCTERMS, PROV, RDF, XSD
from datacommons import access
from datacommons.gcpause import no_gc
from datacommons.revision import member_revision

from reconciliation import reconcile

from . import crashpoint
from .concepts import ConceptIndex
from .diff import table_diff
from .history import history_of
from .import_state import Remembered, StateChange, import_state, raw_hash, state_key, warnings_of
from .normalise import normalise_all
from .plan import ImportPlan, ImportRefused, MassRemovalRefused, SnapshotDelta
from .readers import ReadResult, raw_records_from_rdf, read
from .record import Problem, RawRecord, Record
from .tordf import record_row, record_triples
from .validate import validate


def _pending_key(member: str) -> str:
    return f"pending-import:{member}"


def recover_commit(commons: Commons, member: str, *, wait: bool = True) -> None:
    """Settle a commit of the member's that a crash interrupted, so the system area says what
    the store holds.

    A commit records its intent (the import's number) in the system area before it writes
    the store, and clears it in the same transaction that records the import as done. An
    intent still there means the process died in between: if the store holds the import's
    provenance (its write is one transaction: all or nothing), the import happened and is
    recorded now; if not, nothing happened and the intent is dropped. Either way a retried
    commit takes the next free number and a preview made before the crash is stale exactly
    when the store moved. `wait=False` (for reads): if this process is committing now, the
    intent is that commit's own, not a crash's; leave it."""
    key = _pending_key(member)
    if commons.system.setting(key) is None:
        return
    lock = reconcile.writing(commons)
    if not lock.acquire(blocking=wait):
        return
    try:
        pending = commons.system.setting(key)
        if pending is None:
            return
        number = int(pending)
        activity = commons.uris.import_(member, number)
        if commons.quads_of(activity, [commons.uris.imports_graph(member)]):
            _settle(commons, member, number)
        else:
            commons.system.set_settings({}, remove=(key,))
    finally:
        lock.release()


def _settle(commons: Commons, member: str, number: int) -> None:
    """Record import `number` as the member's last, and its intent as done, at once."""
    commons.system.set_settings(
        {f"imports:{member}": str(number), f"revision:{member}": f"import-{number}"},
        remove=(_pending_key(member),),
    )


def _records_from_store(commons: Commons, member: str, concepts: ConceptIndex) -> list[Record]:
    records, _ = normalise_all(raw_records_from_rdf(commons.member_triples(member)), concepts)
    return records


def plan_import(
    commons: Commons,
    member: str,
    path: Path,
    *,
    mapping: Path | None = None,
    fmt: str | None = None,
    skip_invalid: bool = False,
    source_name: str | None = None,
    strict: bool = False,
) -> ImportPlan:
    """Work out everything an import would do, writing nothing.

    Every row is read; a row whose raw values are those of a record the member has stored
    (`import_state`) is that record, unchanged: only the other rows are normalised,
    validated, published and compared with what is stored. `strict` makes every warning an
    error (for members who want nothing kept as written).
    """
    if commons.system.member(member) is None:
        raise ImportRefused(f"no member organisation {member!r}; add it with 'datacommons member add'")
    recover_commit(commons, member, wait=False)
    data = Path(path).read_bytes()
    revision = member_revision(commons, member)
    with no_gc():
        result = read(Path(path), mapping=mapping, fmt=fmt)
        apply_member_defaults(commons, member, result.records)
        known = import_state(commons).recall(member, state_key(commons, revision))
        plan = _plan(commons, member, result, known, skip_invalid, strict)
    if plan.snapshot_delta is not None:
        # the memory recalled describes the member's data after its last import
        if revision.startswith("import-"):
            plan.snapshot_delta.base = int(revision.removeprefix("import-"))
        else:
            plan.snapshot_delta = None  # (not expected) the history snapshots plan.records whole
    plan.source_name = source_name or Path(path).name
    plan.source_hash = "sha256:" + hashlib.sha256(data).hexdigest()
    plan.revision = revision
    return plan


def phone_country_of(commons: Commons, member: str) -> str | None:
    """The country a member's phone numbers are dialled from when a record has none."""
    return commons.system.setting(f"phone-country:{member}")


def apply_member_defaults(commons: Commons, member: str, raws: list[RawRecord]) -> None:
    """The member's defaults, for records whose source says nothing of them."""
    country = phone_country_of(commons, member)
    if country:
        for raw in raws:
            raw.hints.setdefault("phone_country", country)


def _plan(
    commons: Commons, member: str, result: ReadResult, known: dict[str, Remembered] | None,
    skip_invalid: bool, strict: bool = False,
) -> ImportPlan:
    uris = commons.uris
    by_hash = {k.hash: k for k in known.values()} if known else {}
    hashes: dict[int, str] = {}
    recalled: dict[int, Remembered] = {}

    def recall(raw: RawRecord) -> tuple[Record, list[Problem]] | None:
        digest = hashes[id(raw)] = raw_hash(raw.values, raw.hints)
        memory = by_hash.pop(digest, None)
        if memory is None:
            return None  # not remembered, or a second row with the same values (a duplicate)
        record = memory.record  # recalled once: it can take this row's position
        record.position = raw.position
        recalled[id(record)] = memory
        return record, memory.problems(raw.position, memory.checks)

    origins: dict[int, tuple[RawRecord, list[Problem]]] = {}
    records, problems = normalise_all(
        result.records, ConceptIndex.default(), recall=recall, origins=origins
    )
    problems = list(result.problems) + problems
    fresh = [r for r in records if id(r) not in recalled]

    # validate the records made now; the others were valid when stored, and keep their warnings
    triples_of = {r.local_id: record_triples(r, member, uris) for r in fresh}
    positions: dict[str, str] = {}
    for record in fresh:
        iri = uris.record(member, record.local_id)
        positions[iri] = positions[uris.address(iri)] = record.position
    shapes: dict[str, list[Problem]] = defaultdict(list)
    for problem in validate((t for ts in triples_of.values() for t in ts), positions):
        shapes[problem.position].append(problem)
    for record in records:  # in the order validating them all at once gives
        memory = recalled.get(id(record))
        problems += (memory.problems(record.position, memory.shapes) if memory is not None
                     else shapes.get(record.position, []))
    at_records = {r.position for r in records}
    problems += [p for position, ps in shapes.items() if position not in at_records for p in ps]
    if strict:
        problems = _strict(problems)

    bad_positions = {p.position for p in problems if p.severity == "error"}
    skipped = 0
    if skip_invalid and bad_positions:
        records = [r for r in records if r.position not in bad_positions]
        fresh = [r for r in fresh if r.position not in bad_positions]
        skipped = len(result.records) - len(records)
    new_ids = {r.local_id for r in records}
    if known is not None:
        gone = [i for i in known if i not in new_ids]
        before = [known[r.local_id].record for r in fresh if r.local_id in known]
        before += [known[i].record for i in gone]
        diff = table_diff([record_row(r) for r in before], [record_row(r) for r in fresh],
                          same=len(records) - len(fresh))
    else:
        current = commons.member_quads(member)
        old, _ = normalise_all(raw_records_from_rdf(q.triple for q in current), ConceptIndex.default())
        gone = [r.local_id for r in old if r.local_id not in new_ids]
        diff = table_diff([record_row(r) for r in old], [record_row(r) for r in records])
    plan = ImportPlan(
        member=member, source_name="", source_hash="", kind=result.kind, records=records,
        problems=problems, diff=diff, skipped=skipped,
    )
    if plan.errors and not skip_invalid:
        return plan

    new_quads = set(publish((t for r in fresh for t in triples_of[r.local_id]), commons.policy(member), uris))
    if known is not None:
        # what is stored of the records made now and of the records gone
        graphs = uris.member_graphs(member)
        plan.stored = {}
        for local_id in [r.local_id for r in fresh] + gone:
            iri = uris.record(member, local_id)
            plan.stored[iri] = commons.quads_of(iri, graphs) + commons.quads_of(uris.address(iri), graphs)
        current = {q for qs in plan.stored.values() for q in qs}
    elif not current:
        plan.stored = {}  # the member has nothing stored: no record has anything to replace
    plan.remove = current - new_quads
    plan.add = new_quads - current
    snapshots = _ntriples_each(triples_of)
    if known is None:
        plan.snapshots = [snapshots[r.local_id] for r in records]
    else:
        plan.snapshot_delta = SnapshotDelta(
            0, [r.local_id for r in records], b"".join(snapshots[r.local_id] for r in fresh)
        )
    plan.state = StateChange(
        changed=[
            Remembered(r.local_id, hashes[id(origins[id(r)][0])], r, warnings_of(origins[id(r)][1]),
                       warnings_of(shapes.get(r.position, [])))
            for r in fresh
        ],
        gone=gone,
        whole=known is None,
    )
    return plan


def _strict(problems: list[Problem]) -> list[Problem]:
    return [
        Problem(p.position, p.field, p.value, p.message + " (an error: the import is strict)")
        if p.severity != "error" else p
        for p in problems
    ]


def _ntriples_each(triples_of: dict[str, list[Triple]]) -> dict[str, bytes]:
    """Each record's triples as N-Triples, made by one call to the serializer (one line a
    triple, in order) and cut at the records' boundaries."""
    lines = serialize((t for ts in triples_of.values() for t in ts), format=RdfFormat.N_TRIPLES).split(b"\n")
    out: dict[str, bytes] = {}
    start = 0
    for key, ts in triples_of.items():
        end = start + len(ts)
        out[key] = b"\n".join(lines[start:end]) + b"\n"
        start = end
    if lines[start:] not in ([], [b""]):
        raise AssertionError("the N-Triples serializer did not write one line per triple")
    return out


def commit_import(commons: Commons, plan: ImportPlan, audience: Audience, *,
                  allow_remove_all: bool = False) -> str:
    """One commit at a time (web threads commit too): the staleness check, the store write
    and the reconcile that follows it must not interleave with another's.

    An import that would remove all or most of the member's records (`plan.mass_removal`) is
    refused unless `allow_remove_all`: an empty file must not silently wipe a directory."""
    with reconcile.writing(commons):
        return _commit_import(commons, plan, audience, allow_remove_all)


def _commit_import(commons: Commons, plan: ImportPlan, audience: Audience,
                   allow_remove_all: bool = False) -> str:
    """Replace the member's graphs as planned, with provenance, in one transaction.

    Returns the IRI of the recorded import.
    """
    if not access.may_write(audience, plan.member):
        raise ImportRefused(f"{audience} may not write member {plan.member!r}'s data")
    recover_commit(commons, plan.member)  # a crashed commit's number is not free again
    if plan.errors and not plan.skipped:
        raise ImportRefused(
            f"{len(plan.errors)} error(s) in {plan.source_name}; nothing was written"
        )
    if member_revision(commons, plan.member) != plan.revision:
        raise ImportRefused(
            f"member {plan.member!r}'s data changed since this import was previewed; "
            "preview it again"
        )
    if plan.mass_removal and not allow_remove_all:
        raise MassRemovalRefused(
            f"{plan.mass_removal}; nothing was written. If that is meant, confirm it "
            "(--allow-remove-all on the command line, allow_remove_all=true over HTTP)"
        )
    number = int(commons.system.setting(f"imports:{plan.member}") or 0) + 1
    activity = commons.uris.import_(plan.member, number)
    provenance = _provenance(commons, plan, activity, audience)
    with no_gc():
        reconciled = reconcile.plan_member_change(
            commons, plan.member, plan.remove, plan.add, stored=plan.stored
        )
        state = import_state(commons)
        state.forget(plan.member)  # until the write is done, nothing is remembered of it
        # write-ahead: a crash from here on is settled by `recover_commit`
        commons.system.set_setting(_pending_key(plan.member), str(number))
        crashpoint.reached("intent-recorded")
        history_of(commons).record(plan.member, number, plan)  # its diff, and the state to roll back to
        crashpoint.reached("history-recorded")
        commons.apply(
            remove=plan.remove | reconciled.remove, add=plan.add | set(provenance) | reconciled.add
        )
        crashpoint.reached("store-written")
        revision = f"import-{number}"
        _settle(commons, plan.member, number)
        crashpoint.reached("settings-written")
        reconciled.save(commons, [plan.member])
        crashpoint.reached("reconciled")
        if plan.state is not None:
            state.remember(plan.member, state_key(commons, revision), plan.state)
    return activity


def _provenance(commons: Commons, plan: ImportPlan, activity: str, audience: Audience) -> list[Quad]:
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    a = NamedNode(activity)
    graph = NamedNode(commons.uris.imports_graph(plan.member))

    def count(n: int) -> Literal:
        return Literal(str(n), datatype=XSD.integer)

    triples = [
        Triple(a, RDF.type, COOP.Import),
        Triple(a, RDF.type, PROV.Activity),
        Triple(a, PROV.wasAssociatedWith, NamedNode(commons.uris.member(plan.member))),
        Triple(a, PROV.endedAtTime, Literal(now, datatype=XSD.dateTime)),
        Triple(a, COOP.sourceName, Literal(plan.source_name)),
        Triple(a, COOP.sourceHash, Literal(plan.source_hash)),
        Triple(a, COOP.recordCount, count(len(plan.records))),
        Triple(a, COOP.added, count(plan.diff.added)),
        Triple(a, COOP.removed, count(plan.diff.removed)),
        Triple(a, COOP.changed, count(plan.diff.changed)),
        Triple(a, COOP.unchanged, count(plan.diff.unchanged)),
        Triple(a, COOP.diffSummary, Literal(plan.diff.summary)),
        Triple(a, DCTERMS.creator, Literal(str(audience))),
    ]
    return [Quad(*t, graph) for t in triples]


def republish(commons: Commons, member: str, policy: Policy) -> tuple[int, int]:
    with reconcile.writing(commons):
        return _republish(commons, member, policy)


def _republish(commons: Commons, member: str, policy: Policy) -> tuple[int, int]:
    """Store a changed policy and re-split the member's data by it, in one transaction.

    Returns how many quads moved (removed, added).
    """
    recover_commit(commons, member)
    current = commons.member_quads(member)
    new = set(publish(commons.member_triples(member), policy, commons.uris))
    old_policy = set(commons.old_policy_quads(member))
    new_policy = set(commons.policy_quads(policy))
    # canonical co-ops carry the member's values at their levels: they move with them
    reconciled = reconcile.plan_member_change(commons, member, current - new, new - current)
    remove = (current - new) | (old_policy - new_policy) | reconciled.remove
    add = (new - current) | (new_policy - old_policy) | reconciled.add
    commons.apply(remove=remove, add=add)
    commons.system.set_setting(f"revision:{member}", f"policy-{policy.version}")
    reconciled.save(commons, [member])
    return len(current - new), len(new - current)


def validate_file(
    path: Path, *, mapping: Path | None = None, fmt: str | None = None, strict: bool = False
) -> tuple[int, list[Problem]]:
    """Read, normalise and SHACL-validate a file with no store: (records read, problems)."""
    uris = Uris("http://localhost/validate")
    result = read(Path(path), mapping=mapping, fmt=fmt)
    records, problems = normalise_all(result.records, ConceptIndex.default())
    triples: list[Triple] = []
    positions: dict[str, str] = {}
    for record in records:
        triples += record_triples(record, "file", uris)
        iri = uris.record("file", record.local_id)
        positions[iri] = positions[uris.address(iri)] = record.position
    shacl = validate(triples, positions)
    found = list(result.problems) + problems + shacl
    return len(result.records), _strict(found) if strict else found
