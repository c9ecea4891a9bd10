"""Who is asking: the public, a member organisation (by its API token), or an administrator."""
from __future__ import annotations

from dataclasses import dataclass

from .system import System


class InvalidToken(Exception):
    """A token was presented but is unknown or revoked: refuse rather than fall back to public."""


@dataclass(frozen=True)
class Audience:
    kind: str  # "anonymous", "member" or "admin"
    member: str | None = None
    label: str = ""

    @property
    def is_admin(self) -> bool:
        return self.kind == "admin"

    @property
    def key(self) -> str:
        """A stable key for caches: audiences with the same key see the same graphs."""
        return f"{self.kind}:{self.member or ''}"

    def __str__(self) -> str:
        if self.kind == "member":
            return f"member {self.member}"
        return self.kind


ANONYMOUS = Audience("anonymous")


def audience_for_token(system: System, token: str | None) -> Audience:
    """The audience a bearer token stands for; no token means the public."""
    if not token:
        return ANONYMOUS
    owner = system.owner_of(token.strip())
    if owner is None:
        raise InvalidToken("the token is unknown or has been revoked")
    if owner.kind == "admin":
        return Audience("admin", None, owner.label)
    return Audience("member", owner.member, owner.label)


def member_audience(member: str) -> Audience:
    return Audience("member", member)


ADMIN = Audience("admin", None, "local")

# The commons itself, reading every graph for its own upkeep (planning an import, reconciling,
# rebuilding the public view, licences): never a request's audience (`audience_for_token`
# makes none), and the one audience the core's reads do not filter. `grep SYSTEM` lists every
# privileged read.
SYSTEM = Audience("system", None, "the commons itself")
