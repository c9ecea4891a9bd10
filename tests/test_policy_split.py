"""The publication policy splits each record into the member's public, members and private graphs."""
from __future__ import annotations

from pathlib import Path

from datacommons.audience import ADMIN, ANONYMOUS, member_audience
from datacommons.fields import Level
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
