"""decide() and fold(), the entry points: the checks every submission passes before its own rule
(time, identity, the matrix, standing on the project), and what every fold does (head, counts,
evidence), replay included. Each area's rules and folds are tested in its own module."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.domain.chain import GENESIS, SealedRecord
from services.domain.project import decide, fold, fold_chain
from services.domain.state import ProjectState
from tests.support.events import (
    CONSTRUCTION,
    OWNER,
    SUPERVISION,
    event,
)
from tests.unit.domain.builders import (
    BAD_ORG,
    NOW,
    OTHER_ORG,
    PROJECT,
    REGISTERED_AT,
    a_lot,
    accident,
    assert_refused,
    nc_raised,
    nc_rectified,
    reg,
    registered_state,
    sealed,
    site_state,
    submission,
    then,
    witness,
)

UTC = dt.UTC
REGISTERED = "qtrail.project.registered.v2"
FILED = "qtrail.supervision.filing_accepted.v1"
APPOINTED = "qtrail.party.appointed.v1"
LOT = "qtrail.quality.inspection_lot_accepted.v2"
LOT_V1 = "qtrail.quality.inspection_lot_accepted.v1"


# ----------------------------------------------------------------------------- decide: registering


def test_a_fresh_project_state_is_at_genesis() -> None:
    state = ProjectState(project_id=PROJECT)
    assert state.seq == 0 and state.head == GENESIS.hex()
    assert not state.registered and state.owner_org is None and state.counts == {}
    assert state.parties == {} and state.labs == {} and state.profile is None


def test_the_owner_may_register_a_new_project() -> None:
    assert decide(ProjectState(project_id=PROJECT), reg(), NOW) is None


@pytest.mark.parametrize(
    "role", ["construction", "supervision", "design", "survey", "lab", "system"]
)
def test_only_the_owner_role_may_register(role: str) -> None:
    refusal = decide(ProjectState(project_id=PROJECT), reg(role=role), NOW)
    refusal = assert_refused(refusal, "auth.role_not_allowed")
    assert role in refusal.message_en and role in refusal.message_zh
    # The message names the type without its version: every version is refused alike.
    assert "qtrail.project.registered" in refusal.message_en
    assert REGISTERED not in refusal.message_en


def test_a_registering_organization_needs_a_valid_credit_code() -> None:
    refusal = decide(ProjectState(project_id=PROJECT), reg(org=BAD_ORG), NOW)
    refusal = assert_refused(refusal, "identity.bad_credit_code")
    assert "actororg" in refusal.message_en and BAD_ORG in refusal.message_en


@pytest.mark.parametrize("role", ["construction", "owner"])
def test_an_actor_with_a_bad_credit_code_is_refused_before_anything_else(role: str) -> None:
    refusal = decide(site_state(), a_lot(org=BAD_ORG, role=role), NOW)
    assert_refused(refusal, "identity.bad_credit_code")


# ----------------------------------------------------------------------------- decide: time


def test_a_lot_before_registration_is_refused() -> None:
    assert_refused(decide(ProjectState(project_id=PROJECT), a_lot(), NOW), "project.not_registered")


@pytest.mark.parametrize("org,role", [(CONSTRUCTION, "construction"), (SUPERVISION, "supervision")])
def test_the_appointed_construction_or_supervision_party_may_accept_a_lot(
    org: str, role: str
) -> None:
    assert decide(site_state(), a_lot(org=org, role=role), NOW) is None


def test_the_owner_may_not_accept_a_lot() -> None:
    refusal = decide(site_state(), a_lot(org=OWNER, role="owner"), NOW)
    refusal = assert_refused(refusal, "auth.role_not_allowed")
    assert "qtrail.quality.inspection_lot_accepted" in refusal.message_en
    assert ".v2" not in refusal.message_en


def test_a_lot_dated_before_the_registration_is_refused() -> None:
    early = a_lot(at=REGISTERED_AT - dt.timedelta(seconds=1))
    refusal = assert_refused(decide(site_state(), early, NOW), "time.before_registration")
    assert "2026-01-01T00:00:00.000000Z" in refusal.message_en


def test_a_lot_dated_at_the_registration_instant_is_accepted() -> None:
    assert decide(site_state(), a_lot(at=REGISTERED_AT), NOW) is None


@pytest.mark.parametrize(
    "ahead", [dt.timedelta(minutes=10, seconds=1), dt.timedelta(minutes=11), dt.timedelta(days=1)]
)
def test_an_event_more_than_ten_minutes_ahead_is_refused(ahead: dt.timedelta) -> None:
    assert_refused(decide(site_state(), a_lot(at=NOW + ahead), NOW), "time.in_future")


def test_a_registration_from_the_future_is_refused_too() -> None:
    future = reg(at=NOW + dt.timedelta(minutes=11))
    assert_refused(decide(ProjectState(project_id=PROJECT), future, NOW), "time.in_future")


@pytest.mark.parametrize(
    "ahead", [dt.timedelta(0), dt.timedelta(minutes=9), dt.timedelta(minutes=10)]
)
def test_site_clocks_may_run_up_to_ten_minutes_ahead(ahead: dt.timedelta) -> None:
    assert decide(site_state(), a_lot(at=NOW + ahead), NOW) is None


def test_the_future_is_judged_in_utc_whatever_the_sites_offset() -> None:
    shanghai = dt.timezone(dt.timedelta(hours=8))
    nine_ahead = (NOW + dt.timedelta(minutes=9)).astimezone(shanghai)
    eleven_ahead = (NOW + dt.timedelta(minutes=11)).astimezone(shanghai)
    assert decide(site_state(), a_lot(at=nine_ahead), NOW) is None
    assert_refused(decide(site_state(), a_lot(at=eleven_ahead), NOW), "time.in_future")


# ----------------------------------------------------------------------------- decide: role holding


def test_another_organization_acting_as_owner_is_not_a_party() -> None:
    raise_as_owner = nc_raised(PROJECT, "NC-1", org=OTHER_ORG, role="owner")
    refusal = decide(site_state(), submission(raise_as_owner), NOW)
    refusal = assert_refused(refusal, "auth.not_a_party")
    assert OTHER_ORG in refusal.message_en and "owner" in refusal.message_en


@pytest.mark.parametrize("org", [OWNER, OTHER_ORG])
def test_no_one_holds_the_construction_role_before_any_appointment(org: str) -> None:
    refusal = decide(registered_state(), a_lot(org=org, role="construction"), NOW)
    assert_refused(refusal, "auth.not_a_party")


@pytest.mark.parametrize("org", [OWNER, SUPERVISION, OTHER_ORG])
def test_only_the_appointed_organization_holds_the_construction_role(org: str) -> None:
    refusal = decide(site_state(), a_lot(org=org, role="construction"), NOW)
    assert_refused(refusal, "auth.not_a_party")


@pytest.mark.parametrize("role", ["owner", "design", "survey", "lab", "system"])
def test_roles_outside_the_matrix_may_not_accept_lots(role: str) -> None:
    assert_refused(decide(site_state(), a_lot(role=role), NOW), "auth.role_not_allowed")


def test_decide_does_not_change_the_state() -> None:
    state = then(site_state(), nc_raised(PROJECT, "NC-7"))
    before = state.model_copy(deep=True)
    decide(state, submission(nc_rectified(PROJECT, "NC-7")), NOW)
    decide(state, submission(accident(PROJECT, "ACC-1")), NOW)
    assert state == before


# ----------------------------------------------------------------------------- fold, replay


def test_folding_lots_advances_the_head_and_counts_them() -> None:
    state = site_state()
    for n in (1, 2, 3):
        record_ = sealed(state, a_lot(n))
        state = fold(state, record_)
        assert state.seq == site_state().seq + n and state.head == record_.hash.hex()
    assert state.counts == {REGISTERED: 1, FILED: 1, APPOINTED: 2, LOT: 3}
    assert state.owner_org == OWNER and state.registered_at == REGISTERED_AT
    assert state.parties == site_state().parties  # a lot changes no responsibility


def test_the_state_collects_every_evidence_hash_once_and_sorted() -> None:
    state = then(site_state(), witness(PROJECT), nc_raised(PROJECT, "NC-7"))
    appointed = {p.leads[0].authorization_evidence for p in state.parties.values()}
    witnessed = next(iter(state.witnesses.values())).evidence
    assert set(state.evidence) == appointed | {witnessed}
    assert state.evidence == sorted(state.evidence)


def _records(offsets_h: list[int]) -> tuple[list[SealedRecord], ProjectState]:
    """A historical chain: registration, then lots sealed over the years as v1 and as v2."""
    state = ProjectState(project_id=PROJECT)
    first = sealed(state, reg())
    records = [first]
    state = fold(state, first)
    for n, hours in enumerate(offsets_h, start=1):
        data: dict[str, Any] = {
            "lot_code": f"L-{n}",
            "building_part": f"{n} 层",
            "items": ["模板"] * (n % 3 + 1),
        }
        if n % 2 == 0:
            data |= {"construction_signer": "质检员", "supervision_signer": "监理"}
        sub = submission(
            event(
                PROJECT,
                LOT if n % 2 == 0 else LOT_V1,
                data,
                at=REGISTERED_AT + dt.timedelta(hours=hours),
                event_id=f"evt-lot-{n:06d}",
                org=CONSTRUCTION,
                role="construction",
            )
        )
        record_ = sealed(state, sub, recorded_at=NOW + dt.timedelta(seconds=n))
        records.append(record_)
        state = fold(state, record_)
    return records, state


@given(st.lists(st.integers(min_value=0, max_value=24 * 365), max_size=15))
def test_replaying_the_same_records_gives_the_same_state(offsets_h: list[int]) -> None:
    records, live = _records(offsets_h)
    first = fold_chain(PROJECT, records)
    second = fold_chain(PROJECT, list(records))
    assert first == second == live
    assert first.seq == len(records) and first.head == records[-1].hash.hex()
    # v1 and v2 records alike count as today's type: folds upcast on read.
    assert first.counts == {REGISTERED: 1, **({LOT: len(offsets_h)} if offsets_h else {})}
    assert {r.type for r in records[1:]} <= {LOT, LOT_V1}


def test_replaying_nothing_gives_the_empty_state() -> None:
    assert fold_chain(PROJECT, []) == ProjectState(project_id=PROJECT)
