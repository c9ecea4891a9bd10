"""Discovery: how people and machines find the commons' data.

- `/void` (and `/.well-known/void`): a VoID description, with counts of what the request's
  audience may read (the public sees public counts only);
- `/catalog`: a DCAT catalogue of the dataset, its dump and its services;
- `/dumps/commons.nq.gz`: everything the audience may read as gzipped N-Quads, streamed from
  the store in chunks (never built in memory), the graph of each statement kept;
- `/sitemap.xml`: the entity pages, for search engines (a sitemap index, 10,000 URLs a file);
- `/robots.txt`; `/data`: the page that lists all of it for people.
"""
from __future__ import annotations

import hashlib
import zlib
from datetime import datetime
from collections.abc import Iterator
from itertools import chain, islice
from xml.sax.saxutils import escape

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, Triple, serialize
from werkzeug.exceptions import NotFound
from werkzeug.http import is_resource_modified

from datacommons import licences
from datacommons.vocab import (
    COOP, DCAT, DCTERMS, ESS, FOAF, GEO, GR, RDF, SCHEMA, SKOS, VCARD, VOID, XSD, Namespace,
)

from ..web import named_query_text as queries, negotiate, published, query_text as internal_queries
from ..web.audience import current_audience
from ..search.directory import search_indexes
from ..web.represent import choose_media, represent

bp = Blueprint("discovery", __name__, template_folder="templates")

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
DUMP_CHUNK = 5000  # quads serialised and compressed at a time
SITEMAP_SIZE = 10000
VOCABULARIES = (ESS, COOP, GR, VCARD, GEO, SCHEMA, DCTERMS, FOAF, SKOS)


def _root() -> str:
    return published.root()


def _readable_graphs() -> set[str]:
    commons = current_app.extensions["commons"]
    return set(commons.graphs_for(current_audience()))


def _counts() -> tuple[dict[str, int], int, int, str | None]:
    """(statements per graph, co-ops, member organisations, an example co-op) for the audience."""
    commons = current_app.extensions["commons"]
    audience = current_audience()
    sizes = {s["g"].value: int(s["triples"].value)
             for s in commons.query(internal_queries.text("graph-sizes"), audience)}
    row = next(iter(commons.query(internal_queries.text("dataset-counts"), audience)))
    example = row["example"].value if row["example"] is not None else None
    return sizes, int(row["coops"].value), int(row["members"].value), example


def _int(n: int) -> Literal:
    return Literal(str(n), datatype=XSD.integer)


def void_triples() -> list[Triple]:
    commons = current_app.extensions["commons"]
    root, base = _root(), commons.uris.base
    doc, dataset = NamedNode(f"{root}/void"), NamedNode(f"{base}/void#commons")
    sizes, coops, members, example = _counts()
    t = [
        Triple(doc, RDF.type, VOID.DatasetDescription),
        Triple(doc, DCTERMS["title"], Literal("VoID description of the Data Commons")),
        Triple(doc, FOAF.primaryTopic, dataset),
        Triple(dataset, RDF.type, VOID.Dataset),
        Triple(dataset, DCTERMS["title"], Literal("Data Commons: co-operatives shared by their federations")),
        Triple(dataset, DCTERMS.description, Literal(
            "Co-operatives listed by member organisations, in one vocabulary aligned with "
            "ESSGlobal; each member's statements in its own named graphs. Counts are of what "
            "the requesting audience may read.")),
        Triple(dataset, FOAF.homepage, NamedNode(f"{root}/")),
        Triple(dataset, VOID.sparqlEndpoint, NamedNode(f"{root}/sparql")),
        Triple(dataset, VOID.dataDump, NamedNode(f"{root}/dumps/commons.nq.gz")),
        Triple(dataset, VOID.uriSpace, Literal(f"{base}/id/")),
        Triple(dataset, VOID.feature, NamedNode("http://www.w3.org/ns/formats/N-Quads")),
        Triple(dataset, VOID.feature, NamedNode("http://www.w3.org/ns/formats/Turtle")),
        Triple(dataset, VOID.feature, NamedNode("http://www.w3.org/ns/formats/JSON-LD")),
        Triple(dataset, VOID.triples, _int(sum(sizes.values()))),
        Triple(dataset, VOID.entities, _int(coops)),
        Triple(dataset, VOID.rootResource, NamedNode(f"{base}/id/")),
    ]
    if example:
        t.append(Triple(dataset, VOID.exampleResource, NamedNode(example)))
    t += [Triple(dataset, VOID.vocabulary, NamedNode(str(ns))) for ns in VOCABULARIES]
    partition = BlankNode()
    t += [
        Triple(dataset, VOID.classPartition, partition),
        Triple(partition, VOID["class"], ESS.SSEInitiative),
        Triple(partition, VOID.entities, _int(coops)),
    ]
    partition = BlankNode()
    t += [
        Triple(dataset, VOID.classPartition, partition),
        Triple(partition, VOID["class"], COOP.MemberOrganisation),
        Triple(partition, VOID.entities, _int(members)),
    ]
    partition = BlankNode()
    t += [
        Triple(dataset, VOID.classPartition, partition),
        Triple(partition, VOID["class"], COOP.MailingList),
        Triple(partition, VOID.entities, _int(len(current_app.extensions["optin"].lists.all()))),
    ]
    licensed = licences.graph_licences(commons, sizes)
    for graph, n in sorted(sizes.items()):
        subset = NamedNode(f"{base}/void#graph-{hashlib.sha256(graph.encode()).hexdigest()[:12]}")
        t += [
            Triple(dataset, VOID.subset, subset),
            Triple(subset, RDF.type, VOID.Dataset),
            Triple(subset, SD.name, NamedNode(graph)),
            Triple(subset, VOID.triples, _int(n)),
        ]
        member = _member_of(graph)
        if member:
            t.append(Triple(subset, DCTERMS.publisher, NamedNode(commons.uris.member(member))))
        if graph in licensed:
            t.append(Triple(subset, DCTERMS.license, NamedNode(licensed[graph][1].iri)))
    return t


def _member_of(graph: str) -> str | None:
    commons = current_app.extensions["commons"]
    prefix = f"{commons.uris.base}/graph/"
    parts = graph[len(prefix):].split("/") if graph.startswith(prefix) else []
    return parts[0] if len(parts) == 2 and parts[0] != "commons" else None


def dcat_triples() -> list[Triple]:
    commons = current_app.extensions["commons"]
    root, base = _root(), commons.uris.base
    catalog, dataset = NamedNode(f"{base}/catalog#catalog"), NamedNode(f"{base}/void#commons")
    dump, sparql = NamedNode(f"{base}/catalog#dump"), NamedNode(f"{base}/catalog#sparql")
    api = NamedNode(f"{base}/catalog#search-api")
    _, coops, _, _ = _counts()
    t = [
        Triple(catalog, RDF.type, DCAT.Catalog),
        Triple(catalog, DCTERMS["title"], Literal("Data Commons catalogue")),
        Triple(catalog, DCAT.dataset, dataset),
        Triple(catalog, DCAT.service, sparql),
        Triple(catalog, DCAT.service, api),
        Triple(catalog, FOAF.homepage, NamedNode(f"{root}/")),
        Triple(dataset, RDF.type, DCAT.Dataset),
        Triple(dataset, DCTERMS["title"], Literal("Co-operatives shared by their federations")),
        Triple(dataset, DCTERMS.description, Literal(
            f"{coops} co-op records as the requesting audience may read them, with who said what.")),
        Triple(dataset, DCAT.keyword, Literal("co-operatives")),
        Triple(dataset, DCAT.keyword, Literal("solidarity economy")),
        Triple(dataset, DCAT.landingPage, NamedNode(f"{root}/")),
        Triple(dataset, DCAT.distribution, dump),
        Triple(dump, RDF.type, DCAT.Distribution),
        Triple(dump, DCTERMS["title"], Literal("Everything the audience may read, as gzipped N-Quads")),
        Triple(dump, DCAT.downloadURL, NamedNode(f"{root}/dumps/commons.nq.gz")),
        Triple(dump, DCAT.mediaType, NamedNode("https://www.iana.org/assignments/media-types/application/n-quads")),
        Triple(dump, DCAT.compressFormat, NamedNode("https://www.iana.org/assignments/media-types/application/gzip")),
        Triple(sparql, RDF.type, DCAT.DataService),
        Triple(sparql, DCTERMS["title"], Literal("SPARQL 1.1 endpoint")),
        Triple(sparql, DCAT.endpointURL, NamedNode(f"{root}/sparql")),
        Triple(sparql, DCAT.servesDataset, dataset),
        Triple(api, RDF.type, DCAT.DataService),
        Triple(api, DCTERMS["title"], Literal("Directory search API (JSON, JSON-LD, GeoJSON)")),
        Triple(api, DCAT.endpointURL, NamedNode(f"{root}/api/search")),
        Triple(api, DCAT.endpointDescription, NamedNode(f"{root}/api/openapi.json")),
        Triple(api, DCAT.servesDataset, dataset),
        *_lists_service(base, root, catalog, dataset),
    ]
    t += _member_datasets(dataset, dump)
    return t


def _lists_service(base: str, root: str, catalog: NamedNode, dataset: NamedNode) -> list[Triple]:
    """The mailing lists API, and each list (public linked data; never its subscribers)."""
    service = NamedNode(f"{base}/catalog#lists-api")
    t = [
        Triple(catalog, DCAT.service, service),
        Triple(service, RDF.type, DCAT.DataService),
        Triple(service, DCTERMS["title"], Literal("Member organisations' mailing lists (double opt-in sign-up)")),
        Triple(service, DCAT.endpointURL, NamedNode(f"{root}/api/lists")),
        Triple(service, DCAT.servesDataset, dataset),
    ]
    optin = current_app.extensions["optin"]
    t += [Triple(dataset, DCTERMS.hasPart, NamedNode(optin.lists.iri(l.member, l.id))) for l in optin.lists.all()]
    return t


def _member_datasets(dataset: NamedNode, dump: NamedNode) -> list[Triple]:
    """One DCAT dataset per member whose public data the audience reads, with the licence its
    member chose: the whole is many members' data under their own terms (the dump carries
    the same per graph, `licences.dump_statements`)."""
    commons = current_app.extensions["commons"]
    t = [Triple(dump, DCTERMS.rights, Literal(
        "Each member organisation's public data is under the licence it chose: see the "
        "member datasets (dcterms:license), also stated in the dump per graph."))]
    for graph, (member, licence) in sorted(licences.graph_licences(commons, _readable_graphs()).items()):
        part = NamedNode(f"{commons.uris.base}/catalog#dataset-{member}")
        t += [
            Triple(dataset, DCTERMS.hasPart, part),
            Triple(part, RDF.type, DCAT.Dataset),
            Triple(part, DCTERMS["title"], Literal(f"Public data of {_member_name(member)}")),
            Triple(part, DCTERMS.publisher, NamedNode(commons.uris.member(member))),
            Triple(part, DCTERMS.license, NamedNode(licence.iri)),
            Triple(part, DCTERMS.isPartOf, dataset),
            Triple(part, SD.name, NamedNode(graph)),
        ]
    return t


def _member_name(member: str) -> str:
    found = current_app.extensions["commons"].system.member(member)
    return found.name if found else member


def _described(name: str, ext: str | None, build) -> Response:
    commons = current_app.extensions["commons"]
    media = choose_media(negotiate.media_for_extension(ext))

    def page() -> str:
        return render_template("described.html", name=name, triples=build(),
                               formats=("ttl", "jsonld", "rdf", "nt"))

    return represent(iri=f"{commons.uris.base}/{name}", quads=lambda: [Quad(*t) for t in build()],
                     media=media, html=page,
                     data_path=f"/{name}", graphs=_readable_graphs())


@bp.route("/void")
@bp.route("/void.<ext>")
def void(ext: str | None = None) -> Response:
    return _described("void", ext, void_triples)


@bp.route("/.well-known/void")
def well_known_void() -> Response:
    return redirect(url_for("discovery.void"), code=303)


@bp.route("/catalog")
@bp.route("/catalog.<ext>")
def catalog(ext: str | None = None) -> Response:
    return _described("catalog", ext, dcat_triples)


@bp.route("/dumps/commons.nq.gz")
def dump() -> Response:
    commons = current_app.extensions["commons"]
    audience = current_audience()
    graphs = sorted(commons.graphs_for(audience))
    fingerprint, modified = commons.graph_state(graphs)
    etag = hashlib.sha256(f"dump|{fingerprint}|{audience.key}".encode()).hexdigest()[:32]
    if not is_resource_modified(request.environ, etag=etag, last_modified=modified):
        response = Response(status=304)
    else:
        about = licences.dump_statements(commons, graphs)
        response = Response(_gzip_nquads(chain(about, commons.readable_quads(audience))), mimetype="application/gzip")
        response.headers["Content-Disposition"] = 'attachment; filename="commons.nq.gz"'
    response.headers["Link"] = _dump_links(commons, graphs)
    response.set_etag(etag)
    response.last_modified = modified
    response.headers["Vary"] = "Authorization"
    return response


def _dump_links(commons, graphs: list[str]) -> str:
    """The dump's metadata (DCAT, VoID), and its licence when every member's is the same."""
    links = [f'<{_root()}/catalog>; rel="describedby"', f'<{_root()}/void>; rel="describedby"']
    used = {licence.iri for _, licence in licences.graph_licences(commons, graphs).values()}
    if len(used) == 1:
        links.append(f'<{used.pop()}>; rel="license"')
    return ", ".join(links)


def _gzip_nquads(quads: Iterator[Quad]) -> Iterator[bytes]:
    """Gzipped N-Quads, chunk by chunk: N-Quads is one statement a line, so chunks written
    separately concatenate into one valid document, and memory stays flat however big."""
    gzip = zlib.compressobj(6, zlib.DEFLATED, 31)
    while chunk := list(islice(quads, DUMP_CHUNK)):
        data = gzip.compress(serialize(chunk, format=RdfFormat.N_QUADS) or b"")
        if data:
            yield data
    yield gzip.flush()


@bp.route("/sitemap.xml")
def sitemap_index() -> Response:
    db = search_indexes().connect(current_audience())
    try:
        coops = db.execute("SELECT COUNT(*) FROM coop").fetchone()[0]
    finally:
        db.close()
    root = _root()
    files = [f"{root}/sitemaps/pages.xml"] + [
        f"{root}/sitemaps/coops-{n}.xml" for n in range(1, (coops + SITEMAP_SIZE - 1) // SITEMAP_SIZE + 1)
    ]
    latest = _last_change(sorted(_readable_graphs()))
    return _sitemap_xml("sitemapindex", "sitemap", files, [latest] * len(files))


@bp.route("/sitemaps/pages.xml")
def sitemap_pages() -> Response:
    commons = current_app.extensions["commons"]
    root = _root()
    urls = [f"{root}/", f"{root}/search", f"{root}/queries", f"{root}/data", f"{root}/vocab"]
    latest = _last_change(sorted(_readable_graphs()))
    changed = [latest] * len(urls)
    by_member = _member_changes()
    for s in commons.query(queries.text("members"), current_audience()):
        urls.append(root + s["member"].value[len(commons.uris.base):])
        changed.append(by_member.get(s["member"].value.rsplit("/", 1)[-1], latest))
    return _urlset(urls, changed)


@bp.route("/sitemaps/coops-<int:number>.xml")
def sitemap_coops(number: int) -> Response:
    commons = current_app.extensions["commons"]
    db = search_indexes().connect(current_audience())
    try:
        rows = db.execute(
            "SELECT c.iri, group_concat(f.value, ' ') FROM (SELECT id, iri FROM coop ORDER BY id LIMIT ? OFFSET ?) c"
            " LEFT JOIN facet f ON f.coop = c.id AND f.facet = 'member' GROUP BY c.id ORDER BY c.id",
            (SITEMAP_SIZE, (number - 1) * SITEMAP_SIZE)).fetchall()
    finally:
        db.close()
    if not rows:
        raise NotFound("no such sitemap file")
    root, base = _root(), commons.uris.base
    by_member = _member_changes()
    latest = _last_change(sorted(_readable_graphs()))
    kept = [(iri, members) for iri, members in rows if iri.startswith(base)]
    return _urlset([root + iri[len(base):] for iri, _ in kept],
                   [max((by_member[m] for m in (members or "").split() if m in by_member), default=latest)
                    for _, members in kept])


def _last_change(graphs: list[str]) -> datetime:
    return current_app.extensions["commons"].graph_state(graphs)[1]


def _member_changes() -> dict[str, datetime]:
    """When each member's data the audience reads last changed: a co-op's page changes when
    the data of a member that lists it does (its `lastmod` in the sitemap)."""
    commons = current_app.extensions["commons"]
    readable = _readable_graphs()
    out = {}
    for m in commons.system.members():
        graphs = sorted(set(commons.uris.member_graphs(m.id)) & readable)
        if graphs:
            out[m.id] = _last_change(graphs)
    return out


def _urlset(urls: list[str], changed: list[datetime] | None = None) -> Response:
    return _sitemap_xml("urlset", "url", urls, changed)


def _sitemap_xml(root: str, item: str, urls: list[str], changed: list[datetime] | None = None) -> Response:
    """A sitemap (<urlset>/<url>) or sitemap index (<sitemapindex>/<sitemap>) of `urls`,
    each with its `lastmod` when `changed` says when."""
    stamps = [f"<lastmod>{c.isoformat(timespec='seconds')}</lastmod>" for c in changed] if changed else [""] * len(urls)
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<{root} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            + "".join(f"  <{item}><loc>{escape(u)}</loc>{stamp}</{item}>\n" for u, stamp in zip(urls, stamps))
            + f"</{root}>\n")
    return Response(body, mimetype="application/xml")


@bp.route("/robots.txt")
def robots() -> Response:
    body = (
        "# Entity pages, the directory and named queries are for everyone; endless parameter\n"
        "# combinations (searches, SPARQL) and bulk downloads are not for crawlers.\n"
        "User-agent: *\n"
        "Disallow: /sparql\n"
        "Disallow: /dumps/\n"
        "Disallow: /api/\n"
        "Disallow: /search?\n"
        "Disallow: /embed\n"
        f"Sitemap: {_root()}/sitemap.xml\n"
    )
    return Response(body, mimetype="text/plain")


@bp.route("/data")
def data() -> Response:
    return Response(render_template("data.html", audience=str(current_audience())), mimetype="text/html")
