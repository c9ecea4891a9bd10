"""Replaying the W3C protocol test manifests against a running server.

Each manifest test is an ordered list of HTTP requests with what the response must be: a
status (exact, or a class such as 2xx), a result format ("boolean", "tabular", "RDF"), an
ASK answer, a Content-Type, a body graph isomorphic to the one given, or a Location to
reuse in later requests. Requests go out with http.client exactly as written (no header is
added, so "no Content-Type" tests mean it). The manifests' path prefixes (/sparql/, /gsp)
are replaced with the server's.
"""
from __future__ import annotations

import http.client
import io
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import rdflib
from pyoxigraph import QueryResultsFormat, RdfFormat, parse, parse_query_results
from rdflib.collection import Collection
from rdflib.compare import isomorphic

SUITE = Path(__file__).parent / "suite"
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
STATUS = {"OK": 200, "Created": 201, "NoContent": 204, "NotFound": 404}


@dataclass
class Expected:
    statuses: list[str]  # "2xx" classes or exact codes as text
    format: str | None = None
    boolean: bool | None = None
    location_variable: str | None = None
    content_type: str | None = None
    body: str | None = None


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    expected: Expected


@dataclass
class ManifestTest:
    name: str
    title: str
    requires: list[str]
    graph_data: list[tuple[Path, str]] = field(default_factory=list)  # (file, graph IRI)
    requests: list[Request] = field(default_factory=list)


def load(manifest: Path) -> list[ManifestTest]:
    """The tests of a manifest, in order (following mf:include)."""
    graph = rdflib.Graph()
    graph.parse(manifest, format="turtle", publicID=manifest.resolve().as_uri())
    root = next(graph.subjects(rdflib.RDF.type, MF.Manifest))
    included = graph.value(root, MF.include)
    if included is not None:
        return [t for m in Collection(graph, included) for t in load(Path(urlsplit(str(m)).path))]
    return [_test(graph, t) for t in Collection(graph, graph.value(root, MF.entries))]


def _test(graph: rdflib.Graph, node) -> ManifestTest:
    test = ManifestTest(
        name=str(node).rsplit("#", 1)[1],
        title=str(graph.value(node, MF.name)),
        requires=sorted(str(r).rsplit("#", 1)[1] for r in graph.objects(node, MF.requires)),
    )
    for data in graph.objects(node, UT.graphData):
        test.graph_data.append(
            (Path(urlsplit(str(graph.value(data, UT.graph))).path), str(graph.value(data, rdflib.RDFS.label)))
        )
    action = graph.value(node, MF.action)
    for request in Collection(graph, graph.value(action, HT.requests)):
        response = graph.value(request, HT.resp)
        expected = Expected(
            statuses=sorted(_status(s) for s in graph.objects(response, MF.expectedStatus)),
            format=_text(graph.value(response, MF.expectedFormat)),
            location_variable=_text(graph.value(response, MF.expectedLocation)),
        )
        boolean = graph.value(response, MF.expectedBoolean)
        expected.boolean = None if boolean is None else bool(boolean.toPython())
        headers = _headers(graph, graph.value(response, HT.headers))
        expected.content_type = headers.get("content-type")
        body = graph.value(response, HT.body)
        expected.body = _text(graph.value(body, CNT.chars)) if body is not None else None
        request_body = graph.value(request, HT.body)
        test.requests.append(
            Request(
                method=str(graph.value(request, HT.methodName)),
                path=str(graph.value(request, HT.absolutePath)),
                headers=_headers(graph, graph.value(request, HT.headers)),
                body=None if request_body is None else str(graph.value(request_body, CNT.chars)).encode(
                    str(graph.value(request_body, CNT.characterEncoding) or "UTF-8")
                ),
                expected=expected,
            )
        )
    return test


def _status(node) -> str:
    name = str(node).rsplit("#", 1)[1]
    return name.removeprefix("StatusCode") if name.startswith("StatusCode") else str(STATUS[name])


def _headers(graph: rdflib.Graph, node) -> dict[str, str]:
    if node is None:
        return {}
    return {
        str(graph.value(h, HT.fieldName)).lower(): str(graph.value(h, HT.fieldValue))
        for h in Collection(graph, node)
    }


def _text(node) -> str | None:
    return None if node is None else str(node)


# --- replaying -------------------------------------------------------------------------------
@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes


def send(base_url: str, method: str, path: str, headers: dict[str, str], body: bytes | None) -> Reply:
    """One HTTP request, exactly as given."""
    url = urlsplit(base_url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        connection.close()


def replay(test: ManifestTest, base_url: str, prefixes: dict[str, str], token: str) -> list[str]:
    """Run a test's requests in order; the problems found (empty when it passes)."""
    problems: list[str] = []
    variables: dict[str, str] = {}
    for number, request in enumerate(test.requests, 1):
        path, body = request.path, request.body
        for name, value in variables.items():
            path = path.replace(name, value)
            body = body.replace(name.encode(), value.encode()) if body else body
        for prefix, replacement in prefixes.items():
            if path.startswith(prefix):
                path = replacement + path[len(prefix):]
                break
        headers = {**request.headers, "authorization": f"Bearer {token}"}
        reply = send(base_url, request.method, path, headers, body)
        where = f"request {number} ({request.method} {path})"
        problems += [f"{where}: {p}" for p in check(reply, request.expected, request.method)]
        if request.expected.location_variable and "location" in reply.headers:
            variables[request.expected.location_variable] = reply.headers["location"]
    return problems


def check(reply: Reply, expected: Expected, method: str) -> list[str]:
    status = str(reply.status)
    if not any(status == s or (s.endswith("xx") and status[0] == s[0]) for s in expected.statuses):
        return [f"status {reply.status}, expected {'/'.join(expected.statuses)}: {reply.body[:300]!r}"]
    media = reply.headers.get("content-type", "").split(";")[0].strip().lower()
    problems = []
    if expected.content_type and media != expected.content_type.split(";")[0].strip().lower():
        problems.append(f"Content-Type {media}, expected {expected.content_type}")
    if expected.format in ("boolean", "tabular"):
        fmt = QueryResultsFormat.from_media_type(media)
        if fmt is None or (expected.format == "boolean" and fmt not in (QueryResultsFormat.JSON, QueryResultsFormat.XML)):
            return problems + [f"{media} is not a {expected.format} result format"]
        result = parse_query_results(reply.body, format=fmt)
        if expected.format == "boolean" and expected.boolean is not None and bool(result) != expected.boolean:
            problems.append(f"ASK answered {bool(result)}, expected {expected.boolean}")
    if expected.format == "RDF":
        fmt = RdfFormat.from_media_type(media)
        if fmt is None:
            return problems + [f"{media} is not an RDF format"]
        list(parse(reply.body, fmt))
    if expected.body is not None and method != "HEAD":
        actual, wanted = rdflib.Graph(), rdflib.Graph()
        actual.parse(io.BytesIO(reply.body), format="turtle")
        wanted.parse(data=expected.body, format="turtle")
        if not isomorphic(actual, wanted):
            problems.append(f"the graph returned is not the one expected:\n{reply.body.decode()}")
    return problems
