"""Whatever a member typed, the commons stores one clean spelling of it, or tells the member
exactly which row, field and value to fix."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from loaders.concepts import ConceptIndex
from loaders.normalise import founding_date, normalise, normalise_all
from loaders.record import Problem, RawRecord, Record

OS = "http://purl.org/essglobal/standard/organisational-structure/"
ICA = "http://purl.org/essglobal/standard/activities-ica/"


@pytest.fixture(scope="module")
def concepts() -> ConceptIndex:
    return ConceptIndex.default()


def clean(concepts: ConceptIndex, **values: str) -> Record:
    record, problems = normalise(RawRecord("row 7", {"name": "Co-op", **values}), concepts)
    assert record is not None, problems
    assert [p for p in problems if p.severity == "error"] == []
    return record


def error(concepts: ConceptIndex, **values: str) -> Problem:
    """The one error a record has; the record itself is not kept."""
    record, problems = normalise(RawRecord("row 7", {"name": "Co-op", **values}), concepts)
    errors = [p for p in problems if p.severity == "error"]
    assert record is None and len(errors) == 1, problems
    assert errors[0].position == "row 7"
    return errors[0]


# --- name and id ----------------------------------------------------------------------------------
def test_a_record_without_a_name_is_an_error(concepts: ConceptIndex) -> None:
    record, problems = normalise(RawRecord("row 4", {"id": "x", "name": "   "}), concepts)
    assert record is None
    assert [(p.position, p.field, p.message) for p in problems] == [("row 4", "name", "a record needs a name")]


def test_runs_of_spaces_in_names_collapse(concepts: ConceptIndex) -> None:
    assert clean(concepts, name="  Mountain   Equipment\tCo-op ").name == "Mountain Equipment Co-op"


def test_a_record_without_an_id_gets_the_same_id_on_every_import(concepts: ConceptIndex) -> None:
    first = clean(concepts, name="Café Rebelde", locality="Montréal")
    again = clean(concepts, name="Café  Rebelde ", locality="Montréal")
    assert first.local_id == again.local_id == "cafe-rebelde-montreal"


def test_member_ids_become_url_safe_keeping_their_case(concepts: ConceptIndex) -> None:
    assert clean(concepts, id="R000123").local_id == "R000123"
    assert clean(concepts, id=" Café 12/B ").local_id == "Cafe-12-B"
    assert clean(concepts, id="Cafe-12-B").local_id == "Cafe-12-B"  # stable when applied again


def test_an_id_with_nothing_usable_is_an_error(concepts: ConceptIndex) -> None:
    problem = error(concepts, id="???")
    assert (problem.field, problem.value) == ("id", "???")


def test_an_id_used_twice_is_an_error_naming_both_rows(concepts: ConceptIndex) -> None:
    raws = [
        RawRecord("row 3", {"id": "x", "name": "First"}),
        RawRecord("row 5", {"id": "y", "name": "Other"}),
        RawRecord("row 9", {"id": "x", "name": "Second"}),
    ]
    records, problems = normalise_all(raws, concepts)
    assert [r.name for r in records] == ["First", "Other"]
    [problem] = problems
    assert (problem.position, problem.field) == ("row 9", "id")
    assert problem.message == "id 'x' is used by row 3 and row 9"


def test_two_records_without_ids_and_the_same_name_and_town_must_be_given_ids(concepts: ConceptIndex) -> None:
    raws = [RawRecord(f"row {n}", {"name": "Co-op Store", "locality": "Ames"}) for n in (2, 6)]
    _, [problem] = normalise_all(raws, concepts)
    assert "row 2 and row 6" in problem.message and "give them ids" in problem.message


# --- contact --------------------------------------------------------------------------------------
@pytest.mark.parametrize("given, stored", [
    ("arizmendi.coop", "https://arizmendi.coop"),
    ("www.Arizmendi.COOP/About Us", "https://www.arizmendi.coop/About%20Us"),
    ("HTTP://Coop.org:8080/x?a=1", "http://coop.org:8080/x?a=1"),
    ("https://coopérative.ca", "https://coopérative.ca"),
])
def test_websites_get_a_scheme_and_a_lower_case_host(concepts: ConceptIndex, given: str, stored: str) -> None:
    assert clean(concepts, website=given).website == stored


def kept_as_written(concepts: ConceptIndex, field: str, **values: str) -> Problem:
    """The record loads, the value is kept as written, and one warning names it."""
    record, problems = normalise(RawRecord("row 7", {"name": "Co-op", **values}), concepts)
    assert record is not None, problems
    [warning] = problems
    assert (warning.severity, warning.field, warning.value) == ("warning", field, values[field])
    assert "kept as written" in warning.message
    assert field in record.as_written and getattr(record, field) == values[field]
    return warning


@pytest.mark.parametrize("given", ["ftp://coop.org", "mailto:info@coop.org", "http://", "not a website", "https://coop"])
def test_websites_that_are_not_web_addresses_are_kept_as_written_with_a_warning(concepts: ConceptIndex, given: str) -> None:
    kept_as_written(concepts, "website", website=given)


def test_emails_lose_mailto_and_get_a_lower_case_domain(concepts: ConceptIndex) -> None:
    assert clean(concepts, email="MAILTO:Info@Arizmendi.COOP").email == "Info@arizmendi.coop"


@pytest.mark.parametrize("given", ["info at coop.org", "info@", "@coop.org", "info@coop", "a..b@coop.org"])
def test_malformed_emails_are_kept_as_written_with_a_warning(concepts: ConceptIndex, given: str) -> None:
    kept_as_written(concepts, "email", email=given)


def test_a_cell_with_two_emails_keeps_the_first_with_a_warning(concepts: ConceptIndex) -> None:
    record, [warning] = normalise(RawRecord("row 2", {"name": "A", "email": "a@x.org, b@x.org"}), concepts)
    assert record is not None and record.email == "a@x.org"
    assert warning.severity == "warning" and "b@x.org" in warning.message


@pytest.mark.parametrize("values, stored", [
    ({"phone": "(514) 555-0100", "country": "Canada"}, "+15145550100"),
    ({"phone": "+1 514 555 0100"}, "+15145550100"),  # no country: international numbers only
    ({"phone": "0044 20 7946 0958"}, "+442079460958"),
    ({"phone": "020 7946 0958", "country": "UK"}, "+442079460958"),
    ({"phone": "+33 1 23 45 67 89", "country": "CA"}, "+33123456789"),
    ({"phone": "tel:+15145550100"}, "+15145550100"),
])
def test_phones_are_stored_in_e164(concepts: ConceptIndex, values: dict[str, str], stored: str) -> None:
    assert clean(concepts, **values).phone == stored


@pytest.mark.parametrize("given", ["123", "call us", "020 7946 0958", "+1 555 0100", "(555) 0100"])
def test_phones_no_numbering_plan_accepts_are_kept_as_written_with_a_warning(concepts: ConceptIndex, given: str) -> None:
    kept_as_written(concepts, "phone", phone=given, country="US")


def test_a_phone_without_a_country_is_kept_as_written_not_read_as_american(concepts: ConceptIndex) -> None:
    warning = kept_as_written(concepts, "phone", phone="514.555.0100")
    assert "no country to read it from" in warning.message


def test_a_phone_without_a_country_is_read_from_the_sources_default_country(concepts: ConceptIndex) -> None:
    raw = RawRecord("row 2", {"name": "A", "phone": "01 23 45 67 89"}, {"phone_country": "FR"})
    record, problems = normalise(raw, concepts)
    assert record is not None and record.phone == "+33123456789" and problems == []


def test_a_second_website_is_kept_as_a_further_page_with_a_warning(concepts: ConceptIndex) -> None:
    record, [warning] = normalise(RawRecord("row 2", {"name": "A", "website": "a.coop;b.coop"}), concepts)
    assert record is not None
    assert (record.website, record.pages) == ("https://a.coop", ["https://b.coop"])
    assert warning.severity == "warning" and "kept 'a.coop'" in warning.message


def test_a_second_phone_is_left_out_with_a_warning(concepts: ConceptIndex) -> None:
    raw = RawRecord("row 2", {"name": "A", "phone": "020 7946 0958; 020 7946 0959", "country": "GB"})
    record, [warning] = normalise(raw, concepts)
    assert record is not None and record.phone == "+442079460958"
    assert warning.severity == "warning" and "020 7946 0959" in warning.message


def test_a_phone_extension_is_left_out_with_a_warning(concepts: ConceptIndex) -> None:
    record, [warning] = normalise(RawRecord("row 2", {"name": "A", "phone": "613-555-0142 ext. 23", "country": "CA"}), concepts)
    assert record is not None and record.phone == "+16135550142"
    assert warning.severity == "warning" and "23" in warning.message


# --- place ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("given", ["Canada", "CA", "CAN", "canada ", "Kanada"])
def test_countries_become_iso_codes(concepts: ConceptIndex, given: str) -> None:
    assert clean(concepts, country=given).country == "CA"


def test_a_misspelt_country_is_read_as_the_one_close_name_with_a_warning_saying_so(concepts: ConceptIndex) -> None:
    record, [warning] = normalise(RawRecord("row 7", {"name": "A", "country": "Cnada"}), concepts)
    assert record is not None and (record.country, record.country_written) == ("CA", None)
    assert (warning.severity, warning.field, warning.value) == ("warning", "country", "Cnada")
    assert "Canada (CA)" in warning.message


def test_an_unknown_country_is_kept_as_its_name_with_a_warning(concepts: ConceptIndex) -> None:
    record, [warning] = normalise(RawRecord("row 7", {"name": "A", "country": "Atlantis"}), concepts)
    assert record is not None and (record.country, record.country_written) == (None, "Atlantis")
    assert (warning.severity, warning.field, warning.value) == ("warning", "country", "Atlantis")


def test_postal_codes_are_upper_case_and_addresses_single_spaced(concepts: ConceptIndex) -> None:
    record = clean(concepts, postal_code=" k1r  7s8", street="12  Main   St", locality=" Ottawa ")
    assert (record.postal_code, record.street, record.locality) == ("K1R 7S8", "12 Main St", "Ottawa")


def test_coordinates_accept_a_decimal_comma(concepts: ConceptIndex) -> None:
    record = clean(concepts, latitude="45,5", longitude="-73.5673")
    assert (record.latitude, record.longitude) == (Decimal("45.5"), Decimal("-73.5673"))


@pytest.mark.parametrize("field, value", [
    ("latitude", "91"), ("latitude", "-90.5"), ("longitude", "180.1"), ("longitude", "east"),
])
def test_coordinates_out_of_range_or_not_numbers_are_errors(concepts: ConceptIndex, field: str, value: str) -> None:
    other = "longitude" if field == "latitude" else "latitude"
    problem = error(concepts, **{field: value, other: "10"})
    assert (problem.field, problem.value) == (field, value)


def test_a_latitude_without_a_longitude_is_an_error(concepts: ConceptIndex) -> None:
    problem = error(concepts, latitude="45.5")
    assert problem.field == "longitude" and "latitude needs a longitude" in problem.message


# --- dates and numbers ----------------------------------------------------------------------------
@pytest.mark.parametrize("given, stored", [
    ("1863", "1863"),
    ("1863.0", "1863"),
    ("1863-11", "1863-11"),
    ("1863-11-08", "1863-11-08"),
    ("1863-11-08 00:00:00", "1863-11-08"),
    ("11/8/1863", "1863-11-08"),  # US month/day/year
    ("25/12/1990", "1990-12-25"),  # over 12: day/month/year
    ("Nov 8, 1863", "1863-11-08"),
    ("November 8th, 1863", "1863-11-08"),
    ("8 Nov 1863", "1863-11-08"),
    ("Sept. 3, 1990", "1990-09-03"),
    ("November 1863", "1863-11"),
])
def test_founding_dates_in_every_common_form(given: str, stored: str) -> None:
    assert founding_date(given) == stored


@pytest.mark.parametrize("given, reason", [
    ("1650", "before 1700"),
    (str(date.today().year + 1), "in the future"),
    ("2/30/1990", "no such date"),
    ("13/13/1990", "no such date"),
    ("long ago", "not a date"),
])
def test_impossible_founding_dates_are_errors(concepts: ConceptIndex, given: str, reason: str) -> None:
    problem = error(concepts, founded=given)
    assert (problem.field, problem.value) == ("founded", given)
    assert reason in problem.message


@pytest.mark.parametrize("given, stored", [("12", 12), ("1,200", 1200), ("1 200", 1200), ("0", 0), ("40.0", 40)])
def test_head_counts_are_whole_numbers(concepts: ConceptIndex, given: str, stored: int) -> None:
    assert clean(concepts, workers=given).workers == stored
    assert clean(concepts, members=given).members == stored


@pytest.mark.parametrize("field", ["workers", "members"])
@pytest.mark.parametrize("given", ["12.5", "-3", "about 10", "1,20"])
def test_head_counts_that_are_not_whole_numbers_are_errors(concepts: ConceptIndex, field: str, given: str) -> None:
    problem = error(concepts, **{field: given})
    assert (problem.field, problem.value) == (field, given)


@pytest.mark.parametrize("given, listed", [
    ("", True), ("true", True), ("Yes", True), ("y", True), ("1", True),
    ("false", False), ("NO", False), ("n", False), ("0", False),
])
def test_listed_reads_spreadsheet_yes_and_no(concepts: ConceptIndex, given: str, listed: bool) -> None:
    assert clean(concepts, listed=given).listed is listed


def test_listed_must_be_yes_or_no(concepts: ConceptIndex) -> None:
    problem = error(concepts, listed="maybe")
    assert (problem.field, problem.value) == ("listed", "maybe")


# --- concepts -------------------------------------------------------------------------------------
def test_concept_fields_resolve_to_iris_as_a_sorted_set(concepts: ConceptIndex) -> None:
    record = clean(
        concepts, structure="worker co-op;OS60", activities="retail;bakery", primary_activity="bakery",
        legal_form="Cooperative", membership_type="Workers", qualifiers="Organic",
    )
    assert record.structure == [OS + "OS60"]
    assert record.activities == [ICA + "ICA240", ICA + "ICA250"]
    assert record.primary_activity == ICA + "ICA250"
    assert record.legal_form.endswith("/legal-form/L2")
    assert record.membership_type.endswith("/BMT30")
    assert record.qualifiers == ["http://purl.org/essglobal/standard/qualifiers/Organic"]


@pytest.mark.parametrize("field, value, suggestion", [
    ("structure", "wrker coop", "Workers cooperative (OS60)"),
    ("activities", "Financial Servics", "Financial Services (ICA140)"),
    ("primary_activity", "Retial", "Retail (ICA240)"),
    ("legal_form", "Cooprative", "Cooperative (L2)"),
    ("membership_type", "Producerz", "Producers (BMT20)"),
    ("qualifiers", "Organik", "Organic (Organic)"),
])
def test_an_unknown_concept_is_an_error_naming_it_and_suggesting_labels(
    concepts: ConceptIndex, field: str, value: str, suggestion: str
) -> None:
    problem = error(concepts, **{field: value})
    assert (problem.field, problem.value) == (field, value)
    assert suggestion in problem.message


def test_a_one_value_concept_field_with_two_values_is_an_error(concepts: ConceptIndex) -> None:
    problem = error(concepts, legal_form="L2;L3")
    assert problem.field == "legal_form" and "holds one value" in problem.message


# --- social links and the rest --------------------------------------------------------------------
def test_social_links_are_urls_and_at_handles_are_twitter(concepts: ConceptIndex) -> None:
    record = clean(concepts, social="@arizmendi;facebook.com/Arizmendi;@arizmendi")
    assert record.social == ["https://facebook.com/Arizmendi", "https://twitter.com/arizmendi"]


def test_a_social_link_that_is_not_a_url_is_an_error(concepts: ConceptIndex) -> None:
    problem = error(concepts, social="ftp://x.org")
    assert (problem.field, problem.value) == ("social", "ftp://x.org")


def test_every_error_of_a_record_is_reported_at_once(concepts: ConceptIndex) -> None:
    raw = RawRecord("row 12", {"name": "A", "latitude": "95", "longitude": "1", "workers": "-1", "founded": "someday"})
    record, problems = normalise(raw, concepts)
    assert record is None
    assert sorted((p.position, p.field) for p in problems) == [
        ("row 12", "founded"), ("row 12", "latitude"), ("row 12", "workers"),
    ]
    assert str(problems[0]).startswith("error: row 12, field ")
