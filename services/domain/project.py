"""A project's state, and the two pure functions everything else is built on.

``fold(state, record)`` applies a sealed record; ``decide(state, submission, now, referenced)``
accepts or refuses a submission. The recorder, the projections and the regulator replay all call
these, so a replay is the live system's own logic. The rules and folds themselves live by area:
parties, quality, corrections, materials.facts, completion.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any, cast

from events.base import EventData, Role
from events.project import ProjectRegistered
from events.registry import parse_data
from services.domain import completion, corrections, parties, quality, reasons
from services.domain.authorization import holds_role, may_submit, type_name
from services.domain.chain import SealedRecord, utc_text
from services.domain.context import Context, ReferencedRecord
from services.domain.identifiers import valid_credit_code
from services.domain.ledger import EventRef
from services.domain.materials import facts as materials
from services.domain.reasons import Rejection
from services.domain.state import ProjectState
from services.domain.submission import Submission

FUTURE_TOLERANCE = dt.timedelta(minutes=10)
"""Site clocks drift: an event may be dated this far ahead of the server clock, no further."""


# ----------------------------------------------------------------------------- fold

Folder = Callable[[ProjectState, Any, SealedRecord, EventRef], dict[str, Any]]
"""Returns the fields of the state that change."""

FOLDERS: dict[str, Folder] = {
    **cast(dict[str, Folder], parties.FOLDERS),
    **cast(dict[str, Folder], quality.FOLDERS),
    **cast(dict[str, Folder], corrections.FOLDERS),
    **cast(dict[str, Folder], materials.FOLDERS),
    **cast(dict[str, Folder], completion.FOLDERS),
}


def evidence_of(data: EventData) -> set[str]:
    """Every evidence hash a payload references, wherever it sits."""
    found: set[str] = set()

    def walk(value: Any, key: str = "") -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, str) and ("evidence" in key or key == "photos") and len(value) == 64:
            found.add(value)

    walk(data.model_dump(mode="json"))
    return found


def fold(state: ProjectState, record: SealedRecord) -> ProjectState:
    event_type, data = parse_data(record.type, record.body["data"])
    ref = EventRef(event_id=record.event_id, seq=record.seq)
    update = FOLDERS[event_type](state, data, record, ref)
    counts = dict(state.counts)
    counts[event_type] = counts.get(event_type, 0) + 1
    evidence = evidence_of(data)
    if evidence - set(state.evidence):
        update["evidence"] = sorted(set(state.evidence) | evidence)
    return state.model_copy(
        update={**update, "seq": record.seq, "head": record.hash.hex(), "counts": counts}
    )


def replay(project_id: str, records: Iterable[SealedRecord]) -> ProjectState:
    state = ProjectState(project_id=project_id)
    for record in records:
        state = fold(state, record)
    return state


# ----------------------------------------------------------------------------- decide


Rule = Callable[[ProjectState, Any, Submission, Context], Rejection | None]

RULES: dict[str, Rule] = {
    **cast(dict[str, Rule], parties.RULES),
    **cast(dict[str, Rule], quality.RULES),
    **cast(dict[str, Rule], corrections.RULES),
    **cast(dict[str, Rule], materials.RULES),
    **cast(dict[str, Rule], completion.RULES),
}


def decide(
    state: ProjectState,
    sub: Submission,
    now: dt.datetime,
    referenced: Mapping[str, ReferencedRecord] | None = None,
    reports_seen: Mapping[str, str] | None = None,
) -> Rejection | None:
    """None to accept; otherwise the reason. Pure: ``now`` is the recorder's clock reading;
    ``referenced`` and ``reports_seen`` are what the recorder looked up for this batch."""
    if sub.occurred_at > now + FUTURE_TOLERANCE:
        return reasons.FROM_THE_FUTURE.format(
            occurred_at=utc_text(sub.occurred_at), tolerance=int(FUTURE_TOLERANCE.total_seconds())
        )
    if not valid_credit_code(sub.actor.org):
        return reasons.BAD_CREDIT_CODE.format(field="actororg", code=sub.actor.org)
    if not may_submit(sub.event_type, sub.actor.role):
        return reasons.ROLE_NOT_ALLOWED.format(
            role=sub.actor.role.value, type=type_name(sub.event_type)
        )
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
    if not holds_role(state, sub.actor.org, sub.actor.role):
        return reasons.NOT_A_PARTY.format(org=sub.actor.org, role=sub.actor.role.value)
    party = state.parties.get(sub.actor.role.value)
    if (
        sub.actor.role is not Role.OWNER
        and party is not None
        and sub.occurred_at < party.leads[0].start
    ):
        return reasons.NOT_YET_APPOINTED.format(
            role=party.role,
            start=utc_text(party.leads[0].start),
            occurred_at=utc_text(sub.occurred_at),
        )
    rule = RULES.get(sub.event_type)
    return (
        rule(state, sub.data, sub, Context(referenced or {}, reports_seen or {})) if rule else None
    )
