"""Do two member records describe the same co-op? Features, blocking keys and a scored comparison.

Each record is reduced to the few values that identify a co-op, normalised so that the ways
directories differ stop mattering: a name without its legal suffix or the word co-op (in any
spelling), accents, case or punctuation; the host of its website and of its email; its phone
number (already E.164); its place, postal code and coordinates.

Comparing every record with every other is quadratic, so candidates come from *blocking*: two
records are compared only if they share a key (the same website, email, phone, name
fingerprint, postal code, or a rare name word in the same place). Candidates are then scored
field by field, Fellegi-Sunter style: each agreement or disagreement adds or subtracts points
(roughly the log-odds it carries), and the total decides: merge, ask a person, or leave apart.
Name similarity is rapidfuzz's (Levenshtein-based ratios in C++), which tolerates typos and,
with the token-sorted ratio, reordered words.
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from rapidfuzz import fuzz

from datacommons.vocab import COOP, FOAF, GEO, GR, OWL, SCHEMA, SKOS, VCARD

# A pair's points are its log2 posterior odds of being one co-op (see `reconciliation.linkage`): at or
# above AUTO_MERGE it merges automatically; from REVIEW up to it, a person decides. Chosen with
# benchmarks/reconcile.py and benchmarks/reconcile_coopsuk.py (precision, recall, queue size).
AUTO_MERGE = -3.0
REVIEW = -4.0

# Words that say "co-operative" or a legal form, in the spellings members use: a name means the
# same with or without them ("Red Door Co-op" = "Red Door Cooperative, Inc.").
_GENERIC = frozenset(
    "co op coop coops cooperative cooperatives operative cooperatif cooperativa coopérative "
    "inc incorporated ltd limited llc lc corp corporation company the a an of and et "
    "la le les l de du des d association assn society ltee ltée".split()
)
_ABBREVIATIONS = {
    "assoc": "association", "ctr": "centre", "center": "centre", "intl": "international",
    "natl": "national", "mtn": "mountain", "mt": "mount", "svcs": "services", "svc": "service",
    "st": "saint", "ste": "sainte", "cu": "credit union", "hsg": "housing", "dev": "development",
}
_STREET_WORDS = {
    "street": "st", "st.": "st", "avenue": "ave", "av": "ave", "road": "rd", "drive": "dr",
    "boulevard": "blvd", "boul": "blvd", "chemin": "ch", "lane": "ln", "court": "ct",
    "place": "pl", "highway": "hwy", "route": "rte", "north": "n", "south": "s", "east": "e",
    "west": "w", "suite": "", "bureau": "", "unit": "", "rue": "",
}
# Hosts many co-ops share: the same one says nothing about being the same co-op.
_SHARED_HOSTS = frozenset(
    "facebook.com instagram.com twitter.com x.com linkedin.com linktr.ee sites.google.com "
    "google.com wixsite.com wordpress.com blogspot.com squarespace.com weebly.com "
    "gmail.com yahoo.com yahoo.ca hotmail.com outlook.com live.com icloud.com aol.com "
    "msn.com me.com protonmail.com videotron.ca sympatico.ca shaw.ca telus.net rogers.com "
    "bell.net comcast.net att.net verizon.net".split()
)
_WORD = re.compile(r"[a-z0-9]+")
MAX_BLOCK = 60  # a key shared by more records than this is too common to block on
RARE_WORD = 6  # a name word is "rare" in a place when at most this many records use it


def fold(text: str) -> str:
    """Lower case, no accents, '&' as 'and', apostrophes dropped: 'Café d'Or & Co' -> 'cafe dor and co'."""
    if text.isascii():
        text = text.casefold()
    else:
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return text.replace("&", " and ").replace("'", "").replace("’", "")


def name_key(name: str) -> str:
    """A name's distinctive words, in order, expanded and without the generic ones."""
    words: list[str] = []
    for w in _WORD.findall(fold(name)):
        w = _ABBREVIATIONS.get(w, w)
        words += [x for x in w.split() if x not in _GENERIC and not _misspelt_coop(x)]
    return " ".join(words)


def _misspelt_coop(word: str) -> bool:
    """'Cooperntive', 'Co-oprative': the word co-operative with a typo is still generic."""
    return len(word) >= 8 and word[:2] == "co" and fuzz.ratio(word, "cooperative") >= 75


def place_key(text: str | None) -> str:
    return " ".join(_WORD.findall(fold(text))) if text else ""


def street_key(text: str | None) -> str:
    if not text:
        return ""
    words = (_STREET_WORDS.get(w, w) for w in _WORD.findall(fold(text)))
    return " ".join(w for w in words if w)


def postal_key(text: str | None, country: str) -> str:
    """Canadian codes without the space; US ZIP+4 cut to the five-digit ZIP."""
    if not text:
        return ""
    code = re.sub(r"[^0-9A-Z]", "", text.upper())
    return code[:5] if country == "US" else code


def host(url: str | None) -> str:
    """'https://www.RedDoor.coop/about' -> 'reddoor.coop'; a shared host (facebook.com) -> ''."""
    if not url:
        return ""
    netloc = urlsplit(url if "//" in url else "//" + url).hostname or ""
    netloc = netloc.removeprefix("www.")
    shared = netloc in _SHARED_HOSTS or netloc.partition(".")[2] in _SHARED_HOSTS  # x.wixsite.com
    return "" if shared else netloc


@dataclass(slots=True)
class Features:
    """What identifies one member record, normalised for comparison."""

    iri: str
    member: str
    name: str  # name_key of the record's name
    locality: str = ""
    region: str = ""
    country: str = ""
    postal: str = ""
    street: str = ""
    website: str = ""  # host of the website
    email: str = ""
    email_host: str = ""  # host of the email, unless a shared mail service
    phone: str = ""  # E.164 digits
    lat: float | None = None
    lon: float | None = None
    label: str = ""  # the name as the member wrote it, for slugs
    label_public: bool = False  # may the label be shown to everyone (it shapes a public IRI)
    names: list[str] = field(default_factory=list)  # name_key of each other name (trading, former)
    registration: str = ""  # registration_key: "scheme:number"
    same_as: list[str] = field(default_factory=list)  # outside IRIs (Wikidata, OpenCorporates...)
    distinguisher: str = ""  # "(2)", "No. 2": what tells two same-named co-ops apart

    def values(self) -> list:
        """The fields in order (for storing: `Features(*values)` makes it again)."""
        return [getattr(self, name) for name in self.__slots__]


_NAME, _HOMEPAGE, _EMAIL, _PHONE = GR.name.value, FOAF.homepage.value, VCARD.hasEmail.value, VCARD.hasTelephone.value
_LAT, _LONG = GEO.lat.value, GEO.long.value
_LOCALITY, _REGION, _POSTAL = VCARD.locality.value, VCARD.region.value, VCARD["postal-code"].value
_STREET = VCARD["street-address"].value
_COUNTRY = "https://w3id.org/coop-commons/vocab#country"
_ALT_NAME, _REGISTRATION = SKOS.altLabel.value, COOP.registrationNumber.value
_SAME_AS = frozenset({SCHEMA.sameAs.value, OWL.sameAs.value})
# The predicates features are made of; every other statement is skipped unread.
IDENTIFYING = frozenset(
    {_NAME, _HOMEPAGE, _EMAIL, _PHONE, _LAT, _LONG, _LOCALITY, _REGION, _POSTAL, _STREET, _COUNTRY,
     _ALT_NAME, _REGISTRATION} | _SAME_AS
)
# Social sites: a co-op's page there is an account, not an identifier of the organisation.
_SOCIAL = frozenset("facebook.com twitter.com x.com instagram.com linkedin.com youtube.com "
                    "tiktok.com mastodon.social linktr.ee".split())
_FCA = re.compile(r"^(IP|RS)?0*(\d+)(R|RS|C|CS|CBS|BS|B|BEN)?$")
_COMPANY = re.compile(r"^([A-Z]{1,2})?0*(\d+)$")
_DISTINGUISHER = re.compile(r"\((\d+|[ivx]+)\)|\b(?:no|number)\.?\s*(\d+)\b|\b(\d+)\s*$")


def registration_key(text: str | None) -> str:
    """A registration number as "scheme:number", the ways registries write it made one.

    UK mutual societies (FCA, formerly "IP" for industrial and provident, now "RS"; suffixes
    R, RS, C, CBS, BEN... by the kind of society): '525R', 'IP00525R', 'RS000525', '525CBS' ->
    'fca:525'. Companies House: '04518100' -> 'ch:4518100'; a
    jurisdiction prefix stays part of the number ('SC399880', 'OC366070', 'NI020058' are
    other companies than 399880...). Anything else is kept as written, upper case, without
    spaces or punctuation, under 'id:'.
    """
    if not text:
        return ""
    code = re.sub(r"[^0-9A-Z]", "", text.upper())
    if not code or not any(c.isdigit() for c in code):
        return ""
    society = _FCA.match(code)
    if society and (society.group(1) or society.group(3)):
        return "fca:" + society.group(2)
    company = _COMPANY.match(code)
    if company:
        return f"ch:{company.group(1) or ''}{company.group(2)}"
    return "id:" + code


def distinguisher(name: str) -> str:
    """'Micro Hydro (2)' -> '2', 'Housing Co-op No. 3' -> '3': a number that sets a co-op apart
    from its namesakes (two co-ops of one founder, phases of a scheme)."""
    found = _DISTINGUISHER.search(fold(name))
    if not found:
        return ""
    return next(g for g in found.groups() if g)


def outside_iri(iri: str) -> str:
    """An outside IRI that identifies the organisation (not a social-site account), else ''."""
    hostname = (urlsplit(iri).hostname or "").removeprefix("www.")
    return "" if not hostname or hostname in _SOCIAL else iri.rstrip("/")


def features_of(iri: str, member: str, values: Iterable[tuple[str, str, bool]]) -> Features:
    """Features from a record's (predicate, value, is-public) statements (its address's too)."""
    got: dict[str, str] = {}
    label, label_public = "", False
    alternates: list[str] = []
    same_as: set[str] = set()
    for predicate, value, public in values:
        if predicate == _NAME and (not label or public and not label_public):
            label, label_public = value, public
        elif predicate == _ALT_NAME:
            alternates.append(value)
        elif predicate in _SAME_AS and (outside := outside_iri(value)):
            same_as.add(outside)
        got.setdefault(predicate, value)
    country = got.get(_COUNTRY, "").rstrip("/").rsplit("/", 1)[-1]
    email = got.get(_EMAIL, "").removeprefix("mailto:").lower()
    email_host = email.rpartition("@")[2]

    def number(text: str | None) -> float | None:
        try:
            return float(text) if text else None
        except ValueError:
            return None

    return Features(
        iri=iri,
        member=member,
        name=name_key(label),
        locality=place_key(got.get(_LOCALITY)),
        region=place_key(got.get(_REGION)),
        country=country,
        postal=postal_key(got.get(_POSTAL), country),
        street=street_key(got.get(_STREET)),
        website=host(got.get(_HOMEPAGE)),
        email=email,
        email_host="" if email_host in _SHARED_HOSTS else email_host,
        phone=got.get(_PHONE, "").removeprefix("tel:"),
        lat=number(got.get(_LAT)),
        lon=number(got.get(_LONG)),
        label=label,
        label_public=label_public,
        names=sorted({k for n in alternates if (k := name_key(n))} - {name_key(label)}),
        registration=registration_key(got.get(_REGISTRATION)),
        same_as=sorted(same_as),
        distinguisher=distinguisher(label),
    )


def blocking_keys(f: Features) -> list[str]:
    """The keys under which a record meets its candidates: a true pair shares at least one of
    them even when most fields differ (a new website, a moved office, another name)."""
    keys = []
    if f.website:
        keys.append("w:" + f.website)
    if f.email_host:
        keys.append("w:" + f.email_host)  # a co-op's mail host is usually its website's
    if f.email:
        keys.append("e:" + f.email)
    if f.phone:
        keys.append("p:" + f.phone)
    if f.registration:
        keys.append("r:" + f.registration)
    keys += ["s:" + iri for iri in f.same_as]
    for name in {f.name, *f.names} - {""}:
        keys.append("n:" + " ".join(sorted(name.split())))
        keys += [f"g:{w}" for w in set(name.split()) if len(w) > 3]  # a rare word anywhere
    if f.postal:
        keys.append("z:" + f.postal)
    if f.lat is not None and f.lon is not None:
        keys.append(f"c:{round(f.lat * 50)}:{round(f.lon * 30)}")  # a cell of about 2 km
    return keys


def word_keys(f: Features) -> list[str]:
    """Name words in the record's place: found even when every other key differs (a typo in
    the name, a new website); only the rare ones are used (see `candidate_pairs`)."""
    place = f.locality or f.postal[:3] or f.region
    words = {w for name in (f.name, *f.names) for w in name.split() if len(w) > 2}
    return [f"t:{f.country}:{place}:{w}" for w in words] if place else []


def block_limit(key: str) -> int:
    """How many records may share a key before it is too common to block on."""
    return RARE_WORD if key[0] in "tg" else MAX_BLOCK


def candidate_pairs(records: Sequence[Features], only: Iterable[int] | None = None) -> set[tuple[int, int]]:
    """Index pairs (i < j) of records from different members that share a blocking key.

    With `only`, just the pairs involving those records (re-reconciling after an import).
    """
    blocks: dict[str, list[int]] = defaultdict(list)
    for i, f in enumerate(records):
        for key in blocking_keys(f):
            blocks[key].append(i)
        for key in word_keys(f):
            blocks[key].append(i)
    focus = None if only is None else set(only)
    pairs: set[tuple[int, int]] = set()
    for key, members in blocks.items():
        if len(members) < 2 or len(members) > block_limit(key):
            continue
        for x, i in enumerate(members):
            if focus is not None and i not in focus:
                continue
            for j in (members if focus is not None else members[x + 1:]):
                if i != j and records[i].member != records[j].member:
                    pairs.add((i, j) if i < j else (j, i))
    return pairs


@dataclass(frozen=True, slots=True)
class Comparison:
    points: float
    evidence: tuple[tuple[str, float], ...]  # (what agreed or differed, points it counted)

    @property
    def decision(self) -> str:
        if self.points >= AUTO_MERGE:
            return "merge"
        return "review" if self.points >= REVIEW else "apart"


def distance_km(a: Features, b: Features) -> float | None:
    if a.lat is None or b.lat is None or a.lon is None or b.lon is None:
        return None
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 12742.0 * math.asin(min(1.0, math.sqrt(h)))
