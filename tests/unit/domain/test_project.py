"""decide() and fold(): who may submit what, when, and what a project remembers of it."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.domain.chain import GENESIS, SealedRecord
from services.domain.identifiers import CREDIT_ALPHABET
from services.domain.ledger import EventRef
from services.domain.project import decide, fold, replay
from services.domain.recording import seal_submission
from services.domain.state import ProjectState
from services.domain.submission import Submission
from tests.support.events import (
    CONSTRUCTION,
    LAB,
    LEADS,
    ORGS,
    OWNER,
    SUPERVISION,
    SURVEY,
    T0,
    appointment,
    commitment,
    event,
    id_number,
    lead_change,
    lot,
    org_code,
    registration,
    staffed,
)
from tests.unit.domain.builders import (
    DAY,
    HOUR,
    NOW,
    accident,
    acting,
    assert_refused,
    lab_commission,
    nc_closed,
    nc_raised,
    nc_rectified,
    outcome,
    record,
    sealed_state,
    submission,
    witness,
)

UTC = dt.UTC
REGISTERED_AT = T0
PROJECT = "XZ-2026-001"
OTHER_ORG = org_code(202)
REGISTERED = "qtrail.project.registered.v1"
APPOINTED = "qtrail.party.appointed.v1"
LOT = "qtrail.quality.inspection_lot_accepted.v2"
LOT_V1 = "qtrail.quality.inspection_lot_accepted.v1"


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
    return fold(ProjectState(project_id=PROJECT), sealed(ProjectState(project_id=PROJECT), reg()))


@functools.cache
def site_state() -> ProjectState:
    """Registered, with construction and supervision appointed from the registration instant."""
    state, _ = sealed_state(
        PROJECT,
        [
            registration(PROJECT),
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
    return outcome(record([envelope], state))


def then(state: ProjectState, *envelopes: dict[str, Any]) -> ProjectState:
    return sealed_state(PROJECT, envelopes, state)[0]


# ----------------------------------------------------------------------------- decide: registration


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


def test_a_project_is_registered_only_once() -> None:
    state = registered_state()
    again = submission(registration(PROJECT, event_id="evt-registration-2"))
    refusal = assert_refused(decide(state, again, NOW), "project.already_registered")
    assert PROJECT in refusal.message_en and PROJECT in refusal.message_zh


def test_a_registering_organization_needs_a_valid_credit_code() -> None:
    refusal = decide(ProjectState(project_id=PROJECT), reg(org=BAD_ORG), NOW)
    refusal = assert_refused(refusal, "identity.bad_credit_code")
    assert "actororg" in refusal.message_en and BAD_ORG in refusal.message_en


@pytest.mark.parametrize("role", ["construction", "owner"])
def test_an_actor_with_a_bad_credit_code_is_refused_before_anything_else(role: str) -> None:
    refusal = decide(site_state(), a_lot(org=BAD_ORG, role=role), NOW)
    assert_refused(refusal, "identity.bad_credit_code")


# ----------------------------------------------------------------------------- decide: lots, time


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


@pytest.mark.parametrize("missing", ["construction_signer", "supervision_signer"])
def test_a_lot_needs_both_signatures(missing: str) -> None:
    envelope = lot(PROJECT, 1, at=REGISTERED_AT + DAY)
    envelope["data"][missing] = None
    assert_refused(decide(site_state(), submission(envelope), NOW), "quality.signatures_missing")


def test_a_v1_lot_upcasts_without_signers_and_is_refused() -> None:
    envelope = lot(PROJECT, 1, at=REGISTERED_AT + DAY)
    envelope["type"] = LOT_V1
    del envelope["data"]["construction_signer"], envelope["data"]["supervision_signer"]
    sub = submission(envelope)
    assert sub.event_type == LOT and sub.submitted_type == LOT_V1 and sub.schema_version == 1
    assert_refused(decide(site_state(), sub, NOW), "quality.signatures_missing")


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


# ----------------------------------------------------------------------------- rules: appointments


def test_the_owner_appoints_a_party_and_its_lead() -> None:
    state = then(registered_state(), appointment(PROJECT, "design", event_id="evt-appoint-design"))
    party = state.parties["design"]
    assert party.org_code == ORGS["design"] and party.org_name == "design 单位有限公司"
    assert party.appointed_by == EventRef(event_id="evt-appoint-design", seq=2)
    (lead,) = party.leads
    assert lead.id_number == LEADS["design"]["id_number"] and lead.name == "design负责人"
    assert lead.start == REGISTERED_AT + DAY and lead.end is None and lead.commitment is None
    assert lead.appointed_by == party.appointed_by and party.current_lead == lead


def test_a_role_is_appointed_only_once() -> None:
    again = appointment(PROJECT, "construction", org=OTHER_ORG)
    assert decided(again, site_state()) == "party.already_appointed"
    assert site_state().parties["construction"].org_code == CONSTRUCTION


def test_the_owner_party_must_be_the_registrant() -> None:
    assert decided(appointment(PROJECT, "owner", org=OTHER_ORG), site_state()) == (
        "party.owner_is_registrant"
    )
    assert decided(appointment(PROJECT, "owner", org=OWNER), site_state()) is None


def test_an_appointment_may_not_take_effect_before_the_registration() -> None:
    early = appointment(PROJECT, "design")
    early["data"]["effective_from"] = (REGISTERED_AT - HOUR).isoformat()
    assert decided(early, registered_state()) == "time.before_registration"


def test_an_appointed_organization_needs_a_valid_credit_code() -> None:
    refusal = decide(
        registered_state(), submission(appointment(PROJECT, "design", org=BAD_ORG)), NOW
    )
    refusal = assert_refused(refusal, "identity.bad_credit_code")
    assert "data.org_code" in refusal.message_en and BAD_ORG in refusal.message_en


def test_an_appointed_lead_needs_a_valid_id_number() -> None:
    bad_lead = appointment(PROJECT, "design", lead={"name": "某人", "id_number": BAD_ID})
    refusal = assert_refused(
        decide(registered_state(), submission(bad_lead), NOW), "identity.bad_id_number"
    )
    assert "data.lead.id_number" in refusal.message_en
    assert BAD_ID not in refusal.message_en + refusal.message_zh  # personal data stays out


# ----------------------------------------------------------------------------- rules: lead changes


def test_a_lead_change_for_an_unappointed_role_is_refused() -> None:
    change = acting(
        lead_change(PROJECT, "survey", "乙", id_number(70), at=T0 + 2 * DAY), OWNER, "owner"
    )
    assert decided(change, site_state()) == "party.not_appointed"


@pytest.mark.parametrize("offset", [dt.timedelta(0), -HOUR])
def test_a_lead_change_must_take_effect_after_the_current_leads_start(
    offset: dt.timedelta,
) -> None:
    change = lead_change(PROJECT, "construction", "乙", id_number(70), at=REGISTERED_AT + DAY)
    change["data"]["effective_at"] = (REGISTERED_AT + offset).isoformat()
    assert decided(change, site_state()) == "party.change_before_current"


def test_a_party_may_not_change_another_partys_lead() -> None:
    change = acting(
        lead_change(PROJECT, "construction", "乙", id_number(70), at=T0 + 2 * DAY),
        SURVEY,
        "survey",
    )
    refusal = decide(staffed_state(), submission(change), NOW)
    refusal = assert_refused(refusal, "auth.not_your_role")
    assert "survey" in refusal.message_en and "construction" in refusal.message_en


def test_the_owner_may_change_any_partys_lead() -> None:
    change = acting(
        lead_change(PROJECT, "construction", "乙", id_number(70), at=T0 + 2 * DAY),
        OWNER,
        "owner",
    )
    state = then(staffed_state(), change)
    assert state.parties["construction"].current_lead.id_number == id_number(70)  # type: ignore[union-attr]


def test_a_new_lead_needs_a_valid_id_number() -> None:
    change = lead_change(PROJECT, "construction", "乙", BAD_ID, at=T0 + 2 * DAY)
    refusal = assert_refused(
        decide(site_state(), submission(change), NOW), "identity.bad_id_number"
    )
    assert "data.new_lead.id_number" in refusal.message_en


def test_a_lead_change_closes_the_old_period_and_opens_a_new_one() -> None:
    at = REGISTERED_AT + 3 * DAY
    state = then(site_state(), lead_change(PROJECT, "construction", "乙", id_number(70), at=at))
    old, new = state.parties["construction"].leads
    assert old.id_number == LEADS["construction"]["id_number"] and old.end == at
    assert new.id_number == id_number(70) and new.start == at and new.end is None
    assert state.parties["construction"].current_lead == new
    assert state.parties["supervision"] == site_state().parties["supervision"]


# ----------------------------------------------------------------------------- rules: commitments


def test_a_commitment_attaches_to_the_signing_lead() -> None:
    number = LEADS["construction"]["id_number"]
    signed = commitment(PROJECT, "construction", number, at=T0 + 2 * DAY, event_id="evt-commit-1")
    state = then(site_state(), signed)
    (lead,) = state.parties["construction"].leads
    assert lead.commitment is not None
    assert lead.commitment.signed_on == dt.date(2026, 1, 3)
    assert lead.commitment.ref == EventRef(event_id="evt-commit-1", seq=4)
    assert lead.commitment.evidence in state.evidence


def test_a_commitment_by_someone_who_is_not_a_lead_is_refused() -> None:
    stranger = commitment(PROJECT, "construction", id_number(90), at=T0 + 2 * DAY)
    assert decided(stranger, site_state()) == "party.unknown_lead"
    # Another role's lead does not count either.
    supervision_lead = LEADS["supervision"]["id_number"]
    assert decided(
        commitment(PROJECT, "construction", supervision_lead, at=T0 + 2 * DAY), site_state()
    ) == ("party.unknown_lead")


def test_a_commitment_for_an_unappointed_role_names_no_known_lead() -> None:
    unappointed = acting(
        commitment(PROJECT, "design", LEADS["design"]["id_number"], at=T0 + 2 * DAY),
        OWNER,
        "owner",
    )
    assert decided(unappointed, site_state()) == "party.unknown_lead"


def test_a_lead_signs_the_commitment_once() -> None:
    number = LEADS["construction"]["id_number"]
    state = then(site_state(), commitment(PROJECT, "construction", number, at=T0 + 2 * DAY))
    again = commitment(PROJECT, "construction", number, at=T0 + 3 * DAY)
    assert decided(again, state) == "party.commitment_exists"


def test_a_former_lead_may_still_sign_for_their_period() -> None:
    state = then(
        site_state(), lead_change(PROJECT, "construction", "乙", id_number(70), at=T0 + 2 * DAY)
    )
    former = LEADS["construction"]["id_number"]
    state = then(state, commitment(PROJECT, "construction", former, at=T0 + 3 * DAY))
    old, new = state.parties["construction"].leads
    assert old.commitment is not None and new.commitment is None


def test_a_party_may_not_sign_for_another_role() -> None:
    for_supervision = acting(
        commitment(PROJECT, "supervision", LEADS["supervision"]["id_number"], at=T0 + 2 * DAY),
        CONSTRUCTION,
        "construction",
    )
    assert decided(for_supervision, site_state()) == "auth.not_your_role"


# ----------------------------------------------------------------------------- rules: witnesses, labs


@pytest.mark.parametrize("employer", [OWNER, SUPERVISION])
def test_a_witness_works_for_the_owner_or_the_supervision_party(employer: str) -> None:
    state = then(site_state(), witness(PROJECT, employer=employer))
    [witness_record] = state.witnesses.values()
    assert witness_record.org_code == employer and witness_record.id_number == id_number(60)
    assert id_number(60) not in state.witnesses  # keyed by event, never by a personal number


@pytest.mark.parametrize("employer", [CONSTRUCTION, OTHER_ORG])
def test_a_witness_employed_elsewhere_is_refused(employer: str) -> None:
    refusal = decide(site_state(), submission(witness(PROJECT, employer=employer)), NOW)
    refusal = assert_refused(refusal, "witness.wrong_employer")
    assert employer in refusal.message_en


def test_a_supervision_witness_needs_an_appointed_supervision_party() -> None:
    state = then(registered_state(), appointment(PROJECT, "construction", at=REGISTERED_AT))
    assert decided(witness(PROJECT, employer=SUPERVISION), state) == "witness.wrong_employer"


def test_a_witness_needs_a_valid_id_number() -> None:
    refusal = decide(site_state(), submission(witness(PROJECT, number=BAD_ID)), NOW)
    refusal = assert_refused(refusal, "identity.bad_id_number")
    assert "data.witness.id_number" in refusal.message_en


def test_a_commissioned_lab_joins_the_project() -> None:
    state = then(site_state(), lab_commission(PROJECT, event_id="evt-lab-00001"))
    lab = state.labs[LAB]
    assert lab.qualification_certificate == "CMA-2026-001" and lab.scope == ["混凝土抗压强度"]
    assert lab.ref == EventRef(event_id="evt-lab-00001", seq=4)


def test_a_lab_needs_a_valid_credit_code() -> None:
    refusal = decide(site_state(), submission(lab_commission(PROJECT, lab=BAD_ORG)), NOW)
    refusal = assert_refused(refusal, "identity.bad_credit_code")
    assert "data.lab_code" in refusal.message_en and BAD_ORG in refusal.message_en


# ----------------------------------------------------------------------------- rules: nonconformances


def test_a_nonconformance_goes_open_rectified_closed() -> None:
    raised = nc_raised(PROJECT, "NC-7", event_id="evt-nc-raised")
    state = then(site_state(), raised)
    nc = state.nonconformances["NC-7"]
    assert nc.status == "open" and nc.severity == "major" and nc.blocking is True
    assert nc.raised_by == EventRef(event_id="evt-nc-raised", seq=4)
    assert nc.rectified_by is None and nc.closed_by is None

    state = then(state, nc_rectified(PROJECT, "NC-7", event_id="evt-nc-rectified"))
    nc = state.nonconformances["NC-7"]
    assert nc.status == "rectified"
    assert nc.rectified_by == EventRef(event_id="evt-nc-rectified", seq=5)

    state = then(state, nc_closed(PROJECT, "NC-7", event_id="evt-nc-closed"))
    nc = state.nonconformances["NC-7"]
    assert nc.status == "closed" and nc.closed_by == EventRef(event_id="evt-nc-closed", seq=6)
    assert nc.raised_by.seq == 4 and nc.rectified_by is not None


def test_the_owner_may_close_what_the_supervision_raised() -> None:
    state = then(site_state(), nc_raised(PROJECT, "NC-7"), nc_rectified(PROJECT, "NC-7"))
    assert decided(nc_closed(PROJECT, "NC-7", org=OWNER, role="owner"), state) is None


def test_a_nonconformance_id_is_unique_in_the_project() -> None:
    state = then(site_state(), nc_raised(PROJECT, "NC-7"))
    refusal = decide(state, submission(nc_raised(PROJECT, "NC-7", org=OWNER, role="owner")), NOW)
    refusal = assert_refused(refusal, "quality.duplicate_id")
    assert "NC-7" in refusal.message_en and "nonconformance" in refusal.message_en


@pytest.mark.parametrize("step", [nc_rectified, nc_closed])
def test_an_unknown_nonconformance_cannot_move(step: Any) -> None:
    refusal = decide(site_state(), submission(step(PROJECT, "NC-404")), NOW)
    refusal = assert_refused(refusal, "nonconformance.unknown")
    assert "NC-404" in refusal.message_en


def test_a_nonconformance_is_closed_only_after_rectification() -> None:
    state = then(site_state(), nc_raised(PROJECT, "NC-7"))
    refusal = assert_refused(
        decide(state, submission(nc_closed(PROJECT, "NC-7")), NOW), "nonconformance.wrong_status"
    )
    assert "open" in refusal.message_en and "rectified" in refusal.message_en


def test_a_nonconformance_is_rectified_only_while_open() -> None:
    state = then(site_state(), nc_raised(PROJECT, "NC-7"), nc_rectified(PROJECT, "NC-7"))
    refusal = decide(state, submission(nc_rectified(PROJECT, "NC-7")), NOW)
    refusal = assert_refused(refusal, "nonconformance.wrong_status")
    assert refusal.message_en.endswith("NC-7 is rectified; it must be open")
    closed = then(state, nc_closed(PROJECT, "NC-7"))
    assert decided(nc_rectified(PROJECT, "NC-7"), closed) == "nonconformance.wrong_status"
    assert decided(nc_closed(PROJECT, "NC-7"), closed) == "nonconformance.wrong_status"


def test_only_the_construction_party_rectifies() -> None:
    state = then(site_state(), nc_raised(PROJECT, "NC-7"))
    by_supervision = nc_rectified(PROJECT, "NC-7", org=SUPERVISION, role="supervision")
    assert decided(by_supervision, state) == "auth.role_not_allowed"


# ----------------------------------------------------------------------------- rules: accidents


def test_an_accident_is_remembered_and_its_id_is_unique() -> None:
    at = REGISTERED_AT + 2 * DAY
    state = then(site_state(), accident(PROJECT, "ACC-1", at=at, event_id="evt-accident-1"))
    remembered = state.accidents["ACC-1"]
    assert remembered.happened_at == at and remembered.casualties == 0
    assert remembered.ref == EventRef(event_id="evt-accident-1", seq=4)
    again = accident(PROJECT, "ACC-1", org=SUPERVISION, role="supervision")
    refusal = assert_refused(decide(state, submission(again), NOW), "quality.duplicate_id")
    assert "accident" in refusal.message_en and "ACC-1" in refusal.message_en


def test_decide_does_not_change_the_state() -> None:
    state = then(site_state(), nc_raised(PROJECT, "NC-7"))
    before = state.model_copy(deep=True)
    decide(state, submission(nc_rectified(PROJECT, "NC-7")), NOW)
    decide(state, submission(accident(PROJECT, "ACC-1")), NOW)
    assert state == before


# ----------------------------------------------------------------------------- fold


def test_folding_the_registration_remembers_owner_time_and_every_profile_field() -> None:
    empty = ProjectState(project_id=PROJECT)
    record_ = sealed(empty, reg())
    state = fold(empty, record_)
    assert state.registered
    assert state.registered_at == REGISTERED_AT
    assert state.owner_org == OWNER
    assert state.registered_by == EventRef(event_id="evt-registration-1", seq=1)
    assert state.profile is not None
    assert state.profile.model_dump(mode="json") == registration(PROJECT)["data"]
    assert state.profile.planned_finish == dt.date(2027, 12, 31)
    assert state.seq == 1 and state.head == record_.hash.hex()
    assert state.counts == {REGISTERED: 1}
    assert empty.seq == 0 and not empty.registered  # fold returns a new state


def test_folding_lots_advances_the_head_and_counts_them() -> None:
    state = site_state()
    for n in (1, 2, 3):
        record_ = sealed(state, a_lot(n))
        state = fold(state, record_)
        assert state.seq == n + 3 and state.head == record_.hash.hex()
    assert state.counts == {REGISTERED: 1, APPOINTED: 2, LOT: 3}
    assert state.owner_org == OWNER and state.registered_at == REGISTERED_AT
    assert state.parties == site_state().parties  # a lot changes no responsibility


def test_the_registration_time_is_kept_in_utc() -> None:
    shanghai = dt.timezone(dt.timedelta(hours=8))
    at = dt.datetime(2026, 1, 1, 8, 0, tzinfo=shanghai)
    empty = ProjectState(project_id=PROJECT)
    state = fold(empty, sealed(empty, reg(at=at)))
    assert state.registered_at == at and state.registered_at.utcoffset() == dt.timedelta(0)


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
    first = replay(PROJECT, records)
    second = replay(PROJECT, list(records))
    assert first == second == live
    assert first.seq == len(records) and first.head == records[-1].hash.hex()
    # v1 and v2 records alike count as today's type: folds upcast on read.
    assert first.counts == {REGISTERED: 1, **({LOT: len(offsets_h)} if offsets_h else {})}
    assert {r.type for r in records[1:]} <= {LOT, LOT_V1}


def test_replaying_nothing_gives_the_empty_state() -> None:
    assert replay(PROJECT, []) == ProjectState(project_id=PROJECT)
