"""SHACL validation reports each problem by the row, field and value a member must fix."""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pyoxigraph
import rdflib
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SH

from datacommons.fields import FIELDS, Level
from datacommons.policy import Policy, policy_triples
from datacommons.uris import Uris
from loaders.record import Problem, Record
from loaders.tordf import record_triples
from loaders.validate import shapes_graph, validate_reference
from loaders.validate import validate as fast_validate

COOP = rdflib.Namespace("https://w3id.org/coop-commons/vocab#")
ESS = rdflib.Namespace("http://purl.org/essglobal/vocab/")
GR = rdflib.Namespace("http://purl.org/goodrelations/v1#")
VCARD = rdflib.Namespace("http://www.w3.org/2006/vcard/ns#")
GEO = rdflib.Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
SCHEMA = rdflib.Namespace("https://schema.org/")
FOAF = rdflib.Namespace("http://xmlns.com/foaf/0.1/")
XSD = rdflib.Namespace("http://www.w3.org/2001/XMLSchema#")

BASE = "http://localhost:8080"
RECORD = URIRef(f"{BASE}/id/fed/42")
ADDRESS = URIRef(f"{RECORD}#address")
MEMBER = URIRef(f"{BASE}/id/member/fed")
POLICY = URIRef(f"{MEMBER}/policy")
RULE = URIRef(f"{POLICY}#phone")
POSITIONS = {str(RECORD): "row 7", str(ADDRESS): "row 7"}

VALID = f"""
@prefix coop: <https://w3id.org/coop-commons/vocab#> .
@prefix essglobal: <http://purl.org/essglobal/vocab/> .
@prefix gr: <http://purl.org/goodrelations/v1#> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix geo: <http://www.w3.org/2003/01/geo/wgs84_pos#> .
@prefix schema: <https://schema.org/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<{RECORD}> a essglobal:SSEInitiative ;
    coop:listedBy <{MEMBER}> ; coop:localId "42" ;
    gr:name "Caisse Solidaire du Plateau" ;
    dcterms:description "A credit union for the neighbourhood" ;
    foaf:homepage <https://caisse.example.coop/> ;
    vcard:hasEmail <mailto:info@caisse.example.coop> ;
    vcard:hasTelephone <tel:+15145550100> ;
    geo:lat "45.5017"^^xsd:decimal ; geo:long "-73.5673"^^xsd:decimal ;
    schema:foundingDate "1863"^^xsd:gYear ;
    essglobal:organisationalStructure <https://w3id.org/coop-commons/concept/structure/credit-union> ;
    essglobal:economicSector <http://purl.org/essglobal/standard/activities-ica/ICA140> ,
        <https://w3id.org/coop-commons/concept/activity/grocery> ;
    essglobal:primarySector <http://purl.org/essglobal/standard/activities-ica/ICA140> ;
    essglobal:legalForm <http://purl.org/essglobal/standard/legal-form/L2> ;
    essglobal:baseMembershipType <http://purl.org/essglobal/standard/base-membership-type/BMT10> ;
    essglobal:qualifier <http://purl.org/essglobal/standard/qualifiers/Fairtrade> ;
    schema:numberOfEmployees "12"^^xsd:integer ; essglobal:totalOfMembers "300"^^xsd:integer ;
    coop:offers "savings accounts" , "loans" ;
    schema:sameAs <https://social.example/@caisse> ;
    coop:registrationNumber "1142345678" ;
    coop:listed false ;
    essglobal:hasAddress <{ADDRESS}> .

<{ADDRESS}> a essglobal:Address , vcard:Address ;
    vcard:street-address "1 rue Principale" ; vcard:locality "Montréal" ; vcard:region "QC" ;
    vcard:postal-code "H2X 1Y4" ; vcard:country-name "Canada" ;
    coop:country <http://purl.org/essglobal/standard/countries-iso/CA> .

<{MEMBER}> a coop:MemberOrganisation ; foaf:name "Fédération des coopératives" ;
    coop:policy <{POLICY}> .
<{POLICY}> a coop:PublicationPolicy ; coop:member <{MEMBER}> ; coop:rule <{RULE}> .
<{RULE}> a coop:PolicyRule ; coop:field "phone" ; coop:level coop:members ;
    coop:property vcard:hasTelephone .
"""


def validate(graph: rdflib.Graph, positions: dict[str, str]) -> list[Problem]:
    """Validate with both engines, which must agree: ours (imports use it) and pySHACL."""
    reference = validate_reference(graph, positions)
    triples = pyoxigraph.parse(graph.serialize(format="nt").encode(), format=pyoxigraph.RdfFormat.N_TRIPLES, lenient=True)
    assert fast_validate(triples, positions) == reference
    return reference


def valid_graph() -> rdflib.Graph:
    return rdflib.Graph().parse(data=VALID, format="turtle")


def problems_after(change: Callable[[rdflib.Graph], object]) -> list[Problem]:
    graph = valid_graph()
    change(graph)
    return validate(graph, POSITIONS)


def problems_when(subject: URIRef, predicate: URIRef, value: rdflib.term.Node) -> list[Problem]:
    """The problems once the valid data says `value` instead of what it said for `predicate`."""
    return problems_after(lambda g: g.set((subject, predicate, value)))


def test_a_complete_valid_record_has_no_problems() -> None:
    assert validate(valid_graph(), POSITIONS) == []


def test_what_the_loader_writes_for_a_full_record_and_a_policy_is_valid() -> None:
    uris = Uris(BASE)
    record = Record(
        position="row 2", local_id="rd 1", name="Red Door Bakery", description="Bread since 1978",
        website="https://reddoor.example.coop", email="info@reddoor.example.coop",
        phone="+16125550142", street="1 Main St", locality="Minneapolis", region="MN",
        postal_code="55401", country="US", latitude=Decimal("44.9778"),
        longitude=Decimal("-93.265"), founded="1978-05",
        structure=["http://purl.org/essglobal/standard/organisational-structure/OS60"],
        activities=["https://w3id.org/coop-commons/concept/activity/grocery"],
        primary_activity="http://purl.org/essglobal/standard/activities-ica/ICA240",
        legal_form="http://purl.org/essglobal/standard/legal-form/L2",
        membership_type="http://purl.org/essglobal/standard/base-membership-type/BMT30",
        qualifiers=["http://purl.org/essglobal/standard/qualifiers/Organic"], workers=12,
        members=12, offerings=["bread"], social=["https://social.example/@reddoor"],
        registration_id="MN-123", listed=False,
    )
    policy = Policy("fed").changed({"phone": Level.PRIVATE})
    triples = record_triples(record, "fed", uris) + policy_triples(policy, uris)
    graph = rdflib.Graph().parse(
        data=pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES), format="nt"
    )
    assert validate(graph, {uris.record("fed", "rd 1"): "row 2"}) == []


def test_a_record_without_a_name_is_reported_on_its_row() -> None:
    [problem] = problems_after(lambda g: g.remove((RECORD, GR.name, None)))
    assert problem == Problem("row 7", "name", None, "a co-op needs a name", "error")


def test_a_record_with_two_names_is_reported() -> None:
    [problem] = problems_after(lambda g: g.add((RECORD, GR.name, Literal("Caisse du Plateau"))))
    assert (problem.position, problem.field, problem.value) == ("row 7", "name", None)
    assert problem.message == "a co-op has one name; found more than one"


def test_a_blank_name_is_reported_with_its_value() -> None:
    [problem] = problems_when(RECORD, GR.name, Literal("  "))
    assert (problem.field, problem.value) == ("name", "  ")
    assert problem.message == "name must be non-empty text"


def test_a_website_that_is_not_http_is_reported() -> None:
    [problem] = problems_when(RECORD, FOAF.homepage, URIRef("ftp://caisse.example.coop"))
    assert (problem.position, problem.field) == ("row 7", "website")
    assert problem.value == "ftp://caisse.example.coop"
    assert problem.message == "website must be a web address starting with http:// or https://"


def test_an_email_that_is_not_a_mailto_iri_is_reported() -> None:
    [problem] = problems_when(RECORD, VCARD.hasEmail, URIRef("info@caisse.example.coop"))
    assert (problem.field, problem.value) == ("email", "info@caisse.example.coop")
    assert "info@example.coop" in problem.message


def test_an_email_link_that_is_not_an_address_is_reported() -> None:
    [problem] = problems_when(RECORD, VCARD.hasEmail, URIRef("mailto:info"))
    assert (problem.field, problem.value) == ("email", "mailto:info")


def test_an_email_kept_as_written_text_is_accepted() -> None:
    assert problems_when(RECORD, VCARD.hasEmail, Literal("info at caisse dot coop")) == []


def test_a_phone_number_without_country_code_is_reported() -> None:
    [problem] = problems_when(RECORD, VCARD.hasTelephone, URIRef("tel:5145550100"))
    assert (problem.position, problem.field, problem.value) == ("row 7", "phone", "tel:5145550100")
    assert problem.message.startswith("phone must be an international number with its country code")


def test_a_latitude_out_of_range_names_the_latitude_column() -> None:
    [problem] = problems_when(RECORD, GEO.lat, Literal("95.0", datatype=XSD.decimal))
    assert (problem.position, problem.field, problem.value) == ("row 7", "latitude", "95.0")
    assert problem.message == (
        "latitude must be a decimal number of degrees between -90 and 90, such as 45.5017"
    )


def test_a_longitude_out_of_range_names_the_longitude_column() -> None:
    [problem] = problems_when(RECORD, GEO.long, Literal("-200", datatype=XSD.decimal))
    assert (problem.position, problem.field, problem.value) == ("row 7", "longitude", "-200")
    assert "between -180 and 180" in problem.message


def test_a_latitude_given_as_text_is_reported() -> None:
    [problem] = problems_when(RECORD, GEO.lat, Literal("45.5"))
    assert (problem.field, problem.value) == ("latitude", "45.5")
    assert problem.message.startswith("latitude must be a decimal number of degrees")


def test_a_latitude_without_a_longitude_asks_for_both() -> None:
    [problem] = problems_after(lambda g: g.remove((RECORD, GEO.long, None)))
    assert problem == Problem(
        "row 7", "longitude", None, "a latitude is given without a longitude: give both or neither"
    )


def test_a_founding_date_of_the_wrong_datatype_is_reported() -> None:
    [problem] = problems_when(RECORD, SCHEMA.foundingDate, Literal("1863", datatype=XSD.integer))
    assert (problem.position, problem.field, problem.value) == ("row 7", "founded", "1863")
    assert problem.message == (
        "founding date must be a year (1863), a year and month (1863-04) or a date (1863-04-12)"
    )


def test_founding_dates_may_be_a_year_a_month_or_a_day() -> None:
    for value, datatype in (("1863-04", XSD.gYearMonth), ("1863-04-12", XSD.date)):
        assert problems_when(RECORD, SCHEMA.foundingDate, Literal(value, datatype=datatype)) == []


def test_a_structure_outside_the_schemes_is_reported() -> None:
    outside = URIRef("http://example.org/structures/worker-coop")
    [problem] = problems_when(RECORD, ESS.organisationalStructure, outside)
    assert (problem.position, problem.field, problem.value) == ("row 7", "structure", str(outside))
    assert "OS60" in problem.message and "credit-union" in problem.message


def test_essglobal_structures_and_activities_are_accepted() -> None:
    def use_essglobal(g: rdflib.Graph) -> None:
        g.set((RECORD, ESS.organisationalStructure,
               URIRef("http://purl.org/essglobal/standard/organisational-structure/OS60")))
        food = URIRef("http://purl.org/essglobal/standard/activities-modified/AM60")
        g.add((RECORD, ESS.economicSector, food))

    assert problems_after(use_essglobal) == []


def test_an_activity_from_another_scheme_is_reported() -> None:
    wrong = URIRef("http://purl.org/essglobal/standard/organisational-structure/OS60")
    [problem] = problems_after(lambda g: g.add((RECORD, ESS.economicSector, wrong)))
    assert (problem.field, problem.value) == ("activities", str(wrong))


def test_a_negative_number_of_workers_is_reported() -> None:
    [problem] = problems_when(RECORD, SCHEMA.numberOfEmployees, Literal(-3))
    assert problem == Problem(
        "row 7", "workers", "-3", "number of workers must be a whole number, 0 or more"
    )


def test_a_country_that_is_not_an_iso_code_is_reported_on_the_records_row() -> None:
    bad = URIRef("http://purl.org/essglobal/standard/countries-iso/Canada")
    [problem] = problems_when(ADDRESS, COOP.country, bad)
    assert problem == Problem(
        "row 7", "country", str(bad), "country must be a two-letter ISO 3166 code, such as CA or US"
    )


def test_listed_true_is_not_how_a_record_is_listed() -> None:
    [problem] = problems_when(RECORD, COOP.listed, Literal(True))
    assert (problem.field, problem.value) == ("listed", "true")


def test_a_record_without_an_address_gets_a_warning_not_an_error() -> None:
    def drop_address(g: rdflib.Graph) -> None:
        g.remove((RECORD, ESS.hasAddress, None))
        g.remove((ADDRESS, None, None))

    [problem] = problems_after(drop_address)
    assert (problem.position, problem.field, problem.severity) == ("row 7", "hasAddress", "warning")
    assert "searches by locality" in problem.message


def test_a_policy_rule_with_an_unknown_level_is_reported_on_the_rule() -> None:
    [problem] = problems_when(RULE, COOP.level, COOP.secret)
    assert problem == Problem(
        f"<{RULE}>", "level", str(COOP.secret), "publication level must be public, members or private"
    )


def test_a_policy_rule_for_an_unknown_field_is_reported() -> None:
    [problem] = problems_when(RULE, COOP.field, Literal("fax"))
    assert (problem.field, problem.value) == ("field", "fax")
    assert problem.message.startswith("unknown field")


def test_a_member_organisation_without_a_name_is_reported() -> None:
    [problem] = problems_after(lambda g: g.remove((MEMBER, FOAF.name, None)))
    assert problem == Problem(f"<{MEMBER}>", "name", None, "a member organisation has exactly one name")


def test_problems_come_in_the_order_of_the_input() -> None:
    graph = valid_graph()
    later = URIRef(f"{BASE}/id/fed/43")
    for p, o in graph.predicate_objects(RECORD):
        if p != ESS.hasAddress:
            graph.add((later, p, o))
    graph.remove((later, GR.name, None))
    graph.set((RECORD, VCARD.hasTelephone, URIRef("tel:123")))
    positions = {str(later): "row 3", **POSITIONS}
    problems = [(p.position, p.field) for p in validate(graph, positions) if p.severity == "error"]
    assert problems == [("row 3", "name"), ("row 7", "phone")]


def test_a_policy_field_typed_as_xsd_string_is_the_same_field() -> None:
    assert problems_when(RULE, COOP.field, Literal("phone", datatype=XSD.string)) == []


def test_the_policy_shape_knows_every_record_field() -> None:
    shape = URIRef("https://w3id.org/coop-commons/shapes#rule-field-known")
    pattern = str(shapes_graph().value(shape, SH.pattern))
    assert pattern.startswith("^(") and pattern.endswith(")$")
    assert pattern[2:-2].split("|") == [f.name for f in FIELDS]


def test_every_shape_speaks_to_people() -> None:
    shapes = shapes_graph()
    for shape in set(shapes.subjects(RDF.type, SH.PropertyShape)):
        assert shapes.value(shape, SH.message), f"{shape} has no sh:message"
