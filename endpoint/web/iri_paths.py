"""Which IRIs a path under /id/ names, and which local page shows an IRI.

The commons mints `{base}/id/...` IRIs and serves each at itself. Concepts and vocabulary
terms live in other namespaces (ESSGlobal's at purl.org, ours at w3id.org), so the commons
serves its copy of them at fixed local paths and links there:

| IRI | served at |
|---|---|
| `{base}/id/...` (co-ops, member organisations, canonical co-ops) | itself |
| `http://purl.org/essglobal/standard/{scheme}/{code}` (ESSGlobal concepts) | `/id/concept/essglobal/{scheme}/{code}` |
| `https://w3id.org/coop-commons/concept/{scheme}/{code}` (our concepts) | `/id/concept/{scheme}/{code}` |
| `https://w3id.org/coop-commons/vocab#{term}` (our vocabulary) | `/vocab` (`#term` anchors) |
"""
from __future__ import annotations

from urllib.parse import quote

from datacommons.vocab import COOP, COOP_CONCEPT, ESS_STANDARD

ESSGLOBAL_CONCEPTS = "concept/essglobal/"
OUR_CONCEPTS = "concept/"
VOCAB_PAGE = "/vocab"


def iris_for_path(base: str, rest: str) -> list[str]:
    """The IRIs `/id/{rest}` may name, most likely first.

    `rest` arrives percent-decoded. Minted IRIs percent-encode everything outside
    `-._~` (non-ASCII, spaces, and in local ids even `/`), but IRIs written by hand or by
    other tools may keep non-ASCII characters as they are: both spellings are tried."""
    if rest.startswith(ESSGLOBAL_CONCEPTS):
        return [ESS_STANDARD + rest[len(ESSGLOBAL_CONCEPTS):]]
    if rest.startswith(OUR_CONCEPTS):
        return [COOP_CONCEPT + rest[len(OUR_CONCEPTS):]]
    prefix = f"{base}/id/"
    spellings = [
        quote(rest, safe="-._~/"),  # minted: everything but the path's slashes encoded
        _iri_form(rest),  # an IRI that keeps its non-ASCII characters
        quote(rest.split("/", 1)[0], safe="-._~") + "/" + quote(rest.split("/", 1)[1], safe="-._~")
        if "/" in rest else None,  # a local id with a slash in it, encoded as %2F
    ]
    return list(dict.fromkeys(prefix + s for s in spellings if s is not None))


def _iri_form(text: str) -> str:
    return "".join(c if ord(c) > 127 else quote(c, safe="-._~/") for c in text)


def page_for(base: str, iri: str) -> str:
    """Where a person reads about `iri`: a root-relative local path for what the commons
    serves (so links work whatever host name the server is reached by), else the IRI."""
    if iri.startswith(f"{base}/id/"):
        return iri[len(base):]
    if iri.startswith(ESS_STANDARD):
        return f"/id/{ESSGLOBAL_CONCEPTS}{iri[len(ESS_STANDARD):]}"
    if iri.startswith(COOP_CONCEPT):
        return f"/id/{OUR_CONCEPTS}{iri[len(COOP_CONCEPT):]}"
    if iri.startswith(str(COOP)):
        return f"{VOCAB_PAGE}#{iri[len(COOP):]}"
    return iri


def data_path(base: str, iri: str) -> str | None:
    """The local path whose extensions (`.ttl`, `.nq`...) give `iri`'s data, if served here."""
    page = page_for(base, iri)
    return page if page.startswith("/id/") else None
