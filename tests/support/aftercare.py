"""Facts of the lifelong half for tests (defects, complaints, accidents, findings), and completed
buildings to put into a state.

The buildings are state models, not facts: a test of the lifelong half starts from a building
already accepted, however the acceptance hierarchy got it there (``with_buildings``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from events.aftercare import (
    AccidentClosed,
    AccidentGraded,
    AccidentInvestigated,
    ComplaintHandled,
    ComplaintLodged,
    DefectRepaired,
    DefectReported,
    RepairConfirmed,
    ResponsibilityFound,
)
from services.domain.ledger import EventRef
from services.domain.state import (
    Completion,
    ProjectState,
    UnitProject,
    Warranty,
    WarrantyTerm,
)
from tests.support.events import CONSTRUCTION, OWNER, STATION, T0, fact, sha

UTC = dt.UTC
CHINA = dt.timezone(dt.timedelta(hours=8))

ACCEPTED_ON = dt.date(2026, 2, 1)
"""The day building B1 passed completion acceptance: its warranty runs from then."""
REPAIR_DAYS = 15
DWELLINGS = ["1-0101", "1-0102", "1-0201", "1-0202"]


def noon(day: dt.date) -> dt.datetime:
    """Noon in China of ``day``: when the tests' facts of that day occur."""
    return dt.datetime.combine(day, dt.time(12), tzinfo=CHINA)


def building(
    unit_id: str = "B1",
    *,
    accepted_on: dt.date | None = ACCEPTED_ON,
    terms: dict[str, int] | None = None,
    repair_days: int | None = REPAIR_DAYS,
    housing: bool = True,
) -> UnitProject:
    """A registered building, accepted on ``accepted_on`` (None: not yet) with a warranty
    certificate of ``terms`` (part → years; by default the statutory minimums) and
    ``repair_days`` (None: no certificate on the chain)."""
    terms = terms or {
        "foundation_structure": 50,
        "waterproofing": 5,
        "heating_cooling": 2,
        "electrical_plumbing": 2,
        "decoration": 2,
    }
    certificate = (
        Warranty(
            issued_on=(accepted_on or ACCEPTED_ON) - dt.timedelta(days=3),
            terms=[WarrantyTerm(part=p, years=y) for p, y in terms.items()],
            repair_days=repair_days,
            evidence=sha(f"warranty-{unit_id}"),
            ref=EventRef(event_id=f"evt-warranty-{unit_id}", seq=900),
        )
        if repair_days is not None
        else None
    )
    completion = (
        Completion(
            accepted_on=accepted_on,
            started_on=(T0 + dt.timedelta(days=2)).date(),
            ref=EventRef(event_id=f"evt-completion-{unit_id}", seq=901),
            unit_id=unit_id,
        )
        if accepted_on is not None
        else None
    )
    return UnitProject(
        unit_id=unit_id,
        name=f"{unit_id} 号楼",
        housing=housing,
        dwellings=DWELLINGS if housing else [],
        divisions=["foundation", "main_structure", "roof", "decoration"],
        floors_above=6,
        floor_area_m2=3200.0,
        registered=EventRef(event_id=f"evt-unit-{unit_id}", seq=899),
        warranty=certificate,
        completion=completion,
    )


def with_buildings(state: ProjectState, *units: UnitProject) -> ProjectState:
    """``state`` with these buildings registered (and, as built, accepted)."""
    return state.model_copy(update={"units": {**state.units, **{u.unit_id: u for u in units}}})


# ----------------------------------------------------------------------------- facts


def defect_reported(
    project: str,
    defect_id: str,
    *,
    reported_on: dt.date = dt.date(2026, 2, 10),
    unit: str = "B1",
    part: str = "waterproofing",
    dwelling: str | None = "1-0101",
    source: str = "party",
    public_report: str | None = None,
    at: dt.datetime | None = None,
    org: str = OWNER,
    role: str = "owner",
    **kw: Any,
) -> dict[str, Any]:
    return fact(
        project,
        DefectReported(
            defect_id=defect_id,
            unit_id=unit,
            dwelling=dwelling,
            part=part,
            description="卫生间地面渗漏至楼下顶棚",
            reported_on=reported_on,
            source=source,
            public_report=public_report,
            photos=[sha(f"defect-{project}-{defect_id}")],
        ),
        at=at or noon(reported_on),
        org=org,
        role=role,
        **kw,
    )


def defect_repaired(
    project: str,
    defect_id: str,
    *,
    repaired_on: dt.date = dt.date(2026, 2, 20),
    at: dt.datetime | None = None,
    org: str = CONSTRUCTION,
    role: str = "construction",
    **kw: Any,
) -> dict[str, Any]:
    return fact(
        project,
        DefectRepaired(
            defect_id=defect_id,
            repaired_on=repaired_on,
            action="重做卫生间防水层，闭水试验48小时无渗漏",
            evidence=[sha(f"repair-{project}-{defect_id}-{repaired_on}")],
        ),
        at=at or noon(repaired_on),
        org=org,
        role=role,
        **kw,
    )


def repair_confirmed(
    project: str,
    defect_id: str,
    *,
    confirmed_on: dt.date = dt.date(2026, 2, 22),
    accepted: bool = True,
    at: dt.datetime | None = None,
    org: str = OWNER,
    role: str = "owner",
    **kw: Any,
) -> dict[str, Any]:
    return fact(
        project,
        RepairConfirmed(
            defect_id=defect_id,
            confirmed_on=confirmed_on,
            accepted=accepted,
            note=None if accepted else "仍有渗漏",
        ),
        at=at or noon(confirmed_on),
        org=org,
        role=role,
        **kw,
    )


def complaint_lodged(
    project: str,
    complaint_id: str,
    *,
    received_on: dt.date = dt.date(2026, 3, 1),
    unit: str | None = "B1",
    against: str | None = "construction",
    at: dt.datetime | None = None,
    org: str = OWNER,
    role: str = "owner",
    **kw: Any,
) -> dict[str, Any]:
    return fact(
        project,
        ComplaintLodged(
            complaint_id=complaint_id,
            unit_id=unit,
            received_on=received_on,
            subject="外墙渗水多次报修未果",
            against_role=against,
        ),
        at=at or noon(received_on),
        org=org,
        role=role,
        **kw,
    )


def complaint_handled(
    project: str,
    complaint_id: str,
    *,
    handled_on: dt.date = dt.date(2026, 3, 10),
    outcome: str = "upheld",
    at: dt.datetime | None = None,
    org: str = OWNER,
    role: str = "owner",
    **kw: Any,
) -> dict[str, Any]:
    return fact(
        project,
        ComplaintHandled(
            complaint_id=complaint_id,
            handled_on=handled_on,
            outcome=outcome,
            response="责令施工单位限期维修",
        ),
        at=at or noon(handled_on),
        org=org,
        role=role,
        **kw,
    )


def accident_graded(
    project: str,
    accident_id: str,
    *,
    grade: str,
    deaths: int = 0,
    injuries: int = 0,
    loss: float = 0.0,
    reported_at: dt.datetime,
    at: dt.datetime | None = None,
    org: str = STATION,
    role: str = "regulator",
    **kw: Any,
) -> dict[str, Any]:
    return fact(
        project,
        AccidentGraded(
            accident_id=accident_id,
            deaths=deaths,
            serious_injuries=injuries,
            direct_loss_cny=loss,
            grade=grade,
            reported_to_authority_at=reported_at,
        ),
        at=at or reported_at + dt.timedelta(days=1),
        org=org,
        role=role,
        **kw,
    )


def accident_investigated(
    project: str,
    accident_id: str,
    *,
    concluded_on: dt.date,
    at: dt.datetime | None = None,
    org: str = STATION,
    role: str = "regulator",
    **kw: Any,
) -> dict[str, Any]:
    return fact(
        project,
        AccidentInvestigated(
            accident_id=accident_id,
            concluded_on=concluded_on,
            cause="高支模立杆间距超出专项方案，且未按方案设置水平杆",
            report=sha(f"investigation-{project}-{accident_id}"),
        ),
        at=at or noon(concluded_on),
        org=org,
        role=role,
        **kw,
    )


def accident_closed(
    project: str,
    accident_id: str,
    *,
    closed_on: dt.date,
    at: dt.datetime | None = None,
    org: str = STATION,
    role: str = "regulator",
    **kw: Any,
) -> dict[str, Any]:
    return fact(
        project,
        AccidentClosed(
            accident_id=accident_id,
            closed_on=closed_on,
            findings="施工单位未按专项方案搭设模板支撑，负主要责任",
            evidence=[sha(f"closure-{project}-{accident_id}")],
        ),
        at=at or noon(closed_on),
        org=org,
        role=role,
        **kw,
    )


def responsibility_found(
    project: str,
    finding_id: str,
    *,
    role_found: str = "construction",
    lead_id_number: str,
    work_done_at: dt.datetime,
    relates_to: list[str] | None = None,
    decided_on: dt.date | None = None,
    at: dt.datetime | None = None,
    org: str = STATION,
    role: str = "regulator",
    **kw: Any,
) -> dict[str, Any]:
    decided_on = decided_on or (work_done_at + dt.timedelta(days=60)).date()
    return fact(
        project,
        ResponsibilityFound(
            finding_id=finding_id,
            role=role_found,
            lead_id_number=lead_id_number,
            work_done_at=work_done_at,
            subject="模板支撑体系未按专项施工方案搭设",
            relates_to=relates_to or [],
            measures=["罚款", "记入信用档案"],
            legal_basis="建设工程质量管理条例第六十四条；建质〔2014〕124号第六条",
            decided_on=decided_on,
            decision=sha(f"decision-{project}-{finding_id}"),
        ),
        at=at or noon(decided_on),
        org=org,
        role=role,
        **kw,
    )
