"""The community's own standard CSV loads as it really is (with the columns a source adds),
and a file that needs a mapping is told which ones the commons ships and how to see them."""
from __future__ import annotations

from pathlib import Path

import pytest

from loaders.readers import read
from loaders.record import InputError

from .test_cli import run

FIXTURES = Path(__file__).parent / "fixtures" / "input"
# the header of the standard CSV built from Co-operatives UK's 2023 data: five columns more
HEADER_2023 = (
    "Identifier,Name,Description,Organisational Structure,Primary Activity,Activities,Street Address,"
    "Locality,Region,Postcode,Country ID,Territory ID,Website,Phone,Email,Twitter,Facebook,"
    "Companies House Number,Qualifiers,Membership Type,Latitude,Longitude,Geo Container,"
    "Geo Container Latitude,Geo Container Longitude,Sector,SIC Section,SIC Code,Ownership Classification,Legal Form"
)
ROW_2023 = (
    "R007634,Argyll Fencer's Co-operative Ltd,,https://dev.lod.coop/essglobal/2.1/standard/organisational-structure/OS50,"
    "https://dev.lod.coop/essglobal/2.1/standard/activities-ica/ICA70,,\"2 Arinabea Cottage\nTyndrum\",Crianlarich,"
    "Argyll and Bute,FK20 8SB,GB,,http://www.argyllfencers.org,,,,,SC399880,,"
    "https://dev.lod.coop/essglobal/2.1/standard/base-membership-type/BMT20,,,"
    "http://data.ordnancesurvey.co.uk/id/postcodeunit/FK208SB,56.437628,-4.810429,Other,Construction,43999,Enterprises,Company"
)


def test_a_standard_csv_with_extra_columns_is_read_without_a_mapping_and_names_them(tmp_path: Path) -> None:
    path = tmp_path / "standard-2023.csv"
    path.write_text(HEADER_2023 + "\n" + ROW_2023 + "\n", encoding="utf-8")
    result = read(path)
    assert result.kind == "standard"
    [record] = result.records
    assert record.values["id"] == "R007634" and record.values["locality"] == "Crianlarich"
    assert (record.values["latitude"], record.values["longitude"]) == ("56.437628", "-4.810429")
    [warning] = result.problems
    assert warning.severity == "warning" and warning.position == "header"
    assert "ignored: columns 'Sector', 'SIC Section', 'SIC Code', 'Ownership Classification', 'Legal Form'" in warning.message


def test_a_file_that_needs_a_mapping_is_told_the_built_in_ones() -> None:
    with pytest.raises(InputError) as e:
        read(FIXTURES / "ncba-export.csv")
    message = str(e.value)
    assert "standard-csv" in message and "coops-uk" in message and "dotcoop" in message
    assert "datacommons mapping show NAME" in message


def test_mapping_show_prints_a_built_in_mapping_and_list_names_them(tmp_path: Path) -> None:
    shown = run("mapping", "show", "standard-csv", cwd=tmp_path)
    assert shown.returncode == 0 and 'id = "Identifier"' in shown.stdout
    listed = run("mapping", "list", cwd=tmp_path)
    assert "standard-csv\t" in listed.stdout and "coops-uk" in listed.stdout
    missing = run("mapping", "show", "nope", cwd=tmp_path)
    assert missing.returncode == 2 and "standard-csv" in missing.stderr
