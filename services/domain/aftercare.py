"""The lifelong half, after completion: warranty defects and their repair, complaints, accidents
from grading to findings, and the regulator's findings of responsibility (追责).

Warranty (建设工程质量管理条例 art. 40–41; 房屋建筑工程质量保修办法 art. 9): a defect is reported in
a completed building, on or after its acceptance; it is in warranty when reported within its
part's period (the certificate's term, never less than the statutory minimum of
``tables/warranty-2000.json``; the foundations and structure for the design life), and then the
builder owes its repair within the certificate's ``repair_days``. A repair is confirmed or disputed
by the owner party, never by whoever repaired; a dispute opens the defect again with a new due
date. A repair still open the day after its due date is recorded by qtrail itself
(``repair_overdue``, sealed by the recorder's sweep): it raises an alert the repair alone resolves.

Accidents (建质〔2010〕111号, ``tables/accident-grades-2010.json``): the supervision station grades a
reported accident by its figures, investigates it, closes it; an owner's report to the authority
later than the hour allowed raises a critical alert, resolved by the accident's closure.

Findings of responsibility name the lead who led the party when the work was done (the ledger's
periods): lifelong responsibility is per period.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any, TypeVar

from events.aftercare import (
    AccidentClosed,
    AccidentGraded,
    AccidentInvestigated,
    ComplaintHandled,
    ComplaintLodged,
    DefectRepaired,
    DefectReported,
    RepairConfirmed,
    RepairOverdue,
    ResponsibilityFound,
)
from events.base import Role
from services.domain import accident_grades, reasons, warranty
from services.domain.calendar import china_day
from services.domain.chain import SealedRecord, utc_text
from services.domain.context import Context
from services.domain.frozen import replace, with_entry
from services.domain.handler import Handler
from services.domain.identifiers import valid_id_number
from services.domain.ledger import AccidentStatus, EventRef
from services.domain.reasons import Rejection
from services.domain.state import (
    Alert,
    Complaint,
    Defect,
    DefectStatus,
    Finding,
    ProjectState,
    Severity,
    UnitProject,
)
from services.domain.submission import Submission

REPAIR_LAW = "房屋建筑工程质量保修办法（建设部令第80号）第九条"
REPAIR_LAW_EN = "Housing Construction Quality Warranty Measures (MOC Order 80) art. 9"


def _type(model: type[Any]) -> str:
    """A catalog type without its version, as the matrix and ``Alert.closes_with`` name it."""
    return str(model.event_type).rsplit(".", 1)[0]


# ----------------------------------------------------------------------------- dates


def _not_after_event(field: str, day: dt.date, sub: Submission) -> Rejection | None:
    """A day a fact names cannot be later than the fact itself (in China)."""
    occurred = china_day(sub.occurred_at)
    if day > occurred:
        return reasons.DATE_AFTER_EVENT.format(field=field, value=day, occurred=occurred)
    return None


Day = TypeVar("Day", dt.date, dt.datetime)


def _not_before(field: str, value: Day, other: Day, what_zh: str, what: str) -> Rejection | None:
    """``value`` (of ``field``) must not come before ``other``, ``what`` it is measured from."""
    if value < other:
        return reasons.DATE_BEFORE.format(
            field=field, value=_text(value), other=_text(other), what_zh=what_zh, what=what
        )
    return None


def _text(value: dt.date | dt.datetime) -> str:
    return utc_text(value) if isinstance(value, dt.datetime) else value.isoformat()


def _first(*refusals: Rejection | None) -> Rejection | None:
    return next((r for r in refusals if r is not None), None)


def _actor(record: SealedRecord) -> tuple[str, str]:
    """(organization, role) of a sealed record's actor."""
    actor = record.body["actor"]
    return str(actor["org"]), str(actor["role"])


# ----------------------------------------------------------------------------- warranty terms


def warranty_years(state: ProjectState, unit: UnitProject, part: str) -> int:
    """A part's warranty in years: the certificate's term, never less than the statutory minimum
    (art. 40); the foundations and structure for the design life."""
    design_life = state.profile.design_life_years if state.profile else 0
    statutory = warranty.minimum(part).years_for(design_life)
    agreed = (
        next((t.years for t in unit.warranty.terms if t.part == part), 0) if unit.warranty else 0
    )
    return max(statutory, agreed)


def warranty_ends(state: ProjectState, unit: UnitProject, part: str) -> dt.date | None:
    """The last day in warranty of ``part`` in a completed building (None before completion)."""
    if unit.completion is None:
        return None
    return warranty.ends_on(unit.completion.accepted_on, warranty_years(state, unit, part))


def _repair_due(unit: UnitProject, day: dt.date, in_warranty: bool) -> dt.date | None:
    """``day`` plus the certificate's repair days (calendar days), for a defect in warranty. A
    building without a certificate on the chain (accepted before they were recorded) agreed no
    repair period: its defects have no due date."""
    if not in_warranty or unit.warranty is None:
        return None
    return day + dt.timedelta(days=unit.warranty.repair_days)


# ----------------------------------------------------------------------------- defects


def rule_defect_reported(
    state: ProjectState, data: DefectReported, sub: Submission, ctx: Context
) -> Rejection | None:
    if data.defect_id in state.defects:
        return reasons.AFTERCARE_DUPLICATE.format(
            field="data.defect_id", kind="defect", kind_zh="报修", id=data.defect_id
        )
    unit = state.units.get(data.unit_id)
    if unit is None:
        return reasons.UNKNOWN_UNIT.format(unit=data.unit_id)
    if unit.completion is None:
        return reasons.UNIT_NOT_COMPLETED.format(unit=data.unit_id)
    refusal = _first(
        _not_before(
            "data.reported_on",
            data.reported_on,
            unit.completion.accepted_on,
            "竣工验收日期",
            "the building's completion acceptance on",
        ),
        _not_after_event("data.reported_on", data.reported_on, sub),
    )
    if refusal is not None:
        return refusal
    if data.dwelling is not None and data.dwelling not in unit.dwellings:
        return reasons.DEFECT_DWELLING_UNKNOWN.format(unit=data.unit_id, dwelling=data.dwelling)
    if data.source == "public":
        if sub.actor.role is not Role.OWNER:
            return reasons.PUBLIC_NOT_OWNER.format(role=sub.actor.role.value)
        filed = next(
            (d for d in state.defects.values() if d.public_report == data.public_report), None
        )
        if filed is not None:
            return reasons.PUBLIC_REPORT_REUSED.format(
                report=data.public_report, defect=filed.defect_id
            )
    return None


def fold_defect_reported(
    state: ProjectState, data: DefectReported, record: SealedRecord, ref: EventRef
) -> ProjectState:
    unit = state.units[data.unit_id]
    ends = warranty_ends(state, unit, data.part)
    in_warranty = ends is not None and data.reported_on <= ends
    defect = Defect(
        defect_id=data.defect_id,
        unit_id=data.unit_id,
        dwelling=data.dwelling,
        part=data.part,
        description=data.description,
        reported_on=data.reported_on,
        source=data.source,
        public_report=data.public_report,
        in_warranty=in_warranty,
        repair_due=_repair_due(unit, data.reported_on, in_warranty),
        reported=ref,
        reported_by=_actor(record)[1],
        warranty_ends=ends,
    )
    return replace(state, defects=with_entry(state.defects, data.defect_id, defect))


def _defect_in(state: ProjectState, defect_id: str, needed: DefectStatus) -> Rejection | None:
    defect = state.defects.get(defect_id)
    if defect is None:
        return reasons.UNKNOWN_DEFECT.format(id=defect_id)
    if defect.status is not needed:
        return reasons.DEFECT_STATUS.format(id=defect_id, status=defect.status, needed=needed)
    return None


def rule_defect_repaired(
    state: ProjectState, data: DefectRepaired, sub: Submission, ctx: Context
) -> Rejection | None:
    if (refusal := _defect_in(state, data.defect_id, DefectStatus.OPEN)) is not None:
        return refusal
    defect = state.defects[data.defect_id]
    return _first(
        _not_before(
            "data.repaired_on",
            data.repaired_on,
            defect.reported_on,
            "报修日期",
            "the defect's report on",
        ),
        _not_before(
            "data.repaired_on",
            data.repaired_on,
            defect.reopened_on,
            "上次维修被否认的日期",
            "the dispute of the last repair on",
        )
        if defect.reopened_on is not None
        else None,
        _not_after_event("data.repaired_on", data.repaired_on, sub),
    )


def overdue_alert_id(defect_id: str, repair_due: dt.date) -> str:
    """One alert per defect and due date: a disputed repair's new due date gets its own."""
    return f"{OVERDUE_KIND}:{defect_id}:{repair_due.isoformat()}"


def fold_defect_repaired(
    state: ProjectState, data: DefectRepaired, record: SealedRecord, ref: EventRef
) -> ProjectState:
    defect = state.defects[data.defect_id]
    changes: dict[str, Any] = {}
    if defect.repair_due is not None:
        alert_id = overdue_alert_id(defect.defect_id, defect.repair_due)
        alert = state.alerts.get(alert_id)
        if alert is not None and alert.resolved_by is None:
            late = (data.repaired_on - defect.repair_due).days
            said = (
                f"repaired on {data.repaired_on}, {late} day(s) after the due date"
                if late > 0
                else f"repaired on {data.repaired_on}, within the due date (reported late)"
            )
            resolved = replace(alert, resolved_by=ref, resolution=said)
            changes["alerts"] = with_entry(state.alerts, alert_id, resolved)
    repaired = replace(
        defect,
        status=DefectStatus.REPAIRED,
        repaired_on=data.repaired_on,
        repaired_by=_actor(record)[0],
        steps=[*defect.steps, ref],
        overdue=None,
    )
    return replace(state, defects=with_entry(state.defects, data.defect_id, repaired), **changes)


def rule_repair_confirmed(
    state: ProjectState, data: RepairConfirmed, sub: Submission, ctx: Context
) -> Rejection | None:
    if (refusal := _defect_in(state, data.defect_id, DefectStatus.REPAIRED)) is not None:
        return refusal
    defect = state.defects[data.defect_id]
    if defect.repaired_by == sub.actor.org:
        return reasons.OWN_REPAIR.format(id=data.defect_id, org=sub.actor.org)
    assert defect.repaired_on is not None  # a repaired defect has its day
    return _first(
        _not_before(
            "data.confirmed_on",
            data.confirmed_on,
            defect.repaired_on,
            "维修完成日期",
            "the repair on",
        ),
        _not_after_event("data.confirmed_on", data.confirmed_on, sub),
    )


def fold_repair_confirmed(
    state: ProjectState, data: RepairConfirmed, record: SealedRecord, ref: EventRef
) -> ProjectState:
    defect = state.defects[data.defect_id]
    steps = [*defect.steps, ref]
    if data.accepted:
        after = replace(
            defect, status=DefectStatus.CONFIRMED, confirmed_on=data.confirmed_on, steps=steps
        )
    else:
        unit = state.units.get(defect.unit_id)
        due = _repair_due(unit, data.confirmed_on, defect.in_warranty) if unit is not None else None
        after = replace(
            defect,
            status=DefectStatus.OPEN,
            reopened_on=data.confirmed_on,
            repair_due=due,
            overdue=None,
            steps=steps,
        )
    return replace(state, defects=with_entry(state.defects, data.defect_id, after))


# ----------------------------------------------------------------------------- overdue repairs

OVERDUE_KIND = "repair_overdue"


def overdue(state: ProjectState, today: dt.date) -> list[Defect]:
    """Open defects in warranty whose repair was due before ``today`` (a day in China), in the
    order they were reported."""
    return sorted(
        (
            d
            for d in state.defects.values()
            if d.status is DefectStatus.OPEN
            and d.in_warranty
            and d.repair_due is not None
            and d.repair_due < today
        ),
        key=lambda d: d.reported.seq,
    )


def overdue_follow_ups(state: ProjectState, today: dt.date) -> list[tuple[str, dict[str, Any]]]:
    """(event id, payload) of the ``repair_overdue`` facts qtrail seals on ``today``: one for each
    overdue repair not flagged yet. The id is deterministic (project, defect, due date), so a
    sweep run twice, or by two recorders, seals it once."""
    out = []
    for defect in overdue(state, today):
        if defect.overdue is not None:
            continue
        assert defect.repair_due is not None
        key = f"{defect.defect_id}\n{defect.repair_due.isoformat()}".encode()
        event_id = f"sys-overdue-{state.project_id}-{hashlib.sha256(key).hexdigest()[:24]}"
        payload = RepairOverdue(
            defect_id=defect.defect_id,
            unit_id=defect.unit_id,
            repair_due=defect.repair_due,
            as_of=today,
        ).model_dump(mode="json")
        out.append((event_id, payload))
    return out


def rule_repair_overdue(
    state: ProjectState, data: RepairOverdue, sub: Submission, ctx: Context
) -> Rejection | None:
    """Sealed by the recorder only (the matrix's system role); refused unless it is true."""
    if (refusal := _defect_in(state, data.defect_id, DefectStatus.OPEN)) is not None:
        return refusal
    defect = state.defects[data.defect_id]
    due = defect.repair_due
    if not defect.in_warranty or due is None or due != data.repair_due or data.as_of <= due:
        return reasons.NOT_OVERDUE.format(id=data.defect_id, due=due, as_of=data.as_of)
    return None


def fold_repair_overdue(
    state: ProjectState, data: RepairOverdue, record: SealedRecord, ref: EventRef
) -> ProjectState:
    defect = state.defects[data.defect_id]
    part = warranty.minimum(defect.part)
    where_zh = f"，{defect.dwelling} 户" if defect.dwelling else ""
    where_en = f", dwelling {defect.dwelling}" if defect.dwelling else ""
    alert = Alert(
        alert_id=overdue_alert_id(defect.defect_id, data.repair_due),
        kind=OVERDUE_KIND,
        severity=Severity.WARNING,
        events=[defect.reported.event_id, record.event_id],
        message_zh=(
            f"单位工程 {defect.unit_id} 报修 {defect.defect_id}（{part.zh}{where_zh}）应于 "
            f"{data.repair_due} 前修复，至 {data.as_of} 施工单位尚未报告修复（{REPAIR_LAW}）"
        ),
        message_en=(
            f"building {defect.unit_id}, defect {defect.defect_id} ({part.en}{where_en}): its "
            f"repair was due by {data.repair_due} and the builder had not reported it on "
            f"{data.as_of} ({REPAIR_LAW_EN})"
        ),
        raised_at=record.recorded_at,
        blocking=False,
        closes_with=_type(DefectRepaired),
    )
    flagged = replace(defect, overdue=ref)
    alerts = (
        state.alerts
        if alert.alert_id in state.alerts
        else with_entry(state.alerts, alert.alert_id, alert)
    )
    return replace(state, defects=with_entry(state.defects, data.defect_id, flagged), alerts=alerts)


# ----------------------------------------------------------------------------- complaints


def rule_complaint_lodged(
    state: ProjectState, data: ComplaintLodged, sub: Submission, ctx: Context
) -> Rejection | None:
    if data.complaint_id in state.complaints:
        return reasons.AFTERCARE_DUPLICATE.format(
            field="data.complaint_id", kind="complaint", kind_zh="投诉", id=data.complaint_id
        )
    if data.unit_id is not None and data.unit_id not in state.units:
        return reasons.UNKNOWN_UNIT.format(unit=data.unit_id)
    return _not_after_event("data.received_on", data.received_on, sub)


def fold_complaint_lodged(
    state: ProjectState, data: ComplaintLodged, record: SealedRecord, ref: EventRef
) -> ProjectState:
    org, role = _actor(record)
    complaint = Complaint(
        complaint_id=data.complaint_id,
        unit_id=data.unit_id,
        received_on=data.received_on,
        subject=data.subject,
        against_role=data.against_role,
        lodged_by_role=role,
        lodged_by_org=org,
        lodged=ref,
    )
    return replace(state, complaints=with_entry(state.complaints, data.complaint_id, complaint))


def rule_complaint_handled(
    state: ProjectState, data: ComplaintHandled, sub: Submission, ctx: Context
) -> Rejection | None:
    complaint = state.complaints.get(data.complaint_id)
    if complaint is None:
        return reasons.UNKNOWN_COMPLAINT.format(id=data.complaint_id)
    if complaint.handled is not None:
        return reasons.COMPLAINT_ALREADY_HANDLED.format(id=data.complaint_id)
    lodger = (complaint.lodged_by_org, complaint.lodged_by_role)
    if sub.actor.role is not Role.REGULATOR and (sub.actor.org, sub.actor.role.value) != lodger:
        return reasons.COMPLAINT_NOT_YOURS.format(
            id=data.complaint_id, role=complaint.lodged_by_role, org=complaint.lodged_by_org
        )
    return _first(
        _not_before(
            "data.handled_on",
            data.handled_on,
            complaint.received_on,
            "投诉受理日期",
            "the complaint's receipt on",
        ),
        _not_after_event("data.handled_on", data.handled_on, sub),
    )


def fold_complaint_handled(
    state: ProjectState, data: ComplaintHandled, record: SealedRecord, ref: EventRef
) -> ProjectState:
    complaint = replace(
        state.complaints[data.complaint_id],
        handled=ref,
        handled_on=data.handled_on,
        handled_by_role=_actor(record)[1],
        outcome=data.outcome,
        response=data.response,
    )
    return replace(state, complaints=with_entry(state.complaints, data.complaint_id, complaint))


# ----------------------------------------------------------------------------- accidents

LATE_REPORT_KIND = "accident_reported_late"


def _accident_in(state: ProjectState, accident_id: str, needed: AccidentStatus) -> Rejection | None:
    accident = state.accidents.get(accident_id)
    if accident is None:
        return reasons.UNKNOWN_ACCIDENT.format(id=accident_id)
    if accident.status is not needed:
        return reasons.ACCIDENT_STATUS.format(id=accident_id, status=accident.status, needed=needed)
    return None


def rule_accident_graded(
    state: ProjectState, data: AccidentGraded, sub: Submission, ctx: Context
) -> Rejection | None:
    if (refusal := _accident_in(state, data.accident_id, AccidentStatus.REPORTED)) is not None:
        return refusal
    accident = state.accidents[data.accident_id]
    refusal = _not_before(
        "data.reported_to_authority_at",
        data.reported_to_authority_at,
        accident.happened_at,
        "事故发生时间",
        "the accident itself, at",
    )
    if refusal is not None:
        return refusal
    if data.reported_to_authority_at > sub.occurred_at:
        return reasons.DATE_AFTER_EVENT.format(
            field="data.reported_to_authority_at",
            value=utc_text(data.reported_to_authority_at),
            occurred=utc_text(sub.occurred_at),
        )
    figures = accident_grades.Figures(data.deaths, data.serious_injuries, data.direct_loss_cny)
    grade = accident_grades.grade_of(figures)
    if grade is None:
        return reasons.ACCIDENT_BELOW_GRADES.format(
            figures=figures.text(), figures_zh=figures.text_zh()
        )
    if grade.grade != data.grade:
        given_zh, given = accident_grades.names(data.grade)
        return reasons.ACCIDENT_GRADE_MISMATCH.format(
            given=given,
            given_zh=given_zh,
            figures=figures.text(),
            figures_zh=figures.text_zh(),
            grade=grade.en,
            grade_zh=grade.zh,
            clause=grade.clause.split(":", 1)[0],
            edition="建质〔2010〕111号",
        )
    return None


def _delay_text(delay: dt.timedelta) -> str:
    minutes = int(delay.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def fold_accident_graded(
    state: ProjectState, data: AccidentGraded, record: SealedRecord, ref: EventRef
) -> ProjectState:
    accident = replace(
        state.accidents[data.accident_id],
        grade=data.grade,
        deaths=data.deaths,
        serious_injuries=data.serious_injuries,
        direct_loss_cny=data.direct_loss_cny,
        reported_to_authority_at=data.reported_to_authority_at,
        graded=ref,
    )
    changes: dict[str, Any] = {"accidents": with_entry(state.accidents, data.accident_id, accident)}
    deadline, clause = accident_grades.report_deadline()
    delay = data.reported_to_authority_at - accident.happened_at
    alert_id = f"{LATE_REPORT_KIND}:{data.accident_id}"
    if delay > deadline and alert_id not in state.alerts:
        late = _delay_text(delay)
        hours = int(deadline.total_seconds() // 3600)
        changes["alerts"] = with_entry(
            state.alerts,
            alert_id,
            Alert(
                alert_id=alert_id,
                kind=LATE_REPORT_KIND,
                severity=Severity.CRITICAL,
                events=[accident.ref.event_id, record.event_id],
                message_zh=(
                    f"事故 {data.accident_id} 发生于 {utc_text(accident.happened_at)}，建设单位于 "
                    f"{utc_text(data.reported_to_authority_at)}（{late} 后）才向主管部门报告，"
                    f"超过建质〔2010〕111号第三条（一）规定的{hours}小时：{clause}"
                ),
                message_en=(
                    f"accident {data.accident_id} happened at {utc_text(accident.happened_at)}; "
                    f"the owner reported it to the authority at "
                    f"{utc_text(data.reported_to_authority_at)}, {late} later, beyond the "
                    f"{hours} hour(s) of 建质〔2010〕111号 §3(一)"
                ),
                raised_at=record.recorded_at,
                blocking=False,
                closes_with=_type(AccidentClosed),
            ),
        )
    return replace(state, **changes)


def rule_accident_investigated(
    state: ProjectState, data: AccidentInvestigated, sub: Submission, ctx: Context
) -> Rejection | None:
    if (refusal := _accident_in(state, data.accident_id, AccidentStatus.GRADED)) is not None:
        return refusal
    accident = state.accidents[data.accident_id]
    return _first(
        _not_before(
            "data.concluded_on",
            data.concluded_on,
            china_day(accident.happened_at),
            "事故发生日期",
            "the accident's day",
        ),
        _not_after_event("data.concluded_on", data.concluded_on, sub),
    )


def fold_accident_investigated(
    state: ProjectState, data: AccidentInvestigated, record: SealedRecord, ref: EventRef
) -> ProjectState:
    accident = replace(
        state.accidents[data.accident_id],
        investigated=ref,
        concluded_on=data.concluded_on,
        cause=data.cause,
        investigation_report=data.report,
    )
    return replace(state, accidents=with_entry(state.accidents, data.accident_id, accident))


def rule_accident_closed(
    state: ProjectState, data: AccidentClosed, sub: Submission, ctx: Context
) -> Rejection | None:
    if (refusal := _accident_in(state, data.accident_id, AccidentStatus.INVESTIGATED)) is not None:
        return refusal
    concluded = state.accidents[data.accident_id].concluded_on
    assert concluded is not None  # an investigated accident has its day
    return _first(
        _not_before(
            "data.closed_on",
            data.closed_on,
            concluded,
            "事故调查结束日期",
            "the investigation's conclusion on",
        ),
        _not_after_event("data.closed_on", data.closed_on, sub),
    )


def fold_accident_closed(
    state: ProjectState, data: AccidentClosed, record: SealedRecord, ref: EventRef
) -> ProjectState:
    accident = replace(
        state.accidents[data.accident_id],
        closed=ref,
        closed_on=data.closed_on,
        findings=data.findings,
    )
    changes: dict[str, Any] = {"accidents": with_entry(state.accidents, data.accident_id, accident)}
    alert_id = f"{LATE_REPORT_KIND}:{data.accident_id}"
    late = state.alerts.get(alert_id)
    if late is not None and late.resolved_by is None:
        closed = replace(
            late,
            resolved_by=ref,
            resolution=f"accident closed on {data.closed_on}: {data.findings}",
        )
        changes["alerts"] = with_entry(state.alerts, alert_id, closed)
    return replace(state, **changes)


# ----------------------------------------------------------------------------- findings (追责)


def _related(state: ProjectState, item: str) -> bool:
    return (
        item in state.accidents
        or item in state.defects
        or item in state.nonconformances
        or item in state.complaints
    )


def rule_responsibility_found(
    state: ProjectState, data: ResponsibilityFound, sub: Submission, ctx: Context
) -> Rejection | None:
    if data.finding_id in state.findings:
        return reasons.AFTERCARE_DUPLICATE.format(
            field="data.finding_id", kind="finding", kind_zh="追责决定", id=data.finding_id
        )
    if not valid_id_number(data.lead_id_number):
        return reasons.BAD_ID_NUMBER.format(field="data.lead_id_number")
    party = state.parties.get(data.role)
    if party is None:
        return reasons.FINDING_NO_PARTY.format(role=data.role)
    at = utc_text(data.work_done_at)
    lead = party.lead_at(data.work_done_at)
    if lead is None:
        return reasons.FINDING_NO_LEAD_THEN.format(role=data.role, at=at)
    if lead.id_number != data.lead_id_number:
        return reasons.FINDING_WRONG_LEAD.format(
            role=data.role,
            at=at,
            name=lead.name,
            start=utc_text(lead.start),
            end=utc_text(lead.end) if lead.end is not None else "…",
        )
    unknown = next((item for item in data.relates_to if not _related(state, item)), None)
    if unknown is not None:
        return reasons.FINDING_UNKNOWN_RELATED.format(id=unknown)
    if data.work_done_at > sub.occurred_at:
        return reasons.DATE_AFTER_EVENT.format(
            field="data.work_done_at", value=at, occurred=utc_text(sub.occurred_at)
        )
    return _first(
        _not_before(
            "data.decided_on",
            data.decided_on,
            china_day(data.work_done_at),
            "被追责工作的日期",
            "the day of the work at fault,",
        ),
        _not_after_event("data.decided_on", data.decided_on, sub),
    )


def fold_responsibility_found(
    state: ProjectState, data: ResponsibilityFound, record: SealedRecord, ref: EventRef
) -> ProjectState:
    party = state.parties[data.role]
    lead = party.lead_at(data.work_done_at)
    assert lead is not None  # the rule checked the lead in office then
    finding = Finding(
        finding_id=data.finding_id,
        role=data.role,
        org_name=party.org_name,
        org_code=party.org_code,
        lead_name=lead.name,
        lead_start=lead.start,
        lead_end=lead.end,
        work_done_at=data.work_done_at,
        subject=data.subject,
        relates_to=list(data.relates_to),
        measures=list(data.measures),
        legal_basis=data.legal_basis,
        decided_on=data.decided_on,
        decision=data.decision,
        found_by=_actor(record)[0],
        ref=ref,
    )
    return replace(state, findings=with_entry(state.findings, data.finding_id, finding))


HANDLERS = (
    Handler(DefectReported, rule=rule_defect_reported, fold=fold_defect_reported),
    Handler(DefectRepaired, rule=rule_defect_repaired, fold=fold_defect_repaired),
    Handler(RepairConfirmed, rule=rule_repair_confirmed, fold=fold_repair_confirmed),
    Handler(RepairOverdue, rule=rule_repair_overdue, fold=fold_repair_overdue),
    Handler(ComplaintLodged, rule=rule_complaint_lodged, fold=fold_complaint_lodged),
    Handler(ComplaintHandled, rule=rule_complaint_handled, fold=fold_complaint_handled),
    Handler(AccidentGraded, rule=rule_accident_graded, fold=fold_accident_graded),
    Handler(AccidentInvestigated, rule=rule_accident_investigated, fold=fold_accident_investigated),
    Handler(AccidentClosed, rule=rule_accident_closed, fold=fold_accident_closed),
    Handler(ResponsibilityFound, rule=rule_responsibility_found, fold=fold_responsibility_found),
)
