"""Mappings that fit real exports: each feature docs/mapping.md shows, on rows written in the
layouts of Co-operatives UK's open data and DotCoop's registrant file (made up, not theirs)."""
from __future__ import annotations

from pathlib import Path

import pytest

from loaders.concepts import ConceptIndex
from loaders.normalise import normalise_all
from loaders.readers import read
from loaders.record import InputError

OS = "http://purl.org/essglobal/standard/organisational-structure/"
ICA = "http://purl.org/essglobal/standard/activities-ica/"
BMT = "http://purl.org/essglobal/standard/base-membership-type/"

COOPS_UK_HEADER = (
    '"CUK Organisation ID","Registered Number","Registrar","Registered Name","Trading Name","Legal Form",'
    '"Registered Street","Registered City","Registered State/Province","Registered Postcode","UK Nation",'
    '"SIC Code","SIC section","SIC code  - level 2","SIC code  - level 2 description","SIC code  - level 3",'
    '"SIC code  - level 3 description","SIC code  - level 4","SIC code  - level 4 description",'
    '"SIC code  - level 5","SIC code  - level 5 description","Sector - Simplified, High Level",'
    '"Ownership Classification","Registered Status","Incorporation Date","Dissolved Date"'
)
COOPS_UK_ROWS = [
    '"R900001","1234R","FCA","Harbourside Grocers Limited","Harbourside Grocers","Society","1 Quay Street",'
    '"Bristol","Avon","BS1 4AA","England","UKSIC07-4711","Wholesale and Retail","UKSIC07-47","Retail trade",'
    '"UKSIC07-471","","UKSIC07-4711","","","","Retail","Consumers","Live","11/8/1903",""',
    '"R900002","SC0001","Companies House","Glen Joinery Co-operative Ltd","","Company","2 Mill Lane",'
    '"Perth","Perthshire","PH1 5AA","Scotland","UKSIC07-43320","Construction","UKSIC07-43","Specialised construction",'
    '"","","","","","","Other","Workers","Dead","23/6/1985","1/2/2010"',
]
DOTCOOP_HEADER = (
    "StreetAddress,City,State,Country,PostCode,Latitude,Longitude,Merged Address,StreetNumber,Street,"
    "City2,State2,Country2,Zip,Address components,Domain,RegistrantId,Name"
)
DOTCOOP_ROWS = [
    '"Calle Mayor 1, Bajo",Santiago,La Coru&#241a,ES,15702,42.86,-8.54,"Calle Mayor 1",1,Calle Mayor,'
    'Santiago,Galicia,ESP,15702,"Calle Mayor 1, Santiago",tejedoras.coop;tejedoras-sccl.coop,C1-CNIC,Tejedoras SCCL',
    ',Lyon,,FR,69001,45.76,4.83,,,,,,,,,velo-lyon.coop,C2-CNIC,',
]


@pytest.fixture(scope="module")
def concepts() -> ConceptIndex:
    return ConceptIndex.default()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load(path: Path, mapping: Path | str, concepts: ConceptIndex):
    result = read(path, mapping=mapping)
    records, problems = normalise_all(result.records, concepts)
    return {r.local_id: r for r in records}, result.problems + problems


# --- shipped mappings ----------------------------------------------------------------------------
def test_the_coops_uk_mapping_reads_its_open_data_layout(tmp_path: Path, concepts: ConceptIndex) -> None:
    path = write(tmp_path, "open_data_organisations.csv", "\n".join([COOPS_UK_HEADER, *COOPS_UK_ROWS]) + "\n")
    records, problems = load(path, "coops-uk", concepts)
    assert problems == []
    grocers, joinery = records["R900001"], records["R900002"]
    assert grocers.name == "Harbourside Grocers" and joinery.name == "Glen Joinery Co-operative Ltd"
    assert (grocers.founded, joinery.founded) == ("1903-08-11", "1985-06-23")  # day first
    assert grocers.primary_activity == ICA + "ICA260" and joinery.primary_activity == ICA + "ICA70"
    assert grocers.structure == [OS + "OS130"] and grocers.membership_type == BMT + "BMT10"
    assert joinery.structure == [OS + "OS50"] and joinery.membership_type == BMT + "BMT30"
    assert (grocers.country, grocers.registration_id, grocers.postal_code) == ("GB", "1234R", "BS1 4AA")
    assert grocers.listed and not joinery.listed  # a dissolved co-op stays, unlisted


def test_the_dotcoop_mapping_reads_its_registrant_layout(tmp_path: Path, concepts: ConceptIndex) -> None:
    path = write(tmp_path, "registrants.csv", "\n".join([DOTCOOP_HEADER, *DOTCOOP_ROWS]) + "\n")
    records, problems = load(path, "dotcoop", concepts)
    tejedoras, velo = records["C1-CNIC"], records["C2-CNIC"]
    assert tejedoras.region == "La Coruña"  # the entity lacks its ";", as browsers forgive
    assert (tejedoras.website, tejedoras.pages) == ("https://tejedoras.coop", ["https://tejedoras-sccl.coop"])
    assert velo.name == "velo-lyon.coop"  # no name: known by its domain
    assert (velo.country, str(velo.latitude)) == ("FR", "45.76")
    [warning] = problems
    assert (warning.severity, warning.position, warning.field) == ("warning", "row 2", "website")


# --- one feature at a time -----------------------------------------------------------------------
def test_the_first_non_empty_of_several_columns(tmp_path: Path, concepts: ConceptIndex) -> None:
    write(tmp_path, "m.toml", '[fields]\nname = ["Trading Name", "Registered Name"]\n')
    path = write(tmp_path, "c.csv", "Trading Name,Registered Name\n,Glen Joinery Ltd\nHarbour,Harbour Ltd\n")
    records, _ = load(path, tmp_path / "m.toml", concepts)
    assert sorted(r.name for r in records.values()) == ["Glen Joinery Ltd", "Harbour"]


def test_concatenating_columns(tmp_path: Path, concepts: ConceptIndex) -> None:
    write(tmp_path, "m.toml", '[fields]\nname = "Name"\nstreet = { columns = ["No", "Street"], join = " " }\n')
    path = write(tmp_path, "c.csv", "Name,No,Street\nA,12,Main St\n")
    [record] = load(path, tmp_path / "m.toml", concepts)[0].values()
    assert record.street == "12 Main St"


def test_a_pattern_captures_part_of_a_cell_before_the_lookup(tmp_path: Path, concepts: ConceptIndex) -> None:
    write(tmp_path, "m.toml", '[fields]\nname = "Name"\n[fields.activities]\ncolumn = "SIC"\n'
          "pattern = 'UKSIC07-(\\d+)'\nlookup = { file = \"coops-uk_sic-division-to-ica-activity\", unmatched = \"error\" }\n")
    path = write(tmp_path, "c.csv", "Name,SIC\nA,UKSIC07-47\nB,SIC-47\n")
    records, problems = load(path, tmp_path / "m.toml", concepts)
    assert records["a"].activities == [ICA + "ICA260"]
    [error] = problems  # a cell the pattern does not match is looked up whole
    assert (error.position, error.field, error.value) == ("row 3", "activities", "SIC-47")


def test_a_lookup_keyed_by_two_columns(tmp_path: Path, concepts: ConceptIndex) -> None:
    write(tmp_path, "t.csv", "Form,Owner,Structure\nSociety,Workers,OS60\nSociety,Consumers,OS80\n")
    write(tmp_path, "m.toml", '[fields]\nname = "Name"\n[fields.structure]\ncolumns = ["Form", "Owner"]\n'
          'lookup = { file = "t.csv", key = ["Form", "Owner"], value = "Structure", unmatched = "error" }\n')
    path = write(tmp_path, "c.csv", "Name,Form,Owner\nA,Society,Workers\nB,society,CONSUMERS\nC,Society,Tenants\n")
    records, problems = load(path, tmp_path / "m.toml", concepts)
    assert records["a"].structure == [OS + "OS60"] and records["b"].structure == [OS + "OS80"]
    [error] = problems
    assert error.value == "Society + Tenants" and "(closest: 'Society + Workers', 'Society + Consumers')" in error.message


def test_a_table_with_a_repeated_key_used_with_a_single_key_is_an_error_naming_it(tmp_path: Path) -> None:
    write(tmp_path, "m.toml", '[fields]\nname = "Name"\n[fields.structure]\ncolumn = "Legal Form"\n'
          'lookup = { file = "coops-uk_legal-ownership-to-org-membership", key = "Legal Form", '
          'value = "Organisational Structure ID" }\n')
    path = write(tmp_path, "c.csv", "Name,Legal Form\nA,Company\n")
    with pytest.raises(InputError, match=r"gives 'Company' two values \('OS115', then 'OS50'"):
        read(path, mapping=tmp_path / "m.toml")


def test_an_unmatched_lookup_value_suggests_the_closest_keys(tmp_path: Path, concepts: ConceptIndex) -> None:
    write(tmp_path, "m.toml", '[fields]\nname = "Name"\n[fields.structure]\ncolumn = "Type"\n'
          'lookup = { values = { Worker = "OS60", Consumer = "OS80" }, unmatched = "error" }\n')
    path = write(tmp_path, "c.csv", "Name,Type\nA,Workers\n")
    [error] = load(path, tmp_path / "m.toml", concepts)[1]
    assert "closest: 'Worker'" in error.message


def test_rows_are_skipped_by_a_condition_with_one_warning(tmp_path: Path, concepts: ConceptIndex) -> None:
    write(tmp_path, "m.toml", '[source]\nskip = { column = "Status", equals = ["Dead", "Dissolved"] }\n'
          '[fields]\nname = "Name"\n')
    path = write(tmp_path, "c.csv", "Name,Status\nA,Live\nB,Dead\nC,dissolved\n")
    records, problems = load(path, tmp_path / "m.toml", concepts)
    assert list(records) == ["a"]
    [warning] = problems
    assert warning.severity == "warning" and warning.message.startswith("2 record(s) left out because column 'status'")


def test_constants_and_a_split_cell(tmp_path: Path, concepts: ConceptIndex) -> None:
    write(tmp_path, "m.toml", '[fields]\nname = "Name"\ncountry = { value = "FR" }\n'
          'activities = { column = "Sectors", split = "|" }\n')
    path = write(tmp_path, "c.csv", "Name,Sectors\nA,ICA240|ICA10\n")
    [record] = load(path, tmp_path / "m.toml", concepts)[0].values()
    assert record.country == "FR" and record.activities == [ICA + "ICA10", ICA + "ICA240"]


def test_a_values_language(tmp_path: Path, concepts: ConceptIndex) -> None:
    from datacommons.uris import Uris
    from loaders.tordf import record_triples

    write(tmp_path, "m.toml", '[fields]\nname = "Nom"\ndescription = { column = "Description", language = "fr" }\n')
    path = write(tmp_path, "c.csv", "Nom,Description\nA,Boulangerie coopérative\n")
    [record] = load(path, tmp_path / "m.toml", concepts)[0].values()
    [literal] = [t.object for t in record_triples(record, "m", Uris("http://x.test"))
                 if t.predicate.value.endswith("description")]
    assert (literal.value, literal.language) == ("Boulangerie coopérative", "fr")


def test_a_phone_default_country_in_the_mapping(tmp_path: Path, concepts: ConceptIndex) -> None:
    write(tmp_path, "m.toml", '[source]\nphone_country = "GB"\n[fields]\nname = "Name"\nphone = "Tel"\n')
    path = write(tmp_path, "c.csv", "Name,Tel\nA,020 7946 0958\n")
    [record] = load(path, tmp_path / "m.toml", concepts)[0].values()
    assert record.phone == "+442079460958"


def test_json_keys_the_mapping_neither_reads_nor_ignores_are_reported(tmp_path: Path) -> None:
    write(tmp_path, "m.toml", '[source]\nignore = ["notes"]\n[fields]\nname = "title"\n')
    path = write(tmp_path, "c.json", '[{"title": "A", "notes": "x", "rating": 5, "tags": ["a"]}]')
    [warning] = read(path, mapping=tmp_path / "m.toml").problems
    assert warning.severity == "warning" and "'rating', 'tags'" in warning.message
