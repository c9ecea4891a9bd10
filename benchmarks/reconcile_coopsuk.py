"""Reconciliation on real data: two years of Co-operatives UK's open data, loaded as two members.

    .venv/bin/python benchmarks/reconcile_coopsuk.py ORGS_2017.csv STANDARD_2023.csv [--no-write]

The files are public but carry contact data, so they are not in this repository: the first is
`data/co-ops-uk/2017-06/co-ops-uk-csv-data/open_data_organisations.csv` of
DigitalCommons/open-data-and-maps (8,371 co-ops), the second the standard CSV built from the
2023 data, `workers-coop/standard.Q2-2023.postcodes.csv` of DigitalCommons/open-data (7,387).
Nothing is fetched at run time.

Both files carry the registry's own organisation id (R000001...). The matcher never sees it:
each member's records get ids of their own (the row number), and the registry id is kept aside
as the answer key. The records go through the code an import runs (normalisation, RDF,
publication policy), then through the matching run the store's reconciler runs.
"""
from __future__ import annotations

import argparse
import csv
import resource
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.reconcile import _machine, write_results  # noqa: E402
from datacommons.fields import EXTRA_COLUMNS, Level  # noqa: E402
from datacommons.policy import Policy, publish  # noqa: E402
from datacommons.uris import Uris  # noqa: E402
from loaders.concepts import ConceptIndex  # noqa: E402
from loaders.normalise import normalise_all  # noqa: E402
from loaders.record import RawRecord  # noqa: E402
from reconciliation.reconcile_engine import features_from_quads, match  # noqa: E402
from loaders.tordf import record_triples  # noqa: E402
from reconciliation import matching  # noqa: E402

BASE = "http://bench.test"
SECTION = "## Reconciliation on real data (Co-operatives UK, 2017 and 2023)"
_ALT = "alternate_name" in EXTRA_COLUMNS


def read_2017(path: Path) -> tuple[list[RawRecord], list[str], list[str]]:
    """The 2017 organisations export as template rows; registry ids and registered numbers aside."""
    rows, key, numbers = [], [], []
    with path.open(encoding="utf-8-sig", newline="") as f:
        for n, r in enumerate(csv.DictReader(f), start=1):
            values = {
                "id": f"a{n}",
                "name": r["Registered Name"],
                "street": r["Registered Street"],
                "locality": r["Registered City"],
                "region": r["Registered State/Province"],
                "postal_code": r["Registered Postcode"],
                "country": "GB",
                "registration_id": r["Registered Number"],
            }
            if _ALT and r["Trading Name"] and r["Trading Name"] != r["Registered Name"]:
                values["alternate_name"] = r["Trading Name"].replace(";", r"\;")
            rows.append(RawRecord(f"row {n + 1}", values))
            key.append(r["CUK Organisation ID"])
            numbers.append(r["Registered Number"] if r["Registrar"] == "Companies House" else "")
    return rows, key, numbers


def read_2023(path: Path) -> tuple[list[RawRecord], list[str], list[str]]:
    """The 2023 standard CSV as template rows; registry ids and Companies House numbers aside."""
    rows, key, numbers = [], [], []
    with path.open(encoding="utf-8-sig", newline="") as f:
        for n, r in enumerate(csv.DictReader(f), start=1):
            lat, lon = r["Latitude"] or r["Geo Container Latitude"], r["Longitude"] or r["Geo Container Longitude"]
            values = {
                "id": f"b{n}",
                "name": r["Name"],
                "street": r["Street Address"],
                "locality": r["Locality"],
                "region": r["Region"],
                "postal_code": r["Postcode"],
                "country": r["Country ID"],
                "website": r["Website"],
                "phone": r["Phone"],
                "email": r["Email"],
                "latitude": lat if lat and lon else "",
                "longitude": lon if lat and lon else "",
                "registration_id": r["Companies House Number"],
            }
            rows.append(RawRecord(f"row {n + 1}", values))
            key.append(r["Identifier"])
            numbers.append(r["Companies House Number"])
    return rows, key, numbers


def _pairs(clusters: list[list[str]]) -> set[tuple[str, str]]:
    return {(a, b) for c in clusters for i, a in enumerate(c) for b in c[i + 1:]}


def load(path_2017: Path, path_2023: Path) -> tuple[list, dict[str, str], dict[str, str], int]:
    """The records as the reconciler sees them (features), the answer key (record -> registry
    id), each record's registered number as written, and how many rows normalisation dropped."""
    uris = Uris(BASE)
    concepts = ConceptIndex.default()
    members = {"cuk2017": read_2017(path_2017), "cuk2023": read_2023(path_2023)}
    quads, answer, numbers = [], {}, {}
    dropped = 0
    for member, (rows, key, regs) in members.items():
        records, problems = normalise_all(rows, concepts)
        dropped += len(rows) - len(records)
        by_id = {f"{member[0]}{n}": n for n in range(len(rows))}
        for r in records:
            n = int(r.local_id[1:]) - 1
            iri = uris.record(member, r.local_id)
            answer[iri] = key[n]
            numbers[iri] = regs[n].strip().upper().lstrip("0")
        del by_id
        quads += publish([t for r in records for t in record_triples(r, member, uris)], Policy(member), uris)
    public = frozenset(uris.graph(m, Level.PUBLIC) for m in members)
    return features_from_quads(quads, uris, public), answer, numbers, dropped


def truth_of(features, answer: dict[str, str]) -> set[tuple[str, str]]:
    """Every pair of records of different members with one registry id."""
    by_registry: dict[str, list[str]] = {}
    for f in features:
        by_registry.setdefault(answer[f.iri], []).append(f.iri)
    return {
        tuple(sorted((a, b)))
        for group in by_registry.values() for a in group for b in group
        if a < b and a.split("/id/")[1].split("/")[0] != b.split("/id/")[1].split("/")[0]
    }


def run(path_2017: Path, path_2023: Path) -> dict:
    features, answer, numbers, dropped = load(path_2017, path_2023)
    start = time.perf_counter()
    result = match(features)
    elapsed = time.perf_counter() - start

    truth = truth_of(features, answer)
    auto = _pairs(result.clusters)
    review = set(result.review) - auto
    hit = auto & truth
    same_number = {p for p in truth if numbers[p[0]] and numbers[p[0]] == numbers[p[1]]}
    proposed = auto | review
    # blocking recall: the true pairs that share at least one blocking key (were compared)
    compared = _compared_pairs(features)
    index = {f.iri: i for i, f in enumerate(features)}
    blocked = sum(1 for a, b in truth if tuple(sorted((index[a], index[b]))) in compared)
    wrong = sorted(auto - truth)
    return {
        "records": len(features),
        "dropped": dropped,
        "true_pairs": len(truth),
        "auto_pairs": len(auto),
        "precision": len(hit) / max(1, len(auto)),
        "recall": len(hit) / max(1, len(truth)),
        "review_pairs": len(review),
        "review_share": len(review) / max(1, len(truth)),
        "review_true": len(review & truth) / max(1, len(review)),
        "recall_with_review": len(proposed & truth) / max(1, len(truth)),
        "same_number": len(same_number),
        "same_number_merged": len(same_number & auto),
        "compared": result.compared,
        "blocking_recall": blocked / max(1, len(truth)),
        "seconds": elapsed,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "wrong": [(_label(features, a), _label(features, b)) for a, b in wrong[:10]],
        "missed": Counter("review" if p in review else "apart" if tuple(sorted((index[p[0]], index[p[1]]))) in compared
                          else "never compared" for p in truth - auto),
    }


def _compared_pairs(features) -> set[tuple[int, int]]:
    blocking = getattr(matching, "candidate_pairs", None)
    try:
        from reconciliation.linkage import candidate_pairs as blocking  # the new matcher's blocking
    except ImportError:
        pass
    return blocking(features)


def _label(features, iri: str) -> str:
    for f in features:
        if f.iri == iri:
            return f.label
    return iri


def report(q: dict, args: argparse.Namespace, before: str = "") -> str:
    lines = [
        SECTION,
        "",
        f"`benchmarks/reconcile_coopsuk.py` on {date.today()}, {_machine()}. Two members: Co-operatives "
        "UK's organisations export of June 2017 (8,371 co-ops: registered and trading names, "
        "registered number and registrar, registered address) and the community standard CSV built "
        "from its 2023 data (7,387: one name, address, website, Companies House number, postcode "
        "coordinates). The registry's own id is the answer key only; the matcher never sees it.",
        "",
        f"{q['records']:,} records ({q['dropped']} dropped by normalisation), {q['true_pairs']:,} true "
        "cross-member pairs.",
        "",
        "| measure | figure | target |",
        "|---|---|---|",
        f"| automatic merges: precision | {q['precision']:.4f} | >= 0.99 |",
        f"| automatic merges: recall | {q['recall']:.4f} | >= 0.95 |",
        f"| review queue: pairs (share of the overlap) | {q['review_pairs']:,} ({q['review_share']:.1%}) | <= 5% |",
        f"| review queue: share that are true matches | {q['review_true']:.3f} | |",
        f"| recall of automatic merges + review queue | {q['recall_with_review']:.4f} | |",
        f"| true pairs with the same Companies House number: merged | {q['same_number_merged']} of {q['same_number']} | all |",
        f"| blocking recall (true pairs that share a blocking key) | {q['blocking_recall']:.4f} | |",
        f"| candidate pairs compared | {q['compared']:,} | |",
        f"| time: features + blocking + scoring + clustering | {q['seconds']:.1f} s | |",
        f"| peak RSS of the benchmark process | {q['peak_rss_mb']:.0f} MB | |",
        "",
        "True pairs not merged: " + ", ".join(f"{v:,} {k}" for k, v in sorted(q["missed"].items())) + ".",
    ]
    if q["wrong"]:
        lines += ["", "Wrong automatic merges (first ten): " + "; ".join(f"`{a}` / `{b}`" for a, b in q["wrong"]) + "."]
    if before:
        lines += ["", before]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("orgs_2017", type=Path)
    parser.add_argument("standard_2023", type=Path)
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md")
    parser.add_argument("--before", default="", help="a paragraph on the figures before this matcher")
    args = parser.parse_args()
    q = run(args.orgs_2017, args.standard_2023)
    section = report(q, args, args.before)
    print(section)
    if not args.no_write:
        import benchmarks.reconcile as synthetic

        synthetic.SECTION = SECTION
        write_results(section)


if __name__ == "__main__":
    main()
