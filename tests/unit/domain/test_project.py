"""decide() and fold(): who may submit what, when, and what a project remembers of it."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.domain.chain import GENESIS, SealedRecord, seal
from services.domain.project import ProjectState, decide, fold, replay
from services.domain.reasons import Rejection
from services.domain.submission import Submission, read_submission
from tests.support.events import OWNER, event, lot, org_code, registration

UTC = dt.UTC
REGISTERED_AT = dt.datetime(2026, 1, 1, tzinfo=UTC)
NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PROJECT = "XZ-2026-001"
OTHER_ORG = org_code(202)
REGISTERED = "qtrail.project.registered.v1"
LOT = "qtrail.quality.inspection_lot_accepted.v1"


def submission(envelope: dict[str, Any]) -> Submission:
    return read_submission(json.dumps(envelope, ensure_ascii=False).encode())


def sealed(state: ProjectState, sub: Submission, recorded_at: dt.datetime = NOW) -> SealedRecord:
    """The record the recorder would seal for ``sub`` at the head of ``state``."""
    return seal(
        project_id=sub.project_id,
        seq=state.seq + 1,
        prev_hash=bytes.fromhex(state.head),
        event_id=sub.event_id,
        event_type=sub.event_type,
        schema_version=sub.schema_version,
        source=sub.source,
        occurred_at=sub.occurred_at,
        recorded_at=recorded_at,
        actor=sub.actor.as_dict(),
        data=sub.data.model_dump(mode="json"),
    )


def registered_state() -> ProjectState:
    return fold(ProjectState(project_id=PROJECT), sealed(ProjectState(project_id=PROJECT), reg()))


def reg(**kw: Any) -> Submission:
    return submission(registration(PROJECT, event_id="evt-registration-1", **kw))


def a_lot(n: int = 1, *, at: dt.datetime | None = None, **kw: Any) -> Submission:
    return submission(lot(PROJECT, n, at=at or REGISTERED_AT + dt.timedelta(days=n), **kw))


def assert_refused(refusal: Rejection | None, code: str) -> None:
    assert refusal is not None, f"expected {code}, got acceptance"
    assert refusal.code == code
    assert refusal.message_zh.strip() and refusal.message_en.strip()
    assert "{" not in refusal.message_zh + refusal.message_en  # every placeholder was filled


# ----------------------------------------------------------------------------- decide


def test_a_fresh_project_state_is_at_genesis() -> None:
    state = ProjectState(project_id=PROJECT)
    assert state.seq == 0 and state.head == GENESIS.hex()
    assert not state.registered and state.owner_org is None and state.counts == {}


def test_the_owner_may_register_a_new_project() -> None:
    assert decide(ProjectState(project_id=PROJECT), reg(), NOW) is None


@pytest.mark.parametrize("role", ["construction", "supervision", "design", "survey", "lab"])
def test_only_the_owner_role_may_register(role: str) -> None:
    refusal = decide(ProjectState(project_id=PROJECT), reg(role=role), NOW)
    assert_refused(refusal, "auth.role_not_allowed")
    assert role in refusal.message_en and REGISTERED in refusal.message_en  # type: ignore[union-attr]


def test_a_project_is_registered_only_once() -> None:
    state = registered_state()
    again = submission(registration(PROJECT, event_id="evt-registration-2"))
    refusal = decide(state, again, NOW)
    assert_refused(refusal, "project.already_registered")
    assert PROJECT in refusal.message_en and PROJECT in refusal.message_zh  # type: ignore[union-attr]


def test_a_lot_before_registration_is_refused() -> None:
    assert_refused(decide(ProjectState(project_id=PROJECT), a_lot(), NOW), "project.not_registered")


def test_the_registering_owner_may_accept_a_lot() -> None:
    assert decide(registered_state(), a_lot(), NOW) is None


def test_a_lot_dated_before_the_registration_is_refused() -> None:
    early = a_lot(at=REGISTERED_AT - dt.timedelta(seconds=1))
    refusal = decide(registered_state(), early, NOW)
    assert_refused(refusal, "time.before_registration")
    assert "2026-01-01T00:00:00.000000Z" in refusal.message_en  # type: ignore[union-attr]


def test_a_lot_dated_at_the_registration_instant_is_accepted() -> None:
    assert decide(registered_state(), a_lot(at=REGISTERED_AT), NOW) is None


@pytest.mark.parametrize(
    "ahead", [dt.timedelta(minutes=10, seconds=1), dt.timedelta(minutes=11), dt.timedelta(days=1)]
)
def test_an_event_more_than_ten_minutes_ahead_is_refused(ahead: dt.timedelta) -> None:
    state = registered_state()
    assert_refused(decide(state, a_lot(at=NOW + ahead), NOW), "time.in_future")


def test_a_registration_from_the_future_is_refused_too() -> None:
    future = reg(at=NOW + dt.timedelta(minutes=11))
    assert_refused(decide(ProjectState(project_id=PROJECT), future, NOW), "time.in_future")


@pytest.mark.parametrize(
    "ahead", [dt.timedelta(0), dt.timedelta(minutes=9), dt.timedelta(minutes=10)]
)
def test_site_clocks_may_run_up_to_ten_minutes_ahead(ahead: dt.timedelta) -> None:
    assert decide(registered_state(), a_lot(at=NOW + ahead), NOW) is None


def test_the_future_is_judged_in_utc_whatever_the_sites_offset() -> None:
    shanghai = dt.timezone(dt.timedelta(hours=8))
    nine_ahead = (NOW + dt.timedelta(minutes=9)).astimezone(shanghai)
    eleven_ahead = (NOW + dt.timedelta(minutes=11)).astimezone(shanghai)
    assert decide(registered_state(), a_lot(at=nine_ahead), NOW) is None
    assert_refused(decide(registered_state(), a_lot(at=eleven_ahead), NOW), "time.in_future")


def test_another_organization_acting_as_owner_is_not_a_party() -> None:
    refusal = decide(registered_state(), a_lot(org=OTHER_ORG, role="owner"), NOW)
    assert_refused(refusal, "auth.not_a_party")
    assert OTHER_ORG in refusal.message_en  # type: ignore[union-attr]


@pytest.mark.parametrize("org", [OWNER, OTHER_ORG])
def test_no_one_holds_the_construction_role_before_any_appointment(org: str) -> None:
    refusal = decide(registered_state(), a_lot(org=org, role="construction"), NOW)
    assert_refused(refusal, "auth.not_a_party")


@pytest.mark.parametrize("role", ["design", "survey", "lab", "system"])
def test_roles_outside_the_matrix_may_not_accept_lots(role: str) -> None:
    assert_refused(decide(registered_state(), a_lot(role=role), NOW), "auth.role_not_allowed")


# ----------------------------------------------------------------------------- fold


def test_folding_the_registration_remembers_owner_time_and_profile() -> None:
    empty = ProjectState(project_id=PROJECT)
    record = sealed(empty, reg())
    state = fold(empty, record)
    assert state.registered
    assert state.registered_at == REGISTERED_AT
    assert state.owner_org == OWNER
    assert state.profile is not None
    assert state.profile.name == f"测试工程 {PROJECT}"
    assert state.profile.permit_number == f"PERMIT-{PROJECT}"
    assert state.profile.design_life_years == 50
    assert state.seq == 1 and state.head == record.hash.hex()
    assert state.counts == {REGISTERED: 1}
    assert empty.seq == 0 and not empty.registered  # fold returns a new state


def test_folding_lots_advances_the_head_and_counts_them() -> None:
    state = registered_state()
    for n in (1, 2, 3):
        record = sealed(state, a_lot(n))
        state = fold(state, record)
        assert state.seq == n + 1 and state.head == record.hash.hex()
    assert state.counts == {REGISTERED: 1, LOT: 3}
    assert state.owner_org == OWNER and state.registered_at == REGISTERED_AT


def test_the_registration_time_is_kept_in_utc() -> None:
    shanghai = dt.timezone(dt.timedelta(hours=8))
    at = dt.datetime(2026, 1, 1, 8, 0, tzinfo=shanghai)
    empty = ProjectState(project_id=PROJECT)
    state = fold(empty, sealed(empty, reg(at=at)))
    assert state.registered_at == at and state.registered_at.utcoffset() == dt.timedelta(0)


def _records(offsets_h: list[int]) -> list[SealedRecord]:
    state = ProjectState(project_id=PROJECT)
    first = sealed(state, reg())
    records = [first]
    state = fold(state, first)
    for n, hours in enumerate(offsets_h, start=1):
        sub = submission(
            event(
                PROJECT,
                LOT,
                {"lot_code": f"L-{n}", "building_part": f"{n} 层", "items": ["模板"] * (n % 3 + 1)},
                at=REGISTERED_AT + dt.timedelta(hours=hours),
                event_id=f"evt-lot-{n:06d}",
            )
        )
        record = sealed(state, sub, recorded_at=NOW + dt.timedelta(seconds=n))
        records.append(record)
        state = fold(state, record)
    return records


@given(st.lists(st.integers(min_value=0, max_value=24 * 365), max_size=15))
def test_replaying_the_same_records_gives_the_same_state(offsets_h: list[int]) -> None:
    records = _records(offsets_h)
    first = replay(PROJECT, records)
    second = replay(PROJECT, list(records))
    assert first == second
    assert first.seq == len(records) and first.head == records[-1].hash.hex()
    assert first.counts == {REGISTERED: 1, **({LOT: len(offsets_h)} if offsets_h else {})}


def test_replaying_nothing_gives_the_empty_state() -> None:
    assert replay(PROJECT, []) == ProjectState(project_id=PROJECT)
