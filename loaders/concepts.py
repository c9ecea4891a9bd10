"""Concept lookup: turning what people write ("worker co-op", "OS60", "Coopérative de
travail", "Canada") into the concept IRIs and country codes records carry.

Member data names the same concept in many ways: codes, full IRIs under any of the bases
ESSGlobal has been published under, labels in several languages, and the everyday words of
North American co-op directories. One index over every scheme in `ontology/schemes/` answers
all of them, so readers and the normaliser never carry their own tables.

Resolution order for a kind: ESSGlobal's own scheme first (vocab.py: "ESSGlobal's own, plus
ours for what they lack"), then the commons' concepts, then the synonym table below, then the
secondary ESSGlobal activity schemes (`activities`, `activities-modified`).
"""
from __future__ import annotations

import difflib
import functools
import gettext
import re
import unicodedata
from pathlib import Path

import pycountry
from rapidfuzz import fuzz, process
from pyoxigraph import Literal, NamedNode, parse

from datacommons.vocab import COOP_CONCEPT, ESS_STANDARD, RDF, SKOS

KINDS: tuple[str, ...] = (
    "structure", "activity", "legal_form", "membership_type", "qualifier", "country",
)

SCHEMES_DIR = Path(__file__).resolve().parent.parent / "ontology" / "schemes"

# Bases the community has published ESSGlobal under; all mean http://purl.org/essglobal/.
_ESSGLOBAL_ALIASES: tuple[str, ...] = (
    "https://purl.org/essglobal/",
    "https://lod.coop/essglobal/2.1/",
    "http://lod.coop/essglobal/2.1/",
    "https://dev.lod.coop/essglobal/2.1/",
    "https://lod.coop/essglobal/V2a/",
    "http://lod.coop/essglobal/V2a/",
    "https://w3id.solidarityeconomy.coop/essglobal/V2a/",
    "http://w3id.solidarityeconomy.coop/essglobal/V2a/",
)
_ESSGLOBAL = "http://purl.org/essglobal/"
_SCHEMA_HTTP = "http://schema.org/"

# ESSGlobal scheme name -> (kind, primary?). Secondary schemes are consulted last.
_ESS_SCHEMES: dict[str, tuple[str, bool]] = {
    "organisational-structure": ("structure", True),
    "activities-ica": ("activity", True),
    "activities": ("activity", False),
    "activities-modified": ("activity", False),
    "legal-form": ("legal_form", True),
    "base-membership-type": ("membership_type", True),
    "qualifiers": ("qualifier", True),
    "countries-iso": ("country", True),
}
# Folder names the commons' own concepts may live under, per kind.
_COOP_SCHEMES: dict[str, str] = {
    "structure": "structure", "organisational-structure": "structure",
    "activity": "activity", "activities": "activity",
    "legal-form": "legal_form", "legal_form": "legal_form",
    "membership-type": "membership_type", "membership": "membership_type",
    "base-membership-type": "membership_type",
    "qualifier": "qualifier", "qualifiers": "qualifier",
}

# Everyday words -> candidate codes, first one present in the index wins. Keys are matched
# like labels (case, accents, punctuation, plurals and "co-op"/"cooperative" ignored), so only
# words no scheme label covers are listed: "credit union", "caisse populaire", "purchasing
# co-op" and "coopérative de solidarité" are labels in coop-concepts.ttl and
# essglobal-labels-fr-es.ttl. Activities follow the community's NCBA table (food production
# is ICA250 Production, restaurants ICA240 Retail).
SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "structure": {
        "worker co-op": ("OS60",),
        "worker-owned co-op": ("OS60",),
        "worker owned": ("OS60",),
        "employee-owned co-op": ("OS60",),
        "coopérative de travail": ("OS60",),
        "cooperativa de trabajo": ("OS60",),
        "consumer co-op": ("OS80",),
        "consumer-owned co-op": ("OS80",),
        "food co-op": ("OS80",),
        "grocery co-op": ("OS80",),
        "retail co-op": ("OS80",),
        "coopérative de consommateurs": ("OS80",),
        "coopérative de consommation": ("OS80",),
        "producer co-op": ("OS90",),
        "agricultural co-op": ("OS90",),
        "farmer co-op": ("OS90",),
        "marketing co-op": ("OS90",),
        "coopérative de producteurs": ("OS90",),
        "housing co-op": ("OS70",),
        "multi-stakeholder": ("OS100",),
        "multi-stakeholder co-op": ("OS100",),
        "secondary co-op": ("OS110",),
        "federation": ("OS200",),
        "nonprofit": ("OS20",),
        "non-profit": ("OS20",),
        "mutual": ("OS170",),
    },
    "activity": {
        "bakery": ("ICA250",),
        "brewery": ("ICA250",),
        "food production": ("ICA250",),
        "food processing": ("ICA250",),
        "grocery": ("ICA240",),
        "grocery store": ("ICA240",),
        "food store": ("ICA240",),
        "bookstore": ("ICA240",),
        "hardware store": ("ICA240",),
        "restaurant": ("ICA240",),
        "cafe": ("ICA240",),
        "shop": ("ICA240",),
        "store": ("ICA240",),
        "retail trade": ("ICA240",),
        "wholesale": ("ICA260",),
        "distribution": ("ICA260",),
        "farming": ("ICA10",),
        "farm": ("ICA10",),
        "agricultural": ("ICA10",),
        "agriculture and food": ("ICA10",),
        "fishery": ("ICA50",),
        "fisheries": ("ICA50",),
        "printing": ("ICA90",),
        "print shop": ("ICA90",),
        "manufacturer": ("ICA90",),
        "childcare": ("ICA200",),
        "child care": ("ICA200",),
        "daycare": ("ICA200",),
        "day care": ("ICA200",),
        "home care": ("ICA200",),
        "elder care": ("ICA200",),
        "social services": ("ICA200",),
        "housing co-op": ("ICA210",),
        "real estate": ("ICA210",),
        "banking": ("ICA140",),
        "bank": ("ICA140",),
        "finance": ("ICA140",),
        "financial": ("ICA140",),
        "credit union": ("ICA140",),
        "lending": ("ICA140",),
        "energy": ("ICA230",),
        "electricity": ("ICA230",),
        "electric": ("ICA230",),
        "renewable energy": ("ICA230",),
        "solar": ("ICA230",),
        "water": ("ICA230",),
        "telecommunications": ("ICA230",),
        "broadband": ("ICA230",),
        "internet": ("ICA230",),
        "utility": ("ICA230",),
        "healthcare": ("ICA170",),
        "health care": ("ICA170",),
        "clinic": ("ICA170",),
        "pharmacy": ("ICA170",),
        "school": ("ICA160",),
        "training": ("ICA160",),
        "transportation": ("ICA220",),
        "taxi": ("ICA220",),
        "delivery": ("ICA220",),
        "logistics": ("ICA220",),
        "arts and crafts": ("ICA60",),
        "crafts": ("ICA60",),
        "art": ("ICA60",),
        "consulting": ("ICA110",),
        "legal services": ("ICA110",),
        "architecture": ("ICA110",),
        "accounting": ("ICA110",),
        "software": ("ICA280",),
        "technology": ("ICA280",),
        "web design": ("ICA280",),
        "cleaning": ("ICA280",),
        "media": ("ICA280",),
        "tourism and hospitality": ("ICA130",),
        "hotel": ("ICA130",),
        "travel": ("ICA130",),
        "construction and trades": ("ICA70",),
        "building": ("ICA70",),
        "insurance services": ("ICA150",),
    },
    "legal_form": {
        "co-op": ("L2",),
        "nonprofit": ("L4",),
        "non-profit": ("L4",),
        "not-for-profit": ("L4",),
        "informal": ("L1",),
    },
    "membership_type": {
        "worker": ("BMT30",),
        "worker-owned": ("BMT30",),
        "employee": ("BMT30",),
        "consumer": ("BMT10",),
        "user": ("BMT10",),
        "producer": ("BMT20",),
        "multi-stakeholder": ("BMT40",),
        "solidarity": ("BMT40",),
        "resident": ("BMT50",),
        "tenant": ("BMT50",),
        "other": ("BMT60",),
    },
    "qualifier": {},
    "country": {
        "usa": ("US",),
        "united states of america": ("US",),
        "america": ("US",),
        "états-unis d'amérique": ("US",),
        "uk": ("GB",),
        "great britain": ("GB",),
        "britain": ("GB",),
        "england": ("GB",),
        "scotland": ("GB",),
        "wales": ("GB",),
        "northern ireland": ("GB",),
        "south korea": ("KR",),
        "north korea": ("KP",),
        "russia": ("RU",),
        "turkey": ("TR",),
        "ivory coast": ("CI",),
        "holland": ("NL",),
        "québec": ("CA",),
    },
}

_SKOS_LABELS = {SKOS.prefLabel.value: 0, SKOS.altLabel.value: 1, SKOS.hiddenLabel.value: 2}
_COOP_RUN = re.compile(r"coop(?!er)")
# Letters of every script count ("Ελλάδα", "България"): a key of only Latin letters made
# every Greek name the same empty key, and "Ελλάδα" read as Andorra.
_NON_WORD = re.compile(r"[\W_]+")


def canonical_iri(iri: str) -> str:
    """The IRI with ESSGlobal's alternative bases (and http://schema.org/) mapped to the
    ones the commons uses, so data published under any of them federates."""
    if iri.startswith(_ESSGLOBAL):
        return iri
    for alias in _ESSGLOBAL_ALIASES:
        if iri.startswith(alias):
            return _ESSGLOBAL + iri[len(alias):]
    if iri.startswith(_SCHEMA_HTTP):
        return "https://schema.org/" + iri[len(_SCHEMA_HTTP):]
    return iri


@functools.lru_cache(maxsize=65536)
def match_key(text: str) -> str:
    """What two spellings of a label must share to be the same label.

    Case, accents, punctuation, spacing, simple plurals and the many ways of writing
    "co-operative" do not count: "Workers' Co-ops" and "worker cooperative" share a key.
    """
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = text.replace("&", " and ").replace("'", "").replace("\u2019", "").replace(".", "")
    tokens = [_singular(t) for t in _NON_WORD.split(text) if t]
    return _COOP_RUN.sub("cooperative", "".join(tokens))


def _singular(token: str) -> str:
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


class ConceptIndex:
    """Every concept of the schemes in one folder, findable by IRI, code or label."""

    def __init__(self, directory: Path = SCHEMES_DIR) -> None:
        self._labels: dict[str, dict[str, str]] = {}  # iri -> lang -> preferred label
        self._kind: dict[str, str] = {}  # concept iri -> kind
        # kind -> tiers, searched in order; each maps match keys to concept IRIs
        self._tiers: dict[str, list[dict[str, str]]] = {k: [] for k in KINDS}
        self._cache: dict[tuple[str, str], str | None] = {}
        self._load(sorted(directory.glob("*.ttl")))

    @classmethod
    @functools.cache
    def default(cls) -> "ConceptIndex":
        """The index over `ontology/schemes/`, built once per process (it takes ~0.2 s)."""
        return cls()

    # --- building ---------------------------------------------------------------------------
    def _load(self, files: list[Path]) -> None:
        labels: dict[str, list[tuple[int, str, str]]] = {}  # iri -> (rank, lang, text)
        notations: dict[str, list[str]] = {}
        schemes: dict[str, list[str]] = {}
        exact: dict[str, list[str]] = {}
        concepts: dict[str, None] = {}
        concept_type = SKOS.Concept.value
        for path in files:
            for quad in parse(path=path, base_iri=path.resolve().as_uri()):
                if not isinstance(quad.subject, NamedNode):
                    continue
                s = canonical_iri(quad.subject.value)
                p = quad.predicate.value
                o = quad.object
                if p in _SKOS_LABELS and isinstance(o, Literal) and o.value.strip():
                    labels.setdefault(s, []).append((_SKOS_LABELS[p], o.language or "", o.value))
                    concepts.setdefault(s)
                elif p == SKOS.notation.value and isinstance(o, Literal):
                    notations.setdefault(s, []).append(o.value)
                elif p == SKOS.inScheme.value and isinstance(o, NamedNode):
                    schemes.setdefault(s, []).append(canonical_iri(o.value))
                elif p == SKOS.exactMatch.value and isinstance(o, NamedNode):
                    exact.setdefault(s, []).append(canonical_iri(o.value))
                elif p == RDF.type.value and isinstance(o, NamedNode) and o.value == concept_type:
                    concepts.setdefault(s)

        primary: dict[str, dict[str, str]] = {k: {} for k in KINDS}
        ours: dict[str, dict[str, str]] = {k: {} for k in KINDS}
        secondary: dict[str, dict[str, str]] = {k: {} for k in KINDS}
        placed: list[tuple[str, str, dict[str, str]]] = []
        for iri in concepts:
            where = _classify(iri, schemes.get(iri, ()))
            if where is None:
                continue
            kind, tier = where
            self._kind[iri] = kind
            ranked = sorted(labels.get(iri, ()), key=lambda x: (x[0], x[1] != "en", x[1]))
            self._labels[iri] = {}
            for rank, lang, text in ranked:
                if rank == 0:
                    self._labels[iri].setdefault(lang, text)
            table = {"primary": primary, "ours": ours, "secondary": secondary}[tier][kind]
            placed.append((iri, kind, table))
            for code in [_code(iri), *notations.get(iri, ())]:
                table.setdefault(match_key(code), iri)
        # Labels after every code, so a code never loses to another concept's label; English
        # preferred labels before other languages, preferred before alternative labels.
        entries = []
        for iri, kind, table in placed:
            target = self._exact_target(iri, kind, exact.get(iri, ()))
            for rank, lang, text in labels.get(iri, ()):
                entries.append((rank, lang != "en", match_key(text), target, table))
        entries.sort(key=lambda e: (e[0], e[1]))
        for _, _, key, target, table in entries:
            table.setdefault(key, target)

        for kind in KINDS:
            synonyms = self._synonym_tier(kind, primary[kind], ours[kind], secondary[kind])
            self._tiers[kind] = [primary[kind], ours[kind], synonyms, secondary[kind]]
        self._add_pycountry()

    def _exact_target(self, iri: str, kind: str, matches: tuple[str, ...] | list[str]) -> str:
        """A commons concept that exactly matches an ESSGlobal one is found as the ESSGlobal
        one, so the same co-op kind is never written two ways."""
        if iri.startswith(str(COOP_CONCEPT)):
            for match in matches:
                if self._kind.get(match) == kind and match.startswith(str(ESS_STANDARD)):
                    return match
        return iri

    def _synonym_tier(self, kind: str, *tables: dict[str, str]) -> dict[str, str]:
        tier: dict[str, str] = {}
        for word, candidates in SYNONYMS[kind].items():
            for code in candidates:
                iri = next((t[match_key(code)] for t in tables if match_key(code) in t), None)
                if iri is not None:
                    tier[match_key(word)] = iri
                    break
        return tier

    def _add_pycountry(self) -> None:
        """pycountry knows every ISO name, alpha-3 code and common name; the countries-iso
        scheme knows the labels in several languages. Keys that name two countries
        ("Korea") are left out rather than guessed."""
        table: dict[str, str] = {}
        ambiguous: set[str] = set()
        for country in pycountry.countries:
            iri = str(ESS_STANDARD) + "countries-iso/" + country.alpha_2
            self._labels.setdefault(iri, {"en": getattr(country, "common_name", country.name)})
            self._kind.setdefault(iri, "country")
            names = [country.alpha_2, country.alpha_3, country.name]
            names += [getattr(country, a) for a in ("common_name", "official_name") if hasattr(country, a)]
            for name in list(names):
                if ", " in name:
                    head, tail = name.split(", ", 1)
                    names += [head, f"{tail} {head}"]
            for name in names:
                key = match_key(name)
                if table.get(key, iri) != iri:
                    ambiguous.add(key)
                table[key] = iri
        for key in ambiguous:
            del table[key]
        tiers = self._tiers["country"]
        tiers.insert(1, table)

    # --- looking up ---------------------------------------------------------------------------
    def resolve(self, kind: str, text: str) -> str | None:
        """The concept IRI (for "country": the ISO alpha-2 code) that `text` names, or None."""
        if kind not in self._tiers:
            raise ValueError(f"unknown concept kind {kind!r}: use one of {', '.join(KINDS)}")
        cache_key = (kind, text)
        if cache_key not in self._cache:
            found = self._resolve(kind, text.strip())
            if kind == "country" and found is not None:
                found = _code(found)
            self._cache[cache_key] = found
        return self._cache[cache_key]

    def _resolve(self, kind: str, text: str) -> str | None:
        if not text:
            return None
        if "://" in text:
            iri = canonical_iri(text)
            return iri if self._kind.get(iri) == kind else None
        key = match_key(text)
        if not key:
            return None
        for tier in self._tiers[kind]:
            if key in tier:
                return tier[key]
        if kind == "country":
            return _translated_countries().get(key) or _fuzzy_country(text)
        return None

    def country_label(self, code: str) -> str:
        """A country's name, from its ISO code."""
        return self.label(str(ESS_STANDARD) + "countries-iso/" + code)

    def closest_country(self, text: str) -> str | None:
        """The ISO code of the one country whose name (in any language pycountry carries)
        is closest to a misspelt one ("Cypres", "Frace"), or None when none is close or two
        are as close. The caller says what it guessed: this is a guess, not a name."""
        key = match_key(text)
        if len(key) < 4:
            return None
        names = _country_names()
        found = process.extract(key, names.keys(), scorer=fuzz.ratio, score_cutoff=80, limit=5)
        if not found:
            return None
        best = found[0][1]
        codes = {names[k] for k, score, _ in found if score == best}
        return codes.pop() if len(codes) == 1 else None

    def label(self, iri: str, lang: str = "en") -> str:
        """The concept's label in `lang`, else in English, else any; else its code."""
        labels = self._labels.get(canonical_iri(iri), {})
        return labels.get(lang) or labels.get("en") or next(iter(labels.values()), _code(iri))

    def suggest(self, kind: str, text: str, n: int = 3) -> list[str]:
        """The closest labels to an unknown value, as "Label (CODE)", for error messages."""
        key = match_key(text)
        choices: dict[str, str] = {}
        for tier in self._tiers[kind]:
            for k, iri in tier.items():
                choices.setdefault(k, iri)
        close = difflib.get_close_matches(key, choices, n=n * 3, cutoff=0.6)
        close += [k for k in choices if key and len(key) > 3 and key in k]
        seen: list[str] = []
        for k in close:
            iri = choices[k]
            if iri not in seen:
                seen.append(iri)
        return [f"{self.label(iri)} ({_code(iri)})" for iri in seen[:n]]


def _code(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _classify(iri: str, schemes: tuple[str, ...] | list[str]) -> tuple[str, str] | None:
    """(kind, tier) of a concept, from where its IRI (or its scheme's IRI) lives."""
    for candidate in (iri, *schemes):
        for base, table in ((str(ESS_STANDARD), _ESS_SCHEMES), (str(COOP_CONCEPT), _COOP_SCHEMES)):
            if not candidate.startswith(base):
                continue
            scheme = candidate[len(base):].split("/", 1)[0]
            if scheme not in table:
                continue
            if table is _ESS_SCHEMES:
                kind, is_primary = _ESS_SCHEMES[scheme]
                tier = "primary" if is_primary else "secondary"
            else:
                kind, tier = _COOP_SCHEMES[scheme], "ours"
            if candidate is iri and candidate[len(base) + len(scheme):].strip("/") == "":
                return None  # the scheme itself, not a concept
            return kind, tier
    return None


@functools.cache
def _translated_countries() -> dict[str, str]:
    """Country names in every language of pycountry's ISO 3166 translations (Debian's
    iso-codes, kept up to date by its translators): "Österreich", "Belgique", "Latvija",
    "Portogallo" -> AT, BE, LV, PT. Read on first need (the catalogues take ~0.1 s); a name
    two countries share in some language is left out."""
    by_english: dict[str, str] = {}
    for country in pycountry.countries:
        for attribute in ("name", "official_name", "common_name"):
            if hasattr(country, attribute):
                by_english[getattr(country, attribute)] = country.alpha_2
    table: dict[str, str] = {}
    ambiguous: set[str] = set()
    for mo in sorted(Path(pycountry.LOCALES_DIR).glob("*/LC_MESSAGES/iso3166-1.mo")):
        with mo.open("rb") as f:
            catalogue = gettext.GNUTranslations(f)._catalog  # msgid (English) -> translation
        for english, translated in catalogue.items():
            code = by_english.get(english) if isinstance(english, str) else None
            key = match_key(translated) if code and isinstance(translated, str) else ""
            if not key:
                continue
            if table.get(key, code) != code:
                ambiguous.add(key)
            table[key] = code
    for key in ambiguous:
        del table[key]
    return table


@functools.cache
def _country_names() -> dict[str, str]:
    """Every country name the commons reads, English and translated, by match key."""
    names = dict(_translated_countries())
    for country in pycountry.countries:
        for attribute in ("name", "official_name", "common_name"):
            if hasattr(country, attribute):
                names.setdefault(match_key(getattr(country, attribute)), country.alpha_2)
    return names


@functools.lru_cache(maxsize=4096)
def _fuzzy_country(text: str) -> str | None:
    """pycountry's fuzzy search, trusted only when it finds exactly one country."""
    try:
        found = pycountry.countries.search_fuzzy(text)
    except LookupError:
        return None
    return found[0].alpha_2 if len(found) == 1 else None
