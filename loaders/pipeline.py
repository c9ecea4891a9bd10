"""An import, from a member's file to its published graphs.

read -> map -> normalise -> validate (SHACL) -> diff against the member's current data ->
on commit, replace the member's graphs and record provenance in one store transaction.
A plan is computed without writing anything; `--dry-run` and review pages show it.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad, Triple

from datacommons.audience import Audience
from datacommons.policy import Policy, publish
from datacommons.store import Commons
from datacommons.vocab import COOP, DCTERMS, PROV, RDF, XSD
from datacommons import access

from . import reconcile
from .concepts import ConceptIndex
from .diff import TableDiff, table_diff
from .normalise import normalise_all
from .readers import raw_records_from_rdf, read
from .record import Problem, Record
from .tordf import record_row, record_triples
from .validate import validate


class ImportRefused(Exception):
    """The import cannot be committed as asked (errors in the input, stale plan, no right)."""


@dataclass
class ImportPlan:
    member: str
    source_name: str
    source_hash: str
    kind: str
    records: list[Record]
    problems: list[Problem]
    diff: TableDiff
    remove: set[Quad] = field(default_factory=set)
    add: set[Quad] = field(default_factory=set)
    revision: str = ""
    skipped: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != "error"]

    def report(self) -> str:
        """The validation report and the table diff, as text for a terminal."""
        lines = [f"{self.source_name}: {len(self.records)} valid records ({self.kind})"]
        if self.skipped:
            lines.append(f"{self.skipped} invalid records skipped")
        lines += [str(p) for p in self.problems]
        lines.append(f"changes: {self.diff.summary}")
        if not self.diff.is_empty:
            lines.append(self.diff.text())
        return "\n".join(lines)


def member_revision(commons: Commons, member: str) -> str:
    """A fingerprint of what the member has published now; a plan made on another is stale."""
    return commons.system.setting(f"revision:{member}") or "0"


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
) -> ImportPlan:
    """Work out everything an import would do, writing nothing."""
    if commons.system.member(member) is None:
        raise ImportRefused(f"no member organisation {member!r}; add it with 'datacommons member add'")
    data = Path(path).read_bytes()
    concepts = ConceptIndex.default()
    result = read(Path(path), mapping=mapping, fmt=fmt)
    records, problems = normalise_all(result.records, concepts)
    problems = list(result.problems) + problems

    triples_by_record = {r.position: record_triples(r, member, commons.uris) for r in records}
    positions: dict[str, str] = {}
    for record in records:
        iri = commons.uris.record(member, record.local_id)
        positions[iri] = positions[commons.uris.address(iri)] = record.position
    all_triples = [t for ts in triples_by_record.values() for t in ts]
    problems += validate(all_triples, positions)

    bad_positions = {p.position for p in problems if p.severity == "error"}
    skipped = 0
    if skip_invalid and bad_positions:
        kept = [r for r in records if r.position not in bad_positions]
        skipped = len(result.records) - len(kept)
        records = kept
    revision = member_revision(commons, member)
    old = _records_from_store(commons, member, concepts)
    diff = table_diff([record_row(r) for r in old], [record_row(r) for r in records])
    plan = ImportPlan(
        member=member,
        source_name=source_name or Path(path).name,
        source_hash="sha256:" + hashlib.sha256(data).hexdigest(),
        kind=result.kind,
        records=records,
        problems=problems,
        diff=diff,
        revision=revision,
        skipped=skipped,
    )
    if plan.errors and not skip_invalid:
        return plan
    new_quads = set(
        publish(
            (t for r in records for t in triples_by_record[r.position]),
            commons.policy(member),
            commons.uris,
        )
    )
    current = commons.member_quads(member)
    plan.remove = current - new_quads
    plan.add = new_quads - current
    return plan


def commit_import(commons: Commons, plan: ImportPlan, audience: Audience) -> str:
    """One commit at a time (web threads commit too): the staleness check, the store write
    and the reconcile that follows it must not interleave with another's."""
    with reconcile.writing(commons):
        return _commit_import(commons, plan, audience)


def _commit_import(commons: Commons, plan: ImportPlan, audience: Audience) -> str:
    """Replace the member's graphs as planned, with provenance, in one transaction.

    Returns the IRI of the recorded import.
    """
    from .history import history_of  # (history plans with this module)

    if not access.may_write(audience, plan.member):
        raise ImportRefused(f"{audience} may not write member {plan.member!r}'s data")
    if plan.errors and not plan.skipped:
        raise ImportRefused(
            f"{len(plan.errors)} error(s) in {plan.source_name}; nothing was written"
        )
    if member_revision(commons, plan.member) != plan.revision:
        raise ImportRefused(
            f"member {plan.member!r}'s data changed since this import was previewed; "
            "preview it again"
        )
    number = int(commons.system.setting(f"imports:{plan.member}") or 0) + 1
    activity = commons.uris.import_(plan.member, number)
    provenance = _provenance(commons, plan, activity, audience)
    reconciled = reconcile.plan_member_change(commons, plan.member, plan.remove, plan.add)
    history_of(commons).record(plan.member, number, plan)  # its diff, and the state to roll back to
    commons.apply(
        remove=plan.remove | reconciled.remove, add=plan.add | set(provenance) | reconciled.add
    )
    commons.system.set_setting(f"imports:{plan.member}", str(number))
    commons.system.set_setting(f"revision:{plan.member}", f"import-{number}")
    reconciled.save(commons, [plan.member])
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
    path: Path, *, mapping: Path | None = None, fmt: str | None = None
) -> tuple[int, list[Problem]]:
    """Read, normalise and SHACL-validate a file with no store: (records read, problems)."""
    from datacommons.uris import Uris

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
    return len(result.records), list(result.problems) + problems + shacl
