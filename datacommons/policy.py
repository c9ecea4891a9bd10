"""Publication policy: per member and per field, who may read a value.

The policy is data: it is stored in the commons graph (readable by everyone, so anyone can
see what a member publishes and why) and versioned. `publish` is the one place that splits a
member's triples into its public, members-only and private graphs.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone

from pyoxigraph import Literal, NamedNode, Quad, Triple

from .fields import DEFAULT_POLICY, FIELD_BY_PREDICATE, FIELDS_BY_NAME, Level
from .uris import Uris
from .vocab import COOP, DCTERMS, RDF, XSD

LEVEL_IRI = {level: COOP[level.value] for level in Level}
LEVEL_OF_IRI = {iri.value: level for level, iri in LEVEL_IRI.items()}
_UNLISTED = (COOP.listed.value, "false")


@dataclass(frozen=True)
class Policy:
    member: str
    levels: Mapping[str, Level] = field(default_factory=lambda: dict(DEFAULT_POLICY))
    version: int = 0
    modified: str | None = None

    def level(self, field_name: str) -> Level:
        return self.levels.get(field_name, DEFAULT_POLICY.get(field_name, Level.PRIVATE))

    def changed(self, changes: Mapping[str, Level]) -> "Policy":
        unknown = sorted(set(changes) - set(FIELDS_BY_NAME))
        if unknown:
            raise ValueError(
                f"unknown field(s) {', '.join(unknown)}; fields are: {', '.join(FIELDS_BY_NAME)}"
            )
        levels = {**self.levels, **changes}
        return Policy(self.member, levels, self.version + 1, _now())


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def policy_triples(policy: Policy, uris: Uris) -> list[Triple]:
    """The policy as RDF, for the commons graph."""
    node = NamedNode(uris.policy(policy.member))
    triples = [
        Triple(node, RDF.type, COOP.PublicationPolicy),
        Triple(node, COOP.member, NamedNode(uris.member(policy.member))),
        Triple(node, COOP.version, Literal(str(policy.version), datatype=XSD.integer)),
    ]
    if policy.modified:
        triples.append(
            Triple(node, DCTERMS.modified, Literal(policy.modified, datatype=XSD.dateTime))
        )
    for name, level in sorted(policy.levels.items()):
        rule = NamedNode(f"{node.value}#{name}")
        triples += [
            Triple(node, COOP.rule, rule),
            Triple(rule, RDF.type, COOP.PolicyRule),
            Triple(rule, COOP.field, Literal(name)),
            Triple(rule, COOP.level, LEVEL_IRI[level]),
        ]
        triples += [
            Triple(rule, COOP.property, NamedNode(p)) for p in FIELDS_BY_NAME[name].predicates
        ]
    return triples


def policy_from_triples(member: str, triples: Iterable[Triple], uris: Uris) -> Policy:
    """Read a policy back from its triples; fields it does not name keep their default.
    A rule with a level that is not one of the commons' levels is refused (ValueError
    naming the rule and the level IRI) rather than read as some level."""
    node = uris.policy(member)
    levels = dict(DEFAULT_POLICY)
    rules: dict[str, dict[str, str]] = defaultdict(dict)
    version, modified = 0, None
    for t in triples:
        s, p, o = t.subject.value, t.predicate.value, t.object.value
        if s == node and p == COOP.version.value:
            version = int(o)
        elif s == node and p == DCTERMS.modified.value:
            modified = o
        elif s.startswith(node + "#"):
            rules[s][p] = o
    for iri, rule in sorted(rules.items()):
        name, level_iri = rule.get(COOP.field.value), rule.get(COOP.level.value, "")
        if name not in FIELDS_BY_NAME:
            continue
        level = LEVEL_OF_IRI.get(level_iri)
        if level is None:
            # Never guess: a level read as None or as a default would publish the field
            # at a level its member did not choose.
            raise ValueError(
                f"policy of member {member!r}, rule <{iri}> (field {name!r}): unknown level "
                f"<{level_iri}>; levels are {', '.join(f'<{i}>' for i in LEVEL_OF_IRI)}"
            )
        levels[name] = level
    return Policy(member, levels, version, modified)


def _about_address(subject: str, o: object) -> bool:
    """An address's own statements, and the link from its record to it."""
    return "#" in subject or (isinstance(o, NamedNode) and o.value.endswith("#address"))


_LISTED = COOP.listed.value
_ADDRESS_PREDICATES = frozenset(p for p, f in FIELD_BY_PREDICATE.items() if f.on_address)
_RANKS = sorted(Level, key=lambda level: level.rank)  # public, members, private


def publish(triples: Iterable[Triple], policy: Policy, uris: Uris) -> list[Quad]:
    """Split a member's record triples into its three graphs by the policy.

    A field's triples go to the graph of the field's level. The triples that only say a
    record exists (its type, who lists it, its local id, the link to its address) go to the
    most public level of any value it has, so a record whose values are all private does not
    show up in public at all. An unlisted record is never public.
    """
    # Levels as ranks (0 public, 1 members, 2 private): the most public is the smallest.
    rank_of = {p: policy.level(f.name).rank for p, f in FIELD_BY_PREDICATE.items()}
    graphs = [NamedNode(uris.graph(policy.member, level)) for level in _RANKS]
    private = len(graphs) - 1
    by_record: dict[str, list[tuple]] = defaultdict(list)
    for t in triples:
        s, p, o = t.subject, t.predicate, t.object
        subject, predicate = s.value, p.value
        by_record[uris.record_of(subject)].append((s, p, o, subject, predicate))
    quads: list[Quad] = []
    for statements in by_record.values():
        floor = 0
        record_rank = address_rank = private
        ranks = []
        for s, p, o, subject, predicate in statements:
            rank = rank_of.get(predicate)
            ranks.append(rank)
            if rank is not None:
                record_rank = min(record_rank, rank)
                if "#" in subject and predicate in _ADDRESS_PREDICATES:
                    # the address exists at the level of its own fields: the coordinates it
                    # also carries (the community's `within` shape) do not make it more public
                    address_rank = min(address_rank, rank)
            elif predicate == _LISTED and o.value == _UNLISTED[1]:
                floor = 1
        for (s, p, o, subject, predicate), rank in zip(statements, ranks):
            if rank is None:
                rank = address_rank if _about_address(subject, o) else record_rank
            elif "#" in subject and predicate not in _ADDRESS_PREDICATES:
                rank = max(rank, address_rank)  # no part of an address below its own level
            quads.append(Quad(s, p, o, graphs[max(rank, floor)]))
    return quads
