"""The responsible parties' rules and folds: registration, appointments, lead changes, lifelong
commitments, witnesses and labs."""

from __future__ import annotations

import datetime as dt

import pytest

from services.domain.ledger import EventRef
from services.domain.project import decide, fold
from services.domain.state import FilingStatus, ProjectState
from tests.support.events import (
    CONSTRUCTION,
    DIVISION,
    LAB,
    LEADS,
    ORGS,
    OWNER,
    STATION,
    SUPERVISION,
    SURVEY,
    T0,
    appointment,
    commitment,
    id_number,
    lead_change,
    registration,
)
from tests.unit.domain.builders import (
    BAD_ID,
    BAD_ORG,
    DAY,
    HOUR,
    NOW,
    OTHER_ORG,
    PROJECT,
    REGISTERED_AT,
    acting,
    assert_refused,
    decided,
    lab_commission,
    reg,
    registered_state,
    sealed,
    site_state,
    staffed_state,
    submission,
    then,
    witness,
)

UTC = dt.UTC
REGISTERED = "qtrail.project.registered.v2"


# ----------------------------------------------------------------------------- registration


def test_a_project_is_registered_only_once() -> None:
    state = registered_state()
    again = submission(registration(PROJECT, event_id="evt-registration-2"))
    refusal = assert_refused(decide(state, again, NOW), "project.already_registered")
    assert PROJECT in refusal.message_en and PROJECT in refusal.message_zh


def test_folding_the_registration_remembers_owner_time_and_every_profile_field() -> None:
    empty = ProjectState(project_id=PROJECT)
    record_ = sealed(empty, reg())
    state = fold(empty, record_)
    assert state.registered
    assert state.registered_at == REGISTERED_AT
    assert state.owner_org == OWNER
    assert state.registered_by == EventRef(event_id="evt-registration-1", seq=1)
    assert state.profile is not None
    data = registration(PROJECT)["data"]
    filed_with = {"station": STATION, "division": DIVISION}
    profile = {k: v for k, v in data.items() if k not in filed_with}
    assert state.profile.model_dump(mode="json") == profile
    # the station and division are the filing's, pending until the station answers
    assert data.keys() - profile.keys() == filed_with.keys()
    assert state.filing is not None
    assert (state.filing.station, state.filing.division) == (STATION, DIVISION)
    assert state.filing.status is FilingStatus.PENDING
    assert state.profile.planned_finish == dt.date(2027, 12, 31)
    assert state.seq == 1 and state.head == record_.hash.hex()
    assert state.counts == {REGISTERED: 1}
    assert empty.seq == 0 and not empty.registered  # fold returns a new state


def test_the_registration_time_is_kept_in_utc() -> None:
    shanghai = dt.timezone(dt.timedelta(hours=8))
    at = dt.datetime(2026, 1, 1, 8, 0, tzinfo=shanghai)
    empty = ProjectState(project_id=PROJECT)
    state = fold(empty, sealed(empty, reg(at=at)))
    assert state.registered_at == at and state.registered_at.utcoffset() == dt.timedelta(0)


# ----------------------------------------------------------------------------- appointments


def test_the_owner_appoints_a_party_and_its_lead() -> None:
    state = then(registered_state(), appointment(PROJECT, "design", event_id="evt-appoint-design"))
    party = state.parties["design"]
    assert party.org_code == ORGS["design"] and party.org_name == "design 单位有限公司"
    assert party.appointed_by == EventRef(
        event_id="evt-appoint-design", seq=registered_state().seq + 1
    )
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


# ----------------------------------------------------------------------------- lead changes


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


# ----------------------------------------------------------------------------- commitments


def test_a_commitment_attaches_to_the_signing_lead() -> None:
    number = LEADS["construction"]["id_number"]
    signed = commitment(PROJECT, "construction", number, at=T0 + 2 * DAY, event_id="evt-commit-1")
    state = then(site_state(), signed)
    (lead,) = state.parties["construction"].leads
    assert lead.commitment is not None
    assert lead.commitment.signed_on == dt.date(2026, 1, 3)
    assert lead.commitment.ref == EventRef(event_id="evt-commit-1", seq=site_state().seq + 1)
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


# ----------------------------------------------------------------------------- witnesses, labs


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
    assert lab.ref == EventRef(event_id="evt-lab-00001", seq=site_state().seq + 1)


def test_a_lab_needs_a_valid_credit_code() -> None:
    refusal = decide(site_state(), submission(lab_commission(PROJECT, lab=BAD_ORG)), NOW)
    refusal = assert_refused(refusal, "identity.bad_credit_code")
    assert "data.lab_code" in refusal.message_en and BAD_ORG in refusal.message_en
