"""JSON-LD with a published context: documents say `"@context": "<server>/context.jsonld"`
instead of repeating the prefixes, so every co-op reads with the same short keys
(`gr:name`, `geo:lat`) and a client caches one context for the whole commons."""
from __future__ import annotations

import json
from collections.abc import Iterable

import rdflib
from pyoxigraph import RdfFormat, Triple, serialize

from datacommons.vocab import PREFIXES

CONTEXT: dict[str, str] = dict(sorted(PREFIXES.items()))
CONTEXT_PATH = "/context.jsonld"
MEDIA = "application/ld+json"


def context_document() -> dict[str, object]:
    return {"@context": CONTEXT}


def serialize_triples(triples: Iterable[Triple], context_url: str) -> bytes:
    """Triples as compacted JSON-LD against the published context.

    pyoxigraph writes expanded JSON-LD only; rdflib compacts. The entities served this way
    are small (tens of triples), so going through N-Triples costs well under a millisecond
    per triple."""
    ntriples = serialize(list(triples), format=RdfFormat.N_TRIPLES) or b""
    graph = rdflib.Graph().parse(data=ntriples.decode("utf-8"), format="nt")
    document = json.loads(graph.serialize(format="json-ld", context=CONTEXT, auto_compact=True))
    document["@context"] = context_url
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
