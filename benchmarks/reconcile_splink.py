"""The same two years of Co-operatives UK's open data, linked by splink (DuckDB) instead of
`reconciliation.linkage`, to measure the choice the issue asks about (issue 20, item 3).

    .venv/bin/python benchmarks/reconcile_splink.py ORGS_2017.csv STANDARD_2023.csv

splink is not a dependency of the project: install it in the benchmark's environment
(`pip install splink==5.0.0`). The records are the features the reconciler makes (the same
normalised names, postcodes, registration numbers, hosts...), so the comparison is of the
models, not of the cleaning. Splink's model: Fellegi-Sunter with the comparisons below, u by
random sampling, the prior from deterministic rules, m by EM on two blocking rules, term-frequency
adjustment of names and postcodes; pairs scored on the same blocking keys as ours (splink's
blocking rules), clustered by connected components at a match probability.
"""
from __future__ import annotations

import argparse
import logging
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pyarrow as pa  # noqa: E402
import splink.comparison_library as cl  # noqa: E402
from splink import Linker, SettingsCreator, block_on  # noqa: E402
from splink.backends.duckdb import DuckDBAPI  # noqa: E402

from benchmarks.reconcile_coopsuk import load, truth_of  # noqa: E402


def frame(features, member: str) -> pa.Table:
    rows = []
    for f in features:
        if f.member != member:
            continue
        rows.append({
            "unique_id": f.iri, "name": f.name or None, "names": sorted({f.name, *f.names} - {""}) or None,
            "registration": f.registration or None, "website": f.website or None,
            "email": f.email or None, "phone": f.phone or None, "postal": f.postal or None,
            "outward": (f.postal[:-3] if len(f.postal) > 4 else f.postal) or None,
            "street": f.street or None, "locality": f.locality or None,
            "lat": f.lat, "lon": f.lon,
        })
    return pa.Table.from_pylist(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("orgs_2017", type=Path)
    parser.add_argument("standard_2023", type=Path)
    parser.add_argument("--threshold", type=float, default=0.9, help="match probability to merge at")
    parser.add_argument("--review", type=float, default=0.5, help="match probability to queue at")
    args = parser.parse_args()
    logging.getLogger("splink").setLevel(logging.WARNING)
    features, answer, _, _ = load(args.orgs_2017, args.standard_2023)
    truth = truth_of(features, answer)
    members = sorted({f.member for f in features})
    start = time.perf_counter()
    db = DuckDBAPI()
    tables = [db.register(frame(features, m), table_name=m) for m in members]
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.JaroWinklerAtThresholds("name", [0.92, 0.8]).configure(term_frequency_adjustments=True),
            cl.ArrayIntersectAtSizes("names", [1]),
            cl.ExactMatch("registration"),
            cl.ExactMatch("website"),
            cl.ExactMatch("email"),
            cl.ExactMatch("phone"),
            cl.ExactMatch("postal").configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("street", [0.9]),
            cl.ExactMatch("locality"),
            cl.DistanceInKMAtThresholds("lat", "lon", [0.3, 3, 15]),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("registration"), block_on("website"), block_on("email"), block_on("phone"),
            block_on("name"), block_on("postal"), block_on("outward", "locality"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(tables, settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("registration"), block_on("name", "postal")], recall=0.8)
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("postal"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("name"))
    scored = linker.inference.predict(threshold_match_probability=0.01).as_record_list()
    elapsed = time.perf_counter() - start
    pairs = {tuple(sorted((r["unique_id_l"], r["unique_id_r"]))): r["match_probability"] for r in scored}
    # connected components of the merged pairs, as our clustering's automatic merges
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x
    for (a, b), p in pairs.items():
        if p >= args.threshold:
            parent[find(a)] = find(b)
    groups: dict[str, list[str]] = {}
    for x in list(parent):
        groups.setdefault(find(x), []).append(x)
    auto = {tuple(sorted((a, b))) for g in groups.values() for a in g for b in g
            if a < b and a.split("/id/")[1].split("/")[0] != b.split("/id/")[1].split("/")[0]}
    review = {p for p, v in pairs.items() if args.review <= v < args.threshold} - auto
    hit = auto & truth
    print(f"splink {__import__('splink').__version__}: {len(features):,} records, {len(truth):,} true pairs, "
          f"{len(pairs):,} scored pairs (p >= 0.01)")
    print(f"threshold {args.threshold}: precision {len(hit) / max(1, len(auto)):.4f}, recall {len(hit) / len(truth):.4f}, "
          f"review queue {len(review):,} ({len(review) / len(truth):.1%}), true in review {len(review & truth) / max(1, len(review)):.3f}, "
          f"recall with review {len((auto | review) & truth) / len(truth):.4f}")
    print(f"time (training + scoring): {elapsed:.1f} s; peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    labels = {f.iri: f.label for f in features}
    wrong = sorted(((v, p) for p, v in pairs.items() if v >= args.threshold and p not in truth), reverse=True)
    print("wrong merges (first ten):", "; ".join(f"{labels[a]} / {labels[b]} ({v:.3f})" for v, (a, b) in wrong[:10]))
    for t in (0.5, 0.8, 0.95, 0.99):
        a2 = {p for p, v in pairs.items() if v >= t}
        print(f"  pairs at p >= {t}: precision {len(a2 & truth) / max(1, len(a2)):.4f}, recall {len(a2 & truth) / len(truth):.4f}")


if __name__ == "__main__":
    main()
