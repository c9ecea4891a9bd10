"""The fields of a co-op record: how each is written in RDF and its default publication level.

This table is the contract between the loaders (which turn records into triples, field by
field) and the publication policy (which decides, field by field, which graph a triple goes
to). Template column names are the field names, except `latitude`/`longitude`, which share the
policy field `coordinates`.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .vocab import COOP, DCTERMS, ESS, FOAF, GEO, GR, SCHEMA, SKOS, VCARD


class Level(str, Enum):
    """Who may read a value: everyone, every member organisation, or only its owner."""

    PUBLIC = "public"
    MEMBERS = "members"
    PRIVATE = "private"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @classmethod
    def parse(cls, text: str) -> "Level":
        try:
            return cls(text.strip().lower())
        except ValueError:
            raise ValueError(
                f"unknown publication level {text!r}: use public, members or private"
            ) from None


_RANK = {Level.PUBLIC: 0, Level.MEMBERS: 1, Level.PRIVATE: 2}


@dataclass(frozen=True)
class Field:
    name: str
    predicates: tuple[str, ...]
    on_address: bool
    default: Level
    label: str


FIELDS: tuple[Field, ...] = (
    Field("name", (GR.name.value,), False, Level.PUBLIC, "Name"),
    Field("description", (DCTERMS.description.value,), False, Level.PUBLIC, "Description"),
    Field("website", (FOAF.homepage.value, FOAF.page.value), False, Level.PUBLIC, "Website"),
    Field("email", (VCARD.hasEmail.value,), False, Level.MEMBERS, "Email"),
    Field("phone", (VCARD.hasTelephone.value,), False, Level.MEMBERS, "Phone"),
    Field("street", (VCARD["street-address"].value,), True, Level.MEMBERS, "Street address"),
    Field("locality", (VCARD.locality.value,), True, Level.PUBLIC, "Locality"),
    Field("region", (VCARD.region.value,), True, Level.PUBLIC, "Region"),
    Field("postal_code", (VCARD["postal-code"].value,), True, Level.MEMBERS, "Postal code"),
    Field("country", (VCARD["country-name"].value, COOP.country.value), True, Level.PUBLIC, "Country"),
    Field("coordinates", (GEO.lat.value, GEO.long.value), False, Level.PUBLIC, "Coordinates"),
    Field("founded", (SCHEMA.foundingDate.value,), False, Level.PUBLIC, "Founded"),
    Field("structure", (ESS.organisationalStructure.value,), False, Level.PUBLIC, "Organisational structure"),
    Field("activities", (ESS.economicSector.value,), False, Level.PUBLIC, "Economic activities"),
    Field("primary_activity", (ESS.primarySector.value,), False, Level.PUBLIC, "Primary activity"),
    Field("legal_form", (ESS.legalForm.value,), False, Level.PUBLIC, "Legal form"),
    Field("membership_type", (ESS.baseMembershipType.value,), False, Level.PUBLIC, "Membership type"),
    Field("qualifiers", (ESS.qualifier.value,), False, Level.PUBLIC, "Qualifiers"),
    Field("workers", (SCHEMA.numberOfEmployees.value,), False, Level.PUBLIC, "Workers"),
    Field("members", (ESS.totalOfMembers.value,), False, Level.PUBLIC, "Members"),
    Field("offerings", (COOP.offers.value,), False, Level.PUBLIC, "Offerings"),
    Field("social", (SCHEMA.sameAs.value,), False, Level.PUBLIC, "Social links"),
    Field("registration_id", (COOP.registrationNumber.value,), False, Level.PUBLIC, "Registration number"),
    Field("opening_hours", (SCHEMA.openingHours.value,), False, Level.PUBLIC, "Opening hours"),
    Field("alternate_name", (SKOS.altLabel.value,), False, Level.PUBLIC, "Other names"),
    # the marketplace's offerings and demands (datacommons/market/offers.py): their existence
    # and links follow the title's level
    Field("offer_title", (SCHEMA.name.value, GR.offers.value, GR.seeks.value, SCHEMA.makesOffer.value,
                          SCHEMA.seeks.value, ESS.hasProductOrService.value, COOP.offeredBy.value),
          False, Level.PUBLIC, "Offering"),
    Field("offer_description", (SCHEMA.description.value,), False, Level.PUBLIC, "Offering's description"),
    Field("offer_category", (SCHEMA.category.value,), False, Level.PUBLIC, "Offering's category"),
    Field("offer_area", (SCHEMA.areaServed.value, SCHEMA.latitude.value, SCHEMA.longitude.value,
                         SCHEMA.geoRadius.value), False, Level.PUBLIC, "Area served"),
    Field("offer_terms", (SCHEMA.lowPrice.value, SCHEMA.highPrice.value, SCHEMA.priceCurrency.value,
                          COOP.onQuote.value, COOP.minimumOrder.value, COOP.leadTimeDays.value),
          False, Level.PUBLIC, "Terms"),
    Field("offer_certifications", (COOP.certification.value,), False, Level.PUBLIC, "Certifications"),
    # open-cost figures (ESSGlobal): members-only unless the member publishes them
    Field("offer_costs", (ESS.salesMarginPercentage.value,), False, Level.MEMBERS, "Open costs"),
)

FIELDS_BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}
FIELD_BY_PREDICATE: dict[str, Field] = {p: f for f in FIELDS for p in f.predicates}

DEFAULT_POLICY: dict[str, Level] = {f.name: f.default for f in FIELDS}

# Template columns, in order (the commons' own CSV template).
TEMPLATE_COLUMNS: tuple[str, ...] = (
    "id", "name", "description", "website", "email", "phone", "street", "locality", "region",
    "postal_code", "country", "latitude", "longitude", "founded", "structure", "activities",
    "legal_form", "workers", "members", "listed",
)
# Accepted beyond the template (the community's standard CSV carries them).
EXTRA_COLUMNS: tuple[str, ...] = (
    "primary_activity", "membership_type", "qualifiers", "offerings", "social", "registration_id",
    "opening_hours",  # OSM's opening_hours syntax ("Mo-Fr 09:00-17:00"), as written
    "alternate_name",
    "offers",  # a JSON list of offering objects (datacommons/market/offers.py)
)
MULTI_VALUED: frozenset[str] = frozenset(
    {"structure", "activities", "qualifiers", "offerings", "social", "alternate_name"}
)

