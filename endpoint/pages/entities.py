"""/id/...: every URI the commons mints dereferences, as HTML for people and RDF for machines;
plus the commons' copies of concepts (/id/concept/...), its vocabulary (/vocab) and the
JSON-LD context (/context.jsonld). See iri_paths.py for which IRI is served where and
represent.py for the negotiation and caching rules."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, render_template, url_for
from markupsafe import Markup, escape
from pyoxigraph import Literal, NamedNode, Quad, Variable
from werkzeug.exceptions import NotFound

from datacommons.fields import FIELD_BY_PREDICATE, FIELDS_BY_NAME
from datacommons.vocab import COOP, ESS, OWL, RDF

from . import schema_org
from ..web import jsonld, negotiate, query_text as internal_queries
from ..web.audience import current_audience
from .describe import SAME_AS, describe, statements
from ..search.directory import facet_for_concept
from ..web.iri_paths import data_path, iris_for_path
from ..web.represent import choose_media, represent, split_extension

bp = Blueprint("entities", __name__, template_folder="templates")

# The entity page's sections: which record fields each shows (labels come from fields.py).
SECTIONS = {
    "where": ("street", "locality", "region", "postal_code", "country"),
    "contact": ("website", "email", "phone"),
    "about": ("founded", "legal_form", "membership_type", "workers", "members", "qualifiers",
              "offerings", "registration_id", "opening_hours"),
}


def _find(rest: str) -> tuple[str, list[Quad], str | None]:
    """The entity `/id/{rest}` names (trying `rest` whole first, then without an extension),
    the statements about it the audience may read, and the media type its extension asks for."""
    commons = current_app.extensions["commons"]
    audience = current_audience()
    stem, media = split_extension(rest)
    attempts = [(rest, None)] + ([(stem, media)] if media else [])
    for path, media in attempts:
        for iri in iris_for_path(commons.uris.base, path):
            quads = statements(commons, iri, audience)
            if quads:
                return iri, quads, media
    raise NotFound(
        f"the commons has nothing to say about <{iris_for_path(commons.uris.base, rest)[0]}> "
        "(or nothing this audience may read)"
    )


@bp.route("/id/<path:rest>")
def entity(rest: str) -> Response:
    """Data formats need only the statements; the page also describes them (labels, who
    said what, what names the same co-op), so that work is done for HTML alone."""
    commons = current_app.extensions["commons"]
    iri, quads, explicit = _find(rest)
    media = choose_media(explicit)
    path = data_path(commons.uris.base, iri)
    canonical = canonical_of(commons, iri, quads)

    def page() -> str:
        found = describe(commons, iri, current_audience(), quads=quads)
        facet = facet_for_concept(found.iri) if found.kind == "concept" else None
        return render_template(
            "entity.html", entity=found, data_path=path, sections=_sections(found),
            disagreements={FIELD_BY_PREDICATE[p].label for p in found.disagreements()},
            same_as=found.values(*SAME_AS), formats=negotiate.RDF_EXTENSIONS,
            concept_search=url_for("directory.search_page", **{facet[0]: facet[1]}) if facet else None,
            value_link=value_link, said_by=said_by, statement_rows=statement_rows,
            canonical=canonical, schema_org=schema_org.organization(found, canonical),
        )

    return represent(
        iri=iri, quads=lambda: quads, media=media, html=page, data_path=path,
        graphs={q.graph_name.value for q in quads} | {commons.uris.commons_graph, commons.uris.vocabulary_graph},
        links=[f'<{canonical}>; rel="canonical"'] if canonical else [],
    )


def canonical_of(commons, iri: str, quads: list[Quad]) -> str | None:
    """The merged co-op (`/id/org/...`) a member's record is one of, if the audience may see
    the link: search engines and people should land on the page that gathers every member's
    record, and the record's page and data say so (`rel="canonical"`)."""
    if commons.uris.is_canonical(iri) or not any(
        q.subject.value == iri and q.predicate == RDF.type and q.object == ESS.SSEInitiative for q in quads
    ):
        return None
    merged = [s for s in commons.subjects_with(OWL.sameAs.value, iri, current_audience())
              if commons.uris.is_canonical(s)]
    return min(merged) if merged else None


def value_link(v) -> Markup:
    """A value as the page shows it: e-mail and phone as links, IRIs as links to their page."""
    if v.iri and v.iri.startswith("mailto:"):
        return Markup(f'<a href="{escape(v.iri)}">{escape(v.iri[7:])}</a>')
    if v.iri and v.iri.startswith("tel:"):
        return Markup(f'<a href="{escape(v.iri)}">{escape(v.iri[4:])}</a>')
    if v.href:
        return Markup(f'<a href="{escape(v.href)}">{escape(v.text)}</a>')
    return escape(v.text)


def said_by(v, who: bool = True) -> Markup:
    """Who said a value, and its level when not public. who=False keeps only the level: on a
    record that one member alone describes, "said by" on every line says nothing the "Listed
    by" card and the statements table do not."""
    if not v.said_by:
        return Markup("")
    by = (f'said by <a href="/id/member/{escape(v.said_by)}">{escape(v.said_by_name or v.said_by)}</a>'
          if who else "")
    level = (f' <span class="level level-{escape(v.level)}">{escape(v.level)} only</span>'
             if v.level and v.level != "public" else "")
    return Markup(f'<span class="said-by">{by}{level}</span>')


def statement_rows(entity) -> Markup:
    """The rows of the "Who said what" table: one per value, grouped by property. Built here
    rather than in the template: it is the longest repeating part of the most requested page,
    and a Jinja loop costs more than the rest of the page together."""
    rows: list[str] = []
    for predicate, values in entity.properties.items():
        head = (f'<th scope="row" rowspan="{len(values)}" title="{escape(predicate)}">'
                f'{escape(entity.property_labels[predicate])}</th>')
        for v in values:
            lang = f' <span class="muted small">({escape(v.lang)})</span>' if v.lang else ""
            said = (f'<a href="/id/member/{escape(v.said_by)}">{escape(v.said_by_name or v.said_by)}</a>'
                    if v.said_by else '<span class="muted">the commons</span>')
            level = escape(v.level or "public")
            rows.append(f'<tr>{head}<td>{value_link(v)}{lang}</td><td>{said}</td>'
                        f'<td><span class="level level-{level}">{level}</span></td></tr>')
            head = ""
    return Markup("\n".join(rows))


def _sections(entity) -> dict[str, list[tuple[str, list]]]:
    """For each section of a co-op's page, the (label, values) of the fields it has."""
    out: dict[str, list[tuple[str, list]]] = {}
    for section, names in SECTIONS.items():
        rows = []
        for name in names:
            spec = FIELDS_BY_NAME[name]
            values = entity.values(*spec.predicates[:1])  # country: its name, not its code too
            if values:
                rows.append((spec.label, values))
        out[section] = rows
    return out


@bp.route("/vocab")
@bp.route("/vocab.<ext>")
def vocabulary(ext: str | None = None) -> Response:
    """The commons' own vocabulary (coop:), as the vocabulary graph holds it."""
    commons = current_app.extensions["commons"]
    media = choose_media(negotiate.media_for_extension(ext))
    graph = NamedNode(commons.uris.vocabulary_graph)

    def quads() -> list[Quad]:
        result = commons.query(
            internal_queries.text("vocabulary-terms"), current_audience(),
            substitutions={Variable("namespace"): Literal(str(COOP)), Variable("g"): graph},
        )
        return [Quad(s["s"], s["p"], s["o"], graph) for s in result]

    def page() -> str:
        terms: dict[str, list[Quad]] = {}
        for q in quads():
            terms.setdefault(q.subject.value, []).append(q)
        return render_template("vocabulary.html", namespace=str(COOP), terms=terms)

    return represent(
        iri=str(COOP), quads=quads, media=media, html=page, data_path="/vocab",
        graphs={commons.uris.vocabulary_graph},
    )


@bp.route(jsonld.CONTEXT_PATH)
def context() -> Response:
    """The JSON-LD context every JSON-LD document of the commons refers to."""
    response = jsonify(jsonld.context_document())
    response.mimetype = jsonld.MEDIA
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response
