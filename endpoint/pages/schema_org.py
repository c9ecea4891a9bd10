"""schema.org's description of a co-op, embedded in its page as JSON-LD for search engines
(Google, Bing and others read `Organization`, `PostalAddress` and `GeoCoordinates` there,
not our vocabulary).

Built from the page's own `Entity`, which holds only what the request's audience may read:
the block can never say more than the page does (a members-only email or street stays off
the public's page, and so out of this block).
"""
from __future__ import annotations

from typing import Any

from datacommons.vocab import COOP, DCTERMS, FOAF, SCHEMA, SCHEME_COUNTRY, VCARD

from .describe import SAME_AS, Entity

ADDRESS = {
    "streetAddress": VCARD["street-address"].value,
    "addressLocality": VCARD.locality.value,
    "addressRegion": VCARD.region.value,
    "postalCode": VCARD["postal-code"].value,
}


def organization(entity: Entity | None, canonical: str | None = None) -> dict[str, Any] | None:
    """The `Organization` for a co-op's page (None for any other kind of page). Where members
    give different values, the one the page shows first is used."""
    if entity is None or entity.kind != "coop":
        return None
    doc: dict[str, Any] = {"@context": "https://schema.org", "@type": "Organization",
                           "@id": entity.iri, "name": entity.label}
    description = _first(entity, DCTERMS.description.value)
    if description:
        doc["description"] = description.text
    website = _first(entity, FOAF.homepage.value)
    if website and website.iri:
        doc["url"] = website.iri
    email = _first(entity, VCARD.hasEmail.value)
    if email and email.iri and email.iri.startswith("mailto:"):
        doc["email"] = email.iri[len("mailto:"):]
    phone = _first(entity, VCARD.hasTelephone.value)
    if phone and phone.iri and phone.iri.startswith("tel:"):
        doc["telephone"] = phone.iri[len("tel:"):]
    founded = _first(entity, SCHEMA.foundingDate.value)
    if founded:
        doc["foundingDate"] = founded.text
    address = {key: v.text for key, predicate in ADDRESS.items() if (v := _first(entity, predicate))}
    country = _first(entity, COOP.country.value)
    if country and country.iri and country.iri.startswith(str(SCHEME_COUNTRY)):
        address["addressCountry"] = country.iri[len(str(SCHEME_COUNTRY)):]
    if address:
        doc["address"] = {"@type": "PostalAddress", **address}
    if entity.coordinates:
        doc["geo"] = {"@type": "GeoCoordinates", "latitude": entity.coordinates[0],
                      "longitude": entity.coordinates[1]}
    same = [v.iri for v in entity.values(*SAME_AS) if v.iri] + [iri for iri in [canonical] if iri]
    if same:
        doc["sameAs"] = sorted(set(same))
    listed = {v.iri: v.text for v in entity.values(COOP.listedBy.value) if v.iri}
    if listed:
        doc["memberOf"] = [{"@type": "Organization", "@id": iri, "name": name} for iri, name in sorted(listed.items())]
    return doc


def _first(entity: Entity, predicate: str):
    values = entity.values(predicate)
    return values[0] if values else None
