"""Where the project's data folders (ontology/, shapes/, queries/) are found."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def resource_dir(name: str) -> Path:
    """The folder `name` (ontology, shapes, queries) at the project's root."""
    path = ROOT / name
    if not path.is_dir():
        raise FileNotFoundError(f"project folder {name}/ not found at {path}")
    return path
