"""The supervision station's acts: acknowledging commitments, inspections, rectification notices
through their rounds, stop-work orders, its attendance at completion acceptance, and the
completion filing and archive handover that completion opens, with their deadlines and alerts.

Every state is folded from sealed records through the recorder's own path (read_submission →
decide_batch → fold); the sweep is the recorder's own (``decide_overdue``). Attackers included:
a station that is not the project's, a party acting as the station, a party answering a notice
addressed to another, an order lifted twice, a building filed twice.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from typing import Any

import pydantic
import pytest

from events.supervision import WorkStopped
from services.domain import filing
from services.domain.recording import BatchDecision, decide_batch, decide_overdue
from services.domain.state import Alert, ProjectState, RectificationStatus, Severity
from services.domain.supervision import (
    MISSED_KIND,
    RECTIFICATION_KIND,
    STOP_WORK_KIND,
    rectification_alert_id,
    stop_alert_id,
)
from tests.support.aftercare import noon
from tests.support.events import (
    CONSTRUCTION,
    DESIGN,
    LEADS,
    OWNER,
    STATION,
    T0,
    accepted_unit,
    completion,
    id_number,
    lead_change,
    opened,
    org_code,
    staffed,
)
from tests.support.supervision import (
    acknowledged,
    archive_transferred,
    attended,
    completion_filed,
    inspection,
    ordered,
    rectification_reported,
    resumed,
    stopped,
    verified,
)
from tests.unit.domain.builders import acting, item

UTC = dt.UTC
DAY = dt.timedelta(days=1)
P = "XZ-SUP-001"
LATER = dt.datetime(2027, 6, 1, tzinfo=UTC)
"""The recorder's clock: after every fact these tests date."""
OTHER_STATION = org_code(151)
ISSUED = dt.date(2026, 1, 10)
DUE = dt.date(2026, 1, 20)
ACCEPTED = (T0 + 60 * DAY).date()
"""The day ``completion(P)`` accepts building B1."""


def run(
    state: ProjectState | None, *envelopes: Mapping[str, Any], now: dt.datetime = LATER
) -> BatchDecision:
    states = {state.project_id: state} if state is not None else {}
    return decide_batch([item(e) for e in envelopes], states, {}, now)


def then(state: ProjectState | None, *envelopes: Mapping[str, Any]) -> ProjectState:
    decision = run(state, *envelopes)
    assert [(r.event_id, r.rejection.code) for r in decision.rejected] == []
    return decision.states[P]


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


def sweep(state: ProjectState, on: dt.date) -> BatchDecision:
    """The recorder's deadline sweep run at noon of ``on`` (China)."""
    return decide_overdue({state.project_id: state}, noon(on))


def open_alerts(state: ProjectState, kind: str) -> list[Alert]:
    return [a for a in state.alerts.values() if a.kind == kind and a.resolved_by is None]


@functools.cache
def staffed_state() -> ProjectState:
    """Opened, the five parties appointed on T0 + 1 day, every lead committed."""
    return then(None, *staffed(P))


@functools.cache
def built() -> ProjectState:
    """Staffed, building B1 through its whole acceptance, ready for completion on ACCEPTED."""
    return then(staffed_state(), *accepted_unit(P))


@functools.cache
def notice() -> ProjectState:
    """Rectification notice N-1 to the construction party, issued ISSUED, due DUE."""
    return then(staffed_state(), ordered(P, "N-1", on=ISSUED, due_on=DUE))


@functools.cache
def completed() -> ProjectState:
    """Building B1 accepted on ACCEPTED."""
    return then(built(), completion(P))


# ----------------------------------------------------------------------------- commitments


def test_the_station_acknowledges_the_current_leads_commitment_once() -> None:
    lead = LEADS["construction"]["name"]
    state = then(staffed_state(), acknowledged(P, "construction", lead, on=dt.date(2026, 1, 5)))
    current = state.parties["construction"].current_lead
    assert current is not None and current.acknowledged is not None
    assert state.parties["design"].leads[0].acknowledged is None  # only the party named
    again = acknowledged(P, "construction", lead, on=dt.date(2026, 1, 6))
    assert refused(state, again) == "supervision.nothing_to_acknowledge"


def test_an_acknowledgement_names_the_current_lead() -> None:
    wrong = acknowledged(P, "construction", LEADS["design"]["name"], on=dt.date(2026, 1, 5))
    assert refused(staffed_state(), wrong) == "supervision.lead_not_current"
    new = id_number(41)
    changed = then(
        staffed_state(), lead_change(P, "construction", "新项目经理", new, at=noon(ISSUED))
    )
    former = acknowledged(P, "construction", LEADS["construction"]["name"], on=ISSUED + DAY)
    assert refused(changed, former) == "supervision.lead_not_current"


def test_nothing_is_acknowledged_before_the_lead_commits() -> None:
    unsigned = then(None, *staffed(P, commit=False))
    envelope = acknowledged(P, "design", LEADS["design"]["name"], on=dt.date(2026, 1, 5))
    assert refused(unsigned, envelope) == "supervision.nothing_to_acknowledge"
    bare = then(None, *opened(P))
    assert refused(bare, envelope) == "party.not_appointed"


# ----------------------------------------------------------------------------- inspections


def test_an_inspection_is_recorded_once_and_not_dated_after_the_event() -> None:
    state = then(staffed_state(), inspection(P, "I-1", on=ISSUED))
    assert state.inspections["I-1"].findings == ["3层梁钢筋保护层厚度不足"]
    assert refused(state, inspection(P, "I-1", on=ISSUED + DAY)) == "supervision.duplicate_id"
    ahead = inspection(P, "I-2", on=ISSUED + DAY, at=noon(ISSUED))
    assert refused(state, ahead) == "aftercare.date_after_event"


def test_a_notice_follows_only_an_inspection_on_the_trail() -> None:
    state = then(staffed_state(), inspection(P, "I-1", on=ISSUED))
    unknown = ordered(P, "N-1", on=ISSUED, due_on=DUE, inspection_id="I-9")
    assert refused(state, unknown) == "supervision.unknown"
    known = then(state, ordered(P, "N-1", on=ISSUED, due_on=DUE, inspection_id="I-1"))
    assert known.rectifications["N-1"].status is RectificationStatus.OPEN


# ----------------------------------------------------------------------------- who acts


def test_a_station_not_named_on_the_project_cannot_act_on_it() -> None:
    for envelope in (
        ordered(P, "N-9", on=ISSUED, due_on=DUE, org=OTHER_STATION),
        stopped(P, "O-9", on=ISSUED, org=OTHER_STATION),
        inspection(P, "I-9", on=ISSUED, org=OTHER_STATION),
    ):
        assert refused(staffed_state(), envelope) == "auth.not_a_party"


@pytest.mark.parametrize("role", ["owner", "construction", "supervision", "lab"])
def test_a_party_cannot_act_as_the_station(role: str) -> None:
    as_party = acting(ordered(P, "N-9", on=ISSUED, due_on=DUE), CONSTRUCTION, role)
    assert refused(staffed_state(), as_party) == "auth.role_not_allowed"  # the matrix
    posing = acting(ordered(P, "N-9", on=ISSUED, due_on=DUE), CONSTRUCTION, "regulator")
    assert refused(staffed_state(), posing) == "auth.not_a_party"


# ----------------------------------------------------------------------------- rectification


def test_a_notice_is_open_with_a_warning_and_its_report_due() -> None:
    state = notice()
    rect = state.rectifications["N-1"]
    assert (rect.status, rect.round, rect.addressed_to) == (
        RectificationStatus.OPEN,
        1,
        "construction",
    )
    (alert,) = open_alerts(state, RECTIFICATION_KIND)
    assert alert.alert_id == rectification_alert_id("N-1")
    assert alert.severity is Severity.WARNING and not alert.blocking
    assert str(DUE) in alert.message_en and "N-1" in alert.message_zh
    deadline = state.deadlines[filing.deadline_id("rectification", "N-1")]
    assert deadline.due_on == DUE and deadline.pending


def test_a_notice_is_issued_once_to_a_party_on_the_project() -> None:
    assert refused(notice(), ordered(P, "N-1", on=ISSUED, due_on=DUE)) == "supervision.duplicate_id"
    bare = then(None, *opened(P))
    assert refused(bare, ordered(P, "N-1", on=ISSUED, due_on=DUE)) == "party.not_appointed"
    ahead = ordered(P, "N-2", on=ISSUED, due_on=DUE, issued_on=ISSUED + DAY)
    assert refused(notice(), ahead) == "aftercare.date_after_event"


def test_a_notice_due_before_it_is_issued_is_malformed() -> None:
    with pytest.raises(pydantic.ValidationError, match="due_on"):
        ordered(P, "N-2", on=ISSUED, due_on=ISSUED - DAY)


def test_only_the_party_a_notice_names_answers_it() -> None:
    report = rectification_reported(P, "N-1", on=DUE - DAY)
    by_design = acting(report, DESIGN, "design")
    assert refused(notice(), by_design) == "supervision.not_addressed"
    by_owner = acting(report, OWNER, "owner")
    assert refused(notice(), by_owner) == "supervision.not_addressed"
    by_station = acting(report, STATION, "regulator")
    assert refused(notice(), by_station) == "auth.role_not_allowed"
    posing = acting(report, DESIGN, "construction")  # design's code in construction's role
    assert refused(notice(), posing) == "auth.not_a_party"
    assert refused(notice(), rectification_reported(P, "N-9", on=DUE - DAY)) == (
        "supervision.unknown"
    )


def test_a_report_is_dated_between_the_notice_and_the_event() -> None:
    early = rectification_reported(P, "N-1", on=DUE, reported_on=ISSUED - DAY)
    assert refused(notice(), early) == "aftercare.date_before"
    ahead = rectification_reported(P, "N-1", on=DUE, reported_on=DUE + DAY)
    assert refused(notice(), ahead) == "aftercare.date_after_event"


def test_the_rectification_loop_from_notice_to_closure() -> None:
    """Ordered, reported, reissued with a new deadline, reported again, verified closed: the
    warning stays open through every round and is resolved by the closing verification."""
    state = notice()
    alert_id = rectification_alert_id("N-1")
    too_soon = verified(P, "N-1", on=DUE - 2 * DAY)
    assert refused(state, too_soon) == "supervision.rectification_status"  # nothing reported

    state = then(state, rectification_reported(P, "N-1", on=DUE - 2 * DAY))
    assert state.rectifications["N-1"].status is RectificationStatus.REPORTED
    assert state.deadlines["rectification:N-1"].met is not None
    again = rectification_reported(P, "N-1", on=DUE - DAY)
    assert refused(state, again) == "supervision.rectification_status"

    new_due = DUE + 5 * DAY
    state = then(state, verified(P, "N-1", on=DUE - DAY, due_on=new_due))
    rect = state.rectifications["N-1"]
    assert (rect.status, rect.round, rect.due_on) == (RectificationStatus.OPEN, 2, new_due)
    assert rect.items == ["2层梁保护层仍不足"]
    second = state.deadlines["rectification:N-1 #2"]
    assert second.due_on == new_due and second.pending
    assert state.alerts[alert_id].resolved_by is None

    state = then(state, rectification_reported(P, "N-1", on=new_due - DAY))
    assert state.deadlines["rectification:N-1 #2"].met is not None
    closing = verified(P, "N-1", on=new_due)
    state = then(state, closing)
    rect = state.rectifications["N-1"]
    assert rect.status is RectificationStatus.CLOSED and len(rect.steps) == 4
    resolved = state.alerts[alert_id]
    assert resolved.resolved_by is not None and resolved.resolved_by.event_id == closing["id"]
    assert open_alerts(state, RECTIFICATION_KIND) == []
    assert refused(state, verified(P, "N-1", on=new_due + DAY)) == (
        "supervision.rectification_status"
    )
    assert sweep(state, new_due + 30 * DAY).sealed == []  # every round was met


def test_a_verification_is_not_dated_after_the_event() -> None:
    state = then(notice(), rectification_reported(P, "N-1", on=DUE - 2 * DAY))
    ahead = verified(P, "N-1", on=DUE - 2 * DAY, verified_on=DUE - DAY)
    assert refused(state, ahead) == "aftercare.date_after_event"


def test_a_verification_is_not_dated_before_the_report_it_verifies() -> None:
    state = then(notice(), rectification_reported(P, "N-1", on=DUE - 2 * DAY))
    backdated = verified(P, "N-1", on=DUE, verified_on=DUE - 3 * DAY)
    assert refused(state, backdated) == "aftercare.date_before"


def test_a_second_rounds_report_is_not_dated_before_the_reissue() -> None:
    state = then(
        notice(),
        rectification_reported(P, "N-1", on=DUE - 4 * DAY),
        verified(P, "N-1", on=DUE - 2 * DAY, due_on=DUE + 5 * DAY),
    )
    backdated = rectification_reported(P, "N-1", on=DUE, reported_on=DUE - 3 * DAY)
    assert refused(state, backdated) == "aftercare.date_before"


def test_a_report_overdue_raises_a_warning_that_the_late_report_resolves() -> None:
    assert sweep(notice(), DUE).sealed == []  # due today: not missed yet
    decision = sweep(notice(), DUE + DAY)
    (missed,) = decision.sealed
    assert missed.body["data"]["kind"] == "rectification"
    assert missed.body["data"]["deadline_id"] == "rectification:N-1"
    state = decision.states[P]
    (alert,) = open_alerts(state, f"{MISSED_KIND}.rectification")
    assert alert.severity is Severity.WARNING and alert.subject == "N-1"
    assert missed.event_id in alert.events
    assert sweep(state, DUE + 2 * DAY).sealed == []  # missed once, recorded once

    late = then(state, rectification_reported(P, "N-1", on=DUE + 3 * DAY))
    assert late.alerts[alert.alert_id].resolved_by is not None
    assert (
        late.alerts[alert.alert_id].resolution == f"done on {DUE + 3 * DAY}, 3 day(s) after {DUE}"
    )
    assert len(open_alerts(late, RECTIFICATION_KIND)) == 1  # the notice itself is not closed


def test_a_reissued_round_missed_is_recorded_on_its_own() -> None:
    new_due = DUE + 5 * DAY
    state = then(
        notice(),
        rectification_reported(P, "N-1", on=DUE - 2 * DAY),
        verified(P, "N-1", on=DUE - DAY, due_on=new_due),
    )
    (missed,) = sweep(state, new_due + DAY).sealed
    assert missed.body["data"]["deadline_id"] == "rectification:N-1 #2"
    assert missed.body["data"]["due_on"] == new_due.isoformat()


# ----------------------------------------------------------------------------- stop work


def test_a_full_stop_is_critical_until_work_resumes() -> None:
    state = then(staffed_state(), stopped(P, "O-1", on=ISSUED))
    order = state.stop_orders["O-1"]
    assert order.scope == "full" and order.parts == [] and order.lifted is None
    (alert,) = open_alerts(state, STOP_WORK_KIND)
    assert alert.alert_id == stop_alert_id("O-1") and alert.severity is Severity.CRITICAL

    lifting = resumed(P, "O-1", on=ISSUED + 3 * DAY)
    state = then(state, lifting)
    assert state.stop_orders["O-1"].resumed_on == ISSUED + 3 * DAY
    resolved = state.alerts[alert.alert_id]
    assert resolved.resolved_by is not None and resolved.resolved_by.event_id == lifting["id"]
    assert refused(state, resumed(P, "O-1", on=ISSUED + 4 * DAY)) == "supervision.order_lifted"


def test_a_partial_stop_names_its_parts() -> None:
    state = then(staffed_state(), stopped(P, "O-1", on=ISSUED, parts=("5层高支模", "6层梁板")))
    order = state.stop_orders["O-1"]
    assert order.scope == "partial" and order.parts == ["5层高支模", "6层梁板"]
    (alert,) = open_alerts(state, STOP_WORK_KIND)
    assert alert.severity is Severity.CRITICAL and "5层高支模" in alert.message_zh


@pytest.mark.parametrize(("scope", "parts"), [("partial", []), ("full", ["5层高支模"])])
def test_parts_are_named_exactly_when_the_stop_is_partial(scope: str, parts: list[str]) -> None:
    with pytest.raises(pydantic.ValidationError, match="parts"):
        WorkStopped(
            order_id="O-1", scope=scope, parts=parts, reason="未按方案施工", ordered_on=ISSUED
        )
    envelope = stopped(P, "O-1", on=ISSUED, parts=("5层高支模",))
    envelope["data"] = {**envelope["data"], "scope": scope, "parts": parts}
    (rejected,) = run(staffed_state(), envelope).rejected
    assert rejected.rejection.code == "event.malformed"


def test_an_order_is_issued_once_and_only_a_known_one_is_lifted() -> None:
    state = then(staffed_state(), stopped(P, "O-1", on=ISSUED))
    assert refused(state, stopped(P, "O-1", on=ISSUED + DAY)) == "supervision.duplicate_id"
    assert refused(state, resumed(P, "O-9", on=ISSUED + DAY)) == "supervision.unknown"
    early = resumed(P, "O-1", on=ISSUED + DAY, resumed_on=ISSUED - DAY)
    assert refused(state, early) == "aftercare.date_before"
    ahead = stopped(P, "O-2", on=ISSUED)
    ahead["data"] = {**ahead["data"], "ordered_on": str(ISSUED + DAY)}
    assert refused(state, ahead) == "aftercare.date_after_event"


# ----------------------------------------------------------------------------- completion


def test_completion_is_blocked_by_each_of_the_stations_acts_and_accepted_once_cleared() -> None:
    objected_on = ACCEPTED - 2 * DAY
    blocked = then(
        built(),
        ordered(P, "N-1", on=dt.date(2026, 2, 10), due_on=dt.date(2026, 2, 20)),
        stopped(P, "O-1", on=dt.date(2026, 2, 10), parts=("5层高支模",)),
        attended(P, "B1", on=objected_on, objection="竣工资料不全"),
    )
    (rejected,) = run(blocked, completion(P)).rejected
    assert rejected.rejection.code == "completion.incomplete"
    gaps = {gap.code: gap.message_en for gap in rejected.rejection.details}
    assert list(gaps) == [
        "completion.rectification_open",
        "completion.work_stopped",
        "completion.station_objects",
    ]
    assert "N-1" in gaps["completion.rectification_open"]
    assert "O-1" in gaps["completion.work_stopped"]
    assert "竣工资料不全" in gaps["completion.station_objects"]

    reported = then(blocked, rectification_reported(P, "N-1", on=dt.date(2026, 2, 18)))
    (still,) = run(reported, completion(P)).rejected
    assert "completion.rectification_open" in [g.code for g in still.rejection.details]

    cleared = then(
        reported,
        verified(P, "N-1", on=dt.date(2026, 2, 20)),
        resumed(P, "O-1", on=dt.date(2026, 2, 21)),
        attended(P, "B1", on=ACCEPTED - DAY),
    )
    done = then(cleared, completion(P))
    assert done.units["B1"].completion is not None


def test_the_station_attends_only_a_registered_building() -> None:
    assert refused(built(), attended(P, "B9", on=ACCEPTED)) == "acceptance.unknown_unit"
    objection_without_reason = attended(P, "B1", on=ACCEPTED)
    objection_without_reason["data"] = {**objection_without_reason["data"], "opinion": "objection"}
    (rejected,) = run(built(), objection_without_reason).rejected
    assert rejected.rejection.code == "event.malformed"


def test_completion_opens_the_filing_and_archive_deadlines() -> None:
    state = completed()
    filing_due = state.deadlines["completion_filing:B1"]
    archive_due = state.deadlines["archive:B1"]
    assert filing_due.due_on == ACCEPTED + filing.COMPLETION_FILING_DAYS * DAY
    assert archive_due.due_on == dt.date(ACCEPTED.year, ACCEPTED.month + 3, ACCEPTED.day)
    assert filing_due.pending and archive_due.pending
    assert built().deadlines.keys() == {"filing:registration 1"}  # none before completion


def test_the_completion_filing_and_the_archive_are_refused_before_completion() -> None:
    assert refused(built(), completion_filed(P, "B1", on=ACCEPTED)) == (
        "warranty.unit_not_completed"
    )
    assert refused(built(), archive_transferred(P, "B1", on=ACCEPTED)) == (
        "warranty.unit_not_completed"
    )
    assert refused(completed(), completion_filed(P, "B9", on=ACCEPTED)) == (
        "acceptance.unknown_unit"
    )


def test_a_building_is_filed_once_by_the_station_in_time() -> None:
    filed = then(completed(), completion_filed(P, "B1", on=ACCEPTED + 10 * DAY))
    unit = filed.units["B1"]
    assert unit.completion_filing is not None and unit.completion_filing.by == STATION
    assert filed.deadlines["completion_filing:B1"].met is not None
    again = completion_filed(P, "B1", on=ACCEPTED + 11 * DAY)
    assert refused(filed, again) == "supervision.already_filed"
    by_owner = acting(completion_filed(P, "B1", on=ACCEPTED + 10 * DAY), OWNER, "owner")
    assert refused(completed(), by_owner) == "auth.role_not_allowed"
    early = completion_filed(P, "B1", on=ACCEPTED)
    early["data"] = {**early["data"], "filed_on": str(ACCEPTED - DAY)}
    assert refused(completed(), early) == "aftercare.date_before"


def test_a_completion_filing_missed_raises_a_warning_that_the_late_filing_resolves() -> None:
    due = completed().deadlines["completion_filing:B1"].due_on
    decision = sweep(completed(), due + DAY)
    assert [r.body["data"]["kind"] for r in decision.sealed] == ["completion_filing"]
    state = decision.states[P]
    (alert,) = open_alerts(state, f"{MISSED_KIND}.completion_filing")
    late = then(state, completion_filed(P, "B1", on=due + 4 * DAY))
    assert late.alerts[alert.alert_id].resolved_by is not None
    assert open_alerts(late, f"{MISSED_KIND}.completion_filing") == []


def test_the_archive_is_handed_over_once_by_the_owner_or_the_station() -> None:
    handed = then(completed(), archive_transferred(P, "B1", on=ACCEPTED + 30 * DAY))
    unit = handed.units["B1"]
    assert unit.archive is not None and unit.archive.by == "徐州市城建档案馆"
    assert handed.deadlines["archive:B1"].met is not None
    again = archive_transferred(P, "B1", on=ACCEPTED + 31 * DAY)
    assert refused(handed, again) == "supervision.already_filed"
    by_station = archive_transferred(P, "B1", on=ACCEPTED + 30 * DAY, org=STATION, role="regulator")
    assert refused(completed(), by_station) is None
    by_builder = archive_transferred(
        P, "B1", on=ACCEPTED + 30 * DAY, org=CONSTRUCTION, role="construction"
    )
    assert refused(completed(), by_builder) == "auth.role_not_allowed"


def test_an_archive_missed_is_flagged_after_three_months() -> None:
    due = completed().deadlines["archive:B1"].due_on
    filed = then(completed(), completion_filed(P, "B1", on=ACCEPTED + 5 * DAY))
    assert sweep(filed, due).sealed == []
    (missed,) = sweep(filed, due + DAY).sealed
    assert missed.body["data"]["kind"] == "archive"
    assert missed.body["data"]["subject"] == "B1"
