"""Someone who downloads a query's CSV and opens it in a spreadsheet never runs a formula a
member's data smuggled in (OWASP CSV injection), while the data and the other formats stay as
the member gave them. Over real HTTP, for /sparql and the named queries."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from urllib.parse import urlencode

from .conftest import Server, load_text
from .webclient import fetch

FORMULAS = ['=HYPERLINK("http://evil.example","Click")', "+1+1 Co-op", "-2+3 Co-op", "@SUM(A1) Co-op"]
HEADER = "id,name,locality,region,country,latitude,longitude\n"
HOSTILE = HEADER + "".join(
    f'f-{n},"{name.replace(chr(34), chr(34) * 2)}",Regina,SK,CA,50.45,-104.6\n' for n, name in enumerate(FORMULAS)
)
NAMES = ("SELECT ?name ?lon WHERE { ?c <http://purl.org/goodrelations/v1#name> ?name . "
         "OPTIONAL { ?c <http://www.w3.org/2003/01/geo/wgs84_pos#long> ?lon } } ORDER BY ?name")


def _hostile(server: Server, tmp_path: Path) -> None:
    load_text(server.world.commons, "beta", HOSTILE, tmp_path, "beta.csv")


def test_a_spreadsheet_never_runs_a_formula_from_a_sparql_csv_answer(server: Server, tmp_path: Path) -> None:
    _hostile(server, tmp_path)
    url = f"{server.url}/sparql?" + urlencode({"query": NAMES})
    answer = fetch(url, headers={"Accept": "text/csv"})
    assert answer.status == 200 and answer.headers["content-type"].startswith("text/csv")
    names = [row["name"] for row in csv.DictReader(io.StringIO(answer.text))]
    for name in FORMULAS:
        assert "'" + name in names, (name, names)
    assert not [n for n in names if n[:1] in "=+-@"]
    longitudes = {row["lon"] for row in csv.DictReader(io.StringIO(answer.text)) if row["lon"]}
    assert "-104.6" in longitudes or any(lon.startswith("-104.6") for lon in longitudes)  # numbers stay numbers
    document = json.loads(fetch(url, headers={"Accept": "application/sparql-results+json"}).body)
    kept = {b["name"]["value"] for b in document["results"]["bindings"]}
    assert set(FORMULAS) <= kept  # the data itself is as the member gave it


def test_a_spreadsheet_never_runs_a_formula_from_a_named_query_csv(server: Server, tmp_path: Path) -> None:
    _hostile(server, tmp_path)
    answer = fetch(f"{server.url}/queries/coops-by-region?" + urlencode({"region": "SK", "format": "csv"}))
    assert answer.status == 200, answer.text
    names = [row["name"] for row in csv.DictReader(io.StringIO(answer.text))]
    for name in FORMULAS:
        assert "'" + name in names, (name, names)
    as_json = fetch(f"{server.url}/queries/coops-by-region?" + urlencode({"region": "SK", "format": "json"}))
    assert set(FORMULAS) <= {b["name"]["value"] for b in json.loads(as_json.body)["results"]["bindings"]}
