"""A normalised record as RDF in the commons' vocabulary (ESSGlobal, vCard, W3C Basic Geo...),
and as a table row (for the daff diff people review before an import is committed)."""
from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

import pycountry
from pyoxigraph import Literal, NamedNode, Triple

from datacommons.market.offers import offer_triples, offers_cell
from datacommons.fields import MULTI_VALUED, TEMPLATE_COLUMNS, EXTRA_COLUMNS
from datacommons.uris import Uris
from datacommons.vocab import (
    COOP, DCTERMS, ESS, FOAF, GEO, GR, OSSPATIAL, RDF, SCHEMA, SCHEME_COUNTRY, SKOS, VCARD, XSD,
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


# Terms every record uses, made once: a pyoxigraph term costs a microsecond to make, and an
# import makes twenty-five statements a record.
_TYPE, _LISTED_BY, _LOCAL_ID, _NAME = RDF.type, COOP.listedBy, COOP.localId, GR.name
_INITIATIVE, _ADDRESS_TYPES = ESS.SSEInitiative, (ESS.Address, VCARD.Address)
_HAS_ADDRESS, _COUNTRY, _COUNTRY_NAME = ESS.hasAddress, COOP.country, VCARD["country-name"]
_DESCRIPTION, _HOMEPAGE, _EMAIL, _PHONE = (
    DCTERMS.description, FOAF.homepage, VCARD.hasEmail, VCARD.hasTelephone,
)
_LAT, _LONG, _FOUNDED, _WITHIN = GEO.lat, GEO.long, SCHEMA.foundingDate, OSSPATIAL.within
_STRUCTURE, _SECTOR, _PRIMARY = ESS.organisationalStructure, ESS.economicSector, ESS.primarySector
_LEGAL_FORM, _MEMBERSHIP, _QUALIFIER = ESS.legalForm, ESS.baseMembershipType, ESS.qualifier
_WORKERS, _MEMBERS, _OFFERS, _SAME_AS = (
    SCHEMA.numberOfEmployees, ESS.totalOfMembers, COOP.offers, SCHEMA.sameAs,
)
_REGISTRATION, _LISTED = COOP.registrationNumber, COOP.listed
_OPENING_HOURS = SCHEMA.openingHours
_ADDRESS_FIELDS = (
    ("street", VCARD["street-address"]), ("locality", VCARD.locality),
    ("region", VCARD.region), ("postal_code", VCARD["postal-code"]),
)
_DECIMAL, _INTEGER, _BOOLEAN, _STRING = XSD.decimal, XSD.integer, XSD.boolean, XSD.string
_FALSE = Literal("false", datatype=XSD.boolean)
_PAGE = FOAF.page


@lru_cache(maxsize=4096)
def _node(iri: str) -> NamedNode:
    """A NamedNode for an IRI many records share (concepts, countries, the member)."""
    return NamedNode(iri)


@lru_cache(maxsize=512)
def _country_literal(code: str) -> Literal:
    return Literal(country_name(code))


def record_triples(record: Record, member: str, uris: Uris) -> list[Triple]:
    """The triples of one record: what a member says about one co-op."""
    s = NamedNode(uris.record(member, record.local_id))
    t: list[Triple] = [
        Triple(s, _TYPE, _INITIATIVE),
        Triple(s, _LISTED_BY, _node(uris.member(member))),
        Triple(s, _LOCAL_ID, Literal(record.local_id)),
        Triple(s, _NAME, Literal(record.name)),
    ]
    add = t.append
    if record.description:
        add(Triple(s, _DESCRIPTION, Literal(record.description, language=record.description_language)
                   if record.description_language else Literal(record.description)))
    for language, text in record.translations:
        add(Triple(s, _DESCRIPTION, Literal(text, language=language)))
    # a value the normaliser kept as written (it could not clean it) is a plain literal
    if record.website:
        add(Triple(s, _HOMEPAGE, Literal(record.website) if "website" in record.as_written else NamedNode(record.website)))
    for page in record.pages:
        add(Triple(s, _PAGE, NamedNode(page)))
    if record.email:
        add(Triple(s, _EMAIL, Literal(record.email) if "email" in record.as_written else NamedNode(f"mailto:{record.email}")))
    if record.phone:
        add(Triple(s, _PHONE, Literal(record.phone) if "phone" in record.as_written else NamedNode(f"tel:{record.phone}")))
    if record.latitude is not None and record.longitude is not None:
        add(Triple(s, _LAT, Literal(_decimal(record.latitude), datatype=_DECIMAL)))
        add(Triple(s, _LONG, Literal(_decimal(record.longitude), datatype=_DECIMAL)))
    if record.founded:
        add(Triple(s, _FOUNDED, Literal(record.founded, datatype=_DATE_TYPES.get(len(record.founded), _STRING))))
    for concept in record.structure:
        add(Triple(s, _STRUCTURE, _node(concept)))
    for concept in record.activities:
        add(Triple(s, _SECTOR, _node(concept)))
    if record.primary_activity:
        add(Triple(s, _PRIMARY, _node(record.primary_activity)))
    if record.legal_form:
        add(Triple(s, _LEGAL_FORM, _node(record.legal_form)))
    if record.membership_type:
        add(Triple(s, _MEMBERSHIP, _node(record.membership_type)))
    for concept in record.qualifiers:
        add(Triple(s, _QUALIFIER, _node(concept)))
    if record.workers is not None:
        add(Triple(s, _WORKERS, Literal(str(record.workers), datatype=_INTEGER)))
    if record.members is not None:
        add(Triple(s, _MEMBERS, Literal(str(record.members), datatype=_INTEGER)))
    for offer in record.offerings:
        if offer:
            add(Triple(s, _OFFERS, Literal(offer)))
    for link in record.social:
        if link:
            add(Triple(s, _SAME_AS, NamedNode(link)))
    if record.registration_id:
        add(Triple(s, _REGISTRATION, Literal(record.registration_id)))
    if record.opening_hours:
        add(Triple(s, _OPENING_HOURS, Literal(record.opening_hours)))
    for other in record.alternate_name:
        add(Triple(s, SKOS.altLabel, Literal(other)))
    if not record.listed:
        add(Triple(s, _LISTED, _FALSE))
    if record.offers:
        t += offer_triples(s, record.offers, member, record.local_id, uris, listed=record.listed)

    address = [(p, getattr(record, name)) for name, p in _ADDRESS_FIELDS]
    located = record.latitude is not None and record.longitude is not None
    if record.country or record.country_written or located or any(v for _, v in address):
        a = NamedNode(uris.address(s.value))
        t += [Triple(s, _HAS_ADDRESS, a), Triple(a, _TYPE, _ADDRESS_TYPES[0]), Triple(a, _TYPE, _ADDRESS_TYPES[1])]
        t += [Triple(a, p, Literal(v)) for p, v in address if v]
        if record.country_written and not record.country:
            add(Triple(a, _COUNTRY_NAME, Literal(record.country_written)))
        if located:
            # The community's shape (se-open-data, mykomap's queries): coordinates on the
            # spatial thing the address is `within`. The address itself is that thing
            # (`within` is reflexive), so a record stays its IRI and its `#address`.
            t += [
                Triple(a, _WITHIN, a),
                Triple(a, _LAT, Literal(_decimal(record.latitude), datatype=_DECIMAL)),
                Triple(a, _LONG, Literal(_decimal(record.longitude), datatype=_DECIMAL)),
            ]
        if record.country:
            add(Triple(a, _COUNTRY_NAME, _country_literal(record.country)))
            add(Triple(a, _COUNTRY, _node(SCHEME_COUNTRY[record.country].value)))
    return t


def _decimal(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text if "." in text else text + ".0"


def record_row(record: Record) -> dict[str, str]:
    """The record as a row of template columns, as text, for a table diff."""
    values = vars(record)
    row: dict[str, str] = {}
    for column in ROW_COLUMNS:
        if column == "id":
            row[column] = record.local_id
        elif column == "offers":
            row[column] = offers_cell(record.offers)
        elif column == "listed":
            row[column] = "" if record.listed else "false"
        elif column in CONCEPT_COLUMNS:
            value = values[column]
            row[column] = ";".join(_code(v) for v in (value if isinstance(value, list) else [value]) if v)
        elif column == "country":
            row[column] = record.country or record.country_written or ""
        elif column == "website":
            row[column] = ";".join(([record.website] if record.website else []) + record.pages)
        elif column in MULTI_VALUED:
            row[column] = ";".join(str(v) for v in values[column] or [])
        else:
            value = values.get(column)
            row[column] = (
                "" if value is None else _decimal(value) if isinstance(value, Decimal) else str(value)
            )
    return row
