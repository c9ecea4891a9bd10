"""From scored pairs to clusters: which member records are one co-op.

Clustering is greedy over the strongest links first, with two rules that keep a chain of
plausible pairs from gluing different co-ops together:
- a cluster holds at most one record of each member (a member lists a co-op once; two of its
  records matching the same co-op is a question for a person, not a merge);
- a pair an administrator rejected is never in one cluster, whatever links lead there.
Pairs an administrator accepted are merged first, whatever their score.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class Clustering:
    clusters: list[list[str]]  # record IRIs, each cluster of two or more, sorted
    blocked: list[tuple[str, str]] = field(default_factory=list)  # strong pairs the rules kept apart


def cluster(
    members: dict[str, str],
    links: Iterable[tuple[str, str, float]],
    accepted: Iterable[tuple[str, str]] = (),
    rejected: Iterable[tuple[str, str]] = (),
) -> Clustering:
    """Group records (IRI -> member) joined by `links` (a, b, points), strongest first."""
    parent: dict[str, str] = {}
    member_sets: dict[str, set[str]] = {}
    contents: dict[str, list[str]] = {}
    never: dict[str, set[str]] = defaultdict(set)
    for a, b in rejected:
        never[a].add(b)
        never[b].add(a)

    def root(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def group(r: str) -> list[str]:
        return contents.setdefault(r, [r])

    def merge(a: str, b: str) -> bool:
        ra, rb = root(a), root(b)
        if ra == rb:
            return True
        ma = member_sets.setdefault(ra, {members[ra]})
        mb = member_sets.setdefault(rb, {members[rb]})
        if ma & mb:
            return False
        small, large = (ra, rb) if len(group(ra)) <= len(group(rb)) else (rb, ra)
        large_set = set(group(large))
        if any(never[x] & large_set for x in group(small)):
            return False
        parent[small] = large
        member_sets[large] = ma | mb
        contents[large] = group(large) + contents.pop(small, [small])
        member_sets.pop(small, None)
        return True

    ordered = [(a, b, float("inf")) for a, b in accepted if a in members and b in members]
    ordered += sorted(links, key=lambda link: -link[2])
    blocked = [(a, b) for a, b, _ in ordered if not merge(a, b)]
    clusters = sorted(sorted(c) for c in contents.values() if len(c) > 1)
    return Clustering(clusters, blocked)
