"""The Graph Store Protocol for member organisations: a member reads and writes its own
directory graph; a write is an import (validated, split by its policy), so an invalid
document changes nothing, and no member writes another's graph or the commons'."""
from __future__ import annotations

from pyoxigraph import RdfFormat, parse

from .conftest import BASE, Server
from .webclient import bearer, fetch

TURTLE = {"Content-Type": "text/turtle"}
BETA_COOP = """
@prefix coop: <https://w3id.org/coop-commons/vocab#> .
@prefix essglobal: <http://purl.org/essglobal/vocab/> .
@prefix gr: <http://purl.org/goodrelations/v1#> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix geo: <http://www.w3.org/2003/01/geo/wgs84_pos#> .
<{base}/id/beta/{id}> a essglobal:SSEInitiative ;
    coop:localId "{id}" ;
    gr:name "{name}" ;
    vcard:hasEmail <mailto:hello@{id}.example> ;
    geo:lat {lat} ; geo:long -79.38 .
"""


def coop(id_: str, name: str, lat: str = "43.65") -> bytes:
    return BETA_COOP.format(base=BASE, id=id_, name=name, lat=lat).encode()


def objects(body: bytes) -> set[str]:
    return {q.object.value for q in parse(body, RdfFormat.TURTLE)}


def test_a_member_puts_its_directory_and_each_audience_reads_its_levels(server: Server) -> None:
    beta = bearer(server.world.tokens["beta"])
    put = fetch(f"{server.url}/graph/beta", method="PUT", data=coop("sun", "Sun Bakery"), headers={**TURTLE, **beta})
    assert put.status == 201, put.text
    assert "1 valid records" in put.text

    public = fetch(f"{server.url}/graph/beta", headers={"Accept": "text/turtle"})
    assert "Sun Bakery" in objects(public.body)
    assert "mailto:hello@sun.example" not in objects(public.body)
    own = fetch(f"{server.url}/graph?graph={BASE}/graph/beta", headers={"Accept": "text/turtle", **beta})
    assert "mailto:hello@sun.example" in objects(own.body)


def test_post_adds_records_and_delete_empties_the_directory(server: Server) -> None:
    beta = {**TURTLE, **bearer(server.world.tokens["beta"])}
    fetch(f"{server.url}/graph/beta", method="PUT", data=coop("sun", "Sun Bakery"), headers=beta)
    post = fetch(f"{server.url}/graph/beta", method="POST", data=coop("moon", "Moon Books"), headers=beta)
    assert post.status == 200, post.text
    names = objects(fetch(f"{server.url}/graph/beta").body)
    assert {"Sun Bakery", "Moon Books"} <= names
    assert fetch(f"{server.url}/graph/beta", method="DELETE", headers=beta).status == 200
    assert not {"Sun Bakery", "Moon Books"} & objects(fetch(f"{server.url}/graph/beta").body)


def test_an_invalid_document_is_refused_with_the_report_and_nothing_changes(server: Server) -> None:
    beta = {**TURTLE, **bearer(server.world.tokens["beta"])}
    fetch(f"{server.url}/graph/beta", method="PUT", data=coop("sun", "Sun Bakery"), headers=beta)
    bad = fetch(f"{server.url}/graph/beta", method="PUT", data=coop("sun", "Sun Bakery", lat="95.0"), headers=beta)
    assert bad.status == 400
    assert "latitude" in bad.text and "sun" in bad.text
    broken = fetch(f"{server.url}/graph/beta", method="PUT", data=b"<not turtle", headers=beta)
    assert broken.status == 400 and "not valid" in broken.text
    assert "Sun Bakery" in objects(fetch(f"{server.url}/graph/beta").body)


def test_no_member_writes_another_members_graph_or_the_commons(server: Server) -> None:
    alpha = {**TURTLE, **bearer(server.world.tokens["alpha"])}
    assert fetch(f"{server.url}/graph/beta", method="PUT", data=coop("x", "X"), headers=alpha).status == 403
    assert fetch(f"{server.url}/graph/beta", method="PUT", data=coop("x", "X"), headers=TURTLE).status == 401
    for graph in ("commons", "alpha/public", "admin"):
        reply = fetch(f"{server.url}/graph/{graph}", method="PUT", data=coop("x", "X"), headers=alpha)
        assert reply.status in (403, 405), (graph, reply.status)
    assert "Red Door Bakery Co-op" in fetch(f"{server.url}/graph/alpha").text


def test_administrators_update_only_their_workspace_never_the_commons(server: Server) -> None:
    admin = bearer(server.world.tokens["admin"])
    update = {"Content-Type": "application/sparql-update", **admin}
    drop = fetch(f"{server.url}/sparql", method="POST", data=b"DROP ALL", headers=update)
    assert drop.status == 204
    assert "Red Door Bakery Co-op" in fetch(f"{server.url}/graph/alpha").text
    into_commons = f"INSERT DATA {{ GRAPH <{BASE}/graph/alpha/public> {{ <urn:a> <urn:b> <urn:c> }} }}"
    refused = fetch(f"{server.url}/sparql", method="POST", data=into_commons.encode(), headers=update)
    assert refused.status == 403 and "imports" in refused.text
    insert = b"INSERT DATA { <urn:note> <urn:says> 'kept in the admin graph' }"
    assert fetch(f"{server.url}/sparql", method="POST", data=insert, headers=update).status == 204
    default = fetch(f"{server.url}/graph?default", headers={"Accept": "text/turtle", **admin})
    assert "kept in the admin graph" in default.text
