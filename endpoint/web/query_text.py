"""SPARQL the web application runs for itself, kept in endpoint/rq/*.rq (each with a header
comment). Unlike queries/*.rq, these are not published as named queries: they serve one page."""
from __future__ import annotations

from functools import cache
from pathlib import Path

RQ_DIR = Path(__file__).parent.parent / "rq"


@cache
def text(name: str) -> str:
    return (RQ_DIR / f"{name}.rq").read_text(encoding="utf-8")
