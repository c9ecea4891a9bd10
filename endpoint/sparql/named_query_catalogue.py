"""The named queries: every queries/*.rq file, described by its header comment.

Header format (comment lines before the first line of SPARQL):

    # title: Co-ops by region
    # description: The co-ops in one region, by name.
    # param: NAME TYPE DEFAULT DESCRIPTION

DEFAULT is `-` for a required parameter. TYPE says how the text a client sends becomes an RDF
term bound to `?NAME` (a bound value, never spliced into the query text; pyoxigraph binds only
variables the SELECT projects, so a parameter's variable must be projected):

| type | a client sends | bound to |
|---|---|---|
| string | any text | a plain literal |
| integer, decimal | a number | an xsd:integer / xsd:decimal literal |
| iri | an absolute IRI | that IRI |
| member | a member id (`alpha`) | the member organisation's IRI |
| structure, activity | a code (`OS60`, `ICA210`, `credit-union`) or a concept IRI | the concept's IRI |
| country | an ISO 3166 code (`CA`) | ESSGlobal's country concept |

Two names are special: `limit` and `offset` (integers) page the results instead of being
bound, since SPARQL's LIMIT takes no variable; a file that declares `limit` is cut there.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache

from pyoxigraph import Literal, NamedNode, Variable

from datacommons.resources import resource_dir
from datacommons.uris import Uris
from datacommons.vocab import COOP_CONCEPT, SCHEME_ACTIVITY, SCHEME_COUNTRY, SCHEME_STRUCTURE, XSD

PAGING = ("limit", "offset")
TYPES = ("string", "integer", "decimal", "iri", "member", "structure", "activity", "country")
_HEADER = re.compile(r"^#\s*(title|description|param):\s*(.*)$")


class ParameterError(ValueError):
    """A named query's parameter is missing or malformed; the message says which and why."""


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    default: str | None  # None: required
    description: str

    @property
    def required(self) -> bool:
        return self.default is None


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    description: str
    sparql: str
    parameters: tuple[Parameter, ...] = field(default=())

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)


def parse(name: str, text: str) -> NamedQuery:
    title, description, params = name, "", []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _HEADER.match(line)
        if not match:
            continue
        key, value = match.groups()
        if key == "title":
            title = value.strip()
        elif key == "description":
            description = value.strip()
        else:
            parts = value.split(None, 3)
            if len(parts) < 3 or parts[1] not in TYPES:
                raise ValueError(
                    f"queries/{name}.rq: write '# param: NAME TYPE DEFAULT DESCRIPTION' with TYPE "
                    f"one of {', '.join(TYPES)}, not {value!r}"
                )
            pname, ptype, default = parts[:3]
            params.append(Parameter(pname, ptype, None if default == "-" else default,
                                    parts[3].strip() if len(parts) > 3 else ""))
    return NamedQuery(name, title, description, text, tuple(params))


@cache
def catalogue() -> dict[str, NamedQuery]:
    folder = resource_dir("queries")
    return {
        f.stem: parse(f.stem, f.read_text(encoding="utf-8"))
        for f in sorted(folder.glob("*.rq"))
    }


# Beyond this an offset or limit is no page of any store's answer (and overflows sys.maxsize).
MAX_PAGING = 10**12


def paging(query: NamedQuery, args, max_rows: int) -> tuple[int, int]:
    """(offset, limit) for the results: from the request, else the file's defaults, capped."""
    values = {}
    for name in PAGING:
        param = query.parameter(name)
        text = args.get(name) or (param.default if param else None)
        try:
            values[name] = int(text) if text else None
        except ValueError:
            raise ParameterError(f"{name} must be a whole number") from None
        if values[name] is not None and values[name] < 0:
            raise ParameterError(f"{name} must not be negative")
        if values[name] is not None and values[name] > MAX_PAGING:
            raise ParameterError(f"{name} must be at most {MAX_PAGING:,}")
    limit = values["limit"] if values["limit"] is not None else max_rows
    return values["offset"] or 0, min(limit, max_rows)


def bindings(query: NamedQuery, args, uris: Uris, concept_exists) -> dict[Variable, object]:
    """The query's parameters from request arguments, as RDF terms to bind.

    `concept_exists(iri)` tells whether a concept IRI is known (to pick between ESSGlobal's
    scheme and the commons' own for a code)."""
    out: dict[Variable, object] = {}
    for p in query.parameters:
        if p.name in PAGING:
            continue
        text = args.get(p.name) or p.default
        if text is None:
            raise ParameterError(f"parameter {p.name} ({p.type}) is required: {p.description}")
        out[Variable(p.name)] = _term(p, text.strip(), uris, concept_exists)
    return out


def _term(p: Parameter, text: str, uris: Uris, concept_exists):
    try:
        if p.type == "string":
            return Literal(text)
        if p.type == "integer":
            return Literal(str(int(text)), datatype=XSD.integer)
        if p.type == "decimal":
            return Literal(str(Decimal(text)), datatype=XSD.decimal)
        if p.type == "iri":
            return _iri(text)
        if p.type == "member":
            return NamedNode(uris.member(text))
        if p.type == "country":
            if not re.fullmatch(r"[A-Za-z]{2}", text):
                raise ParameterError(f"{p.name} must be a two-letter ISO country code, e.g. CA")
            return SCHEME_COUNTRY[text.upper()]
    except (ValueError, InvalidOperation) as e:
        if isinstance(e, ParameterError):
            raise
        raise ParameterError(f"{p.name} is not a valid {p.type}: {text!r}") from None
    if "://" in text:
        return _iri(text)
    own = {"structure": SCHEME_STRUCTURE, "activity": SCHEME_ACTIVITY}[p.type]
    for candidate in (own[text], NamedNode(f"{COOP_CONCEPT}{p.type}/{text}")):
        if concept_exists(candidate.value):
            return candidate
    raise ParameterError(f"{p.name}: no {p.type} concept with the code {text!r}")


def _iri(text: str) -> NamedNode:
    try:
        return NamedNode(text)
    except ValueError:
        raise ParameterError(f"not an absolute IRI: {text!r}") from None
