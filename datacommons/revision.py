"""A member's revision: a fingerprint of what the member has published now, kept in the system
area and moved by every commit and policy change. A plan (an import, a reconciliation) made on
another revision is stale."""
from __future__ import annotations

from .store import Commons


def member_revision(commons: Commons, member: str) -> str:
    """A fingerprint of what the member has published now; a plan made on another is stale."""
    return commons.system.setting(f"revision:{member}") or "0"
