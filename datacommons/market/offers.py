"""An offering (what a co-op sells) or a demand (what it wants to buy), as a member writes it
and as the commons publishes it.

A member writes a co-op's offerings in its record's `offers` field: in a CSV cell or a JSON
record, a JSON list of objects (`{"title": ..., "category": ..., "area_served": [...]}`).
Each becomes a resource of its own, `{base}/id/offer/{member}/{local id}/{slug}` (a demand:
`/id/demand/...`), typed at once schema:Offer (schema:Demand), gr:Offering and
essglobal:ProductOrService, linked from the co-op by gr:offers (gr:seeks), schema:makesOffer
(schema:seeks) and essglobal:hasProductOrService. Every statement's predicate belongs to a
field of fields.py, so the publication policy splits offerings like any other value; an
unlisted co-op's offerings say so too (coop:listed false), so they are never public.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

from pyoxigraph import Literal, NamedNode, Triple

from ..uris import Uris
from ..vocab import COOP, ESS, GR, RDF, SCHEMA, SCHEME_COUNTRY, XSD
from .categories import categories, certifications

KINDS = ("offer", "demand")
LANGUAGES = ("en", "fr", "es")
_KEYS = frozenset({
    "kind", "id", "title", "description", "description_fr", "description_es", "category",
    "area_served", "price", "currency", "minimum_order", "lead_time_days", "certifications",
    "margin_percent",
})
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_PRICE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:-\s*(\d+(?:\.\d+)?))?\s*([A-Z]{3})?\s*$")


class OfferError(ValueError):
    """An offering that cannot be read; the message names the offering and its key."""


@dataclass(frozen=True)
class Circle:
    latitude: Decimal
    longitude: Decimal
    radius_km: Decimal


@dataclass(frozen=True)
class Offer:
    kind: str
    slug: str
    title: str
    descriptions: tuple[tuple[str, str], ...] = ()  # (language, text)
    categories: tuple[str, ...] = ()  # concept IRIs
    countries: tuple[str, ...] = ()  # ISO 3166-1 alpha-2
    places: tuple[str, ...] = ()  # place names, as written
    circle: Circle | None = None
    low_price: Decimal | None = None
    high_price: Decimal | None = None
    currency: str | None = None
    on_quote: bool = False
    minimum_order: str | None = None
    lead_time_days: int | None = None
    certifications: tuple[str, ...] = ()
    margin_percent: Decimal | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:60].strip("-") or "offer"


def parse_offers(text: str) -> list[Offer]:
    """The offerings of one `offers` cell (a JSON list of objects); OfferError names the
    offering (1-based) and the key that is wrong."""
    if not text.strip():
        return []
    try:
        items = json.loads(text)
    except json.JSONDecodeError as e:
        raise OfferError(f"offers must be a JSON list of objects ({e.msg} at character {e.pos})") from None
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        raise OfferError("offers must be a JSON list of objects")
    offers: list[Offer] = []
    slugs: set[tuple[str, str]] = set()
    for n, item in enumerate(items, 1):
        offer = _offer(n, item)
        if (offer.kind, offer.slug) in slugs:
            raise OfferError(f"offer {n}: id {offer.slug!r} is used twice; give each offering its own id")
        slugs.add((offer.kind, offer.slug))
        offers.append(offer)
    return offers


def _offer(n: int, item: Any) -> Offer:
    def bad(key: str, message: str) -> OfferError:
        return OfferError(f"offer {n}, {key}: {message}")

    if not isinstance(item, dict):
        raise OfferError(f"offer {n}: must be an object with a title")
    unknown = sorted(set(item) - _KEYS)
    if unknown:
        raise bad(unknown[0], f"unknown key; keys are {', '.join(sorted(_KEYS))}")
    title = str(item.get("title") or "").strip()
    if not title:
        raise bad("title", "an offering needs a title")
    kind = str(item.get("kind") or "offer").strip().lower()
    if kind not in KINDS:
        raise bad("kind", f"{kind!r} is neither offer nor demand")

    def texts(key: str) -> list[str]:
        value = item.get(key)
        if value is None or value == "":
            return []
        values = value if isinstance(value, list) else str(value).split(";")
        return [str(v).strip() for v in values if str(v).strip()]

    found = []
    for text in texts("category"):
        iri = categories().resolve(text)
        if iri is None:
            raise bad("category", f"unknown category {text!r}: use a UNSPSC code (e.g. 82121500), "
                      "a NAICS code or a label of the products-and-services or goods scheme")
        found.append(iri)
    certs = []
    for text in texts("certifications"):
        iri = certifications().resolve(text)
        if iri is None:
            raise bad("certifications", f"unknown certification {text!r}")
        certs.append(iri)
    countries, places, circle = [], [], None
    for area in (item.get("area_served") or []) if isinstance(item.get("area_served"), list) else texts("area_served"):
        if isinstance(area, dict):
            try:
                circle = Circle(*(Decimal(str(area[k])) for k in ("lat", "lon", "radius_km")))
            except (KeyError, InvalidOperation):
                raise bad("area_served", "a served circle needs lat, lon and radius_km numbers") from None
            if not (-90 <= circle.latitude <= 90 and -180 <= circle.longitude <= 180 and circle.radius_km > 0):
                raise bad("area_served", "the served circle's centre or radius is out of range")
        elif _COUNTRY.match(str(area).strip()):
            countries.append(str(area).strip())
        elif str(area).strip():
            places.append(str(area).strip())
    low = high = None
    currency = item.get("currency")
    on_quote = False
    price = str(item.get("price") or "").strip()
    if price.lower() in ("on quote", "quote", "sur devis", "a consultar"):
        on_quote = True
    elif price:
        m = _PRICE.match(price)
        if not m:
            raise bad("price", f"{price!r}: write a price, a range (10-20 CAD) or 'on quote'")
        low, high = Decimal(m.group(1)), Decimal(m.group(2) or m.group(1))
        currency = m.group(3) or currency
        if high < low:
            raise bad("price", "the range's high price is below its low price")
    lead = item.get("lead_time_days")
    if lead not in (None, ""):
        try:
            lead = int(str(lead))
        except ValueError:
            raise bad("lead_time_days", f"{lead!r} is not a whole number of days") from None
    margin = item.get("margin_percent")
    if margin not in (None, ""):
        try:
            margin = Decimal(str(margin))
        except InvalidOperation:
            raise bad("margin_percent", f"{margin!r} is not a number") from None
    descriptions = [(lang, str(item.get(key) or "").strip())
                    for lang, key in (("en", "description"), ("fr", "description_fr"), ("es", "description_es"))]
    return Offer(
        kind=kind, slug=slugify(str(item.get("id") or title)), title=title,
        descriptions=tuple((lang, t) for lang, t in descriptions if t),
        categories=tuple(sorted(set(found))), countries=tuple(sorted(set(countries))),
        places=tuple(sorted(set(places))), circle=circle, low_price=low, high_price=high,
        currency=str(currency).upper() if currency else None, on_quote=on_quote,
        minimum_order=str(item.get("minimum_order")).strip() if item.get("minimum_order") else None,
        lead_time_days=lead if lead not in (None, "") else None,
        certifications=tuple(sorted(set(certs))),
        margin_percent=margin if margin not in (None, "") else None,
    )


def offer_iri(uris: Uris, kind: str, member: str, local_id: str, slug: str) -> str:
    return f"{uris.base}/id/{kind}/{member}/{quote(local_id, safe='-._~')}/{slug}"


def area_iri(offer: str) -> str:
    """The served circle: a resource of its own (no `#`: the policy keeps `#` for addresses)."""
    return f"{offer}/area"


_OFFER_TYPES = {"offer": (SCHEMA.Offer, GR.Offering, ESS.ProductOrService),
                "demand": (SCHEMA.Demand, GR.Offering)}
_LINKS = {"offer": (GR.offers, SCHEMA.makesOffer, ESS.hasProductOrService),
          "demand": (GR.seeks, SCHEMA.seeks)}
_FALSE = Literal("false", datatype=XSD.boolean)


def _num(value: Decimal) -> Literal:
    text = format(value.normalize(), "f")
    return Literal(text if "." in text else text + ".0", datatype=XSD.decimal)


def offer_triples(coop: NamedNode, offers: list[Offer], member: str, local_id: str, uris: Uris,
                  *, listed: bool = True) -> list[Triple]:
    """The statements of a co-op's offerings (see the module's docstring)."""
    t: list[Triple] = []
    for offer in offers:
        s = NamedNode(offer_iri(uris, offer.kind, member, local_id, offer.slug))
        t += [Triple(s, RDF.type, c) for c in _OFFER_TYPES[offer.kind]]
        t += [Triple(coop, p, s) for p in _LINKS[offer.kind]]
        t.append(Triple(s, COOP.offeredBy, coop))
        t.append(Triple(s, SCHEMA.name, Literal(offer.title)))
        t += [Triple(s, SCHEMA.description, Literal(text, language=lang)) for lang, text in offer.descriptions]
        t += [Triple(s, SCHEMA.category, NamedNode(c)) for c in offer.categories]
        t += [Triple(s, SCHEMA.areaServed, NamedNode(SCHEME_COUNTRY[c].value)) for c in offer.countries]
        t += [Triple(s, SCHEMA.areaServed, Literal(p)) for p in offer.places]
        if offer.circle:
            a = NamedNode(area_iri(s.value))
            t += [Triple(s, SCHEMA.areaServed, a), Triple(a, RDF.type, SCHEMA.GeoCircle),
                  Triple(a, SCHEMA.latitude, _num(offer.circle.latitude)),
                  Triple(a, SCHEMA.longitude, _num(offer.circle.longitude)),
                  Triple(a, SCHEMA.geoRadius, _num(offer.circle.radius_km * 1000))]
            if not listed:
                t.append(Triple(a, COOP.listed, _FALSE))
        if offer.low_price is not None:
            t.append(Triple(s, SCHEMA.lowPrice, _num(offer.low_price)))
            t.append(Triple(s, SCHEMA.highPrice, _num(offer.high_price)))
        if offer.currency:
            t.append(Triple(s, SCHEMA.priceCurrency, Literal(offer.currency)))
        if offer.on_quote:
            t.append(Triple(s, COOP.onQuote, Literal("true", datatype=XSD.boolean)))
        if offer.minimum_order:
            t.append(Triple(s, COOP.minimumOrder, Literal(offer.minimum_order)))
        if offer.lead_time_days is not None:
            t.append(Triple(s, COOP.leadTimeDays, Literal(str(offer.lead_time_days), datatype=XSD.integer)))
        t += [Triple(s, COOP.certification, NamedNode(c)) for c in offer.certifications]
        if offer.margin_percent is not None:
            t.append(Triple(s, ESS.salesMarginPercentage, _num(offer.margin_percent)))
        if not listed:
            t.append(Triple(s, COOP.listed, _FALSE))
    return t


def offers_cell(offers: list[Offer]) -> str:
    """The offerings as the one-line text a table diff shows."""
    return "; ".join(f"{o.kind}:{o.slug}" for o in offers)
