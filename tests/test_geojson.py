"""GeoJSON as the SUSY/TransforMap map and OpenStreetMap exports publish it (features with OSM
tags), read without a converter; countries as people write them in their own languages; nested
JSON read through a mapping by dotted paths. The files are written here in those layouts (made
up, not SUSY's)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from datacommons.audience import ADMIN, ANONYMOUS
from datacommons.store import Commons
from loaders.concepts import ConceptIndex
from loaders.normalise import normalise_all
from loaders.pipeline import commit_import, plan_import
from loaders.readers import read
from loaders.record import InputError

from .conftest import BASE


def feature(properties: dict, geometry: dict | None = None, **extra) -> dict:
    return {"type": "Feature", "properties": properties, "geometry": geometry, **extra}


def point(longitude: float, latitude: float) -> dict:
    return {"type": "Point", "coordinates": [longitude, latitude]}


# In SUSY's layout: OSM tags, TransforMap's own keys, descriptions per language
BAKERY = feature({
    "name": "Bäckerei Kollektiv", "addr:street": "Hauptstraße", "addr:housenumber": "5",
    "addr:city": "Wien", "addr:postcode": "1010", "addr:country": "Österreich",
    "contact:website": "baeckerei-kollektiv.example.at", "contact:email": "hallo@baeckerei.example.at",
    "contact:phone": "01 234 5678", "opening_hours": "Mo-Fr 07:00-18:00",
    "description": "Eine Bäckerei im Kollektiv", "description:fr": "Une boulangerie collective",
    "SSEDAS_PARTNER": "RIPESS", "type_of_initiative": "bakery", "_id": "e98fb9126657fd09e8c7e4321700aaaa",
}, point(16.3725, 48.2083))
GARDEN = feature({
    "name": "Jardin Partagé", "addr:city": "Liège", "addr:country": "Belgique",
    "description:fr": "Un jardin partagé", "description:nl": "Een gedeelde tuin",
    "_id": "e98fb9126657fd09e8c7e4321700bbbb",
}, {"type": "Polygon", "coordinates": [[[5.5, 50.6], [5.6, 50.6], [5.6, 50.7], [5.5, 50.7], [5.5, 50.6]]]})
MARKET = feature({
    "name": "Kypros Market", "addr:country": "Cypres", "website": "https://kypros.example",
    "_id": "e98fb9126657fd09e8c7e4321700cccc",
}, point(33.3823, 35.1856))


@pytest.fixture(scope="module")
def concepts() -> ConceptIndex:
    return ConceptIndex.default()


def collection(*features: dict) -> str:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}, ensure_ascii=False)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load(path: Path, concepts: ConceptIndex, **options):
    result = read(path, **options)
    records, problems = normalise_all(result.records, concepts)
    return {r.name: r for r in records}, result.problems + problems, result


def test_a_susy_style_feature_collection_loads_with_its_osm_tags(tmp_path: Path, concepts: ConceptIndex) -> None:
    path = write(tmp_path, "susy.json", collection(BAKERY, GARDEN, MARKET))
    records, problems, result = load(path, concepts)
    assert result.kind == "geojson" and len(records) == 3
    bakery = records["Bäckerei Kollektiv"]
    assert (str(bakery.latitude), str(bakery.longitude)) == ("48.2083", "16.3725")  # as written
    assert (bakery.street, bakery.locality, bakery.postal_code, bakery.country) == (
        "Hauptstraße 5", "Wien", "1010", "AT")
    assert bakery.website == "https://baeckerei-kollektiv.example.at"
    assert bakery.email == "hallo@baeckerei.example.at"
    assert bakery.phone == "+4312345678"  # dialled from Austria, the record's country
    assert bakery.opening_hours == "Mo-Fr 07:00-18:00"
    assert bakery.local_id == "e98fb9126657fd09e8c7e4321700aaaa"
    assert records["Kypros Market"].website == "https://kypros.example"  # OSM's plain website tag
    # the keys no mapping reads are named once, not dropped in silence
    unread = [p for p in problems if p.position == "properties"]
    assert len(unread) == 1 and "'properties.SSEDAS_PARTNER'" in unread[0].message
    assert "'properties.type_of_initiative'" in unread[0].message


def test_one_description_per_language_is_kept_with_its_language_tag(tmp_path: Path, concepts: ConceptIndex) -> None:
    path = write(tmp_path, "susy.json", collection(BAKERY, GARDEN))
    records, _, _ = load(path, concepts)
    bakery, garden = records["Bäckerei Kollektiv"], records["Jardin Partagé"]
    assert bakery.description == "Eine Bäckerei im Kollektiv" and bakery.description_language is None
    assert bakery.translations == [("fr", "Une boulangerie collective")]
    # no description without a language: the first tagged one is the record's, with its tag
    assert (garden.description, garden.description_language) == ("Un jardin partagé", "fr")
    assert garden.translations == [("nl", "Een gedeelde tuin")]


def test_a_description_tagged_with_a_country_code_is_kept_with_a_warning(tmp_path: Path, concepts: ConceptIndex) -> None:
    greek = feature({"name": "Kalimera", "description:gr": "Καλημέρα", "addr:country": "Ελλάδα"}, point(23.7, 37.9))
    records, problems, _ = load(write(tmp_path, "gr.geojson", collection(greek)), concepts)
    assert records["Kalimera"].description == "Καλημέρα"
    assert records["Kalimera"].country == "GR"  # not Andorra: Greek letters count
    assert any(p.field == "properties.description:gr" and p.severity == "warning" and "ISO 639" in p.message
               for p in problems)


def test_a_polygon_is_placed_at_its_centroid_with_a_warning(tmp_path: Path, concepts: ConceptIndex) -> None:
    records, problems, _ = load(write(tmp_path, "garden.geojson", collection(GARDEN)), concepts)
    garden = records["Jardin Partagé"]
    assert (float(garden.latitude), float(garden.longitude)) == (pytest.approx(50.65), pytest.approx(5.55))
    warning = next(p for p in problems if p.field == "coordinates")
    assert warning.severity == "warning" and "Polygon" in warning.message and "centroid" in warning.message


@pytest.mark.parametrize("written, code", [
    ("Österreich", "AT"), ("England", "GB"), ("uk", "GB"), ("Belgique", "BE"), ("Portogallo", "PT"),
    ("Latvija", "LV"), ("România", "RO"), ("Ελλάδα", "GR"), ("Magyarország", "HU"),
])
def test_countries_written_in_their_own_languages_are_iso_codes(written: str, code: str, concepts: ConceptIndex) -> None:
    assert concepts.resolve("country", written) == code


def test_a_misspelt_country_is_read_as_the_closest_with_a_warning(tmp_path: Path, concepts: ConceptIndex) -> None:
    records, problems, _ = load(write(tmp_path, "market.geojson", collection(MARKET)), concepts)
    assert records["Kypros Market"].country == "CY"
    warning = next(p for p in problems if p.field == "country")
    assert warning.severity == "warning" and warning.value == "Cypres" and "Cyprus (CY)" in warning.message


def test_a_country_nothing_is_close_to_is_kept_as_written(tmp_path: Path, concepts: ConceptIndex) -> None:
    nowhere = feature({"name": "Nowhere Co-op", "addr:country": "Qwxzyland"}, point(0, 0))
    records, problems, _ = load(write(tmp_path, "n.geojson", collection(nowhere)), concepts)
    assert records["Nowhere Co-op"].country is None
    assert records["Nowhere Co-op"].country_written == "Qwxzyland"


def test_newline_delimited_features_are_read_and_named_by_line(tmp_path: Path, concepts: ConceptIndex) -> None:
    text = "\n".join(json.dumps(f, ensure_ascii=False) for f in (BAKERY, GARDEN, MARKET)) + "\n"
    records, problems, result = load(write(tmp_path, "susy.geojsonl", text), concepts)
    assert result.kind == "geojson" and len(records) == 3
    assert next(p for p in problems if p.field == "coordinates").position == "line 2"


def test_geojson_is_detected_by_content_whatever_the_file_is_called(tmp_path: Path, concepts: ConceptIndex) -> None:
    records, _, result = load(write(tmp_path, "export", collection(BAKERY)), concepts)
    assert result.kind == "geojson" and "Bäckerei Kollektiv" in records
    lines = "\n".join(json.dumps(f) for f in (BAKERY, MARKET))
    _, _, result = load(write(tmp_path, "export.ndjson", lines), concepts)
    assert result.kind == "geojson" and len(result.records) == 2


def test_format_geojson_refuses_a_file_that_is_not(tmp_path: Path) -> None:
    path = write(tmp_path, "records.json", json.dumps([{"name": "Not a feature"}]))
    with pytest.raises(InputError, match="not GeoJSON"):
        read(path, fmt="geojson")


def test_a_mapping_reads_other_properties_over_the_osm_tags(tmp_path: Path, concepts: ConceptIndex) -> None:
    mapping = write(tmp_path, "susy.toml", """
[source]
ignore = ["properties._id"]
[fields]
activities = { column = "properties.type_of_initiative", lookup = { values = { bakery = "ICA140" } } }
registration_id = "properties.SSEDAS_PARTNER"
""")
    path = write(tmp_path, "susy.json", collection(BAKERY))
    records, problems, _ = load(path, concepts, mapping=mapping)
    bakery = records["Bäckerei Kollektiv"]
    assert bakery.registration_id == "RIPESS" and bakery.activities[0].endswith("ICA140")
    assert bakery.locality == "Wien"  # the OSM tags are still read
    assert not [p for p in problems if p.position == "properties"]  # every key read or ignored


def test_nested_json_is_read_through_a_mapping_by_dotted_paths(tmp_path: Path, concepts: ConceptIndex) -> None:
    mapping = write(tmp_path, "nested.toml", """
[fields]
name = "org.name"
locality = "org.address.city"
email = "contacts.email"
""")
    data = [{"org": {"name": "Nested Co-op", "address": {"city": "Lyon"}},
             "contacts": [{"email": "a@nested.coop"}, {"email": "b@nested.coop"}]}]
    records, problems, _ = load(write(tmp_path, "nested.json", json.dumps(data)), concepts, mapping=mapping)
    nested = records["Nested Co-op"]
    assert (nested.locality, nested.email) == ("Lyon", "a@nested.coop")
    assert any(p.field == "email" and "b@nested.coop" in p.message for p in problems)


def test_nested_json_without_a_mapping_names_the_dotted_path_to_use(tmp_path: Path) -> None:
    path = write(tmp_path, "nested.json", json.dumps([{"name": "Nested Co-op", "locality": {"city": "Lyon"}}]))
    problems = read(path).problems
    assert any(p.position == "record 1" and "locality.KEY" in p.message for p in problems)


def test_a_geojson_import_stores_every_language_and_the_opening_hours(tmp_path: Path) -> None:
    commons = Commons(tmp_path / "store", base=BASE)
    try:
        commons.add_member("susy", "SUSY")
        path = write(tmp_path, "susy.geojson", collection(BAKERY, GARDEN, MARKET))
        plan = plan_import(commons, "susy", path)
        assert not plan.errors, [str(p) for p in plan.errors]
        commit_import(commons, plan, ADMIN)
        rows = commons.query(
            "SELECT ?d WHERE { ?s a <http://purl.org/essglobal/vocab/SSEInitiative> ; "
            "<http://purl.org/dc/terms/description> ?d }", ANONYMOUS)
        descriptions = {(r["d"].value, r["d"].language) for r in rows}
        assert descriptions == {
            ("Eine Bäckerei im Kollektiv", None), ("Une boulangerie collective", "fr"),
            ("Un jardin partagé", "fr"), ("Een gedeelde tuin", "nl"),
        }
        hours = commons.query("SELECT ?h WHERE { ?s <https://schema.org/openingHours> ?h }", ANONYMOUS)
        assert [r["h"].value for r in hours] == ["Mo-Fr 07:00-18:00"]
    finally:
        commons.close()
