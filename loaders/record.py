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
    email: str | None = None
    phone: str | None = None  # E.164, e.g. +15145550100
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
    alternate_name: list[str] = field(default_factory=list)  # trading, former names
    listed: bool = True
