"""Reconciling the commons: member records that describe the same co-op become one canonical
co-op, `{base}/id/org/{slug}`, linked to each record with owl:sameAs.

Why owl:sameAs: a member record's IRI names the co-op itself (it is an essglobal:SSEInitiative,
not a document about one), and so does the canonical IRI; two names of one organisation is
what owl:sameAs says, and what generic linked-data tools follow. What each member *says* about
the co-op may differ; that is kept apart by graphs, not by the link.

Where the canonical co-op's values live: each value a member gave is written again with the
canonical IRI as subject, INTO THE SAME member graph and level it came from. So a value's
provenance is its graph (who said it, at which level), conflicts stay visible (two phone
numbers from two members are two statements in two graphs), and the one access decision
applies unchanged to every read path: a members-only phone stays members-only on the
canonical co-op, in SPARQL, pages, search and dumps alike. The links (`owl:sameAs`, the
`coop:CanonicalOrganisation` type) go at the level of the source record's own existence.

Reconciling is incremental: after an import, only the member's changed records are matched
again (their candidates come from blocking keys kept in the system area), and only the
clusters they touch are rebuilt and rewritten. The RDF changes are made in the same store
transaction as the import (see `loaders.pipeline`).
"""
from __future__ import annotations

import re
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from pyoxigraph import NamedNode, Quad

from datacommons.audience import SYSTEM
from datacommons.fields import Level
from datacommons.gcpause import no_gc
from datacommons.revision import member_revision
from datacommons.sidestore import per_commons, side_store
from datacommons.store import Commons
from datacommons.vocab import COOP, ESS, OWL, RDF

from .linkage import Model
from .matching import AUTO_MERGE, Comparison, Features, block_limit, blocking_keys, fold, word_keys
from .reconcile_clusters import cluster
from .reconcile_db import ReconcileDB, pair, set_state, write_links, write_records, write_slugs
from .reconcile_engine import features_from_quads, match

_LOCAL_ID, _TYPE = COOP.localId.value, RDF.type.value
_INITIATIVE = ESS.SSEInitiative.value


def writing(commons: Commons) -> threading.RLock:
    """The lock every change that reconciles holds from planning to saving (imports, policy
    changes, review decisions, rebuilds): each plans from the state the previous one left."""
    return per_commons(commons, "reconcile-writing", threading.RLock)


def state_of(commons: Commons) -> ReconcileDB:
    """The reconciler's tables for this store (opened once per `Commons`)."""
    return side_store(commons, "reconcile", ReconcileDB)


@dataclass
class ReconcilePlan:
    """What a reconcile will change: quads to remove and add (applied by the caller, in the
    same store transaction as the change that caused it), then `save` for the system area."""

    remove: set[Quad] = field(default_factory=set)
    add: set[Quad] = field(default_factory=set)
    gone: list[str] = field(default_factory=list)
    present: list[Features] = field(default_factory=list)
    rescored: list[str] = field(default_factory=list)
    links: dict[tuple[str, str], Comparison] = field(default_factory=dict)
    slugs: dict[str, str | None] = field(default_factory=dict)
    full: bool = False
    region: int = 0  # records whose clusters were rebuilt
    clusters: int = 0
    model: Model | None = None  # newly estimated weights (a rebuild), to keep for the next changes

    def save(self, commons: Commons, members: Iterable[str]) -> None:
        """Record features, links and canonical slugs; mark `members` as reconciled at their
        current revision (a crash before this makes the next reconcile redo their records)."""

        keys = {f.iri: blocking_keys(f) + word_keys(f) for f in self.present}
        with state_of(commons).transaction() as db:
            if self.full:
                for table in ("records", "keys", "links", "canonical"):
                    db.execute(f"DELETE FROM {table}")
            write_records(db, self.gone, self.present, keys, fresh=self.full)
            write_links(db, self.rescored, self.links)
            write_slugs(db, self.slugs)
            for member in members:
                set_state(db, f"reconciled:{member}", member_revision(commons, member))
            if self.model is not None:
                set_state(db, "model", self.model.to_json())
            set_state(db, "built", "yes")


# --- a whole rebuild -------------------------------------------------------------------------
def plan_rebuild(commons: Commons) -> ReconcilePlan:
    """Match every member record against every other; rebuild every canonical co-op."""
    db = state_of(commons)
    uris = commons.uris
    members = commons.members()
    public = frozenset(uris.graph(m, Level.PUBLIC) for m in members)
    by_record: dict[str, list[Quad]] = defaultdict(list)
    current: set[Quad] = set()
    with no_gc():
        for q in commons.quads_in(_member_graphs(commons), SYSTEM):
            subject = q.subject.value
            if uris.is_canonical(subject):
                current.add(q)
            else:
                by_record[subject.split("#", 1)[0]].append(q)
        features = features_from_quads((q for qs in by_record.values() for q in qs), uris, public)
        decisions = db.decisions()
        result = match(
            features,
            accepted=[p for p, d in decisions.items() if d == "accept"],
            rejected=[p for p, d in decisions.items() if d == "reject"],
        )
        old = dict(db.rows("SELECT iri, slug FROM canonical"))
        by_iri = {f.iri: f for f in features}
        slugs = _assign_slugs(db, result.clusters, old, by_iri)
        desired = set()
        for members_of, slug in _clusters_with_slugs(result.clusters, slugs):
            desired |= projection(commons, uris.canonical(slug), {r: by_record[r] for r in members_of})
    plan = ReconcilePlan(
        remove=current - desired,
        add=desired - current,
        gone=[],
        present=features,
        rescored=[],
        links=result.links,
        slugs=slugs,
        full=True,
        region=len(features),
        clusters=len(result.clusters),
        model=result.model,
    )
    return plan


def reconcile_all(commons: Commons) -> ReconcilePlan:
    """Rebuild everything (a new store, a recovery, `datacommons reconcile`)."""
    with writing(commons):
        plan = plan_rebuild(commons)
        commons.apply(remove=plan.remove, add=plan.add)
        plan.save(commons, commons.members())
    return plan


# --- after one member's change ---------------------------------------------------------------
def plan_member_change(
    commons: Commons, member: str, remove: set[Quad], add: set[Quad],
    stored: Mapping[str, list[Quad]] | None = None,
) -> ReconcilePlan:
    """What a change to `member`'s record quads (about to be applied) does to canonical co-ops.

    Only the records the change touches are matched again; only the clusters they were or
    will be in are rebuilt. A member whose last reconcile did not finish is redone whole.
    `stored`, when the caller read them, are the stored quads of the records it changes (a
    record not in it has none); else they are read here.
    """

    db = state_of(commons)
    if db.state("built") is None:
        reconcile_all(commons)
    uris = commons.uris
    added: dict[str, list[Quad]] = defaultdict(list)
    for q in add:
        added[q.subject.value.split("#", 1)[0]].append(q)
    touched = {s.split("#", 1)[0] for q in remove if not uris.is_canonical(s := q.subject.value)}
    touched |= {r for r in added if not uris.is_canonical(r)}
    if db.state(f"reconciled:{member}") not in (None, member_revision(commons, member)):
        touched |= db.member_records(member) | {
            q.subject.value.split("#", 1)[0] for q in commons.member_quads(member, SYSTEM)
        }
        stored = None

    def now(record: str) -> list[Quad]:
        before = stored.get(record, []) if stored is not None else _record_quads(commons, record)
        if not before:
            return added[record]
        return list((set(before) - remove) | set(added[record]))

    new_quads = {record: now(record) for record in touched}
    return _plan_region(commons, db, new_quads, seeds=set())


class DecisionRefused(Exception):
    """A review decision names records that are not a reviewable pair."""


def decide(commons: Commons, a: str, b: str, decision: str, by: str) -> ReconcilePlan:
    """An administrator accepts or rejects a pair; the clusters around it follow at once.

    The decision is kept by the records' URIs, so it outlives re-imports: a rejected pair is
    never proposed or merged again, an accepted one stays merged whatever its score.
    """
    if decision not in ("accept", "reject"):
        raise DecisionRefused(f"decision {decision!r}: use accept or reject")
    db = state_of(commons)
    found = db.features([a, b])
    for iri in (a, b):
        if iri not in found:
            raise DecisionRefused(f"<{iri}> is not a member record the commons has matched")
    if found[a].member == found[b].member:
        raise DecisionRefused("both records are from the same member; only records of different members are matched")
    with writing(commons):
        before = db.decisions([a]).get(pair(a, b))
        db.decide(a, b, decision, by)
        plan = _plan_region(commons, db, {}, seeds={a, b})
        if decision == "accept" and (plan.slugs.get(a) is None or plan.slugs.get(a) != plan.slugs.get(b)):
            db.undecide(a, b) if before is None else db.decide(a, b, before, by)
            raise DecisionRefused(
                "these records cannot be one co-op while their clusters hold two records of one "
                "member, or a pair in them was rejected; reject the wrong pair first"
            )
        commons.apply(remove=plan.remove, add=plan.add)
        plan.save(commons, [])
    return plan


def _plan_region(
    commons: Commons, db: ReconcileDB, new_quads: dict[str, list[Quad]], seeds: set[str]
) -> ReconcilePlan:
    uris = commons.uris
    public = frozenset(uris.graph(m, Level.PUBLIC) for m in commons.members())
    changed = {
        f.iri: f
        for f in features_from_quads((q for qs in new_quads.values() for q in qs), uris, public)
    }
    gone = [r for r in new_quads if r not in changed]
    touched = set(new_quads)

    # candidates for the changed records, from the stored blocking keys
    keys = {iri: blocking_keys(f) + word_keys(f) for iri, f in changed.items()}
    stored = db.records_by_key(k for ks in keys.values() for k in ks)
    holders: dict[str, list[str]] = defaultdict(list)
    for iri, ks in keys.items():
        for k in ks:
            holders[k].append(iri)
    partners: dict[str, set[str]] = defaultdict(set)
    for k, new_holders in holders.items():
        everyone = [i for i in stored.get(k, []) if i not in touched] + new_holders
        if len(everyone) > block_limit(k):
            continue
        for iri in new_holders:
            partners[iri].update(i for i in everyone if i != iri)
    known = db.features({p for ps in partners.values() for p in ps} - touched)
    known.update(changed)
    model = model_of(db)
    links: dict[tuple[str, str], Comparison] = {}
    for iri, candidates in partners.items():
        f = changed[iri]
        for other in candidates:
            g = known.get(other)
            if g is None or g.member == f.member:
                continue
            comparison = model.compare(f, g)
            if comparison.decision != "apart":
                links[pair(iri, other)] = comparison

    # the region: everything linked strongly to the changed records, and their clusters
    region: set[str] = set()
    strong: dict[tuple[str, str], float] = {
        p: c.points for p, c in links.items() if c.points >= AUTO_MERGE
    }
    decisions: dict[tuple[str, str], str] = {}
    frontier = (set(changed) | set(gone) | seeds | {x for p in strong for x in p})
    while frontier:
        region |= frontier
        layer = list(frontier)
        found: set[str] = set()
        for (a, b), points in db.links_of(layer).items():
            if a in touched or b in touched:
                continue
            if points >= AUTO_MERGE:
                strong[a, b] = points
                found |= {a, b}
        for p, d in db.decisions(layer).items():
            decisions[p] = d
            if d == "accept":
                found |= set(p)
        old_slugs = db.slugs(layer)
        for members_of in db.records_of_slugs(old_slugs.values()).values():
            found |= set(members_of)
        frontier = found - region
    region -= set(gone)
    known.update(db.features(region - set(known)))
    region = {r for r in region if r in known}
    grouping = cluster(
        {r: known[r].member for r in region},
        [(a, b, p) for (a, b), p in strong.items() if a in region and b in region],
        [p for p, d in decisions.items() if d == "accept"],
        [p for p, d in decisions.items() if d == "reject"],
    )
    old = db.slugs(region | set(gone))
    slugs = _assign_slugs(db, grouping.clusters, old, known)
    affected = {uris.canonical(s) for s in old.values()} | {uris.canonical(s) for s in slugs.values() if s}
    current: set[Quad] = set()
    graphs = _member_graphs(commons)
    for canonical in affected:
        current |= set(_canonical_quads(commons, canonical, graphs))
    desired: set[Quad] = set()
    for members_of, slug in _clusters_with_slugs(grouping.clusters, slugs):
        sources = {
            r: new_quads[r] if r in new_quads else _record_quads(commons, r) for r in members_of
        }
        desired |= projection(commons, uris.canonical(slug), sources)
    return ReconcilePlan(
        remove=current - desired,
        add=desired - current,
        gone=gone,
        present=_changed_features(db, changed),
        rescored=sorted(touched),
        links=links,
        slugs=slugs,
        region=len(region),
        clusters=len(grouping.clusters),
    )


def model_of(db: ReconcileDB) -> Model:
    """The weights the last rebuild estimated (the defaults before any): changes between
    rebuilds are scored with them, so one import does not shift every other pair's score."""
    return Model.from_json(db.state("model"))


def _changed_features(db: ReconcileDB, features: dict[str, Features]) -> list[Features]:
    """Those of `features` that differ from what is stored of their records: a re-import
    that changes only what matching ignores (a description, a count) rewrites no features
    or blocking keys."""
    stored = db.features(features)
    return [f for iri, f in features.items() if stored.get(iri) != f]


def _member_graphs(commons: Commons) -> list[str]:
    return [g for m in commons.members() for g in commons.uris.member_graphs(m)]


def _record_quads(commons: Commons, record: str) -> list[Quad]:
    """A record's quads (and its address's) in its member's publication graphs."""
    member = record[len(commons.uris.base) + 4:].split("/", 1)[0]
    graphs = commons.uris.member_graphs(member)
    return commons.quads_of(record, graphs, SYSTEM) + commons.quads_of(commons.uris.address(record), graphs, SYSTEM)


def _canonical_quads(commons: Commons, canonical: str, graphs: list[str]) -> list[Quad]:
    return commons.quads_of(canonical, graphs, SYSTEM) + commons.quads_of(canonical + "#address", graphs, SYSTEM)


# --- canonical IRIs and their statements -----------------------------------------------------
_SLUG_WORD = re.compile(r"[a-z0-9]+")


def slug_for(label: str) -> str:
    words = _SLUG_WORD.findall(fold(label))
    return "-".join(words)[:60].strip("-") or "coop"


def _assign_slugs(
    db: ReconcileDB, clusters: list[list[str]], old: dict[str, str], features: dict[str, Features]
) -> dict[str, str | None]:
    """Each cluster keeps the canonical slug most of its records had; new clusters get a new
    one from a public name (a slug is part of a public IRI, so never from a hidden value).
    Every record in `old` that is in no cluster now maps to None."""
    slugs: dict[str, str | None] = {r: None for r in old}
    used: set[str] = set()
    fresh: list[list[str]] = []
    for members_of in sorted(clusters, key=len, reverse=True):
        counts = Counter(old[r] for r in members_of if r in old and old[r] not in used)
        if counts:
            slug = min(counts, key=lambda s: (-counts[s], s))
            used.add(slug)
            slugs.update({r: slug for r in members_of})
        else:
            fresh.append(members_of)
    released = set(old.values()) - used
    for members_of in fresh:
        labels = sorted(features[r].label for r in members_of if features[r].label_public)
        base = slug_for(labels[0]) if labels else "coop"
        slug, n = base, 1
        while slug in used or (slug not in released and db.slug_taken(slug)):
            n += 1
            slug = f"{base}-{n}"
        used.add(slug)
        slugs.update({r: slug for r in members_of})
    return slugs


def _clusters_with_slugs(clusters: list[list[str]], slugs: dict[str, str | None]) -> Iterator[tuple[list[str], str]]:
    for members_of in clusters:
        slug = slugs[members_of[0]]
        if slug:
            yield members_of, slug


def projection(commons: Commons, canonical: str, sources: dict[str, list[Quad]]) -> set[Quad]:
    """The canonical co-op's statements: each source statement again, about the canonical IRI,
    in the graph it came from; the links at the level of each source record's existence."""
    c = NamedNode(canonical)
    address = NamedNode(canonical + "#address")
    out: set[Quad] = set()
    for record, quads in sources.items():
        record_address = commons.uris.address(record)
        for q in quads:
            predicate = q.predicate.value
            if predicate == _LOCAL_ID:
                continue
            subject = c if q.subject.value == record else address
            if predicate == _TYPE and q.subject.value == record:
                if q.object.value == _INITIATIVE:
                    out.add(Quad(c, RDF.type, COOP.CanonicalOrganisation, q.graph_name))
                    out.add(Quad(c, OWL.sameAs, NamedNode(record), q.graph_name))
                continue
            # the link to the address, and the address `within` itself (the geo container)
            obj = address if isinstance(q.object, NamedNode) and q.object.value == record_address else q.object
            out.add(Quad(subject, q.predicate, obj, q.graph_name))
    return out
