"""Members name co-op kinds, activities and countries every which way; the commons must hear
the same concept each time."""
from __future__ import annotations

import pytest

from loaders.concepts import ConceptIndex, canonical_iri

OS = "http://purl.org/essglobal/standard/organisational-structure/"
ICA = "http://purl.org/essglobal/standard/activities-ica/"
COOP_STRUCTURE = "https://w3id.org/coop-commons/concept/structure/"


@pytest.fixture(scope="module")
def concepts() -> ConceptIndex:
    return ConceptIndex.default()


@pytest.mark.parametrize("text", [
    "worker co-op", "Workers cooperative", "Worker Co-operatives", "Coopérative de travail",
    "coopérative de travailleurs", "OS60", "os60", OS + "OS60",
    "https://lod.coop/essglobal/2.1/standard/organisational-structure/OS60",
    "https://lod.coop/essglobal/V2a/standard/organisational-structure/OS60",
    "https://w3id.solidarityeconomy.coop/essglobal/V2a/standard/organisational-structure/OS60",
])
def test_a_worker_coop_is_found_however_it_is_written(concepts: ConceptIndex, text: str) -> None:
    assert concepts.resolve("structure", text) == OS + "OS60"


@pytest.mark.parametrize("text, code", [
    ("consumer co-op", "OS80"),
    ("producer co-op", "OS90"),
    ("housing co-op", "OS70"),
    ("multi-stakeholder co-op", "OS100"),
    ("Solidarity co-op", "OS100"),
    ("Coopérative de solidarité", "OS100"),
    ("OS240", "OS240"),
])
def test_north_american_co_op_kinds_resolve_to_essglobal(concepts: ConceptIndex, text: str, code: str) -> None:
    assert concepts.resolve("structure", text) == OS + code


@pytest.mark.parametrize("text, local", [
    ("credit union", "credit-union"),
    ("Caisse populaire", "credit-union"),
    ("credit-union", "credit-union"),
    ("purchasing co-op", "purchasing"),
])
def test_kinds_essglobal_lacks_resolve_to_the_commons_own_concepts(
    concepts: ConceptIndex, text: str, local: str
) -> None:
    assert concepts.resolve("structure", text) == COOP_STRUCTURE + local


@pytest.mark.parametrize("text, code", [
    ("bakery", "ICA250"), ("Farming", "ICA10"), ("agriculture", "ICA10"), ("printing", "ICA90"),
    ("childcare", "ICA200"), ("housing", "ICA210"), ("banking", "ICA140"), ("finance", "ICA140"),
    ("energy", "ICA230"), ("utilities", "ICA230"), ("retail", "ICA240"), ("ICA140", "ICA140"),
    ("Services financiers", "ICA140"),
])
def test_everyday_activities_resolve_to_ica_activities(concepts: ConceptIndex, text: str, code: str) -> None:
    assert concepts.resolve("activity", text) == ICA + code


def test_activities_fall_back_to_the_other_essglobal_activity_schemes(concepts: ConceptIndex) -> None:
    assert concepts.resolve("activity", "AM10") == (
        "http://purl.org/essglobal/standard/activities-modified/AM10"
    )
    assert concepts.resolve("activity", "Arts, Media, Culture & Leisure") == (
        "http://purl.org/essglobal/standard/activities-modified/AM10"
    )
    assert concepts.resolve("activity", "a01") == "http://purl.org/essglobal/standard/activities/a01"


def test_grocery_is_the_commons_narrower_activity(concepts: ConceptIndex) -> None:
    assert concepts.resolve("activity", "Grocery co-op") == (
        "https://w3id.org/coop-commons/concept/activity/grocery"
    )


def test_other_concept_kinds_resolve(concepts: ConceptIndex) -> None:
    assert concepts.resolve("legal_form", "Cooperative").endswith("/legal-form/L2")
    assert concepts.resolve("membership_type", "BMT20").endswith("/base-membership-type/BMT20")
    assert concepts.resolve("membership_type", "workers").endswith("/base-membership-type/BMT30")
    assert concepts.resolve("qualifier", "Fair trade").endswith("/qualifiers/Fairtrade")


def test_a_concept_of_another_kind_is_not_accepted(concepts: ConceptIndex) -> None:
    assert concepts.resolve("structure", ICA + "ICA140") is None
    assert concepts.resolve("structure", "bakery") is None


@pytest.mark.parametrize("text, code", [
    ("Canada", "CA"), ("CA", "CA"), ("CAN", "CA"), ("canada ", "CA"), ("ca", "CA"),
    ("United States", "US"), ("USA", "US"), ("U.S.A.", "US"), ("Etats-Unis", "US"),
    ("États-Unis", "US"), ("Estados Unidos", "US"), ("united states of america", "US"),
    ("UK", "GB"), ("Deutschland", "DE"), ("Mexique", "MX"), ("Viet Nam", "VN"), ("Vietnam", "VN"),
    ("Iran", "IR"), ("Republic of Korea", "KR"), ("Bolivia", "BO"),
    ("http://purl.org/essglobal/standard/countries-iso/FR", "FR"),
])
def test_countries_resolve_to_iso_codes(concepts: ConceptIndex, text: str, code: str) -> None:
    assert concepts.resolve("country", text) == code


def test_an_ambiguous_or_unknown_country_is_not_guessed(concepts: ConceptIndex) -> None:
    assert concepts.resolve("country", "Korea") is None
    assert concepts.resolve("country", "Narnia") is None


def test_labels_come_in_the_asked_language_else_english(concepts: ConceptIndex) -> None:
    assert concepts.label(OS + "OS60") == "Workers cooperative"
    assert concepts.label(OS + "OS60", "fr") == "Coopératives de travail associé"
    assert concepts.label(OS + "OS110", "pt") == "Secondary cooperative"
    assert concepts.label("http://purl.org/essglobal/standard/countries-iso/CA") == "Canada"


def test_suggestions_name_the_closest_labels_with_codes(concepts: ConceptIndex) -> None:
    assert concepts.suggest("structure", "worker coperative")[0] == "Workers cooperative (OS60)"


def test_alternative_essglobal_bases_map_to_purl() -> None:
    assert canonical_iri("https://lod.coop/essglobal/2.1/vocab/SSEInitiative") == (
        "http://purl.org/essglobal/vocab/SSEInitiative"
    )
    assert canonical_iri("https://example.org/x") == "https://example.org/x"


def test_an_unknown_kind_is_a_programming_error(concepts: ConceptIndex) -> None:
    with pytest.raises(ValueError, match="unknown concept kind"):
        concepts.resolve("colour", "red")
