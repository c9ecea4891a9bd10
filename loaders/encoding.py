"""Bytes to text for member files, whatever program saved them.

Spreadsheets save CSV as UTF-8 (with or without a byte-order mark), as UTF-16 ("Unicode text"
in Excel), or in the Windows code page of the machine: Windows-1252 in North America and
Western Europe. Latin-1 is the last resort because every byte sequence decodes in it.
"""
from __future__ import annotations

import codecs
from dataclasses import dataclass


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # "utf-8", "utf-8-sig" (BOM), "utf-16", "windows-1252" or "latin-1"


def decode(data: bytes) -> Decoded:
    """Decode a file's bytes, saying which encoding it turned out to be in."""
    if data.startswith(codecs.BOM_UTF8):
        return Decoded(data[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace"), "utf-8-sig")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Decoded(data.decode("utf-16", errors="replace"), "utf-16")
    for encoding in ("utf-8", "windows-1252"):
        try:
            return Decoded(data.decode(encoding), encoding)
        except UnicodeDecodeError:
            continue
    return Decoded(data.decode("latin-1"), "latin-1")
