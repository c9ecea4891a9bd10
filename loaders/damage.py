"""Bytes that have no place in a member's text: NUL, and bytes that were not valid in the
file's encoding. Neither is dropped without a word: each record and field holding one gets a
warning, so the member can fix the source (a NUL is taken out; a broken byte stays visible as
U+FFFD, the replacement character)."""
from __future__ import annotations

from .record import Problem, RawRecord

REPLACEMENT = "\ufffd"


def check_text(records: list[RawRecord], *, replaced: bool) -> list[Problem]:
    """Warnings for NULs (removed from `records` in place) and, when the decoder `replaced`
    broken bytes, for each value holding a replacement character."""
    problems: list[Problem] = []
    for record in records:
        for name, value in list(record.values.items()):
            if "\x00" in value:
                record.values[name] = value = value.replace("\x00", "")
                problems.append(Problem(
                    record.position, name, value,
                    "a NUL byte (\\0) in this value was removed; check how the file was exported",
                    "warning",
                ))
            if replaced and REPLACEMENT in value:
                problems.append(Problem(
                    record.position, name, value,
                    "bytes here are not valid UTF-8 and were replaced by \N{REPLACEMENT CHARACTER}; "
                    "save the file as UTF-8 and import it again",
                    "warning",
                ))
    return problems
