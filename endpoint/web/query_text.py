"""The text of the SPARQL the web application runs, all kept under queries/ (each file starts
with a header comment), read once. `text("members")` is queries/members.rq, also published as
a named query; `text("internal/graph-sizes")` is queries/internal/graph-sizes.rq, which serves
one page and is not published (the named-query catalogue reads only queries/*.rq)."""
from __future__ import annotations

from functools import cache

from datacommons.resources import resource_dir


@cache
def text(name: str) -> str:
    return (resource_dir("queries") / f"{name}.rq").read_text(encoding="utf-8")
