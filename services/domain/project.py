"""A project's state, and the two pure functions everything else is built on.

``fold(state, record)`` applies a sealed record; ``decide(state, submission, now)`` accepts or
refuses a submission. The recorder, the projections and the regulator replay all call these, so a
replay is the live system's own logic.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict

from events.base import EventData, Role
from events.project import ProjectRegistered
from events.quality import InspectionLotAccepted
from events.registry import parse_data
from services.domain import reasons
from services.domain.chain import GENESIS, SealedRecord, utc_text
from services.domain.reasons import Rejection
from services.domain.submission import Submission

FUTURE_TOLERANCE = dt.timedelta(minutes=10)
"""Site clocks drift: an event may be dated this far ahead of the server clock, no further."""


class ProjectProfile(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    permit_number: str
    design_life_years: int


class ProjectState(BaseModel):
    """What the recorder knows of one project: the chain head and the facts decisions need."""

    model_config = ConfigDict(frozen=True)

    project_id: str
    seq: int = 0
    head: str = GENESIS.hex()
    registered_at: dt.datetime | None = None
    owner_org: str | None = None
    profile: ProjectProfile | None = None
    counts: dict[str, int] = {}

    @property
    def registered(self) -> bool:
        return self.registered_at is not None


# ----------------------------------------------------------------------------- fold

Folder = Callable[[ProjectState, Any, SealedRecord], ProjectState]


def _registered(state: ProjectState, data: ProjectRegistered, record: SealedRecord) -> ProjectState:
    return state.model_copy(
        update={
            "registered_at": record.occurred_at,
            "owner_org": record.body["actor"]["org"],
            "profile": ProjectProfile(
                name=data.name,
                permit_number=data.permit_number,
                design_life_years=data.design_life_years,
            ),
        }
    )


def _no_state_change(state: ProjectState, data: EventData, record: SealedRecord) -> ProjectState:
    return state


FOLDERS: dict[str, Folder] = {
    ProjectRegistered.event_type: _registered,
    InspectionLotAccepted.event_type: _no_state_change,
}


def fold(state: ProjectState, record: SealedRecord) -> ProjectState:
    event_type, data = parse_data(record.type, record.body["data"])
    state = FOLDERS[event_type](state, data, record)
    counts = dict(state.counts)
    counts[event_type] = counts.get(event_type, 0) + 1
    return state.model_copy(update={"seq": record.seq, "head": record.hash.hex(), "counts": counts})


def replay(project_id: str, records: Iterable[SealedRecord]) -> ProjectState:
    state = ProjectState(project_id=project_id)
    for record in records:
        state = fold(state, record)
    return state


# ----------------------------------------------------------------------------- decide

ALLOWED_ROLES: dict[str, frozenset[Role]] = {
    ProjectRegistered.event_type: frozenset({Role.OWNER}),
    InspectionLotAccepted.event_type: frozenset({Role.OWNER, Role.CONSTRUCTION, Role.SUPERVISION}),
}
"""Event type × role: who may submit what. The full matrix is in docs/architecture.md."""


def _holds_role(state: ProjectState, org: str, role: Role) -> bool:
    if role is Role.OWNER:
        return state.owner_org == org
    return False


def decide(state: ProjectState, sub: Submission, now: dt.datetime) -> Rejection | None:
    """None to accept; otherwise the reason. Pure: ``now`` is the recorder's clock reading."""
    if sub.occurred_at > now + FUTURE_TOLERANCE:
        return reasons.FROM_THE_FUTURE.format(
            occurred_at=utc_text(sub.occurred_at),
            tolerance=int(FUTURE_TOLERANCE.total_seconds()),
        )
    if sub.actor.role not in ALLOWED_ROLES.get(sub.event_type, frozenset()):
        return reasons.ROLE_NOT_ALLOWED.format(role=sub.actor.role.value, type=sub.event_type)
    if sub.event_type == ProjectRegistered.event_type:
        if state.registered:
            return reasons.ALREADY_REGISTERED.format(project_id=sub.project_id)
        return None
    if state.registered_at is None:
        return reasons.NOT_REGISTERED.format(project_id=sub.project_id)
    if sub.occurred_at < state.registered_at:
        return reasons.BEFORE_REGISTRATION.format(
            occurred_at=utc_text(sub.occurred_at), registered_at=utc_text(state.registered_at)
        )
    if not _holds_role(state, sub.actor.org, sub.actor.role):
        return reasons.NOT_A_PARTY.format(org=sub.actor.org, role=sub.actor.role.value)
    return None
