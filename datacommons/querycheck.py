"""Reading what a SPARQL query asks for before running it: its dataset and its SERVICE calls.

This is not a parser; it is a tokenizer that skips strings, IRIs and comments correctly, which
is all that is needed to find `FROM`, `FROM NAMED`, `SERVICE` and `PREFIX`/`BASE` clauses.
Whitespace is SPARQL's (space, tab, CR, LF), never Python's `\\s`: U+00A0 is allowed inside an
IRI, and reading it as a space once hid a SERVICE call behind a `#`. The decision on SERVICE
and LOAD is taken again on the parsed query right before it runs (`servicecheck`); this
check only refuses early. The access decision does not depend on it: the store is always
handed the audience's graphs explicitly. This only narrows the dataset to what the query
names, and refuses `SERVICE` calls to endpoints that are not allowed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

_TOKEN = re.compile(
    r"""
    (?P<ws>[\ \t\r\n]+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
  | (?P<pname>[A-Za-z][\w.-]*?:[\w.:%-]*|:[\w.:%-]*)
  | (?P<var>[?$]\w+)
  | (?P<word>[A-Za-z_]\w*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


class QueryRefused(Exception):
    """The query asks for something the commons does not do for this audience."""


@dataclass
class QueryShape:
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    services: list[str | None] = field(default_factory=list)  # None: SERVICE ?var
    loads: list[str | None] = field(default_factory=list)  # LOAD <iri> in an update
    names_dataset: bool = False  # an update with USING or WITH


def _positioned(query: str) -> list[tuple[str, str, int]]:
    """The significant tokens (kind, text, offset): no whitespace, no comments."""
    out = []
    for m in _TOKEN.finditer(query):
        kind = m.lastgroup or "other"
        if kind not in ("ws", "comment"):
            out.append((kind, m.group(), m.start()))
    return out


def _tokens(query: str) -> list[tuple[str, str]]:
    return [(kind, text) for kind, text, _ in _positioned(query)]


def inspect(query: str, base: str | None = None) -> QueryShape:
    """The dataset clauses and SERVICE targets of a query, with prefixed names resolved."""
    tokens = _tokens(query)
    prefixes: dict[str, str] = {}
    shape = QueryShape()

    def resolve(kind: str, text: str) -> str | None:
        if kind == "iri":
            iri = text[1:-1]
            return urljoin(base, iri) if base else iri
        if kind == "pname":
            prefix, _, local = text.partition(":")
            if prefix in prefixes:
                return prefixes[prefix] + local
        return None

    i = 0
    while i < len(tokens):
        kind, text = tokens[i]
        upper = text.upper() if kind == "word" else ""
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ("", "")
        if upper == "PREFIX" and i + 2 < len(tokens):
            pname, iri = tokens[i + 1][1], tokens[i + 2]
            prefixes[pname.rstrip(":")] = resolve(*iri) or ""
            i += 3
            continue
        if upper == "BASE" and nxt[0] == "iri":
            base = resolve(*nxt)
            i += 2
            continue
        if upper == "FROM":
            if nxt[0] == "word" and nxt[1].upper() == "NAMED" and i + 2 < len(tokens):
                shape.named_graphs.append(resolve(*tokens[i + 2]) or tokens[i + 2][1])
                i += 3
            else:
                shape.default_graphs.append(resolve(*nxt) or nxt[1])
                i += 2
            continue
        if upper in ("USING", "WITH"):
            shape.names_dataset = True
        if upper == "LOAD":
            j = i + 1
            if j < len(tokens) and tokens[j][0] == "word" and tokens[j][1].upper() == "SILENT":
                j += 1
            target = tokens[j] if j < len(tokens) else ("", "")
            shape.loads.append(resolve(*target))
            i = j + 1
            continue
        if upper == "SERVICE":
            j = i + 1
            if tokens[j][0] == "word" and tokens[j][1].upper() == "SILENT":
                j += 1
            target = tokens[j] if j < len(tokens) else ("", "")
            shape.services.append(None if target[0] == "var" else resolve(*target))
            i = j + 1
            continue
        i += 1
    return shape


def check_services(shape: QueryShape, allowed: frozenset[str]) -> None:
    """Refuse any SERVICE call (or update LOAD) to an endpoint that is not on the allow-list:
    the store makes these HTTP requests itself, so anything else would let a client make
    this server call any address it can reach."""
    for target in shape.services:
        if target is None:
            raise QueryRefused("SERVICE with a variable endpoint is not allowed")
        if target not in allowed:
            raise QueryRefused(
                f"SERVICE <{target}> is not allowed: this endpoint only federates with "
                "allow-listed endpoints"
            )
    for target in shape.loads:
        if target not in allowed:
            raise QueryRefused(f"LOAD <{target}> is not allowed: the source is not allow-listed")


def with_using(update: str, default_graphs: list[str], named_graphs: list[str]) -> str:
    """An update with the protocol's using-graph-uri/using-named-graph-uri written into it
    as USING/USING NAMED clauses before the WHERE of each DELETE/INSERT operation (SPARQL 1.1
    Protocol 2.2.3). The IRIs are checked IRIs; an update naming its own dataset is refused,
    as the protocol requires."""
    if inspect(update).names_dataset:
        raise QueryRefused(
            "the update names its dataset with USING or WITH and the request with "
            "using-graph-uri/using-named-graph-uri: use one or the other"
        )
    clauses = " ".join(
        [f"USING {_iri(g)}" for g in default_graphs] + [f"USING NAMED {_iri(g)}" for g in named_graphs]
    )
    depth, previous, cuts = 0, "", []
    for kind, text, start in _positioned(update):
        if text == "{":
            depth += 1
        elif text == "}":
            depth -= 1
        elif depth == 0 and kind == "word" and text.upper() == "WHERE" and previous == "}":
            cuts.append(start)
        previous = text
    for start in reversed(cuts):
        update = f"{update[:start]}{clauses} {update[start:]}"
    return update


def _iri(value: str) -> str:
    if not value or any(c in value for c in '<>"{}|^`\\ \t\r\n'):
        raise QueryRefused(f"{value!r} is not an IRI")
    return f"<{value}>"
