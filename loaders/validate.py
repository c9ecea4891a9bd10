"""SHACL validation of what an import is about to write, reported the way a member can act on it:
which row, which field, which value, and what is wrong.

Imports use `validate`, our engine for the SHACL Core subset the shapes use (loaders/shacl.py),
about a hundred times faster than pySHACL. `validate_reference` runs pySHACL on the same shapes;
the tests hold the two to the same answers.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

import rdflib
from pyoxigraph import Literal as OxLiteral
from pyoxigraph import NamedNode, Triple
from pyshacl import validate as shacl_validate
from rdflib.namespace import SH

from datacommons.fields import FIELD_BY_PREDICATE
from datacommons.vocab import GEO

from .record import Problem
from .shacl import Shapes

SHAPES_DIR = Path(__file__).resolve().parent.parent / "shapes"

# Latitude and longitude share the policy field "coordinates", but a person fixes them in
# separate columns.
_COLUMN_OF_PREDICATE = {GEO.lat.value: "latitude", GEO.long.value: "longitude"}


@lru_cache(maxsize=1)
def shapes_graph() -> rdflib.Graph:
    """The shapes, parsed once per process: parsing costs more than validating a small import."""
    graph = rdflib.Graph()
    for path in sorted(SHAPES_DIR.glob("*.ttl")):  # the same files as compiled_shapes
        graph.parse(path, format="turtle")
    return graph


@lru_cache(maxsize=1)
def compiled_shapes() -> Shapes:
    return Shapes(sorted(SHAPES_DIR.glob("*.ttl")))


def validate(triples: Iterable[Triple], positions: Mapping[str, str]) -> list[Problem]:
    """Problems in the data, in the order of `positions` (the input's order), then by field.

    `positions` names, for people, the record each IRI came from ("row 7"); a record's address
    IRI maps to the record's position. Nodes not in it are named by their IRI.
    """
    found: dict[tuple, Problem] = {}
    order = {iri: i for i, iri in enumerate(positions)}
    for r in compiled_shapes().validate(triples):
        focus = r.focus.value
        value = r.value.value if isinstance(r.value, (NamedNode, OxLiteral)) else None
        problem = Problem(
            position=positions.get(focus, f"<{focus}>"),
            field=_field_of(r.path),
            value=value,
            message=r.message,
            severity="error" if r.severity == SH.Violation.toPython() else "warning",
        )
        found[(order.get(focus, len(order)), focus, problem.field or "", problem.message, value or "")] = problem
    return [found[key] for key in sorted(found)]


def validate_reference(data: rdflib.Graph, positions: Mapping[str, str]) -> list[Problem]:
    """The same check by pySHACL, the reference implementation (slow on large imports)."""
    _, report, _ = shacl_validate(
        data,
        shacl_graph=shapes_graph(),
        inference="none",
        advanced=False,
        inplace=True,  # no inference, so pyshacl never writes to the data: skip the copy
    )
    order = {iri: i for i, iri in enumerate(positions)}
    found: dict[tuple, Problem] = {}
    for result in report.objects(None, SH.result):
        focus = report.value(result, SH.focusNode)
        problem = Problem(
            position=positions.get(str(focus), f"<{focus}>"),
            field=_field(report.value(result, SH.resultPath)),
            value=_text(report.value(result, SH.value)),
            message=_message(report, result),
            severity="error" if report.value(result, SH.resultSeverity) == SH.Violation else "warning",
        )
        key = (order.get(str(focus), len(order)), str(focus), problem.field or "", problem.message,
               problem.value or "")
        found[key] = problem
    return [found[key] for key in sorted(found)]


def _field(path: rdflib.term.Node | None) -> str | None:
    return _field_of(str(path)) if isinstance(path, rdflib.URIRef) else None


def _field_of(iri: str) -> str:
    """The template column a person would correct for this predicate."""
    if iri in _COLUMN_OF_PREDICATE:
        return _COLUMN_OF_PREDICATE[iri]
    if iri in FIELD_BY_PREDICATE:
        return FIELD_BY_PREDICATE[iri].name
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _text(value: rdflib.term.Node | None) -> str | None:
    """The value as the person wrote it: an IRI without brackets, a literal's lexical form."""
    if isinstance(value, (rdflib.URIRef, rdflib.Literal)):
        return str(value)
    return None


def _message(report: rdflib.Graph, result: rdflib.term.Node) -> str:
    """The shape's English message; pyshacl's own wording only if the shape has none."""
    messages = list(report.objects(result, SH.resultMessage))
    for message in messages:
        if isinstance(message, rdflib.Literal) and message.language in (None, "en"):
            return str(message)
    return str(messages[0]) if messages else "invalid value"
