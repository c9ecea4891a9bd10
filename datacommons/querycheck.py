"""Reading what a SPARQL query asks for before running it: its dataset and its SERVICE calls.

This is not a parser; it is a tokenizer that skips strings, IRIs and comments correctly, which
is all that is needed to find `FROM`, `FROM NAMED`, `SERVICE` and `PREFIX`/`BASE` clauses. The
access decision does not depend on it: the store is always handed the audience's graphs
explicitly. This only narrows the dataset to what the query names, and refuses `SERVICE` calls
to endpoints that are not allowed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\s]*>)
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


def _tokens(query: str) -> list[tuple[str, str]]:
    out = []
    for m in _TOKEN.finditer(query):
        kind = m.lastgroup or "other"
        if kind not in ("ws", "comment"):
            out.append((kind, m.group()))
    return out


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
    """Refuse any SERVICE call to an endpoint that is not on the allow-list."""
    for target in shape.services:
        if target is None:
            raise QueryRefused("SERVICE with a variable endpoint is not allowed")
        if target not in allowed:
            raise QueryRefused(
                f"SERVICE <{target}> is not allowed: this endpoint only federates with "
                "allow-listed endpoints"
            )
