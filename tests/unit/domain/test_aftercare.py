"""The lifelong half: defects under warranty, their repair and confirmation, overdue repairs and
their alerts, complaints, accidents from grading to closure, findings of responsibility (追责).

Every rule is tested by the recorder's own path (read_submission → decide_batch) from states
holding completed buildings (``tests/support/aftercare.py``), attackers included: a builder
"repairing" a defect nobody filed, a party confirming its own repair, a grade understating the
casualties, a public report filed by the builder, a finding naming a lead who was not in charge.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping
from typing import Any

import pytest

from events.aftercare import RepairOverdue
from services.domain import aftercare
from services.domain.context import Context
from services.domain.history import Change, changes
from services.domain.ledger import AccidentStatus
from services.domain.project import fold
from services.domain.recording import BatchDecision, decide_batch, decide_overdue
from services.domain.state import DefectStatus, ProjectState, Severity
from tests.support.aftercare import (
    ACCEPTED_ON,
    REPAIR_DAYS,
    accident_closed,
    accident_graded,
    accident_investigated,
    building,
    complaint_handled,
    complaint_lodged,
    defect_repaired,
    defect_reported,
    noon,
    repair_confirmed,
    responsibility_found,
    with_buildings,
)
from tests.support.events import (
    CONSTRUCTION,
    LEADS,
    ORGS,
    OWNER,
    STATION,
    SUPERVISION,
    T0,
    accident,
    alert_resolved,
    appointment,
    commitment,
    id_number,
    lead_change,
    opened,
    org_code,
    staffed,
)
from tests.unit.domain.builders import item, nc_raised

UTC = dt.UTC
DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)
P = "XZ-LIFE-001"
LATER = dt.datetime(2035, 1, 1, tzinfo=UTC)
"""The recorder's clock: after every fact these tests date (warranties run for years)."""
REPORTED_ON = dt.date(2026, 2, 10)
DUE = REPORTED_ON + dt.timedelta(days=REPAIR_DAYS)


def run(
    state: ProjectState | None, *envelopes: Mapping[str, Any], now: dt.datetime = LATER
) -> BatchDecision:
    states = {state.project_id: state} if state is not None else {}
    return decide_batch([item(e) for e in envelopes], states, {}, now)


def then(state: ProjectState, *envelopes: Mapping[str, Any]) -> ProjectState:
    decision = run(state, *envelopes)
    assert [(r.event_id, r.rejection.code) for r in decision.rejected] == []
    return decision.states[state.project_id]


def refused(state: ProjectState, envelope: Mapping[str, Any]) -> str | None:
    """The reason code of ``envelope`` on ``state``; None when it seals."""
    decision = run(state, envelope)
    if not decision.rejected:
        return None
    (rejected,) = decision.rejected
    said = rejected.rejection
    assert said.message_zh.strip() and said.message_en.strip()
    assert "{" not in said.message_zh + said.message_en  # every placeholder filled
    return said.code


def message(state: ProjectState, envelope: Mapping[str, Any]) -> str:
    (rejected,) = run(state, envelope).rejected
    return rejected.rejection.message_en + " / " + rejected.rejection.message_zh


@functools.cache
def staffed_state(project: str = P) -> ProjectState:
    decision = run(None, *staffed(project))
    assert decision.rejected == []
    return decision.states[project]


@functools.cache
def base(project: str = P) -> ProjectState:
    """Five parties; building B1 accepted on ACCEPTED_ON with its certificate, B2 not yet."""
    return with_buildings(staffed_state(project), building("B1"), building("B2", accepted_on=None))


@functools.cache
def reported(project: str = P) -> ProjectState:
    """Defect D-1 (waterproofing, dwelling 1-0101) reported on REPORTED_ON: due on DUE."""
    return then(base(project), defect_reported(project, "D-1", reported_on=REPORTED_ON))


# ----------------------------------------------------------------------------- defects reported


def test_a_defect_in_a_completed_building_is_in_warranty_with_its_repair_due() -> None:
    defect = reported().defects["D-1"]
    assert defect.in_warranty and defect.status is DefectStatus.OPEN
    assert defect.repair_due == DUE  # reported_on + the certificate's 15 calendar days
    assert defect.warranty_ends == dt.date(2031, 1, 31)  # 5 years from acceptance, less a day
    assert defect.unit_id == "B1" and defect.dwelling == "1-0101" and defect.reported_by == "owner"


@pytest.mark.parametrize(
    ("envelope", "code"),
    [
        (defect_reported(P, "D-9", unit="B7"), "acceptance.unknown_unit"),
        (defect_reported(P, "D-9", unit="B2"), "warranty.unit_not_completed"),
        (
            defect_reported(P, "D-9", reported_on=ACCEPTED_ON - DAY),
            "aftercare.date_before",
        ),
        (
            defect_reported(
                P, "D-9", reported_on=dt.date(2026, 3, 5), at=noon(dt.date(2026, 3, 4))
            ),
            "aftercare.date_after_event",
        ),
        (defect_reported(P, "D-9", dwelling="9-9999"), "warranty.unknown_dwelling"),
        (defect_reported(P, "D-1"), "aftercare.duplicate_id"),
        (defect_reported(P, "D-9", org=SUPERVISION, role="supervision"), None),
        (defect_reported(P, "D-9", dwelling=None), None),
    ],
    ids=[
        "unknown building",
        "building not accepted",
        "before acceptance",
        "dated after the fact",
        "unknown dwelling",
        "duplicate id",
        "a party reports",
        "no dwelling",
    ],
)
def test_what_a_defect_report_needs(envelope: dict[str, Any], code: str | None) -> None:
    assert refused(reported(), envelope) == code


def test_a_public_report_is_filed_by_the_owner_once_and_never_by_the_builder() -> None:
    public = defect_reported(P, "D-2", source="public", public_report="PR-0007")
    state = then(reported(), public)
    assert (
        state.defects["D-2"].source == "public" and state.defects["D-2"].public_report == "PR-0007"
    )
    again = defect_reported(P, "D-3", source="public", public_report="PR-0007")
    assert refused(state, again) == "warranty.public_report_reused"
    # The attacker: the construction party files a "public" report, as if an owner had verified it.
    builder = defect_reported(
        P, "D-4", source="public", public_report="PR-0008", org=CONSTRUCTION, role="construction"
    )
    assert refused(state, builder) == "warranty.public_not_owner"
    assert "construction" in message(state, builder)


@pytest.mark.parametrize(
    ("part", "reported_on", "in_warranty", "ends"),
    [
        ("electrical_plumbing", dt.date(2028, 1, 31), True, dt.date(2028, 1, 31)),
        ("electrical_plumbing", dt.date(2028, 2, 1), False, dt.date(2028, 1, 31)),
        ("heating_cooling", dt.date(2028, 2, 1), False, dt.date(2028, 1, 31)),
        ("waterproofing", dt.date(2031, 1, 31), True, dt.date(2031, 1, 31)),
        ("waterproofing", dt.date(2031, 2, 1), False, dt.date(2031, 1, 31)),
        # The foundations and structure: the design life (50 years, from the registration).
        ("foundation_structure", dt.date(2034, 12, 1), True, dt.date(2076, 1, 31)),
    ],
)
def test_warranty_per_part_from_acceptance(
    part: str, reported_on: dt.date, in_warranty: bool, ends: dt.date
) -> None:
    state = then(base(), defect_reported(P, "D-7", part=part, reported_on=reported_on))
    defect = state.defects["D-7"]
    assert defect.in_warranty is in_warranty and defect.warranty_ends == ends
    assert defect.repair_due == (
        reported_on + dt.timedelta(days=REPAIR_DAYS) if in_warranty else None
    )


def test_reported_out_of_warranty_is_recorded_with_no_repair_owed_and_never_overdue() -> None:
    late = dt.date(2028, 6, 1)  # decoration: 2 years, ended 2028-01-31
    state = then(base(), defect_reported(P, "D-8", part="decoration", reported_on=late))
    defect = state.defects["D-8"]
    assert not defect.in_warranty and defect.repair_due is None
    assert aftercare.overdue(state, dt.date(2034, 1, 1)) == []
    assert decide_overdue({P: state}, LATER).sealed == []


def test_a_certificate_longer_than_the_statute_is_kept_and_a_shorter_one_is_not() -> None:
    longer = with_buildings(staffed_state(), building(terms={"waterproofing": 8, "decoration": 1}))
    state = then(longer, defect_reported(P, "D-5", reported_on=dt.date(2033, 1, 1)))
    assert state.defects["D-5"].in_warranty  # 8 years agreed
    state = then(
        longer,
        defect_reported(P, "D-6", part="decoration", reported_on=dt.date(2027, 6, 1)),
    )
    assert state.defects["D-6"].warranty_ends == dt.date(2028, 1, 31)  # the statute's 2 years


def test_a_building_without_a_certificate_on_the_chain_has_no_due_date() -> None:
    bare = with_buildings(staffed_state(), building(repair_days=None))
    state = then(bare, defect_reported(P, "D-5", reported_on=REPORTED_ON))
    assert state.defects["D-5"].in_warranty and state.defects["D-5"].repair_due is None


# ----------------------------------------------------------------------------- repair and confirmation


def test_a_repair_then_a_confirmation_close_the_defect() -> None:
    state = then(reported(), defect_repaired(P, "D-1", repaired_on=REPORTED_ON + 5 * DAY))
    defect = state.defects["D-1"]
    assert defect.status is DefectStatus.REPAIRED and defect.repaired_by == CONSTRUCTION
    state = then(state, repair_confirmed(P, "D-1", confirmed_on=REPORTED_ON + 7 * DAY))
    defect = state.defects["D-1"]
    assert defect.status is DefectStatus.CONFIRMED
    assert defect.confirmed_on == REPORTED_ON + 7 * DAY and len(defect.steps) == 2


def test_a_builder_cannot_repair_a_defect_nobody_filed_nor_one_of_another_project() -> None:
    assert refused(reported(), defect_repaired(P, "D-404")) == "warranty.unknown_defect"
    other = "XZ-LIFE-002"
    assert "D-1" in reported(other).defects
    # D-1 exists in XZ-LIFE-002 only: the repair is submitted for this project's chain.
    assert refused(base(), defect_repaired(P, "D-1")) == "warranty.unknown_defect"


@pytest.mark.parametrize(
    ("envelope", "code"),
    [
        (defect_repaired(P, "D-1", repaired_on=REPORTED_ON - DAY), "aftercare.date_before"),
        (
            defect_repaired(
                P, "D-1", repaired_on=REPORTED_ON + 3 * DAY, at=noon(REPORTED_ON + DAY)
            ),
            "aftercare.date_after_event",
        ),
        (defect_repaired(P, "D-1", org=OWNER, role="owner"), "auth.role_not_allowed"),
        (defect_repaired(P, "D-1", repaired_on=REPORTED_ON), None),
    ],
    ids=["before the report", "dated after the fact", "not the builder", "same day"],
)
def test_what_a_repair_needs(envelope: dict[str, Any], code: str | None) -> None:
    assert refused(reported(), envelope) == code


def test_only_an_open_defect_is_repaired_and_only_a_repaired_one_confirmed() -> None:
    assert refused(reported(), repair_confirmed(P, "D-1")) == "warranty.defect_status"
    repaired = then(reported(), defect_repaired(P, "D-1"))
    assert refused(repaired, defect_repaired(P, "D-1", repaired_on=REPORTED_ON + 12 * DAY)) == (
        "warranty.defect_status"
    )
    confirmed = then(repaired, repair_confirmed(P, "D-1"))
    assert refused(confirmed, repair_confirmed(P, "D-1", confirmed_on=REPORTED_ON + 20 * DAY)) == (
        "warranty.defect_status"
    )
    assert refused(repaired, repair_confirmed(P, "D-1", confirmed_on=REPORTED_ON + 9 * DAY)) == (
        "aftercare.date_before"  # the repair was on REPORTED_ON + 10 days
    )


def test_a_party_never_confirms_its_own_repair() -> None:
    # The builder may not confirm at all (the matrix: the owner records the reporter's answer)...
    repaired = then(reported(), defect_repaired(P, "D-1"))
    builder = repair_confirmed(P, "D-1", org=CONSTRUCTION, role="construction")
    assert refused(repaired, builder) == "auth.role_not_allowed"
    # ...and an owner that builds its own building may not confirm the repair it reported.
    project = "XZ-LIFE-SELF"
    events = [*opened(project)]
    events += [appointment(project, r) for r in ORGS if r != "construction"]
    events.append(appointment(project, "construction", org=OWNER))
    state = with_buildings(run(None, *events).states[project], building())
    state = then(state, defect_reported(project, "D-1", reported_on=REPORTED_ON))
    state = then(state, defect_repaired(project, "D-1", org=OWNER))
    own = repair_confirmed(project, "D-1", org=OWNER)
    assert refused(state, own) == "warranty.own_repair"


def test_a_disputed_repair_opens_the_defect_again_with_a_new_due_date() -> None:
    repaired = then(reported(), defect_repaired(P, "D-1"))
    disputed_on = REPORTED_ON + 12 * DAY
    state = then(repaired, repair_confirmed(P, "D-1", confirmed_on=disputed_on, accepted=False))
    defect = state.defects["D-1"]
    assert defect.status is DefectStatus.OPEN and defect.reopened_on == disputed_on
    assert defect.repair_due == disputed_on + dt.timedelta(days=REPAIR_DAYS)
    assert refused(state, defect_repaired(P, "D-1", repaired_on=disputed_on - DAY)) == (
        "aftercare.date_before"
    )
    state = then(state, defect_repaired(P, "D-1", repaired_on=disputed_on + 3 * DAY))
    assert state.defects["D-1"].status is DefectStatus.REPAIRED


# ----------------------------------------------------------------------------- overdue repairs


def test_overdue_is_an_open_repair_in_warranty_past_its_due_date() -> None:
    state = reported()
    assert aftercare.overdue(state, DUE) == []  # the due day itself is still in time
    assert [d.defect_id for d in aftercare.overdue(state, DUE + DAY)] == ["D-1"]
    repaired = then(state, defect_repaired(P, "D-1"))
    assert aftercare.overdue(repaired, DUE + 30 * DAY) == []


def test_the_sweep_seals_an_overdue_repair_once_and_the_repair_resolves_its_alert() -> None:
    swept_at = noon(DUE + 2 * DAY)
    decision = decide_overdue({P: reported()}, swept_at)
    (record,) = decision.sealed
    assert record.type == RepairOverdue.event_type and record.body["actor"]["role"] == "system"
    assert record.body["data"] == {
        "defect_id": "D-1",
        "unit_id": "B1",
        "repair_due": DUE.isoformat(),
        "as_of": (DUE + 2 * DAY).isoformat(),
    }
    again = decide_overdue({P: reported()}, swept_at)
    assert again.sealed[0].event_id == record.event_id  # deterministic: sealed once
    state = decision.states[P]
    (raised,) = [a for _, a in decision.alerts]
    assert raised.alert_id == f"repair_overdue:D-1:{DUE}" and raised.severity is Severity.WARNING
    assert not raised.blocking and raised.closes_with == "qtrail.warranty.defect_repaired"
    assert "房屋建筑工程质量保修办法" in raised.message_zh and "D-1" in raised.message_en
    assert state.defects["D-1"].overdue is not None
    assert decide_overdue({P: state}, swept_at + 10 * DAY).sealed == []  # flagged already

    # Only the repair closes it: a written resolution is refused.
    assert refused(state, alert_resolved(P, raised.alert_id, at=swept_at + HOUR)) == (
        "alert.closes_with_fact"
    )
    repaired = then(state, defect_repaired(P, "D-1", repaired_on=DUE + 4 * DAY))
    alert = repaired.alerts[raised.alert_id]
    assert alert.resolved_by is not None and "4 day(s) after the due date" in (
        alert.resolution or ""
    )


def test_a_disputed_repair_that_goes_overdue_again_raises_a_new_alert() -> None:
    first = decide_overdue({P: reported()}, noon(DUE + 2 * DAY)).states[P]
    state = then(first, defect_repaired(P, "D-1", repaired_on=DUE + 3 * DAY))
    disputed_on = DUE + 5 * DAY
    state = then(state, repair_confirmed(P, "D-1", confirmed_on=disputed_on, accepted=False))
    new_due = disputed_on + dt.timedelta(days=REPAIR_DAYS)
    decision = decide_overdue({P: state}, noon(new_due + DAY))
    (raised,) = [a for _, a in decision.alerts]
    assert raised.alert_id == f"repair_overdue:D-1:{new_due}"
    assert len([a for a in decision.states[P].alerts.values() if a.kind == "repair_overdue"]) == 2


def test_the_overdue_fact_is_refused_unless_it_is_true() -> None:
    rule = aftercare.rule_repair_overdue
    ctx = Context({}, {})
    early = RepairOverdue(defect_id="D-1", unit_id="B1", repair_due=DUE, as_of=DUE)
    assert rule(reported(), early, None, ctx).code == "warranty.not_overdue"  # type: ignore[arg-type,union-attr]
    ghost = RepairOverdue(defect_id="D-9", unit_id="B1", repair_due=DUE, as_of=DUE + DAY)
    assert rule(reported(), ghost, None, ctx).code == "warranty.unknown_defect"  # type: ignore[arg-type,union-attr]
    due = RepairOverdue(defect_id="D-1", unit_id="B1", repair_due=DUE, as_of=DUE + DAY)
    assert rule(reported(), due, None, ctx) is None  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- complaints


def test_a_complaint_is_lodged_once_and_handled_once_by_its_lodger_or_the_regulator() -> None:
    state = then(base(), complaint_lodged(P, "C-1"))
    complaint = state.complaints["C-1"]
    assert complaint.lodged_by_role == "owner" and complaint.unit_id == "B1"
    assert refused(state, complaint_lodged(P, "C-1")) == "aftercare.duplicate_id"
    handled = then(state, complaint_handled(P, "C-1"))
    assert handled.complaints["C-1"].outcome == "upheld"
    assert refused(handled, complaint_handled(P, "C-1", handled_on=dt.date(2026, 3, 11))) == (
        "aftercare.complaint_already_handled"
    )
    by_station = then(state, complaint_handled(P, "C-1", org=STATION, role="regulator"))
    assert by_station.complaints["C-1"].handled_by_role == "regulator"


@pytest.mark.parametrize(
    ("envelope", "code"),
    [
        (complaint_lodged(P, "C-2", unit="B7"), "acceptance.unknown_unit"),
        (complaint_lodged(P, "C-2", unit="B2"), None),  # registered, not yet accepted
        (complaint_lodged(P, "C-2", unit=None, against=None), None),
        (complaint_lodged(P, "C-2", org=STATION, role="regulator"), None),
        (
            complaint_lodged(P, "C-2", org=CONSTRUCTION, role="construction"),
            "auth.role_not_allowed",
        ),
        (
            complaint_lodged(
                P, "C-2", received_on=dt.date(2026, 3, 9), at=noon(dt.date(2026, 3, 8))
            ),
            "aftercare.date_after_event",
        ),
    ],
)
def test_what_a_complaint_needs(envelope: dict[str, Any], code: str | None) -> None:
    assert refused(base(), envelope) == code


def test_a_complaint_is_handled_by_no_one_else() -> None:
    assert refused(base(), complaint_handled(P, "C-404")) == "aftercare.unknown_complaint"
    lodged_by_station = then(base(), complaint_lodged(P, "C-3", org=STATION, role="regulator"))
    assert refused(lodged_by_station, complaint_handled(P, "C-3")) == (
        "aftercare.complaint_not_yours"
    )
    the_station = complaint_handled(P, "C-3", org=STATION, role="regulator")
    assert refused(lodged_by_station, the_station) is None
    # only the station the registration names acts on the project
    another_station = complaint_handled(P, "C-3", org=org_code(151), role="regulator")
    assert refused(lodged_by_station, another_station) == "auth.not_a_party"
    state = then(base(), complaint_lodged(P, "C-4"))
    assert refused(state, complaint_handled(P, "C-4", handled_on=dt.date(2026, 2, 28))) == (
        "aftercare.date_before"
    )


# ----------------------------------------------------------------------------- accidents

HAPPENED = T0 + 20 * DAY


@functools.cache
def with_accident() -> ProjectState:
    return then(staffed_state(), accident(P, "A-1", at=HAPPENED))


def graded(**kw: Any) -> dict[str, Any]:
    kw.setdefault("reported_at", HAPPENED + 40 * dt.timedelta(minutes=1))
    return accident_graded(P, "A-1", **kw)


@pytest.mark.parametrize(
    ("figures", "grade"),
    [
        ({"deaths": 12}, "serious"),
        ({"deaths": 3}, "larger"),
        ({"deaths": 2}, "ordinary"),
        ({"injuries": 10}, "larger"),
        ({"injuries": 9}, "ordinary"),
        ({"injuries": 100}, "especially_serious"),
        ({"loss": 1_000_000.0}, "ordinary"),
        ({"loss": 49_999_999.0}, "larger"),
        ({"loss": 100_000_000.0}, "especially_serious"),
        ({"deaths": 1, "injuries": 60, "loss": 2_000_000.0}, "serious"),  # the highest reached
    ],
)
def test_the_grade_follows_the_figures(figures: dict[str, Any], grade: str) -> None:
    state = then(with_accident(), graded(grade=grade, **figures))
    accident_state = state.accidents["A-1"]
    assert accident_state.grade == grade and accident_state.status is AccidentStatus.GRADED
    others = {"especially_serious", "serious", "larger", "ordinary"} - {grade}
    for other in others:
        assert refused(with_accident(), graded(grade=other, **figures)) == "accident.grade_mismatch"


def test_a_grade_understating_the_casualties_is_refused_naming_the_right_one() -> None:
    understated = graded(grade="larger", deaths=12, injuries=4)
    assert refused(with_accident(), understated) == "accident.grade_mismatch"
    said = message(with_accident(), understated)
    assert "serious accident" in said and "重大事故" in said and "12 death(s)" in said


def test_figures_below_every_grade_are_a_quality_problem_not_an_accident() -> None:
    small = graded(grade="ordinary", loss=999_999.0)
    assert refused(with_accident(), small) == "accident.below_grades"
    assert "nonconformance" in message(with_accident(), small)


def test_an_accident_goes_reported_graded_investigated_closed_in_order() -> None:
    concluded, closed_on = (HAPPENED + 30 * DAY).date(), (HAPPENED + 40 * DAY).date()
    assert refused(staffed_state(), graded(grade="ordinary", deaths=1)) == "accident.unknown"
    investigate = accident_investigated(P, "A-1", concluded_on=concluded)
    close = accident_closed(P, "A-1", closed_on=closed_on)
    assert refused(with_accident(), investigate) == "accident.wrong_status"
    assert refused(with_accident(), close) == "accident.wrong_status"
    state = then(with_accident(), graded(grade="ordinary", deaths=1))
    assert refused(state, graded(grade="ordinary", deaths=1)) == "accident.wrong_status"
    assert refused(state, close) == "accident.wrong_status"
    state = then(state, investigate)
    assert state.accidents["A-1"].cause and state.accidents["A-1"].concluded_on == concluded
    assert refused(state, accident_closed(P, "A-1", closed_on=concluded - DAY)) == (
        "aftercare.date_before"
    )
    state = then(state, close)
    assert state.accidents["A-1"].status is AccidentStatus.CLOSED
    assert refused(state, close) == "accident.wrong_status"


def test_only_the_regulator_grades_investigates_and_closes() -> None:
    for org, role in [
        (OWNER, "owner"),
        (SUPERVISION, "supervision"),
        (CONSTRUCTION, "construction"),
    ]:
        party = graded(grade="ordinary", deaths=1, org=org, role=role)
        assert refused(with_accident(), party) == "auth.role_not_allowed"


def test_a_report_to_the_authority_later_than_an_hour_raises_a_critical_alert() -> None:
    on_time = then(with_accident(), graded(grade="ordinary", deaths=1, reported_at=HAPPENED + HOUR))
    assert on_time.alerts == {}
    late = graded(
        grade="ordinary", deaths=1, reported_at=HAPPENED + 2 * HOUR + 5 * dt.timedelta(minutes=1)
    )
    decision = run(with_accident(), late)
    (alert,) = [a for _, a in decision.alerts]
    assert alert.kind == "accident_reported_late" and alert.severity is Severity.CRITICAL
    assert not alert.blocking and "2 h 05 min" in alert.message_en
    assert "建质〔2010〕111号" in alert.message_en and "1小时内" in alert.message_zh
    state = decision.states[P]
    assert refused(state, alert_resolved(P, alert.alert_id, at=HAPPENED + 2 * DAY)) == (
        "alert.closes_with_fact"
    )
    state = then(state, accident_investigated(P, "A-1", concluded_on=(HAPPENED + 5 * DAY).date()))
    state = then(state, accident_closed(P, "A-1", closed_on=(HAPPENED + 6 * DAY).date()))
    assert state.alerts[alert.alert_id].resolved_by == state.accidents["A-1"].closed


def test_the_report_to_the_authority_comes_after_the_accident() -> None:
    before = graded(grade="ordinary", deaths=1, reported_at=HAPPENED - HOUR)
    assert refused(with_accident(), before) == "aftercare.date_before"


# ----------------------------------------------------------------------------- findings (追责)

LI, CHEN = id_number(70), id_number(71)
HANDOVER = T0 + 30 * DAY


@functools.cache
def led() -> ProjectState:
    """Construction led by 李振华 from T0 + 1 day, by 陈志强 from HANDOVER; an accident, a
    nonconformance, a complaint and a defect to relate findings to."""
    project_events = [*opened(P)]
    for role in ORGS:
        lead = {"name": "李振华", "id_number": LI} if role == "construction" else LEADS[role]
        project_events.append(appointment(P, role, lead=lead))
    project_events += [
        commitment(P, "construction", LI, at=T0 + DAY + HOUR),
        lead_change(P, "construction", "陈志强", CHEN, at=HANDOVER),
        accident(P, "A-1", at=T0 + 10 * DAY),
        nc_raised(P, "NC-1", at=T0 + 11 * DAY),
    ]
    decision = run(None, *project_events)
    assert decision.rejected == []
    state = with_buildings(decision.states[P], building())
    return then(
        state, complaint_lodged(P, "C-1"), defect_reported(P, "D-1", reported_on=REPORTED_ON)
    )


def test_a_finding_names_the_lead_who_led_when_the_work_was_done() -> None:
    found = responsibility_found(
        P,
        "F-1",
        lead_id_number=LI,
        work_done_at=T0 + 10 * DAY,
        relates_to=["A-1", "NC-1", "C-1", "D-1"],
    )
    state = then(led(), found)
    finding = state.findings["F-1"]
    assert finding.lead_name == "李振华" and finding.lead_end == HANDOVER
    assert finding.org_code == ORGS["construction"] and finding.found_by == STATION
    later = responsibility_found(P, "F-2", lead_id_number=CHEN, work_done_at=HANDOVER + DAY)
    assert then(led(), later).findings["F-2"].lead_name == "陈志强"


def test_a_finding_naming_a_lead_not_in_charge_then_is_refused_naming_who_was() -> None:
    wrong = responsibility_found(P, "F-1", lead_id_number=CHEN, work_done_at=T0 + 10 * DAY)
    assert refused(led(), wrong) == "finding.wrong_lead"
    said = message(led(), wrong)
    assert "李振华" in said and CHEN not in said and LI not in said  # no ID number in the answer
    after = responsibility_found(P, "F-1", lead_id_number=LI, work_done_at=HANDOVER + HOUR)
    assert "陈志强" in message(led(), after)


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"work_done_at": T0 + HOUR}, "finding.no_lead_then"),  # before the appointment
        ({"relates_to": ["A-404"]}, "finding.unknown_related"),
        ({"lead_id_number": LI[:-1] + ("0" if LI[-1] != "0" else "1")}, "identity.bad_id_number"),
        ({"role_found": "survey", "lead_id_number": LEADS["survey"]["id_number"]}, None),
        (
            {"decided_on": (T0 + 9 * DAY).date(), "at": T0 + 20 * DAY},
            "aftercare.date_before",
        ),
        ({"at": T0 + 9 * DAY}, "aftercare.date_after_event"),  # work after the finding
    ],
)
def test_what_a_finding_needs(kw: dict[str, Any], code: str | None) -> None:
    kw = {"lead_id_number": LI, "work_done_at": T0 + 10 * DAY, **kw}
    assert refused(led(), responsibility_found(P, "F-1", **kw)) == code


def test_a_finding_about_a_party_never_appointed_or_found_twice_is_refused() -> None:
    project = "XZ-LIFE-NOSURVEY"
    state = run(None, *opened(project), appointment(project, "construction")).states[project]
    nobody = responsibility_found(
        project, "F-1", role_found="survey", lead_id_number=LI, work_done_at=T0 + 10 * DAY
    )
    assert refused(state, nobody) == "finding.no_party"
    state = then(
        led(), responsibility_found(P, "F-1", lead_id_number=LI, work_done_at=T0 + 10 * DAY)
    )
    again = responsibility_found(P, "F-1", lead_id_number=LI, work_done_at=T0 + 12 * DAY)
    assert refused(state, again) == "aftercare.duplicate_id"


def test_only_the_regulator_finds_responsibility() -> None:
    owner = responsibility_found(
        P, "F-1", lead_id_number=LI, work_done_at=T0 + 10 * DAY, org=OWNER, role="owner"
    )
    assert refused(led(), owner) == "auth.role_not_allowed"


# ----------------------------------------------------------------------------- the regulator's replay


def test_every_lifelong_fact_reads_as_a_sentence_without_an_id_number() -> None:
    concluded = (T0 + 40 * DAY).date()
    envelopes = [
        defect_reported(
            P, "D-2", reported_on=REPORTED_ON + DAY, source="public", public_report="PR-1"
        ),
        defect_repaired(P, "D-2", repaired_on=REPORTED_ON + 3 * DAY),
        repair_confirmed(P, "D-2", confirmed_on=REPORTED_ON + 4 * DAY, accepted=False),
        defect_repaired(P, "D-2", repaired_on=REPORTED_ON + 6 * DAY),
        repair_confirmed(P, "D-2", confirmed_on=REPORTED_ON + 7 * DAY),
        complaint_handled(P, "C-1"),
        accident_graded(P, "A-1", grade="larger", deaths=3, reported_at=T0 + 10 * DAY + 3 * HOUR),
        accident_investigated(P, "A-1", concluded_on=concluded),
        accident_closed(P, "A-1", closed_on=concluded + DAY),
        responsibility_found(
            P, "F-1", lead_id_number=LI, work_done_at=T0 + 10 * DAY, relates_to=["A-1"]
        ),
    ]
    decision = run(led(), *envelopes)
    assert decision.rejected == []
    swept = decide_overdue({P: reported()}, noon(DUE + 2 * DAY))
    records = [*decision.sealed]
    # What the regulator's step-through says of each record: ``changes`` before and after it.
    said: list[Change] = []
    state = led()
    for record in records:
        after = fold(state, record)
        said += changes(state, after)
        state = after
    said += changes(reported(), swept.states[P])
    text = "\n".join(change.en for change in said)
    text_zh = "\n".join(change.zh for change in said)
    for expected in [
        "defect D-2 reported in building B1, dwelling 1-0101 (waterproofing, public report PR-1) by the owner: in warranty until 2031-01-31, repair due",
        "defect D-2 repaired on 2026-02-13",
        "defect D-2: repair disputed on 2026-02-14, open again, repair due 2026-03-01",
        "defect D-2: repair confirmed on 2026-02-17",
        "complaint C-1 handled by the owner on 2026-03-10: upheld",
        "accident A-1 graded larger accident (较大事故): 3 death(s)",
        "alert (critical): accident A-1 happened at",
        "accident A-1 investigated",
        "accident A-1 closed on",
        "alert resolved: accident A-1 happened",
        "finding F-1: construction 单位有限公司 (construction) and its lead 李振华, in office 2026-01-02 – 2026-01-31, found responsible for",
        "defect D-1: repair overdue (due 2026-02-25)",
        "alert (warning): building B1, defect D-1",
    ]:
        assert expected in text, f"{expected!r} not in:\n{text}"
    for expected in [
        "缺陷 D-2 报修，单位工程 B1，1-0101 户（waterproofing，公众报修 PR-1），报修方建设单位："
        "保修期至 2031-01-31，应于",
        "缺陷 D-2 已于 2026-02-13 修复",
        "缺陷 D-2：2026-02-14 对维修提出异议，重新打开，应于 2026-03-01 前修复",
        "缺陷 D-2：2026-02-17 确认修复",
        "投诉 C-1 由建设单位于 2026-03-10 处理：投诉成立",
        "质量事故 A-1 定为较大事故：死亡 3 人",
        "预警（严重）：",
        "质量事故 A-1 调查结论",
        "质量事故 A-1 于",
        "预警已处理：",
        "追责 F-1：construction 单位有限公司（施工单位）及其项目负责人 李振华（任职 2026-01-02 – "
        "2026-01-31）对",
        "缺陷 D-1：维修逾期（应于 2026-02-25 前修复）",
    ]:
        assert expected in text_zh, f"{expected!r} not in:\n{text_zh}"
    assert not re.search(r"\d{17}[\dX]", text + text_zh)
    # The complaint and the first defect of led() read as such too.
    first_changes = changes(with_buildings(staffed_state(), building()), led())
    first = "\n".join(change.en for change in first_changes)
    assert "投诉 C-1 由建设单位登记，涉及单位工程 B1，针对施工单位" in "\n".join(
        change.zh for change in first_changes
    )
    assert (
        "complaint C-1 lodged by the owner about building B1, against the construction party"
        in first
    )
