"""Column mappings: how a member's own columns become the commons' template fields.

Every federation exports its directory differently ("Co-op Name", "City", "Industry"...). A
mapping file (TOML, documented with a worked example in docs/mapping.md) says, once per
export format, which columns feed which field, with constants, concatenation, splitting of
multi-valued cells and lookup tables; the community's standard CSV is read through the
built-in `mappings/standard-csv.toml`.

A raw record holds one string per field. Multi-valued fields hold their values separated by
`;`, a literal `;` or backslash escaped with a backslash (the standard CSV's convention):
`split_values` and `join_values` are the only code that reads or writes that form.
"""
from __future__ import annotations

import csv
import dataclasses
import difflib
import io
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from datacommons.fields import EXTRA_COLUMNS, MULTI_VALUED, TEMPLATE_COLUMNS

from .encoding import decode
from .record import InputError, Problem

BUILTIN_DIR = Path(__file__).resolve().parent / "mappings"
STANDARD_CSV = BUILTIN_DIR / "standard-csv.toml"
GEOJSON_OSM = BUILTIN_DIR / "geojson-osm.toml"
FIELD_NAMES: tuple[str, ...] = TEMPLATE_COLUMNS + EXTRA_COLUMNS
UNMATCHED = ("keep", "drop", "error")

_TOP_KEYS = {"name", "source", "fields"}
_SOURCE_KEYS = {"delimiter", "missing_columns", "ignore", "required", "date_order", "phone_country", "skip"}
_SKIP_KEYS = {"column", "equals", "matches", "empty"}
DATE_ORDERS = ("dmy", "mdy", "ymd")
_RULE_KEYS = {"column", "columns", "join", "value", "default", "split", "lookup", "handle_url", "pattern", "language"}
_LANGUAGE_FIELDS = ("description",)
_LOOKUP_KEYS = {"file", "key", "value", "values", "unmatched"}


def split_values(cell: str, separator: str = ";") -> list[str]:
    """The values of a multi-valued cell: split on `separator` unless backslash-escaped,
    each stripped, empty ones dropped."""
    if "\\" not in cell:
        return [v.strip() for v in cell.split(separator) if v.strip()]
    values, current, i = [], [], 0
    while i < len(cell):
        if cell[i] == "\\" and cell.startswith((separator, "\\"), i + 1):
            nxt = separator if cell.startswith(separator, i + 1) else "\\"
            current.append(nxt)
            i += 1 + len(nxt)
        elif cell.startswith(separator, i):
            values.append("".join(current))
            current = []
            i += len(separator)
        else:
            current.append(cell[i])
            i += 1
    values.append("".join(current))
    return [v.strip() for v in values if v.strip()]


def join_values(values: Iterable[str]) -> str:
    """One cell holding several values, so that `split_values` gives them back."""
    return ";".join(v.replace("\\", "\\\\").replace(";", "\\;") for v in values)


def column_key(name: str) -> str:
    """How source column names are compared: case and spacing do not count."""
    return " ".join(name.split()).casefold()


def _value_key(value: str) -> str:
    return " ".join(value.split()).casefold()


@dataclass(frozen=True)
class Lookup:
    """A value table: source value -> field value (an empty value means "no value").

    A table keyed by several columns (`width` > 1) is looked up with the cells of as many
    source columns, joined by _KEY_JOIN; `labels` are the keys as the table writes them, for
    suggesting the closest to a value it does not have."""

    name: str
    table: dict[str, str]
    unmatched: str
    width: int = 1
    labels: tuple[str, ...] = ()


_KEY_JOIN = "\x1f"


@dataclass(frozen=True)
class Skip:
    """Rows the mapping leaves out: a column's cell equal to one of `equals`, matching
    `matches`, or (`empty`) empty."""

    column: str
    equals: frozenset[str] = frozenset()
    matches: re.Pattern[str] | None = None
    empty: bool = False

    def applies(self, row: dict[str, str]) -> bool:
        cell = row.get(self.column, "")
        if self.empty and not cell:
            return True
        if cell and _value_key(cell) in self.equals:
            return True
        return bool(cell and self.matches is not None and self.matches.search(cell))

    def __str__(self) -> str:
        said = [f"is {', '.join(sorted(self.equals))}"] if self.equals else []
        said += [f"matches {self.matches.pattern!r}"] if self.matches is not None else []
        said += ["is empty"] if self.empty else []
        return f"column {self.column!r} {' or '.join(said)}"


@dataclass(frozen=True)
class Rule:
    """Where one field's value comes from: columns (joined) or a constant, then split,
    looked up, and bare handles turned into URLs."""

    columns: tuple[str, ...]
    join: str = " "
    value: str | None = None
    default: str | None = None
    split: str = ";"
    lookup: Lookup | None = None
    handle_url: str | None = None
    pattern: re.Pattern[str] | None = None  # the part of each value to keep (its first group)
    language: str | None = None  # the language the values are written in (description)


@dataclass(frozen=True)
class Mapping:
    name: str
    origin: str
    rules: dict[str, tuple[Rule, ...]]
    ignore: frozenset[str]
    required: tuple[str, ...]
    delimiter: str | None = None
    missing_columns: str = "error"
    # said by the source for every record: date order, the country phones are dialled from
    hints: tuple[tuple[str, str], ...] = ()
    skip: tuple[Skip, ...] = ()

    def over(self, base: "Mapping") -> "Mapping":
        """This mapping's rules over `base`'s, field by field (a GeoJSON member's mapping
        over the OpenStreetMap tags every GeoJSON file is read with)."""
        return dataclasses.replace(
            base, name=self.name, origin=f"{self.origin} (over {base.origin})",
            rules={**base.rules, **self.rules}, ignore=base.ignore | self.ignore,
            hints=tuple(dict(base.hints + self.hints).items()), skip=base.skip + self.skip,
        )

    def skips(self, row: dict[str, str]) -> Skip | None:
        """The condition by which the mapping leaves this row out, if any."""
        return next((s for s in self.skip if s.applies(row)), None)

    def record_hints(self) -> dict[str, str]:
        """The hints every record read through this mapping carries: the source's and the
        languages its rules say values are written in."""
        hints = dict(self.hints)
        for field, rules in self.rules.items():
            for rule in rules:
                if rule.language:
                    hints[f"language:{field}"] = rule.language
        return hints

    @property
    def columns(self) -> set[str]:
        """Every source column the mapping reads (as column keys)."""
        return {c for rules in self.rules.values() for r in rules for c in r.columns} | {s.column for s in self.skip}

    def unknown_columns(self, header: Iterable[str]) -> list[str]:
        """Columns of a file that the mapping neither reads nor ignores."""
        known = self.columns | self.ignore
        return [h for h in header if h.strip() and column_key(h) not in known]

    def recognises_required(self, header: Iterable[str]) -> bool:
        """Whether a file has this mapping's required columns and at least as many more of
        its columns: evidently in its format, with columns of its own added (the standard
        CSV built from Co-ops UK's 2023 data carries five more)."""
        keys = {column_key(h) for h in header}
        known = (self.columns | self.ignore) & keys
        return bool(self.required) and all(r in keys for r in self.required) and len(known) >= 2 * len(self.required)

    def check_header(self, header: Iterable[str]) -> None:
        """Refuse a file that lacks columns the mapping needs, naming them."""
        keys = {column_key(h) for h in header}
        needed = self.required if self.missing_columns == "empty" else sorted(self.columns)
        missing = [c for c in needed if c not in keys]
        if missing:
            raise InputError(
                f"the file has no column {_names(missing)}, which mapping {self.origin} reads; "
                f"its columns are {_names(header)}"
            )

    def apply(self, row: dict[str, str], position: str) -> tuple[dict[str, str], list[Problem]]:
        """One source row (keyed by `column_key`) as template fields."""
        out: dict[str, str] = {}
        problems: list[Problem] = []
        for field, rules in self.rules.items():
            multi = field in MULTI_VALUED
            values: list[str] = []
            for rule in rules:
                got = _rule_values(rule, row, multi, field, position, problems)
                if multi:
                    values = list(dict.fromkeys(values + got))
                elif got:
                    values = got[:1]
                    break
            if values:
                out[field] = join_values(values) if multi else values[0]
        return out, problems


def _rule_values(
    rule: Rule, row: dict[str, str], multi: bool, field: str, position: str, problems: list[Problem]
) -> list[str]:
    cells = [rule.value] if rule.value is not None else [row.get(c, "") for c in rule.columns]
    if rule.lookup is not None and rule.lookup.width > 1:
        items = [_KEY_JOIN.join(cells)] if any(cells) else []
        return _look_up(rule.lookup, items, multi, field, position, problems)
    if multi:
        items = [v for cell in cells if cell for v in split_values(cell, rule.split)]
    else:
        joined = rule.join.join(c for c in cells if c)
        items = [joined] if joined else []
    if not items and rule.default is not None:
        items = split_values(rule.default, rule.split) if multi else [rule.default]
    if rule.pattern is not None:
        items = [_capture(rule.pattern, v) for v in items]
    if rule.lookup is not None:
        items = _look_up(rule.lookup, items, multi, field, position, problems)
    if rule.handle_url is not None:
        items = [_handle_to_url(v, rule.handle_url) for v in items]
    return items


def _look_up(
    lookup: Lookup, items: list[str], multi: bool, field: str, position: str, problems: list[Problem]
) -> list[str]:
    out: list[str] = []
    for item in items:
        found = lookup.table.get(_KEY_JOIN.join(_value_key(c) for c in item.split(_KEY_JOIN)))
        item = " + ".join(item.split(_KEY_JOIN)) if lookup.width > 1 else item
        if found is not None:
            out += split_values(found) if multi else [found] if found else []
        elif lookup.unmatched == "keep":
            out.append(item)
        elif lookup.unmatched == "drop":
            problems.append(Problem(
                position, field, item,
                f"not in lookup table {lookup.name}, so left out (the mapping says unmatched = \"drop\")",
                "warning",
            ))
        else:
            close = difflib.get_close_matches(item, lookup.labels, n=3, cutoff=0.6)
            hint = f" (closest: {', '.join(map(repr, close))})" if close else ""
            problems.append(Problem(
                position, field, item,
                f"not in lookup table {lookup.name}{hint}: add it to the table, or set "
                "unmatched = \"keep\" or \"drop\" in the mapping",
            ))
    return out


def _capture(pattern: re.Pattern[str], value: str) -> str:
    """The part of a value a rule's pattern keeps ("UKSIC07-47" -> "47"); a value the pattern
    does not match is kept whole, for the lookup (or the normaliser) to judge."""
    m = pattern.search(value)
    if m is None:
        return value
    return next((g for g in m.groups() if g is not None), m.group(0)) if m.groups() else m.group(0)


def _handle_to_url(value: str, base: str) -> str:
    if "/" in value or ":" in value:
        return value
    return base.rstrip("/") + "/" + value.lstrip("@")


def _names(columns: Iterable[str]) -> str:
    return ", ".join(repr(c) for c in columns)


# --- loading ------------------------------------------------------------------------------------
def builtin_mappings() -> list[str]:
    """The names of the mappings shipped with the commons (`--mapping NAME` uses one)."""
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.toml"))


def mapping_path(ref: Path | str) -> Path:
    """A mapping file: a path, or a built-in mapping by name."""
    path = Path(ref)
    if not path.exists() and (BUILTIN_DIR / f"{ref}.toml").exists():
        path = BUILTIN_DIR / f"{ref}.toml"
    return path


def load_mapping(ref: Path | str, *, needs_name: bool = True) -> Mapping:
    """A mapping from a file path, or a built-in one by name (`standard-csv`). One laid over
    a built-in mapping (GeoJSON's) need not say where the name comes from."""
    path = mapping_path(ref)
    if not path.exists():
        raise InputError(
            f"no mapping file {str(ref)!r}, and no built-in mapping of that name "
            f"(built-in mappings: {', '.join(builtin_mappings())})"
        )
    try:
        data = tomllib.loads(decode(path.read_bytes()).text)
    except OSError as e:
        raise InputError(f"cannot read mapping file {path}: {e.strerror}") from None
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"mapping file {path.name} is not valid TOML: {e}") from None
    return _parse(data, path, needs_name)


def _parse(data: dict[str, Any], path: Path, needs_name: bool = True) -> Mapping:
    origin = path.name
    _check_keys(data, _TOP_KEYS, "", origin)
    source = data.get("source", {})
    _expect(source, dict, "source", origin)
    _check_keys(source, _SOURCE_KEYS, "source.", origin)
    fields = data.get("fields")
    if not isinstance(fields, dict) or not fields:
        raise InputError(f"mapping {origin}: key 'fields' is missing; it says which column feeds which field")
    if needs_name and "name" not in fields:
        raise InputError(f"mapping {origin}: key 'fields.name' is missing; every record needs a name")
    rules: dict[str, tuple[Rule, ...]] = {}
    for field, spec in fields.items():
        where = f"fields.{field}"
        if field not in FIELD_NAMES:
            close = difflib.get_close_matches(field, FIELD_NAMES, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f"; fields are {', '.join(FIELD_NAMES)}"
            raise InputError(f"mapping {origin}: key {where!r} is not a template field{hint}")
        specs = spec if isinstance(spec, list) else [spec]
        if not specs:
            raise InputError(f"mapping {origin}: key {where!r} is an empty list")
        rules[field] = tuple(
            _rule(s, f"{where}[{i}]" if isinstance(spec, list) else where, field, path)
            for i, s in enumerate(specs)
        )
    delimiter = source.get("delimiter")
    if delimiter is not None:
        _expect(delimiter, str, "source.delimiter", origin)
        delimiter = "\t" if delimiter.lower() in ("tab", "\\t") else delimiter
        if len(delimiter) != 1:
            raise InputError(f"mapping {origin}: key 'source.delimiter' must be one character or \"tab\"")
    missing = source.get("missing_columns", "error")
    if missing not in ("error", "empty"):
        raise InputError(f"mapping {origin}: key 'source.missing_columns' must be \"error\" or \"empty\"")
    hints: list[tuple[str, str]] = []
    order = source.get("date_order")
    if order is not None:
        if order not in DATE_ORDERS:
            raise InputError(
                f"mapping {origin}: key 'source.date_order' must be \"dmy\" (day first, 11/8/1863 is "
                "11 August), \"mdy\" (month first) or \"ymd\" (year first)"
            )
        hints.append(("date_order", order))
    phone_country = source.get("phone_country")
    if phone_country is not None:
        _expect(phone_country, str, "source.phone_country", origin)
        if not re.fullmatch(r"[A-Za-z]{2}", phone_country):
            raise InputError(
                f"mapping {origin}: key 'source.phone_country' must be a two-letter ISO country code "
                "(GB, FR, US...)"
            )
        hints.append(("phone_country", phone_country.upper()))
    skips = _skips(source.get("skip", []), origin)
    ignore = _string_list(source.get("ignore", []), "source.ignore", origin)
    required = _string_list(source.get("required", []), "source.required", origin)
    return Mapping(
        name=_optional_str(data.get("name"), "name", origin) or origin,
        origin=origin,
        rules=rules,
        ignore=frozenset(column_key(c) for c in ignore),
        required=tuple(column_key(c) for c in required),
        delimiter=delimiter,
        missing_columns=missing,
        hints=tuple(hints),
        skip=skips,
    )


def _skips(spec: Any, origin: str) -> tuple[Skip, ...]:
    specs = spec if isinstance(spec, list) else [spec]
    out: list[Skip] = []
    for i, one in enumerate(specs):
        where = "source.skip" if not isinstance(spec, list) else f"source.skip[{i}]"
        if not isinstance(one, dict):
            raise InputError(f"mapping {origin}: key {where!r} must be a table such as "
                             "{ column = \"Status\", equals = \"Dead\" }")
        _check_keys(one, _SKIP_KEYS, where + ".", origin)
        column = _optional_str(one.get("column"), where + ".column", origin)
        if not column:
            raise InputError(f"mapping {origin}: key {where!r} needs 'column'")
        equals = one.get("equals", [])
        equals = [equals] if isinstance(equals, str) else _string_list(equals, where + ".equals", origin)
        matches = _regex(one.get("matches"), where + ".matches", origin)
        empty = one.get("empty", False)
        if not isinstance(empty, bool):
            raise InputError(f"mapping {origin}: key {where + '.empty'!r} must be true or false")
        if not equals and matches is None and not empty:
            raise InputError(f"mapping {origin}: key {where!r} needs 'equals', 'matches' or 'empty'")
        out.append(Skip(column_key(column), frozenset(_value_key(e) for e in equals), matches, empty))
    return tuple(out)


def _regex(value: Any, where: str, origin: str) -> re.Pattern[str] | None:
    text = _optional_str(value, where, origin)
    if text is None:
        return None
    try:
        return re.compile(text)
    except re.error as e:
        raise InputError(f"mapping {origin}: key {where!r} is not a valid pattern: {e}") from None


def _rule(spec: Any, where: str, field: str, path: Path) -> Rule:
    origin = path.name
    if isinstance(spec, str):
        return Rule(columns=(column_key(spec),))
    if not isinstance(spec, dict):
        raise InputError(f"mapping {origin}: key {where!r} must be a column name or a table")
    _check_keys(spec, _RULE_KEYS, where + ".", origin)
    given = [k for k in ("column", "columns", "value") if k in spec]
    if len(given) != 1:
        raise InputError(
            f"mapping {origin}: key {where!r} needs exactly one of 'column', 'columns' or 'value'"
        )
    if "column" in spec:
        columns = (column_key(_optional_str(spec["column"], where + ".column", origin) or ""),)
    elif "columns" in spec:
        columns = tuple(column_key(c) for c in _string_list(spec["columns"], where + ".columns", origin))
        if not columns:
            raise InputError(f"mapping {origin}: key {where + '.columns'!r} is empty")
    else:
        columns = ()
    split = _optional_str(spec.get("split"), where + ".split", origin)
    if split is not None and field not in MULTI_VALUED:
        raise InputError(
            f"mapping {origin}: key {where + '.split'!r}: {field} holds one value; "
            f"only {', '.join(sorted(MULTI_VALUED))} can be split"
        )
    if split == "":
        raise InputError(f"mapping {origin}: key {where + '.split'!r} is empty")
    lookup = None if spec.get("lookup") is None else _lookup(spec["lookup"], where + ".lookup", path)
    if lookup is not None and lookup.width > 1 and len(columns) != lookup.width:
        raise InputError(
            f"mapping {origin}: key {where!r}: its lookup is keyed by {lookup.width} columns, so "
            f"the rule needs 'columns' naming {lookup.width} source columns"
        )
    language = _optional_str(spec.get("language"), where + ".language", origin)
    if language is not None and (field not in _LANGUAGE_FIELDS or not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", language)):
        raise InputError(
            f"mapping {origin}: key {where + '.language'!r}: a language tag (fr, es, pt-BR) for "
            f"{', '.join(_LANGUAGE_FIELDS)}"
        )
    return Rule(
        columns=columns,
        join=_optional_str(spec.get("join"), where + ".join", origin) or " ",
        value=_scalar(spec.get("value"), where + ".value", origin),
        default=_scalar(spec.get("default"), where + ".default", origin),
        split=split or ";",
        lookup=lookup,
        handle_url=_optional_str(spec.get("handle_url"), where + ".handle_url", origin),
        pattern=_regex(spec.get("pattern"), where + ".pattern", origin),
        language=language,
    )


def _lookup(spec: Any, where: str, path: Path) -> Lookup:
    origin = path.name
    if isinstance(spec, str):
        spec = {"file": spec}
    if not isinstance(spec, dict):
        raise InputError(f"mapping {origin}: key {where!r} must be a file name or a table")
    _check_keys(spec, _LOOKUP_KEYS, where + ".", origin)
    if "file" not in spec and "values" not in spec:
        raise InputError(f"mapping {origin}: key {where!r} needs 'file' or 'values'")
    unmatched = spec.get("unmatched", "keep")
    if unmatched not in UNMATCHED:
        raise InputError(
            f"mapping {origin}: key {where + '.unmatched'!r} must be \"keep\", \"drop\" or \"error\""
        )
    table: dict[str, str] = {}
    labels: dict[str, str] = {}
    names: list[str] = []
    width = 1
    if "file" in spec:
        file = _optional_str(spec["file"], where + ".file", origin) or ""
        csv_path = _lookup_path(file, path, where)
        key = spec.get("key")
        keys = _string_list(key, where + ".key", origin) if isinstance(key, list) else [
            _optional_str(key, where + ".key", origin)]
        width = len(keys)
        value = _optional_str(spec.get("value"), where + ".value", origin)
        found, found_labels = _read_table(csv_path, keys, value, where, origin)
        table.update(found)
        labels.update(found_labels)
        names.append(csv_path.stem)
    if "values" in spec:
        values = spec["values"]
        if not isinstance(values, dict):
            raise InputError(f"mapping {origin}: key {where + '.values'!r} must be a table")
        if width > 1:
            raise InputError(f"mapping {origin}: key {where!r}: 'values' cannot be combined with a table keyed by several columns")
        for k, v in values.items():
            table[_value_key(k)] = _scalar(v, f"{where}.values.{k}", origin) or ""
            labels[_value_key(k)] = k
        names.append("values")
    return Lookup(name=" + ".join(names), table=table, unmatched=unmatched, width=width,
                  labels=tuple(labels.values()))


def _lookup_path(file: str, mapping_path: Path, where: str) -> Path:
    """A table path relative to the mapping file, or a built-in table by name."""
    for candidate in (mapping_path.parent / file, BUILTIN_DIR / file, BUILTIN_DIR / f"{file}.csv"):
        if candidate.is_file():
            return candidate
    builtin = ", ".join(sorted(p.stem for p in BUILTIN_DIR.glob("*.csv")))
    raise InputError(
        f"mapping {mapping_path.name}: key {where + '.file'!r}: no file {file!r} next to the "
        f"mapping and no built-in table of that name (built-in tables: {builtin})"
    )


def _read_table(
    path: Path, keys: list[str | None], value: str | None, where: str, origin: str
) -> tuple[dict[str, str], dict[str, str]]:
    """The table (key -> value) and its keys as written. A key the table gives two different
    values is refused, naming it: looking it up would silently take one of them."""
    rows = list(csv.reader(io.StringIO(decode(path.read_bytes()).text, newline="")))
    if not rows:
        raise InputError(f"mapping {origin}: key {where + '.file'!r}: {path.name} is empty")
    header = [column_key(h) for h in rows[0]]

    def index(name: str | None, default: int, what: str) -> int:
        if name is None:
            if len(header) <= default:
                raise InputError(f"mapping {origin}: {path.name} has no column {default + 1}")
            return default
        if column_key(name) not in header:
            raise InputError(
                f"mapping {origin}: key {where + '.' + what!r}: {path.name} has no column "
                f"{name!r}; its columns are {_names(rows[0])}"
            )
        return header.index(column_key(name))

    ks = [index(key, i, "key") for i, key in enumerate(keys)]
    v = index(value, len(keys), "value")
    table: dict[str, str] = {}
    labels: dict[str, str] = {}
    for n, row in enumerate(rows[1:], start=2):
        if len(row) <= max(ks + [v]) or not any(row[k].strip() for k in ks):
            continue
        key = _KEY_JOIN.join(_value_key(row[k]) for k in ks)
        label = " + ".join(row[k].strip() for k in ks)
        if key in table and table[key] != row[v].strip():
            by = " and ".join(repr(rows[0][k]) for k in ks)
            raise InputError(
                f"mapping {origin}: key {where!r}: {path.name} gives {label!r} two values "
                f"({table[key]!r}, then {row[v].strip()!r} on line {n}), so a look-up by {by} "
                "cannot tell which; key the look-up by more columns (key = [\"A\", \"B\"], with "
                "columns = [...] in the rule)"
            )
        table[key] = row[v].strip()
        labels[key] = label
    return table, labels


def _check_keys(table: dict[str, Any], allowed: set[str], prefix: str, origin: str) -> None:
    for key in table:
        if key not in allowed:
            raise InputError(
                f"mapping {origin}: unknown key {prefix + key!r}; expected one of "
                f"{', '.join(sorted(allowed))}"
            )


def _expect(value: Any, kind: type, where: str, origin: str) -> None:
    if not isinstance(value, kind):
        raise InputError(f"mapping {origin}: key {where!r} must be a {'table' if kind is dict else 'string'}")


def _optional_str(value: Any, where: str, origin: str) -> str | None:
    if value is not None:
        _expect(value, str, where, origin)
    return value


def _scalar(value: Any, where: str, origin: str) -> str | None:
    """Constants may be written as TOML numbers or booleans; fields hold text."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    raise InputError(f"mapping {origin}: key {where!r} must be a string, number or boolean")


def _string_list(value: Any, where: str, origin: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"mapping {origin}: key {where!r} must be a list of column names")
    return value
