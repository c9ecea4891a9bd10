"""What the load phases send: the SPARQL query mix, entity pages and searches, drawn from the
commons under test with fixed seeds.

The SPARQL mix is the named queries (queries/*.rq, their parameters given as a VALUES row, so
the texts are plain SPARQL any server runs, and cut at their declared limit) plus typical
directory queries. Each template has a fixed first value (the repeated mix) and a list of
others (never-seen queries vary them, and the LIMIT; see `load.Workload`).
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from pyoxigraph import Variable

from datacommons.audience import ANONYMOUS
from datacommons.store import Commons
from endpoint.sparql.named_query_catalogue import NamedQuery, bindings, catalogue
from demo.generator import ACTIVITY_IDS, STRUCTURE_IDS

from .load import LIMIT, VALUE, Template, Workload

PREFIXES = """PREFIX essglobal: <http://purl.org/essglobal/vocab/>
PREFIX gr: <http://purl.org/goodrelations/v1#>
PREFIX vcard: <http://www.w3.org/2006/vcard/ns#>
PREFIX coop: <https://w3id.org/coop-commons/vocab#>
PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#>
"""
SPARQL_HEADERS = {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"}
# The repeated mix's parameter values (the others come from the data).
FIXED = {"region": "ON", "activity": "ICA210", "structure": "OS60", "country": "CA", "locality": "Toronto"}
NO_LIMIT = 1000  # the LIMIT of templates that declare none (aggregates with few rows)


@dataclass
class Corpus:
    """What the commons holds for the public, to draw requests from."""
    coops: list[str]  # every public co-op IRI, sorted
    regions: list[str]
    localities: list[str]
    countries: list[str]  # ISO codes
    words: list[str]  # words of co-op names and places, for searches


def corpus(commons: Commons) -> Corpus:
    def column(sparql: str) -> list[str]:
        return sorted({s["x"].value for s in commons.query(PREFIXES + sparql, ANONYMOUS)})

    coops = column("SELECT ?x WHERE { ?x a essglobal:SSEInitiative }")
    names = column("SELECT ?x WHERE { ?c a essglobal:SSEInitiative ; gr:name ?x }")
    localities = column("SELECT ?x WHERE { ?a vcard:locality ?x }")
    words = sorted({w for text in names + localities for w in re.findall(r"[^\W\d_]{4,}", text.lower())})
    return Corpus(
        coops=coops,
        regions=column("SELECT ?x WHERE { ?a vcard:region ?x }"),
        localities=localities,
        countries=[iri.rsplit("/", 1)[1] for iri in column("SELECT ?x WHERE { ?a coop:country ?x }")],
        words=words,
    )


def _first(fixed: str, values: list[str]) -> list[str]:
    return [fixed] + [v for v in values if v != fixed] if fixed in values else values


def _domains(data: Corpus, rng: random.Random) -> dict[str, list[str]]:
    """Parameter name -> values as a client writes them (fixed value first)."""
    sample = rng.sample(data.coops, min(1000, len(data.coops)))
    return {
        "region": _first(FIXED["region"], data.regions),
        "activity": _first(FIXED["activity"], sorted(ACTIVITY_IDS.values())),
        "structure": _first(FIXED["structure"], sorted(STRUCTURE_IDS.values())),
        "country": _first(FIXED["country"], data.countries),
        "since": [str(y) for y in range(2015, 1899, -1)],
        "locality": _first(FIXED["locality"], data.localities),
        "coop": sample,
        "word": rng.sample(data.words, min(500, len(data.words))),
    }


def _named(query: NamedQuery, domains: dict[str, list[str]], commons: Commons) -> Template:
    """The query's text with its (one) parameter as a VALUES row, cut at its declared limit."""
    lines = [line for line in query.sparql.splitlines() if not line.startswith("#")]
    text = "\n".join(lines)
    params = [p for p in query.parameters if p.name not in ("limit", "offset")]
    values: list[str] = [""]
    if params:
        (param,) = params  # every parameterised named query has one; say so if that changes
        texts = domains.get(param.name) or [param.default or ""]
        if param.default and param.default not in texts:
            texts = [param.default] + texts
        exists = lambda iri: bool(commons.quads_about(iri, ANONYMOUS))  # noqa: E731
        values = [str(bindings(query, {param.name: t}, commons.uris, exists)[Variable(param.name)]) for t in texts]
        text = re.sub(r"WHERE\s*\{", lambda m: m.group(0) + f"\n  VALUES ?{param.name} {{ {VALUE} }}", text, count=1)
    limit = query.parameter("limit")
    return Template(f"{text}\nLIMIT {LIMIT}", tuple(values), int(limit.default) if limit else NO_LIMIT,
                    f"queries/{query.name}.rq")


def _literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def sparql_templates(commons: Commons, data: Corpus, seed: int) -> list[Template]:
    rng = random.Random(seed)
    domains = _domains(data, rng)
    named = {name: _named(q, domains, commons) for name, q in catalogue().items()}
    # The directory queries take the same concepts as the named queries' parameters.
    structures = named["coops-by-structure"].values
    countries = named["coops-by-country"].values
    activities = named["coops-by-activity"].values
    boxes = []
    for lat, lon in [(45.5, -73.6), (43.7, -79.4), (49.3, -123.1), (44.98, -93.27), (40.7, -74.0)] + [
        (round(rng.uniform(30, 55), 1), round(rng.uniform(-125, -65), 1)) for _ in range(200)
    ]:
        boxes.append(f"?lat > {lat - 0.5:.2f} && ?lat < {lat + 0.5:.2f} && ?long > {lon - 0.5:.2f} && ?long < {lon + 0.5:.2f}")
    directory = [
        Template("SELECT (COUNT(*) AS ?n) WHERE { ?c a essglobal:SSEInitiative ; "
                 f"essglobal:organisationalStructure {VALUE} }} LIMIT {LIMIT}", structures, NO_LIMIT,
                 "count of a kind"),
        Template("SELECT ?region (COUNT(?c) AS ?n) WHERE { ?c essglobal:hasAddress ?a . ?a vcard:region ?region ; "
                 f"coop:country {VALUE} }} GROUP BY ?region ORDER BY DESC(?n) LIMIT {LIMIT}", countries, NO_LIMIT,
                 "counts per region of a country"),
        Template("SELECT ?c ?name WHERE { ?c gr:name ?name ; essglobal:hasAddress ?a . "
                 f"?a vcard:locality {VALUE} }} ORDER BY ?name LIMIT {LIMIT}",
                 tuple(_literal(v) for v in domains["locality"]), 50, "a locality's co-ops"),
        Template(f"SELECT ?c ?name WHERE {{ ?c gr:name ?name ; essglobal:economicSector {VALUE} }} LIMIT {LIMIT}",
                 activities, 100, "an activity's co-ops"),
        Template("SELECT ?c ?name ?lat ?long WHERE { ?c gr:name ?name ; geo:lat ?lat ; geo:long ?long "
                 f"FILTER({VALUE}) }} LIMIT {LIMIT}", tuple(boxes), 200, "a map box"),
        Template(f"SELECT ?m (COUNT(?c) AS ?n) WHERE {{ ?c coop:listedBy ?m }} GROUP BY ?m LIMIT {LIMIT}",
                 ("",), NO_LIMIT, "co-ops per member"),
        Template("SELECT ?c ?name WHERE { ?c a essglobal:SSEInitiative ; gr:name ?name "
                 f"FILTER(CONTAINS(LCASE(?name), {VALUE})) }} LIMIT {LIMIT}",
                 tuple(_literal(w) for w in domains["word"]), 20, "a word in names"),
        Template(f"SELECT ?p ?o WHERE {{ {VALUE} ?p ?o }} LIMIT {LIMIT}",
                 tuple(f"<{iri}>" for iri in domains["coop"]), 100, "one co-op's statements"),
    ]
    return list(named.values()) + [Template(PREFIXES + t.text, t.values, t.limit, t.label) for t in directory]


def sparql(templates: list[Template], *, unseen: bool) -> Workload:
    name = "SPARQL queries never seen before" if unseen else "SPARQL repeated query mix"
    return Workload(name, tuple(templates), "POST", "/sparql", SPARQL_HEADERS, unseen)


def entity_paths(data: Corpus, sample: int, seed: int) -> list[str]:
    """`sample` public co-ops drawn uniformly (fixed seed), in a shuffled order, as paths."""
    chosen = random.Random(seed).sample(data.coops, min(sample, len(data.coops)))
    return [quote(urlsplit(iri).path, safe="/:@!$&'()*+,;=-._~%") for iri in chosen]


def search_paths(data: Corpus, count: int, seed: int) -> list[str]:
    """`count` searches, each a word drawn uniformly from the corpus' words (fixed seed)."""
    rng = random.Random(seed)
    return [f"/api/search?q={quote(rng.choice(data.words))}" for _ in range(count)]


def pages(name: str, paths: list[str], accept: str) -> Workload:
    return Workload(name, tuple(Template(p) for p in paths), headers={"Accept": accept})
