"""The supervision station's own acts (质量监督), each a rule and a fold: the answer to the
filing, the acknowledgement of the parties' commitments, inspections, rectification notices
through their rounds, stop-work orders, attendance at completion acceptance, the completion
filing and the archive handover; and qtrail's record of a missed deadline. The filing's standing
and the deadlines themselves are ``filing.py``'s, which other areas' folds consult too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Literal

from events.base import ROLE_NAMES
from events.supervision import (
    AcceptanceAttended,
    ArchiveTransferred,
    CommitmentsAcknowledged,
    CompletionFiled,
    DeadlineMissed,
    FilingAccepted,
    FilingRefused,
    InspectionRecorded,
    RectificationOrdered,
    RectificationReported,
    RectificationVerified,
    WorkResumed,
    WorkStopped,
)
from services.domain import calendar, reasons
from services.domain.chain import SealedRecord, utc_text
from services.domain.context import Context
from services.domain.filing import (
    DEADLINE_NAMES,
    SCOPE_NAMES,
    STATUS_NAMES,
    meet_deadline,
    missed_alert_id,
    open_deadline,
    resolve_open_alert,
    role_zh,
)
from services.domain.frozen import replace, with_entry
from services.domain.handler import Handler
from services.domain.ledger import EventRef
from services.domain.reasons import Rejection
from services.domain.state import (
    Alert,
    Attendance,
    FilingStatus,
    Inspection,
    ProjectState,
    Rectification,
    RectificationStatus,
    Severity,
    StopOrder,
    UnitFiling,
)
from services.domain.submission import Submission

RECTIFICATION_NAMES = {
    RectificationStatus.OPEN: ("待整改", "open"),
    RectificationStatus.REPORTED: ("待复查", "reported, awaiting verification"),
    RectificationStatus.CLOSED: ("已闭合", "closed"),
}
RECTIFICATION_KIND = "supervision.rectification"
STOP_WORK_KIND = "supervision.stop_work"
MISSED_KIND = "supervision.deadline_missed"


def _day(sub: Submission) -> dt.date:
    return calendar.china_day(sub.occurred_at)


def _not_after_event(field: str, value: dt.date, sub: Submission) -> Rejection | None:
    if value > _day(sub):
        return reasons.DATE_AFTER_EVENT.format(
            field=field, value=value.isoformat(), occurred=utc_text(sub.occurred_at)
        )
    return None


def _not_before(
    field: str, value: dt.date, other: dt.date | None, what_zh: str, what: str
) -> Rejection | None:
    if other is not None and value < other:
        return reasons.DATE_BEFORE.format(
            field=field,
            value=value.isoformat(),
            other=other.isoformat(),
            what_zh=what_zh,
            what=what,
        )
    return None


def _first(*refusals: Rejection | None) -> Rejection | None:
    return next((r for r in refusals if r is not None), None)


def _duplicate(field: str, kind_zh: str, kind: str, key: str) -> Rejection:
    return reasons.SUPERVISION_DUPLICATE.format(field=field, kind_zh=kind_zh, kind=kind, id=key)


def _unknown(field: str, kind_zh: str, kind: str, key: str) -> Rejection:
    return reasons.SUPERVISION_UNKNOWN.format(field=field, kind_zh=kind_zh, kind=kind, id=key)


# ----------------------------------------------------------------------------- standing


# ----------------------------------------------------------------------------- deadlines


def rule_deadline_missed(
    state: ProjectState, data: DeadlineMissed, sub: Submission, ctx: Context
) -> Rejection | None:
    """Sealed by the recorder only (the matrix's system role); refused unless it is true."""
    deadline = state.deadlines.get(data.deadline_id)
    if deadline is None:
        return reasons.DEADLINE_NOT_MISSED.format(
            id=data.deadline_id, why_zh="不存在", why="does not exist"
        )
    if not deadline.pending:
        return reasons.DEADLINE_NOT_MISSED.format(
            id=data.deadline_id,
            why_zh="已办结或已记录逾期",
            why="was met or already recorded missed",
        )
    if deadline.due_on != data.due_on or data.as_of <= deadline.due_on:
        return reasons.DEADLINE_NOT_MISSED.format(
            id=data.deadline_id,
            why_zh=f"期限为 {deadline.due_on}，{data.as_of} 未逾期",
            why=f"is due {deadline.due_on}: not missed on {data.as_of}",
        )
    return None


def fold_deadline_missed(
    state: ProjectState, data: DeadlineMissed, record: SealedRecord, ref: EventRef
) -> ProjectState:
    deadline = state.deadlines[data.deadline_id]
    state = replace(
        state,
        deadlines=with_entry(state.deadlines, deadline.deadline_id, replace(deadline, missed=ref)),
    )
    if data.kind == "filing":
        assert state.filing is not None
        filing = replace(state.filing, status=FilingStatus.EXPIRED, answered=ref)
        return replace(state, filing=filing)
    what_zh, what_en = DEADLINE_NAMES[data.kind]
    alert_id = missed_alert_id(deadline.deadline_id)
    alert = Alert(
        alert_id=alert_id,
        kind=f"{MISSED_KIND}.{data.kind}",
        severity=Severity.WARNING,
        events=[deadline.opened.event_id, record.event_id],
        message_zh=f"{what_zh}（{deadline.subject}）应于 {deadline.due_on} 前完成，至 {data.as_of} 仍未完成",
        message_en=(
            f"{what_en} ({deadline.subject}) was due by {deadline.due_on} and was not done on "
            f"{data.as_of}"
        ),
        raised_at=record.recorded_at,
        blocking=False,
        subject=deadline.subject,
    )
    return replace(state, alerts=with_entry(state.alerts, alert_id, alert))


# ----------------------------------------------------------------------------- the filing


def _filing_pending(state: ProjectState) -> Rejection | None:
    filing = state.filing
    if filing is None or filing.status is not FilingStatus.PENDING:
        status = filing.status if filing else FilingStatus.LEGACY
        zh, en = STATUS_NAMES[status]
        return reasons.FILING_ANSWERED.format(status_zh=zh, status=en)
    return None


def rule_filing_accepted(
    state: ProjectState, data: FilingAccepted, sub: Submission, ctx: Context
) -> Rejection | None:
    registered = calendar.china_day(state.registered_at) if state.registered_at else None
    return _first(
        _filing_pending(state),
        _not_after_event("data.accepted_on", data.accepted_on, sub),
        _not_before(
            "data.accepted_on", data.accepted_on, registered, "项目登记日期", "the registration"
        ),
    )


def fold_filing_accepted(
    state: ProjectState, data: FilingAccepted, record: SealedRecord, ref: EventRef
) -> ProjectState:
    assert state.filing is not None
    filing = replace(
        state.filing,
        status=FilingStatus.ACCEPTED,
        filing_number=data.filing_number,
        accepted_on=data.accepted_on,
        supervisors=list(data.supervisors),
        answered=ref,
    )
    state = replace(state, filing=filing)
    return _meet_filing(state, ref, data.accepted_on)


def rule_filing_refused(
    state: ProjectState, data: FilingRefused, sub: Submission, ctx: Context
) -> Rejection | None:
    return _filing_pending(state)


def fold_filing_refused(
    state: ProjectState, data: FilingRefused, record: SealedRecord, ref: EventRef
) -> ProjectState:
    assert state.filing is not None
    state = replace(state, filing=replace(state.filing, status=FilingStatus.REFUSED, answered=ref))
    return _meet_filing(state, ref, calendar.china_day(record.occurred_at))


def _meet_filing(state: ProjectState, ref: EventRef, on: dt.date) -> ProjectState:
    for deadline in state.deadlines.values():
        if deadline.kind == "filing" and deadline.pending:
            state = meet_deadline(state, "filing", deadline.subject, ref, on)
    return state


# ----------------------------------------------------------------------------- commitments


def rule_commitments_acknowledged(
    state: ProjectState, data: CommitmentsAcknowledged, sub: Submission, ctx: Context
) -> Rejection | None:
    party = state.parties.get(data.role)
    lead = party.current_lead if party else None
    role_zh, role_en = ROLE_NAMES[data.role]
    if lead is None:
        return reasons.NOT_APPOINTED.format(role=data.role)
    if lead.name != data.lead_name:
        return reasons.LEAD_NOT_CURRENT.format(
            role_zh=role_zh, role=role_en, current=lead.name, name=data.lead_name
        )
    if lead.commitment is None:
        return reasons.NOTHING_TO_ACKNOWLEDGE.format(
            role_zh=role_zh,
            role=role_en,
            name=lead.name,
            why_zh="尚未签署终身责任承诺书",
            why="has not signed the lifelong commitment",
        )
    if lead.acknowledged is not None:
        return reasons.NOTHING_TO_ACKNOWLEDGE.format(
            role_zh=role_zh,
            role=role_en,
            name=lead.name,
            why_zh="的备案已确认",
            why="is already acknowledged",
        )
    return None


def fold_commitments_acknowledged(
    state: ProjectState, data: CommitmentsAcknowledged, record: SealedRecord, ref: EventRef
) -> ProjectState:
    party = state.parties[data.role]
    leads = [replace(lead, acknowledged=ref) if lead.end is None else lead for lead in party.leads]
    return replace(state, parties=with_entry(state.parties, data.role, replace(party, leads=leads)))


# ----------------------------------------------------------------------------- inspections


def rule_inspection_recorded(
    state: ProjectState, data: InspectionRecorded, sub: Submission, ctx: Context
) -> Rejection | None:
    if data.inspection_id in state.inspections:
        return _duplicate("data.inspection_id", "监督检查", "inspection", data.inspection_id)
    return _not_after_event("data.inspected_on", data.inspected_on, sub)


def fold_inspection_recorded(
    state: ProjectState, data: InspectionRecorded, record: SealedRecord, ref: EventRef
) -> ProjectState:
    inspection = Inspection(
        inspection_id=data.inspection_id,
        inspected_on=data.inspected_on,
        checked=list(data.checked),
        findings=list(data.findings),
        ref=ref,
    )
    return replace(state, inspections=with_entry(state.inspections, data.inspection_id, inspection))


# ----------------------------------------------------------------------------- rectification


def rectification_alert_id(notice_id: str) -> str:
    return f"rectify-{hashlib.sha256(notice_id.encode()).hexdigest()[:16]}"


def _rectification_subject(notice: str, round_: int) -> str:
    return notice if round_ == 1 else f"{notice} #{round_}"


def rule_rectification_ordered(
    state: ProjectState, data: RectificationOrdered, sub: Submission, ctx: Context
) -> Rejection | None:
    if data.notice_id in state.rectifications:
        return _duplicate("data.notice_id", "整改通知单", "rectification notice", data.notice_id)
    party = state.parties.get(data.addressed_to)
    if party is None:
        return reasons.NOT_APPOINTED.format(role=data.addressed_to)
    if data.inspection_id is not None and data.inspection_id not in state.inspections:
        return _unknown("data.inspection_id", "监督检查", "inspection", data.inspection_id)
    return _not_after_event("data.issued_on", data.issued_on, sub)


def fold_rectification_ordered(
    state: ProjectState, data: RectificationOrdered, record: SealedRecord, ref: EventRef
) -> ProjectState:
    notice = Rectification(
        notice_id=data.notice_id,
        addressed_to=data.addressed_to,
        items=list(data.items),
        issued_on=data.issued_on,
        due_on=data.due_on,
        ref=ref,
    )
    role_zh, role_en = ROLE_NAMES[data.addressed_to]
    alert_id = rectification_alert_id(data.notice_id)
    alert = Alert(
        alert_id=alert_id,
        kind=RECTIFICATION_KIND,
        severity=Severity.WARNING,
        events=[record.event_id],
        message_zh=(
            f"监督机构下发整改通知单 {data.notice_id}，{role_zh}须于 {data.due_on} 前整改 "
            f"{len(data.items)} 项"
        ),
        message_en=(
            f"the station issued rectification notice {data.notice_id}: the {role_en} party must "
            f"rectify {len(data.items)} item(s) by {data.due_on}"
        ),
        raised_at=record.recorded_at,
        blocking=False,
        subject=data.notice_id,
        closes_with=RectificationVerified.event_type.rsplit(".v", 1)[0],
    )
    state = replace(
        state,
        rectifications=with_entry(state.rectifications, data.notice_id, notice),
        alerts=with_entry(state.alerts, alert_id, alert),
    )
    return open_deadline(state, "rectification", data.notice_id, data.due_on, ref)


def _notice_in(
    state: ProjectState, notice_id: str, wanted: RectificationStatus, act_zh: str, act: str
) -> Rejection | None:
    notice = state.rectifications.get(notice_id)
    if notice is None:
        return _unknown("data.notice_id", "整改通知单", "rectification notice", notice_id)
    if notice.status is not wanted:
        zh, en = RECTIFICATION_NAMES[notice.status]
        return reasons.RECTIFICATION_STATUS.format(
            id=notice_id, status_zh=zh, status=en, act_zh=act_zh, act=act
        )
    return None


def rule_rectification_reported(
    state: ProjectState, data: RectificationReported, sub: Submission, ctx: Context
) -> Rejection | None:
    if refusal := _notice_in(state, data.notice_id, RectificationStatus.OPEN, "回复", "answered"):
        return refusal
    notice = state.rectifications[data.notice_id]
    if sub.actor.role.value != notice.addressed_to:
        return reasons.RECTIFICATION_NOT_ADDRESSED.format(
            id=data.notice_id,
            to_zh=role_zh(notice.addressed_to),
            to=notice.addressed_to,
            role_zh=role_zh(sub.actor.role.value),
            role=sub.actor.role.value,
        )
    since, what_zh, what = (
        (notice.issued_on, "通知日期", "the notice")
        if notice.last_step_on is None
        else (notice.last_step_on, "重新下发日期", "the re-issue")
    )
    return _first(
        _not_after_event("data.reported_on", data.reported_on, sub),
        _not_before("data.reported_on", data.reported_on, since, what_zh, what),
    )


def fold_rectification_reported(
    state: ProjectState, data: RectificationReported, record: SealedRecord, ref: EventRef
) -> ProjectState:
    notice = state.rectifications[data.notice_id]
    reported = replace(
        notice,
        status=RectificationStatus.REPORTED,
        steps=[*notice.steps, ref],
        last_step_on=data.reported_on,
    )
    state = replace(
        state, rectifications=with_entry(state.rectifications, data.notice_id, reported)
    )
    subject = _rectification_subject(notice.notice_id, notice.round)
    return meet_deadline(state, "rectification", subject, ref, data.reported_on)


def rule_rectification_verified(
    state: ProjectState, data: RectificationVerified, sub: Submission, ctx: Context
) -> Rejection | None:
    if refusal := _notice_in(
        state, data.notice_id, RectificationStatus.REPORTED, "复查", "verified"
    ):
        return refusal
    notice = state.rectifications[data.notice_id]
    return _first(
        _not_after_event("data.verified_on", data.verified_on, sub),
        _not_before(
            "data.verified_on", data.verified_on, notice.last_step_on, "整改回复日期", "the report"
        ),
    )


def fold_rectification_verified(
    state: ProjectState, data: RectificationVerified, record: SealedRecord, ref: EventRef
) -> ProjectState:
    notice = state.rectifications[data.notice_id]
    steps = [*notice.steps, ref]
    if data.outcome == "closed":
        closed = replace(notice, status=RectificationStatus.CLOSED, steps=steps)
        return replace(
            state,
            rectifications=with_entry(state.rectifications, data.notice_id, closed),
            alerts=resolve_open_alert(
                state.alerts,
                rectification_alert_id(data.notice_id),
                ref,
                f"verified closed on {data.verified_on}",
            ),
        )
    assert data.due_on is not None
    again = replace(
        notice,
        status=RectificationStatus.OPEN,
        round=notice.round + 1,
        items=list(data.items),
        due_on=data.due_on,
        steps=steps,
        last_step_on=data.verified_on,
    )
    state = replace(state, rectifications=with_entry(state.rectifications, data.notice_id, again))
    subject = _rectification_subject(notice.notice_id, again.round)
    return open_deadline(state, "rectification", subject, data.due_on, ref)


# ----------------------------------------------------------------------------- stop work


def stop_alert_id(order_id: str) -> str:
    return f"stop-{hashlib.sha256(order_id.encode()).hexdigest()[:16]}"


def rule_work_stopped(
    state: ProjectState, data: WorkStopped, sub: Submission, ctx: Context
) -> Rejection | None:
    if data.order_id in state.stop_orders:
        return _duplicate("data.order_id", "停工通知", "stop-work order", data.order_id)
    return _not_after_event("data.ordered_on", data.ordered_on, sub)


def fold_work_stopped(
    state: ProjectState, data: WorkStopped, record: SealedRecord, ref: EventRef
) -> ProjectState:
    order = StopOrder(
        order_id=data.order_id,
        scope=data.scope,
        parts=list(data.parts),
        reason=data.reason,
        ordered_on=data.ordered_on,
        ref=ref,
    )
    scope_zh, scope_en = SCOPE_NAMES[data.scope]
    where_zh = f"（{'、'.join(data.parts)}）" if data.parts else ""
    where_en = f" ({', '.join(data.parts)})" if data.parts else ""
    alert_id = stop_alert_id(data.order_id)
    alert = Alert(
        alert_id=alert_id,
        kind=STOP_WORK_KIND,
        severity=Severity.CRITICAL,
        events=[record.event_id],
        message_zh=f"监督机构下发停工通知 {data.order_id}：{scope_zh}{where_zh}，{data.reason}",
        message_en=f"the station ordered work stopped ({data.order_id}, {scope_en}{where_en}): {data.reason}",
        raised_at=record.recorded_at,
        blocking=False,
        subject=data.order_id,
        closes_with=WorkResumed.event_type.rsplit(".v", 1)[0],
    )
    return replace(
        state,
        stop_orders=with_entry(state.stop_orders, data.order_id, order),
        alerts=with_entry(state.alerts, alert_id, alert),
    )


def rule_work_resumed(
    state: ProjectState, data: WorkResumed, sub: Submission, ctx: Context
) -> Rejection | None:
    order = state.stop_orders.get(data.order_id)
    if order is None:
        return _unknown("data.order_id", "停工通知", "stop-work order", data.order_id)
    if order.resumed_on is not None:
        return reasons.ORDER_LIFTED.format(id=data.order_id, on=order.resumed_on)
    return _first(
        _not_after_event("data.resumed_on", data.resumed_on, sub),
        _not_before("data.resumed_on", data.resumed_on, order.ordered_on, "停工日期", "the order"),
    )


def fold_work_resumed(
    state: ProjectState, data: WorkResumed, record: SealedRecord, ref: EventRef
) -> ProjectState:
    order = state.stop_orders[data.order_id]
    lifted = replace(order, lifted=ref, resumed_on=data.resumed_on)
    return replace(
        state,
        stop_orders=with_entry(state.stop_orders, data.order_id, lifted),
        alerts=resolve_open_alert(
            state.alerts, stop_alert_id(data.order_id), ref, f"work resumed on {data.resumed_on}"
        ),
    )


# ----------------------------------------------------------------------------- completion


def _unit_known(state: ProjectState, unit_id: str) -> Rejection | None:
    if unit_id not in state.units:
        return reasons.UNKNOWN_UNIT.format(unit=unit_id)
    return None


def rule_acceptance_attended(
    state: ProjectState, data: AcceptanceAttended, sub: Submission, ctx: Context
) -> Rejection | None:
    return _first(
        _unit_known(state, data.unit_id),
        _not_after_event("data.attended_on", data.attended_on, sub),
    )


def fold_acceptance_attended(
    state: ProjectState, data: AcceptanceAttended, record: SealedRecord, ref: EventRef
) -> ProjectState:
    unit = state.units[data.unit_id]
    attendance = Attendance(
        attended_on=data.attended_on, opinion=data.opinion, remarks=data.remarks, ref=ref
    )
    return replace(
        state, units=with_entry(state.units, data.unit_id, replace(unit, attendance=attendance))
    )


UnitFilingKind = Literal["completion_filing", "archive"]
_UNIT_FILINGS: dict[str, tuple[str, str]] = {
    "completion_filing": ("竣工验收备案", "completion filing"),
    "archive": ("移交城建档案", "archive handover"),
}


def _unit_filing_refusal(
    state: ProjectState,
    unit_id: str,
    kind: UnitFilingKind,
    field: str,
    on: dt.date,
    sub: Submission,
) -> Rejection | None:
    """A building's filing or handover: once, after its completion acceptance."""
    if (refusal := _unit_known(state, unit_id)) is not None:
        return refusal
    unit = state.units[unit_id]
    if unit.completion is None:
        return reasons.UNIT_NOT_COMPLETED.format(unit=unit_id)
    if (existing := getattr(unit, kind)) is not None:
        what_zh, what = _UNIT_FILINGS[kind]
        return reasons.UNIT_FILED.format(
            unit=unit_id, what_zh=what_zh, what=what, number=existing.number
        )
    return _first(
        _not_after_event(field, on, sub),
        _not_before(field, on, unit.completion.accepted_on, "竣工验收日期", "the acceptance"),
    )


def _unit_filed(
    state: ProjectState, unit_id: str, kind: UnitFilingKind, filing: UnitFiling
) -> ProjectState:
    unit = state.units[unit_id]
    state = replace(state, units=with_entry(state.units, unit_id, replace(unit, **{kind: filing})))
    return meet_deadline(state, kind, unit_id, filing.ref, filing.on)


def rule_completion_filed(
    state: ProjectState, data: CompletionFiled, sub: Submission, ctx: Context
) -> Rejection | None:
    return _unit_filing_refusal(
        state, data.unit_id, "completion_filing", "data.filed_on", data.filed_on, sub
    )


def fold_completion_filed(
    state: ProjectState, data: CompletionFiled, record: SealedRecord, ref: EventRef
) -> ProjectState:
    by = str(record.body["actor"]["org"])
    filing = UnitFiling(number=data.filing_number, on=data.filed_on, by=by, ref=ref)
    return _unit_filed(state, data.unit_id, "completion_filing", filing)


def rule_archive_transferred(
    state: ProjectState, data: ArchiveTransferred, sub: Submission, ctx: Context
) -> Rejection | None:
    return _unit_filing_refusal(
        state, data.unit_id, "archive", "data.transferred_on", data.transferred_on, sub
    )


def fold_archive_transferred(
    state: ProjectState, data: ArchiveTransferred, record: SealedRecord, ref: EventRef
) -> ProjectState:
    handover = UnitFiling(
        number=data.receipt_number, on=data.transferred_on, by=data.archive, ref=ref
    )
    return _unit_filed(state, data.unit_id, "archive", handover)


HANDLERS = (
    Handler(FilingAccepted, rule=rule_filing_accepted, fold=fold_filing_accepted),
    Handler(FilingRefused, rule=rule_filing_refused, fold=fold_filing_refused),
    Handler(
        CommitmentsAcknowledged,
        rule=rule_commitments_acknowledged,
        fold=fold_commitments_acknowledged,
    ),
    Handler(InspectionRecorded, rule=rule_inspection_recorded, fold=fold_inspection_recorded),
    Handler(RectificationOrdered, rule=rule_rectification_ordered, fold=fold_rectification_ordered),
    Handler(
        RectificationReported, rule=rule_rectification_reported, fold=fold_rectification_reported
    ),
    Handler(
        RectificationVerified, rule=rule_rectification_verified, fold=fold_rectification_verified
    ),
    Handler(WorkStopped, rule=rule_work_stopped, fold=fold_work_stopped),
    Handler(WorkResumed, rule=rule_work_resumed, fold=fold_work_resumed),
    Handler(AcceptanceAttended, rule=rule_acceptance_attended, fold=fold_acceptance_attended),
    Handler(CompletionFiled, rule=rule_completion_filed, fold=fold_completion_filed),
    Handler(ArchiveTransferred, rule=rule_archive_transferred, fold=fold_archive_transferred),
    Handler(DeadlineMissed, rule=rule_deadline_missed, fold=fold_deadline_missed),
)
