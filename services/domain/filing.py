"""The supervision filing's standing and the deadlines it and the parties are held to: what the
areas' folds and rules consult (the station's own acts are ``supervision.py``).

A registration names its station and the site's division; until the station accepts the filing
the project is pending (only appointments are sealed), and a filing nobody answers within
``FILING_WORKING_DAYS`` lapses, so a squatted project id frees itself. A lapsed or refused
registration may be made again, by anyone: the chain runs on, the state starts afresh.

Deadlines are kept in the state (``ProjectState.deadlines``): met by the fact that does the
thing, or missed, which only qtrail's sweep records (``deadline_missed``, sealed the day after).
A missed deadline raises an alert that doing the thing, late, resolves; a missed filing lapses
the registration instead.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from events.base import ROLE_NAMES
from events.project import ProjectRegistered
from events.supervision import DeadlineMissed
from services.domain import calendar, reasons
from services.domain.chain import SealedRecord
from services.domain.frozen import replace, with_entry
from services.domain.ledger import EventRef
from services.domain.reasons import Rejection
from services.domain.state import (
    Alert,
    Deadline,
    Filing,
    FilingStatus,
    ProjectState,
    RectificationStatus,
)
from services.domain.submission import Submission

FILING_WORKING_DAYS = 20
"""A registration the station has not answered in this many working days lapses."""
REFILING_WORKING_DAYS = 5
"""After a lead changes, the party files the new lead's authorization and lifelong commitment
with the station within five working days (建质〔2014〕124号 第六条: 及时办理变更手续)."""
COMPLETION_FILING_DAYS = 15
"""《房屋建筑和市政基础设施工程竣工验收备案管理办法》第四条: within 15 days of the acceptance."""
ARCHIVE_MONTHS = 3
"""《城市建设档案管理规定》第六条: the archive goes to the city archive within three months."""

STATUS_NAMES = {
    FilingStatus.PENDING: ("待受理", "pending"),
    FilingStatus.ACCEPTED: ("已受理", "accepted"),
    FilingStatus.REFUSED: ("不予受理", "refused"),
    FilingStatus.EXPIRED: ("逾期失效", "expired"),
    FilingStatus.LEGACY: ("早期登记", "legacy"),
}
DEADLINE_NAMES = {
    "filing": ("监督注册受理", "the station's answer to the filing"),
    "refiling": ("负责人变更备案", "re-filing after a lead change"),
    "rectification": ("整改回复", "the rectification report"),
    "completion_filing": ("竣工验收备案", "the completion filing"),
    "archive": ("城建档案移交", "the archive handover"),
}
SCOPE_NAMES = {"partial": ("局部停工", "partial"), "full": ("全面停工", "full")}
_PENDING_ALLOWED = ("qtrail.party.appointed", "qtrail.supervision.filing_")


def role_zh(role: str) -> str:
    return ROLE_NAMES.get(role, ("质量监督机构", "the station"))[0]


def standing(state: ProjectState, sub: Submission) -> Rejection | None:
    """What the filing allows: everything once accepted (or for a legacy chain); while pending,
    only appointments, the station's answer and qtrail's record that it lapsed; nothing once
    lapsed but a new registration."""
    filing = state.filing
    if filing is None or filing.open:
        return None
    if filing.lapsed:
        zh, en = STATUS_NAMES[filing.status]
        return reasons.REGISTRATION_LAPSED.format(
            project_id=state.project_id, status_zh=zh, status=en
        )
    if sub.event_type.startswith(_PENDING_ALLOWED) or isinstance(sub.data, DeadlineMissed):
        return None
    return reasons.FILING_PENDING.format(project_id=state.project_id, station=filing.station)


def holds_station(state: ProjectState, org: str) -> bool:
    """The station a registration names acts on it; a legacy chain named none: any station."""
    filing = state.filing
    return filing is None or filing.station is None or filing.station == org


def registration_refusal(state: ProjectState, data: ProjectRegistered) -> Rejection | None:
    """A registration names its station and division, and opens a chain that is new or lapsed."""
    if state.registered and not (state.filing and state.filing.lapsed):
        return reasons.ALREADY_REGISTERED.format(project_id=state.project_id)
    if data.station is None or data.division is None:
        return reasons.STATION_REQUIRED.format()
    return None


def registered_afresh(state: ProjectState) -> ProjectState:
    """What a new registration starts from: the chain's head and counts, nothing else."""
    if state.filing is None or not state.filing.lapsed:
        return state
    return ProjectState(
        project_id=state.project_id,
        seq=state.seq,
        head=state.head,
        counts=state.counts,
        evidence=state.evidence,
    )


def filing_of(data: ProjectRegistered) -> Filing:
    status = FilingStatus.LEGACY if data.station is None else FilingStatus.PENDING
    return Filing(station=data.station, division=data.division, status=status)


def filing_deadline(state: ProjectState, record: SealedRecord, ref: EventRef) -> ProjectState:
    """The station's answer is due ``FILING_WORKING_DAYS`` after qtrail recorded the
    registration: by its own clock, not the site's, so a registration dated back (an offline app,
    or a hostile one) still leaves the station its full time to answer."""
    if state.filing is None or state.filing.status is not FilingStatus.PENDING:
        return state
    registered = calendar.china_day(record.recorded_at)
    due = calendar.add_working_days(registered, FILING_WORKING_DAYS).day
    return open_deadline(state, "filing", f"registration {ref.seq}", due, ref)


def deadline_id(kind: str, subject: str) -> str:
    return f"{kind}:{subject}"


def open_deadline(
    state: ProjectState, kind: str, subject: str, due: dt.date, ref: EventRef
) -> ProjectState:
    key = deadline_id(kind, subject)
    deadline = Deadline(deadline_id=key, kind=kind, subject=subject, due_on=due, opened=ref)
    return replace(state, deadlines=with_entry(state.deadlines, key, deadline))


def meet_deadline(
    state: ProjectState, kind: str, subject: str, ref: EventRef, on: dt.date
) -> ProjectState:
    """The deadline met by ``ref`` (done ``on``): if it was missed, its alert is resolved."""
    key = deadline_id(kind, subject)
    deadline = state.deadlines.get(key)
    if deadline is None or deadline.met is not None:
        return state
    late = (on - deadline.due_on).days
    return replace(
        state,
        deadlines=with_entry(state.deadlines, key, replace(deadline, met=ref)),
        alerts=resolve_open_alert(
            state.alerts,
            missed_alert_id(key),
            ref,
            f"done on {on}, {late} day(s) after {deadline.due_on}",
        ),
    )


def resolve_open_alert(
    alerts: dict[str, Alert], alert_id: str, ref: EventRef, said: str
) -> dict[str, Alert]:
    """``alerts`` with ``alert_id`` resolved by ``ref``, if it is there and open."""
    alert = alerts.get(alert_id)
    if alert is None or alert.resolved_by is not None:
        return alerts
    return with_entry(alerts, alert_id, replace(alert, resolved_by=ref, resolution=said))


def missed_alert_id(key: str) -> str:
    return f"missed-{hashlib.sha256(key.encode()).hexdigest()[:16]}"


def past_due(state: ProjectState, today: dt.date) -> list[Deadline]:
    """Deadlines neither met nor recorded missed whose day is over."""
    return sorted(
        (d for d in state.deadlines.values() if d.pending and d.due_on < today),
        key=lambda d: (d.due_on, d.deadline_id),
    )


def missed_follow_ups(state: ProjectState, today: dt.date) -> list[tuple[str, dict[str, Any]]]:
    """(event id, payload) of the ``deadline_missed`` facts the sweep seals on ``today``. The id
    is deterministic, so a sweep run twice, or by two recorders, seals each once."""
    out = []
    for deadline in past_due(state, today):
        key = f"{deadline.deadline_id}\n{deadline.due_on.isoformat()}".encode()
        event_id = f"sys-missed-{state.project_id}-{hashlib.sha256(key).hexdigest()[:24]}"
        payload = DeadlineMissed(
            deadline_id=deadline.deadline_id,
            kind=deadline.kind,
            subject=deadline.subject,
            due_on=deadline.due_on,
            as_of=today,
        ).model_dump(mode="json")
        out.append((event_id, payload))
    return out


def refiling_subject(role: str, lead_index: int) -> str:
    return f"{role} lead {lead_index + 1}"


def refiling_due(state: ProjectState, role: str, start: dt.datetime, ref: EventRef) -> ProjectState:
    """A lead changed: the party's re-filing is due in five working days (not on legacy chains,
    which have no station to file with)."""
    if state.filing is None or state.filing.station is None:
        return state
    index = len(state.parties[role].leads) - 1
    due = calendar.add_working_days(calendar.china_day(start), REFILING_WORKING_DAYS).day
    return open_deadline(state, "refiling", refiling_subject(role, index), due, ref)


def refiled(
    state: ProjectState, role: str, lead_number: str, ref: EventRef, on: dt.date
) -> ProjectState:
    """A lead's commitment is filed: it meets that lead's re-filing deadline, if one runs."""
    leads = state.parties[role].leads
    for index, lead in enumerate(leads):
        if lead.id_number == lead_number:
            state = meet_deadline(state, "refiling", refiling_subject(role, index), ref, on)
    return state


def completed_deadlines(
    state: ProjectState, unit_id: str, accepted_on: dt.date, ref: EventRef
) -> ProjectState:
    """A building passed completion: its filing is due in 15 days, its archive in 3 months (not
    on legacy chains, which have no station)."""
    if state.filing is None or state.filing.station is None:
        return state
    filing_due = accepted_on + dt.timedelta(days=COMPLETION_FILING_DAYS)
    state = open_deadline(state, "completion_filing", unit_id, filing_due, ref)
    return open_deadline(state, "archive", unit_id, _months_after(accepted_on, ARCHIVE_MONTHS), ref)


def _months_after(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day (民法典 art. 203: a period in
    months ends on the corresponding day, or the month's last where it has none)."""
    year, month = divmod(day.month - 1 + months, 12)
    first_next = dt.date(day.year + year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    last = (first_next - dt.timedelta(days=1)).day
    return dt.date(day.year + year, month + 1, min(day.day, last))


def station_gaps(state: ProjectState, unit_id: str) -> list[Rejection]:
    """What of the station's stands in the way of a building's completion: a rectification not
    verified closed, a stop-work order in force, the station's objection."""
    gaps = [
        reasons.RECTIFICATION_OPEN.format(
            id=notice.notice_id, to_zh=role_zh(notice.addressed_to), to=notice.addressed_to
        )
        for notice in state.rectifications.values()
        if notice.status is not RectificationStatus.CLOSED
    ]
    gaps += [
        reasons.WORK_STOPPED.format(
            id=order.order_id, scope_zh=SCOPE_NAMES[order.scope][0], scope=order.scope
        )
        for order in state.stop_orders.values()
        if order.lifted is None
    ]
    unit = state.units.get(unit_id)
    attendance = unit.attendance if unit else None
    if attendance is not None and attendance.opinion == "objection":
        gaps.append(
            reasons.STATION_OBJECTS.format(
                unit=unit_id, on=attendance.attended_on, remarks=attendance.remarks or ""
            )
        )
    return gaps
