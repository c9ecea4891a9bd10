"""SPARQL kept in queries/*.rq files, read once (each file starts with a header comment)."""
from __future__ import annotations

from functools import cache

from datacommons.resources import resource_dir


@cache
def text(name: str) -> str:
    return (resource_dir("queries") / f"{name}.rq").read_text(encoding="utf-8")
