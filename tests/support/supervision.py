"""The supervision station's acts for tests: envelopes of each fact of ``events.supervision``,
by ``STATION`` acting as regulator unless a test says otherwise, each dated by its day (noon in
China, ``noon``) so the dates a rule compares are the days the test names.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from events.base import EventData
from events.supervision import (
    AcceptanceAttended,
    ArchiveTransferred,
    CommitmentsAcknowledged,
    CompletionFiled,
    FilingRefused,
    InspectionRecorded,
    RectificationOrdered,
    RectificationReported,
    RectificationVerified,
    WorkResumed,
    WorkStopped,
)
from tests.support.aftercare import noon
from tests.support.events import CONSTRUCTION, OWNER, STATION, fact, registration, sha


def _station(
    project: str, data: EventData, on: dt.date, *, at: dt.datetime | None = None, **kw: Any
) -> dict[str, Any]:
    """``data`` by the station (unless ``kw`` names another actor), at noon of ``on`` unless
    ``at`` says otherwise."""
    kw.setdefault("org", STATION)
    kw.setdefault("role", "regulator")
    kw.setdefault("person", "监督员甲")
    return fact(project, data, at=at or noon(on), **kw)


def filing_refused(
    project: str, *, on: dt.date, at: dt.datetime | None = None, **kw: Any
) -> dict[str, Any]:
    return _station(project, FilingRefused(reason="施工许可证号与登记信息不符"), on, at=at, **kw)


def acknowledged(
    project: str, role: str, lead_name: str, *, on: dt.date, **kw: Any
) -> dict[str, Any]:
    return _station(project, CommitmentsAcknowledged(role=role, lead_name=lead_name), on, **kw)


def inspection(project: str, inspection_id: str, *, on: dt.date, **kw: Any) -> dict[str, Any]:
    return _station(
        project,
        InspectionRecorded(
            inspection_id=inspection_id,
            inspected_on=on,
            checked=["主体结构钢筋安装"],
            findings=["3层梁钢筋保护层厚度不足"],
            evidence=[sha(f"inspection-{project}-{inspection_id}")],
        ),
        on,
        **kw,
    )


def ordered(
    project: str,
    notice_id: str,
    *,
    on: dt.date,
    due_on: dt.date,
    to: str = "construction",
    inspection_id: str | None = None,
    issued_on: dt.date | None = None,
    **kw: Any,
) -> dict[str, Any]:
    """Rectification notice ``notice_id`` to ``to``, issued ``issued_on`` (default: ``on``)."""
    return _station(
        project,
        RectificationOrdered(
            notice_id=notice_id,
            addressed_to=to,
            items=["3层梁钢筋保护层厚度不足"],
            issued_on=issued_on or on,
            due_on=due_on,
            inspection_id=inspection_id,
        ),
        on,
        **kw,
    )


def rectification_reported(
    project: str,
    notice_id: str,
    *,
    on: dt.date,
    reported_on: dt.date | None = None,
    org: str = CONSTRUCTION,
    role: str = "construction",
    **kw: Any,
) -> dict[str, Any]:
    """The report of ``notice_id`` by (by default) the construction party."""
    return fact(
        project,
        RectificationReported(
            notice_id=notice_id,
            reported_on=reported_on or on,
            actions=["凿除保护层不足部位，按设计重新施工"],
            evidence=[sha(f"rectified-{project}-{notice_id}-{on}")],
        ),
        at=noon(on),
        org=org,
        role=role,
        **kw,
    )


def verified(
    project: str,
    notice_id: str,
    *,
    on: dt.date,
    due_on: dt.date | None = None,
    verified_on: dt.date | None = None,
    **kw: Any,
) -> dict[str, Any]:
    """Verified closed, or (given ``due_on``) reissued with one item still open."""
    return _station(
        project,
        RectificationVerified(
            notice_id=notice_id,
            verified_on=verified_on or on,
            outcome="closed" if due_on is None else "reissued",
            items=[] if due_on is None else ["2层梁保护层仍不足"],
            due_on=due_on,
        ),
        on,
        **kw,
    )


def stopped(
    project: str,
    order_id: str,
    *,
    on: dt.date,
    parts: tuple[str, ...] = (),
    **kw: Any,
) -> dict[str, Any]:
    """A stop-work order: partial when ``parts`` are named, else full."""
    return _station(
        project,
        WorkStopped(
            order_id=order_id,
            scope="partial" if parts else "full",
            parts=list(parts),
            reason="高支模未按专项方案搭设",
            ordered_on=on,
        ),
        on,
        **kw,
    )


def resumed(
    project: str, order_id: str, *, on: dt.date, resumed_on: dt.date | None = None, **kw: Any
) -> dict[str, Any]:
    return _station(
        project,
        WorkResumed(order_id=order_id, resumed_on=resumed_on or on),
        on,
        **kw,
    )


def attended(
    project: str, unit: str, *, on: dt.date, objection: str | None = None, **kw: Any
) -> dict[str, Any]:
    """The station at ``unit``'s completion acceptance: an objection when ``objection`` says why."""
    return _station(
        project,
        AcceptanceAttended(
            unit_id=unit,
            attended_on=on,
            opinion="objection" if objection else "no_objection",
            remarks=objection,
        ),
        on,
        **kw,
    )


def completion_filed(project: str, unit: str, *, on: dt.date, **kw: Any) -> dict[str, Any]:
    return _station(
        project,
        CompletionFiled(unit_id=unit, filing_number=f"BA-{project}-{unit}", filed_on=on),
        on,
        **kw,
    )


def archive_transferred(
    project: str, unit: str, *, on: dt.date, org: str = OWNER, role: str = "owner", **kw: Any
) -> dict[str, Any]:
    """The archive handover, by the owner unless a test says otherwise."""
    return fact(
        project,
        ArchiveTransferred(
            unit_id=unit,
            archive="徐州市城建档案馆",
            receipt_number=f"DA-{project}-{unit}",
            transferred_on=on,
        ),
        at=noon(on),
        org=org,
        role=role,
        **kw,
    )


REGISTERED_V1 = "qtrail.project.registered.v1"


def registration_v1(project: str, **kw: Any) -> dict[str, Any]:
    """A registration as sealed before registrations named their station: type v1, no station
    and no division in its data."""
    envelope = registration(project, station=None, division=None, **kw)
    data = {k: v for k, v in envelope["data"].items() if k not in ("station", "division")}
    return {**envelope, "type": REGISTERED_V1, "data": data}
