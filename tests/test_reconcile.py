"""Records of different members that describe one co-op become one canonical co-op, with every
value still said by its member at its member's level."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from benchmarks.reconcile_data import labelled_set, true_pairs
from datacommons.audience import ADMIN, ANONYMOUS, member_audience
from datacommons.fields import Level
from datacommons.policy import Policy, publish
from datacommons.uris import Uris
from loaders.concepts import ConceptIndex
from loaders.normalise import normalise_all
from loaders.pipeline import republish
from reconciliation.reconcile import decide, reconcile_all, state_of
from reconciliation.reconcile_engine import features_from_quads, match
from loaders.tordf import record_triples

from .conftest import BASE, World, load_text

BETA = """id,name,website,phone,locality,region,postal_code,country,latitude,longitude
b-7,Red Door Bakery Cooperative,https://www.reddoorbakery.coop/,612-555-0199,Minneapolis,MN,55401,US,44.9779,-93.2651
b-8,Red Door Bakery Co-op,https://reddoor-toronto.ca,416-555-0100,Toronto,ON,M5V 2T6,CA,43.65,-79.38
b-9,Prairie Harvest Grain Co-operative,,,Saskatoon,SK,,CA,52.14,-106.66
"""
RED_DOOR = f"{BASE}/id/org/red-door-bakery-co-op"
ALPHA_RD1, BETA_B7 = f"{BASE}/id/alpha/rd-1", f"{BASE}/id/beta/b-7"
PHONE = "http://www.w3.org/2006/vcard/ns#hasTelephone"


@pytest.fixture
def two(world: World, tmp_path: Path) -> World:
    load_text(world.commons, "beta", BETA, tmp_path, "beta.csv")
    return world


def ask(world: World, query: str, audience=ADMIN) -> bool:
    return bool(world.commons.query(query, audience))


def test_the_same_coop_from_two_members_becomes_one_canonical_coop(two: World) -> None:
    assert ask(two, f"ASK {{ <{RED_DOOR}> <http://www.w3.org/2002/07/owl#sameAs> <{ALPHA_RD1}>, <{BETA_B7}> }}", ANONYMOUS)
    assert ask(two, f"ASK {{ <{RED_DOOR}> a <https://w3id.org/coop-commons/vocab#CanonicalOrganisation> }}", ANONYMOUS)


def test_same_name_coops_in_different_cities_stay_apart(two: World) -> None:
    toronto = f"{BASE}/id/beta/b-8"
    assert not ask(two, f"ASK {{ ?c <http://www.w3.org/2002/07/owl#sameAs> <{toronto}> }}")
    assert state_of(two.commons).slugs([toronto]) == {}


def test_each_canonical_value_is_said_by_its_member_and_conflicts_stay_visible(two: World) -> None:
    rows = two.commons.query(
        f"SELECT ?phone ?g WHERE {{ GRAPH ?g {{ <{RED_DOOR}> <{PHONE}> ?phone }} }} ORDER BY ?g", ADMIN
    )
    said = [(r["phone"].value, r["g"].value) for r in rows]
    assert said == [
        ("tel:+16125550142", f"{BASE}/graph/alpha/members"),
        ("tel:+16125550199", f"{BASE}/graph/beta/members"),
    ]


def test_a_members_only_phone_is_never_public_on_the_canonical_coop(two: World) -> None:
    query = f"ASK {{ <{RED_DOOR}> <{PHONE}> ?p }}"
    assert not ask(two, query, ANONYMOUS)
    assert ask(two, query, member_audience("beta"))
    assert not [q for q in two.commons.quads_about(RED_DOOR, ANONYMOUS) if q.predicate.value == PHONE]
    out = io.BytesIO()
    two.commons.dump(out, ANONYMOUS)
    assert b"tel:+1612555" not in out.getvalue() and RED_DOOR.encode() in out.getvalue()


def test_a_policy_change_moves_the_canonical_values_with_it(two: World) -> None:
    republish(two.commons, "alpha", two.commons.policy("alpha").changed({"phone": Level.PUBLIC}))
    rows = two.commons.query(f"SELECT ?p WHERE {{ <{RED_DOOR}> <{PHONE}> ?p }}", ANONYMOUS)
    assert [r["p"].value for r in rows] == ["tel:+16125550142"]  # alpha's, not beta's


def test_a_reimport_matches_again_only_the_changed_records(two: World, tmp_path: Path) -> None:
    from loaders.pipeline import commit_import, plan_import
    from reconciliation.reconcile import plan_member_change

    path = tmp_path / "beta2.csv"
    path.write_text(BETA.replace("416-555-0100", "416-555-0101"), encoding="utf-8")
    plan = plan_import(two.commons, "beta", path)
    reconciled = plan_member_change(two.commons, "beta", plan.remove, plan.add)
    assert reconciled.rescored == [f"{BASE}/id/beta/b-8"]
    commit_import(two.commons, plan, ADMIN)
    assert ask(two, f"ASK {{ <{RED_DOOR}> <http://www.w3.org/2002/07/owl#sameAs> <{BETA_B7}> }}")


def test_a_record_removed_by_a_reimport_leaves_its_canonical_coop(two: World, tmp_path: Path) -> None:
    without = "\n".join(line for line in BETA.splitlines() if not line.startswith("b-7")) + "\n"
    load_text(two.commons, "beta", without, tmp_path, "beta2.csv")
    assert not ask(two, f"ASK {{ <{RED_DOOR}> ?p ?o }}")


def test_uncertain_pairs_wait_for_review_and_decisions_survive_reimports(two: World, tmp_path: Path) -> None:
    db = state_of(two.commons)
    prairie = (f"{BASE}/id/alpha/rd-2", f"{BASE}/id/beta/b-9")
    assert [(a, b) for a, b, *_ in db.queue()] == [prairie]
    decide(two.commons, *prairie, "reject", "test admin")
    assert db.queue() == []
    load_text(two.commons, "beta", BETA.replace("Saskatoon,SK,,CA", "Saskatoon,SK,S7K 1J5,CA"), tmp_path, "beta2.csv")
    assert db.queue() == []  # the rejected pair is not proposed again
    assert not ask(two, f"ASK {{ ?c <http://www.w3.org/2002/07/owl#sameAs> <{prairie[1]}> }}")

    decide(two.commons, *prairie, "accept", "test admin")
    load_text(two.commons, "beta", BETA, tmp_path, "beta3.csv")
    assert ask(two, f"ASK {{ ?c <http://www.w3.org/2002/07/owl#sameAs> <{prairie[0]}>, <{prairie[1]}> }}")


def test_a_full_rebuild_finds_the_same_canonical_coops(two: World) -> None:
    before = two.commons.query(f"SELECT ?r WHERE {{ <{RED_DOOR}> <http://www.w3.org/2002/07/owl#sameAs> ?r }}", ADMIN)
    plan = reconcile_all(two.commons)
    assert not plan.add and not plan.remove  # incremental runs left what a rebuild would make
    after = two.commons.query(f"SELECT ?r WHERE {{ <{RED_DOOR}> <http://www.w3.org/2002/07/owl#sameAs> ?r }}", ADMIN)
    assert {r["r"].value for r in before} == {r["r"].value for r in after} == {ALPHA_RD1, BETA_B7}


def test_matching_is_precise_and_finds_most_matches_on_a_labelled_set() -> None:
    """The benchmark's labelled set, small: typos, abbreviations, moved addresses, look-alikes."""
    data = labelled_set(3000, seed=3)
    uris = Uris(BASE)
    quads = []
    for member, raws in data.records.items():
        records, _ = normalise_all(raws, ConceptIndex.default())
        quads += publish([t for r in records for t in record_triples(r, member, uris)], Policy(member), uris)
    public = frozenset(uris.graph(m, Level.PUBLIC) for m in data.records)
    features = features_from_quads(quads, uris, public)
    result = match(features)
    present = {f.iri for f in features}
    truth = {tuple(sorted((uris.record(*a), uris.record(*b)))) for a, b in true_pairs(data.truth)}
    truth = {p for p in truth if p[0] in present and p[1] in present}
    merged = {(a, b) for c in result.clusters for i, a in enumerate(c) for b in c[i + 1:]}
    assert len(merged & truth) / len(merged) >= 0.99
    assert len(merged & truth) / len(truth) >= 0.95


def test_the_canonical_coop_shows_where_members_disagree(two: World) -> None:
    from endpoint.pages.describe import describe

    entity = describe(two.commons, RED_DOOR, member_audience("beta"))
    assert PHONE in entity.disagreements()  # two members, two phone numbers: shown, not resolved
    assert {(v.text, v.said_by) for v in entity.properties["http://purl.org/goodrelations/v1#name"]} == {
        ("Red Door Bakery Co-op", "alpha"), ("Red Door Bakery Cooperative", "beta")}
    public = describe(two.commons, RED_DOOR, ANONYMOUS)
    assert PHONE not in public.properties and PHONE not in public.disagreements()


def test_the_command_line_rebuilds_the_canonical_coops(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from cli.main import main
    from datacommons.store import Commons

    from .conftest import make_world

    commons = Commons(tmp_path / "store", base=BASE)
    load_text(make_world(commons, tmp_path).commons, "beta", BETA, tmp_path, "beta.csv")
    commons.close()
    assert main(["reconcile", "--store", str(tmp_path / "store")]) == 0
    assert "1 canonical co-ops" in capsys.readouterr().out


def test_the_demo_commons_imported_member_by_member_merges_what_its_answer_key_says(tmp_path: Path) -> None:
    """Six members import in turn (each commit reconciles incrementally); truth.csv scores it."""
    import csv

    from datacommons.store import Commons
    from demo.load import load_demo

    commons = Commons(tmp_path / "store", base=BASE)
    list(load_demo(commons, tmp_path / "work", seed=7, coops=600))
    truth = {commons.uris.record(r["member"], r["local_id"]): r["coop"]
             for r in csv.DictReader((tmp_path / "work" / "truth.csv").open(encoding="utf-8"))}
    slugs = dict(state_of(commons).rows("SELECT iri, slug FROM canonical"))
    records = {r for (r,) in state_of(commons).rows("SELECT iri FROM records")}
    commons.close()
    merged = _cross_member_pairs(_groups(slugs))
    true = _cross_member_pairs(_groups({r: c for r, c in truth.items() if r in records}))
    assert true and len(merged & true) / len(merged) >= 0.99 and len(merged & true) / len(true) >= 0.95


def _cross_member_pairs(groups: list[list[str]]) -> set[tuple[str, str]]:
    return {(a, b) for g in groups for a in g for b in g if a < b and a.split("/")[-2] != b.split("/")[-2]}


def _groups(assignment: dict[str, str]) -> list[list[str]]:
    groups: dict[str, list[str]] = {}
    for record, key in assignment.items():
        groups.setdefault(key, []).append(record)
    return list(groups.values())


def test_the_command_line_rolls_a_member_back_to_an_earlier_import(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from cli.main import main
    from datacommons.store import Commons

    from .conftest import CORE_CSV, make_world

    commons = Commons(tmp_path / "store", base=BASE)
    make_world(commons, tmp_path)
    load_text(commons, "alpha", CORE_CSV.replace("Grain growers", "Wheat growers"), tmp_path, "two.csv")
    commons.close()
    store = str(tmp_path / "store")
    assert main(["rollback", "alpha", "1", "--store", store, "--dry-run"]) == 0
    assert "description: Wheat growers -> Grain growers" in capsys.readouterr().out
    assert main(["rollback", "alpha", "1", "--store", store]) == 0
    assert main(["rollback", "alpha", "9", "--store", store]) == 2
    assert main(["imports", "alpha", "--store", store]) == 0
    assert "rollback to import 1" in capsys.readouterr().out


def test_a_persons_accept_overrides_an_automatic_merge_and_contradictions_are_refused(two: World) -> None:
    from reconciliation.reconcile import DecisionRefused

    rd2 = f"{BASE}/id/alpha/rd-2"
    decide(two.commons, rd2, BETA_B7, "accept", "test admin")  # b-7 is rd-2's co-op, not rd-1's
    slugs = state_of(two.commons).slugs([rd2, BETA_B7, ALPHA_RD1])
    assert slugs[rd2] == slugs[BETA_B7] and ALPHA_RD1 not in slugs
    with pytest.raises(DecisionRefused, match="reject the wrong pair first"):
        decide(two.commons, ALPHA_RD1, BETA_B7, "accept", "test admin")  # one beta record, two alpha ones
    assert state_of(two.commons).decisions([ALPHA_RD1]) == {}


def test_a_preview_survives_a_restart_and_is_planned_again_from_the_kept_upload(tmp_path: Path) -> None:
    from datacommons.store import Commons
    from loaders.previews import preview_upload, replan
    from loaders.pipeline import commit_import

    from .conftest import make_world

    commons = Commons(tmp_path / "store", base=BASE)
    make_world(commons, tmp_path)
    preview, planned = preview_upload(commons, "beta", "beta.csv", BETA.encode())
    commons.close()
    reopened = Commons(tmp_path / "store")
    try:
        again, plan = replan(reopened, preview.id)
        assert plan is not planned and plan.diff.summary == planned.diff.summary == "3 added, 0 removed, 0 changed, 0 unchanged"
        commit_import(reopened, plan, ADMIN)
        assert ask(World(reopened, {}), f"ASK {{ <{RED_DOOR}> ?p ?o }}")
    finally:
        reopened.close()


def test_a_members_count_and_list_hold_its_records_not_the_canonical_coops(two: World) -> None:
    from endpoint.web import named_query_text as queries, query_text as internal_queries

    counts = {r["member"].value: int(r["coops"].value) for r in two.commons.query(queries.text("members"), ANONYMOUS)}
    assert counts == {f"{BASE}/id/member/alpha": 2, f"{BASE}/id/member/beta": 3}  # rd-3 is unlisted
    from pyoxigraph import NamedNode, Variable

    listed = two.commons.query(internal_queries.text("member-records"), ADMIN,
                               substitutions={Variable("member"): NamedNode(f"{BASE}/id/member/alpha")})
    assert {r["record"].value for r in listed} == {ALPHA_RD1, f"{BASE}/id/alpha/rd-2", f"{BASE}/id/alpha/rd-3"}
