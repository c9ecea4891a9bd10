"""What the commons says about one resource, as the audience may see it: the one data path
behind every representation of an entity (the HTML page and every RDF format).

Every value keeps the graph that holds it, so a page can say who said what: a member's record
is said by that member, and a canonical co-op's values each come from the member graph that
said them.
"""
from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from cachetools import LRUCache
from pyoxigraph import Literal, NamedNode, Quad, Variable

from datacommons.audience import Audience
from datacommons.fields import FIELD_BY_PREDICATE
from datacommons.store import Commons
from datacommons.vocab import COOP, ESS, FOAF, GR, OWL, RDF, RDFS, SCHEMA, SKOS

from ..web import query_text as internal_queries
from ..web.iri_paths import page_for

LABEL_PREDICATES = (SKOS.prefLabel.value, RDFS.label.value, GR.name.value, FOAF.name.value)
SAME_AS = (OWL.sameAs.value, SCHEMA.sameAs.value)
LISTED_ON_PAGE = 50

KINDS = {
    ESS.SSEInitiative.value: "coop",
    COOP.CanonicalOrganisation.value: "coop",  # one co-op merged from several members' records
    COOP.MemberOrganisation.value: "member",
    SKOS.Concept.value: "concept",
    SKOS.ConceptScheme.value: "scheme",
}


@dataclass
class Value:
    text: str
    iri: str | None
    href: str | None
    graph: str
    said_by: str | None  # member id whose graph holds the statement
    said_by_name: str | None
    level: str | None  # public / members / private, or None for the commons' own graphs
    lang: str | None = None


@dataclass
class Entity:
    iri: str
    label: str
    kind: str
    quads: list[Quad]
    properties: dict[str, list[Value]] = field(default_factory=dict)
    property_labels: dict[str, str] = field(default_factory=dict)
    listed_records: list[tuple[str, str]] = field(default_factory=list)
    listed_count: int = 0
    same_as_by: list[tuple[str, str]] = field(default_factory=list)  # (page, label) naming this

    def disagreements(self) -> set[str]:
        """Predicates of single-valued fields on which member organisations say different
        things (a canonical co-op with two phone numbers): to be shown as a conflict, never
        silently resolved. Several values from one member are not a conflict."""
        from datacommons.fields import FIELD_BY_PREDICATE, MULTI_VALUED

        said: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for predicate, values in self.properties.items():
            field_ = FIELD_BY_PREDICATE.get(predicate)
            if field_ is None or field_.name in MULTI_VALUED:
                continue
            for v in values:
                if v.said_by:
                    said[predicate][v.said_by].add(v.iri or v.text)
        return {p for p, by in said.items() if len({frozenset(s) for s in by.values()}) > 1}

    def first(self, predicate: str) -> str | None:
        values = self.properties.get(predicate)
        return values[0].text if values else None

    def values(self, *predicates: str) -> list[Value]:
        return [v for p in predicates for v in self.properties.get(p, [])]

    @property
    def sources(self) -> set[str]:
        """The member organisations whose graphs say something about this resource."""
        return {v.said_by for values in self.properties.values() for v in values if v.said_by}

    @property
    def graphs(self) -> set[str]:
        """The graphs this description was read from: its HTTP validators follow them."""
        return {q.graph_name.value for q in self.quads}

    @property
    def coordinates(self) -> tuple[float, float] | None:
        lat, lon = self.first("http://www.w3.org/2003/01/geo/wgs84_pos#lat"), self.first(
            "http://www.w3.org/2003/01/geo/wgs84_pos#long")
        try:
            return (float(lat), float(lon)) if lat and lon else None
        except ValueError:
            return None


class _Labels:
    """Labels of the IRIs one description mentions, as the audience may read them.

    The same concepts and member organisations are named on page after page, so labels are
    also kept across requests, keyed by the graphs the audience reads and the store version:
    exact, since a label can change only with a write."""

    def __init__(self, commons: Commons, audience: Audience, lang: str) -> None:
        self.commons, self.audience, self.lang = commons, audience, lang
        self._scope = (commons.graphs_for(audience), commons.version, lang)
        self._seen: dict[str, str | None] = {}

    def prefetch(self, iris: Iterable[str]) -> None:
        """Look up many labels with one turn of the shared cache's lock (a page names some
        thirty IRIs; under load, every turn of a lock another thread holds waits for the GIL)."""
        wanted = [i for i in dict.fromkeys(iris) if i not in self._seen]
        with _LABELS_LOCK:
            found = {i: _LABELS.get((self._scope, i), _MISSING) for i in wanted}
        missing = {i: label_of(self.commons, i, self.audience, self.lang) for i, f in found.items() if f is _MISSING}
        if missing:
            with _LABELS_LOCK:
                for i, label in missing.items():
                    _LABELS[(self._scope, i)] = label
        self._seen.update(found)
        self._seen.update(missing)

    def __call__(self, iri: str) -> str | None:
        if iri in self._seen:
            return self._seen[iri]
        key = (self._scope, iri)
        with _LABELS_LOCK:
            found = _LABELS.get(key, _MISSING)
        if found is _MISSING:
            found = label_of(self.commons, iri, self.audience, self.lang)
            with _LABELS_LOCK:
                _LABELS[key] = found
        self._seen[iri] = found
        return found


_MISSING = object()
_LABELS: LRUCache = LRUCache(maxsize=4 * 1024 * 1024, getsizeof=lambda label: 200 + len(label or ""))
_LABELS_LOCK = threading.Lock()


def label_of(commons: Commons, iri: str, audience: Audience, lang: str = "en") -> str | None:
    return best_label(commons.quads_about(iri, audience), lang)


def best_label(quads: list[Quad], lang: str = "en") -> str | None:
    """The label statements about one resource give it: skos:prefLabel first, then rdfs:label,
    gr:name and foaf:name, in `lang` (or without a language) before any other language."""
    best: tuple[int, str] | None = None
    for q in quads:
        if q.predicate.value in LABEL_PREDICATES and isinstance(q.object, Literal) and q.object.value:
            rank = LABEL_PREDICATES.index(q.predicate.value) * 2 + (0 if q.object.language in (lang, None) else 1)
            if best is None or rank < best[0]:
                best = (rank, q.object.value)
    return best[1] if best else None


def graph_owner(commons: Commons, graph: str) -> tuple[str | None, str | None]:
    """(member, level) of a member's graph, e.g. ('alpha', 'public'); (None, None) otherwise."""
    prefix = commons.uris.base + "/graph/"
    if not graph.startswith(prefix):
        return None, None
    parts = graph[len(prefix):].split("/")
    return (parts[0], parts[1]) if len(parts) == 2 else (None, None)


def statements(commons: Commons, iri: str, audience: Audience) -> list[Quad]:
    """The statements about `iri` and its `#address` that `audience` may read (none if it
    may read nothing about `iri` itself)."""
    quads = commons.quads_about(iri, audience)
    if quads:
        quads += commons.quads_about(iri + "#address", audience)
    return quads


def describe(commons: Commons, iri: str, audience: Audience, lang: str = "en",
             quads: list[Quad] | None = None) -> Entity | None:
    """Everything about `iri` (and its `#address`) that `audience` may read; None if nothing.
    `quads`: those statements, when the caller has read them already (`statements`)."""
    if quads is None:
        quads = statements(commons, iri, audience)
    if not quads:
        return None
    labels = _Labels(commons, audience, lang)
    base = commons.uris.base
    owners = {graph_owner(commons, g)[0] for g in {q.graph_name.value for q in quads}}
    address = iri + "#address"
    labels.prefetch([*(q.object.value for q in quads if isinstance(q.object, NamedNode) and q.object.value != address),
                     *(commons.uris.member(m) for m in owners if m),
                     *(q.predicate.value for q in quads if _needs_label(q.predicate.value))])
    by_predicate: dict[str, list[Value]] = defaultdict(list)
    types: set[str] = set()
    for q in quads:
        obj = q.object
        is_iri = isinstance(obj, NamedNode)
        if q.predicate == RDF.type and is_iri:
            types.add(obj.value)
        if is_iri and obj.value == iri + "#address":
            continue  # the address's own values are listed under the co-op
        text = (labels(obj.value) or obj.value) if is_iri else obj.value
        member, level = graph_owner(commons, q.graph_name.value)
        by_predicate[q.predicate.value].append(Value(
            text,
            obj.value if is_iri else None,
            page_for(base, obj.value) if is_iri else None,
            q.graph_name.value,
            member,
            labels(commons.uris.member(member)) if member else None,
            level,
            obj.language if isinstance(obj, Literal) else None,
        ))
    kind = next((KINDS[t] for t in KINDS if t in types), "thing")
    own = [q for q in quads if q.subject.value == iri]
    entity = Entity(iri, best_label(own, lang) or iri, kind, quads, dict(by_predicate))
    entity.property_labels = {p: _property_label(p, labels) for p in by_predicate}
    if kind == "member":
        entity.listed_records, entity.listed_count = listed_by(commons, iri, audience)
    if kind == "coop":
        others = commons.subjects_with(OWL.sameAs.value, iri, audience)  # who says it is the same
        labels.prefetch(others)
        entity.same_as_by = [(page_for(base, other), labels(other) or other) for other in others]
    return entity


def _needs_label(predicate: str) -> bool:
    known = FIELD_BY_PREDICATE.get(predicate)
    return not (known and len(known.predicates) == 1)


def _property_label(predicate: str, labels: _Labels) -> str:
    if not _needs_label(predicate):
        return FIELD_BY_PREDICATE[predicate].label
    return labels(predicate) or predicate.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def listed_by(commons: Commons, member_iri: str, audience: Audience) -> tuple[list[tuple[str, str]], int]:
    """The first co-ops a member lists (by name) and how many it lists in all."""
    result = commons.query(
        internal_queries.text("member-records"), audience,
        substitutions={Variable("member"): NamedNode(member_iri)},
    )
    rows = [(s["record"].value, s["name"].value) for s in result]
    return rows[:LISTED_ON_PAGE], len(rows)
