"""Every RDF namespace and term the project uses, defined once."""
from __future__ import annotations

from pyoxigraph import NamedNode


class Namespace(str):
    """A namespace IRI; `NS.term` and `NS["term"]` give pyoxigraph NamedNodes."""

    def __getattr__(self, name: str) -> NamedNode:
        if name.startswith("__"):
            raise AttributeError(name)
        return NamedNode(self + name)

    def __getitem__(self, name: str) -> NamedNode:  # type: ignore[override]
        return NamedNode(self + name)


COOP = Namespace("https://w3id.org/coop-commons/vocab#")
ESS = Namespace("http://purl.org/essglobal/vocab/")
ESS_STANDARD = Namespace("http://purl.org/essglobal/standard/")
GR = Namespace("http://purl.org/goodrelations/v1#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
SCHEMA = Namespace("https://schema.org/")
DCTERMS = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
ORG = Namespace("http://www.w3.org/ns/org#")
PROV = Namespace("http://www.w3.org/ns/prov#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
SH = Namespace("http://www.w3.org/ns/shacl#")
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
OSSPATIAL = Namespace("http://data.ordnancesurvey.co.uk/ontology/spatialrelations/")

# Concept schemes: ESSGlobal's own, plus ours for what they lack.
SCHEME_STRUCTURE = Namespace(ESS_STANDARD + "organisational-structure/")
SCHEME_ACTIVITY = Namespace(ESS_STANDARD + "activities-ica/")
SCHEME_MEMBERSHIP = Namespace(ESS_STANDARD + "base-membership-type/")
SCHEME_COUNTRY = Namespace(ESS_STANDARD + "countries-iso/")
COOP_CONCEPT = Namespace("https://w3id.org/coop-commons/concept/")

PREFIXES: dict[str, str] = {
    "coop": str(COOP),
    "essglobal": str(ESS),
    "gr": str(GR),
    "vcard": str(VCARD),
    "geo": str(GEO),
    "schema": str(SCHEMA),
    "dcterms": str(DCTERMS),
    "foaf": str(FOAF),
    "org": str(ORG),
    "prov": str(PROV),
    "skos": str(SKOS),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "void": str(VOID),
    "dcat": str(DCAT),
    "osspatialrelations": str(OSSPATIAL),
}
