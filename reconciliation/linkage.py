"""How likely is it that two member records are one co-op? Probabilistic record linkage
(Fellegi-Sunter), with its weights estimated from the commons' own data.

Each candidate pair is compared field by field; each comparison falls into an agreement level
(the same name, a similar one, a different one; the same postcode, the same postcode area...).
A level's weight is log2(m / u): m, how often true matches show that level; u, how often two
unrelated records do. The sum of the weights, plus the prior odds that a candidate pair is a
match, is the pair's score in bits of log-odds; its probability is 2^score / (1 + 2^score).

- u comes from random pairs of records of different members (nearly all non-matches);
- m and the prior come from expectation-maximisation over the blocked candidate pairs, starting
  from (and smoothed towards) the defaults below, so a small commons keeps sensible weights;
- administrators' decisions are labelled pairs: accepted pairs count as matches and rejected
  ones as non-matches in the estimate (with `LABEL_WEIGHT` times the weight of an unlabelled
  pair), so the queue teaches the model;
- a missing value (either side) weighs nothing: it is neither for nor against;
- the same exact name weighs by how rare that name is (term-frequency adjustment), and name
  similarity weighs each word by its rarity, so "Club", "Society", "Institute" count little;
- identifiers are near-decisive: the same registration number (normalised, see
  `matching.registration_key`), the same outside IRI; different numbers of one scheme are
  strong evidence against, as are different distinguishers ("(1)" and "(2)", "No. 2").

Why not splink: a previous attempt measured splink 5 (DuckDB) on the Co-operatives UK pair of
files at precision 0.51 / recall 0.93 in the time it had; this model, with identifiers,
alternate names and distinguishers built in, reaches the targets (benchmarks/RESULTS.md).
"""
from __future__ import annotations

import json
import math
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from .matching import Comparison, Features, distance_km

LABEL_WEIGHT = 5.0  # a decided pair counts like this many unlabelled ones in the estimate
SMOOTHING = 20.0  # pseudo-pairs of the defaults in each estimate (m and u)
MAX_WEIGHT, MIN_WEIGHT = 20.0, -12.0  # no single field decides more than this
RANDOM_PAIRS = 30_000  # sampled for u
MIN_RECORDS = 1_000  # fewer records than this: the default weights
EM_ROUNDS = 15
COUNTRY_WEIGHT = -12.0  # different countries
DISTINGUISHER_WEIGHT = -14.0  # "(1)" and "(2)": two co-ops of one name, by design
ONE_DISTINGUISHER_WEIGHT = -3.0  # "Micro Hydro (2)" and "Micro Hydro"
# Different numbers of one registry are two legal persons, whatever EM makes of the few such
# pairs among its likely matches (twins at one address, which it counts as matches): at most this.
DIFFERENT_IDENTIFIER_WEIGHT = -15.0

# Per comparison: the level names (index = level) and the defaults (m, u) per level.
LEVELS: dict[str, tuple[str, ...]] = {
    "name": ("different names", "somewhat similar names", "similar names", "nearly the same name",
             "the same name"),
    "registration": ("different registration numbers", "the same registration number"),
    "same_as": ("different outside identifiers", "the same outside identifier"),
    "web": ("different websites", "the same web or email domain"),
    "email": ("different emails", "the same email"),
    "phone": ("different phones", "the same phone"),
    # one comparison for the address: postcode, street, locality and coordinates say much the
    # same thing, and counting each would count one piece of evidence four times
    "place": ("far apart (another area, locality or more than 15 km)", "nearby (the same area, locality or within 15 km)",
              "close (the same locality and street, or within 3 km)",
              "the same postcode (or within 300 m)", "the same street address and postcode"),
}
DEFAULT_M: dict[str, tuple[float, ...]] = {
    "name": (0.04, 0.06, 0.15, 0.25, 0.50),
    "registration": (0.03, 0.97),
    "same_as": (0.05, 0.95),
    "web": (0.25, 0.75),
    "email": (0.45, 0.55),
    "phone": (0.35, 0.65),
    "place": (0.05, 0.10, 0.10, 0.25, 0.50),
}
DEFAULT_U: dict[str, tuple[float, ...]] = {
    "name": (0.985, 0.012, 0.002, 0.0007, 0.0003),
    "registration": (0.9999999, 0.0000001),
    "same_as": (0.99999, 0.00001),
    "web": (0.9999, 0.0001),
    "email": (0.99999, 0.00001),
    "phone": (0.99995, 0.00005),
    "place": (0.93, 0.06, 0.009, 0.0008, 0.0002),
}
DEFAULT_PRIOR = 1e-4  # share of all pairs of records of different members that are matches
FIELDS = tuple(LEVELS)


@dataclass(frozen=True, slots=True)
class Vector:
    """A pair's agreement level per comparison (None: a value is missing), and what the
    name-frequency adjustment needs."""

    levels: tuple[int | None, ...]
    same_name: str = ""  # the name both records have, when they agree exactly
    country_differs: bool = False
    distinguishers: int = 0  # 2: both have one and they differ; 1: only one has one
    names: tuple[str, str] = ("", "")
    same_postal: str = ""  # the postcode both records have


def _outward(postal: str, country: str) -> str:
    """A postcode's area: the UK outward code ('CF349YY' -> 'CF34'), else the first three."""
    return postal[:-3] if country == "GB" and len(postal) > 4 else postal[:3]


def _place(a: Features, b: Features) -> int | None:
    """The address comparison's level (None: nothing comparable on one side)."""
    km = distance_km(a, b)
    same_postal = bool(a.postal and a.postal == b.postal) or (km is not None and km <= 0.3)
    street = fuzz.token_sort_ratio(a.street, b.street) if a.street and b.street else None
    same_locality = bool(a.locality and a.locality == b.locality)
    if same_postal:
        return 4 if street is not None and street >= 90 else 3
    if (same_locality and street is not None and street >= 90) or (km is not None and km <= 3):
        return 2
    same_area = bool(a.postal and b.postal and _outward(a.postal, a.country) == _outward(b.postal, b.country))
    if same_area or same_locality or (km is not None and km <= 15):
        return 1
    comparable = (a.postal and b.postal) or (a.locality and b.locality) or km is not None
    return 0 if comparable else None


@dataclass
class Model:
    """Match and non-match probabilities per level, the prior, and the frequencies of names
    and name words the weights are adjusted by."""

    m: dict[str, list[float]] = field(default_factory=lambda: {k: list(v) for k, v in DEFAULT_M.items()})
    u: dict[str, list[float]] = field(default_factory=lambda: {k: list(v) for k, v in DEFAULT_U.items()})
    prior: float = DEFAULT_PRIOR
    records: int = 0
    name_counts: dict[str, int] = field(default_factory=dict)  # names held by two records or more
    word_counts: dict[str, int] = field(default_factory=dict)  # words in two names or more
    postal_counts: dict[str, int] = field(default_factory=dict)  # postcodes of two records or more
    labelled: int = 0  # decided pairs the estimate used

    # --- frequencies -----------------------------------------------------------------------
    def count_names(self, records: Sequence[Features]) -> None:
        names: Counter[str] = Counter()
        words: Counter[str] = Counter()
        postal = Counter(f.postal for f in records if f.postal)
        self.postal_counts = {p: c for p, c in postal.items() if c > 1}
        for f in records:
            own = {n for n in (f.name, *f.names) if n}
            names.update(own)
            words.update({w for n in own for w in n.split()})
        self.records = len(records)
        self.name_counts = {n: c for n, c in names.items() if c > 1}
        self.word_counts = {w: c for w, c in words.items() if c > 1}

    def _idf(self, word: str) -> float:
        return math.log((self.records + 2) / self.word_counts.get(word, 1))

    def _similarity(self, x: str, y: str) -> float:
        """Word overlap weighted by each word's rarity (Dice), or the edit-distance ratio of
        the whole names (typos), whichever is higher."""
        a, b = set(x.split()), set(y.split())
        shared = sum(self._idf(w) for w in a & b)
        total = sum(self._idf(w) for w in a) + sum(self._idf(w) for w in b)
        dice = 2 * shared / total if total else 0.0
        return max(dice, fuzz.token_sort_ratio(x, y) / 100)

    # --- comparing -------------------------------------------------------------------------
    def vector(self, a: Features, b: Features) -> Vector:
        levels: list[int | None] = []
        add = levels.append
        names_a = [n for n in (a.name, *a.names) if n]
        names_b = [n for n in (b.name, *b.names) if n]
        same_name = ""
        best_pair = ("", "")
        if names_a and names_b:
            common = set(names_a) & set(names_b)
            if common:
                same_name = min(common, key=lambda n: self.name_counts.get(n, 1))
                add(4)
                best_pair = (same_name, same_name)
            else:
                best, best_pair = max(
                    ((self._similarity(x, y), (x, y)) for x in names_a for y in names_b),
                    key=lambda t: t[0],
                )
                add(3 if best >= 0.92 else 2 if best >= 0.8 else 1 if best >= 0.6 else 0)
        else:
            add(None)
        scheme_a, _, _ = a.registration.partition(":")
        add(None if not (a.registration and b.registration and scheme_a == b.registration.partition(":")[0])
            else int(a.registration == b.registration))
        if a.same_as and b.same_as:
            shared = set(a.same_as) & set(b.same_as)
            hosts = {i.split("/")[2] for i in a.same_as} & {i.split("/")[2] for i in b.same_as}
            add(1 if shared else 0 if hosts else None)
        else:
            add(None)
        hosts_a, hosts_b = {a.website, a.email_host} - {""}, {b.website, b.email_host} - {""}
        if hosts_a & hosts_b:
            add(1)
        else:
            add(0 if a.website and b.website else None)
        add(None if not (a.email and b.email) else int(a.email == b.email))
        add(None if not (a.phone and b.phone) else int(a.phone == b.phone))
        add(_place(a, b))
        if a.distinguisher and b.distinguisher:
            marks = 2 if a.distinguisher != b.distinguisher else 0
        else:
            marks = 1 if a.distinguisher or b.distinguisher else 0
        return Vector(tuple(levels), same_name, bool(a.country and b.country and a.country != b.country),
                      marks, best_pair, a.postal if a.postal and a.postal == b.postal else "")

    def weight(self, name: str, level: int) -> float:
        """log2(m / u), bounded; never less than a lower level's (closer agreement is never
        weaker evidence, whatever the noise of the estimate)."""
        w = max(math.log2(self.m[name][k] / self.u[name][k]) for k in range(level + 1))
        if name in ("registration", "same_as") and level == 0:
            return min(w, DIFFERENT_IDENTIFIER_WEIGHT)
        return min(MAX_WEIGHT, max(MIN_WEIGHT, w))

    def score(self, v: Vector) -> Comparison:
        """The pair's log2 posterior odds, and the evidence: each field's level and weight."""
        prior = math.log2(self.prior / (1 - self.prior))
        evidence: list[tuple[str, float]] = []
        for name, level in zip(FIELDS, v.levels):
            if level is None:
                continue
            w = self.weight(name, level)
            what = LEVELS[name][level]
            if name == "place" and v.same_postal and level >= 3:
                w = self._same_value_weight("place", level, self.postal_counts.get(v.same_postal, 1))
            if name == "name":
                if v.same_name:
                    w = self._same_value_weight("name", 4, self.name_counts.get(v.same_name, 1))
                    what = f"the same name ({v.same_name})"
                elif v.names[0] != v.names[1]:
                    what = f"{what} ({v.names[0]} / {v.names[1]})"
            evidence.append((what, round(w, 2)))
        if v.country_differs:
            evidence.append(("different countries", COUNTRY_WEIGHT))
        if v.distinguishers == 2:
            evidence.append(("different distinguishing numbers, e.g. (1) and (2)", DISTINGUISHER_WEIGHT))
        elif v.distinguishers == 1:
            evidence.append(("a distinguishing number on one side only", ONE_DISTINGUISHER_WEIGHT))
        points = prior + sum(w for _, w in evidence)
        return Comparison(round(points, 3), tuple(evidence) + (("prior odds of a candidate pair", round(prior, 2)),))

    def _same_value_weight(self, name: str, level: int, count: int) -> float:
        """log2(m / u) with u the chance that a record of another co-op has this very value
        (term-frequency adjustment): the records holding it, less the pair's own two."""
        if not self.records:
            return self.weight(name, level)
        u_value = max(self.u[name][level], max(count - 2, 0.1) / self.records)
        w = math.log2(self.m[name][level] / u_value)
        return min(MAX_WEIGHT, max(MIN_WEIGHT, max(w, self.weight(name, level - 1))))

    def compare(self, a: Features, b: Features) -> Comparison:
        return self.score(self.vector(a, b))

    # --- estimating ------------------------------------------------------------------------
    def estimate_u(self, records: Sequence[Features], seed: int = 7) -> None:
        """u per level from random pairs of records of different members."""
        by_member: dict[str, list[int]] = {}
        for i, f in enumerate(records):
            by_member.setdefault(f.member, []).append(i)
        if len(by_member) < 2:
            return
        rng = random.Random(seed)
        counts = {k: [0.0] * len(v) for k, v in LEVELS.items()}
        n = len(records)
        tries = 0
        while tries < RANDOM_PAIRS:
            i, j = rng.randrange(n), rng.randrange(n)
            tries += 1
            if records[i].member == records[j].member:
                continue
            v = self.vector(records[i], records[j])
            for name, level in zip(FIELDS, v.levels):
                if level is not None:
                    counts[name][level] += 1
        for name, levels in counts.items():
            total = sum(levels)
            self.u[name] = [(c + SMOOTHING * d) / (total + SMOOTHING) for c, d in zip(levels, DEFAULT_U[name])]

    def estimate_m(self, vectors: Iterable[Vector], labels: Iterable[bool | None] = (),
                   all_pairs: int = 0) -> None:
        """m per level and the prior by expectation-maximisation over the candidate pairs
        (u fixed); a labelled pair's match probability is its label, not the model's guess.

        The prior is the share of matches among `all_pairs` (every pair of records of
        different members), not among candidates: u comes from random pairs, so the odds
        they are weighed against are a random pair's (blocking chose the candidates by the
        very fields their evidence is made of)."""
        patterns: Counter[tuple] = Counter()
        labels = list(labels)
        for n, v in enumerate(vectors):
            label = labels[n] if n < len(labels) else None
            buckets = (min(self.name_counts.get(v.same_name, 1), 9) if v.same_name else 0,
                       min(self.postal_counts.get(v.same_postal, 1), 9) if v.same_postal else 0)
            patterns[(v.levels, v.country_differs or v.distinguishers == 2, label, buckets)] += 1
        if not patterns:
            return
        self.labelled = sum(c for (_, _, label, _), c in patterns.items() if label is not None)
        for _ in range(EM_ROUNDS):
            counts = {k: [0.0] * len(v) for k, v in LEVELS.items()}
            matched = everyone = 0.0
            for (levels, against, label, (name_count, postal_count)), count in patterns.items():
                if label is None:
                    odds = self.prior / (1 - self.prior)
                    for name, level in zip(FIELDS, levels):
                        if level is None:
                            continue
                        if name == "name" and name_count:
                            odds *= 2 ** self._same_value_weight("name", 4, name_count)
                        elif name == "place" and postal_count and level >= 3:
                            odds *= 2 ** self._same_value_weight("place", level, postal_count)
                        else:
                            odds *= 2 ** self.weight(name, level)
                    if against:
                        odds *= 2 ** DISTINGUISHER_WEIGHT
                    p = odds / (1 + odds)
                    weight = count
                else:
                    p, weight = float(label), count * LABEL_WEIGHT
                matched += p * weight
                everyone += weight
                for name, level in zip(FIELDS, levels):
                    if level is not None:
                        counts[name][level] += p * weight
            for name, levels in counts.items():
                total = sum(levels)
                self.m[name] = [(c + SMOOTHING * d) / (total + SMOOTHING) for c, d in zip(levels, DEFAULT_M[name])]
            self.prior = min(0.5, max(1e-9, matched / max(everyone, all_pairs)))

    # --- storing ---------------------------------------------------------------------------
    def to_json(self) -> str:
        return json.dumps({"m": self.m, "u": self.u, "prior": self.prior, "records": self.records,
                           "names": self.name_counts, "words": self.word_counts,
                           "postcodes": self.postal_counts, "labelled": self.labelled})

    @classmethod
    def from_json(cls, text: str | None) -> "Model":
        if not text:
            return cls()
        d = json.loads(text)
        model = cls(prior=d["prior"], records=d["records"], name_counts=d["names"],
                    word_counts=d["words"], postal_counts=d.get("postcodes", {}),
                    labelled=d.get("labelled", 0))
        model.m.update(d["m"])
        model.u.update(d["u"])
        return model

    def summary(self) -> list[tuple[str, str, float]]:
        """(comparison, level, weight) for every level: what the model has learnt."""
        return [(name, LEVELS[name][level], round(self.weight(name, level), 2))
                for name in FIELDS for level in range(len(LEVELS[name]))]


def estimate(
    records: Sequence[Features], pairs: Sequence[tuple[int, int]],
    labels: dict[tuple[str, str], bool] | None = None,
) -> tuple[Model, list[Vector]]:
    """A model estimated from these records and their candidate pairs, and each pair's vector.

    Below `MIN_RECORDS` the estimates would be noise (a random sample of a few dozen pairs
    holds the true matches themselves): the defaults stay, unadjusted."""
    model = Model()
    if len(records) < MIN_RECORDS:
        return model, [model.vector(records[i], records[j]) for i, j in pairs]
    model.count_names(records)
    model.estimate_u(records)
    vectors = [model.vector(records[i], records[j]) for i, j in pairs]
    labels = labels or {}
    keyed = []
    for i, j in pairs:
        a, b = records[i].iri, records[j].iri
        keyed.append(labels.get((a, b) if a < b else (b, a)))
    sizes = Counter(f.member for f in records)
    all_pairs = (sum(sizes.values()) ** 2 - sum(n * n for n in sizes.values())) // 2
    model.estimate_m(vectors, keyed, all_pairs)
    return model, vectors
