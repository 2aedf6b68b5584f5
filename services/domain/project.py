"""A project's state, and the two pure functions everything else is built on.

``fold(state, record)`` applies a sealed record; ``decide(state, submission, now, referenced)``
accepts or refuses a submission; ``fold_chain`` folds a whole chain. The recorder, the read
models, a rebuild and the regulator's history all call these, so each is the live system's logic.

Each fact's own rule and fold live in its area (parties, quality, corrections, materials.facts,
completion); ``HANDLERS`` gathers them by payload class, one for each class of the catalog (checked
at import), and both functions dispatch on the payload's class.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from events.base import EventData, Role
from events.project import ProjectRegistered
from events.registry import CURRENT, parse_data
from services.domain import (
    acceptance,
    aftercare,
    completion,
    corrections,
    filing,
    parties,
    plaques,
    quality,
    reasons,
    supervision,
)
from services.domain.authorization import holds_role, may_submit, type_name
from services.domain.chain import SealedRecord, utc_text
from services.domain.context import Context, ReferencedRecord
from services.domain.frozen import replace
from services.domain.handler import registry
from services.domain.identifiers import valid_credit_code
from services.domain.ledger import EventRef
from services.domain.materials import facts as materials
from services.domain.reasons import Rejection
from services.domain.state import ProjectState
from services.domain.submission import Submission

HANDLERS = registry(
    [
        *parties.HANDLERS,
        *quality.HANDLERS,
        *corrections.HANDLERS,
        *materials.HANDLERS,
        *acceptance.HANDLERS,
        *completion.HANDLERS,
        *aftercare.HANDLERS,
        *plaques.HANDLERS,
        *supervision.HANDLERS,
    ],
    CURRENT,
)
"""The rule and the fold of every fact, by payload class."""

FUTURE_TOLERANCE = dt.timedelta(minutes=10)
"""Site clocks drift: an event may be dated this far ahead of the server clock, no further."""


# ----------------------------------------------------------------------------- fold


def fold(
    state: ProjectState, record: SealedRecord, parsed: tuple[str, EventData] | None = None
) -> ProjectState:
    """``record`` applied to ``state``. ``parsed`` is its payload as already validated (and
    upcast) by whoever sealed it, so the recorder does not validate each payload twice."""
    event_type, data = parsed or parse_data(record.type, record.body["data"])
    ref = EventRef(event_id=record.event_id, seq=record.seq)
    after = HANDLERS[type(data)].apply(state, data, record, ref)
    changes: dict[str, object] = {
        "seq": record.seq,
        "head": record.hash.hex(),
        "counts": {**after.counts, event_type: after.counts.get(event_type, 0) + 1},
    }
    if evidence := evidence_of(record.body["data"]):
        known = set(after.evidence)
        if evidence - known:
            changes["evidence"] = sorted(known | evidence)
    return replace(after, **changes)


def fold_chain(project_id: str, records: Iterable[SealedRecord]) -> ProjectState:
    """The state a chain folds to, from the empty project."""
    state = ProjectState(project_id=project_id)
    for record in records:
        state = fold(state, record)
    return state


def evidence_of(data: object) -> set[str]:
    """Every evidence hash a payload (as sealed) references, wherever it sits. Surrounding
    whitespace is dropped, as the catalog's models drop it."""
    found: set[str] = set()

    def walk(value: object, key: str = "") -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif (
            isinstance(value, str)
            and ("evidence" in key or key == "photos")
            and len(value := value.strip()) == 64
        ):
            found.add(value)

    walk(data)
    return found


# ----------------------------------------------------------------------------- decide


def decide(
    state: ProjectState,
    sub: Submission,
    now: dt.datetime,
    referenced: Mapping[str, ReferencedRecord] | None = None,
    reports_seen: Mapping[str, str] | None = None,
) -> Rejection | None:
    """None to accept; otherwise the reason. Pure: ``now`` is the recorder's clock reading;
    ``referenced`` and ``reports_seen`` are what the recorder looked up for this batch.

    Every submission passes the common checks first, then its own fact's rule. A registration
    opens the chain, so it needs no standing on the project."""
    refusal = _refused_anywhere(sub, now)
    if refusal is None and not isinstance(sub.data, ProjectRegistered):
        refusal = _refused_on_this_project(state, sub)
    if refusal is not None:
        return refusal
    ctx = Context(referenced or {}, reports_seen or {})
    return HANDLERS[type(sub.data)].decide(state, sub.data, sub, ctx)


def _refused_anywhere(sub: Submission, now: dt.datetime) -> Rejection | None:
    """The time, the actor's identity and the matrix: what no project state changes."""
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
    return None


def _refused_on_this_project(state: ProjectState, sub: Submission) -> Rejection | None:
    """Standing: a registered project, dated after its registration, an actor holding the role
    it acts in, and (but for the owner) from the start of its appointment."""
    if state.registered_at is None:
        return reasons.NOT_REGISTERED.format(project_id=sub.project_id)
    if (refusal := filing.standing(state, sub)) is not None:
        return refusal
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
    return None
