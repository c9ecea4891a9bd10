"""A labelled set for matching: five members' directories of the same co-ops, with the mess of
real directories, and the answer key.

The co-ops come from the demo generator (`demo.generator.generate_records`: real cities, area
codes, postal prefixes, street names; names drawn from a small stock of words, so the same
name recurs in many cities). Each co-op is listed by one member (70%), two (22%) or three
(8%), and every copy drifts the way directories do: typos, abbreviations ("Co-operative" ->
"Co-op", "Street" -> "St"), reordered words, a case or accent change, a moved address, missing
fields, another website or phone number. On top, look-alike non-matches: "twins" with the
name of a co-op elsewhere ("Red Door Co-op" in Toronto and in Minneapolis), listed by another
member. Deterministic for a seed.
"""
from __future__ import annotations

import random
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from demo.generator import generate_records
from loaders.record import RawRecord

MEMBERS = ("north", "south", "east", "west", "centre")
_HOLDERS = (1, 1, 1, 1, 1, 1, 1, 2, 2, 3)  # 70% one member, 20% two, 10% three
_TWINS = 0.03
_COLUMNS = ("id", "name", "website", "email", "phone", "street", "locality", "region",
            "postal_code", "country", "latitude", "longitude", "structure", "activities")
_COOP_WORDS = (("Co-operative", "Co-op"), ("Cooperative", "Co-op"), ("Co-op", "Cooperative"),
               ("Co-operative", "Cooperative"), ("Coopérative", "Coop"), ("and", "&"),
               ("&", "and"))
_STREET_WORDS = (("Street", "St"), ("Avenue", "Ave."), ("Road", "Rd"), ("Drive", "Dr."),
                 ("boulevard", "boul."), ("avenue", "av."), ("chemin", "ch."))


@dataclass
class LabelledSet:
    records: dict[str, list[RawRecord]]  # member -> its records (template columns)
    truth: dict[tuple[str, str], str]  # (member, local id) -> the co-op it is

    @property
    def size(self) -> int:
        return sum(len(r) for r in self.records.values())


def labelled_set(records: int, seed: int = 11) -> LabelledSet:
    """About `records` member records (exactly, give or take the last co-op's copies)."""
    rng = random.Random(seed)
    out: dict[str, list[RawRecord]] = {m: [] for m in MEMBERS}
    truth: dict[tuple[str, str], str] = {}
    count = 0
    previous: dict[str, str] | None = None
    for coop in generate_records(seed=seed, coops=records):
        if count >= records:
            break
        holders = rng.sample(MEMBERS, rng.choice(_HOLDERS))
        for position, member in enumerate(holders):
            row = _copy(coop, rng, first=position == 0)
            count += _add(out, truth, member, row, coop["id"])
        if previous is not None and rng.random() < _TWINS:
            twin = _twin(coop, previous, rng)
            member = rng.choice([m for m in MEMBERS if m not in holders] or MEMBERS)
            count += _add(out, truth, member, _copy(twin, rng, first=True), twin["id"])
        previous = coop
    return LabelledSet(out, truth)


def _add(out: dict[str, list[RawRecord]], truth: dict[tuple[str, str], str], member: str,
         row: dict[str, str], key: str) -> int:
    local_id = f"{member[0]}{len(out[member]) + 1:06d}"
    row["id"] = local_id
    out[member].append(RawRecord(f"record {len(out[member]) + 1}", {c: row[c] for c in _COLUMNS if row.get(c)}))
    truth[member, local_id] = key
    return 1


def _twin(coop: dict[str, str], elsewhere: dict[str, str], rng: random.Random) -> dict[str, str]:
    """Another co-op with this one's name, in another co-op's city, with its own contacts."""
    twin = dict(elsewhere)
    twin["id"] = coop["id"] + "-twin"
    twin["name"] = coop["name"]
    stem = "".join(c for c in _ascii(coop["name"]).lower() if c.isalnum())[:20]
    twin["website"] = f"https://{stem}-{rng.randint(100, 999)}.org"
    twin["email"] = f"info@{stem}-{rng.randint(100, 999)}.org"
    twin["phone"] = twin["phone"][:-4] + f"{rng.randint(0, 9999):04d}" if twin["phone"] else ""
    return twin


def _copy(coop: dict[str, str], rng: random.Random, *, first: bool) -> dict[str, str]:
    """The co-op as one member writes it: the first lister is tidy, later ones drift more."""
    row = dict(coop)
    drift = 0.5 if first else 1.0
    if rng.random() < 0.35 * drift:
        row["name"] = _coop_word(row["name"], rng)
    if rng.random() < 0.15 * drift:
        row["name"] = _typo(row["name"], rng)
    if rng.random() < 0.06 * drift:
        row["name"] = _reorder(row["name"], rng)
    if rng.random() < 0.1 * drift:
        row["name"] = rng.choice((row["name"].upper(), row["name"].lower(), _ascii(row["name"]),
                                  "The " + row["name"]))
    if rng.random() < 0.3 * drift:
        for long, short in _STREET_WORDS:
            row["street"] = row["street"].replace(long, short)
    if rng.random() < 0.07 * drift:  # moved: new street, postal code, a few km away
        row["street"] = f"{rng.randint(1, 9999)} {rng.choice(('Main', 'King', 'Oak', 'rue Principale'))} St"
        row["postal_code"] = row["postal_code"][:3] + row["postal_code"][3:][::-1]
        row["latitude"] = f"{float(row['latitude']) + rng.uniform(-0.03, 0.03):.6f}"
        row["longitude"] = f"{float(row['longitude']) + rng.uniform(-0.03, 0.03):.6f}"
    elif rng.random() < 0.5:  # geocoded another way
        row["latitude"] = f"{float(row['latitude']) + rng.uniform(-0.001, 0.001):.6f}"
        row["longitude"] = f"{float(row['longitude']) + rng.uniform(-0.001, 0.001):.6f}"
    if rng.random() < 0.15 * drift and row["website"]:
        stem = row["website"].removeprefix("https://").removeprefix("www.").split(".")[0]
        row["website"] = rng.choice((f"https://www.facebook.com/{stem}", f"https://{stem}-coop.org"))
    if rng.random() < 0.08 * drift and row["phone"]:
        row["phone"] = row["phone"][:-4] + f"{rng.randint(0, 9999):04d}"  # an outdated number
    if rng.random() < 0.5:
        row["phone"] = _phone_style(row["phone"], rng)
    for field, share in (("website", 0.1), ("email", 0.15), ("phone", 0.12), ("street", 0.08),
                         ("postal_code", 0.1), ("latitude", 0.15), ("locality", 0.02)):
        if rng.random() < share * drift:
            row[field] = ""
            if field == "latitude":
                row["longitude"] = ""
    return row


def _coop_word(name: str, rng: random.Random) -> str:
    words = name.split()
    options = [(a, b) for a, b in _COOP_WORDS if a in words]
    if not options:
        return name + rng.choice((" Co-op", ", Inc.", " Cooperative"))
    a, b = rng.choice(options)
    return " ".join(b if w == a else w for w in words)


def _typo(name: str, rng: random.Random) -> str:
    letters = [i for i in range(1, len(name) - 1) if name[i].isalpha()]
    if not letters:
        return name
    i = rng.choice(letters)
    how = rng.randrange(3)
    if how == 0:
        return name[:i] + name[i + 1] + name[i] + name[i + 2:]  # swapped
    if how == 1:
        return name[:i] + name[i + 1:]  # dropped
    return name[:i] + rng.choice("aeioustnr") + name[i + 1:]  # mistyped


def _reorder(name: str, rng: random.Random) -> str:
    words = name.split()
    if len(words) < 3:
        return name
    i = rng.randrange(len(words) - 1)
    words[i], words[i + 1] = words[i + 1], words[i]
    return " ".join(words)


def _phone_style(phone: str, rng: random.Random) -> str:
    digits = "".join(c for c in phone if c.isdigit())[-10:]
    if len(digits) != 10:
        return phone
    a, e, s = digits[:3], digits[3:6], digits[6:]
    return rng.choice((f"({a}) {e}-{s}", f"{a}-{e}-{s}", f"{a}.{e}.{s}", f"1-{a}-{e}-{s}"))


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def true_pairs(truth: dict[tuple[str, str], str]) -> Iterator[tuple[tuple[str, str], tuple[str, str]]]:
    """Every pair of records, from different members, of the same co-op."""
    by_coop: dict[str, list[tuple[str, str]]] = {}
    for record, coop in truth.items():
        by_coop.setdefault(coop, []).append(record)
    for records in by_coop.values():
        for i, a in enumerate(records):
            for b in records[i + 1:]:
                if a[0] != b[0]:
                    yield (a, b) if a < b else (b, a)
