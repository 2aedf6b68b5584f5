"""``qtrail demo``: a realistic sample project, posted through the public HTTP API with real keys.

Event ids derive from the project and the step, so running the demo again changes nothing. Keys for
the demo organizations are created once and kept in <state dir>/demo-keys.json (development only).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

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
from events.aftercare import (
    ComplaintHandled,
    ComplaintLodged,
    DefectRepaired,
    DefectReported,
    RepairConfirmed,
)
from events.base import PARTY_ROLES, EventData, Person
from events.completion import CompletionAccepted, PlaqueInstalled
from events.materials import (
    AlertResolved,
    ConcreteBatchClosed,
    DesignChecked,
    InSituTested,
    Location,
    LotClosed,
    Measurement,
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
    InspectionLotAccepted,
    NonconformanceClosed,
    NonconformanceRaised,
    NonconformanceRectified,
)
from events.supervision import FilingAccepted
from services.adapters.postgres.keys import KeyStore
from services.adapters.postgres.pool import open_pool
from services.domain.access import KeyKind
from services.domain.calendar import china_day
from services.domain.divisions import division as division_rule
from services.factories import Actor, envelope, id_number, org_code
from services.settings import Mode, Settings

STORY_VERSION = 5
"""Bumped whenever the story changes: event ids derive from the project and the step, so a stack
that heard an earlier story tells the new one as a new project instead of colliding with it."""
DEMO_PROJECT = f"XZ-DEMO-2026-{STORY_VERSION:04d}"
REPORTS = f"XJ-2025-{STORY_VERSION}-"
"""The lab's report numbers, unique across projects as real ones are (a reused one is refused)."""


ORGS = {
    "owner": ("徐州云龙置业有限公司", org_code(1)),
    "survey": ("江苏徐州岩土勘察院有限公司", org_code(2)),
    "design": ("徐州市建筑设计研究院有限责任公司", org_code(3)),
    "construction": ("江苏淮海建设集团有限公司", org_code(4)),
    "supervision": ("徐州正信工程监理有限公司", org_code(5)),
    "lab": ("徐州市建设工程检测中心有限公司", org_code(6)),
    "regulator": ("徐州市建设工程质量安全监督站", org_code(7)),
}
LEADS = {
    "owner": ("王建国", "建设单位项目负责人"),
    "survey": ("赵立岩", "注册土木工程师（岩土）"),
    "design": ("孙明远", "一级注册结构工程师"),
    "construction": ("李振华", "一级注册建造师"),
    "supervision": ("周正平", "注册监理工程师"),
}


def pdf(title: str) -> bytes:
    """A small, valid PDF standing in for a scanned document."""
    text = title.encode("ascii", "replace")
    stream = b"BT /F1 18 Tf 40 100 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out


@dataclass
class Story:
    """The demo's events in order, with the evidence files they reference."""

    start: dt.datetime
    events: list[tuple[str, dict[str, Any], bool]] = field(default_factory=list)
    """(acting role, envelope, expected to be sealed)"""
    files: dict[str, bytes] = field(default_factory=dict)

    def evidence(self, title: str) -> str:
        content = pdf(title)
        digest = hashlib.sha256(content).hexdigest()
        self.files[digest] = content
        return digest

    def add(
        self,
        role: str,
        data: EventData,
        day: float,
        *,
        person: str | None = None,
        sealed: bool = True,
    ) -> None:
        step = len(self.events) + 1
        actor = Actor(ORGS[role][1], person or LEADS.get(role, ("检测员",))[0], role)
        at = self.start + dt.timedelta(days=day)
        body = envelope(
            data,
            DEMO_PROJECT,
            actor,
            at,
            event_id=f"demo-{DEMO_PROJECT}-{step:04d}",
            source="qtrail-demo",
        )
        self.events.append((role, body, sealed))


def _lead(role: str, serial: int, name: str | None = None) -> Person:
    lead_name, qualification = LEADS[role]
    return Person(
        name=name or lead_name,
        id_number=id_number(serial),
        registration_number=f"苏{320000 + serial:06d}",
        qualification=qualification,
    )


def story(now: dt.datetime) -> Story:
    s = Story(start=now - dt.timedelta(days=400))
    s.add(
        "owner",
        ProjectRegistered(
            name="徐州市鼓楼区云龙湖畔花园 1#、2# 住宅楼",
            address="江苏省徐州市鼓楼区云龙湖路 88 号",
            permit_number="320302202501150101",
            use="住宅 residential",
            structure_type="框架-剪力墙 frame-shear wall",
            design_life_years=50,
            planned_start=(s.start + dt.timedelta(days=30)).date(),
            planned_finish=(s.start + dt.timedelta(days=700)).date(),
            floor_area_m2=18650.4,
            station=ORGS["regulator"][1],
            division="320302",  # 徐州市鼓楼区
        ),
        0,
    )
    filed = 0.25
    s.add(
        "regulator",
        FilingAccepted(
            filing_number=f"JD-{DEMO_PROJECT}",
            accepted_on=china_day(s.start + dt.timedelta(days=filed)),
            supervisors=["陈监督"],
        ),
        filed,
        person="陈监督",
    )
    buildings_registered(s)
    for n, role in enumerate(PARTY_ROLES, 1):
        s.add(
            "owner",
            PartyAppointed(
                role=role,
                org_name=ORGS[role][0],
                org_code=ORGS[role][1],
                lead=_lead(role, n),
                authorization_evidence=s.evidence(f"authorization {role} lead {n}"),
                effective_from=(s.start + dt.timedelta(days=1)),
            ),
            1,
        )
        s.add(
            role,
            CommitmentSigned(
                role=role,
                lead_id_number=id_number(n),
                signed_on=(s.start + dt.timedelta(days=2)).date(),
                evidence=s.evidence(f"lifelong commitment {role} lead {n}"),
            ),
            2,
        )
    s.add(
        "owner",
        LabCommissioned(
            lab_name=ORGS["lab"][0],
            lab_code=ORGS["lab"][1],
            qualification_certificate="苏建检字第 0032 号",
            scope=["混凝土", "钢筋", "水泥"],
            evidence=s.evidence("lab commission contract"),
        ),
        5,
    )
    s.add(
        "supervision",
        WitnessAuthorized(
            witness=_person("钱见证", 40, "监 0451"),
            witness_org_code=ORGS["supervision"][1],
            scope=["混凝土试块", "钢筋", "水泥"],
            evidence=s.evidence("witness authorization"),
        ),
        5,
    )
    for n, part in enumerate(
        ["1号楼 基础筏板", "1号楼 地下室墙柱", "1号楼 1层梁板", "1号楼 2层梁板"], 1
    ):
        s.add(
            "construction",
            InspectionLotAccepted(
                lot_code=f"JYP-{n:03d}",
                building_part=part,
                items=["钢筋安装", "模板安装", "混凝土浇筑"],
                construction_signer="刘质检",
                supervision_signer=LEADS["supervision"][0],
            ),
            30 * n,
        )
    s.add(
        "construction",
        InspectionLotAccepted(
            lot_code="JYP-005",
            building_part="1号楼 3层梁板",
            items=["钢筋安装"],
            construction_signer="刘质检",
            supervision_signer=None,
        ),
        140,
        sealed=False,
    )  # refused: the supervision signature is missing
    s.add(
        "supervision",
        NonconformanceRaised(
            nonconformance_id="NC-001",
            building_part="2层梁板 KL3",
            description="梁底保护层厚度不足",
            severity="major",
            blocking=True,
            evidence=[s.evidence("nonconformance photo")],
        ),
        121,
    )
    s.add(
        "construction",
        NonconformanceRectified(
            nonconformance_id="NC-001",
            action="凿除后重新支模浇筑，保护层实测合格",
        ),
        128,
    )
    s.add(
        "supervision",
        NonconformanceClosed(
            nonconformance_id="NC-001",
            verdict="复查合格，同意关闭",
        ),
        130,
    )
    s.add(
        "construction",
        LeadChanged(
            role="construction",
            new_lead=_lead("construction", 9, name="陈志强"),
            effective_at=(s.start + dt.timedelta(days=250)),
            reason="原项目经理工作调动",
            authorization_evidence=s.evidence("authorization construction lead 9"),
        ),
        250,
    )
    s.add(
        "construction",
        CommitmentSigned(
            role="construction",
            lead_id_number=id_number(9),
            signed_on=(s.start + dt.timedelta(days=250)).date(),
            evidence=s.evidence("lifelong commitment construction lead 9"),
        ),
        250.5,
    )
    for n, part in enumerate(["1号楼 3层梁板", "1号楼 4层梁板", "1号楼 屋面"], 5):
        s.add(
            "construction",
            InspectionLotAccepted(
                lot_code=f"JYP-{n:03d}",
                building_part=part,
                items=["钢筋安装", "混凝土浇筑"],
                construction_signer="刘质检",
                supervision_signer=LEADS["supervision"][0],
            ),
            240 + 20 * n,
        )
    materials_and_completion(s)
    return s


# ----------------------------------------------------------------------------- the two buildings

BUILDINGS = {
    "B1": ("1号楼", ["1-0101", "1-0102", "1-0201", "1-0202", "1-0301", "1-0302"]),
    "B2": ("2号楼", ["2-0101", "2-0102", "2-0201", "2-0202", "2-0301", "2-0302"]),
}
SUBITEMS = {
    "foundation": "筏形与箱形基础",
    "main_structure": "混凝土结构",
    "decoration": "抹灰",
    "roof": "卷材防水层",
    "plumbing_heating": "室内给水系统",
    "electrical": "电气照明",
    "energy": "围护系统节能",
}
"""Each building's divisions (GB 50300-2013 Appendix B), each with one sub-item in the story."""
B1_ACCEPTED, B2_ACCEPTED = 385, 392
"""The days the two buildings pass completion acceptance."""


def buildings_registered(s: Story) -> None:
    for unit, (name, dwellings) in BUILDINGS.items():
        s.add(
            "owner",
            UnitRegistered(
                unit_id=unit,
                name=name,
                housing=True,
                dwellings=dwellings,
                divisions=list(SUBITEMS),
                floors_above=6,
                floors_below=1,
                floor_area_m2=9325.2,
            ),
            0.5,
        )


def lot(s: Story, code: str, part: str, day: float) -> None:
    s.add(
        "construction",
        InspectionLotAccepted(
            lot_code=code,
            building_part=part,
            items=["主控项目", "一般项目"],
            construction_signer="刘质检",
            supervision_signer=LEADS["supervision"][0],
        ),
        day,
    )


def subitem(s: Story, unit: str, division_name: str, lots: list[str], day: float) -> None:
    s.add(
        "supervision",
        SubitemAccepted(
            unit_id=unit,
            division=division_name,
            subitem=SUBITEMS[division_name],
            inspection_lots=lots,
            accepted_on=(s.start + dt.timedelta(days=day)).date(),
            record=s.evidence(f"{unit} {division_name} sub-item record"),
        ),
        day,
    )


def division(s: Story, unit: str, division_name: str, day: float) -> None:
    """Signed by the leads GB 50300-2013 §6.0.3 calls for this division."""
    signers = division_rule(division_name).signers
    s.add(
        "supervision",
        DivisionAccepted(
            unit_id=unit,
            division=division_name,
            subitems=[SUBITEMS[division_name]],
            accepted_on=(s.start + dt.timedelta(days=day)).date(),
            lead_signatures={
                r: s.evidence(f"{unit} {division_name} signature {r}") for r in signers
            },
            record=s.evidence(f"{unit} {division_name} division record"),
        ),
        day,
    )


def buildings_accepted(s: Story) -> None:
    """Both buildings through their sub-items and divisions (1号楼's foundation under 李振华, the
    rest after the handover), every dwelling inspected (1-0302 fails and passes its
    re-inspection), the warranty certificates, and the station told of each acceptance three
    weeks ahead. 1号楼's main structure waits for B-4F's disposal."""
    subitem(s, "B1", "foundation", ["JYP-001", "JYP-002"], 100)
    division(s, "B1", "foundation", 101)
    subitem(s, "B1", "main_structure", ["JYP-003", "JYP-004", "JYP-005", "JYP-006"], 362)
    subitem(s, "B1", "roof", ["JYP-007"], 381)
    division(s, "B1", "roof", 381.5)
    lot(s, "2-JYP-001", "2号楼 基础筏板", 40)
    subitem(s, "B2", "foundation", ["2-JYP-001"], 110)
    division(s, "B2", "foundation", 111)
    lot(s, "2-JYP-002", "2号楼 1–3层梁板", 200)
    lot(s, "2-JYP-003", "2号楼 4层梁板至屋面", 300)
    subitem(s, "B2", "main_structure", ["2-JYP-002", "2-JYP-003"], 330)
    division(s, "B2", "main_structure", 331)
    lot(s, "2-JYP-004", "2号楼 屋面", 340)
    subitem(s, "B2", "roof", ["2-JYP-004"], 345)
    division(s, "B2", "roof", 345.5)
    finishes = ["decoration", "plumbing_heating", "electrical", "energy"]
    for n, division_name in enumerate(finishes):
        for unit, (name, _) in BUILDINGS.items():
            code = f"{unit}-{division_name}-01"
            lot(s, code, f"{name} {SUBITEMS[division_name]}", 350 + 4 * n)
            subitem(s, unit, division_name, [code], 351 + 4 * n)
            division(s, unit, division_name, 352 + 4 * n)
    failed = DwellingResult(dwelling="1-0302", passed=False, issues=["卫生间地面闭水试验渗漏"])
    for unit, (_, dwellings) in BUILDINGS.items():
        s.add(
            "supervision",
            DwellingsAccepted(
                unit_id=unit,
                inspected_on=(s.start + dt.timedelta(days=370)).date(),
                results=[
                    failed if d == failed.dwelling else DwellingResult(dwelling=d, passed=True)
                    for d in dwellings
                ],
                record=s.evidence(f"{unit} per-dwelling acceptance records"),
            ),
            370,
        )
    s.add(
        "supervision",
        DwellingsAccepted(
            unit_id="B1",
            inspected_on=(s.start + dt.timedelta(days=376)).date(),
            results=[DwellingResult(dwelling="1-0302", passed=True)],
            record=s.evidence("B1 1-0302 re-inspection record"),
        ),
        376,
    )
    for unit in BUILDINGS:
        s.add(
            "construction",
            WarrantyIssued(
                unit_id=unit,
                issued_on=(s.start + dt.timedelta(days=378)).date(),
                terms=[
                    WarrantyTerm(part="foundation_structure"),  # the design life, 50 years
                    WarrantyTerm(part="waterproofing", years=5),
                    WarrantyTerm(part="heating_cooling", seasons=2),
                    WarrantyTerm(part="electrical_plumbing", years=2),
                    WarrantyTerm(part="decoration", years=2),
                ],
                repair_days=14,
                evidence=s.evidence(f"{unit} warranty certificate"),
            ),
            378,
        )
    for unit, accepted in (("B1", B1_ACCEPTED), ("B2", B2_ACCEPTED)):
        told = accepted - 21
        s.add(
            "owner",
            AcceptanceNoticeFiled(
                unit_id=unit,
                planned_on=(s.start + dt.timedelta(days=accepted)).date(),
                filed_on=(s.start + dt.timedelta(days=told)).date(),
                station=ORGS["regulator"][0],
                evidence=s.evidence(f"{unit} station receipt of the acceptance notice"),
            ),
            told,
        )


def building_completion(s: Story, unit: str, day: int) -> CompletionAccepted:
    signatures = {role: s.evidence(f"{unit} completion signature {role}") for role in LEADS}
    return CompletionAccepted(
        unit_id=unit,
        accepted_on=(s.start + dt.timedelta(days=day)).date(),
        started_on=(s.start + dt.timedelta(days=30)).date(),
        lead_signatures=signatures,
        acceptance_record=s.evidence(f"{unit} completion acceptance report"),
    )


PASSING_GROUPS = [
    [37.2, 38.0, 39.1],
    [36.5, 37.9, 38.4],
    [39.0, 40.2, 38.8],
    [35.9, 37.1, 36.6],
    [38.3, 39.5, 40.0],
    [37.7, 36.9, 38.1],
    [40.1, 39.2, 38.7],
    [36.8, 38.2, 37.5],
    [38.9, 37.6, 39.9],
    [37.4, 38.8, 36.7],
]
BENDS = {"bend_ok": True, "reverse_bend_ok": True}
"""HRB400E is accepted on its bend and reverse bend tests too (GB/T 1499.2-2018)."""
FAILING_GROUP_VALUES = [
    33.6,
    38.1,
    28.9,
    30.6,
    35.3,
    36.1,
    34.2,
    33.3,
    31.7,
    29.8,
]  # GB/T 50107 example


def _person(name: str, serial: int, registration: str | None = None) -> Person:
    return Person(name=name, id_number=id_number(serial), registration_number=registration)


def materials_and_completion(s: Story) -> None:
    """Witnessed samples and lab reports for concrete, rebar and cement, every batch and lot closed
    with its quantities; a failing batch, a reused report number and an unwitnessed sample, each
    caught; a cement's 3-day report completed by its 28-day report; an early completion refused
    and the owner's written dismissal of the failure refused; the failing batch disposed of by
    core drilling and the design unit's check (GB 50300-2013 §5.0.6); then the real completion,
    which issues the plaque."""
    witness = _person("钱见证", 40, "监 0451")

    def take(
        sample_id: str,
        day: float,
        material: str,
        grade: str,
        batch: str,
        *,
        witnessed: bool = True,
        diameter: float | None = None,
        replaces: str | None = None,
    ) -> None:
        s.add(
            "construction",
            SampleTaken(
                sample_id=sample_id,
                material=material,
                grade=grade,
                diameter_mm=diameter,
                batch_id=batch,
                batch_quantity="100 m³" if material == "concrete" else "60 t",
                building_part="3层梁板" if batch != "B-4F" else "4层梁板",
                sampler=_person("孙取样", 41),
                witness=witness if witnessed else None,
                seal_code=f"FY-{sample_id}",
                taken_at=(s.start + dt.timedelta(days=day)),
                location=Location(latitude=34.2617, longitude=117.1859, accuracy_m=4.0),
                photos=[s.evidence(f"sample photo {sample_id}")],
                replaces_sample_id=replaces,
            ),
            day,
        )
        s.add(
            "lab",
            SampleReceived(
                sample_id=sample_id,
                seal_code_seen=f"FY-{sample_id}",
                received_at=(s.start + dt.timedelta(days=day + 0.2)),
            ),
            day + 0.2,
            person="周收样",
        )

    def report(
        number: str,
        sample_id: str,
        day: float,
        values: dict[str, Any],
        *,
        sealed: bool = True,
        replaces: str | None = None,
    ) -> None:
        units = {
            "specimen_mpa": "MPa",
            "group_mpa": "MPa",
            "yield_mpa": "MPa",
            "tensile_mpa": "MPa",
            "agt_pct": "%",
            "elongation_pct": "%",
            "mass_kg_per_m": "kg/m",
            "soundness_ok": "-",
            "bend_ok": "-",
            "reverse_bend_ok": "-",
        }
        measurements = [
            Measurement(name=k, value=v, unit=units.get(k, "MPa" if k.endswith("_mpa") else "min"))
            for k, v in values.items()
        ]
        s.add(
            "lab",
            TestReported(
                report_number=number,
                lab_code=ORGS["lab"][1],
                sample_id=sample_id,
                tested_on=(s.start + dt.timedelta(days=day)).date(),
                measurements=measurements,
                lab_conclusion="pass",
                report_evidence=s.evidence(f"report {number}"),
                replaces_report_number=replaces,
            ),
            day,
            person="吴检测",
            sealed=sealed,
        )

    def close_batch(batch_id: str, day: float) -> None:
        # 960 m³ in 410 mixes over 5 shifts on one floor: §7.4.1 asks for 10 samplings (per 100 m³)
        s.add(
            "supervision",
            ConcreteBatchClosed(
                batch_id=batch_id,
                grade="C30",
                volume_m3=960.0,
                mixes=410,
                working_shifts=5,
                floors=1,
            ),
            day,
        )

    for n, group in enumerate(PASSING_GROUPS, 1):
        take(f"HNT-3F-{n:02d}", 150 + n, "concrete", "C30", "B-3F")
        report(f"{REPORTS}H{n:03d}", f"HNT-3F-{n:02d}", 180 + n, {"specimen_mpa": group})
    close_batch("B-3F", 195)
    for n, value in enumerate(FAILING_GROUP_VALUES, 1):
        take(f"HNT-4F-{n:02d}", 200 + n, "concrete", "C30", "B-4F")
        report(f"{REPORTS}H{100 + n:03d}", f"HNT-4F-{n:02d}", 230 + n, {"group_mpa": value})
    close_batch("B-4F", 245)
    take("GJ-01", 160, "rebar", "HRB400E", "GJ-2025-01", diameter=20)
    report(
        f"{REPORTS}G001",
        "GJ-01",
        163,
        {**BENDS, "yield_mpa": 455, "tensile_mpa": 610, "agt_pct": 11.0, "mass_kg_per_m": 2.43},
    )
    s.add(
        "supervision",
        LotClosed(
            lot_id="GJ-2025-01", material="rebar", grade="HRB400E", diameter_mm=20, quantity_t=58
        ),
        164,
    )
    take("SN-01", 170, "cement", "P.O 42.5", "SN-2025-01", witnessed=False)
    take("SN-02", 171, "cement", "P.O 42.5", "SN-2025-01", replaces="SN-01")
    early = {
        "compressive_3d_mpa": 21.0,
        "flexural_3d_mpa": 4.5,
        "initial_set_min": 150,
        "final_set_min": 240,
        "soundness_ok": True,
    }
    # The 3-day report is preliminary: the lot closes only once the 28-day report completes it.
    report(f"{REPORTS}S001", "SN-02", 174, early)
    report(
        f"{REPORTS}S002",
        "SN-02",
        199,
        {**early, "compressive_28d_mpa": 47.0, "flexural_28d_mpa": 7.2},
        replaces=f"{REPORTS}S001",
    )
    s.add(
        "supervision",
        LotClosed(
            lot_id="SN-2025-01",
            material="cement",
            grade="P.O 42.5",
            quantity_t=180,
            packaging="bagged",
        ),
        200,
    )
    # A second report under a number already used: caught as a suspected counterfeit.
    take("GJ-02", 260, "rebar", "HRB400E", "GJ-2025-02", diameter=20)
    gj02 = {**BENDS, "yield_mpa": 455, "tensile_mpa": 610, "agt_pct": 11.0, "mass_kg_per_m": 2.44}
    report(f"{REPORTS}G001", "GJ-02", 262, gj02, sealed=False)
    report(f"{REPORTS}G002", "GJ-02", 263, gj02)  # the lab's own number: accepted
    s.add(
        "supervision",
        LotClosed(
            lot_id="GJ-2025-02", material="rebar", grade="HRB400E", diameter_mm=20, quantity_t=45
        ),
        264,
    )
    completion = building_completion(s, "B1", B1_ACCEPTED)
    buildings_accepted(s)
    # B-4F's failure is not disposed of, so 1号楼's main structure is not accepted either
    s.add("owner", completion, 384, sealed=False)
    failure = "evaluation_failed:B-4F"
    s.add(  # refused: a material failure is never closed by a written resolution
        "owner",
        AlertResolved(alert_id=failure, resolution="业主同意验收 / the owner accepts the batch"),
        384.1,
        sealed=False,
    )
    s.add(  # GB 50300-2013 §5.0.6: in-situ testing by the commissioned lab ...
        "lab",
        InSituTested(
            alert_id=failure,
            report_number=f"{REPORTS}XC01",
            lab_code=ORGS["lab"][1],
            method="core_drilling",
            standard="GB/T 50784-2013",
            building_part="4层梁板 / 4th-floor beams and slabs",
            result="芯样推定强度 28.6 MPa，低于 C30 / core strength 28.6 MPa, below C30",
            meets_design=False,
            report_evidence=s.evidence("core drilling report B-4F"),
        ),
        384.2,
        person="吴检测",
    )
    s.add(  # ... then the original design unit's written check (item 3)
        "design",
        DesignChecked(
            alert_id=failure,
            meets_safety_and_use=True,
            basis="按芯样推定强度 28.6 MPa 复核 4 层梁板承载力、裂缝和挠度，均满足结构安全和使用功能 / "
            "capacity, cracking and deflection rechecked at 28.6 MPa: safety and use are met",
            evidence=[s.evidence("design check B-4F")],
        ),
        384.5,
    )
    # ... so the structure is accepted now, and 1号楼 with it
    division(s, "B1", "main_structure", 384.6)
    s.add("owner", completion, B1_ACCEPTED)
    s.add("owner", building_completion(s, "B2", B2_ACCEPTED), B2_ACCEPTED)
    s.add(
        "owner",
        PlaqueInstalled(
            serial=1,
            place="1号楼东侧主入口 / 1号楼, main entrance, east side",
            installed_on=(s.start + dt.timedelta(days=395)).date(),
            photos=[s.evidence("plaque installed photo")],
        ),
        395,
    )
    after_completion(s)


def after_completion(s: Story) -> None:
    """The lifelong half begins: a leak in 1号楼 reported under warranty, repaired by the builder
    and confirmed; a complaint about 2号楼 received by the station and handled."""

    def on(day: float) -> dt.date:
        return (s.start + dt.timedelta(days=day)).date()

    s.add(
        "owner",
        DefectReported(
            defect_id="WX-2026-001",
            unit_id="B1",
            dwelling="1-0302",
            part="waterproofing",
            description="卫生间地面渗漏至楼下顶棚 / bathroom floor leaks into the ceiling below",
            reported_on=on(396),
            source="party",
            photos=[s.evidence("leak photo 1-0302")],
        ),
        396,
    )
    s.add(
        "regulator",
        ComplaintLodged(
            complaint_id="TS-2026-001",
            unit_id="B2",
            received_on=on(396.5),
            subject="2号楼北侧外墙雨后渗水 / 2号楼, north wall lets rain in",
            against_role="construction",
        ),
        396.5,
        person="质监站受理员",
    )
    s.add(
        "construction",
        DefectRepaired(
            defect_id="WX-2026-001",
            repaired_on=on(397),
            action="重做卫生间防水层，闭水试验 48 小时无渗漏 / waterproofing redone, 48 h water test dry",
            evidence=[s.evidence("repair record 1-0302")],
        ),
        397,
        person="陈志强",
    )
    s.add(
        "owner",
        RepairConfirmed(
            defect_id="WX-2026-001", confirmed_on=on(398), accepted=True, note="住户确认无渗漏"
        ),
        398,
    )
    s.add(
        "regulator",
        ComplaintHandled(
            complaint_id="TS-2026-001",
            handled_on=on(399),
            outcome="upheld",
            response="责令施工单位修复北侧外墙，复查合格 / the builder was ordered to repair; re-inspected",
            evidence=[s.evidence("complaint handling record TS-2026-001")],
        ),
        399,
        person="质监站监督员",
    )


async def demo_tokens(settings: Settings) -> dict[str, str]:
    """API keys of the demo organizations: reused while valid, created when missing."""
    if settings.mode is not Mode.DEVELOPMENT:
        raise RuntimeError("the demo creates keys and runs in development mode only")
    path = Path(settings.state_dir) / "demo-keys.json"
    saved: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    # Keys are an administrator's act.
    async with open_pool(settings, "migrator", max_size=2) as pool:
        store = KeyStore(pool)
        tokens = {}
        for role, (_, code) in ORGS.items():
            token = saved.get(role)
            if token is None or await store.authenticate(token) is None:
                kind = {"lab": KeyKind.LAB, "regulator": KeyKind.REGULATOR}.get(role, KeyKind.PARTY)
                token = (await store.create(code, kind, f"demo {role}"))[1]
            tokens[role] = token
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(tokens, indent=2))
    path.chmod(0o600)
    return tokens


def demo_clock(settings: Settings) -> dt.datetime:
    """The moment the demo was first told, kept in the state folder: the story's dates (and so
    every event's digest) stay the same when it is told again on another day."""
    path = Path(settings.state_dir) / "demo-told-at.txt"
    if path.exists():
        return dt.datetime.fromisoformat(path.read_text().strip())
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(now.isoformat())
    return now


async def run_demo(base_url: str, settings: Settings) -> int:
    tokens = await demo_tokens(settings)
    s = story(demo_clock(settings))

    def auth(role: str) -> dict[str, str]:
        return {"authorization": f"Bearer {tokens[role]}"}

    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        for digest, content in s.files.items():
            answer = await client.put(
                f"/v1/evidence/{digest}",
                content=content,
                headers={"content-type": "application/pdf"} | auth("owner"),
            )
            if answer.status_code not in (200, 201):
                print(f"demo: evidence upload failed: {answer.status_code} {answer.text}")
                return 1
        for role, event, expect_sealed in s.events:
            answer = await client.post(
                "/v1/events",
                params={"wait": 10},
                json=event,
                headers={"content-type": "application/cloudevents+json"} | auth(role),
            )
            body = answer.json()
            status = body.get("status")
            if status != ("sealed" if expect_sealed else "rejected"):
                print(f"demo: {event['type']} unexpected answer {answer.status_code} {body}")
                return 1
            shown = (
                f"sealed #{body['seq']}"
                if status == "sealed"
                else f"rejected: {body['reason']['code']}"
            )
            print(f"  {role:<13} {event['type']:<45} {shown}")
        regulator = auth("regulator")
        verify = (await client.get(f"/v1/projects/{DEMO_PROJECT}/verify", headers=regulator)).json()
        state = (await client.get(f"/v1/projects/{DEMO_PROJECT}", headers=regulator)).json()
        plaque = state["plaques"].get("1")
        png = None
        if plaque is not None:
            for _ in range(100):  # the plaque agent renders the files off the request path
                answer = await client.get(f"/v1/plaques/{plaque['code']}.png")
                if answer.status_code == 200:
                    png = Path(settings.plaque_root()) / "demo-plaque.png"
                    png.write_bytes(answer.content)
                    break
                await asyncio.sleep(0.2)
    print(
        f"demo project {DEMO_PROJECT}: {verify['length']} events, chain ok={verify['ok']}, "
        f"archive complete={state['archive']['complete']}"
    )
    for each in state["plaques"].values():
        print(f"  plaque page ({each.get('unit_id', '')}): {each['url']}")
    if plaque is not None:
        print(f"  plaque PNG:  {png if png else '(still rendering: GET /v1/plaques/<code>.png)'}")
    print(f"  regulator key (development only): {tokens['regulator']}")
    print(f"  state:       {base_url}/v1/projects/{DEMO_PROJECT}")
    print(f"  responsible: {base_url}/v1/projects/{DEMO_PROJECT}/responsible?role=construction")
    print(f"  trail:       {base_url}/v1/projects/{DEMO_PROJECT}/trail")
    print(f"  verify:      {base_url}/v1/projects/{DEMO_PROJECT}/verify")
    print(
        f"  e.g. curl -H 'authorization: Bearer {tokens['regulator']}' "
        f"{base_url}/v1/projects/{DEMO_PROJECT}/verify"
    )
    return 0 if verify["ok"] else 1
