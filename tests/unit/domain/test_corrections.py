"""Corrections: a new fact pointing at an earlier one; checked against it, applied to the ledger."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import replace
from typing import Any

import pytest

from events.correction import RecordCorrected
from services.domain.context import ReferencedRecord
from services.domain.corrections import apply_changes, check_correction, corrected_lead_fields
from services.domain.identifiers import valid_id_number
from services.domain.ledger import EventRef
from services.domain.qualifications import LEAD_REGISTRATION
from services.domain.recording import BatchDecision, corrected_ids
from services.domain.state import ProjectState
from tests.support.events import (
    CONSTRUCTION,
    LEADS,
    OWNER,
    SURVEY,
    T0,
    appointment,
    id_number,
    lead_change,
    lot,
    opened,
    staffed,
)
from tests.unit.domain.builders import (
    DAY,
    correction,
    decide_envelopes,
    item,
    outcome,
    referenced_from,
    sealed_state,
)

PROJECT = "XZ-CORR-01"
APPOINT_C = "evt-corr-appoint-construction"
LOT_1 = "evt-corr-lot-0001"
AT = T0 + 5 * DAY


@functools.cache
def _trail() -> tuple[ProjectState, dict[str, ReferencedRecord]]:
    """Staffed, construction appointed by the owner as ``APPOINT_C``, one lot by construction."""
    envelopes = staffed(PROJECT, commit=False)
    construction = next(
        i for i, e in enumerate(envelopes) if e["data"].get("role") == "construction"
    )
    envelopes[construction] = appointment(PROJECT, "construction", event_id=APPOINT_C)
    envelopes.append(lot(PROJECT, 1, event_id=LOT_1))
    state, decision = sealed_state(PROJECT, envelopes)
    return state, referenced_from(decision.sealed)


def trail() -> ProjectState:
    return _trail()[0]


def correct(changes: dict[str, Any], corrects: str = APPOINT_C, **kw: Any) -> BatchDecision:
    fix = correction(PROJECT, corrects, changes, at=AT, **kw)
    return decide_envelopes([fix], trail(), referenced=_trail()[1])


def construction_lead(state: ProjectState) -> Any:
    return state.parties["construction"].leads[0]


# ----------------------------------------------------------------------------- accepted


def test_the_owner_corrects_a_leads_name_and_the_ledger_shows_it() -> None:
    decision = correct({"lead.name": "施工负责人（更正）"}, event_id="evt-corr-fix-0001")
    assert outcome(decision) is None
    state = decision.states[PROJECT]
    lead = construction_lead(state)
    assert lead.name == "施工负责人（更正）"
    assert lead.corrected_by == [EventRef(event_id="evt-corr-fix-0001", seq=trail().seq + 1)]
    assert lead.id_number == LEADS["construction"]["id_number"]  # the rest is untouched
    (kept,) = state.corrections
    assert kept.corrects_event_id == APPOINT_C and kept.changes == {
        "lead.name": "施工负责人（更正）"
    }
    # Other parties' leads are not touched.
    assert state.parties["survey"] == trail().parties["survey"]


def test_the_original_record_stays_as_it_was() -> None:
    before = _trail()[1][APPOINT_C].data
    decision = correct({"lead.name": "更正"})
    assert outcome(decision) is None
    assert before["lead"]["name"] == LEADS["construction"]["name"]
    assert decision.sealed[0].body["data"]["corrects_event_id"] == APPOINT_C


def test_corrections_accumulate_on_the_lead() -> None:
    first = correct({"lead.name": "更正一"}, event_id="evt-corr-fix-0001")
    state = first.states[PROJECT]
    fix2 = correction(
        PROJECT,
        APPOINT_C,
        {"lead.qualification": "二级注册建造师"},
        at=AT,
        event_id="evt-corr-fix-0002",
    )
    second = decide_envelopes([fix2], state, referenced=_trail()[1])
    lead = construction_lead(second.states[PROJECT])
    assert lead.name == "更正一" and lead.qualification == "二级注册建造师"
    assert [ref.event_id for ref in lead.corrected_by] == ["evt-corr-fix-0001", "evt-corr-fix-0002"]


def test_correcting_the_org_name_renames_the_party() -> None:
    decision = correct({"org_name": "某某建设集团有限公司"})
    assert outcome(decision) is None
    party = decision.states[PROJECT].parties["construction"]
    assert party.org_name == "某某建设集团有限公司" and party.org_code == CONSTRUCTION


def test_correcting_a_lead_change_corrects_only_the_new_lead() -> None:
    change = lead_change(
        PROJECT, "construction", "乙", id_number(77), at=T0 + 3 * DAY, event_id="evt-corr-lc-b"
    )
    fix = correction(
        PROJECT, "evt-corr-lc-b", {"new_lead.name": "乙（更正）"}, at=AT, org=OWNER, role="owner"
    )
    decision = decide_envelopes([change, fix], trail(), referenced=_trail()[1])
    assert decision.rejected == []
    old, new = decision.states[PROJECT].parties["construction"].leads
    assert old.name == LEADS["construction"]["name"] and old.corrected_by == []
    assert new.name == "乙（更正）" and len(new.corrected_by) == 1


def test_the_author_of_a_record_may_correct_it() -> None:
    decision = correct(
        {"building_part": "第 1 批（3层梁板）"}, LOT_1, org=CONSTRUCTION, role="construction"
    )
    assert outcome(decision) is None
    # A lot is not part of the ledger: the correction is kept, no party changes; the lot's part
    # reads as corrected.
    state = decision.states[PROJECT]
    assert state.parties == trail().parties and len(state.corrections) == 1
    assert state.inspection_lots["LOT-00001"].building_part == "第 1 批（3层梁板）"


def test_a_lots_code_is_not_corrected_sub_items_name_it() -> None:
    decision = correct({"lot_code": "LOT-99999"}, LOT_1, org=CONSTRUCTION, role="construction")
    assert outcome(decision) == "correction.not_correctable"


def test_the_owner_may_correct_any_partys_record() -> None:
    assert outcome(correct({"items": ["钢筋安装", "模板"]}, LOT_1)) is None


def test_a_correction_of_an_event_sealed_earlier_in_the_same_batch_works() -> None:
    state, _ = sealed_state(PROJECT, [*opened(PROJECT)])
    appoint = appointment(PROJECT, "design", event_id="evt-corr-appoint-design")
    fix = correction(PROJECT, "evt-corr-appoint-design", {"lead.name": "设计负责人（更正）"}, at=AT)
    items = [item(appoint), item(fix)]
    assert corrected_ids(items) == {"evt-corr-appoint-design"}
    decision = decide_envelopes([appoint, fix], state)  # no referenced records from the store
    assert decision.rejected == [] and [r.seq for r in decision.sealed] == [
        state.seq + 1,
        state.seq + 2,
    ]
    assert decision.states[PROJECT].parties["design"].leads[0].name == "设计负责人（更正）"


def test_a_correction_in_a_later_batch_needs_the_recorder_to_look_the_original_up() -> None:
    fix = correction(PROJECT, APPOINT_C, {"lead.name": "更正"}, at=AT)
    assert outcome(decide_envelopes([fix], trail())) == "correction.unknown_event"
    assert outcome(decide_envelopes([fix], trail(), referenced=_trail()[1])) is None


def test_a_refused_correction_leaves_no_trace() -> None:
    decision = correct({"lead.nickname": "小王"})
    assert outcome(decision) == "correction.invalid"
    assert decision.states == {} and decision.sealed == []


# ----------------------------------------------------------------------------- refused


def test_a_correction_of_an_unknown_event_is_refused() -> None:
    decision = correct({"lead.name": "某人"}, "evt-never-sealed-0001")
    assert outcome(decision) == "correction.unknown_event"
    assert "evt-never-sealed-0001" in decision.rejected[0].rejection.message_en


def test_a_correction_of_another_projects_event_is_refused() -> None:
    other, other_decision = sealed_state(
        "XZ-CORR-02", [*opened("XZ-CORR-02"), appointment("XZ-CORR-02", "construction")]
    )
    foreign = other_decision.sealed[-1].event_id
    referenced = {**_trail()[1], **referenced_from(other_decision.sealed)}
    fix = correction(PROJECT, foreign, {"lead.name": "某人"}, at=AT)
    assert (
        outcome(decide_envelopes([fix], trail(), referenced=referenced))
        == "correction.unknown_event"
    )
    assert other.parties["construction"].leads[0].name == LEADS["construction"]["name"]


def test_a_third_organization_may_not_correct() -> None:
    decision = correct({"lead.name": "某人"}, org=SURVEY, role="survey")
    assert outcome(decision) == "correction.not_author"
    assert APPOINT_C in decision.rejected[0].rejection.message_en
    lot_by_survey = correct({"items": ["模板"]}, LOT_1, org=SURVEY, role="survey")
    assert outcome(lot_by_survey) == "correction.not_author"


@pytest.mark.parametrize(
    "changes",
    [
        {"lead.nickname": "小王"},
        {"nickname": "小王"},
        {"lead.name.family": "王"},
        {"role.name": "施工"},
        {"lead.name": "更正", "no_such_field": 1},
    ],
    ids=["unknown-lead-field", "unknown-field", "below-a-leaf", "into-a-string", "one-bad-path"],
)
def test_a_change_to_a_path_that_does_not_exist_is_invalid(changes: dict[str, Any]) -> None:
    decision = correct(changes)
    assert outcome(decision) == "correction.invalid"


@pytest.mark.parametrize(
    "changes",
    [
        {"lead.id_number": "123"},
        {"lead.name": ""},
        {"lead.qualification": ""},
    ],
    ids=["short-id", "empty-name", "empty-qualification"],
)
def test_a_change_that_makes_the_payload_invalid_is_refused(changes: dict[str, Any]) -> None:
    decision = correct(changes)
    assert outcome(decision) == "correction.invalid"
    assert construction_lead(trail()).name == LEADS["construction"]["name"]


@pytest.mark.parametrize(
    "changes",
    [
        {"role": "architect"},
        {"org_code": "not-a-credit-code"},
        {"effective_from": "yesterday"},
        {"lead": "王五"},
        {"authorization_evidence": "0" * 64},
    ],
    ids=["role", "org-code", "effective-time", "whole-lead", "evidence"],
)
def test_structural_fields_are_changed_by_new_facts_not_corrections(
    changes: dict[str, Any],
) -> None:
    decision = correct(changes)
    assert outcome(decision) == "correction.not_correctable"
    assert construction_lead(trail()).name == LEADS["construction"]["name"]


def test_a_correction_is_not_itself_corrected() -> None:
    first = correct({"lead.name": "更正一"}, event_id="evt-corr-fix-0001")
    state = first.states[PROJECT]
    referenced = {**_trail()[1], **referenced_from(first.sealed)}
    fix = correction(PROJECT, "evt-corr-fix-0001", {"reason": "再更正"}, at=AT)
    assert outcome(decide_envelopes([fix], state, referenced=referenced)) == "correction.invalid"


def test_a_lab_or_the_system_may_not_correct() -> None:
    for role in ("lab", "system"):
        assert outcome(correct({"lead.name": "某人"}, role=role)) == "auth.role_not_allowed"


# ----------------------------------------------------------------------------- the pure helpers


def test_apply_changes_copies_and_follows_dotted_paths() -> None:
    original = {"lead": {"name": "甲", "id_number": "x"}, "role": "construction"}
    changed = apply_changes(original, {"lead.name": "乙", "role": "survey"})
    assert changed == {"lead": {"name": "乙", "id_number": "x"}, "role": "survey"}
    assert original["lead"]["name"] == "甲"  # type: ignore[index]


@pytest.mark.parametrize("path", ["nope", "lead.nope", "role.x", "lead.name.x"])
def test_apply_changes_refuses_paths_that_do_not_exist(path: str) -> None:
    with pytest.raises(KeyError):
        apply_changes({"lead": {"name": "甲"}, "role": "construction"}, {path: 1})


def test_corrected_lead_fields_picks_lead_fields_and_org_name() -> None:
    fields, org_name = corrected_lead_fields(
        {
            "lead.name": "甲",
            "new_lead.qualification": "一级",
            "lead.authorization": "x",
            "witness.name": "见证人",
            "org_name": "新名称",
        }
    )
    assert fields == {"name": "甲", "qualification": "一级"} and org_name == "新名称"
    assert corrected_lead_fields({"org_name": 5}) == ({}, None)


def test_check_correction_names_the_missing_field() -> None:
    state, referenced = _trail()
    data = RecordCorrected(corrects_event_id=APPOINT_C, reason="笔误", changes={"lead.nope": 1})
    refusal = check_correction(PROJECT, OWNER, data, OWNER, referenced)
    assert refusal is not None and refusal.code == "correction.invalid"
    assert "lead.nope" in refusal.message_en and state.owner_org == OWNER


# ----------------------------------------------------------------------------- bugs


def _bad_check_character(number: str) -> str:
    return number[:17] + next(c for c in "0123456789X" if c != number[17])


def test_a_correction_cannot_give_a_lead_an_invalid_id_number() -> None:
    bad = _bad_check_character(id_number(90))
    assert not valid_id_number(bad)
    decision = correct({"lead.id_number": bad})
    lead = construction_lead(decision.states.get(PROJECT, trail()))
    assert valid_id_number(lead.id_number)
    assert outcome(decision) in ("correction.invalid", "identity.bad_id_number")


def test_a_sealed_correction_of_a_handover_time_moves_the_handover() -> None:
    t2, t3 = T0 + 10 * DAY, T0 + 12 * DAY
    change = lead_change(
        PROJECT, "construction", "乙", id_number(77), at=t2, event_id="evt-corr-lc-time"
    )
    fix = correction(PROJECT, "evt-corr-lc-time", {"effective_at": t3.isoformat()}, at=t3 + DAY)
    decision = decide_envelopes([change, fix], trail(), referenced=_trail()[1])
    if len(decision.sealed) == 2:  # the correction was accepted: the ledger must follow it
        party = decision.states[PROJECT].parties["construction"]
        in_office = party.lead_at(t2 + dt.timedelta(days=1))
        assert in_office is not None and in_office.name == LEADS["construction"]["name"]
        assert party.leads[1].start == t3


# ----------------------------------------------------------------------------- registration


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"lead.registration_number": None}, "party.registration_missing"),
        ({"lead.registration_number": "无"}, "party.registration_placeholder"),
        ({"lead.qualification": None}, "party.qualification_missing"),
        ({"lead.qualification": "注册监理工程师"}, "party.qualification_mismatch"),
    ],
    ids=["blank-number", "placeholder-number", "blank-qualification", "other-roles-title"],
)
def test_a_correction_cannot_blank_a_construction_leads_registration(
    changes: dict[str, Any], code: str
) -> None:
    decision = correct(changes)
    assert outcome(decision) == code
    (path,) = changes
    assert path in decision.rejected[0].rejection.message_en
    assert construction_lead(decision.states.get(PROJECT, trail())) == construction_lead(trail())


@pytest.mark.parametrize(
    "changes",
    [{"new_lead.registration_number": None}, {"new_lead.qualification": "一级注册建造师"}],
    ids=["blank-number", "constructors-title"],
)
def test_a_correction_of_a_supervision_lead_change_keeps_the_registration(
    changes: dict[str, Any],
) -> None:
    change = lead_change(
        PROJECT, "supervision", "乙", id_number(78), at=T0 + 3 * DAY, event_id="evt-corr-lc-s"
    )
    fix = correction(PROJECT, "evt-corr-lc-s", changes, at=AT)
    decision = decide_envelopes([change, fix], trail(), referenced=_trail()[1])
    assert [r.event_id for r in decision.sealed] == ["evt-corr-lc-s"]
    assert decision.rejected[0].rejection.code.startswith("party.")
    new_lead = decision.states[PROJECT].parties["supervision"].leads[-1]
    assert new_lead.registration_number and new_lead.qualification == "注册监理工程师"


def test_a_correction_to_another_registration_number_is_accepted() -> None:
    decision = correct({"lead.registration_number": "苏132000777"})
    assert outcome(decision) is None
    assert construction_lead(decision.states[PROJECT]).registration_number == "苏132000777"


def _unregistered() -> dict[str, ReferencedRecord]:
    """The trail's construction appointment as a chain sealed before the rule would hold it."""
    referenced = dict(_trail()[1])
    old = referenced[APPOINT_C]
    lead = {k: v for k, v in old.data["lead"].items() if k not in LEAD_REGISTRATION}
    referenced[APPOINT_C] = replace(old, data={**old.data, "lead": lead})
    return referenced


@pytest.mark.parametrize(
    "changes",
    [
        {"lead.name": "更正"},
        {"lead.registration_number": "苏132000001", "lead.qualification": "一级注册建造师"},
    ],
    ids=["name-only", "supplying-the-registration"],
)
def test_an_appointment_sealed_before_the_rule_is_still_corrected(changes: dict[str, Any]) -> None:
    data = RecordCorrected(corrects_event_id=APPOINT_C, reason="笔误", changes=changes)
    assert check_correction(PROJECT, OWNER, data, OWNER, _unregistered()) is None


def test_a_change_may_add_an_optional_field_the_original_left_out_only_when_allowed() -> None:
    original = {"lead": {"name": "甲"}}
    added = apply_changes(original, {"lead.qualification": "一级"}, may_add={"lead.qualification"})
    assert added == {"lead": {"name": "甲", "qualification": "一级"}}
    with pytest.raises(KeyError):
        apply_changes(original, {"lead.qualification": "一级"}, may_add={"lead.name"})
