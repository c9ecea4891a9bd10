"""Blank nodes on their way to and from a remote store.

Stores differ on blank nodes: Virtuoso refuses them in `INSERT DATA` (`SP031 ... not allowed
in a constant clause`) and writes them in its results as `nodeID://b10108`, which pyoxigraph
refuses as a label; a blank node sent in two requests is two different nodes anywhere. So
they leave skolemised (RDF 1.1 Concepts section 3.5): `_:x` is sent as
`{base}/.well-known/genid/x`, and such IRIs in an answer are read back as `_:x`, the same term
the commons wrote. Blank nodes the engine made itself (`nodeID://...`) come back as blank nodes.
"""
from __future__ import annotations

import json
import re

from pyoxigraph import BlankNode, NamedNode, Quad

GENID_PATH = "/.well-known/genid/"
_VIRTUOSO_BNODE = "nodeID://"


class Skolem:
    """Skolem IRIs under one base (the commons' own: it controls that authority)."""

    def __init__(self, base: str) -> None:
        self.prefix = base.rstrip("/") + GENID_PATH
        self._ntriples = re.compile(rb"<" + re.escape(self.prefix.encode()) + rb"([^>]*)>")

    def term(self, term):
        """A term as it leaves: a blank node becomes its skolem IRI."""
        if isinstance(term, BlankNode):
            return NamedNode(self.prefix + term.value)
        return term

    def quad(self, quad: Quad) -> Quad:
        if isinstance(quad.subject, BlankNode) or isinstance(quad.object, BlankNode):
            return Quad(self.term(quad.subject), quad.predicate, self.term(quad.object), quad.graph_name)
        return quad

    def results_json(self, data: bytes) -> bytes:
        """SPARQL JSON results with skolem IRIs (and Virtuoso's nodeID://) as blank nodes."""
        if self.prefix.encode() not in data and _VIRTUOSO_BNODE.encode() not in data:
            return data
        document = json.loads(data)
        for row in document.get("results", {}).get("bindings", []):
            for value in row.values():
                self._unskolemise(value)
        return json.dumps(document).encode()

    def _unskolemise(self, value: dict) -> None:
        text = value.get("value", "")
        if value.get("type") == "uri" and text.startswith(self.prefix):
            value["type"], value["value"] = "bnode", text[len(self.prefix):]
        elif value.get("type") == "bnode" and text.startswith(_VIRTUOSO_BNODE):
            value["value"] = text[len(_VIRTUOSO_BNODE):]
        elif value.get("type") == "uri" and text.startswith(_VIRTUOSO_BNODE):
            value["type"], value["value"] = "bnode", text[len(_VIRTUOSO_BNODE):]
        elif value.get("type") == "triple":
            for part in value.get("value", {}).values():
                self._unskolemise(part)

    def update_text(self, text: str) -> str:
        """An update with every blank node label (outside strings, IRIs and comments)
        written as its skolem IRI."""
        return _SCAN.sub(
            lambda m: f"<{self.prefix}{m.group('label')}>" if m.group("label") else m.group(), text
        )

    def ntriples(self, data: bytes) -> bytes:
        """N-Triples with skolem IRIs (and Virtuoso's <nodeID://...>) as blank nodes."""
        data = self._ntriples.sub(rb"_:\1", data)
        if _VIRTUOSO_BNODE.encode() in data:
            data = re.sub(rb"<nodeID://([^>]*)>", rb"_:\1", data)
        return data


# Strings, IRIs and comments are matched whole (and kept), so a label is found only outside them.
_SCAN = re.compile(
    r"""'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\""""
    r"""|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|<[^<>"{}|^`\\\x00-\x20]*>|\#[^\r\n]*"""
    r"""|_:(?P<label>[A-Za-z0-9_](?:[\w.-]*[\w-])?)""",
    re.DOTALL,
)
