"""The audience's dataset written into every query that leaves for a remote store.

The commons decides which graphs a query may read and hands them to the store as the SPARQL
Protocol's `default-graph-uri`/`named-graph-uri`, which by the standard *replace* the query's
own `FROM`/`FROM NAMED`. Virtuoso instead merges the two (a `FROM <members graph>` in the text
read members-only email addresses next to the protocol's public graph), reads every graph,
its system graphs included, for `GRAPH ?g` when no named graph is given, and obeys a
`DEFINE input:default-graph-uri` pragma in the text. So before a query leaves:

- its own `FROM`/`FROM NAMED` clauses are cut out and the audience's graphs are written in
  their place (merging the protocol's dataset with these changes nothing);
- both parts of the dataset are always given (a graph that never exists stands in for an
  empty part), so no engine falls back on "every graph";
- `GRAPH <iri>` outside the named graphs is pointed at a graph that never exists;
- when the text could hold a dataset clause or a pragma at all ("from" or "define" in any
  case, after SPARQL's escapes are expanded), or a query from outside names a graph, the
  rewritten query is parsed (rdflib) and must name exactly the audience's graphs; a `DEFINE`
  pragma is refused, and what rdflib cannot read is a syntax error or refused. Fail closed: a tokenizer that two parsers read differently cannot widen the dataset.
"""
from __future__ import annotations

import re

from rdflib.term import URIRef

from ..querycheck import QueryRefused, _iri, _positioned
from ..servicecheck import _expanded

# The graph a query reads when the access decision leaves it nothing: it is never written.
NO_GRAPH = "urn:x-datacommons:no-graph"
_MAY_NAME_DATASET = re.compile(r"from|define", re.IGNORECASE)
_NAMES_GRAPH = re.compile(r"graph", re.IGNORECASE)
_FORMS = ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")
_AFTER_DATASET = ("WHERE", "ORDER", "LIMIT", "OFFSET", "VALUES", "GROUP", "HAVING")


def dataset_of(default: list[str], named: list[str]) -> tuple[list[str], list[str]]:
    """Both parts of the dataset, never empty: an empty part is the graph that never exists."""
    return (list(default) or [NO_GRAPH], list(named) or [NO_GRAPH])


def with_dataset(query: str, default: list[str], named: list[str], parse: bool = False) -> str:
    """`query` with its own FROM/FROM NAMED replaced by `default` and `named` (non-empty lists
    of IRIs), and every `GRAPH <iri>` naming a graph outside `named` pointed at the graph that
    never exists (the same answer by the standard; Virtuoso counts `COUNT(*)` over such a
    graph from its index and answered the members graph's size). Raises QueryRefused if the
    result cannot be shown to read only those graphs: checked on the parsed query when the
    text could name a dataset, or (`parse`: a query from outside) a graph."""
    clauses = " ".join([f"FROM {_iri(g)}" for g in default] + [f"FROM NAMED {_iri(g)}" for g in named])
    tokens = _positioned(query)
    cuts: list[tuple[int, int]] = []
    graphs: list[tuple[int, int]] = []  # GRAPH <iri> outside the named graphs: replaced
    prefixes: dict[str, str] = {}
    insert_at: int | None = None
    form: int | None = None
    depth = 0
    i = 0
    while i < len(tokens):
        kind, text, start = tokens[i]
        upper = text.upper() if kind == "word" else ""
        if upper == "PREFIX" and i + 2 < len(tokens) and tokens[i + 2][0] == "iri":
            prefixes[tokens[i + 1][1].rstrip(":")] = tokens[i + 2][1][1:-1]
        if upper == "GRAPH" and i + 1 < len(tokens) and tokens[i + 1][0] in ("iri", "pname"):
            target_kind, target, at = tokens[i + 1]
            if target_kind == "iri":
                iri = target[1:-1]
            else:
                prefix, _, local = target.partition(":")
                iri = prefixes[prefix] + local if prefix in prefixes else None
            if iri not in named:
                graphs.append((at, at + len(target)))
        if text == "{":
            if depth == 0 and form is not None and insert_at is None and not _in_template(tokens, form, i):
                insert_at = start
            depth += 1
        elif text == "}":
            depth -= 1
        elif depth == 0 and upper in _FORMS and form is None:
            form = i
        elif depth == 0 and upper == "FROM" and form is not None:
            j = i + 1
            if j < len(tokens) and tokens[j][0] == "word" and tokens[j][1].upper() == "NAMED":
                j += 1
            if j < len(tokens):
                end = tokens[j][2] + len(tokens[j][1])
                cuts.append((start, end))
                if insert_at is None:
                    insert_at = start
                i = j + 1
                continue
        elif depth == 0 and upper in _AFTER_DATASET and form is not None and insert_at is None:
            insert_at = start
        i += 1
    if form is None:
        raise SyntaxError("syntax error: not a SPARQL query (no SELECT, CONSTRUCT, ASK or DESCRIBE)")
    if insert_at is None:
        insert_at = len(query)
    edits = [(start, end, f" {clauses} " if start == insert_at else "") for start, end in cuts]
    if not cuts:
        edits.append((insert_at, insert_at, f" {clauses} "))
    edits += [(start, end, f"<{NO_GRAPH}>") for start, end in graphs]
    pieces, last = [], 0
    for start, end, text in sorted(edits):
        pieces += [query[last:start], text]
        last = end
    pieces.append(query[last:])
    rewritten = "".join(pieces)
    expanded = _expanded(query)
    if _MAY_NAME_DATASET.search(expanded) or (parse and _NAMES_GRAPH.search(expanded)):
        _check_parsed(rewritten, default, named, query)
    return rewritten


def query_form(query: str) -> str | None:
    """SELECT, CONSTRUCT, ASK or DESCRIBE: the query's form (the first at the top level)."""
    depth = 0
    for kind, text, _ in _positioned(query):
        depth += {"{": 1, "}": -1}.get(text, 0)
        if depth == 0 and kind == "word" and text.upper() in _FORMS:
            return text.upper()
    return None


def _in_template(tokens: list, form: int, index: int) -> bool:
    """Whether the `{` at `index` opens a CONSTRUCT template (the dataset comes after it)."""
    return tokens[form][1].upper() == "CONSTRUCT" and index == form + 1


def _check_parsed(query: str, default: list[str], named: list[str], original: str) -> None:
    """Refuse unless the parsed query names exactly the given graphs as its dataset."""
    from rdflib.plugins.sparql import algebra, parser

    # Parsed in the web process (a remote store has no reader processes), so within Python's
    # own recursion limit: a query nested past it is refused, never a crashed thread.
    from pyparsing import ParseException

    try:
        tree = algebra.translateQuery(parser.parseQuery(query)).algebra
    except ParseException:
        if not re.match(r"[\ \t\r\n]*define\b", original, re.IGNORECASE):
            try:
                parser.parseQuery(original)
            except ParseException as e:  # where the client's own text goes wrong
                raise SyntaxError(f"syntax error at {e.lineno}:{e.col}: {e.msg}") from None
            raise QueryRefused("this query could not be checked for the graphs it reads") from None
        raise QueryRefused(
            "a DEFINE pragma (Virtuoso's) can name the graphs a query reads: the commons does not "
            "send it to a remote store"
        ) from None
    except Exception as e:  # noqa: BLE001 - what cannot be read is not sent
        message = " ".join(str(e).split())[:300] or type(e).__name__
        raise QueryRefused(
            f"this query could not be checked for the graphs it reads ({message}); a remote "
            "store is sent only queries whose dataset the commons can check (no DEFINE pragmas)"
        ) from None
    clauses = tree.get("datasetClause") or []
    found_default = {str(c.default) for c in clauses if c.default is not None}
    found_named = {str(c.named) for c in clauses if c.named is not None}
    if found_default != set(default) or found_named != set(named):
        raise QueryRefused("this query names graphs outside what it may read here")
    allowed = set(named) | {NO_GRAPH}
    for node in _nodes(tree):
        if getattr(node, "name", None) == "Graph" and isinstance(node.term, URIRef) and str(node.term) not in allowed:
            raise QueryRefused("this query names graphs outside what it may read here")


def _nodes(tree):
    """Every algebra node of a parsed query (iteratively: queries can nest deeply)."""
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            yield node
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)):
            stack.extend(node)
