"""Deciding on a query's SERVICE calls and an update's LOADs from its algebra, not its text.

The store makes these HTTP requests itself, so a target that is not allow-listed would let a
client make this server call any address it can reach. A tokenizer (`querycheck`) can be
fooled by text two parsers read differently (an IRI with U+00A0 in it, then `#`, hid a
SERVICE from it), so the decision is taken on the parsed query: rdflib's SPARQL parser and
algebra, walked for every `ServiceGraphPattern` and `Load`. What the parser cannot read is
refused (fail closed): a query the check cannot see through does not run.

Parsing is slow for big queries (pyparsing: seconds for a thousand triple patterns), so it
runs in the reader process, within the query's timeout (`queryworker`), and only for text
that could hold the keywords at all: SERVICE and LOAD are ASCII keywords, so a text without
"service" or "load" in any case, after SPARQL's codepoint escapes are expanded, has neither.
"""
from __future__ import annotations

import re
import sys
from collections.abc import Iterator

from .querycheck import QueryRefused

_KEYWORDS = re.compile(r"service|load", re.IGNORECASE)
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
# pyparsing recurses once per triple pattern or so; a reader process is its own, so a deeper
# stack here is no risk to the web server.
_RECURSION_LIMIT = 20_000


def _expanded(text: str) -> str:
    """The text with SPARQL's \\u and \\U escapes replaced by their characters (SPARQL 1.1
    section 19.2: they are processed before parsing, anywhere in the query)."""

    def char(m: re.Match) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= sys.maxunicode else ""

    return _ESCAPE.sub(char, text)


def may_call_out(text: str) -> bool:
    """Whether `text` could hold a SERVICE or LOAD at all (False is certain)."""
    return _KEYWORDS.search(_expanded(text)) is not None


def check(text: str, kind: str, allowed: frozenset[str], base: str | None = None) -> None:
    """Refuse (QueryRefused) a query or update (`kind` "query" or "update") that calls an
    endpoint, or loads a source, not in `allowed`, or that cannot be parsed."""
    if not may_call_out(text):
        return
    for what, target in _targets(text, kind, base):
        if target is None:
            raise QueryRefused(f"{what} with a variable endpoint is not allowed")
        if target not in allowed:
            if what == "LOAD":
                raise QueryRefused(f"LOAD <{target}> is not allowed: the source is not allow-listed")
            raise QueryRefused(
                f"SERVICE <{target}> is not allowed: this endpoint only federates with "
                "allow-listed endpoints"
            )


def _targets(text: str, kind: str, base: str | None) -> list[tuple[str, str | None]]:
    """("SERVICE" or "LOAD", target IRI or None for a variable) of every call in `text`."""
    from rdflib.plugins.sparql import algebra, parser
    from rdflib.term import URIRef

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, _RECURSION_LIMIT))
    try:
        if kind == "update":
            tree = algebra.translateUpdate(parser.parseUpdate(text), base=base).algebra
        else:
            tree = algebra.translateQuery(parser.parseQuery(text), base=base).algebra
    except Exception as e:  # noqa: BLE001 - anything unread is refused, whatever the reason
        message = " ".join(str(e).split())[:300] or type(e).__name__
        raise QueryRefused(
            f"this {kind} could not be checked for SERVICE and LOAD calls ({message}); the "
            "endpoint runs only what it can check"
        ) from None
    finally:
        sys.setrecursionlimit(limit)
    out: list[tuple[str, str | None]] = []
    for node in _nodes(tree):
        name = getattr(node, "name", None)
        if name == "ServiceGraphPattern":
            term = node.get("term")
            out.append(("SERVICE", str(term) if isinstance(term, URIRef) else None))
        elif name == "Load":
            iri = node.get("iri")
            out.append(("LOAD", str(iri) if isinstance(iri, URIRef) else None))
    return out


def _nodes(tree: object) -> Iterator[object]:
    """Every value in the algebra, depth first, without recursion (the algebra of a big
    query is deep)."""
    stack, seen = [tree], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, (list, tuple, set, frozenset)):
            stack.extend(node)
