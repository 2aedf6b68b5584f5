"""CloudEvents for tests, built from the catalog's typed models (``services.factories``).

``event`` builds a raw envelope from a dict, for the tests that need one the catalog refuses.
Identifiers are generated with their check algorithms, never real ones.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from events.acceptance import (
    AcceptanceNoticeFiled,
    DivisionAccepted,
    DwellingResult,
    DwellingsAccepted,
    SubitemAccepted,
    UnitRegistered,
    WarrantyIssued,
    WarrantyTerm,
)
from events.base import EventData
from events.completion import CompletionAccepted
from events.correction import RecordCorrected
from events.materials import (
    AlertResolved,
    ConcreteBatchClosed,
    DesignChecked,
    InSituTested,
    Location,
    LotClosed,
    Measurement,
    RepairAccepted,
    RepairPlanned,
    ReportRevoked,
    RetestConcluded,
    SampleDisposed,
    SampleReceived,
    SampleTaken,
    TestReported,
)
from events.party import (
    CommitmentSigned,
    LabCommissioned,
    LeadChanged,
    PartyAppointed,
    WitnessAuthorized,
)
from events.project import ProjectRegistered
from events.quality import (
    AccidentReported,
    InspectionLotAccepted,
    NonconformanceClosed,
    NonconformanceRaised,
    NonconformanceRectified,
)
from events.supervision import FilingAccepted
from services.domain.calendar import china_day
from services.domain.divisions import division as division_rule
from services.domain.divisions import warranty_parts
from services.factories import Actor, envelope, id_number, lead_person, org_code, person, sha

__all__ = ["id_number", "org_code", "person", "sha"]

STRUCTURED = {"content-type": "application/cloudevents+json"}
T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


OWNER = org_code(101)
SURVEY = org_code(102)
DESIGN = org_code(103)
CONSTRUCTION = org_code(104)
SUPERVISION = org_code(105)
LAB = org_code(106)
STRANGER = org_code(199)
STATION = org_code(150)
"""A supervision station (质量监督站): a regulator key's organization."""
DIVISION = "320311"
"""The test projects' site: 徐州市泉山区 (GB/T 2260), in ``STATION``'s jurisdiction."""
FILED_AFTER = dt.timedelta(minutes=1)
"""How long after a registration the test station accepts its filing."""
ORGS = {
    "owner": OWNER,
    "survey": SURVEY,
    "design": DESIGN,
    "construction": CONSTRUCTION,
    "supervision": SUPERVISION,
}
LEADS = {
    role: {"name": f"{role}负责人", "id_number": id_number(n)} for n, role in enumerate(ORGS, 1)
}


def event(
    project: str,
    event_type: str,
    data: dict[str, Any],
    *,
    at: dt.datetime | None = None,
    event_id: str | None = None,
    org: str = OWNER,
    role: str = "owner",
    person: str = "测试人",
) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": event_id or f"evt-{uuid.uuid4()}",
        "source": "tests",
        "type": event_type,
        "subject": project,
        "time": (at or dt.datetime.now(dt.UTC)).isoformat(),
        "actororg": org,
        "actorperson": person,
        "actorrole": role,
        "data": data,
    }


def fact(
    project: str,
    data: EventData,
    *,
    at: dt.datetime | None = None,
    event_id: str | None = None,
    org: str = OWNER,
    role: str = "owner",
    person: str = "测试人",
) -> dict[str, Any]:
    """The envelope of a typed fact, as a site app posts it."""
    return envelope(
        data,
        project,
        Actor(org, person, role),
        at or dt.datetime.now(dt.UTC),
        event_id=event_id,
        source="tests",
    )


def registration(
    project: str,
    *,
    at: dt.datetime = T0,
    station: str | None = STATION,
    division: str | None = DIVISION,
    **kw: Any,
) -> dict[str, Any]:
    """A registration naming ``STATION``: the project is pending until the station accepts it
    (``filing_accepted``; ``opened`` gives both)."""
    return fact(
        project,
        ProjectRegistered(
            name=f"测试工程 {project}",
            address="江苏省徐州市",
            permit_number=f"PERMIT-{project}",
            use="住宅",
            structure_type="框架",
            design_life_years=50,
            planned_start=dt.date(2026, 1, 1),
            planned_finish=dt.date(2027, 12, 31),
            floor_area_m2=1000.0,
            station=station,
            division=division,
        ),
        at=at,
        **kw,
    )


def filing_accepted(
    project: str, *, at: dt.datetime = T0 + FILED_AFTER, station: str = STATION, **kw: Any
) -> dict[str, Any]:
    """The station accepts the project's supervision filing."""
    return fact(
        project,
        FilingAccepted(
            filing_number=f"JD-{project}"[:120],
            accepted_on=china_day(at),
            supervisors=["监督员甲"],
        ),
        at=at,
        org=station,
        role="regulator",
        person="监督员甲",
        **kw,
    )


def opened(project: str, *, at: dt.datetime = T0, **kw: Any) -> list[dict[str, Any]]:
    """A registration and the station's acceptance of its filing: a project open for facts."""
    return [registration(project, at=at, **kw), filing_accepted(project, at=at + FILED_AFTER)]


def appointment(
    project: str,
    role: str,
    *,
    at: dt.datetime = T0 + dt.timedelta(days=1),
    org: str | None = None,
    lead: dict[str, Any] | None = None,
    **kw: Any,
) -> dict[str, Any]:
    lead = lead or LEADS[role]
    return fact(
        project,
        PartyAppointed(
            role=role,
            org_name=f"{role} 单位有限公司",
            org_code=org or ORGS[role],
            lead=lead_person(role, lead["name"], lead["id_number"]),
            authorization_evidence=sha(f"auth-{project}-{role}-{lead['id_number']}"),
            effective_from=at,
        ),
        at=at,
        **kw,
    )


def lead_change(
    project: str, role: str, name: str, number: str, *, at: dt.datetime, **kw: Any
) -> dict[str, Any]:
    kw.setdefault("org", ORGS[role])
    kw.setdefault("role", role)
    return fact(
        project,
        LeadChanged(
            role=role,
            new_lead=lead_person(role, name, number),
            effective_at=at,
            reason="工作调动",
            authorization_evidence=sha(f"auth-{project}-{role}-{number}"),
        ),
        at=at,
        **kw,
    )


def commitment(
    project: str, role: str, number: str, *, at: dt.datetime, **kw: Any
) -> dict[str, Any]:
    kw.setdefault("org", ORGS[role])
    kw.setdefault("role", role)
    return fact(
        project,
        CommitmentSigned(
            role=role,
            lead_id_number=number,
            signed_on=at.date(),
            evidence=sha(f"commit-{project}-{number}"),
        ),
        at=at,
        **kw,
    )


def lot(project: str, n: int, *, at: dt.datetime | None = None, **kw: Any) -> dict[str, Any]:
    kw.setdefault("org", CONSTRUCTION)
    kw.setdefault("role", "construction")
    return fact(
        project,
        InspectionLotAccepted(
            lot_code=f"LOT-{n:05d}",
            building_part=f"第 {n} 批",
            items=["钢筋安装"],
            construction_signer="质检员甲",
            supervision_signer="监理工程师乙",
        ),
        at=at or T0 + dt.timedelta(days=2, seconds=n),
        **kw,
    )


def staffed(
    project: str, roles: tuple[str, ...] = tuple(ORGS), *, commit: bool = True
) -> list[dict[str, Any]]:
    """Registration, appointments of ``roles`` and (optionally) every lead's commitment, in order."""
    events = opened(project)
    events += [appointment(project, role) for role in roles]
    if commit:
        events += [
            commitment(
                project, role, LEADS[role]["id_number"], at=T0 + dt.timedelta(days=1, hours=1)
            )
            for role in roles
        ]
    return events


WITNESS_ID = id_number(60)
"""The witness the materials builders name; authorize it first (see ``witness_authorized``)."""


def witness_authorized(
    project: str, *, at: dt.datetime = T0 + dt.timedelta(days=2), **kw: Any
) -> dict[str, Any]:
    kw.setdefault("org", SUPERVISION)
    kw.setdefault("role", "supervision")
    return fact(
        project,
        WitnessAuthorized(
            witness=person("见证人", WITNESS_ID),
            witness_org_code=SUPERVISION,
            scope=["混凝土试块", "钢筋", "水泥"],
            evidence=sha(f"witness-{project}"),
        ),
        at=at,
        **kw,
    )


def lab_commissioned(
    project: str, *, lab: str = LAB, at: dt.datetime = T0 + dt.timedelta(days=2), **kw: Any
) -> dict[str, Any]:
    return fact(
        project,
        LabCommissioned(
            lab_name="检测中心",
            lab_code=lab,
            qualification_certificate="苏建检字 0032",
            scope=["混凝土", "钢筋", "水泥"],
            evidence=sha(f"lab-{project}-{lab}"),
        ),
        at=at,
        **kw,
    )


def sample(
    project: str,
    sample_id: str,
    *,
    material: str = "concrete",
    grade: str = "C30",
    batch: str = "B1",
    witnessed: bool = True,
    seal: str | None = None,
    diameter: float | None = None,
    at: dt.datetime = T0 + dt.timedelta(days=3),
    replaces: str | None = None,
    **kw: Any,
) -> dict[str, Any]:
    kw.setdefault("org", CONSTRUCTION)
    kw.setdefault("role", "construction")
    return fact(
        project,
        SampleTaken(
            sample_id=sample_id,
            material=material,
            grade=grade,
            diameter_mm=diameter,
            batch_id=batch,
            batch_quantity="100 m³",
            building_part="3层梁板",
            sampler=person("取样员", id_number(61)),
            witness=person("见证人", WITNESS_ID) if witnessed else None,
            seal_code=seal or f"SEAL-{sample_id}",
            taken_at=at,
            location=Location(latitude=34.26, longitude=117.18, accuracy_m=5.0),
            photos=[sha(f"photo-{project}-{sample_id}")],
            replaces_sample_id=replaces,
        ),
        at=at,
        **kw,
    )


def received(
    project: str,
    sample_id: str,
    *,
    seal: str | None = None,
    at: dt.datetime = T0 + dt.timedelta(days=3, hours=4),
    **kw: Any,
) -> dict[str, Any]:
    kw.setdefault("org", LAB)
    kw.setdefault("role", "lab")
    return fact(
        project,
        SampleReceived(
            sample_id=sample_id,
            seal_code_seen=seal or f"SEAL-{sample_id}",
            received_at=at,
        ),
        at=at,
        **kw,
    )


def reported(
    project: str,
    number: str,
    sample_id: str,
    measurements: dict[str, Any],
    *,
    conclusion: str = "pass",
    at: dt.datetime = T0 + dt.timedelta(days=31),
    replaces: str | None = None,
    **kw: Any,
) -> dict[str, Any]:
    kw.setdefault("org", LAB)
    kw.setdefault("role", "lab")
    units = {
        "_mpa": "MPa",
        "_pct": "%",
        "_kg_per_m": "kg/m",
        "_min": "min",
        "_ok": "-",
        "straightened": "-",
    }
    rows = [
        Measurement(
            name=name,
            value=value,
            unit=next((u for suffix, u in units.items() if name.endswith(suffix)), "-"),
        )
        for name, value in measurements.items()
    ]
    return fact(
        project,
        TestReported(
            report_number=number,
            lab_code=kw["org"],
            sample_id=sample_id,
            tested_on=at.date(),
            measurements=rows,
            lab_conclusion=conclusion,
            replaces_report_number=replaces,
        ),
        at=at,
        **kw,
    )


def batch_closed(
    project: str,
    batch: str,
    *,
    grade: str = "C30",
    sigma0: float | None = None,
    volume: float = 100.0,
    mixes: int = 50,
    shifts: int = 1,
    floors: int = 1,
    continuous: bool = False,
    at: dt.datetime = T0 + dt.timedelta(days=40),
    **kw: Any,
) -> dict[str, Any]:
    """A concrete batch's closing (v2). By default 100 m³, 50 mixes, one shift, one floor: one
    sampling is enough (GB 50204-2015 §7.4.1)."""
    kw.setdefault("org", SUPERVISION)
    kw.setdefault("role", "supervision")
    return fact(
        project,
        ConcreteBatchClosed(
            batch_id=batch,
            grade=grade,
            sigma0_mpa=sigma0,
            volume_m3=volume,
            mixes=mixes,
            working_shifts=shifts,
            floors=floors,
            continuous_pour=continuous,
        ),
        at=at,
        **kw,
    )


def lot_closed(
    project: str,
    lot: str,
    *,
    material: str = "rebar",
    grade: str = "HRB400E",
    diameter: float | None = 20,
    quantity: float = 50.0,
    packaging: str | None = None,
    at: dt.datetime = T0 + dt.timedelta(days=40),
    **kw: Any,
) -> dict[str, Any]:
    """A rebar (default: HRB400E Ø20, 50 t) or cement lot's closing."""
    kw.setdefault("org", SUPERVISION)
    kw.setdefault("role", "supervision")
    if material == "cement":
        diameter, packaging = None, packaging or "bagged"
    return fact(
        project,
        LotClosed(
            lot_id=lot,
            material=material,
            grade=grade,
            diameter_mm=diameter,
            quantity_t=quantity,
            packaging=packaging,
        ),
        at=at,
        **kw,
    )


def sample_disposed(
    project: str,
    sample_id: str,
    *,
    cause: str = "lost",
    at: dt.datetime = T0 + dt.timedelta(days=20),
    **kw: Any,
) -> dict[str, Any]:
    kw.setdefault("org", SUPERVISION)
    kw.setdefault("role", "supervision")
    return fact(
        project,
        SampleDisposed(
            sample_id=sample_id,
            cause=cause,
            description="标养室搬运中试块掉落碎裂，监理现场见证",
            evidence=[sha(f"disposal-{project}-{sample_id}")],
        ),
        at=at,
        **kw,
    )


def retest_concluded(
    project: str,
    alert_id: str,
    numbers: list[str],
    *,
    outcome: str = "pass",
    at: dt.datetime = T0 + dt.timedelta(days=46),
    **kw: Any,
) -> dict[str, Any]:
    kw.setdefault("org", LAB)
    kw.setdefault("role", "lab")
    return fact(
        project,
        RetestConcluded(alert_id=alert_id, report_numbers=numbers, outcome=outcome),
        at=at,
        **kw,
    )


def in_situ_tested(
    project: str,
    alert_id: str,
    number: str,
    *,
    meets_design: bool = True,
    method: str = "core_drilling",
    result: str = "芯样推定强度 31.2 MPa",
    at: dt.datetime = T0 + dt.timedelta(days=46),
    **kw: Any,
) -> dict[str, Any]:
    kw.setdefault("org", LAB)
    kw.setdefault("role", "lab")
    return fact(
        project,
        InSituTested(
            alert_id=alert_id,
            report_number=number,
            lab_code=kw["org"],
            method=method,
            standard="GB/T 50784-2013" if method == "core_drilling" else "JGJ/T 23-2011",
            building_part="4层梁板",
            result=result,
            meets_design=meets_design,
            report_evidence=sha(f"in-situ-{project}-{number}"),
        ),
        at=at,
        **kw,
    )


def design_checked(
    project: str,
    alert_id: str,
    *,
    meets: bool = True,
    at: dt.datetime = T0 + dt.timedelta(days=47),
    **kw: Any,
) -> dict[str, Any]:
    kw.setdefault("org", DESIGN)
    kw.setdefault("role", "design")
    return fact(
        project,
        DesignChecked(
            alert_id=alert_id,
            meets_safety_and_use=meets,
            basis="按芯样推定强度 28.6 MPa 复核梁板承载力和挠度，满足设计要求",
            evidence=[sha(f"design-check-{project}-{alert_id}")],
        ),
        at=at,
        **kw,
    )


def repair_planned(
    project: str,
    alert_id: str,
    *,
    kind: str = "rework",
    at: dt.datetime = T0 + dt.timedelta(days=47),
    **kw: Any,
) -> dict[str, Any]:
    kw.setdefault("org", CONSTRUCTION)
    kw.setdefault("role", "construction")
    return fact(
        project,
        RepairPlanned(
            alert_id=alert_id,
            kind=kind,
            plan="凿除后按原设计重新浇筑",
            evidence=[sha(f"repair-plan-{project}-{alert_id}")],
        ),
        at=at,
        **kw,
    )


def repair_accepted(
    project: str, alert_id: str, *, at: dt.datetime = T0 + dt.timedelta(days=50), **kw: Any
) -> dict[str, Any]:
    kw.setdefault("org", SUPERVISION)
    kw.setdefault("role", "supervision")
    return fact(
        project,
        RepairAccepted(
            alert_id=alert_id,
            verdict="按方案返工完成，重新验收合格",
            evidence=[sha(f"re-acceptance-{project}-{alert_id}")],
        ),
        at=at,
        **kw,
    )


def alert_resolved(
    project: str, alert_id: str, *, at: dt.datetime = T0 + dt.timedelta(days=45), **kw: Any
) -> dict[str, Any]:
    kw.setdefault("org", SUPERVISION)
    kw.setdefault("role", "supervision")
    return fact(
        project,
        AlertResolved(alert_id=alert_id, resolution="已重新见证取样并复检合格", evidence=[]),
        at=at,
        **kw,
    )


def report_revoked(
    project: str, number: str, *, at: dt.datetime = T0 + dt.timedelta(days=35), **kw: Any
) -> dict[str, Any]:
    kw.setdefault("org", LAB)
    kw.setdefault("role", "lab")
    return fact(
        project,
        ReportRevoked(report_number=number, reason="数据录入错误"),
        at=at,
        **kw,
    )


def completion(
    project: str,
    *,
    unit: str = "B1",
    at: dt.datetime = T0 + dt.timedelta(days=60),
    signed: tuple[str, ...] = tuple(ORGS),
    **kw: Any,
) -> dict[str, Any]:
    """Building ``unit``'s completion: take it through its acceptance first (``accepted_unit``)."""
    return fact(
        project,
        CompletionAccepted(
            unit_id=unit,
            accepted_on=at.date(),
            started_on=(T0 + dt.timedelta(days=2)).date().isoformat(),
            lead_signatures={role: sha(f"signature-{project}-{role}") for role in signed},
            acceptance_record=sha(f"acceptance-{project}"),
        ),
        at=at,
        **kw,
    )


# ----------------------------------------------------------------------------- the acceptance hierarchy

DIVISIONS = ("foundation", "main_structure", "decoration", "roof")
"""A building's divisions unless a test says otherwise: a few, to keep each test short."""
DWELLINGS = ("1-0101", "1-0102", "1-0201")
SUBITEM_NAMES = {
    "foundation": "地基",
    "main_structure": "混凝土结构",
    "decoration": "抹灰",
    "roof": "防水与密封",
    "plumbing_heating": "室内给水系统",
    "ventilation": "送风系统",
    "electrical": "电气照明",
    "intelligent": "综合布线系统",
    "energy": "围护系统节能",
    "elevator": "曳引式电梯安装",
}
"""One sub-item of each division (GB 50300-2013 Appendix B)."""


def unit_registered(
    project: str,
    unit: str = "B1",
    *,
    housing: bool = True,
    dwellings: tuple[str, ...] = DWELLINGS,
    divisions: tuple[str, ...] = DIVISIONS,
    at: dt.datetime = T0 + dt.timedelta(days=5),
    **kw: Any,
) -> dict[str, Any]:
    return fact(
        project,
        UnitRegistered(
            unit_id=unit,
            name=f"{unit}号楼",
            housing=housing,
            dwellings=list(dwellings) if housing else [],
            divisions=list(divisions),
            floors_above=6,
            floors_below=1,
            floor_area_m2=4800.0,
        ),
        at=at,
        **kw,
    )


def unit_lot(project: str, code: str, *, at: dt.datetime, **kw: Any) -> dict[str, Any]:
    """An accepted inspection lot with the code a sub-item names."""
    kw.setdefault("org", CONSTRUCTION)
    kw.setdefault("role", "construction")
    return fact(
        project,
        InspectionLotAccepted(
            lot_code=code,
            building_part=f"{code} 部位",
            items=["主控项目", "一般项目"],
            construction_signer="质检员甲",
            supervision_signer="监理工程师乙",
        ),
        at=at,
        **kw,
    )


def subitem_accepted(
    project: str,
    unit: str,
    division: str,
    lots: list[str],
    *,
    subitem: str | None = None,
    at: dt.datetime,
    **kw: Any,
) -> dict[str, Any]:
    kw.setdefault("org", SUPERVISION)
    kw.setdefault("role", "supervision")
    name = subitem or SUBITEM_NAMES[division]
    return fact(
        project,
        SubitemAccepted(
            unit_id=unit,
            division=division,
            subitem=name,
            inspection_lots=lots,
            accepted_on=at.date(),
            record=sha(f"subitem-{project}-{unit}-{division}-{name}"),
        ),
        at=at,
        **kw,
    )


def division_accepted(
    project: str,
    unit: str,
    division: str,
    *,
    subitems: list[str] | None = None,
    signed: tuple[str, ...] | None = None,
    at: dt.datetime,
    **kw: Any,
) -> dict[str, Any]:
    """Signed by the leads GB 50300-2013 §6.0.3 calls for, unless ``signed`` says otherwise."""
    kw.setdefault("org", SUPERVISION)
    kw.setdefault("role", "supervision")
    roles = signed if signed is not None else division_rule(division).signers
    return fact(
        project,
        DivisionAccepted(
            unit_id=unit,
            division=division,
            subitems=subitems if subitems is not None else [SUBITEM_NAMES[division]],
            accepted_on=at.date(),
            lead_signatures={r: sha(f"division-{project}-{unit}-{division}-{r}") for r in roles},
            record=sha(f"division-{project}-{unit}-{division}"),
        ),
        at=at,
        **kw,
    )


def dwellings_accepted(
    project: str, unit: str, results: dict[str, bool], *, at: dt.datetime, **kw: Any
) -> dict[str, Any]:
    """Per-dwelling results: True passed, False failed (with an issue named)."""
    kw.setdefault("org", SUPERVISION)
    kw.setdefault("role", "supervision")
    return fact(
        project,
        DwellingsAccepted(
            unit_id=unit,
            inspected_on=at.date(),
            results=[
                DwellingResult(dwelling=d, passed=ok, issues=[] if ok else ["卫生间地面渗漏"])
                for d, ok in results.items()
            ],
            record=sha(f"dwellings-{project}-{unit}-{at.isoformat()}"),
        ),
        at=at,
        **kw,
    )


def notice_filed(
    project: str,
    unit: str,
    planned_on: dt.date,
    *,
    at: dt.datetime,
    filed_on: dt.date | None = None,
    **kw: Any,
) -> dict[str, Any]:
    return fact(
        project,
        AcceptanceNoticeFiled(
            unit_id=unit,
            planned_on=planned_on,
            filed_on=filed_on or at.date(),
            station="徐州市建设工程质量安全监督站",
            evidence=sha(f"notice-{project}-{unit}-{planned_on}"),
        ),
        at=at,
        **kw,
    )


def statutory_terms(divisions: tuple[str, ...] = DIVISIONS) -> list[WarrantyTerm]:
    """The Art. 40 minimum of every part a building with ``divisions`` is owed."""
    minimum = {
        "foundation_structure": WarrantyTerm(part="foundation_structure"),
        "waterproofing": WarrantyTerm(part="waterproofing", years=5),
        "heating_cooling": WarrantyTerm(part="heating_cooling", seasons=2),
        "electrical_plumbing": WarrantyTerm(part="electrical_plumbing", years=2),
        "decoration": WarrantyTerm(part="decoration", years=2),
    }
    return [minimum[part] for part in warranty_parts(list(divisions))]


def warranty_issued(
    project: str,
    unit: str,
    *,
    terms: list[WarrantyTerm] | None = None,
    at: dt.datetime,
    **kw: Any,
) -> dict[str, Any]:
    kw.setdefault("org", CONSTRUCTION)
    kw.setdefault("role", "construction")
    return fact(
        project,
        WarrantyIssued(
            unit_id=unit,
            issued_on=at.date(),
            terms=terms if terms is not None else statutory_terms(),
            repair_days=14,
            evidence=sha(f"warranty-{project}-{unit}"),
        ),
        at=at,
        **kw,
    )


def accepted_unit(
    project: str,
    unit: str = "B1",
    *,
    accepted_at: dt.datetime = T0 + dt.timedelta(days=60),
    start: dt.datetime = T0 + dt.timedelta(days=5),
    housing: bool = True,
    dwellings: tuple[str, ...] = DWELLINGS,
    divisions: tuple[str, ...] = DIVISIONS,
    skip: tuple[str, ...] = (),
) -> list[dict[str, Any]]:
    """Building ``unit`` of a staffed project taken through its whole acceptance, ready for its
    completion at ``accepted_at``: registered, one accepted lot per sub-item, one sub-item per
    division, each division signed as §6.0.3 requires, every dwelling passed, the warranty
    certificate, and the station told three weeks ahead. ``skip`` leaves out steps: a division's
    name (its acceptance), ``dwellings``, ``warranty`` or ``notice``."""
    hour = dt.timedelta(hours=1)
    at = start
    events = [
        unit_registered(
            project, unit, housing=housing, dwellings=dwellings, divisions=divisions, at=at
        )
    ]
    for division in divisions:
        code = f"{unit}-{division}-01"
        events.append(unit_lot(project, code, at=(at := at + hour)))
        events.append(subitem_accepted(project, unit, division, [code], at=(at := at + hour)))
        if division not in skip:
            events.append(division_accepted(project, unit, division, at=(at := at + hour)))
    if housing and "dwellings" not in skip:
        events.append(
            dwellings_accepted(project, unit, dict.fromkeys(dwellings, True), at=(at := at + hour))
        )
    if "warranty" not in skip:
        events.append(
            warranty_issued(project, unit, terms=statutory_terms(divisions), at=(at := at + hour))
        )
    told = accepted_at - dt.timedelta(days=21)
    assert told > at, "accepted_at leaves no three weeks for the station's notice"
    if "notice" not in skip:
        events.append(notice_filed(project, unit, accepted_at.date(), at=told))
    return events


def plaque_event(
    project: str,
    fact: str,
    data: dict[str, Any],
    *,
    at: dt.datetime = T0 + dt.timedelta(days=70),
    **kw: Any,
) -> dict[str, Any]:
    return event(project, f"qtrail.plaque.{fact}.v1", data, at=at, **kw)


# Facts the unit tests of the domain build (dated explicitly, never by the wall clock).

DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)


def lab_commission(
    project: str, *, lab: str = LAB, at: dt.datetime = T0 + DAY + HOUR, **kw: Any
) -> dict[str, Any]:
    return fact(
        project,
        LabCommissioned(
            lab_name="测试检测中心",
            lab_code=lab,
            qualification_certificate="CMA-2026-001",
            scope=["混凝土抗压强度"],
            evidence=sha(f"lab-{project}-{lab}"),
        ),
        at=at,
        **kw,
    )


def witness(
    project: str,
    *,
    employer: str = OWNER,
    number: str | None = None,
    at: dt.datetime = T0 + 2 * DAY,
    **kw: Any,
) -> dict[str, Any]:
    number = number or id_number(60)
    return fact(
        project,
        WitnessAuthorized(
            witness=person("见证人", number),
            witness_org_code=employer,
            scope=["钢筋取样"],
            evidence=sha(f"witness-{project}-{number}"),
        ),
        at=at,
        **kw,
    )


def nc_raised(
    project: str, nc_id: str, *, at: dt.datetime = T0 + 2 * DAY, **kw: Any
) -> dict[str, Any]:
    kw.setdefault("org", SUPERVISION)
    kw.setdefault("role", "supervision")
    return fact(
        project,
        NonconformanceRaised(
            nonconformance_id=nc_id,
            building_part="3层梁板",
            description="钢筋保护层厚度不足",
            severity="major",
        ),
        at=at,
        **kw,
    )


def nc_rectified(
    project: str, nc_id: str, *, at: dt.datetime = T0 + 3 * DAY, **kw: Any
) -> dict[str, Any]:
    kw.setdefault("org", CONSTRUCTION)
    kw.setdefault("role", "construction")
    return fact(
        project,
        NonconformanceRectified(nonconformance_id=nc_id, action="凿除重做"),
        at=at,
        **kw,
    )


def nc_closed(
    project: str, nc_id: str, *, at: dt.datetime = T0 + 4 * DAY, **kw: Any
) -> dict[str, Any]:
    kw.setdefault("org", SUPERVISION)
    kw.setdefault("role", "supervision")
    return fact(
        project,
        NonconformanceClosed(nonconformance_id=nc_id, verdict="复查合格"),
        at=at,
        **kw,
    )


def accident(
    project: str, accident_id: str, *, at: dt.datetime = T0 + 2 * DAY, **kw: Any
) -> dict[str, Any]:
    kw.setdefault("org", CONSTRUCTION)
    kw.setdefault("role", "construction")
    return fact(
        project,
        AccidentReported(
            accident_id=accident_id,
            happened_at=at,
            building_part="地下室顶板",
            description="模板支撑失稳",
        ),
        at=at,
        **kw,
    )


def correction(
    project: str,
    corrects: str,
    changes: dict[str, Any],
    *,
    at: dt.datetime = T0 + 5 * DAY,
    **kw: Any,
) -> dict[str, Any]:
    return fact(
        project,
        RecordCorrected(corrects_event_id=corrects, reason="笔误", changes=changes),
        at=at,
        **kw,
    )
