"""The publication policy splits each record into the member's public, members and private graphs."""
from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import NamedNode, Triple

from datacommons.audience import ADMIN, ANONYMOUS, SYSTEM, member_audience
from datacommons.fields import DEFAULT_POLICY, Level
from datacommons.policy import Policy, policy_from_triples, policy_triples
from datacommons.uris import Uris
from loaders.pipeline import republish

from .conftest import BASE, World


def values(world: World, audience, predicate: str) -> set[str]:
    result = world.commons.query(
        f"SELECT ?o WHERE {{ ?s <{predicate}> ?o }}", audience
    )
    return {s["o"].value for s in result}


EMAIL = "http://www.w3.org/2006/vcard/ns#hasEmail"
PHONE = "http://www.w3.org/2006/vcard/ns#hasTelephone"
STREET = "http://www.w3.org/2006/vcard/ns#street-address"
NAME = "http://purl.org/goodrelations/v1#name"
LOCALITY = "http://www.w3.org/2006/vcard/ns#locality"


def test_default_policy_keeps_contact_details_for_members(world: World) -> None:
    assert "Red Door Bakery Co-op" in values(world, ANONYMOUS, NAME)
    assert "Minneapolis" in values(world, ANONYMOUS, LOCALITY)
    assert values(world, ANONYMOUS, EMAIL) == set()
    assert values(world, ANONYMOUS, PHONE) == set()
    assert values(world, ANONYMOUS, STREET) == set()
    member = member_audience("beta")
    assert "mailto:info@reddoorbakery.coop" in values(world, member, EMAIL)
    assert "1 Main St" in values(world, member, STREET)


def test_unlisted_coop_is_invisible_to_the_public(world: World) -> None:
    assert "Quiet Housing Co-op" not in values(world, ANONYMOUS, NAME)
    assert "Quiet Housing Co-op" in values(world, member_audience("beta"), NAME)
    ask = f"ASK {{ <{BASE}/id/alpha/rd-3> ?p ?o }}"
    assert not bool(world.commons.query(ask, ANONYMOUS))


def test_private_field_is_visible_only_to_its_owner_and_administrators(world: World) -> None:
    commons = world.commons
    republish(commons, "alpha", commons.policy("alpha").changed({"phone": Level.PRIVATE}))
    phone = "tel:+16125550142"
    assert phone in values(world, member_audience("alpha"), PHONE)
    assert phone in values(world, ADMIN, PHONE)
    assert phone not in values(world, member_audience("beta"), PHONE)
    assert phone not in values(world, ANONYMOUS, PHONE)


def test_changing_the_policy_republishes_and_is_stored_as_data(world: World) -> None:
    commons = world.commons
    republish(commons, "alpha", commons.policy("alpha").changed({"email": Level.PUBLIC}))
    assert "mailto:info@reddoorbakery.coop" in values(world, ANONYMOUS, EMAIL)
    policy = commons.policy("alpha")
    assert policy.level("email") is Level.PUBLIC and policy.version == 1
    rule = commons.query(
        f"SELECT ?level WHERE {{ <{BASE}/id/member/alpha/policy> <https://w3id.org/coop-commons/vocab#rule> ?rule . "
        "?rule <https://w3id.org/coop-commons/vocab#field> \"email\" ; "
        "<https://w3id.org/coop-commons/vocab#level> ?level }",
        ANONYMOUS,
    )
    assert [s["level"].value for s in rule] == ["https://w3id.org/coop-commons/vocab#public"]


def test_a_record_whose_values_are_all_private_does_not_exist_for_the_public(
    world: World, tmp_path: Path
) -> None:
    commons = world.commons
    everything_private = {name: Level.PRIVATE for name in commons.policy("alpha").levels}
    republish(commons, "alpha", commons.policy("alpha").changed(everything_private))
    count = commons.query(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{BASE}/graph/alpha/public> {{ ?s ?p ?o }} }}",
        ADMIN,
    )
    assert [s["n"].value for s in count] == ["0"]
    assert values(world, member_audience("alpha"), NAME) >= {"Red Door Bakery Co-op"}


HAS_ADDRESS = "http://purl.org/essglobal/vocab/hasAddress"
ADDRESS_FIELDS = ("street", "locality", "region", "postal_code", "country")
RECORD = f"{BASE}/id/alpha/rd-1"


@pytest.mark.parametrize("level", [Level.MEMBERS, Level.PRIVATE])
def test_an_address_kept_at_a_level_of_its_own_does_not_exist_for_those_below_it(
    world: World, level: Level
) -> None:
    """The record stays public (its name is public) but its address fields are members-only
    (or private): neither the link to the address nor the address node reaches an audience
    that may not read that level, not even as a bare `hasAddress` or the node's type."""
    commons = world.commons
    republish(commons, "alpha", commons.policy("alpha").changed({f: level for f in ADDRESS_FIELDS}))
    sees_address = {
        "anonymous": False,
        "beta": level is Level.MEMBERS,
        "alpha": True,
        "admin": True,
    }
    for name, audience in (("anonymous", ANONYMOUS), ("beta", member_audience("beta")),
                           ("alpha", member_audience("alpha")), ("admin", ADMIN)):
        about = commons.quads_about(RECORD, audience)
        assert "Red Door Bakery Co-op" in {q.object.value for q in about}, name
        links = [q for q in about if q.predicate.value == HAS_ADDRESS]
        address = commons.quads_about(f"{RECORD}#address", audience)
        if sees_address[name]:
            assert [q.object.value for q in links] == [f"{RECORD}#address"], name
            assert "Minneapolis" in {q.object.value for q in address}, name
            assert {q.graph_name.value for q in links + address} == {f"{BASE}/graph/alpha/{level.value}"}
        else:
            assert links == [] and address == [], name
    public = commons.quads_in([f"{BASE}/graph/alpha/public"], SYSTEM)
    assert not [q for q in public if "#" in q.subject.value or q.predicate.value == HAS_ADDRESS]


def test_an_address_with_a_public_field_is_linked_in_public_with_only_that_field(world: World) -> None:
    """The default policy: the locality is public, the street members-only. The address node
    and its link are public, the street is not."""
    commons = world.commons
    public = commons.quads_about(f"{RECORD}#address", ANONYMOUS)
    assert "Minneapolis" in {q.object.value for q in public}
    assert "1 Main St" not in {q.object.value for q in public}
    assert f"{RECORD}#address" in {q.object.value for q in commons.quads_about(RECORD, ANONYMOUS)}
    member = commons.quads_about(f"{RECORD}#address", member_audience("beta"))
    assert "1 Main St" in {q.object.value for q in member}


def test_a_policy_change_naming_an_unknown_field_is_refused_and_changes_nothing(world: World) -> None:
    commons = world.commons
    before = commons.policy("alpha")
    with pytest.raises(ValueError, match="unknown field.*colour"):
        before.changed({"colour": Level.PUBLIC, "email": Level.PUBLIC})
    assert commons.policy("alpha") == before
    assert before.changed({"email": Level.PUBLIC}).level("email") is Level.PUBLIC


def test_a_stored_policy_reads_back_as_it_was_written() -> None:
    uris = Uris(BASE)
    written = Policy("alpha", {**DEFAULT_POLICY, "email": Level.PUBLIC, "name": Level.PRIVATE}, 3,
                     "2026-01-02T03:04:05+00:00")
    others = policy_triples(Policy("beta", {**DEFAULT_POLICY, "phone": Level.PUBLIC}, 7, "2025-01-01T00:00:00+00:00"), uris)
    assert policy_from_triples("alpha", policy_triples(written, uris) + others, uris) == written
    # A policy naming one field: the others keep their default.
    only_email = [t for t in policy_triples(written, uris)
                  if "#" not in t.subject.value or t.subject.value.endswith("#email")]
    read = policy_from_triples("alpha", only_email, uris)
    assert read.level("email") is Level.PUBLIC and read.level("name") is Level.PUBLIC
    assert read.level("phone") is DEFAULT_POLICY["phone"] and read.version == 3


def test_a_stored_policy_with_an_unknown_level_is_refused_naming_it() -> None:
    uris = Uris(BASE)
    triples = policy_triples(Policy("alpha"), uris)
    secret = NamedNode("https://w3id.org/coop-commons/vocab#secret")
    tampered = [Triple(t.subject, t.predicate, secret) if t.subject.value.endswith("#email")
                and t.predicate.value.endswith("#level") else t for t in triples]
    with pytest.raises(ValueError, match=r"'email'.*vocab#secret"):
        policy_from_triples("alpha", tampered, uris)


def test_a_record_whose_values_are_all_private_does_not_exist_for_members_either(world: World) -> None:
    """Not even its type, who lists it or its id reach the members' graph."""
    commons = world.commons
    everything_private = {name: Level.PRIVATE for name in commons.policy("alpha").levels}
    republish(commons, "alpha", commons.policy("alpha").changed(everything_private))
    assert list(commons.quads_in([f"{BASE}/graph/alpha/members"], SYSTEM)) == []
    for rd in ("rd-1", "rd-2", "rd-3"):
        for audience in (ANONYMOUS, member_audience("beta")):
            assert commons.quads_about(f"{BASE}/id/alpha/{rd}", audience) == [], (rd, audience)
        own = commons.quads_about(f"{BASE}/id/alpha/{rd}", member_audience("alpha"))
        assert {q.graph_name.value for q in own} == {f"{BASE}/graph/alpha/private"}
