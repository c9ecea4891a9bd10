"""The licence each member organisation publishes its public data under.

A member chooses (CC0, CC BY 4.0, ODbL, or the URL of any other licence); one that has not
chosen publishes under the operator's default (`default_licence` in the configuration). The
choice is public linked data, `<member> dcterms:license <licence>` in the commons' graph, so
SPARQL, pages and dumps all read the same statement; the default is applied when it is read
(an operator who changes it changes it for every member that has not chosen).

Every member graph's statements are that member's, so a statement's licence is its graph's
publisher's: `graph_licences` says so per graph for VoID, DCAT and the dumps.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

from pyoxigraph import NamedNode, Quad

from .audience import SYSTEM
from .vocab import DCTERMS


@dataclass(frozen=True)
class Licence:
    iri: str
    name: str  # as pages show it: "CC BY 4.0", or the URL of a licence we do not know


KNOWN: dict[str, Licence] = {
    "cc0": Licence("https://creativecommons.org/publicdomain/zero/1.0/", "CC0 1.0"),
    "cc-by-4.0": Licence("https://creativecommons.org/licenses/by/4.0/", "CC BY 4.0"),
    "odbl": Licence("https://opendatacommons.org/licenses/odbl/1-0/", "ODbL 1.0"),
}
_BY_IRI = {licence.iri: licence for licence in KNOWN.values()}
_ALIASES = {"cc-by": "cc-by-4.0", "ccby": "cc-by-4.0", "cc-by4": "cc-by-4.0", "odbl-1.0": "odbl",
            "cc0-1.0": "cc0", "public-domain": "cc0"}


def parse(text: str) -> Licence:
    """A licence by its short name (cc0, cc-by-4.0, odbl) or by URL; ValueError otherwise."""
    key = text.strip().lower().replace(" ", "-").replace("_", "-")
    key = _ALIASES.get(key, key)
    if key in KNOWN:
        return KNOWN[key]
    url = text.strip()
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.netloc and not any(c.isspace() for c in url):
        return of_iri(url)
    raise ValueError(
        f"unknown licence {text!r}: use {', '.join(KNOWN)} or the http(s) URL of the licence"
    )


def of_iri(iri: str) -> Licence:
    """The licence an IRI names (known licences by their short name, also without the
    trailing slash or over http)."""
    plain = iri if iri.endswith("/") else iri + "/"
    known = _BY_IRI.get(plain) or _BY_IRI.get(plain.replace("http://", "https://", 1))
    return known or Licence(iri, iri)


def default(commons) -> Licence:
    """The operator's default; ValueError naming the setting when it is not a licence."""
    try:
        return parse(commons.config.default_licence)
    except ValueError as e:
        raise ValueError(f"default_licence (DATACOMMONS_DEFAULT_LICENCE): {e}") from None


def set_licence(commons, member: str, text: str) -> Licence:
    """Record a member's choice (its previous one replaced in the same write)."""
    if commons.system.member(member) is None:
        raise ValueError(f"no member {member!r}")
    licence = parse(text)
    node, graph = NamedNode(commons.uris.member(member)), NamedNode(commons.uris.commons_graph)
    old = [q for q in commons.quads_of(node.value, [graph.value], SYSTEM) if q.predicate == DCTERMS.license]
    commons.apply(remove=old, add=[Quad(node, DCTERMS.license, NamedNode(licence.iri), graph)])
    return licence


_CACHE: dict[tuple[str, int], dict[str, Licence]] = {}
_CACHE_LOCK = threading.Lock()


def licences(commons) -> dict[str, Licence]:
    """Every member's licence (its choice, else the default), read once per store version."""
    key = (str(commons.path), commons.version)
    with _CACHE_LOCK:
        found = _CACHE.get(key)
    if found is None:
        fallback = default(commons)
        chosen: dict[str, Licence] = {}
        for m in commons.system.members():
            quads = commons.quads_of(commons.uris.member(m.id), [commons.uris.commons_graph], SYSTEM)
            chosen[m.id] = next((of_iri(q.object.value) for q in quads if q.predicate == DCTERMS.license), fallback)
        found = chosen
        with _CACHE_LOCK:
            if len(_CACHE) > 64:
                _CACHE.clear()
            _CACHE[key] = found
    return found


def graph_licences(commons, graphs) -> dict[str, tuple[str, Licence]]:
    """For each member's public graph among `graphs`: (its member, the member's licence).
    The licence is of a member's public data; what it shares with members only is not
    published, so no licence is claimed for it."""
    by_member = licences(commons)
    prefix = commons.uris.base + "/graph/"
    out: dict[str, tuple[str, Licence]] = {}
    for g in graphs:
        parts = g[len(prefix):].split("/") if g.startswith(prefix) else []
        if len(parts) == 2 and parts[1] == "public" and parts[0] in by_member:
            out[g] = (parts[0], by_member[parts[0]])
    return out


def dump_statements(commons, graphs) -> list[Quad]:
    """What a dump says about its own licences, in the commons' graph: each member graph's
    publisher and licence, so a dump read on its own still says under which terms each of
    its statements may be reused."""
    graph = NamedNode(commons.uris.commons_graph)
    out: list[Quad] = []
    for g, (member, licence) in sorted(graph_licences(commons, graphs).items()):
        out += [Quad(NamedNode(g), DCTERMS.publisher, NamedNode(commons.uris.member(member)), graph),
                Quad(NamedNode(g), DCTERMS.license, NamedNode(licence.iri), graph)]
    return out
