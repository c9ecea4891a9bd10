"""CSV answers made safe to open in a spreadsheet (OWASP "CSV injection").

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage return
before one) as a formula: a member's co-op named `=HYPERLINK("http://evil.example", "Click")`
would run on the computer of whoever opens a query's CSV. Such cells get a leading `'`, which
spreadsheets show as text. Numbers (`-97.1`, `+3`) are left as they are: they cannot be
formulas. Only the CSV rendering changes; the data, and every other format, stay as stored.
"""
from __future__ import annotations

import csv
import io
import re

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def safe_cell(value: str) -> str:
    """`value` as a spreadsheet will show it, never run it."""
    if value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def neutralise(body: bytes) -> bytes:
    """A CSV document (SPARQL 1.1 CSV results: UTF-8, CRLF) with every cell made safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in csv.reader(io.StringIO(body.decode("utf-8"), newline="")):
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue().encode("utf-8")
