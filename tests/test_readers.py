"""A member hands over its directory as whatever its software exports; the commons reads it and
points at rows and columns the member can find in their own file."""
from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import Dataset, NamedNode, Quad, RdfFormat, parse, serialize

from datacommons.uris import Uris
from loaders.concepts import ConceptIndex
from loaders.encoding import decode
from loaders.mapping import join_values, load_mapping, split_values
from loaders.normalise import normalise_all
from loaders.readers import raw_records_from_rdf, read
from loaders.record import InputError, RawRecord, Record
from loaders.tordf import record_triples

FIXTURES = Path(__file__).parent / "fixtures" / "input"
OS = "http://purl.org/essglobal/standard/organisational-structure/"
ICA = "http://purl.org/essglobal/standard/activities-ica/"


def by_position(records: list[RawRecord]) -> dict[str, dict[str, str]]:
    return {r.position: r.values for r in records}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- encodings ---------------------------------------------------------------------------------
def test_utf8_with_and_without_a_bom_is_read_as_utf8() -> None:
    assert decode("Coopérative".encode()).encoding == "utf-8"
    bom = decode(b"\xef\xbb\xbf" + "Coopérative".encode())
    assert (bom.text, bom.encoding) == ("Coopérative", "utf-8-sig")


def test_windows_1252_then_latin1_when_utf8_fails() -> None:
    cp = decode("Coopérative – “quoted”".encode("windows-1252"))
    assert (cp.text, cp.encoding) == ("Coopérative – “quoted”", "windows-1252")
    latin = decode(b"Coop\xe9rative \x81")  # 0x81 is undefined in Windows-1252
    assert (latin.text, latin.encoding) == ("Coopérative \x81", "latin-1")


def test_excel_unicode_text_is_utf16() -> None:
    decoded = decode("name\tlocality\r\nCafé\tQuébec\r\n".encode("utf-16"))
    assert decoded.encoding == "utf-16" and decoded.text.startswith("name\tlocality")


# --- the commons template ------------------------------------------------------------------------
def test_template_csv_is_read_without_a_mapping() -> None:
    result = read(FIXTURES / "template.csv")
    assert result.kind == "template"
    assert result.problems == []
    rows = by_position(result.records)
    assert list(rows) == ["row 2", "row 3"]
    assert rows["row 2"]["activities"] == "bakery;retail"
    assert rows["row 3"]["country"] == "Canada"
    assert "street" not in rows["row 3"]  # an empty cell is an absent value
    assert "members" not in result.columns and "workers" in result.columns


def test_a_messy_utf8_file_with_bom_reads_cleanly_with_true_row_numbers() -> None:
    result = read(FIXTURES / "messy-bom.csv")
    assert (result.kind, result.encoding) == ("template", "utf-8-sig")
    assert result.source_columns[:2] == ["Name", "ID"]  # header matched without case or spaces
    rows = by_position(result.records)
    # records spanning lines 2-3 and 4-6 push the next ones down; empty rows are skipped
    assert list(rows) == ["row 2", "row 4", "row 9"]
    assert rows["row 2"]["name"] == "Mountain   Equipment   Co-op"  # the normaliser collapses runs
    assert rows["row 2"]["description"] == "Outdoor gear & clothing,\nmember-owned since 1971"
    assert rows["row 2"]["postal_code"] == "v6b 1b4"
    assert rows["row 4"]["name"] == "Café Rebelde"
    assert rows["row 4"]["description"] == "Line one\n\nline three"
    assert "website" not in rows["row 4"]
    [problem] = result.problems
    assert problem.position == "row 7" and "7 cells but the header has 6 columns" in problem.message


def test_a_windows_1252_file_keeps_its_accents() -> None:
    result = read(FIXTURES / "messy-windows-1252.csv")
    assert result.encoding == "windows-1252"
    rows = by_position(result.records)
    assert rows["row 2"]["name"] == "Coopérative de travail Ébène"
    assert rows["row 3"]["locality"] == "Québec"


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_semicolon_and_tab_delimited_files_are_recognised(tmp_path: Path, delimiter: str) -> None:
    path = write(tmp_path, "coops.csv", delimiter.join(["name", "locality", "activities"]) + "\n"
                 + delimiter.join(['"Le Cercle, coop"', "Montréal", '"bakery;retail"']) + "\n")
    [record] = read(path).records
    assert record.values == {"name": "Le Cercle, coop", "locality": "Montréal", "activities": "bakery;retail"}


def test_html_entities_are_decoded_but_bare_ampersands_in_urls_are_kept(tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", "name,website\nBread &amp; Roses &#8211; Caf&eacute;,"
                 "https://x.org/?a=1&copy=2\n")
    [record] = read(path).records
    assert record.values == {"name": "Bread & Roses – Café", "website": "https://x.org/?a=1&copy=2"}


def test_unknown_columns_without_a_mapping_are_refused_by_name() -> None:
    with pytest.raises(InputError) as e:
        read(FIXTURES / "ncba-export.csv")
    message = str(e.value)
    assert "'Co-op Name'" in message and "'Industry'" in message and "--mapping" in message


def test_a_template_csv_with_one_stray_column_names_just_that_column(tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", "name,locality,notes\nA,B,C\n")
    with pytest.raises(InputError, match=r"unknown columns 'notes' \(not template columns\)"):
        read(path)


def test_a_header_without_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no 'name' column"):
        read(write(tmp_path, "c.csv", "id,locality\n1,Oakland\n"))


def test_a_column_given_twice_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="column 'Name' twice"):
        read(write(tmp_path, "c.csv", "name,Name\nA,B\n"))


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="empty"):
        read(write(tmp_path, "c.csv", ""))


# --- the community standard CSV ------------------------------------------------------------------
def test_the_standard_csv_is_read_through_its_built_in_mapping() -> None:
    result = read(FIXTURES / "standard.csv")
    assert result.kind == "standard"
    assert result.problems == []
    rows = by_position(result.records)
    suma = rows["row 2"]
    assert suma["id"] == "R000001"
    assert suma["structure"] == "OS60"
    assert suma["activities"] == "ICA260;ICA240"
    assert suma["postal_code"] == "HX5 9DB" and suma["country"] == "GB"
    assert suma["registration_id"] == "IP23077R"
    assert suma["membership_type"] == "BMT30"
    assert suma["social"] == "https://twitter.com/SumaWholefoods;https://facebook.com/SumaWholefoods"
    assert (suma["latitude"], suma["longitude"]) == ("53.6896", "-1.8319")
    unicorn = rows["row 3"]
    # no coordinates of its own: those of its geo container (the postcode)
    assert (unicorn["latitude"], unicorn["longitude"]) == ("53.4433", "-2.2765")
    assert unicorn["social"] == "https://twitter.com/unicorngrocery"


def test_an_older_standard_csv_without_the_newer_columns_is_still_recognised(tmp_path: Path) -> None:
    path = write(tmp_path, "old.csv", "Identifier,Name,Country Name,Postcode\nR1,Suma,United Kingdom,HX5 9DB\n")
    result = read(path)
    assert result.kind == "standard"
    assert result.records[0].values == {
        "id": "R1", "name": "Suma", "country": "United Kingdom", "postal_code": "HX5 9DB",
    }


# --- column mappings -----------------------------------------------------------------------------
def test_an_ncba_export_is_read_through_a_mapping_with_the_ncba_lookup_table() -> None:
    result = read(FIXTURES / "ncba-export.csv", mapping=FIXTURES / "ncba-mapping.toml")
    assert result.kind == "mapped"
    rows = by_position(result.records)
    assert rows["row 2"] == {
        "name": "Equal Exchange", "street": "50 United Drive", "locality": "West Bridgewater",
        "region": "MA", "postal_code": "02379", "country": "US", "website": "equalexchange.coop",
        "structure": "OS60", "activities": "ICA250",
    }
    assert rows["row 3"]["street"] == "1745 Folsom St, Suite 2"
    assert rows["row 3"]["activities"] == "ICA240"  # Retail and Restaurants both map to it
    assert rows["row 4"]["structure"] == "purchasing"
    assert "activities" not in rows["row 5"]
    [warning] = result.problems
    assert (warning.position, warning.field, warning.value, warning.severity) == (
        "row 5", "activities", "Space Tourism", "warning",
    )


def test_the_worked_example_in_the_docs_normalises_as_documented() -> None:
    result = read(FIXTURES / "ncba-export.csv", mapping=FIXTURES / "ncba-mapping.toml")
    records, problems = normalise_all(result.records, ConceptIndex.default())
    assert problems == []
    assert [(r.local_id, r.structure, r.activities) for r in records] == [
        ("equal-exchange-west-bridgewater", [OS + "OS60"], [ICA + "ICA250"]),
        ("rainbow-grocery-san-francisco", [OS + "OS60"], [ICA + "ICA240"]),
        ("frontier-co-op-norway", ["https://w3id.org/coop-commons/concept/structure/purchasing"], [ICA + "ICA260"]),
        ("mystery-co-op-springfield", [OS + "OS80"], []),
    ]


def ncba_mapping(tmp_path: Path, activities: str, extra: str = "") -> Path:
    return write(tmp_path, "m.toml", f"""
[fields]
name = "Co-op Name"
{extra}
[fields.activities]
{activities}
""")


def test_an_unmatched_lookup_value_can_be_an_error_naming_row_field_and_value(tmp_path: Path) -> None:
    mapping = ncba_mapping(tmp_path, 'column = "Industry"\nsplit = ","\n'
                           'lookup = { file = "ncba_ncba-industry-to-ica-activity", unmatched = "error" }')
    result = read(FIXTURES / "ncba-export.csv", mapping=mapping)
    errors = [p for p in result.problems if p.severity == "error"]
    assert [(p.position, p.field, p.value) for p in errors] == [("row 5", "activities", "Space Tourism")]


def test_unmatched_lookup_values_are_kept_by_default(tmp_path: Path) -> None:
    mapping = ncba_mapping(tmp_path, 'column = "Industry"\nlookup = "ncba_ncba-industry-to-ica-activity"')
    rows = by_position(read(FIXTURES / "ncba-export.csv", mapping=mapping).records)
    assert rows["row 5"]["activities"] == "Space Tourism"
    assert rows["row 2"]["activities"] == "ICA250"


def test_columns_a_mapping_neither_reads_nor_ignores_are_reported_once(tmp_path: Path) -> None:
    mapping = ncba_mapping(tmp_path, 'column = "Industry"')
    result = read(FIXTURES / "ncba-export.csv", mapping=mapping)
    [warning] = result.problems
    assert warning.position == "header" and "'Address 1'" in warning.message and "'Notes'" in warning.message


def test_a_lookup_table_next_to_the_mapping_file(tmp_path: Path) -> None:
    write(tmp_path, "types.csv", "Type,Structure\nWorker,OS60\nPurchasing,purchasing\nConsumer,\n")
    mapping = ncba_mapping(tmp_path, 'column = "Industry"', 'structure = { column = "Type", lookup = "types.csv" }')
    rows = by_position(read(FIXTURES / "ncba-export.csv", mapping=mapping).records)
    assert rows["row 2"]["structure"] == "OS60"
    assert "structure" not in rows["row 5"]  # an empty table value means no value


def test_a_mapping_can_read_json_objects_too(tmp_path: Path) -> None:
    data = write(tmp_path, "d.json", '[{"Co-op Name": "Equal Exchange", "Industry": ["Food Production", "Wholesale"]}]')
    mapping = ncba_mapping(tmp_path, 'column = "Industry"\nlookup = "ncba_ncba-industry-to-ica-activity"')
    [record] = read(data, mapping=mapping).records
    assert record.values == {"name": "Equal Exchange", "activities": "ICA250;ICA260"}


@pytest.mark.parametrize("toml, key", [
    ("[fields\nname = 'x'", "not valid TOML"),
    ("[fields]\nname = 'Co-op Name'\ncolour = 'Paint'", "'fields.colour' is not a template field"),
    ("[fields]\nname = 'Co-op Name'\nwebsite = { column = 'Web Site', colum = 'x' }",
     "unknown key 'fields.website.colum'"),
    ("[fields]\nname = 'Co-op Name'\nregion = { column = 'State', split = ',' }", "'fields.region.split'"),
    ("[fields]\nname = 'Co-op Name'\nactivities = { column = 'Industry', lookup = 'nope.csv' }",
     "'fields.activities.lookup.file': no file 'nope.csv'"),
    ("[fields]\nname = 'Co-op Name'\nactivities = { column = 'Industry', lookup = { file = "
     "'ncba_ncba-industry-to-ica-activity', key = 'Sector' } }", "'fields.activities.lookup.key'"),
    ("[fields]\nname = 'Co-op Name'\nactivities = { column = 'Industry', lookup = { values = {}, "
     "unmatched = 'ignore' } }", "'fields.activities.lookup.unmatched'"),
    ("[fields]\nlocality = 'City'", "'fields.name' is missing"),
    ("[source]\ndelimiter = '||'\n[fields]\nname = 'Co-op Name'", "'source.delimiter'"),
    ("[fields]\nname = { column = 'Co-op Name', value = 'x' }", "exactly one of"),
])
def test_a_mapping_with_errors_names_the_key(tmp_path: Path, toml: str, key: str) -> None:
    with pytest.raises(InputError) as e:
        load_mapping(write(tmp_path, "bad.toml", toml))
    assert key in str(e.value)


def test_a_mapping_reading_a_column_the_file_lacks_is_refused(tmp_path: Path) -> None:
    mapping = ncba_mapping(tmp_path, 'column = "Sector"')
    with pytest.raises(InputError, match="no column 'sector'"):
        read(FIXTURES / "ncba-export.csv", mapping=mapping)


def test_multi_values_split_on_unescaped_semicolons() -> None:
    assert split_values(r"a\;b; c ;;d\\") == ["a;b", "c", "d\\"]
    assert split_values(join_values(["x;y", "z\\", "w"])) == ["x;y", "z\\", "w"]
    assert split_values("Retail, Restaurants", ",") == ["Retail", "Restaurants"]


# --- JSON ----------------------------------------------------------------------------------------
def test_json_records_are_numbered_from_one() -> None:
    result = read(FIXTURES / "coops.json")
    assert result.kind == "json"
    rows = by_position(result.records)
    assert rows["record 1"]["activities"] == "bakery;retail"
    assert rows["record 1"]["workers"] == "22" and rows["record 1"]["latitude"] == "37.8105"
    assert rows["record 1"]["listed"] == "true"
    assert rows["record 2"]["description"] == "Cocoa & sugar"
    assert "email" not in rows["record 2"]  # null is absent


def test_json_wrapped_in_a_records_object() -> None:
    [record] = read(FIXTURES / "coops-records.json").records
    assert record == RawRecord("record 1", {"id": "equal-exchange", "name": "Equal Exchange", "country": "US"})


def test_a_json_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.json", '[\n  {"name": "A",}\n]')
    with pytest.raises(InputError, match="line 2, column 16"):
        read(path)


def test_json_with_unknown_keys_is_refused_naming_them(tmp_path: Path) -> None:
    path = write(tmp_path, "d.json", '[{"name": "A"}, {"name": "B", "colour": "red"}]')
    with pytest.raises(InputError, match=r"'colour' \(first in record 2\)"):
        read(path)


def test_a_list_in_a_one_value_json_field_is_an_error(tmp_path: Path) -> None:
    result = read(write(tmp_path, "d.json", '[{"name": "A", "email": ["a@x.org", "b@x.org"]}]'))
    [problem] = result.problems
    assert (problem.position, problem.field) == ("record 1", "email")


def test_the_format_can_be_given_when_the_extension_does_not_say(tmp_path: Path) -> None:
    path = write(tmp_path, "export.dat", '{"records": [{"name": "A"}]}')
    assert read(path, fmt="json").records == [RawRecord("record 1", {"name": "A"})]


# --- RDF -----------------------------------------------------------------------------------------
def test_turtle_in_the_commons_encoding_is_read_back_as_text() -> None:
    result = read(FIXTURES / "coops.ttl")
    assert result.kind == "rdf"
    rows = by_position(result.records)
    arizmendi = rows["<http://localhost:8080/id/ncba/arizmendi>"]
    assert arizmendi["id"] == "arizmendi"
    assert arizmendi["email"] == "info@arizmendi.coop"  # mailto: stripped
    assert arizmendi["phone"] == "+15105470550"  # tel: stripped
    assert arizmendi["country"] == "US"
    assert arizmendi["latitude"] == "37.8105" and arizmendi["workers"] == "22"
    assert arizmendi["structure"] == OS + "OS60"
    assert arizmendi["activities"] == f"{ICA}ICA240;{ICA}ICA250"
    assert arizmendi["offerings"] == "bread;pizza"
    assert arizmendi["street"] == "3265 Lakeshore Ave"
    quiet = rows["<http://localhost:8080/id/ncba/quiet-co-op>"]
    assert quiet == {"id": "quiet-co-op", "name": "Quiet Co-op", "listed": "false", "founded": "1972"}


def test_unknown_predicates_are_warnings_naming_the_predicate() -> None:
    [warning] = read(FIXTURES / "coops.ttl").problems
    assert warning.severity == "warning"
    assert "<https://w3id.org/coop-commons/vocab#mood>" in warning.message


def test_the_community_published_form_is_understood() -> None:
    result = read(FIXTURES / "community.ttl")
    [suma] = result.records
    assert suma.values == {
        "id": "R000001", "name": "Suma Wholefoods", "description": "Wholefood wholesaler",
        "website": "https://www.suma.coop", "structure": OS + "OS60",
        "activities": ICA + "ICA260",
        "membership_type": "http://purl.org/essglobal/standard/base-membership-type/BMT30",
        "registration_id": "IP23077R", "phone": "01422 313845", "email": "info@suma.coop",
        "social": "https://twitter.com/SumaWholefoods", "street": "Lacy Way", "locality": "Elland",
        "postal_code": "HX5 9DB", "country": "United Kingdom", "latitude": "53.69", "longitude": "-1.83",
    }
    assert ["owl#sameAs" in p.message for p in result.problems] == [True]


@pytest.mark.parametrize("fmt, suffix", [
    (RdfFormat.JSON_LD, ".jsonld"), (RdfFormat.RDF_XML, ".rdf"), (RdfFormat.N_TRIPLES, ".nt"),
    (RdfFormat.JSON_LD, ".json"),
])
def test_every_rdf_syntax_reads_the_same_records(tmp_path: Path, fmt: RdfFormat, suffix: str) -> None:
    turtle = read(FIXTURES / "coops.ttl")
    quads = parse(path=FIXTURES / "coops.ttl")
    path = tmp_path / f"coops{suffix}"
    path.write_bytes(serialize(quads, format=fmt))
    other = read(path)
    assert other.kind == "rdf"
    assert other.records == turtle.records


def test_an_rdf_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.ttl", '<http://a> <http://b> "x" .\n<http://a> <http://b> "y ;\n')
    with pytest.raises(InputError, match="line 2 column"):
        read(path)


def test_rdf_without_initiatives_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "other.ttl", "<http://a> <http://b> <http://c> .\n")
    with pytest.raises(InputError, match="no essglobal:SSEInitiative"):
        read(path)


def without_positions(records: list[Record]) -> list[dict[str, object]]:
    return sorted((vars(r) | {"position": ""} for r in records), key=lambda v: str(v["local_id"]))


def test_a_members_stored_records_come_back_as_they_were_imported() -> None:
    """What the import pipeline does to diff a new import against the store."""
    concepts = ConceptIndex.default()
    imported = []
    for name in ("coops.ttl", "standard.csv", "messy-bom.csv", "messy-windows-1252.csv"):
        records, problems = normalise_all(read(FIXTURES / name).records, concepts)
        assert not [p for p in problems if p.severity == "error"]
        imported += records
    triples = [t for r in imported for t in record_triples(r, "ncba", Uris("http://localhost:8080"))]
    graph = NamedNode("http://localhost:8080/graph/ncba/public")
    for stored in (triples, Dataset(Quad(*t, graph) for t in triples)):
        restored, problems = normalise_all(raw_records_from_rdf(stored), concepts)
        assert problems == []
        assert without_positions(restored) == without_positions(imported)
