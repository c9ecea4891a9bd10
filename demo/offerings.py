"""Realistic offerings for the demo's co-ops (issue 22): a few per co-op, by what it is, so
`/market` is worth looking at on the first run. Chosen from the co-op's key (not the world's
random draw), so adding them leaves every other value of the demo as it was."""
from __future__ import annotations

import hashlib
from typing import Any

# What each kind of co-op (its `thing`) sells, and now and then wants to buy:
# (title, UNSPSC or goods code, certifications, price, kind)
_OFFERINGS: dict[str, tuple[tuple[str, str, tuple[str, ...], str, str], ...]] = {
    "bakery": (("Sourdough bread, wholesale", "50180000", ("organic",), "4-7 CAD", "offer"),
               ("Pastries for events and catering", "50180000", (), "on quote", "offer"),
               ("Organic flour, by the tonne", "50000000", ("organic",), "", "demand")),
    "café": (("Fair-trade coffee beans", "50200000", ("fair-trade", "organic"), "14-22 CAD", "offer"),
             ("Office and event catering", "90100000", (), "on quote", "offer")),
    "grocery store": (("Local fresh vegetables", "50400000", ("organic",), "on quote", "offer"),
                      ("Fresh fruit boxes", "50300000", ("canada-organic",), "25-45 CAD", "offer"),
                      ("Eggs and dairy from member farms", "50130000", (), "", "offer")),
    "bookstore": (("Books for school and library orders", "55000000", (), "on quote", "offer"),),
    "print shop": (("Risograph and offset printing", "55000000", ("union-made",), "on quote", "offer"),
                   ("Packaging and posters on recycled paper", "55000000", ("union-made",), "", "offer"),
                   ("Recycled paper stock", "44000000", (), "", "demand")),
    "technology co-op": (("Websites for non-profits", "81110000", ("b-corp",), "on quote", "offer"),
                         ("IT support and hosting", "81110000", (), "", "offer")),
    "cleaning company": (("Eco-friendly office cleaning", "76110000", (), "on quote", "offer"),),
    "home care agency": (("Home care for elders", "85000000", (), "on quote", "offer"),),
    "child care centre": (("Child care places", "93000000", (), "", "offer"),),
    "construction company": (("Renovation and carpentry", "72000000", ("union-made",), "on quote", "offer"),
                             ("Custom wooden furniture", "56000000", (), "on quote", "offer")),
    "forestry co-op": (("Firewood and sawn timber", "30000000", (), "on quote", "offer"),
                       ("Forest management services", "70000000", (), "", "offer")),
    "energy co-op": (("Community solar electricity", "26000000", (), "", "offer"),),
    "brewery": (("Craft beer for restaurants and events", "50200000", (), "on quote", "offer"),),
    "farm supply co-op": (("Seeds and seedlings", "10000000", ("organic",), "", "offer"),
                          ("Farm equipment repair", "73000000", (), "on quote", "offer")),
    "farmers' co-op": (("Grain and pulses, wholesale", "50000000", (), "on quote", "offer"),
                       ("Fresh vegetables in season", "50400000", ("organic",), "", "offer")),
    "dairy co-op": (("Milk, butter and cheese", "50130000", (), "on quote", "offer"),),
    "food hub": (("Local food boxes for institutions", "50000000", ("organic",), "on quote", "offer"),
                 ("Delivery vans", "78000000", (), "", "demand")),
    "fishing co-op": (("Fresh fish and seafood", "50000000", (), "on quote", "offer"),),
    "artists' co-op": (("Crafts and art for gifts", "60000000", (), "20-400 CAD", "offer"),),
    "broadband co-op": (("Rural internet service", "83000000", (), "60-90 CAD", "offer"),),
    "transport co-op": (("Courier and moving services", "78000000", ("union-made",), "on quote", "offer"),),
    "tourism co-op": (("Guided tours and lodging", "90000000", (), "on quote", "offer"),),
    "learning co-op": (("Training and workshops", "86000000", (), "on quote", "offer"),),
}


def offers_for(key: str, thing: str, latitude: float, longitude: float, country: str) -> list[dict[str, Any]]:
    """Two or three of the kind's offerings (the same ones on every run), serving a circle
    around the co-op and its country."""
    choices = _OFFERINGS.get(thing, ())
    if not choices:
        return []
    digest = hashlib.sha256(key.encode()).digest()
    count = min(len(choices), 2 + digest[0] % 2)
    start = digest[1] % len(choices)
    offers = []
    for i in range(count):
        title, category, certs, price, kind = choices[(start + i) % len(choices)]
        offer: dict[str, Any] = {"kind": kind, "title": title, "category": category,
                                 "area_served": [country, {"lat": latitude, "lon": longitude,
                                                           "radius_km": 25 + digest[2 + i] % 100}]}
        if certs:
            offer["certifications"] = list(certs)
        if price:
            offer["price"] = price
        if kind == "offer" and digest[5 + i] % 3 == 0:
            offer["lead_time_days"] = 1 + digest[8 + i] % 14
        offers.append(offer)
    return offers
