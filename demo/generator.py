"""A deterministic demo commons: member organisations and the directory files they submit.

The demo has to exercise what real submissions will: several formats (the commons' template
CSV, the community's standard CSV, JSON, a foreign export with a column mapping), the mess of
real exports (encodings, a BOM, embedded newlines, HTML entities, stray whitespace, country and
date spellings), and co-ops listed by two or three members with small differences, so that
reconciliation has real work to do. Everything derives from one `random.Random(seed)`, so a
seed and a size always give byte-identical files, and the cost per co-op is a few dozen random
draws, so 100,000 co-ops take seconds.

`generate` also writes `truth.csv` (member, local id, co-op key) beside the submissions: the
answer key that tests and benchmarks use to score matching.
"""
from __future__ import annotations

import csv
import html
import json
import random
import re
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from bisect import bisect
from itertools import accumulate
from pathlib import Path
from typing import Any, TextIO, TypeVar

from datacommons.fields import TEMPLATE_COLUMNS
from datacommons.vocab import COOP_CONCEPT, SCHEME_ACTIVITY, SCHEME_MEMBERSHIP, SCHEME_STRUCTURE

from .places import PLACES, STREETS_EN, STREETS_FR, Place

T = TypeVar("T")

WORKER = "Workers cooperative"
CONSUMER = "Consumer/User coops"
PRODUCER = "Producer cooperative"
MULTI = "Multi-stakeholder cooperative"
HOUSING = "Housing cooperative"
CREDIT_UNION = "Credit union"

# Concept IDs, as the community's standard CSV writes them. ESSGlobal has no credit-union
# structure; the commons' own concept (ontology/schemes/coop-concepts.ttl) fills the gap.
CREDIT_UNION_ID = "credit-union"
STRUCTURE_IDS: dict[str, str] = {
    WORKER: "OS60", HOUSING: "OS70", CONSUMER: "OS80", PRODUCER: "OS90", MULTI: "OS100",
    CREDIT_UNION: CREDIT_UNION_ID,
}
MEMBERSHIP_IDS: dict[str, str] = {
    WORKER: "BMT30", CONSUMER: "BMT10", PRODUCER: "BMT20", MULTI: "BMT40", HOUSING: "BMT50",
    CREDIT_UNION: "BMT10",
}
ACTIVITY_IDS: dict[str, str] = {
    "Agriculture": "ICA10", "Dairy": "ICA20", "Forestry": "ICA30", "Fishing": "ICA50",
    "Artisans": "ICA60", "Construction": "ICA70", "Manufacturing": "ICA90",
    "Professional": "ICA110", "Service": "ICA120", "Tourism": "ICA130",
    "Financial Services": "ICA140", "Insurance": "ICA150", "Education": "ICA160",
    "Health": "ICA170", "Community": "ICA180", "Social Service": "ICA200", "Housing": "ICA210",
    "Transport": "ICA220", "Utilities": "ICA230", "Retail": "ICA240", "Production": "ICA250",
    "Wholesale and retail trade": "ICA260",
}

# The community's standard CSV (see the ESSGlobal reference data README), in order.
STANDARD_COLUMNS: tuple[str, ...] = (
    "Identifier", "Name", "Description", "Organisational Structure", "Primary Activity",
    "Activities", "Street Address", "Locality", "Region", "Postcode", "Country ID",
    "Territory ID", "Website", "Phone", "Email", "Twitter", "Facebook", "Companies House Number",
    "Qualifiers", "Membership Type", "Latitude", "Longitude", "Geo Container",
    "Geo Container Latitude", "Geo Container Longitude",
)

# The foreign export (a regional council's own spreadsheet) and its vocabulary.
FOREIGN_FIELDS: dict[str, str] = {
    "id": "ID", "name": "Co-op Name", "street": "Address", "locality": "City",
    "region": "State/Province", "postal_code": "Zip", "activities": "Industry",
    "structure": "Type", "website": "Web", "phone": "Tel", "email": "Email",
    "founded": "Year Founded",
}  # commons field -> the export's column
FOREIGN_TYPES: dict[str, str] = {
    "Worker": WORKER, "Consumer": CONSUMER, "Producer": PRODUCER, "Multi-Stakeholder": MULTI,
    "Housing": HOUSING, "Credit Union": CREDIT_UNION,
}
FOREIGN_INDUSTRIES: dict[str, str] = {
    "Farming": "Agriculture", "Dairy": "Dairy", "Forestry": "Forestry", "Fisheries": "Fishing",
    "Arts and Crafts": "Artisans", "Construction": "Construction",
    "Manufacturing": "Manufacturing", "Professional Services": "Professional",
    "Consumer Services": "Service", "Hospitality": "Tourism", "Banking": "Financial Services",
    "Insurance": "Insurance", "Education": "Education", "Hospital & Health Care": "Health",
    "Civic & Social Organization": "Community", "Social Services": "Social Service",
    "Housing": "Housing", "Transportation/Trucking/Railroad": "Transport",
    "Utilities": "Utilities", "Retail": "Retail", "Food Production": "Production",
    "Wholesale": "Wholesale and retail trade",
}
_FOREIGN_TYPE_OF = {label: term for term, label in FOREIGN_TYPES.items()}
_FOREIGN_INDUSTRY_OF = {label: term for term, label in FOREIGN_INDUSTRIES.items()}

SHARED_FRACTION = 0.175  # co-ops listed by two or three members
FIRST_YEAR, LAST_YEAR = 1844, 2024


@dataclass
class MemberSubmission:
    """One member organisation and the file it submits (with its column mapping, if foreign)."""

    member_id: str
    name: str
    path: Path
    mapping: Path | None
    homepage: str


@dataclass(frozen=True)
class _Kind:
    """A line of co-operative business: it fixes how a co-op is organised, named, described."""

    structures: tuple[str, ...]  # the first is the most common
    activities: tuple[str, ...]  # the first is the primary activity
    names: tuple[str, ...]  # English patterns over {motif} {place} {coop} {group}
    names_fr: tuple[str, ...]  # French patterns over {fmotif} {place}
    thing: str
    thing_fr: str
    does: tuple[str, ...]
    does_fr: str
    workers: tuple[int, int]
    members: tuple[int, int]
    founded: tuple[int, int, int]  # low, high, mode
    weight_us: int
    weight_ca: int


def _k(structures: tuple[str, ...], activities: str, names: str, names_fr: str, thing: str,
       thing_fr: str, does: str, does_fr: str, workers: tuple[int, int],
       members: tuple[int, int], founded: tuple[int, int, int], weight_us: int,
       weight_ca: int) -> _Kind:
    """Keep the table below to one readable entry per kind ('|' separates alternatives)."""
    return _Kind(structures, tuple(activities.split("|")), tuple(names.split("|")),
                 tuple(names_fr.split("|")), thing, thing_fr, tuple(does.split("|")), does_fr,
                 workers, members, founded, weight_us, weight_ca)


KINDS: tuple[_Kind, ...] = (
    _k((WORKER,), "Production|Retail|Service",
       "{motif} Bakery {coop}|{motif} Bread {coop}|{motif} Bakehouse",
       "Boulangerie {fmotif}|Coopérative de travail {fmotif}", "bakery", "Boulangerie",
       "baking sourdough bread & pastries every day|"
       "making bagels, bread and cakes from local flour",
       "pain au levain & viennoiseries", (3, 40), (3, 40), (1970, 2024, 2010), 4, 3),
    _k((WORKER, MULTI), "Service|Retail",
       "{motif} Café|{motif} Coffee {coop}|{motif} Kitchen {coop}",
       "Café {fmotif}|Café coopératif {fmotif}", "café", "Café",
       "serving fair-trade coffee & lunches|roasting and serving organic coffee",
       "café équitable & repas du midi", (3, 30), (3, 30), (1975, 2024, 2012), 5, 3),
    _k((CONSUMER,), "Retail|Agriculture",
       "{place} Food {coop}|{motif} Food {coop}|{motif} Market {coop}|{motif} Natural Foods {coop}",
       "Coopérative alimentaire {fmotif}|Épicerie {fmotif}", "grocery store", "Épicerie",
       "selling local produce, bulk foods & groceries|"
       "stocking organic and local food for its members",
       "produits locaux, vrac & épicerie fine", (8, 250), (200, 25000), (1844, 2024, 1975), 8, 5),
    _k((WORKER, CONSUMER), "Retail|Education", "{motif} Books|{motif} Bookshop {coop}",
       "Librairie {fmotif}", "bookstore", "Librairie",
       "selling new & used books and hosting readings", "livres neufs & usagés, lancements",
       (2, 25), (2, 3000), (1968, 2024, 2005), 2, 2),
    _k((WORKER,), "Production|Manufacturing|Professional",
       "{motif} Press|{motif} Printing {coop}|{motif} Print Collective",
       "Imprimerie {fmotif}|Coopérative de travail {fmotif}", "print shop", "Imprimerie",
       "printing posters, books & packaging on recycled paper|"
       "offering risograph and offset printing",
       "impression sur papier recyclé", (3, 45), (3, 45), (1960, 2024, 1995), 3, 2),
    _k((WORKER,), "Professional|Service",
       "{motif} Tech {coop}|{motif} Digital {coop}|{motif} Design {coop}|{motif} Web Cooperative",
       "Coopérative de travail {fmotif}|{fmotif}, coopérative numérique", "technology co-op",
       "Coopérative numérique", "building websites & software for non-profits|"
       "offering design, development and IT support", "sites web & logiciels libres pour les OBNL",
       (2, 60), (2, 60), (1990, 2024, 2015), 5, 3),
    _k((WORKER, MULTI), "Health|Social Service|Service",
       "{motif} Home Care {coop}|{place} Home Care Associates|{motif} Care {coop}",
       "Coopérative de soutien à domicile {fmotif}|"
       "Coopérative de services à domicile de {place}",
       "home care agency", "Coopérative de soins à domicile",
       "providing home care for elders & people with disabilities",
       "soins & aide à domicile pour les aînés", (10, 300), (10, 300), (1980, 2024, 2005), 4, 3),
    _k((WORKER,), "Service", "{motif} Cleaning {coop}|{motif} Green Cleaning {coop}",
       "Coopérative d'entretien {fmotif}", "cleaning company", "Entreprise d'entretien ménager",
       "offering eco-friendly house & office cleaning", "entretien ménager écologique",
       (4, 80), (4, 80), (1990, 2024, 2014), 3, 1),
    _k((CONSUMER, MULTI), "Education|Social Service",
       "{motif} Children's {coop}|{motif} Nursery School {coop}|{motif} Child Care {coop}",
       "CPE {fmotif}|Coopérative de garde {fmotif}", "child care centre", "Service de garde",
       "caring for children from 18 months to 5 years|running a parent-run preschool",
       "accueil des enfants de 18 mois à 5 ans", (4, 40), (20, 300), (1965, 2024, 1990), 2, 3),
    _k((WORKER,), "Construction",
       "{motif} Builders {coop}|{motif} Carpentry {coop}|{motif} Renovation {coop}",
       "Coopérative de construction {fmotif}|Rénovation {fmotif}, coopérative de travail",
       "construction company", "Entreprise de construction",
       "renovating homes with green building methods", "rénovation écologique résidentielle",
       (4, 80), (4, 80), (1970, 2024, 2008), 3, 2),
    _k((WORKER,), "Transport",
       "{motif} Bike Couriers|{place} Cab {coop}|{motif} Taxi {coop}|{motif} Moving {coop}",
       "Coop de taxi {fmotif}|Coopérative de transport {fmotif}", "transport co-op",
       "Coopérative de transport", "moving people & parcels around the city",
       "transport de personnes & livraison à vélo", (5, 400), (5, 400), (1950, 2024, 2000), 3, 2),
    _k((PRODUCER,), "Agriculture|Wholesale and retail trade|Production",
       "{place} Farmers {coop}|{motif} Growers {coop}|{motif} Farm {coop}|{motif} Harvest {coop}",
       "Coopérative agricole {fmotif}|Coopérative des producteurs de {place}",
       "farmers' co-op", "Coopérative agricole",
       "marketing grain, vegetables & livestock for family farms|"
       "pooling equipment and selling members' produce",
       "mise en marché des produits de fermes familiales", (2, 150), (10, 3000),
       (1890, 2024, 1960), 5, 5),
    _k((PRODUCER,), "Dairy|Agriculture|Production",
       "{motif} Creamery|{place} Dairy {coop}|{motif} Cheese {coop}",
       "Fromagerie {fmotif}|Laiterie coopérative {fmotif}", "dairy co-op",
       "Coopérative laitière",
       "making cheese & butter from members' milk", "fromages & beurre du lait des membres",
       (5, 500), (10, 1500), (1880, 2020, 1940), 2, 2),
    _k((PRODUCER,), "Fishing|Wholesale and retail trade",
       "{place} Fishermen's {coop}|{motif} Fisheries {coop}|{motif} Seafood {coop}",
       "Coopérative des pêcheurs {fmotif}|Pêcheries {fmotif}", "fishing co-op",
       "Coopérative de pêcheurs", "landing & selling members' catch",
       "mise en marché des prises des membres", (3, 100), (10, 400), (1900, 2020, 1950), 1, 2),
    _k((PRODUCER, WORKER), "Forestry|Manufacturing",
       "{motif} Forestry {coop}|{motif} Woodlot {coop}|{motif} Timber {coop}",
       "Coopérative forestière {fmotif}", "forestry co-op", "Coopérative forestière",
       "managing woodlots & milling local timber", "aménagement forestier & sciage",
       (5, 300), (5, 300), (1930, 2020, 1975), 1, 2),
    _k((PRODUCER,), "Artisans|Retail",
       "{motif} Artists {coop}|{motif} Craft Guild|{motif} Makers {coop}|{motif} Gallery {coop}",
       "Coopérative des artisans {fmotif}|Atelier {fmotif}", "artists' co-op",
       "Coopérative d'artisans", "selling pottery, textiles & prints made by members",
       "céramique, textiles & estampes des membres", (1, 20), (5, 200), (1960, 2024, 2005), 2, 2),
    _k((CONSUMER, MULTI), "Utilities|Community",
       "{motif} Solar {coop}|{motif} Wind {coop}|{place} Renewable Energy {coop}|"
       "{motif} Electric Cooperative|{motif} Power {coop}",
       "Coopérative d'énergie {fmotif}|Énergie {fmotif}, coopérative",
       "energy co-op", "Coopérative d'énergie renouvelable",
       "putting solar panels & wind turbines in community hands|"
       "supplying electricity to rural members", "énergie solaire & éolienne communautaire",
       (1, 300), (50, 30000), (1935, 2024, 1995), 4, 2),
    _k((HOUSING,), "Housing|Community",
       "{motif} Housing {coop}|{motif} Co-operative Homes|{place} Co-operative Housing|"
       "{motif} Housing {coop}",
       "Coopérative d'habitation {fmotif}|Coop d'habitation {fmotif}", "housing co-op",
       "Coopérative d'habitation", "offering affordable, member-run homes|"
       "with townhouses & apartments for families and seniors",
       "logements abordables gérés par les membres", (1, 8), (8, 400), (1960, 2024, 1985), 3, 12),
    _k((CREDIT_UNION,), "Financial Services|Insurance",
       "{place} Community Credit Union|{motif} Credit Union|{group} Credit Union|"
       "{place} {group} Credit Union",
       "Caisse populaire de {place}|Caisse d'économie {fmotif}|Caisse populaire {fmotif}",
       "credit union", "Caisse", "offering savings, loans & mortgages to its members",
       "épargne, prêts & hypothèques pour ses membres", (5, 900), (500, 250000),
       (1900, 2015, 1950), 5, 5),
    _k((CONSUMER, MULTI), "Health|Community",
       "{place} Community Health {coop}|{motif} Health {coop}|{motif} Clinic {coop}",
       "Coopérative de santé {fmotif}|Clinique coopérative de {place}", "health centre",
       "Coopérative de santé", "running a community clinic with doctors, nurses & dietitians",
       "clinique de proximité avec médecins & infirmières", (5, 120), (500, 15000),
       (1944, 2024, 2005), 2, 3),
    _k((MULTI,), "Agriculture|Retail|Community", "{motif} Food Hub|{motif} Local Food {coop}",
       "Coopérative de solidarité {fmotif}|Marché de solidarité {fmotif}", "food hub",
       "Marché de solidarité", "connecting local farmers with eaters & restaurants",
       "relier producteurs locaux & mangeurs", (2, 40), (30, 2000), (2000, 2024, 2015), 3, 3),
    _k((WORKER, CONSUMER), "Production|Manufacturing|Retail",
       "{motif} Brewing {coop}|{motif} Brewery|{motif} Ale Works {coop}",
       "Microbrasserie {fmotif}|Brasserie coopérative {fmotif}", "brewery", "Microbrasserie",
       "brewing small-batch beer & cider", "bières & cidres artisanaux", (3, 50), (3, 3000),
       (1985, 2024, 2015), 3, 2),
    _k((CONSUMER,), "Service|Social Service", "{place} Funeral {coop}|{motif} Memorial {coop}",
       "Coopérative funéraire {fmotif}|Coopérative funéraire de {place}", "funeral co-op",
       "Coopérative funéraire", "offering simple, affordable funerals",
       "funérailles simples & abordables", (3, 60), (500, 40000), (1940, 2020, 1975), 1, 3),
    _k((MULTI, WORKER), "Education|Community",
       "{motif} Learning {coop}|{motif} School {coop}|{motif} Language {coop}",
       "École coopérative {fmotif}|Coopérative de formation {fmotif}", "learning co-op",
       "Coopérative de formation", "teaching languages, trades & co-op skills",
       "formation en langues, métiers & coopération", (2, 60), (10, 800), (1970, 2024, 2010),
       2, 2),
    _k((CONSUMER,), "Utilities|Community",
       "{place} Broadband {coop}|{motif} Internet {coop}|{motif} Telephone Cooperative",
       "Coopérative de télécommunication {fmotif}", "broadband co-op",
       "Coopérative de télécommunication", "bringing fibre internet to rural members",
       "Internet haute vitesse en région", (3, 120), (200, 20000), (1945, 2024, 1990), 2, 1),
    _k((PRODUCER,), "Wholesale and retail trade|Agriculture|Retail",
       "{place} Farm Supply {coop}|{motif} Hardware {coop}|{motif} Farmers' Exchange",
       "Coopérative d'approvisionnement {fmotif}|Quincaillerie coopérative {fmotif}",
       "farm supply co-op", "Coopérative d'approvisionnement",
       "supplying feed, fuel & hardware to farm members",
       "moulée, carburant & quincaillerie pour les fermes membres", (5, 200), (100, 8000),
       (1900, 2015, 1950), 2, 2),
    _k((WORKER, MULTI), "Tourism|Service",
       "{motif} Outfitters {coop}|{motif} Inn {coop}|{motif} Tours {coop}",
       "Coopérative de tourisme {fmotif}|Auberge {fmotif}", "tourism co-op",
       "Coopérative touristique", "guiding canoe trips & running a small inn",
       "canot-camping & auberge", (2, 60), (5, 300), (1975, 2024, 2010), 1, 2),
)

_ADJECTIVES = (
    "Red", "Blue", "Green", "Golden", "Silver", "Black", "White", "Northern", "Southern",
    "Little", "Big", "Old", "New", "Wild", "Quiet", "Bright", "Open", "Common", "Twin", "High",
    "Round", "Lucky", "Stone", "Iron", "Cedar", "Maple", "Prairie", "River", "Harbour", "Sunny",
    "Morning", "Evening", "Spring", "Autumn",
)
_NOUNS = (
    "Door", "Heron", "Wheat", "Oak", "Lantern", "Sparrow", "Fox", "Bridge", "Ground", "Table",
    "Moon", "Star", "Hill", "Meadow", "Loon", "Raven", "Bear", "Otter", "Pine",
    "Willow", "Thistle", "Clover", "Acorn", "Spoke", "Anchor", "Compass", "Kettle", "Hearth",
    "Beacon",
)
_FRENCH_MOTIFS = (
    "La Lumière", "Le Moulin", "L'Érablière", "La Ruche", "Le Fil d'Ariane", "Les Affamés",
    "La Récolte", "Le Grenier", "La Clé des champs", "Les Trois Pignons", "Le Chaînon",
    "La Brûlerie", "L'Étincelle", "Le Fruit défendu", "La Mauve", "Les Jardins du Nord",
    "La Remise", "Le Bercail", "Le Phare", "La Source", "Les Cèdres", "Le Vent du Nord",
    "Le Cœur Vaillant", "La Petite Patrie", "Le Pivot", "L'Autre Rive", "La Boussole",
    "Les Hirondelles", "Le Goéland", "La Marée", "Le Sentier", "Les Pommiers", "La Caravane",
    "Le Rucher", "L'Avenir", "La Solidaire", "Les Trembles", "Le Bouleau", "La Chaloupe",
    "Le Carrefour", "Les Saisons", "La Maisonnée", "L'Envol", "Le Tournesol", "La Fourmilière",
    "Les Brumes", "Le Rocher", "La Pépinière", "Le Quai", "Les Épinettes", "La Traversée",
    "Le Fleuve", "Le Colibri", "La Montagne", "Les Lucioles", "Le Hibou", "La Vigne",
)
_GROUPS = (
    "Union", "Teachers", "Farmers", "Steelworkers", "Nurses", "Postal Workers", "Firefighters",
    "Municipal Employees", "Railway Workers", "Labour", "Carpenters", "People's", "Pioneer",
    "Heritage", "Founders", "Coast", "Valley",
)
_COOP_WORDS = {
    "US": ("Co-op", "Cooperative", "Co-operative"),
    "CA": ("Co-op", "Co-operative", "Cooperative"),
}
_COOP_WORD_CUM = (10, 19, 20)
_OWNED = {
    WORKER: "worker-owned", CONSUMER: "member-owned", PRODUCER: "producer-owned",
    MULTI: "multi-stakeholder", HOUSING: "non-profit", CREDIT_UNION: "member-owned",
}
_OWNED_FR = {
    WORKER: "coopérative de travail", CONSUMER: "coopérative de consommateurs",
    PRODUCER: "coopérative de producteurs", MULTI: "coopérative de solidarité",
    HOUSING: "coopérative sans but lucratif", CREDIT_UNION: "coopérative de services financiers",
}
_SECOND_SENTENCES = (
    "Founded in {year}.", "New members welcome.", "Member-run since {year}.",
    "Open Monday to Saturday.", "Proud member of the co-op movement since {year}.",
    "Ask us about becoming a member.",
)
_SECOND_SENTENCES_FR = (
    "Fondée en {year}.", "Nouveaux membres bienvenus.", "Ouvert du lundi au samedi.",
)
_DOMAIN_STOPWORDS = frozenset(
    "co op coop cooperative operative the of and de du des la le les l d et inc".split()
)
_TLDS = {"US": (".coop", ".org", ".com"), "CA": (".coop", ".ca", ".org", ".com")}
_TLD_CUM = {"US": (30, 65, 100), "CA": (25, 80, 90, 100)}
# Drawn from whole, so that one draw makes each part of an address or a name.
_MOTIFS = tuple(f"{a} {n}" for a in _ADJECTIVES for n in _NOUNS)
_CANADIAN_LOCAL_UNITS = tuple(f"{d}{letter}{e}" for d in range(10)
                              for letter in "ABCEGHJKLMNPRSTVWXYZ" for e in range(10))
_ZIP_ENDINGS = tuple(f"{n:02d}" for n in range(1, 100))
# Exchanges the numbering plan allows (not N11), without the 555 of fiction.
_EXCHANGES = tuple(str(e) for e in range(200, 1000) if e % 100 != 11 and e != 555)
_STREET_ABBREVIATIONS = (("Street", "St."), ("Avenue", "Ave"), ("Road", "Rd"), ("Drive", "Dr"),
                         ("boulevard", "boul."), ("avenue", "av."), ("chemin", "ch."))
_PHONE_STYLES = (
    "({a}) {e}-{s}", "{a}-{e}-{s}", "{a}.{e}.{s}", "+1 {a} {e} {s}", "1-{a}-{e}-{s}",
    "{a}{e}{s}", "+1-{a}-{e}-{s}", "{a} {e}-{s}",
)
_INTERNATIONAL_STYLE = 3  # "+1 612 272 4831": how the clean records write numbers

_WORD = re.compile("[a-z0-9]+")
_PLACE_CUM = list(accumulate(p.weight for p in PLACES))
_KIND_CUM = {
    "US": list(accumulate(k.weight_us for k in KINDS)),
    "CA": list(accumulate(k.weight_ca for k in KINDS)),
}


class _Draw(random.Random):
    """`random.Random` with cheaper draws: the demo makes dozens per co-op, 100,000 co-ops at once.

    `choice`, `choices` and `randint` spend most of their time on exactness the demo does not
    need; one float from the generator is enough here.
    """

    def pick(self, items: Sequence[T]) -> T:
        return items[int(self.random() * len(items))]

    def between(self, low: int, high: int) -> int:
        return low + int(self.random() * (high - low + 1))

    def weighted(self, items: Sequence[T], cumulative: Sequence[float]) -> T:
        return items[bisect(cumulative, self.random() * cumulative[-1])]


@dataclass(frozen=True)
class _Style:
    """One member's export habits: how it spells values and what mess its files carry."""

    phone_styles: tuple[int, ...]  # indexes into _PHONE_STYLES; the first is the house style
    countries: dict[str, tuple[str, ...]]  # how it writes each ISO country code
    us_dates: bool = False  # writes some full dates as M/D/YYYY
    entities: float = 0.0  # share of descriptions HTML-escaped ("&amp;")
    newlines: float = 0.0  # share of descriptions with an embedded line break
    spaces: float = 0.0  # share of rows with stray whitespace
    no_coordinates: float = 0.0  # share of rows it never geocoded
    zip4: float = 0.0  # share of US postal codes written as ZIP+4
    digits: int = 6  # decimals of coordinates
    slash: float = 0.0  # share of websites written with a trailing slash


@dataclass(frozen=True)
class _Member:
    """A member organisation: who it lists, which of its co-ops it lists first, how it writes."""

    id: str
    name: str
    homepage: str
    country: str
    regions: frozenset[str]  # empty: the whole country
    structures: frozenset[str]  # empty: every structure
    weight: int  # how likely it is the first to list a co-op it may list
    format: str  # template | json | standard | foreign
    filename: str
    encoding: str
    newline: str
    ids: str  # "slug", "numeric", or a format over {n} and {region}
    style: _Style

    def accepts(self, place: Place, structure: str) -> bool:
        return (place.country == self.country
                and (not self.regions or place.region in self.regions)
                and (not self.structures or structure in self.structures))


_US = {"US": ("US", "USA", "United States")}
MEMBERS: tuple[_Member, ...] = (
    _Member("usfwc", "US Federation of Worker Cooperatives", "https://www.usworker.coop", "US",
            frozenset(), frozenset({WORKER, MULTI}), 3, "template", "usfwc-directory.csv",
            "utf-8-sig", "\r\n", "slug",
            _Style((0, 1, 2), _US, us_dates=True, newlines=0.04, spaces=0.05, slash=0.1)),
    _Member("ncba", "National Cooperative Business Association CLUSA", "https://ncbaclusa.coop",
            "US", frozenset(), frozenset(), 2, "json", "ncba-members.json", "utf-8", "\n",
            "NCBA-{n:05d}",
            _Style((2, 3, 0), {"US": ("United States", "US")}, us_dates=True, entities=0.1,
                   zip4=0.1, digits=5, slash=0.2)),
    _Member("nwcdc", "Northwest Cooperative Development Center", "https://nwcdc.coop", "US",
            frozenset({"WA", "OR", "ID", "MT", "AK"}), frozenset(), 3, "foreign",
            "nwcdc-export.csv", "utf-8", "\r\n", "nw-{n:04d}", _Style((1, 0), _US, spaces=0.03)),
    _Member("cmc", "Co-operatives and Mutuals Canada", "https://canada.coop", "CA", frozenset(),
            frozenset(), 2, "standard", "cmc-essglobal.csv", "cp1252", "\r\n", "numeric",
            _Style((7, 3, 6), {"CA": ("CA",)}, entities=0.1, digits=4)),
    _Member("cqcm", "Conseil québécois de la coopération et de la mutualité",
            "https://www.cqcm.coop", "CA", frozenset({"QC"}), frozenset(), 3, "standard",
            "cqcm-repertoire.csv", "utf-8", "\n", "Q{n:05d}",
            _Style((7, 0), {"CA": ("CA",)}, entities=0.05)),
    _Member("chfc", "Co-operative Housing Federation of Canada", "https://chfcanada.coop", "CA",
            frozenset(), frozenset({HOUSING}), 4, "template", "chfc-housing.csv", "utf-8", "\n",
            "{region}-{n:05d}",
            _Style((0, 1, 4), {"CA": ("Canada", "CA", "CAN")}, spaces=0.05,
                   no_coordinates=0.1, digits=5)),
)


def _eligibility() -> dict[tuple[str, str, str], tuple[list[_Member], list[int]]]:
    """Who may list a co-op of each structure in each place, and how likely each is to list it
    first; worked out once, since every co-op asks."""
    table = {}
    for place in PLACES:
        for structure in STRUCTURE_IDS:
            members = [m for m in MEMBERS if m.accepts(place, structure)]
            table[place.name, place.region, structure] = (
                members, list(accumulate(m.weight for m in members)))
    return table


_ELIGIBLE = _eligibility()


@dataclass(slots=True)
class _Coop:
    """A co-op of the demo world as it really is, before any member writes it down."""

    key: str
    name: str
    french: bool
    place: Place
    structure: str
    activities: list[str]
    description: str | None
    street: str | None
    postal_code: str
    latitude: float
    longitude: float
    phone: tuple[str, str, str] | None  # area code, exchange, line
    domain: str | None
    www: bool
    email: str | None
    founded: tuple[int, int, int]
    full_date: bool
    workers: int | None
    members: int | None
    listed: bool
    holders: list[_Member]

    def url(self, www: bool, slash: bool = False) -> str | None:
        if self.domain is None:
            return None
        return f"https://{'www.' if www else ''}{self.domain}{'/' if slash else ''}"

    def phone_text(self, style: int, line: str | None = None) -> str | None:
        """The phone number in one of the ways people write it (`line`: an outdated number)."""
        if self.phone is None:
            return None
        area, exchange, own_line = self.phone
        return _PHONE_STYLES[style].format(a=area, e=exchange, s=line or own_line)

    def founded_text(self, us: bool = False) -> str:
        year, month, day = self.founded
        if not self.full_date:
            return str(year)
        return f"{month}/{day}/{year}" if us else f"{year}-{month:02d}-{day:02d}"


def generate_records(*, seed: int = 7, coops: int = 3000) -> Iterator[dict[str, str]]:
    """The demo co-ops as clean template rows (one per co-op, keyed by `id`), for benchmarks.

    These are the same co-ops `generate` writes for the same seed and size; `truth.csv` links
    each member row to the `id` here.
    """
    for coop in _coops(seed, coops):
        yield {
            "id": coop.key,
            "name": coop.name,
            "description": coop.description or "",
            "website": coop.url(coop.www) or "",
            "email": coop.email or "",
            "phone": coop.phone_text(_INTERNATIONAL_STYLE) or "",
            "street": coop.street or "",
            "locality": coop.place.name,
            "region": coop.place.region,
            "postal_code": coop.postal_code,
            "country": coop.place.country,
            "latitude": str(coop.latitude),
            "longitude": str(coop.longitude),
            "founded": coop.founded_text(),
            "structure": coop.structure,
            "activities": ";".join(coop.activities),
            "legal_form": "Cooperative",
            "workers": "" if coop.workers is None else str(coop.workers),
            "members": "" if coop.members is None else str(coop.members),
            "listed": "true" if coop.listed else "false",
        }


def generate(out_dir: Path, *, seed: int = 7, coops: int = 3000) -> list[MemberSubmission]:
    """Write every member's submission (and `truth.csv`) into `out_dir`; return the members."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        writers = {m.id: _WRITERS[m.format](m, out_dir, seed, stack) for m in MEMBERS}
        truth = csv.writer(stack.enter_context(
            (out_dir / "truth.csv").open("w", encoding="utf-8", newline="")), lineterminator="\n")
        truth.writerow(("member", "local_id", "coop"))
        for coop in _coops(seed, coops):
            for position, member in enumerate(coop.holders):
                local_id = writers[member.id].write(coop, secondary=position > 0)
                truth.writerow((member.id, local_id, coop.key))
        for writer in writers.values():
            writer.close()
    submissions = []
    for m in MEMBERS:
        mapping = out_dir / f"{m.id}-mapping.toml" if m.format == "foreign" else None
        if mapping:
            mapping.write_text(_foreign_mapping(m), encoding="utf-8")
        submissions.append(
            MemberSubmission(m.id, m.name, out_dir / m.filename, mapping, m.homepage))
    return submissions


def _coops(seed: int, count: int) -> Iterator[_Coop]:
    """Draw the co-ops of the demo world; names are unique per city and domains overall."""
    rng = _Draw(seed)
    names_seen: dict[tuple[str, str, str], int] = {}
    domains: set[str] = set()
    for n in range(1, count + 1):
        shared = rng.random() < SHARED_FRACTION
        while True:  # a shared co-op must be one that several members may list
            place = rng.weighted(PLACES, _PLACE_CUM)
            kind = rng.weighted(KINDS, _KIND_CUM[place.country])
            structure = (kind.structures[0] if len(kind.structures) == 1 or rng.random() < 0.75
                         else rng.pick(kind.structures[1:]))
            eligible, cumulative = _ELIGIBLE[place.name, place.region, structure]
            if not shared or len(eligible) > 1:
                break
        holders = [rng.weighted(eligible, cumulative)]
        if shared:
            others = [m for m in eligible if m is not holders[0]]
            holders += rng.sample(others, 2 if len(others) > 1 and rng.random() < 0.3 else 1)

        french = place.french and rng.random() < 0.6
        for _ in range(3):
            name = _name(kind, place, french, rng)
            key = (name.casefold(), place.name, place.region)
            if key not in names_seen:
                break
        seen = names_seen[key] = names_seen.get(key, 0) + 1
        if seen > 1:
            name = f"{name} {seen}"

        activities = [kind.activities[0]] + [
            a for a in kind.activities[1:] if rng.random() < 0.45]
        year = min(LAST_YEAR, max(FIRST_YEAR, int(rng.triangular(*kind.founded))))
        domain = _domain(name, french, place, rng, domains) if rng.random() < 0.92 else None
        workers = int(rng.triangular(kind.workers[0], kind.workers[1], kind.workers[0]))
        members = (max(1, workers - rng.between(0, workers // 3)) if structure == WORKER
                   else int(rng.triangular(kind.members[0], kind.members[1], kind.members[0])))
        yield _Coop(
            key=f"coop-{n:06d}",
            name=name,
            french=french,
            place=place,
            structure=structure,
            activities=activities,
            description=(_description(kind, structure, place, french, year, rng)
                         if rng.random() < 0.9 else None),
            street=_street(place, french, rng) if rng.random() < 0.97 else None,
            postal_code=_postal_code(place, rng),
            latitude=round(place.lat + (rng.random() - rng.random()) * 0.06, 6),
            longitude=round(place.lon + (rng.random() - rng.random()) * 0.08, 6),
            phone=_phone_number(place, rng) if rng.random() < 0.95 else None,
            domain=domain,
            www=rng.random() < 0.4,
            email=_email(name, domain, french, rng) if rng.random() < 0.88 else None,
            founded=(year, rng.between(1, 12), rng.between(1, 28)),
            full_date=rng.random() < 0.4,
            workers=workers if rng.random() < 0.8 else None,
            members=members if rng.random() < 0.85 else None,
            listed=rng.random() >= 0.03,
            holders=holders,
        )


def _name(kind: _Kind, place: Place, french: bool, rng: _Draw) -> str:
    if french:
        return rng.pick(kind.names_fr).format(fmotif=rng.pick(_FRENCH_MOTIFS), place=place.name)
    coop = rng.weighted(_COOP_WORDS[place.country], _COOP_WORD_CUM)
    return rng.pick(kind.names).format(
        motif=rng.pick(_MOTIFS), place=place.name, coop=coop,
        group=rng.pick(_GROUPS))


def _description(kind: _Kind, structure: str, place: Place, french: bool, year: int,
                 rng: _Draw) -> str:
    if french:
        text = f"{kind.thing_fr} ({_OWNED_FR[structure]}) à {place.name} : {kind.does_fr}."
        extra = _SECOND_SENTENCES_FR
    else:
        owned = _OWNED[structure]
        article = "An" if owned[0] in "aeiou" else "A"
        text = f"{article} {owned} {kind.thing} in {place.name}, {rng.pick(kind.does)}."
        extra = _SECOND_SENTENCES
    if rng.random() < 0.6:
        text += " " + rng.pick(extra).format(year=year)
    return text


def _words(text: str) -> list[str]:
    """Lower-case ASCII words of a name, for domains and slugs."""
    ascii_text = (text if text.isascii()
                  else unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode())
    return _WORD.findall(ascii_text.lower().replace("'s ", "s "))  # "children's": "childrens"


def _domain(name: str, french: bool, place: Place, rng: _Draw, taken: set[str]) -> str:
    stem = ("coop" if french else "") + "".join(
        [w for w in _words(name) if w not in _DOMAIN_STOPWORDS][:3])
    tld = rng.weighted(_TLDS[place.country], _TLD_CUM[place.country])
    domain, n = stem + tld, 1
    while domain in taken:
        n += 1
        domain = f"{stem}{''.join(_words(place.name))}{'' if n == 2 else n}{tld}"
    taken.add(domain)
    return domain


def _email(name: str, domain: str | None, french: bool, rng: _Draw) -> str:
    """A co-op without a website of its own still has an address, often a webmail one."""
    if domain is None:
        return f"{''.join(_words(name))[:24]}{rng.between(1, 99)}@gmail.com"
    box = rng.weighted(("info", "bonjour" if french else "hello", "contact"), (8, 9, 10))
    return f"{box}@{domain}"


def _street(place: Place, french: bool, rng: _Draw) -> str:
    number = rng.between(1, 9999)
    if french:
        street, suite = f"{number}{rng.pick((',', ''))} {rng.pick(STREETS_FR)}", "bureau"
    else:
        street, suite = f"{number} {rng.pick(STREETS_EN)}", "Suite"
    if rng.random() < 0.15:
        street += f", {suite} {rng.between(1, 4)}0{rng.between(0, 9)}"
    return street


def _postal_code(place: Place, rng: _Draw) -> str:
    prefix = rng.pick(place.postal_prefixes)
    if place.country == "CA":
        return f"{prefix} {rng.pick(_CANADIAN_LOCAL_UNITS)}"
    return prefix + rng.pick(_ZIP_ENDINGS)


def _phone_number(place: Place, rng: _Draw) -> tuple[str, str, str]:
    """A number the numbering plan allows, with an area code really used in the city."""
    area = place.area_codes[0] if rng.random() < 0.6 else rng.pick(place.area_codes)
    return area, rng.pick(_EXCHANGES), f"{rng.between(0, 9999):04d}"


def _view(coop: _Coop, style: _Style, rng: _Draw, *, secondary: bool) -> dict[str, Any]:
    """The co-op as one member writes it: template keys, typed values, the member's habits.

    A secondary copy (a co-op a member lists after another member did) drifts from the first
    in the small ways real directories do: a name variant, a missing field, an outdated phone
    number, a website with or without www, coordinates geocoded slightly differently.
    """
    dropped = (rng.pick(("email", "phone", "street", "website", "founded", "workers"))
               if secondary and rng.random() < 0.35 else None)
    name = coop.name
    if secondary and rng.random() < 0.7:
        name = _name_variant(name, coop.french, rng)
    description = coop.description
    if secondary and description:
        first_sentence = description.split(". ")[0].rstrip(".") + "."
        description = rng.weighted((description, first_sentence, None), (5, 8, 10))
    if description and rng.random() < style.newlines and ". " in description:
        description = description.replace(". ", ".\n", 1)
    if description and rng.random() < style.entities:
        description = html.escape(description, quote=False)
    website = coop.url(coop.www != (secondary and rng.random() < 0.4), rng.random() < style.slash)
    outdated = f"{rng.between(0, 9999):04d}" if secondary and rng.random() < 0.05 else None
    house = style.phone_styles[0] if rng.random() < 0.7 else rng.pick(style.phone_styles)
    phone = coop.phone_text(house, outdated)
    street = coop.street
    if street and secondary and rng.random() < 0.3:
        for word, abbreviation in _STREET_ABBREVIATIONS:
            street = street.replace(word, abbreviation)
    postal_code = coop.postal_code
    if coop.place.country == "US" and rng.random() < style.zip4:
        postal_code += f"-{rng.between(1, 9999):04d}"
    latitude: float | None = None
    longitude: float | None = None
    if rng.random() >= style.no_coordinates:
        moved = 0.001 if secondary and rng.random() < 0.5 else 0.0  # geocoded another way
        latitude = round(coop.latitude + rng.uniform(-moved, moved), style.digits)
        longitude = round(coop.longitude + rng.uniform(-moved, moved), style.digits)
    founded = (str(coop.founded[0]) if secondary and rng.random() < 0.3
               else coop.founded_text(us=style.us_dates and rng.random() < 0.5))
    locality = coop.place.name
    if rng.random() < style.spaces:
        name, locality = f"  {name} ", f"{locality} "
    view: dict[str, Any] = {
        "id": None,
        "name": name,
        "description": description,
        "website": website,
        "email": coop.email,
        "phone": phone,
        "street": street,
        "locality": locality,
        "region": coop.place.region,
        "postal_code": postal_code,
        "country": rng.pick(style.countries[coop.place.country]),
        "latitude": latitude,
        "longitude": longitude,
        "founded": founded,
        "structure": [coop.structure],
        "activities": coop.activities,
        "legal_form": "Cooperative",
        "workers": coop.workers,
        "members": coop.members,
        "listed": coop.listed,
    }
    if dropped:
        view[dropped] = None
    return view


def _name_variant(name: str, french: bool, rng: _Draw) -> str:
    """The same co-op's name as another directory spells it."""
    how = rng.between(0, 3)
    if how == 0:
        for a, b in (("Co-operative", "Co-op"), ("Cooperative", "Co-op"), ("Co-op", "Cooperative"),
                     ("Coopérative", "Coop"), ("Coop ", "Coopérative ")):
            if a in name:
                return name.replace(a, b, 1)
    if how == 1:
        return rng.pick((name.upper(), name.lower(), name.title()))
    if how == 2:
        letters = [i for i in range(1, len(name) - 1) if name[i].islower() and name[i + 1].islower()
                   and name[i] != name[i + 1]]
        if letters:
            i = rng.pick(letters)
            return name[:i] + name[i + 1] + name[i] + name[i + 2:]
    if french:  # an old system that dropped the accents
        return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return f"The {name}"


def _cell(value: Any) -> str:
    """A typed value as a template CSV cell."""
    if value.__class__ is str:
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(value)
    return str(value)


class _Writer(ABC):
    """One member's submission file, written row by row as the world is drawn."""

    def __init__(self, member: _Member, out_dir: Path, seed: int, stack: ExitStack) -> None:
        self.member = member
        # Each member has its own stream, so its habits never disturb the world's draws.
        self.rng = _Draw(f"{seed}/{member.id}")
        self.file: TextIO = stack.enter_context((out_dir / member.filename).open(
            "w", encoding=member.encoding, newline=""))
        self.count = 0
        self.slugs: set[str] = set()
        self.number = 1000

    def write(self, coop: _Coop, *, secondary: bool) -> str:
        local_id = self._local_id(coop)
        view = _view(coop, self.member.style, self.rng, secondary=secondary)
        view["id"] = local_id
        self.emit(coop, view)
        return local_id

    def _local_id(self, coop: _Coop) -> str:
        self.count += 1
        if self.member.ids == "slug":
            slug = base = "-".join(_words(coop.name))
            copy = 1
            while slug in self.slugs:
                copy += 1
                slug = f"{base}-{copy}"
            self.slugs.add(slug)
            return slug
        if self.member.ids == "numeric":
            self.number += self.rng.between(1, 4)
            return str(self.number)
        return self.member.ids.format(n=self.count, region=coop.place.region)

    @abstractmethod
    def emit(self, coop: _Coop, view: dict[str, Any]) -> None:
        """Write one row in the member's format."""

    def close(self) -> None:
        """Finish the file (formats that are not written row by row)."""


class _CsvWriter(_Writer):
    header: tuple[str, ...] = TEMPLATE_COLUMNS

    def __init__(self, member: _Member, out_dir: Path, seed: int, stack: ExitStack) -> None:
        super().__init__(member, out_dir, seed, stack)
        self.csv = csv.writer(self.file, lineterminator=member.newline)
        self.csv.writerow(self.header)


class _TemplateWriter(_CsvWriter):
    def emit(self, coop: _Coop, view: dict[str, Any]) -> None:
        self.csv.writerow([_cell(view[c]) for c in self.header])


class _StandardWriter(_CsvWriter):
    """The community's standard CSV: ESSGlobal concept IDs (or full concept URIs)."""

    header = STANDARD_COLUMNS

    def concept(self, scheme: str, concept_id: str) -> str:
        """The concept's ID, or now and then its full URI (members write both)."""
        if concept_id == CREDIT_UNION_ID:
            scheme = f"{COOP_CONCEPT}structure/"
        return f"{scheme}{concept_id}" if self.rng.random() < 0.3 else concept_id

    def emit(self, coop: _Coop, view: dict[str, Any]) -> None:
        structure = view["structure"][0]
        primary, *others = view["activities"]
        row = {
            "Identifier": view["id"],
            "Name": view["name"],
            "Description": view["description"],
            "Organisational Structure": self.concept(SCHEME_STRUCTURE, STRUCTURE_IDS[structure]),
            "Primary Activity": self.concept(SCHEME_ACTIVITY, ACTIVITY_IDS[primary]),
            "Activities": ";".join(self.concept(SCHEME_ACTIVITY, ACTIVITY_IDS[a]) for a in others),
            "Street Address": view["street"],
            "Locality": view["locality"],
            "Region": view["region"],
            "Postcode": view["postal_code"],
            "Country ID": view["country"],
            "Website": view["website"],
            "Phone": view["phone"],
            "Email": view["email"],
            "Facebook": (f"https://www.facebook.com/{coop.domain.split('.')[0]}"
                         if coop.domain and self.rng.random() < 0.3 else None),
            "Membership Type": self.concept(SCHEME_MEMBERSHIP, MEMBERSHIP_IDS[structure]),
            "Latitude": view["latitude"],
            "Longitude": view["longitude"],
        }
        self.csv.writerow([_cell(row.get(c)) for c in self.header])


class _ForeignWriter(_CsvWriter):
    """A regional council's own spreadsheet: its headers, its terms, no coordinates."""

    header = tuple(FOREIGN_FIELDS.values())

    def emit(self, coop: _Coop, view: dict[str, Any]) -> None:
        separator = " | " if self.rng.random() < 0.05 else "|"
        view["activities"] = separator.join(_FOREIGN_INDUSTRY_OF[a] for a in view["activities"])
        view["structure"] = _FOREIGN_TYPE_OF[view["structure"][0]]
        view["website"] = view["website"] and view["website"].removeprefix("https://")
        view["founded"] = view["founded"] and coop.founded[0]  # the year is all it keeps
        self.csv.writerow([_cell(view[field]) for field in FOREIGN_FIELDS])


class _JsonWriter(_Writer):
    """A JSON list of objects with template keys; absent contact details are null."""

    def __init__(self, member: _Member, out_dir: Path, seed: int, stack: ExitStack) -> None:
        super().__init__(member, out_dir, seed, stack)
        self.rows: list[dict[str, Any]] = []

    def emit(self, coop: _Coop, view: dict[str, Any]) -> None:
        self.rows.append({k: v for k, v in view.items()
                          if v is not None or k in ("email", "phone", "website")})

    def close(self) -> None:
        json.dump(self.rows, self.file, ensure_ascii=False, indent=1)
        self.file.write("\n")


_WRITERS: dict[str, Callable[[_Member, Path, int, ExitStack], _Writer]] = {
    "template": _TemplateWriter, "json": _JsonWriter, "standard": _StandardWriter,
    "foreign": _ForeignWriter,
}


def _foreign_mapping(member: _Member) -> str:
    """The column mapping a member writes for its foreign export (docs/mapping.md)."""
    def table(values: dict[str, str]) -> str:
        pairs = (f"{json.dumps(k)} = {json.dumps(v)}" for k, v in values.items())
        return "{ " + ", ".join(pairs) + " }"

    renames = [f"{field} = {json.dumps(column)}" for field, column in FOREIGN_FIELDS.items()
               if field not in ("structure", "activities")]
    return "\n".join((
        f"# Mapping for {member.name}'s export",
        f"name = {json.dumps(member.name + ' directory export')}",
        "",
        "[fields]",
        *renames,
        f'country = {{ value = "{member.country}" }}',
        "",
        "[fields.structure]",
        f"column = {json.dumps(FOREIGN_FIELDS['structure'])}",
        f'lookup = {{ values = {table(FOREIGN_TYPES)}, unmatched = "error" }}',
        "",
        "[fields.activities]",
        f"column = {json.dumps(FOREIGN_FIELDS['activities'])}",
        'split = "|"',
        f'lookup = {{ values = {table(FOREIGN_INDUSTRIES)}, unmatched = "keep" }}',
        "",
    ))
