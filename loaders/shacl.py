"""A SHACL Core validator for the constraint components our shapes use, fast enough for imports.

pySHACL validated about 50 records a second on an import of 3,000 (each targeted property
shape walks rdflib's in-memory store once per focus node); an import of 100,000 records would
take half an hour. This engine reads the same shapes/*.ttl, indexes the data once, and
evaluates each shape with dictionary look-ups. It supports property shapes with a predicate
path and the targets and constraints listed in SUPPORTED; loading a shape that uses anything
else raises `UnsupportedShape`, so a shape can never be silently ignored. pySHACL stays the
reference: the tests run both on every kind of error and require the same results.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple, parse

from datacommons.vocab import RDF, RDFS, SH, XSD

Term = NamedNode | BlankNode | Literal

SUPPORTED = frozenset(
    SH[name].value
    for name in (
        "path", "targetClass", "targetSubjectsOf", "targetObjectsOf", "targetNode",
        "minCount", "maxCount", "nodeKind", "pattern", "flags", "datatype", "minInclusive",
        "maxInclusive", "minExclusive", "maxExclusive", "in", "class", "or", "message",
        "severity", "deactivated", "name", "description", "order", "group", "uniqueLang",
    )
)
_IGNORED = frozenset({RDF.type.value, RDFS.label.value, RDFS.comment.value})

_LEXICAL = {
    XSD.decimal.value: re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)"),
    XSD.integer.value: re.compile(r"[+-]?\d+"),
    XSD.nonNegativeInteger.value: re.compile(r"\+?\d+|-0+"),
    XSD.boolean.value: re.compile(r"true|false|1|0"),
    XSD.gYear.value: re.compile(r"-?\d{4,}(Z|[+-]\d\d:\d\d)?"),
    XSD.gYearMonth.value: re.compile(r"-?\d{4,}-(0[1-9]|1[0-2])(Z|[+-]\d\d:\d\d)?"),
    XSD.date.value: re.compile(r"-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(Z|[+-]\d\d:\d\d)?"),
    XSD.dateTime.value: re.compile(
        r"-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?"
        r"(Z|[+-]\d\d:\d\d)?"
    ),
}
_NUMERIC = frozenset(
    t.value for t in (XSD.decimal, XSD.integer, XSD.double, XSD.float, XSD.nonNegativeInteger, XSD.int, XSD.long)
)


_TYPE, _SUBCLASS = RDF.type.value, RDFS.subClassOf.value


class UnsupportedShape(Exception):
    """A shape uses a SHACL feature this engine does not evaluate."""


@dataclass(frozen=True)
class Result:
    focus: Term
    path: str
    value: Term | None
    message: str
    severity: str  # the sh:Violation / sh:Warning / sh:Info IRI
    shape: str


@dataclass
class Constraints:
    """Value-level constraints of a shape (also used for the members of sh:or)."""

    node_kind: str | None = None
    pattern: re.Pattern | None = None
    datatype: str | None = None
    min_inclusive: Decimal | None = None
    max_inclusive: Decimal | None = None
    min_exclusive: Decimal | None = None
    max_exclusive: Decimal | None = None
    allowed: frozenset | None = None
    class_: str | None = None
    any_of: list["Constraints"] = field(default_factory=list)
    bounded: bool = False  # any of the four bounds is set


@dataclass
class PropertyShape:
    iri: str
    path: str
    targets_class: list[str]
    targets_subjects_of: list[str]
    targets_objects_of: list[str]
    targets_node: list[Term]
    min_count: int | None
    max_count: int | None
    constraints: Constraints
    message: str
    severity: str
    unique_lang: bool = False  # no two values in the same language (one description per language)


def _number(term: Term) -> Decimal | None:
    if not isinstance(term, Literal):
        return None
    if term.datatype.value not in _NUMERIC:
        return None
    try:
        return Decimal(term.value)
    except InvalidOperation:
        return None


class Shapes:
    """The shapes of a folder of Turtle files, ready to evaluate."""

    def __init__(self, files: Iterable[Path]) -> None:
        triples: list[Triple] = []
        for f in files:
            triples += list(parse(path=str(f), format=RdfFormat.TURTLE))
        self._by_subject: dict[Term, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
        for t in triples:
            self._by_subject[t.subject][t.predicate.value].append(t.object)
        self.shapes = [
            self._property_shape(s)
            for s, props in self._by_subject.items()
            if SH.PropertyShape in props.get(RDF.type.value, [])
            and not any(isinstance(v, Literal) and v.value == "true" for v in props.get(SH.deactivated.value, []))
        ]
        if any(SH.NodeShape in props.get(RDF.type.value, []) for props in self._by_subject.values()):
            raise UnsupportedShape("node shapes are not supported: write targeted property shapes")

    def _list(self, head: Term) -> list[Term]:
        items: list[Term] = []
        while head != RDF.nil:
            props = self._by_subject[head]
            items.append(props[RDF.first.value][0])
            head = props[RDF.rest.value][0]
        return items

    def _one(self, props: dict[str, list[Term]], name: str) -> Term | None:
        values = props.get(SH[name].value, [])
        return values[0] if values else None

    def _constraints(self, subject: Term, props: dict[str, list[Term]]) -> Constraints:
        unknown = set(props) - SUPPORTED - _IGNORED
        if unknown:
            raise UnsupportedShape(f"shape {subject} uses {', '.join(sorted(unknown))}")
        c = Constraints()
        if (kind := self._one(props, "nodeKind")) is not None:
            c.node_kind = kind.value
        if (pattern := self._one(props, "pattern")) is not None:
            flags = self._one(props, "flags")
            c.pattern = re.compile(pattern.value, re.IGNORECASE if flags and "i" in flags.value else 0)
        if (datatype := self._one(props, "datatype")) is not None:
            c.datatype = datatype.value
        for name, attr in (("minInclusive", "min_inclusive"), ("maxInclusive", "max_inclusive"),
                           ("minExclusive", "min_exclusive"), ("maxExclusive", "max_exclusive")):
            if (bound := self._one(props, name)) is not None:
                setattr(c, attr, Decimal(bound.value))
        c.bounded = any(
            b is not None for b in (c.min_inclusive, c.max_inclusive, c.min_exclusive, c.max_exclusive)
        )
        if (members := self._one(props, "in")) is not None:
            c.allowed = frozenset(self._list(members))
        if (class_ := self._one(props, "class")) is not None:
            c.class_ = class_.value
        if (alternatives := self._one(props, "or")) is not None:
            c.any_of = [self._constraints(a, self._by_subject[a]) for a in self._list(alternatives)]
        return c

    def _property_shape(self, subject: Term) -> PropertyShape:
        props = self._by_subject[subject]
        path = self._one(props, "path")
        if not isinstance(path, NamedNode):
            raise UnsupportedShape(f"shape {subject}: only predicate paths are supported")
        count = lambda name: int(v.value) if (v := self._one(props, name)) is not None else None  # noqa: E731
        severity = self._one(props, "severity")
        message = self._one(props, "message")
        unique_lang = self._one(props, "uniqueLang")
        return PropertyShape(
            iri=str(subject),
            path=path.value,
            targets_class=[t.value for t in props.get(SH.targetClass.value, [])],
            targets_subjects_of=[t.value for t in props.get(SH.targetSubjectsOf.value, [])],
            targets_objects_of=[t.value for t in props.get(SH.targetObjectsOf.value, [])],
            targets_node=list(props.get(SH.targetNode.value, [])),
            min_count=count("minCount"),
            max_count=count("maxCount"),
            constraints=self._constraints(subject, props),
            message=message.value if message is not None else f"violates {subject}",
            severity=severity.value if severity is not None else SH.Violation.value,
            unique_lang=unique_lang is not None and unique_lang.value == "true",
        )

    def validate(self, triples: Iterable[Triple]) -> list[Result]:
        data = _Data(triples)
        results: list[Result] = []
        objects = data.sp.get
        for shape in self.shapes:
            path, low, high, constraints = shape.path, shape.min_count, shape.max_count, shape.constraints
            verdicts: dict[Term, bool] = {}  # a value's verdict, for values many records share
            for focus in data.focus_nodes(shape):
                values = objects((focus, path), ())
                if (low is not None and len(values) < low) or (high is not None and len(values) > high):
                    results.append(Result(focus, path, None, shape.message, shape.severity, shape.iri))
                if shape.unique_lang and len(values) > 1:
                    languages = [v.language.lower() for v in values if isinstance(v, Literal) and v.language]
                    for language in sorted({la for la in languages if languages.count(la) > 1}):
                        results.append(Result(focus, path, None, shape.message, shape.severity, shape.iri))
                for value in values:
                    ok = verdicts.get(value)
                    if ok is None:
                        ok = verdicts[value] = data.conforms(value, constraints)
                    if not ok:
                        results.append(Result(focus, path, value, shape.message, shape.severity, shape.iri))
        return results


class _Data:
    """The data graph, indexed by subject and predicate, by type, and by predicate."""

    def __init__(self, triples: Iterable[Triple]) -> None:
        self.sp: dict[tuple[Term, str], list[Term]] = defaultdict(list)
        self.by_type: dict[str, list[Term]] = defaultdict(list)
        self.subjects_of: dict[str, dict[Term, None]] = defaultdict(dict)
        self.objects_of: dict[str, dict[Term, None]] = defaultdict(dict)
        self.subclasses: dict[str, set[str]] = defaultdict(set)
        self._focus: dict[tuple, dict[Term, None]] = {}
        seen: set[Triple] = set()
        sp = self.sp
        for t in triples:
            if t in seen:
                continue
            seen.add(t)
            s, p, o = t.subject, t.predicate.value, t.object
            sp[(s, p)].append(o)
            self.subjects_of[p][s] = None
            self.objects_of[p][o] = None
            if p == _TYPE:
                self.by_type[o.value].append(s)
            elif p == _SUBCLASS:
                self.subclasses[o.value].add(s.value)

    def objects(self, subject: Term, predicate: str) -> list[Term]:
        return self.sp.get((subject, predicate), [])

    def _classes(self, class_: str) -> set[str]:
        found, todo = {class_}, [class_]
        while todo:
            for sub in self.subclasses.get(todo.pop(), ()):
                if sub not in found:
                    found.add(sub)
                    todo.append(sub)
        return found

    def focus_nodes(self, shape: PropertyShape) -> dict[Term, None]:
        """The shape's focus nodes (shapes with the same targets share one answer)."""
        key = (tuple(shape.targets_node), tuple(shape.targets_class),
               tuple(shape.targets_subjects_of), tuple(shape.targets_objects_of))
        if key not in self._focus:
            self._focus[key] = self._focus_nodes(shape)
        return self._focus[key]

    def _focus_nodes(self, shape: PropertyShape) -> dict[Term, None]:
        nodes: dict[Term, None] = dict.fromkeys(shape.targets_node)
        for class_ in shape.targets_class:
            for c in self._classes(class_):
                nodes.update(dict.fromkeys(self.by_type.get(c, [])))
        for p in shape.targets_subjects_of:
            nodes.update(self.subjects_of.get(p, {}))
        for p in shape.targets_objects_of:
            nodes.update(self.objects_of.get(p, {}))
        return nodes

    def is_instance(self, value: Term, class_: str) -> bool:
        types = {t.value for t in self.objects(value, RDF.type.value)}
        return bool(types & self._classes(class_))

    def conforms(self, value: Term, c: Constraints) -> bool:
        if c.node_kind is not None and not _kind_ok(value, c.node_kind):
            return False
        if c.pattern is not None and (
            isinstance(value, BlankNode) or not c.pattern.search(value.value)
        ):
            return False
        if c.datatype is not None and not _datatype_ok(value, c.datatype):
            return False
        if c.bounded:
            number = _number(value)
            if number is None:
                return False
            if c.min_inclusive is not None and number < c.min_inclusive:
                return False
            if c.max_inclusive is not None and number > c.max_inclusive:
                return False
            if c.min_exclusive is not None and number <= c.min_exclusive:
                return False
            if c.max_exclusive is not None and number >= c.max_exclusive:
                return False
        if c.allowed is not None and value not in c.allowed:
            return False
        if c.class_ is not None and not self.is_instance(value, c.class_):
            return False
        if c.any_of and not any(self.conforms(value, alt) for alt in c.any_of):
            return False
        return True


_KIND_TESTS = {
    SH.IRI.value: (NamedNode,),
    SH.Literal.value: (Literal,),
    SH.BlankNode.value: (BlankNode,),
    SH.BlankNodeOrIRI.value: (BlankNode, NamedNode),
    SH.IRIOrLiteral.value: (NamedNode, Literal),
    SH.BlankNodeOrLiteral.value: (BlankNode, Literal),
}


def _kind_ok(value: Term, kind: str) -> bool:
    return isinstance(value, _KIND_TESTS.get(kind, ()))


def _datatype_ok(value: Term, datatype: str) -> bool:
    if not isinstance(value, Literal) or value.datatype.value != datatype:
        return False
    lexical = _LEXICAL.get(datatype)
    return lexical is None or lexical.fullmatch(value.value) is not None
