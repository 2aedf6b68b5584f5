"""Trails for unit tests: envelopes of the types tests/support/events.py does not build, the
recorder's own path (read_submission → decide_batch) to turn them into sealed records and state,
and the states of project PROJECT that the rule tests start from.

Every envelope here is dated explicitly, so decisions never depend on the wall clock.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from typing import Any

from services.domain.chain import SealedRecord
from services.domain.context import ReferencedRecord
from services.domain.identifiers import CREDIT_ALPHABET
from services.domain.reasons import Rejection
from services.domain.recording import BatchDecision, decide_batch, seal_submission
from services.domain.state import ProjectState
from services.domain.submission import Submission, Unreadable, read_item, read_submission
from tests.support.events import (
    DAY,
    HOUR,
    T0,
    accident,
    appointment,
    correction,
    id_number,
    lab_commission,
    lot,
    nc_closed,
    nc_raised,
    nc_rectified,
    opened,
    org_code,
    registration,
    staffed,
    witness,
)
from tests.support.sealing import raw

__all__ = [
    "DAY",
    "HOUR",
    "accident",
    "correction",
    "lab_commission",
    "nc_closed",
    "nc_raised",
    "nc_rectified",
    "witness",
]

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
"""The recorder's clock in every unit test: two months after T0, the registration."""

Item = tuple[bytes, Submission | Unreadable]


# ----------------------------------------------------------------------------- envelopes


def acting(envelope: dict[str, Any], org: str, role: str) -> dict[str, Any]:
    """``envelope`` submitted by ``org`` in ``role`` (lead_change and commitment in
    tests/support/events.py tie the actor's role to the party the payload is about)."""
    return {**envelope, "actororg": org, "actorrole": role}


# ----------------------------------------------------------------------------- recording


def raw_of(envelope: Mapping[str, Any]) -> bytes:
    return raw(envelope)


def submission(envelope: Mapping[str, Any]) -> Submission:
    return read_submission(raw_of(envelope))


def item(envelope: Mapping[str, Any]) -> Item:
    return read_item(raw(envelope))


def decide_envelopes(
    envelopes: Iterable[Mapping[str, Any]],
    state: ProjectState | None = None,
    *,
    referenced: Mapping[str, ReferencedRecord] | None = None,
    now: dt.datetime = NOW,
) -> BatchDecision:
    """Decide ``envelopes`` as one recorder batch, continuing from ``state`` if given."""
    states = {state.project_id: state} if state is not None else {}
    return decide_batch([item(e) for e in envelopes], states, {}, now, dict(referenced or {}))


def referenced_from(records: Iterable[SealedRecord]) -> dict[str, ReferencedRecord]:
    """What the recorder's store would return for corrections pointing at ``records``."""
    return {r.event_id: ReferencedRecord.of(r.body) for r in records}


def sealed_state(
    project: str, envelopes: Iterable[Mapping[str, Any]], state: ProjectState | None = None
) -> tuple[ProjectState, BatchDecision]:
    """Record ``envelopes``, insisting every one seals; returns the project's new state."""
    envelopes = list(envelopes)
    decision = decide_envelopes(envelopes, state)
    refused = [(r.event_id, r.rejection.code) for r in decision.rejected]
    assert refused == [], f"setup events were refused: {refused}"
    assert len(decision.sealed) == len(envelopes)
    return decision.states[project], decision


def outcome(decision: BatchDecision) -> str | None:
    """None when the batch's single event sealed, else its rejection code.

    The facts qtrail itself seals after it (evaluations, actor role ``system``) do not count."""
    submitted = [r for r in decision.sealed if r.body["actor"]["role"] != "system"]
    assert len(submitted) + len(decision.rejected) == 1
    return decision.rejected[0].rejection.code if decision.rejected else None


def assert_refused(refusal: Rejection | None, code: str) -> Rejection:
    assert refusal is not None, f"expected {code}, got acceptance"
    assert refusal.code == code, refusal
    assert refusal.message_zh.strip() and refusal.message_en.strip()
    assert "{" not in refusal.message_zh + refusal.message_en  # every placeholder was filled
    return refusal


# ----------------------------------------------------------------------------- states rules start from

PROJECT = "XZ-2026-001"
REGISTERED_AT = T0
OTHER_ORG = org_code(202)


def wrong_check(code: str, alphabet: str) -> str:
    """``code`` with another check character: the right shape, a wrong checksum."""
    return code[:17] + next(c for c in alphabet if c != code[17])


BAD_ORG = wrong_check(org_code(150), CREDIT_ALPHABET)


BAD_ID = wrong_check(id_number(150), "0123456789X")


def sealed(state: ProjectState, sub: Submission, recorded_at: dt.datetime = NOW) -> SealedRecord:
    """The record the recorder would seal for ``sub`` at the head of ``state``: as submitted."""
    return seal_submission(sub, state, recorded_at)


def reg(**kw: Any) -> Submission:
    return submission(registration(PROJECT, event_id="evt-registration-1", **kw))


def registered_state() -> ProjectState:
    """Registered, and the filing accepted by the station: open for facts, no party appointed."""
    state, _ = sealed_state(PROJECT, opened(PROJECT))
    return state


@functools.cache
def site_state() -> ProjectState:
    """Registered, with construction and supervision appointed from the registration instant."""
    state, _ = sealed_state(
        PROJECT,
        [
            *opened(PROJECT),
            appointment(PROJECT, "construction", at=REGISTERED_AT),
            appointment(PROJECT, "supervision", at=REGISTERED_AT),
        ],
    )
    return state


@functools.cache
def staffed_state() -> ProjectState:
    """All five parties appointed at T0 + 1 day; no lead has signed a commitment yet."""
    state, _ = sealed_state(PROJECT, staffed(PROJECT, commit=False))
    return state


def a_lot(n: int = 1, *, at: dt.datetime | None = None, **kw: Any) -> Submission:
    return submission(lot(PROJECT, n, at=at or REGISTERED_AT + dt.timedelta(days=n), **kw))


def decided(envelope: dict[str, Any], state: ProjectState) -> str | None:
    """Reason code the recorder gives ``envelope`` on ``state``; None if it seals."""
    return outcome(decide_envelopes([envelope], state))


def then(state: ProjectState, *envelopes: dict[str, Any]) -> ProjectState:
    return sealed_state(PROJECT, envelopes, state)[0]
