"""The shapes of data as it moves through an import: raw rows, problems, normalised records."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass
class RawRecord:
    """One source record, with its cells renamed to template columns but not yet cleaned.

    `position` names the record for people: "row 7" (the CSV line of the record's first
    line), "record 3" (1-based, JSON), or "<iri>" (RDF).
    """

    position: str
    values: dict[str, str]
    # how to read the record's values, said by the source rather than by a cell: the date
    # order ("dmy", "mdy", "ymd") and the country phones are dialled from ("phone_country")
    hints: dict[str, str] = field(default_factory=dict)


@dataclass
class Problem:
    """Something wrong with the input, said so that a person can find and fix it."""

    position: str
    field: str | None
    value: str | None
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = self.position
        if self.field:
            where += f", field {self.field}"
        if self.value not in (None, ""):
            where += f" ({self.value!r})"
        return f"{self.severity}: {where}: {self.message}"


class InputError(Exception):
    """The input cannot be read at all (wrong format, unreadable file, bad mapping)."""


@dataclass
class Record:
    """A normalised co-op record: every value cleaned, typed and resolved to concept IRIs."""

    position: str
    local_id: str
    name: str
    description: str | None = None
    website: str | None = None
    email: str | None = None  # an address, or the cell as written when it is not one
    phone: str | None = None  # E.164, e.g. +15145550100, or the cell as written
    street: str | None = None
    locality: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    founded: str | None = None  # "YYYY", "YYYY-MM" or "YYYY-MM-DD"
    structure: list[str] = field(default_factory=list)  # concept IRIs
    activities: list[str] = field(default_factory=list)
    primary_activity: str | None = None
    legal_form: str | None = None
    membership_type: str | None = None
    qualifiers: list[str] = field(default_factory=list)
    workers: int | None = None
    members: int | None = None
    offerings: list[str] = field(default_factory=list)
    social: list[str] = field(default_factory=list)
    registration_id: str | None = None
    opening_hours: str | None = None  # as written (OSM's syntax, "Mo-Fr 09:00-17:00")
    alternate_name: list[str] = field(default_factory=list)  # trading, former names
    listed: bool = True
    offers: list = field(default_factory=list)  # datacommons.market.offers.Offer
    # a website cell's further addresses (foaf:page), and a country kept as written because
    # it names no country the commons knows (published as the country's name only)
    pages: list[str] = field(default_factory=list)
    country_written: str | None = None
    # the description's language, and descriptions in other languages: (language, text)
    description_language: str | None = None
    translations: list[tuple[str, str]] = field(default_factory=list)
    as_written: list[str] = field(default_factory=list)  # fields kept as written (website, email, phone)
