"""The vocabulary and concept schemes: they parse, everything people see has a label in English,
French and Spanish, and a record stays readable by schema.org and vCard tools."""
from __future__ import annotations

import re
from pathlib import Path

import owlrl
import pytest
import rdflib
from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology"
SCHEMES = ONTOLOGY / "schemes"
COOP = rdflib.Namespace("https://w3id.org/coop-commons/vocab#")
STRUCTURE = rdflib.Namespace("https://w3id.org/coop-commons/concept/structure/")
SCHEMA = rdflib.Namespace("https://schema.org/")
ESS_STANDARD = "http://purl.org/essglobal/standard/"
LABELLED_SCHEMES = (
    "organisational-structure", "activities-ica", "legal-form", "base-membership-type", "qualifiers",
)
LANGUAGES = ("en", "fr", "es")
TURTLE_FILES = sorted([*ONTOLOGY.rglob("*.ttl"), *(ROOT / "shapes").rglob("*.ttl")])


@pytest.fixture(scope="module")
def vocabulary() -> rdflib.Graph:
    # our terms: the core's, and the marketplace's in a file of their own
    return rdflib.Graph().parse(ONTOLOGY / "coop.ttl").parse(ONTOLOGY / "market.ttl")


@pytest.fixture(scope="module")
def concepts() -> rdflib.Graph:
    """ESSGlobal's schemes as we publish them: with our French and Spanish labels, and ours."""
    graph = rdflib.Graph()
    for name in (*LABELLED_SCHEMES, "essglobal-labels-fr-es", "coop-concepts"):
        graph.parse(SCHEMES / f"{name}.ttl")
    return graph


def labels(graph: rdflib.Graph, term: URIRef, predicate: URIRef) -> dict[str, str]:
    """Non-empty labels by language: ESSGlobal ships empty strings for missing translations."""
    return {
        label.language: str(label)
        for label in graph.objects(term, predicate)
        if isinstance(label, Literal) and str(label).strip()
    }


@pytest.mark.parametrize("path", TURTLE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_turtle_file_parses(path: Path) -> None:
    assert len(rdflib.Graph().parse(path, format="turtle")) > 0


def test_every_concept_we_use_has_a_label_in_english_french_and_spanish(concepts: rdflib.Graph) -> None:
    missing = [
        (str(concept), language)
        for concept in concepts.subjects(RDF.type, SKOS.Concept)
        for language in LANGUAGES
        if language not in labels(concepts, concept, SKOS.prefLabel)
    ]
    assert missing == []


def test_the_translations_file_only_labels_concepts_essglobal_has() -> None:
    essglobal = rdflib.Graph()
    for name in LABELLED_SCHEMES:
        essglobal.parse(SCHEMES / f"{name}.ttl")
    ours = rdflib.Graph().parse(SCHEMES / "essglobal-labels-fr-es.ttl")
    assert set(ours.subjects()) <= set(essglobal.subjects(RDF.type, SKOS.Concept))


def test_every_coop_term_has_labels_a_comment_and_a_home(vocabulary: rdflib.Graph) -> None:
    terms = {s for s in vocabulary.subjects() if isinstance(s, URIRef) and s.startswith(str(COOP))}
    assert {COOP.MemberOrganisation, COOP.CanonicalOrganisation, COOP.Import, COOP.listedBy,
            COOP.country, COOP.registrationNumber, COOP.policy, COOP.level} <= terms
    for term in terms:
        assert set(labels(vocabulary, term, RDFS.label)) >= set(LANGUAGES), term
        assert "en" in labels(vocabulary, term, RDFS.comment), term
        assert vocabulary.value(term, RDFS.isDefinedBy) == URIRef("https://w3id.org/coop-commons/vocab")


def test_every_coop_term_the_code_writes_is_defined(vocabulary: rdflib.Graph) -> None:
    used = {
        name
        for package in ("datacommons", "loaders", "endpoint")
        for path in (ROOT / package).rglob("*.py")
        for name in re.findall(r"\bCOOP\.(\w+)|\bCOOP\[\"([^\"]+)\"\]", path.read_text(encoding="utf-8"))
    }
    names = {a or b for a, b in used}
    assert {n for n in names if (COOP[n], None, None) not in vocabulary} == set()


def test_publication_levels_are_exactly_public_members_private(vocabulary: rdflib.Graph) -> None:
    levels = set(vocabulary.subjects(RDF.type, COOP.PublicationLevel))
    assert levels == {COOP.public, COOP.members, COOP.private}


def test_credit_unions_are_a_kind_of_cooperative(concepts: rdflib.Graph) -> None:
    credit_union = STRUCTURE["credit-union"]
    scheme = URIRef("https://w3id.org/coop-commons/concept/structure")
    assert (credit_union, SKOS.inScheme, scheme) in concepts
    assert labels(concepts, credit_union, SKOS.prefLabel) == {
        "en": "Credit union", "fr": "Coopérative de crédit", "es": "Cooperativa de ahorro y crédito",
    }
    cooperative = URIRef(ESS_STANDARD + "organisational-structure/OS115")
    assert (credit_union, SKOS.broadMatch, cooperative) in concepts
    assert Literal("Caisse populaire", lang="fr") in set(concepts.objects(credit_union, SKOS.altLabel))


def test_our_concepts_link_only_to_essglobal_concepts_that_exist(concepts: rdflib.Graph) -> None:
    everything = rdflib.Graph()
    for path in SCHEMES.glob("*.ttl"):
        everything.parse(path)
    ours = rdflib.Graph().parse(SCHEMES / "coop-concepts.ttl")
    mapping = (SKOS.broadMatch, SKOS.relatedMatch, SKOS.closeMatch, SKOS.exactMatch)
    targets = {o for p in mapping for o in ours.objects(None, p)}
    assert targets and all((t, RDF.type, SKOS.Concept) in everything for t in targets)


def test_data_published_under_other_essglobal_bases_matches_ours() -> None:
    equivalences = rdflib.Graph().parse(SCHEMES / "essglobal-equivalences.ttl")
    workers = URIRef(ESS_STANDARD + "organisational-structure/OS60")
    assert set(equivalences.objects(workers, SKOS.exactMatch)) == {
        URIRef(f"{base}/standard/organisational-structure/OS60")
        for base in (
            "https://lod.coop/essglobal/2.1",
            "https://dev.lod.coop/essglobal/2.1",
            "https://lod.coop/essglobal/V2a",
            "https://w3id.solidarityeconomy.coop/essglobal/V2a",
        )
    }


def test_a_record_reads_as_schema_org_under_rdfs_inference(vocabulary: rdflib.Graph) -> None:
    record = rdflib.Graph().parse(format="turtle", data="""
        @prefix essglobal: <http://purl.org/essglobal/vocab/> .
        @prefix gr: <http://purl.org/goodrelations/v1#> .
        @prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
        @prefix foaf: <http://xmlns.com/foaf/0.1/> .
        @prefix coop: <https://w3id.org/coop-commons/vocab#> .
        <http://x/id/fed/1> a essglobal:SSEInitiative ; gr:name "Red Door Bakery" ;
            foaf:homepage <https://reddoor.example.coop/> ;
            vcard:hasTelephone <tel:+16125550142> ;
            coop:listedBy <http://x/id/member/fed> ;
            essglobal:hasAddress <http://x/id/fed/1#address> .
        <http://x/id/fed/1#address> a essglobal:Address ; vcard:locality "Minneapolis" .
    """)
    graph = record + vocabulary
    owlrl.DeductiveClosure(owlrl.RDFS_Semantics).expand(graph)
    coop_ = URIRef("http://x/id/fed/1")
    address = URIRef("http://x/id/fed/1#address")
    assert (coop_, RDF.type, SCHEMA.Organization) in graph
    assert (coop_, SCHEMA.name, Literal("Red Door Bakery")) in graph
    assert (coop_, SCHEMA.url, URIRef("https://reddoor.example.coop/")) in graph
    assert (coop_, SCHEMA.telephone, URIRef("tel:+16125550142")) in graph
    assert (coop_, SCHEMA.address, address) in graph
    assert (address, RDF.type, SCHEMA.PostalAddress) in graph
    assert (address, SCHEMA.addressLocality, Literal("Minneapolis")) in graph
    attributed_to = URIRef("http://www.w3.org/ns/prov#wasAttributedTo")
    assert (coop_, attributed_to, URIRef("http://x/id/member/fed")) in graph


def test_the_vocabulary_attributes_essglobal(vocabulary: rdflib.Graph) -> None:
    text = (ONTOLOGY / "coop.ttl").read_text(encoding="utf-8")
    assert "ESSGlobal vocabulary, RIPESS" in text and "CC BY 3.0" in text
    ontology = URIRef("https://w3id.org/coop-commons/vocab")
    assert (ontology, RDF.type, OWL.Ontology) in vocabulary
    assert vocabulary.value(ontology, OWL.versionInfo) is not None
