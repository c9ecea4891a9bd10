"""Every queries/*.rq file is an endpoint with documented parameters and every results format."""
from __future__ import annotations

import csv
import io
import json

import pytest

from datacommons.audience import ANONYMOUS
from endpoint.sparql.named_query_catalogue import catalogue

from .directory_world import MEMBERS_ONLY, Directory, directory  # noqa: F401
from .webclient import bearer, fetch

# A value for each required parameter, so every shipped query can be run.
# Region and country reach alpha's unlisted co-op, which only members may see.
REQUIRED = {"region": "ON", "activity": "ICA240", "structure": "OS60", "country": "CA"}
UNLISTED = "Quiet Housing Co-op"


def run(directory: Directory, name: str, headers: dict[str, str] | None = None, **params) -> dict:
    query = "&".join(f"{k}={v}" for k, v in {**params, "format": "json"}.items())
    reply = fetch(f"{directory.url}/queries/{name}?{query}", headers=headers)
    assert reply.status == 200, reply.text
    return json.loads(reply.body)


def test_at_least_eight_useful_queries_are_published_with_their_descriptions(directory: Directory) -> None:
    listed = json.loads(fetch(f"{directory.url}/queries", headers={"Accept": "application/json"}).body)
    assert len(listed) >= 8
    assert all(q["title"] and q["description"] for q in listed)
    page = fetch(f"{directory.url}/queries", headers={"Accept": "text/html"})
    assert "Co-ops by region" in page.text


@pytest.mark.parametrize("name", sorted(catalogue()))
def test_every_named_query_runs_for_the_public_and_leaks_nothing(directory: Directory, name: str) -> None:
    params = {p.name: REQUIRED[p.name] for p in catalogue()[name].parameters if p.required}
    document = run(directory, name, **params)
    assert "results" in document or "boolean" in document
    assert not [v for v in (*MEMBERS_ONLY, UNLISTED) if v in json.dumps(document)]


def test_the_leak_test_can_fail_members_see_the_unlisted_coop_the_public_does_not(directory: Directory) -> None:
    """The positive control of the test above: with the same parameters, a member's answers do
    hold the unlisted co-op, so a query run with the wrong audience would show it."""
    member = bearer(directory.tokens["alpha"])
    seen_by_members = set()
    for name, query in sorted(catalogue().items()):
        params = {p.name: REQUIRED[p.name] for p in query.parameters if p.required}
        if UNLISTED in json.dumps(run(directory, name, headers=member, **params)):
            seen_by_members.add(name)
            assert UNLISTED not in json.dumps(run(directory, name, **params))
    assert {"coops-by-region", "coops-by-country"} <= seen_by_members


def test_a_parameter_is_bound_and_results_come_in_every_format(directory: Directory) -> None:
    rows = run(directory, "coops-by-region", region="MN")["results"]["bindings"]
    assert "Red Door Bakery Co-op" in [r["name"]["value"] for r in rows]
    assert {r["region"]["value"] for r in rows} == {"MN"}
    base = f"{directory.url}/queries/coops-by-region?region=MN"
    as_csv = fetch(base + "&format=csv")
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert "Red Door Bakery Co-op" in [r["name"] for r in csv.DictReader(io.StringIO(as_csv.text))]
    as_tsv = fetch(base, headers={"Accept": "text/tab-separated-values"})
    assert as_tsv.text.splitlines()[0].startswith("?region\t?coop")
    as_xml = fetch(base, headers={"Accept": "application/sparql-results+xml"})
    assert "Red Door Bakery Co-op" in as_xml.text and "<sparql" in as_xml.text
    as_html = fetch(base, headers={"Accept": "text/html"})
    assert "<table" in as_html.text and "Red Door Bakery Co-op" in as_html.text


def test_codes_name_concepts_and_limits_page_results(directory: Directory) -> None:
    worker = run(directory, "coops-by-structure", structure="OS60", limit="3")["results"]["bindings"]
    assert len(worker) == 3
    assert {r["structure"]["value"] for r in worker} == {
        "http://purl.org/essglobal/standard/organisational-structure/OS60"}
    rest = run(directory, "coops-by-structure", structure="OS60", limit="3", offset="3")["results"]["bindings"]
    assert not {r["coop"]["value"] for r in worker} & {r["coop"]["value"] for r in rest}


def test_bad_or_missing_parameters_are_explained(directory: Directory) -> None:
    missing = fetch(f"{directory.url}/queries/coops-by-region?format=json")
    assert missing.status == 400 and "region" in missing.text
    unknown = fetch(f"{directory.url}/queries/coops-by-activity?activity=NOPE&format=json")
    assert unknown.status == 400 and "NOPE" in unknown.text
    assert fetch(f"{directory.url}/queries/no-such-query").status == 404


def test_import_history_is_only_for_its_member(directory: Directory) -> None:
    assert run(directory, "recent-imports")["results"]["bindings"] == []
    own = run(directory, "recent-imports", headers=bearer(directory.tokens["alpha"]))["results"]["bindings"]
    assert own and {r["member"]["value"] for r in own} == {f"{directory.url}/id/member/alpha"}


def test_members_query_counts_coops_the_audience_can_see(directory: Directory) -> None:
    rows = run(directory, "members")["results"]["bindings"]
    alpha = next(r for r in rows if r["name"]["value"] == "Alpha Federation")
    assert alpha["coops"]["value"] == "2"
    as_member = run(directory, "members", headers=bearer(directory.tokens["gamma"]))["results"]["bindings"]
    assert next(r for r in as_member if r["name"]["value"] == "Alpha Federation")["coops"]["value"] == "3"


def test_query_results_link_to_entity_pages(directory: Directory) -> None:
    page = fetch(f"{directory.url}/queries/coops-by-name?limit=5", headers={"Accept": "text/html"})
    assert 'href="/id/' in page.text and f"{directory.url}/id/" in page.text


def _plain(directory: Directory, sparql: str) -> list[tuple[str, ...]]:
    """The answer of a straightforward query for the public, to check a named query against."""
    prefixes = ("PREFIX essglobal: <http://purl.org/essglobal/vocab/>\n"
                "PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#>\n")
    return sorted(tuple(term.value for term in row) for row in directory.commons.query(prefixes + sparql, ANONYMOUS))


def test_counts_per_activity_and_kind_are_plain_counts(directory: Directory) -> None:
    """The counting queries count before they look labels up (fast at 100,000 co-ops); the
    counts are still those of every co-op of each activity or kind."""
    for name, predicate, column in (("counts-by-activity", "economicSector", "activity"),
                                    ("counts-by-structure", "organisationalStructure", "structure")):
        rows = run(directory, name)["results"]["bindings"]
        counted = sorted((r[column]["value"], r["coops"]["value"]) for r in rows)
        assert counted == _plain(directory, f"SELECT ?x (COUNT(DISTINCT ?c) AS ?n) WHERE {{ "
                                            f"?c a essglobal:SSEInitiative ; essglobal:{predicate} ?x }} GROUP BY ?x")
        assert counted and all(r.get("name") for r in rows if "ICA" in r[column]["value"] or "OS" in r[column]["value"])


def test_coops_without_coordinates_are_exactly_those_with_no_latitude(directory: Directory) -> None:
    rows = run(directory, "coops-without-coordinates")["results"]["bindings"]
    listed = sorted((r["coop"]["value"],) for r in rows)
    assert listed == _plain(directory, "SELECT DISTINCT ?c WHERE { ?c a essglobal:SSEInitiative "
                                       "FILTER NOT EXISTS { ?c geo:lat ?lat } }")
    assert listed  # the world has some: the test can fail
