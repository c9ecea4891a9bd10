"""Co-ops' offerings as linked data (issue 22, items 1-2): a member imports them with its
records, the commons publishes them as schema.org Offer/Demand, GoodRelations and ESSGlobal
resources under the member's publication policy, and each one dereferences."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import rdflib

from datacommons.audience import ANONYMOUS, SYSTEM, member_audience
from datacommons.fields import Level
from loaders.pipeline import plan_import, republish

from .conftest import BASE, CORE_CSV, World, load_text

PRINTING = [
    {"title": "Risograph printing", "description": "Short runs on recycled paper",
     "description_fr": "Impression risographie", "category": "55000000",
     "area_served": ["US", {"lat": 44.98, "lon": -93.27, "radius_km": 50}],
     "price": "0.10-0.50 USD", "minimum_order": "100 copies", "lead_time_days": 5,
     "certifications": ["union-made"], "margin_percent": 22},
    {"kind": "demand", "title": "Recycled paper", "category": "Printed media and printing"},
]
BREAD = [{"title": "Sourdough loaves", "category": "50180000", "certifications": "organic",
          "area_served": ["Toronto"]}]
OFFER = f"{BASE}/id/offer/alpha/rd-1/risograph-printing"
DEMAND = f"{BASE}/id/demand/alpha/rd-1/recycled-paper"
HIDDEN = f"{BASE}/id/offer/alpha/rd-3/sourdough-loaves"
SCHEMA, GR, ESS = "https://schema.org/", "http://purl.org/goodrelations/v1#", "http://purl.org/essglobal/vocab/"


def with_offers(text: str = CORE_CSV, rows: dict[str, list] | None = None) -> str:
    rows = {"rd-1": PRINTING, "rd-3": BREAD} if rows is None else rows
    table = list(csv.DictReader(io.StringIO(text)))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*table[0].keys(), "offers"], lineterminator="\n")
    writer.writeheader()
    for row in table:
        writer.writerow({**row, "offers": json.dumps(rows[row["id"]]) if row["id"] in rows else ""})
    return out.getvalue()


@pytest.fixture
def market(world: World, tmp_path: Path) -> World:
    load_text(world.commons, "alpha", with_offers(), tmp_path, "offers.csv")
    return world


def ask(world: World, pattern: str, audience=ANONYMOUS) -> bool:
    return bool(world.commons.query(f"ASK {{ {pattern} }}", audience))


def test_an_offering_imported_from_csv_is_an_offer_a_goodrelations_offering_and_an_essglobal_product(market: World) -> None:
    assert ask(market, f"<{OFFER}> a <{SCHEMA}Offer>, <{GR}Offering>, <{ESS}ProductOrService>")
    assert ask(market, f"<{BASE}/id/alpha/rd-1> <{GR}offers> <{OFFER}> ; <{ESS}hasProductOrService> <{OFFER}>")
    assert ask(market, f"<{OFFER}> <{SCHEMA}category> <https://w3id.org/coop-commons/concept/goods/55000000> ; "
                       f"<{SCHEMA}description> 'Impression risographie'@fr ; "
                       f"<https://w3id.org/coop-commons/vocab#certification> "
                       f"<https://w3id.org/coop-commons/concept/certification/union-made>")
    assert ask(market, f"<{OFFER}> <{SCHEMA}areaServed> ?c . ?c a <{SCHEMA}GeoCircle> ; <{SCHEMA}geoRadius> 50000.0")


def test_a_demand_is_a_schema_demand_the_coop_seeks(market: World) -> None:
    assert ask(market, f"<{BASE}/id/alpha/rd-1> <{GR}seeks> <{DEMAND}> . <{DEMAND}> a <{SCHEMA}Demand>, <{GR}Offering>")


def test_public_cannot_see_an_unlisted_coops_offerings(market: World) -> None:
    assert not ask(market, f"<{HIDDEN}> ?p ?o")
    assert not ask(market, f"<{HIDDEN}/area> ?p ?o")
    assert not ask(market, "?s ?p 'Sourdough loaves'")
    assert ask(market, f"<{HIDDEN}> ?p ?o", member_audience("alpha"))


def test_open_cost_figures_are_members_only_by_default(market: World) -> None:
    margin = f"<{OFFER}> <{ESS}salesMarginPercentage> ?m"
    assert not ask(market, margin)
    assert ask(market, margin, member_audience("beta"))


def test_public_cannot_see_offering_terms_a_member_keeps_members_only(market: World) -> None:
    commons = market.commons
    republish(commons, "alpha", commons.policy("alpha").changed({"offer_terms": Level.MEMBERS}))
    assert not ask(market, f"<{OFFER}> <{SCHEMA}lowPrice> ?p")
    assert not ask(market, "?s ?p '100 copies'")
    assert ask(market, f"<{OFFER}> <{SCHEMA}lowPrice> ?p", member_audience("beta"))
    assert ask(market, f"<{OFFER}> <{SCHEMA}name> 'Risograph printing'")


def test_private_offerings_do_not_show_up_in_public_at_all(market: World) -> None:
    commons = market.commons
    hidden = {f: Level.PRIVATE for f in ("offer_title", "offer_description", "offer_category",
                                         "offer_area", "offer_terms", "offer_certifications", "offer_costs")}
    republish(commons, "alpha", commons.policy("alpha").changed(hidden))
    assert not ask(market, f"<{OFFER}> ?p ?o")
    assert not ask(market, f"?s ?p <{OFFER}>")
    assert not ask(market, f"<{OFFER}/area> ?p ?o")
    assert not ask(market, f"<{OFFER}> ?p ?o", member_audience("beta"))


def test_an_unknown_category_is_an_error_naming_the_row_field_and_offering(world: World, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(with_offers(rows={"rd-2": [{"title": "Grain"}, {"title": "Flour", "category": "moon dust"}]}))
    before = world.commons.member_quads("alpha", SYSTEM)
    plan = plan_import(world.commons, "alpha", path)
    [problem] = plan.errors
    assert (problem.position, problem.field) == ("row 3", "offers")
    assert "offer 2, category: unknown category 'moon dust'" in problem.message
    assert world.commons.member_quads("alpha", SYSTEM) == before


def test_offerings_load_from_json_records_as_objects(world: World, tmp_path: Path) -> None:
    records = [{"id": "j-1", "name": "Loom Weavers Co-op", "locality": "Halifax", "country": "CA",
                "offers": [{"title": "Wool blankets", "category": "Clothing, luggage and personal care",
                            "price": "on quote"}]}]
    load_text(world.commons, "beta", json.dumps(records), tmp_path, "coops.json")
    offer = f"{BASE}/id/offer/beta/j-1/wool-blankets"
    assert ask(world, f"<{offer}> a <{SCHEMA}Offer> ; <https://w3id.org/coop-commons/vocab#onQuote> true")


def test_an_unchanged_reimport_with_offerings_changes_nothing(market: World, tmp_path: Path) -> None:
    path = tmp_path / "again.csv"
    path.write_text(with_offers())
    plan = plan_import(market.commons, "alpha", path)
    assert not plan.add and not plan.remove


@pytest.mark.parametrize("accept,fmt", [
    ("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
    ("application/rdf+xml", "xml"), ("application/n-triples", "nt"),
])
def test_an_offering_page_dereferences_in_every_rdf_format(server, tmp_path: Path, accept: str, fmt: str) -> None:
    import urllib.request
    load_text(server.world.commons, "alpha", with_offers(), tmp_path, "offers.csv")
    offer = OFFER.replace(BASE, server.url)
    request = urllib.request.Request(f"{server.url}/id/offer/alpha/rd-1/risograph-printing", headers={"Accept": accept})
    with urllib.request.urlopen(request) as response:
        body = response.read()
    graph = rdflib.Graph().parse(data=body, format=fmt, publicID=server.url)
    names = {str(o) for s, p, o in graph if str(p) == SCHEMA + "name"}
    assert "Risograph printing" in names, (offer, body[:300])
    assert any(str(o) == SCHEMA + "Offer" for o in graph.objects(None, rdflib.RDF.type))


def test_shacl_names_the_offering_whose_category_and_circle_are_wrong() -> None:
    from pyoxigraph import Literal, NamedNode, Triple

    from datacommons.market.offers import offer_triples, parse_offers
    from datacommons.uris import Uris
    from datacommons.vocab import SCHEMA as S, XSD
    from loaders.validate import validate

    uris = Uris(BASE)
    coop = NamedNode(uris.record("alpha", "rd-1"))
    triples = offer_triples(coop, parse_offers(json.dumps(PRINTING[:1])), "alpha", "rd-1", uris)
    assert validate(triples, {}) == []
    bad = [Triple(NamedNode(OFFER), S.category, NamedNode("http://example.org/anything")),
           Triple(NamedNode(OFFER + "/area"), S.latitude, Literal("91", datatype=XSD.decimal))]
    problems = validate(triples + bad, {OFFER: "row 2"})
    messages = {(p.position, p.message) for p in problems}
    assert ("row 2", "an offering's category must be a concept of ESSGlobal's products-and-services "
                     "scheme or of our goods scheme") in messages
    assert any("latitude is one number between -90 and 90" in m for _, m in messages)


LEVEL_SEEN_BY = {  # who reads a value at each level
    Level.PUBLIC: {"anonymous", "beta", "alpha", "admin"},
    Level.MEMBERS: {"beta", "alpha", "admin"},
    Level.PRIVATE: {"alpha", "admin"},
}


@pytest.mark.parametrize("level", list(Level))
@pytest.mark.parametrize("field,marker", [
    ("offer_description", "Short runs on recycled paper"), ("offer_terms", "100 copies"),
    ("offer_title", "Risograph printing"),
])
def test_the_market_search_shows_each_offering_field_only_to_the_audiences_its_level_allows(
        market: World, field: str, marker: str, level: Level) -> None:
    from datacommons.audience import ADMIN
    from datacommons.market.search import MarketSearch, search_offerings

    commons = market.commons
    republish(commons, "alpha", commons.policy("alpha").changed({field: level}))
    audiences = {"anonymous": ANONYMOUS, "beta": member_audience("beta"),
                 "alpha": member_audience("alpha"), "admin": ADMIN}
    for name, audience in audiences.items():
        rows = search_offerings(commons, audience, MarketSearch()).results
        seen = marker in json.dumps(rows) or (field == "offer_terms" and ask(market, f"?s ?p '{marker}'", audience))
        assert seen == (name in LEVEL_SEEN_BY[level]), (name, field, level)
