"""ESSGlobal as the community writes it: the same vocabulary under four bases.

The commons stores ESSGlobal under `http://purl.org/essglobal/` (`vocab/` and `standard/`).
The community's data and queries also use `https://w3id.solidarityeconomy.coop/essglobal/V2a/`,
`https://dev.lod.coop/essglobal/2.1/` and `https://lod.coop/essglobal/2.1/`: mykomap's queries
declare `essglobal:` under one of those. Rather than storing every ESSGlobal statement four
times, a query's IRIs are rewritten to our base before it runs (microseconds per query, see
docs/federation.md), and harvested data is rewritten the same way when it comes in.

The maps' queries were written for Virtuoso, which declares the usual prefixes (`rdf:`...)
itself; `with_known_prefixes` declares ours for a query that uses one without declaring it.
"""
from __future__ import annotations

import re

from .vocab import PREFIXES

OUR_BASE = "http://purl.org/essglobal/"
OTHER_BASES: tuple[str, ...] = (
    "https://w3id.solidarityeconomy.coop/essglobal/V2a/",
    "https://dev.lod.coop/essglobal/2.1/",
    "https://lod.coop/essglobal/2.1/",
)

# Strings and comments are kept as they are; IRIs and prefixed names are what is looked at.
_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\r\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><(?:[^<>"{}|^`\\\s])*>)
  | (?P<prefix>\bPREFIX\s+(?P<declared>[A-Za-z][\w.-]*)?:)
  | (?P<pname>(?<![\w?$])(?P<used>[A-Za-z][\w.-]*?):[\w.:%-]*)
    """,
    re.VERBOSE | re.DOTALL | re.IGNORECASE,
)


def to_our_base(iri: str) -> str:
    """An ESSGlobal IRI under any of the community's bases, under ours; others unchanged."""
    for base in OTHER_BASES:
        if iri.startswith(base):
            return OUR_BASE + iri[len(base):]
    return iri


def rewrite_query(query: str) -> str:
    """The query with ESSGlobal IRIs under our base and our prefixes declared where it uses
    them undeclared: what a query written for the community's stores needs to run here."""
    declared: set[str] = set()
    used: list[str] = []

    def replace(m: re.Match) -> str:
        if m.group("iri"):
            return "<" + to_our_base(m.group("iri")[1:-1]) + ">"
        if m.group("prefix") is not None:
            declared.add(m.group("declared") or "")
        elif m.group("pname") is not None:
            used.append(m.group("used"))
        return m.group()

    text = _TOKEN.sub(replace, query)
    missing = [p for p in dict.fromkeys(used) if p not in declared and p in PREFIXES]
    return "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in missing) + text
