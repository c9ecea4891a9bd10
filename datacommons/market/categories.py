"""The concepts an offering is filed under, findable by code (UNSPSC, NAICS), label or IRI.

ESSGlobal's products-and-services scheme gives each family a bare code as its prefLabel and
the words in skos:definition: the label shown is taken from the definition until the scheme is
fixed. Our goods and certification schemes are in ontology/market.ttl.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from pyoxigraph import Literal, RdfFormat, parse

from ..resources import resource_dir
from ..vocab import SKOS

SERVICES_SCHEME = "http://purl.org/essglobal/standard/products-services/"
GOODS_SCHEME = "https://w3id.org/coop-commons/concept/goods"
CERTIFICATION_SCHEME = "https://w3id.org/coop-commons/concept/certification"


@dataclass(frozen=True)
class Concept:
    iri: str
    scheme: str
    notations: tuple[str, ...]
    labels: dict[str, str]

    def label(self, lang: str = "en") -> str:
        return self.labels.get(lang) or self.labels.get("en") or self.notations[0]


class Vocabulary:
    """One scheme's concepts, by IRI and by every key a member may write."""

    def __init__(self, concepts: list[Concept]) -> None:
        self.by_iri = {c.iri: c for c in concepts}
        self._keys: dict[str, str] = {}
        for c in concepts:
            for key in (*c.notations, *c.labels.values()):
                self._keys.setdefault(key.strip().lower(), c.iri)

    def resolve(self, text: str) -> str | None:
        text = text.strip()
        if text in self.by_iri:
            return text
        return self._keys.get(text.lower())


def _concepts(files: list[str], schemes: tuple[str, ...]) -> list[Concept]:
    facts: dict[str, dict[str, list[Literal]]] = {}
    for name in files:
        with open(resource_dir("ontology") / name, "rb") as f:
            for t in parse(f, format=RdfFormat.TURTLE):
                if isinstance(t.object, Literal) and t.predicate.value in _WANTED:
                    facts.setdefault(t.subject.value, {}).setdefault(t.predicate.value, []).append(t.object)
                elif t.predicate == SKOS.inScheme:
                    facts.setdefault(t.subject.value, {}).setdefault("scheme", []).append(Literal(t.object.value))
    found = []
    for iri, f in facts.items():
        scheme = next((s.value for s in f.get("scheme", []) if s.value.rstrip("/") in schemes), None)
        if scheme is None:
            continue
        code = iri.rstrip("/").rsplit("/", 1)[-1]
        notations = tuple(dict.fromkeys([n.value for n in f.get(_NOTATION, [])] or [code]))
        labels: dict[str, str] = {}
        for literal in f.get(_PREF, []) + f.get(_DEFINITION, []):
            lang = literal.language or "en"
            # a prefLabel that is the bare code (ESSGlobal's families) or empty is no label
            if literal.value.strip() and literal.value.strip() != code and lang not in labels:
                labels[lang] = literal.value.strip()
        found.append(Concept(iri, scheme.rstrip("/"), notations, labels))
    return found


_PREF, _DEFINITION, _NOTATION = SKOS.prefLabel.value, SKOS.definition.value, SKOS.notation.value
_WANTED = frozenset({_PREF, _DEFINITION, _NOTATION})


@lru_cache(maxsize=1)
def categories() -> Vocabulary:
    """ESSGlobal's UNSPSC services and our goods: what an offering may be filed under."""
    return Vocabulary(_concepts(
        ["schemes/products-services.ttl", "market.ttl"], (SERVICES_SCHEME.rstrip("/"), GOODS_SCHEME)))


@lru_cache(maxsize=1)
def certifications() -> Vocabulary:
    return Vocabulary(_concepts(["market.ttl"], (CERTIFICATION_SCHEME,)))
