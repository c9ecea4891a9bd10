"""Bytes to text for member files, whatever program saved them.

Spreadsheets save CSV as UTF-8 (with or without a byte-order mark), as UTF-16 ("Unicode text"
in Excel), or in the Windows code page of the machine: Windows-1252 in North America and
Western Europe. Latin-1 is the last resort because every byte sequence decodes in it.

A UTF-8 file with a few broken bytes (a cut-and-paste, a truncated export) stays UTF-8: read
as Windows-1252 instead, every accented letter in it would silently turn into two others
("Café" into "CafÃ©"). Its broken bytes become U+FFFD and `replaced` says so, so that the
reader can warn about each record and field they are in.
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

# a well-formed UTF-8 sequence of two to four bytes: Windows-1252 text almost never has one
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # "utf-8", "utf-8-sig" (BOM), "utf-16", "windows-1252" or "latin-1"
    replaced: bool = False  # bytes that were not valid in `encoding` became U+FFFD


def decode(data: bytes) -> Decoded:
    """Decode a file's bytes, saying which encoding it turned out to be in."""
    if data.startswith(codecs.BOM_UTF8):
        return _lenient(data[len(codecs.BOM_UTF8):], "utf-8", "utf-8-sig")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _lenient(data, "utf-16", "utf-16")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        if _UTF8_SEQUENCE.search(data):
            return _lenient(data, "utf-8", "utf-8")
    try:
        return Decoded(data.decode("windows-1252"), "windows-1252")
    except UnicodeDecodeError:
        return Decoded(data.decode("latin-1"), "latin-1")


def _lenient(data: bytes, codec: str, name: str) -> Decoded:
    try:
        return Decoded(data.decode(codec), name)
    except UnicodeDecodeError:
        return Decoded(data.decode(codec, errors="replace"), name, replaced=True)
