"""The matching run, without a store: features in, clusters and a review queue out.

Used the same way by the store's reconciler (`reconciliation.reconcile`) and by the benchmark, so the
benchmark measures the code that runs.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pyoxigraph import Quad

from datacommons.uris import Uris

from .linkage import Model, estimate
from .matching import IDENTIFYING, Comparison, Features, candidate_pairs, features_of
from .reconcile_clusters import cluster


@dataclass
class MatchResult:
    clusters: list[list[str]]
    review: dict[tuple[str, str], Comparison] = field(default_factory=dict)  # pairs a person decides
    links: dict[tuple[str, str], Comparison] = field(default_factory=dict)  # every scored pair above "apart"
    compared: int = 0
    model: Model = field(default_factory=Model)  # the weights, as estimated from these records


def features_from_quads(quads: Iterable[Quad], uris: Uris, public_graphs: frozenset[str]) -> list[Features]:
    """One `Features` per member record in `quads` (from the members' graphs)."""
    values: dict[str, list[tuple[str, str, bool]]] = defaultdict(list)
    owner: dict[str, str] = {}
    prefix = uris.base + "/id/"
    for q in quads:
        predicate = q.predicate.value
        if predicate not in IDENTIFYING:
            continue
        subject = q.subject.value
        if not subject.startswith(prefix):
            continue
        record = subject.split("#", 1)[0]
        values[record].append((predicate, q.object.value, q.graph_name.value in public_graphs))
        if record not in owner:
            owner[record] = subject[len(prefix):].split("/", 1)[0]
    return [features_of(r, owner[r], v) for r, v in values.items() if owner[r] != "org"]


def match(
    records: Sequence[Features],
    *,
    accepted: Iterable[tuple[str, str]] = (),
    rejected: Iterable[tuple[str, str]] = (),
) -> MatchResult:
    """Estimate the model's weights from the records, score the candidate pairs, cluster the
    strong ones, queue the uncertain ones.

    A rejected pair is never proposed again; an accepted one is merged whatever its score.
    Both are labelled pairs for the estimate: decisions teach the weights.
    """
    rejected = {tuple(sorted(p)) for p in rejected}
    accepted = {tuple(sorted(p)) for p in accepted} - rejected
    links: dict[tuple[str, str], Comparison] = {}
    pairs = sorted(candidate_pairs(records))
    labels = {p: True for p in accepted} | {p: False for p in rejected}
    model, vectors = estimate(records, pairs, labels)
    for (i, j), vector in zip(pairs, vectors):
        a, b = records[i], records[j]
        key = (a.iri, b.iri) if a.iri < b.iri else (b.iri, a.iri)
        comparison = model.score(vector)
        if comparison.decision != "apart" and key not in rejected:
            links[key] = comparison
    strong = [(a, b, c.points) for (a, b), c in links.items() if c.decision == "merge"]
    grouping = cluster({f.iri: f.member for f in records}, strong, accepted, rejected)
    in_cluster = {iri: n for n, members in enumerate(grouping.clusters) for iri in members}
    blocked = set(grouping.blocked)
    review = {
        key: c
        for key, c in links.items()
        if key not in accepted
        and (c.decision == "review" or key in blocked)
        and not (key[0] in in_cluster and in_cluster.get(key[0]) == in_cluster.get(key[1]))
    }
    return MatchResult(grouping.clusters, review, links, len(pairs), model)
