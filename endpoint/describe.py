"""What the commons says about one resource, as the audience may see it: the one data path
behind every representation of an entity (HTML page and every RDF format)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode, Quad

from datacommons.audience import Audience
from datacommons.store import Commons
from datacommons.vocab import FOAF, GR, RDFS, SKOS, COOP

LABEL_PREDICATES = (SKOS.prefLabel.value, RDFS.label.value, GR.name.value, FOAF.name.value)


@dataclass
class Value:
    text: str
    iri: str | None
    graph: str
    said_by: str | None  # member id whose graph holds the statement
    level: str | None  # public / members / private, or None for commons graphs


@dataclass
class Entity:
    iri: str
    label: str
    quads: list[Quad]
    properties: dict[str, list[Value]] = field(default_factory=dict)
    property_labels: dict[str, str] = field(default_factory=dict)
    listed_records: list[tuple[str, str]] = field(default_factory=list)

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


def label_of(commons: Commons, iri: str, audience: Audience, lang: str = "en") -> str | None:
    best: tuple[int, str] | None = None
    for q in commons.quads_about(iri, audience):
        if q.predicate.value in LABEL_PREDICATES and isinstance(q.object, Literal) and q.object.value:
            rank = LABEL_PREDICATES.index(q.predicate.value) * 2 + (0 if q.object.language in (lang, None) else 1)
            if best is None or rank < best[0]:
                best = (rank, q.object.value)
    return best[1] if best else None


def _graph_owner(commons: Commons, graph: str) -> tuple[str | None, str | None]:
    prefix = commons.uris.base + "/graph/"
    if not graph.startswith(prefix):
        return None, None
    parts = graph[len(prefix):].split("/")
    return (parts[0], parts[1]) if len(parts) == 2 else (None, None)


def describe(commons: Commons, iri: str, audience: Audience) -> Entity | None:
    """Everything about `iri` (and its `#address`) that `audience` may read; None if nothing."""
    quads = commons.quads_about(iri, audience)
    if not quads:
        return None
    quads += commons.quads_about(iri + "#address", audience)
    entity = Entity(iri, label_of(commons, iri, audience) or iri, quads)
    by_predicate: dict[str, list[Value]] = defaultdict(list)
    for q in quads:
        if q.subject.value != iri and not q.subject.value.startswith(iri + "#"):
            continue
        obj = q.object
        is_iri = isinstance(obj, NamedNode)
        text = obj.value
        if is_iri:
            text = label_of(commons, obj.value, audience) or obj.value
        member, level = _graph_owner(commons, q.graph_name.value)
        by_predicate[q.predicate.value].append(Value(text, obj.value if is_iri else None, q.graph_name.value, member, level))
    entity.properties = dict(by_predicate)
    entity.property_labels = {
        p: label_of(commons, p, audience) or p.rsplit("#", 1)[-1].rsplit("/", 1)[-1] for p in by_predicate
    }
    if (COOP.MemberOrganisation.value in {v.iri for v in by_predicate.get(
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", [])}):
        entity.listed_records = listed_by(commons, iri, audience)
    return entity


LISTED_BY = """
SELECT ?member ?record (SAMPLE(?n) AS ?name) WHERE {
  ?record <https://w3id.org/coop-commons/vocab#listedBy> ?member ;
          <http://purl.org/goodrelations/v1#name> ?n .
} GROUP BY ?member ?record ORDER BY LCASE(SAMPLE(?n)) LIMIT 500
"""


def listed_by(commons: Commons, member_iri: str, audience: Audience) -> list[tuple[str, str]]:
    from pyoxigraph import Variable

    result = commons.query(LISTED_BY, audience, substitutions={Variable("member"): NamedNode(member_iri)})
    return [(s["record"].value, s["name"].value) for s in result]
