"""Who may read and write what, decided from the key's organization and the project's own trail."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from events.base import PARTIES, Role
from services.domain.jurisdiction import covers
from services.domain.state import ProjectState


class KeyKind(StrEnum):
    PARTY = "party"
    LAB = "lab"
    REGULATOR = "regulator"
    ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    """The caller behind an API key."""

    key_id: str
    org: str
    kind: KeyKind
    jurisdiction: tuple[str, ...] = ()
    """A regulator's: the divisions (GB/T 2260) its station supervises; empty for other keys,
    and for a regulator key whose organization is not a registered station."""

    @property
    def sees_personal_data(self) -> bool:
        return self.kind is KeyKind.REGULATOR

    def may_write_as(self, org: str, role: Role) -> str | None:
        """None when this key may submit as (org, role); otherwise why not."""
        if self.kind is KeyKind.ADMIN:
            return f"a {self.kind.value} key cannot submit events"
        if org != self.org:
            return f"this key belongs to {self.org}, not {org}"
        allowed = {
            KeyKind.LAB: {Role.LAB},
            KeyKind.REGULATOR: {Role.REGULATOR},
        }.get(self.kind, PARTIES)
        if role not in allowed:
            return f"a {self.kind.value} key cannot act in role {role.value}"
        return None


def member_orgs(state: ProjectState) -> set[str]:
    orgs = {party.org_code for party in state.parties.values()} | set(state.labs)
    if state.owner_org:
        orgs.add(state.owner_org)
    return orgs


def may_read_project(principal: Principal, state: ProjectState) -> bool:
    """Members read their projects; a station those in its jurisdiction (or the one it was
    named to supervise); an administrator all."""
    if principal.kind is KeyKind.ADMIN:
        return True
    if principal.kind is KeyKind.REGULATOR:
        filing = state.filing
        if filing is not None and filing.station == principal.org:
            return True
        return covers(principal.jurisdiction, filing.division if filing else None)
    return principal.org in member_orgs(state)


PERSONAL_FIELDS = frozenset({"id_number", "lead_id_number"})


def mask_id_number(number: str) -> str:
    """Birthplace region and check character only: enough to tell two people apart on a page."""
    return f"{number[:3]}{'*' * (len(number) - 4)}{number[-1:]}" if len(number) > 4 else "****"


def _personal(key: str) -> bool:
    """``id_number``, and dotted paths ending in it (as corrections name fields)."""
    return key.rsplit(".", 1)[-1] in PERSONAL_FIELDS


def redact(value: Any) -> Any:
    """A copy of ``value`` with every personal ID number masked, at any depth."""
    if isinstance(value, dict):
        return {
            k: mask_id_number(v) if _personal(k) and isinstance(v, str) else redact(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value
