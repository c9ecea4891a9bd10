"""Reading a member's file into raw records: CSV (the commons template, the community standard
CSV, or any CSV through a column mapping), JSON, and RDF (Turtle, JSON-LD, RDF/XML,
N-Triples) in the commons' encoding or the community's published ESSGlobal form.

Readers only rename and tidy (decode, unescape HTML entities, strip whitespace, drop empty
cells); judging values is the normaliser's job, so every problem is reported in one place
with the row and column a person can find in their own file.
"""
from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from pyoxigraph import Dataset, Literal, NamedNode, Quad, RdfFormat, Triple, parse

from datacommons.fields import MULTI_VALUED
from datacommons.vocab import (
    COOP, DCTERMS, ESS, FOAF, GEO, GR, RDF, SCHEMA, SCHEME_COUNTRY, VCARD,
)

from .concepts import canonical_iri
from .damage import check_text
from . import geojson
from .encoding import decode
from .mapping import (
    FIELD_NAMES, GEOJSON_OSM, STANDARD_CSV, Mapping, builtin_mappings, column_key, join_values,
    load_mapping,
)
from .record import InputError, Problem, RawRecord

_RDF_FORMATS: dict[str, RdfFormat] = {
    "turtle": RdfFormat.TURTLE,
    "json-ld": RdfFormat.JSON_LD,
    "rdf-xml": RdfFormat.RDF_XML,
    "n-triples": RdfFormat.N_TRIPLES,
}
_FORMAT_NAMES: dict[str, str] = {
    "csv": "csv", "tsv": "csv", "txt": "csv",
    "json": "json", "ndjson": "json", "jsonl": "json",
    "geojson": "geojson", "geojsonl": "geojson", "geojsons": "geojson",
    "turtle": "turtle", "ttl": "turtle",
    "json-ld": "json-ld", "jsonld": "json-ld",
    "rdf-xml": "rdf-xml", "rdfxml": "rdf-xml", "rdf": "rdf-xml", "xml": "rdf-xml", "owl": "rdf-xml",
    "n-triples": "n-triples", "ntriples": "n-triples", "nt": "n-triples",
}
# Entities as browsers decode them: numeric ones with or without the final ";" (DotCoop's
# "Coru&#241"), named ones with it, and named ones without it where a browser decodes them in
# an attribute too (not before "=" or a letter or digit, so "?a=1&copy=2" stays a URL).
_ENTITY = re.compile(
    r"&(?:#[0-9]{1,7};?|#[xX][0-9a-fA-F]{1,6};?|[A-Za-z][A-Za-z0-9]{1,31};|[A-Za-z][A-Za-z0-9]{1,31}(?![=A-Za-z0-9;]))"
)
# The longest value a record keeps (a co-op's description runs to a few thousand characters).
MAX_VALUE_CHARS = 65_536
# A DTD entity declaration: expanding nested ones ("billion laughs") makes a 1 KB file gigabytes.
_DTD_ENTITY = re.compile(rb"<!ENTITY\b")


@dataclass
class ReadResult:
    """What a file held, before normalisation.

    `columns` are the template fields the records carry (template order), `source_columns`
    the file's own header (CSV) or keys (JSON); `kind` is one of template, standard, mapped
    (CSV), json or rdf.
    """

    records: list[RawRecord]
    problems: list[Problem]
    kind: str
    columns: list[str]
    source_columns: list[str] = field(default_factory=list)
    encoding: str | None = None


def read(path: Path, *, mapping: Path | None = None, fmt: str | None = None) -> ReadResult:
    """Read a member's file; `fmt` overrides the format the file name suggests."""
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror}") from None
    fmt = _format(Path(path), data, fmt)
    if fmt in _RDF_FORMATS:
        if mapping is not None:
            raise InputError("a column mapping applies to CSV or JSON files, not to RDF")
        return _capped(_read_rdf(data, fmt, Path(path)))
    decoded = decode(data)
    if fmt in ("json", "geojson"):
        parsed, features = _parse_json(decoded.text, Path(path).name, fmt)
        if features is not None:
            result = _read_geojson(features, mapping)
        elif _is_json_ld(parsed):
            if mapping is not None:
                raise InputError("a column mapping applies to CSV or JSON files, not to JSON-LD")
            return _capped(_read_rdf(data, "json-ld", Path(path)))
        else:
            result = _read_json(parsed, load_mapping(mapping) if mapping else None)
    else:
        result = _read_csv(decoded.text, load_mapping(mapping) if mapping else None)
    result.encoding = decoded.encoding
    result.problems += check_text(result.records, replaced=decoded.replaced)
    return _capped(result)


def _capped(result: ReadResult) -> ReadResult:
    """Refuse (as an error naming record and field) any value longer than MAX_VALUE_CHARS,
    and drop it: one huge value must not fill the preview, its diff and the store. The error
    keeps the record out of any commit (or out of a commit that skips invalid records)."""
    for record in result.records:
        for name, value in list(record.values.items()):
            if len(value) > MAX_VALUE_CHARS:
                result.problems.append(Problem(
                    record.position, name, value[:40] + "...",
                    f"this value is {len(value):,} characters long; the commons keeps values of "
                    f"at most {MAX_VALUE_CHARS:,} characters",
                ))
                del record.values[name]
    return result


def _format(path: Path, data: bytes, fmt: str | None) -> str:
    if fmt is not None:
        name = _FORMAT_NAMES.get(fmt.strip().lower().lstrip("."))
        if name is None:
            raise InputError(
                f"unknown format {fmt!r}: use csv, json, geojson, turtle, json-ld, rdf-xml or n-triples"
            )
        return name
    by_extension = _FORMAT_NAMES.get(path.suffix.lower().lstrip("."))
    if by_extension is not None:
        return by_extension
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith((b"{", b"[")):
        return "json"
    if head.startswith((b"<?xml", b"<rdf:RDF")):
        return "rdf-xml"
    if head.startswith((b"@prefix", b"@base", b"PREFIX", b"prefix")):
        return "turtle"
    return "csv"


def _text(value: str) -> str:
    """A cell as people meant it: HTML entities decoded, outer whitespace gone."""
    if "&" in value:
        value = _ENTITY.sub(lambda m: html.unescape(m.group(0)), value)
    return value.strip()


def _template_key(name: str) -> str:
    """Template column names compared without case, spaces or hyphens ("Postal code")."""
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def _present(records: list[RawRecord]) -> list[str]:
    seen = {k for r in records for k in r.values}
    return [f for f in FIELD_NAMES if f in seen]


# --- CSV -----------------------------------------------------------------------------------------
def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the header into the most columns (comma on a tie)."""
    first = io.StringIO(text, newline="").readline()
    best, most = ",", 0
    for delimiter in (",", ";", "\t"):
        cells = next(csv.reader(io.StringIO(first, newline=""), delimiter=delimiter), [])
        if len(cells) > most:
            best, most = delimiter, len(cells)
    return best


def _read_csv(text: str, mapping: Mapping | None) -> ReadResult:
    delimiter = mapping.delimiter if mapping and mapping.delimiter else _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [_text(h) for h in next(reader)]
    except StopIteration:
        raise InputError("the file is empty: a CSV needs a header row naming its columns") from None
    except csv.Error as e:
        raise InputError(f"line 1: {e}") from None
    problems: list[Problem] = []
    kind, mapping, keys = _csv_kind(header, mapping, problems)
    width = len(header)
    records: list[RawRecord] = []
    hints = mapping.record_hints() if mapping else {}
    skipped: dict[str, list[str]] = {}
    unnamed_warned = False
    previous_line = reader.line_num
    try:
        for cells in reader:
            position = f"row {previous_line + 1}"
            previous_line = reader.line_num
            cells = [_text(c) if "&" in c else c.strip() for c in cells]
            if not any(cells):
                continue
            if len(cells) > width and any(cells[width:]):
                problems.append(Problem(
                    position, None, None,
                    f"this row has {len(cells)} cells but the header has {width} columns; "
                    "a delimiter inside a value needs quotes around the value",
                ))
                continue
            row = {k: c for k, c in zip(keys, cells) if c and k}
            if not unnamed_warned and any(c and not k for k, c in zip(keys, cells)):
                unnamed_warned = True
                problems.append(Problem(
                    position, None, None,
                    "a column without a header holds values; they were ignored", "warning",
                ))
            if mapping is not None:
                if (skip := mapping.skips(row)) is not None:
                    skipped.setdefault(str(skip), []).append(position)
                    continue
                values, found = mapping.apply(row, position)
                problems += found
            else:
                values = row
            records.append(RawRecord(position, values, dict(hints)))
    except csv.Error as e:
        raise InputError(f"line {reader.line_num}: {e}") from None
    problems += _skipped(skipped)
    return ReadResult(records, problems, kind, _present(records), header)


def _skipped(skipped: dict[str, list[str]]) -> list[Problem]:
    """One warning per skip condition of the mapping, saying how many rows it left out."""
    return [
        Problem(positions[0], None, None,
                f"{len(positions)} record(s) left out because {condition} (the mapping's [source] skip)",
                "warning")
        for condition, positions in skipped.items()
    ]


_IGNORE_HINT = "list them under [source] ignore to silence this"


def _unread(mapping: Mapping, columns: list[str], field: str, noun: str, hint: str) -> list[Problem]:
    """The mapping's check of a source's columns (or keys), and one warning naming those it
    neither reads nor ignores: nothing a member sent is dropped without a word."""
    mapping.check_header(columns)
    extra = mapping.unknown_columns(columns)
    if not extra:
        return []
    return [Problem(
        field, None, None,
        f"{noun} {', '.join(map(repr, extra))} are not in mapping {mapping.origin} and were ignored ({hint})",
        "warning",
    )]


def _csv_kind(
    header: list[str], mapping: Mapping | None, problems: list[Problem]
) -> tuple[str, Mapping | None, list[str]]:
    """Which kind of CSV this is, the mapping to read it with, and the key of each column."""
    named = [h for h in header if h]
    if mapping is not None:
        _check_duplicates(named, column_key)
        problems += _unread(mapping, named, "header", "columns", _IGNORE_HINT)
        return "mapped", mapping, [column_key(h) for h in header]
    keys = [_template_key(h) if h else "" for h in header]
    unknown = [h for h, k in zip(header, keys) if h and k not in FIELD_NAMES]
    if not unknown and "name" in keys:
        _check_duplicates(named, _template_key)
        return "template", None, keys
    standard = load_mapping(STANDARD_CSV)
    if standard.recognises_required(named):
        _check_duplicates(named, column_key)
        extra = standard.unknown_columns(named)
        if extra:
            problems.append(Problem(
                "header", None, None,
                f"read as the community standard CSV; ignored: columns {', '.join(map(repr, extra))}, "
                "which it does not have (a mapping can read them: see docs/mapping.md)",
                "warning",
            ))
        return "standard", standard, [column_key(h) for h in header]
    if not unknown:
        raise InputError("the header has no 'name' column: every record needs a name")
    standard_unknown = standard.unknown_columns(named)
    if len(standard_unknown) < len(unknown):
        unknown, known_as = standard_unknown, "community standard CSV columns"
    else:
        known_as = "template columns"
    raise InputError(
        f"unknown columns {', '.join(map(repr, unknown))} (not {known_as}): a mapping file is "
        "needed to say which field each column feeds; pass it with --mapping, a file or a "
        f"built-in mapping ({', '.join(builtin_mappings())}; see one with "
        "'datacommons mapping show NAME', and docs/mapping.md)"
    )


def _check_duplicates(header: list[str], key: Any) -> None:
    seen: dict[str, str] = {}
    for h in header:
        if key(h) in seen:
            raise InputError(f"the header has column {h!r} twice (as {seen[key(h)]!r} and {h!r})")
        seen[key(h)] = h


# --- JSON ----------------------------------------------------------------------------------------
def _parse_json(text: str, name: str, fmt: str) -> tuple[Any, geojson.Features | None]:
    """The parsed JSON, and its GeoJSON features if it is GeoJSON (a FeatureCollection, a
    Feature, or features one per line), whatever the file is called."""
    try:
        parsed = json.loads(text, parse_float=str, parse_int=str)
    except json.JSONDecodeError as e:
        features = geojson.line_features(text, name) if e.msg == "Extra data" else None
        if features is None:
            raise InputError(f"{name} is not valid JSON: line {e.lineno}, column {e.colno}: {e.msg}") from None
        return None, features
    if geojson.is_geojson(parsed):
        return parsed, geojson.features(parsed)
    if fmt == "geojson":
        raise InputError(
            f"{name} is not GeoJSON: expected a FeatureCollection, a Feature, or features one per line"
        )
    return parsed, None


def _is_json_ld(parsed: Any) -> bool:
    first = parsed[0] if isinstance(parsed, list) and parsed else parsed
    return isinstance(first, dict) and any(k.startswith("@") for k in first)


def _read_json(parsed: Any, mapping: Mapping | None) -> ReadResult:
    if isinstance(parsed, dict) and isinstance(parsed.get("records"), list):
        parsed = parsed["records"]
    if not isinstance(parsed, list):
        raise InputError('expected a list of records, or an object {"records": [...]}')
    records: list[RawRecord] = []
    problems: list[Problem] = []
    source_columns: dict[str, None] = {}
    unknown: dict[str, str] = {}
    hints = mapping.record_hints() if mapping else {}
    skipped: dict[str, list[str]] = {}
    for n, item in enumerate(parsed, start=1):
        position = f"record {n}"
        if not isinstance(item, dict):
            problems.append(Problem(position, None, None, "a record must be a JSON object"))
            continue
        cells: dict[str, str] = {}
        # a mapping reads nested objects by dotted paths ("address.city")
        for key, value in (geojson.flatten(item) if mapping is not None else item).items():
            source_columns.setdefault(key)
            name = column_key(key) if mapping else _template_key(key)
            if mapping is None and name not in FIELD_NAMES:
                unknown.setdefault(key, position)
                continue
            if name == "offers" and not isinstance(value, str):
                text = json.dumps(value)  # offerings are objects: read whole by the market
            else:
                text = _json_cell(value, name, position, problems, multi=mapping is not None or name in MULTI_VALUED)
            if text:
                cells[name] = text
        if mapping is not None:
            if (skip := mapping.skips(cells)) is not None:
                skipped.setdefault(str(skip), []).append(position)
                continue
            cells, found = mapping.apply(cells, position)
            problems += found
        records.append(RawRecord(position, cells, dict(hints)))
    if unknown:
        listed = ", ".join(f"{k!r} (first in {p})" for k, p in unknown.items())
        raise InputError(
            f"unknown keys {listed}: JSON records use template field names "
            f"({', '.join(FIELD_NAMES)}), or pass a mapping file with --mapping"
        )
    if mapping is not None:
        problems += _unread(mapping, source_columns, "keys", "keys", _IGNORE_HINT)
    problems += _skipped(skipped)
    return ReadResult(records, problems, "mapped" if mapping else "json", _present(records), list(source_columns))


def _read_geojson(features: geojson.Features, mapping_ref: Path | None) -> ReadResult:
    """GeoJSON features through the OpenStreetMap-tag mapping, with the member's own rules
    (if any) over it; every description:LANG is kept as the description in that language."""
    osm = load_mapping(GEOJSON_OSM)
    own = load_mapping(mapping_ref, needs_name=False) if mapping_ref is not None else None
    mapping = own.over(osm) if own is not None else osm
    records: list[RawRecord] = []
    problems: list[Problem] = []
    source_columns: dict[str, None] = {}
    hints = mapping.record_hints()
    skipped: dict[str, list[str]] = {}
    for position, feature in features:
        columns, languages = geojson.feature_columns(feature, position, problems)
        row: dict[str, str] = {}
        for key, value in columns.items():
            source_columns.setdefault(key)
            if text := _json_cell(value, key, position, problems, multi=True):
                row[column_key(key)] = text
        if not row:
            continue
        if (skip := mapping.skips(row)) is not None:
            skipped.setdefault(str(skip), []).append(position)
            continue
        values, found = mapping.apply(row, position)
        problems += found
        record_hints = dict(hints)
        for key, text in languages.items():
            record_hints[key] = _text(text)
        if "description" not in values and languages:
            # no description without a language: the English one (else the first) is the record's
            language = "en" if "description@en" in languages else next(iter(languages)).split("@", 1)[1]
            values["description"] = record_hints.pop(f"description@{language}")
            record_hints["language:description"] = language
        records.append(RawRecord(position, values, record_hints))
    if own is not None:
        own.check_header(source_columns)
    problems += _unread(mapping, source_columns, "properties", "keys",
                        "a mapping can read them as properties.KEY: see docs/mapping.md")
    problems += _skipped(skipped)
    return ReadResult(records, problems, "geojson", _present(records), list(source_columns))


def _json_cell(value: Any, name: str, position: str, problems: list[Problem], *, multi: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, list):
        items = [_json_cell(v, name, position, problems, multi=False) for v in value]
        items = [i for i in items if i]
        if not multi and len(items) > 1:
            problems.append(Problem(
                position, name, ", ".join(items), f"{name} holds one value, not a list",
            ))
            return ""
        return join_values(items)
    problems.append(Problem(
        position, name, None,
        "a nested object is not a value; a mapping can read its keys as dotted paths "
        f"({name}.KEY: see docs/mapping.md)",
    ))
    return ""


# --- RDF -----------------------------------------------------------------------------------------
def _read_rdf(data: bytes, fmt: str, path: Path) -> ReadResult:
    if fmt != "rdf-xml":
        data = decode(data).text.encode("utf-8")
    else:
        _refuse_dtd_entities(data, path)
    try:
        quads = list(parse(data, _RDF_FORMATS[fmt], base_iri=path.resolve().as_uri()))
    except SyntaxError as e:
        if "remote context" in e.msg:
            raise InputError(
                f"{path.name} names a remote JSON-LD @context, which the commons does not fetch: "
                "put the context in the file"
            ) from None
        raise InputError(f"{path.name} is not valid {_RDF_FORMATS[fmt].name}: {e.msg}") from None
    problems: list[Problem] = []
    records = _records_from_quads(quads, problems)
    if not records and quads:
        raise InputError(
            f"{path.name} describes no essglobal:SSEInitiative: the commons reads co-ops typed "
            f"<{ESS.SSEInitiative.value}>"
        )
    return ReadResult(records, problems, "rdf", _present(records))


def _refuse_dtd_entities(data: bytes, path: Path) -> None:
    """Refuse RDF/XML that declares DTD entities, before any parser sees it: nested entities
    expand exponentially, and the parser allocates the expansion."""
    found = _DTD_ENTITY.search(data)
    if found is None:
        return
    line = data.count(b"\n", 0, found.start()) + 1
    raise InputError(
        f"{path.name}, line {line}: declares a DTD entity (<!ENTITY ...>), which the commons does "
        "not read (nested entities expand without bound): write the values and IRIs out in full"
    )


def raw_records_from_rdf(data: Iterable[Quad | Triple] | Dataset) -> list[RawRecord]:
    """Records as raw text again, from RDF in the commons' encoding (or the community's).

    The import pipeline rebuilds a member's current data from the store with this, so a new
    import can be diffed against it field by field.
    """
    return _records_from_quads(data, None)


# Predicate IRIs as plain strings: comparing strings is what makes this fast.
_TYPE, _INITIATIVE = RDF.type.value, ESS.SSEInitiative.value
_HAS_EMAIL, _HAS_PHONE, _HAS_ADDRESS = VCARD.hasEmail.value, VCARD.hasTelephone.value, ESS.hasAddress.value
_HOMEPAGE, _PAGE = FOAF.homepage.value, FOAF.page.value
_VCARD_VALUE, _ACCOUNT = VCARD.value.value, FOAF.account.value
_ACCOUNT_HOME, _ACCOUNT_NAME = FOAF.accountServiceHomepage.value, FOAF.accountName.value
_LAT, _LONG = GEO.lat.value, GEO.long.value
_ROV_REGISTERED = "http://www.w3.org/ns/regorg#hasRegisteredOrganization"
_OS_WITHIN = "http://data.ordnancesurvey.co.uk/ontology/spatialrelations/within"
_MAILTO, _TEL = "mailto:", "tel:"
_COUNTRY_BASE = str(SCHEME_COUNTRY)

# predicate -> field, for values that are written as they are
_RECORD_TEXT: dict[str, str] = {
    GR.name.value: "name",
    DCTERMS.description.value: "description",
    FOAF.homepage.value: "website",
    _LAT: "latitude",
    _LONG: "longitude",
    SCHEMA.foundingDate.value: "founded",
    ESS.organisationalStructure.value: "structure",
    ESS.economicSector.value: "activities",
    ESS.primarySector.value: "primary_activity",
    ESS.legalForm.value: "legal_form",
    ESS.baseMembershipType.value: "membership_type",
    ESS.qualifier.value: "qualifiers",
    SCHEMA.numberOfEmployees.value: "workers",
    ESS.totalOfMembers.value: "members",
    COOP.offers.value: "offerings",
    SCHEMA.sameAs.value: "social",
    COOP.registrationNumber.value: "registration_id",
    SCHEMA.openingHours.value: "opening_hours",
    COOP.listed.value: "listed",
    COOP.localId.value: "id",
}
_ADDRESS_TEXT: dict[str, str] = {
    VCARD["street-address"].value: "street",
    VCARD.locality.value: "locality",
    VCARD.region.value: "region",
    VCARD["postal-code"].value: "postal_code",
    VCARD["country-name"].value: "country_name",
    COOP.country.value: "country",
    _LAT: "latitude",
    _LONG: "longitude",
}
_RECORD_IGNORED = {_TYPE, COOP.listedBy.value}

_Properties = dict[str, list[tuple[str, Any]]]  # subject key -> (predicate, object term)


def _key(term: Any) -> str:
    return term.value if isinstance(term, NamedNode) else f"_:{term.value}"


def _records_from_quads(
    quads: Iterable[Quad | Triple] | Dataset, problems: list[Problem] | None
) -> list[RawRecord]:
    """One pass to group the triples by subject, then one record per essglobal:SSEInitiative."""
    by_subject: _Properties = {}
    predicates: dict[str, str] = {}
    initiatives: dict[str, Any] = {}
    for q in quads:
        s, o = q.subject, q.object
        subject = s.value if isinstance(s, NamedNode) else f"_:{s.value}"
        p = q.predicate.value
        canonical = predicates.get(p)
        if canonical is None:
            canonical = predicates[p] = canonical_iri(p)
        if canonical == _TYPE and isinstance(o, NamedNode) and canonical_iri(o.value) == _INITIATIVE:
            initiatives.setdefault(subject, s)
        properties = by_subject.get(subject)
        if properties is None:
            properties = by_subject[subject] = []
        properties.append((canonical, o))
    unknown: dict[str, list[Any]] = {}
    records = [_record(key, s, by_subject, unknown, problems) for key, s in initiatives.items()]
    if problems is not None:
        for predicate, (position, count) in unknown.items():
            problems.append(Problem(
                position, None, None,
                f"predicate <{predicate}> is not part of the commons' record; "
                + ("its value was ignored" if count == 1 else f"its {count} values in this file were ignored"),
                "warning",
            ))
    return records


def _record(
    key: str, subject: Any, by_subject: _Properties, unknown: dict[str, list[Any]],
    problems: list[Problem] | None,
) -> RawRecord:
    position = f"<{key}>" if isinstance(subject, NamedNode) else key
    found: dict[str, list[Any]] = {}
    address: dict[str, list[Any]] = {}
    containers: list[Any] = []

    def note(predicate: str) -> None:
        unknown.setdefault(predicate, [position, 0])[1] += 1

    for p, o in by_subject.get(key, ()):
        field_name = _RECORD_TEXT.get(p)
        if field_name is not None:
            found.setdefault(field_name, []).append(o)
        elif p == _HAS_ADDRESS:
            for ap, ao in by_subject.get(_key(o), ()):
                if ap in _ADDRESS_TEXT:
                    address.setdefault(_ADDRESS_TEXT[ap], []).append(ao)
                elif ap == _OS_WITHIN:
                    containers.append(ao)
                elif ap != _TYPE:
                    note(ap)
        elif p == _PAGE:
            found.setdefault("pages", []).append(o)
        elif p == _HAS_EMAIL or p == _HAS_PHONE:
            inner = [v for vp, v in by_subject.get(_key(o), ()) if vp == _VCARD_VALUE]
            found.setdefault("email" if p == _HAS_EMAIL else "phone", []).extend(inner or [o])
        elif p == _ACCOUNT:
            found.setdefault("social", []).extend(_account(by_subject.get(_key(o), ())))
        elif p == _ROV_REGISTERED and isinstance(o, NamedNode):
            found.setdefault("registration_id", []).append(Literal(_last_segment(o.value)))
        elif p not in _RECORD_IGNORED:
            note(p)

    for name in ("street", "locality", "region", "postal_code"):
        if name in address:
            found.setdefault(name, address[name])
    countries = address.get("country") or address.get("country_name")
    if countries:
        found["country"] = countries
    for name, predicate in (("latitude", _LAT), ("longitude", _LONG)):
        if name not in found:
            found[name] = address.get(name) or [
                v for c in containers for cp, v in by_subject.get(_key(c), ()) if cp == predicate
            ]

    values: dict[str, str] = {}
    hints: dict[str, str] = {}
    descriptions = [o for o in found.get("description", ()) if isinstance(o, Literal) and o.value.strip()]
    if any(o.language for o in descriptions):
        # one description per language: the untagged (else English, else first) is the record's
        main = min(descriptions, key=lambda o: (o.language is not None, o.language != "en"))
        values["description"] = main.value.strip()
        if main.language:
            hints["language:description"] = main.language
        for o in descriptions:
            if o is not main and o.language:
                hints.setdefault(f"description@{o.language}", o.value.strip())
        del found["description"]
    for name, objects in found.items():
        if name == "pages":
            continue
        texts = _texts(name, objects)
        if not texts:
            continue
        if name in MULTI_VALUED:
            values[name] = join_values(sorted(texts))
            continue
        values[name] = texts[0]
        if len(texts) > 1 and problems is not None:
            problems.append(Problem(
                position, name, None,
                f"{len(texts)} values for a field that holds one ({', '.join(map(repr, texts))}); "
                f"kept {texts[0]!r}",
                "warning",
            ))
    if "website" in found and "pages" in found:  # the homepage first, then further pages
        values["website"] = join_values(_texts("website", found["website"])[:1] + _texts("website", found["pages"]))
    elif "pages" in found:
        values["website"] = join_values(_texts("website", found["pages"]))
    if "id" not in values and isinstance(subject, NamedNode):
        values["id"] = _last_segment(key)
    return RawRecord(position, values, hints)


def _texts(name: str, objects: list[Any]) -> list[str]:
    """Values as text, distinct, English or untagged literals first."""
    if len(objects) == 1:
        o = objects[0]
        if isinstance(o, Literal):
            text = o.value.strip()
        elif isinstance(o, NamedNode):
            text = _iri_text(name, o.value)
        else:
            return []
        return [text] if text else []
    ranked: dict[str, bool] = {}
    for o in objects:
        if isinstance(o, Literal):
            text, other_language = o.value.strip(), (o.language or "en") != "en"
        elif isinstance(o, NamedNode):
            text, other_language = _iri_text(name, o.value), False
        else:
            continue
        if text:
            ranked[text] = ranked.get(text, True) and other_language
    return sorted(ranked, key=lambda t: (ranked[t], t))


def _iri_text(name: str, iri: str) -> str:
    if iri.startswith(_MAILTO):
        return unquote(iri[len(_MAILTO):])
    if iri.startswith(_TEL):
        return iri[len(_TEL):]
    iri = canonical_iri(iri)
    if name == "country" and iri.startswith(_COUNTRY_BASE):
        return iri[len(_COUNTRY_BASE):]
    return iri


def _account(properties: list[tuple[str, Any]]) -> list[Any]:
    """A foaf:OnlineAccount (service homepage + account name) as the URL of the profile."""
    homes = [v.value for p, v in properties if p == _ACCOUNT_HOME]
    names = [v.value for p, v in properties if p == _ACCOUNT_NAME]
    if homes and names:
        return [Literal(homes[0].rstrip("/") + "/" + names[0].lstrip("@"))]
    return []


def _last_segment(iri: str) -> str:
    if "#" in iri and iri.rsplit("#", 1)[1]:
        return unquote(iri.rsplit("#", 1)[1])
    return unquote(iri.rstrip("/").rsplit("/", 1)[-1])
