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
FIELD_NAMES: tuple[str, ...] = TEMPLATE_COLUMNS + EXTRA_COLUMNS
UNMATCHED = ("keep", "drop", "error")

_TOP_KEYS = {"name", "source", "fields"}
_SOURCE_KEYS = {"delimiter", "missing_columns", "ignore", "required", "date_order", "phone_country"}
DATE_ORDERS = ("dmy", "mdy", "ymd")
_RULE_KEYS = {"column", "columns", "join", "value", "default", "split", "lookup", "handle_url"}
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
    """A value table: source value -> field value (an empty value means "no value")."""

    name: str
    table: dict[str, str]
    unmatched: str


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

    @property
    def columns(self) -> set[str]:
        """Every source column the mapping reads (as column keys)."""
        return {c for rules in self.rules.values() for r in rules for c in r.columns}

    def unknown_columns(self, header: Iterable[str]) -> list[str]:
        """Columns of a file that the mapping neither reads nor ignores."""
        known = self.columns | self.ignore
        return [h for h in header if h.strip() and column_key(h) not in known]

    def recognises(self, header: Iterable[str]) -> bool:
        """Whether a file with this header is evidently in this mapping's format."""
        header = list(header)
        keys = {column_key(h) for h in header}
        return all(r in keys for r in self.required) and not self.unknown_columns(header)

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
    if multi:
        items = [v for cell in cells if cell for v in split_values(cell, rule.split)]
    else:
        joined = rule.join.join(c for c in cells if c)
        items = [joined] if joined else []
    if not items and rule.default is not None:
        items = split_values(rule.default, rule.split) if multi else [rule.default]
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
        found = lookup.table.get(_value_key(item))
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
            problems.append(Problem(
                position, field, item,
                f"not in lookup table {lookup.name}: add it to the table, or set "
                "unmatched = \"keep\" or \"drop\" in the mapping",
            ))
    return out


def _handle_to_url(value: str, base: str) -> str:
    if "/" in value or ":" in value:
        return value
    return base.rstrip("/") + "/" + value.lstrip("@")


def _names(columns: Iterable[str]) -> str:
    return ", ".join(repr(c) for c in columns)


# --- loading ------------------------------------------------------------------------------------
def load_mapping(ref: Path | str) -> Mapping:
    """A mapping from a file path, or a built-in one by name (`standard-csv`)."""
    path = Path(ref)
    if not path.exists() and isinstance(ref, str) and (BUILTIN_DIR / f"{ref}.toml").exists():
        path = BUILTIN_DIR / f"{ref}.toml"
    try:
        data = tomllib.loads(decode(path.read_bytes()).text)
    except OSError as e:
        raise InputError(f"cannot read mapping file {path}: {e.strerror}") from None
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"mapping file {path.name} is not valid TOML: {e}") from None
    return _parse(data, path)


def _parse(data: dict[str, Any], path: Path) -> Mapping:
    origin = path.name
    _check_keys(data, _TOP_KEYS, "", origin)
    source = data.get("source", {})
    _expect(source, dict, "source", origin)
    _check_keys(source, _SOURCE_KEYS, "source.", origin)
    fields = data.get("fields")
    if not isinstance(fields, dict) or not fields:
        raise InputError(f"mapping {origin}: key 'fields' is missing; it says which column feeds which field")
    if "name" not in fields:
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
    )


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
    lookup = spec.get("lookup")
    return Rule(
        columns=columns,
        join=_optional_str(spec.get("join"), where + ".join", origin) or " ",
        value=_scalar(spec.get("value"), where + ".value", origin),
        default=_scalar(spec.get("default"), where + ".default", origin),
        split=split or ";",
        lookup=None if lookup is None else _lookup(lookup, where + ".lookup", path),
        handle_url=_optional_str(spec.get("handle_url"), where + ".handle_url", origin),
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
    names: list[str] = []
    if "file" in spec:
        file = _optional_str(spec["file"], where + ".file", origin) or ""
        csv_path = _lookup_path(file, path, where)
        key = _optional_str(spec.get("key"), where + ".key", origin)
        value = _optional_str(spec.get("value"), where + ".value", origin)
        table.update(_read_table(csv_path, key, value, where, origin))
        names.append(csv_path.stem)
    if "values" in spec:
        values = spec["values"]
        if not isinstance(values, dict):
            raise InputError(f"mapping {origin}: key {where + '.values'!r} must be a table")
        for k, v in values.items():
            table[_value_key(k)] = _scalar(v, f"{where}.values.{k}", origin) or ""
        names.append("values")
    return Lookup(name=" + ".join(names), table=table, unmatched=unmatched)


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


def _read_table(path: Path, key: str | None, value: str | None, where: str, origin: str) -> dict[str, str]:
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

    k, v = index(key, 0, "key"), index(value, 1, "value")
    table: dict[str, str] = {}
    for row in rows[1:]:
        if len(row) > max(k, v) and row[k].strip():
            table.setdefault(_value_key(row[k]), row[v].strip())
    return table


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
