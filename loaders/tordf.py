"""A normalised record as RDF in the commons' vocabulary (ESSGlobal, vCard, W3C Basic Geo...),
and as a table row (for the daff diff people review before an import is committed)."""
from __future__ import annotations

from decimal import Decimal

import pycountry
from pyoxigraph import Literal, NamedNode, Triple

from datacommons.fields import MULTI_VALUED, TEMPLATE_COLUMNS, EXTRA_COLUMNS
from datacommons.uris import Uris
from datacommons.vocab import (
    COOP, DCTERMS, ESS, FOAF, GEO, GR, RDF, SCHEMA, SCHEME_COUNTRY, VCARD, XSD,
)

from .record import Record

_DATE_TYPES = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}
ROW_COLUMNS: tuple[str, ...] = TEMPLATE_COLUMNS + EXTRA_COLUMNS
CONCEPT_COLUMNS = frozenset(
    {"structure", "activities", "primary_activity", "legal_form", "membership_type", "qualifiers"}
)


def _code(concept: str) -> str:
    """A concept's short code (OS240, ICA140, credit-union): what people review in a diff."""
    return concept.rstrip("/").rsplit("/", 1)[-1]


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return getattr(country, "common_name", None) or (country.name if country else code)


def record_triples(record: Record, member: str, uris: Uris) -> list[Triple]:
    """The triples of one record: what a member says about one co-op."""
    s = NamedNode(uris.record(member, record.local_id))
    t: list[Triple] = [
        Triple(s, RDF.type, ESS.SSEInitiative),
        Triple(s, COOP.listedBy, NamedNode(uris.member(member))),
        Triple(s, COOP.localId, Literal(record.local_id)),
        Triple(s, GR.name, Literal(record.name)),
    ]

    def lit(pred: NamedNode, value: object, datatype: NamedNode | None = None) -> None:
        if value is not None and value != "":
            t.append(Triple(s, pred, Literal(str(value), datatype=datatype)))

    def iri(pred: NamedNode, value: str | None, subject: NamedNode = s) -> None:
        if value:
            t.append(Triple(subject, pred, NamedNode(value)))

    lit(DCTERMS.description, record.description)
    iri(FOAF.homepage, record.website)
    iri(VCARD.hasEmail, f"mailto:{record.email}" if record.email else None)
    iri(VCARD.hasTelephone, f"tel:{record.phone}" if record.phone else None)
    if record.latitude is not None and record.longitude is not None:
        lit(GEO.lat, _decimal(record.latitude), XSD.decimal)
        lit(GEO.long, _decimal(record.longitude), XSD.decimal)
    if record.founded:
        lit(SCHEMA.foundingDate, record.founded, _DATE_TYPES.get(len(record.founded), XSD.string))
    for concept in record.structure:
        iri(ESS.organisationalStructure, concept)
    for concept in record.activities:
        iri(ESS.economicSector, concept)
    iri(ESS.primarySector, record.primary_activity)
    iri(ESS.legalForm, record.legal_form)
    iri(ESS.baseMembershipType, record.membership_type)
    for concept in record.qualifiers:
        iri(ESS.qualifier, concept)
    lit(SCHEMA.numberOfEmployees, record.workers, XSD.integer)
    lit(ESS.totalOfMembers, record.members, XSD.integer)
    for offer in record.offerings:
        lit(COOP.offers, offer)
    for link in record.social:
        iri(SCHEMA.sameAs, link)
    lit(COOP.registrationNumber, record.registration_id)
    if not record.listed:
        lit(COOP.listed, "false", XSD.boolean)

    address = {
        VCARD["street-address"]: record.street,
        VCARD.locality: record.locality,
        VCARD.region: record.region,
        VCARD["postal-code"]: record.postal_code,
    }
    if any(address.values()) or record.country:
        a = NamedNode(uris.address(s.value))
        t += [
            Triple(s, ESS.hasAddress, a),
            Triple(a, RDF.type, ESS.Address),
            Triple(a, RDF.type, VCARD.Address),
        ]
        t += [Triple(a, p, Literal(v)) for p, v in address.items() if v]
        if record.country:
            t.append(Triple(a, VCARD["country-name"], Literal(country_name(record.country))))
            iri(COOP.country, SCHEME_COUNTRY[record.country].value, a)
    return t


def _decimal(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text if "." in text else text + ".0"


def record_row(record: Record) -> dict[str, str]:
    """The record as a row of template columns, as text, for a table diff."""
    row: dict[str, str] = {}
    for column in ROW_COLUMNS:
        value = record.local_id if column == "id" else getattr(record, column, None)
        if column == "listed":
            value = "" if record.listed else "false"
        if column in CONCEPT_COLUMNS:
            value = [_code(v) for v in (value if isinstance(value, list) else [value]) if v]
        if column in MULTI_VALUED or isinstance(value, list):
            value = ";".join(str(v) for v in value or [])
        elif isinstance(value, Decimal):
            value = _decimal(value)
        row[column] = "" if value is None else str(value)
    return row
