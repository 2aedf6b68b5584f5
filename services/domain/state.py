"""What is known of one project at a point of its chain: the state types every rule reads.

They sit below the areas' rules and folds (parties, quality, corrections, materials.facts,
completion) and ``handler``, which all read the state, and below ``project.fold``/``project.decide``,
which dispatch to them.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict

from events.acceptance import IMPLICIT_UNIT
from events.materials import MATERIAL_NAMES
from services.domain.chain import GENESIS
from services.domain.ledger import (
    Accident,
    Correction,
    EventRef,
    Lab,
    Nonconformance,
    Party,
    Witness,
)

# ----------------------------------------------------------------------------- materials


class ReportStatus(StrEnum):
    VALID = "valid"
    REPLACED = "replaced"
    REVOKED = "revoked"


class Verdict(StrEnum):
    """qtrail's own evaluation of a report or a concrete batch."""

    PASS = "pass"
    FAIL = "fail"
    INVALID = "invalid"
    """The measurements cannot be evaluated by the standard (missing values, an invalid group)."""


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class PlaqueStatus(StrEnum):
    VALID = "valid"
    REVOKED = "revoked"


class Sample(BaseModel):
    model_config = ConfigDict(frozen=True)

    sample_id: str
    material: str
    grade: str
    diameter_mm: float | None = None
    batch_id: str
    building_part: str
    witnessed: bool
    witness_name: str | None = None
    sampler_name: str
    seal_code: str
    taken_at: dt.datetime
    ref: EventRef
    received: bool = False
    seal_ok: bool | None = None
    replaces: str | None = None
    replaced_by: str | None = None
    received_by: str | None = None
    """The lab that received it (its code): the sample is in that lab's custody from then on."""
    disposed: EventRef | None = None
    """Recorded lost or damaged: it needs no report and counts as no sampling."""
    disposal_cause: str | None = None

    @property
    def current(self) -> bool:
        """Taken, not re-taken by another sample, not disposed of: it must have a result."""
        return self.replaced_by is None and self.disposed is None


class Report(BaseModel):
    model_config = ConfigDict(frozen=True)

    report_number: str
    sample_id: str
    lab_code: str
    tested_on: dt.date
    measurements: dict[str, Any]
    lab_conclusion: str
    status: ReportStatus = ReportStatus.VALID
    replaces: str | None = None
    replaced_by: str | None = None
    verdict: Verdict | None = None
    """qtrail's own evaluation, once sealed."""
    evaluation: EventRef | None = None
    stage: str | None = None
    """``preliminary`` when qtrail's evaluation judged only what was known so far (a 3-day cement
    report: the 28-day report completes it); ``final`` otherwise; None when not evaluated."""
    ref: EventRef


class Sampling(BaseModel):
    """How many samplings a closed lot or batch had against how many its standard asks for."""

    model_config = ConfigDict(frozen=True)

    standard: str
    counted: int
    required: int
    short: list[str] = []
    """Each rule the count falls short of, with its clause and figure."""


class ConcreteBatch(BaseModel):
    model_config = ConfigDict(frozen=True)

    batch_id: str
    grade: str
    closed_by: EventRef
    verdict: Verdict | None = None
    evaluation: EventRef | None = None
    volume_m3: float | None = None
    mixes: int | None = None
    working_shifts: int | None = None
    floors: int | None = None
    continuous_pour: bool = False
    sampling: Sampling | None = None
    """None for a batch closed by a v1 record, which stated nothing to check the count against."""


class MaterialLot(BaseModel):
    """A closed rebar or cement lot (检验批): every sample has a result or a disposal."""

    model_config = ConfigDict(frozen=True)

    lot_id: str
    material: str
    grade: str
    diameter_mm: float | None = None
    quantity_t: float
    packaging: str | None = None
    closed_by: EventRef
    sampling: Sampling


class DispositionStep(BaseModel):
    """One step of a failure's disposal, by the party entitled to it."""

    model_config = ConfigDict(frozen=True)

    step: str
    """``retest``, ``in_situ``, ``design_check``, ``repair_plan`` or ``re_acceptance``."""
    outcome: str
    detail: str
    ref: EventRef
    reports: list[str] = []
    """The reports the step rests on (a re-test's, an in-situ test's)."""


class Disposition(BaseModel):
    """The disposal of a failed lot or batch (GB 50300-2013 §5.0.6): every failure alert about it
    and the steps taken, until one closes them all."""

    model_config = ConfigDict(frozen=True)

    disposition_id: str
    """The id of the alert that opened it."""
    subject: str
    """``material:lot``, e.g. ``concrete:B-4F``: what failed, and what every step applies to."""
    material: str
    lot_id: str
    opened: EventRef
    alerts: list[str]
    steps: list[DispositionStep] = []
    closed_by: EventRef | None = None
    closed_how: str | None = None


class Alert(BaseModel):
    """Something a regulator must see: a failed test, a counterfeit signal, a broken procedure."""

    model_config = ConfigDict(frozen=True)

    alert_id: str
    kind: str
    severity: Severity
    events: list[str]
    message_zh: str
    message_en: str
    raised_at: dt.datetime
    blocking: bool = True
    """Blocks completion acceptance until resolved."""
    resolved_by: EventRef | None = None
    resolution: str | None = None
    requires_disposal: bool = False
    """A material failure: closed only through its disposal (GB 50300-2013 §5.0.6), never by a
    free-text ``alert_resolved``."""
    subject: str | None = None
    """``material:lot`` of a failure: its disposal covers every failure alert of that subject."""
    closes_with: str | None = None
    """The fact (type without version) that alone resolves it, e.g. an overdue repair's
    ``qtrail.warranty.defect_repaired``: ``alert_resolved`` cannot."""


# ----------------------------------------------------------------------------- completion


class Completion(BaseModel):
    model_config = ConfigDict(frozen=True)

    accepted_on: dt.date
    started_on: dt.date
    ref: EventRef
    unit_id: str = IMPLICIT_UNIT


class WarrantyTerm(BaseModel):
    """One part's warranty in a building: from its acceptance for ``years``."""

    model_config = ConfigDict(frozen=True)

    part: str
    years: int


class Warranty(BaseModel):
    """The building's warranty certificate (质量保修书), as issued."""

    model_config = ConfigDict(frozen=True)

    issued_on: dt.date
    terms: list[WarrantyTerm]
    repair_days: int
    evidence: str
    ref: EventRef


class InspectionLot(BaseModel):
    """An accepted inspection lot (检验批), the bottom of the acceptance hierarchy."""

    model_config = ConfigDict(frozen=True)

    lot_code: str
    building_part: str
    ref: EventRef
    subitem: str | None = None
    """``unit/division/sub-item`` of the sub-item it was accepted into: a lot makes one only."""


class AcceptedSubitem(BaseModel):
    """分项工程, accepted from its inspection lots (GB 50300-2013 §5.0.2)."""

    model_config = ConfigDict(frozen=True)

    division: str
    subitem: str
    inspection_lots: list[str]
    accepted_on: dt.date
    record: str
    ref: EventRef


class AcceptedDivision(BaseModel):
    """分部工程, accepted from its sub-items and signed by the leads §6.0.3 calls for."""

    model_config = ConfigDict(frozen=True)

    division: str
    subitems: list[str]
    accepted_on: dt.date
    lead_signatures: dict[str, str]
    record: str
    ref: EventRef


class DwellingInspection(BaseModel):
    """The latest per-dwelling result (分户验收): a failed dwelling is inspected again later."""

    model_config = ConfigDict(frozen=True)

    passed: bool
    issues: list[str] = []
    inspected_on: dt.date
    ref: EventRef


class AcceptanceNotice(BaseModel):
    """The owner's notice to the supervision station of a planned completion acceptance."""

    model_config = ConfigDict(frozen=True)

    planned_on: dt.date
    filed_on: dt.date
    station: str
    evidence: str
    ref: EventRef


# ----------------------------------------------------------------------------- supervision


class FilingStatus(StrEnum):
    PENDING = "pending"
    """Registered, the station has not answered: only appointments are sealed."""
    ACCEPTED = "accepted"
    REFUSED = "refused"
    EXPIRED = "expired"
    """Nobody accepted it in time: like a refusal, the project id is free to register again."""
    LEGACY = "legacy"
    """Registered before registrations named their station: read as filed, by any station."""


class Filing(BaseModel):
    """The project's quality-supervision filing (质量监督注册) with its station."""

    model_config = ConfigDict(frozen=True)

    station: str | None
    division: str | None
    """The site's administrative division (GB/T 2260), which decides whose jurisdiction it is in."""
    status: FilingStatus
    filing_number: str | None = None
    accepted_on: dt.date | None = None
    supervisors: list[str] = []
    answered: EventRef | None = None
    """The station's acceptance or refusal, or qtrail's record that it lapsed."""

    @property
    def open(self) -> bool:
        """Whether facts other than appointments may be sealed."""
        return self.status in (FilingStatus.ACCEPTED, FilingStatus.LEGACY)

    @property
    def lapsed(self) -> bool:
        return self.status in (FilingStatus.REFUSED, FilingStatus.EXPIRED)


class Deadline(BaseModel):
    """Something due by a day: met by a fact, or missed (recorded by qtrail's sweep)."""

    model_config = ConfigDict(frozen=True)

    deadline_id: str
    kind: str
    subject: str
    due_on: dt.date
    opened: EventRef
    met: EventRef | None = None
    missed: EventRef | None = None

    @property
    def pending(self) -> bool:
        return self.met is None and self.missed is None


class Inspection(BaseModel):
    model_config = ConfigDict(frozen=True)

    inspection_id: str
    inspected_on: dt.date
    checked: list[str]
    findings: list[str]
    ref: EventRef


class RectificationStatus(StrEnum):
    OPEN = "open"
    """Issued (or re-issued): the party's report is due."""
    REPORTED = "reported"
    """The party reported; the station's verification is due."""
    CLOSED = "closed"


class Rectification(BaseModel):
    """A rectification notice (整改通知单) through its rounds: issue, report, verification."""

    model_config = ConfigDict(frozen=True)

    notice_id: str
    addressed_to: str
    items: list[str]
    issued_on: dt.date
    due_on: dt.date
    round: int = 1
    status: RectificationStatus = RectificationStatus.OPEN
    ref: EventRef
    steps: list[EventRef] = []
    last_step_on: dt.date | None = None
    """The day of its latest step (the report, or the verification that re-issued it): the
    next step is dated no earlier."""


class StopOrder(BaseModel):
    """A stop-work order (停工通知), in force until lifted."""

    model_config = ConfigDict(frozen=True)

    order_id: str
    scope: str
    parts: list[str]
    reason: str
    ordered_on: dt.date
    ref: EventRef
    lifted: EventRef | None = None
    resumed_on: dt.date | None = None


class Attendance(BaseModel):
    model_config = ConfigDict(frozen=True)

    attended_on: dt.date
    opinion: str
    remarks: str | None = None
    ref: EventRef


class UnitFiling(BaseModel):
    """The completion filing (竣工验收备案) or the archive handover of a building."""

    model_config = ConfigDict(frozen=True)

    number: str
    on: dt.date
    by: str
    """Who received it: the filing authority, or the archive's name."""
    ref: EventRef


class UnitProject(BaseModel):
    """One building (单位工程): accepted on its own, with its own plaque and warranty.

    A chain from before buildings were registered reads as one implicit unit, the whole project
    (``registered`` None)."""

    model_config = ConfigDict(frozen=True)

    unit_id: str
    name: str
    housing: bool = False
    dwellings: list[str] = []
    divisions: list[str] = []
    floors_above: int | None = None
    floors_below: int = 0
    floor_area_m2: float | None = None
    registered: EventRef | None = None
    subitems: dict[str, AcceptedSubitem] = {}
    """By ``division/sub-item``."""
    divisions_accepted: dict[str, AcceptedDivision] = {}
    """By division."""
    dwelling_results: dict[str, DwellingInspection] = {}
    """The latest result of each inspected dwelling, by dwelling."""
    notice: AcceptanceNotice | None = None
    """The latest notice to the supervision station (a later one re-schedules)."""
    warranty: Warranty | None = None
    completion: Completion | None = None
    attendance: Attendance | None = None
    """The station's latest attendance at the completion acceptance, with its opinion."""
    completion_filing: UnitFiling | None = None
    archive: UnitFiling | None = None

    @property
    def implicit(self) -> bool:
        return self.registered is None


class Plaque(BaseModel):
    model_config = ConfigDict(frozen=True)

    serial: int
    code: str
    url: str
    fields: dict[str, Any]
    """As issued, in the current version's shape (a v1 plaque's upcast)."""
    status: PlaqueStatus = PlaqueStatus.VALID
    issued: EventRef
    revoked_reason: str | None = None
    replaced_by: int | None = None
    installed_place: str | None = None
    installed_on: dt.date | None = None
    unit_id: str = IMPLICIT_UNIT
    """The building it is for: serials are project-wide, each building's plaque its own."""


class DefectStatus(StrEnum):
    OPEN = "open"
    """Reported, or its repair disputed: the builder owes a repair."""
    REPAIRED = "repaired"
    """The builder reported the repair; the reporter has not confirmed it yet."""
    CONFIRMED = "confirmed"


class Defect(BaseModel):
    """A defect reported in a completed building, under warranty or not, until its repair is
    confirmed. Nothing personal: a public reporter's contact stays off the chain."""

    model_config = ConfigDict(frozen=True)

    defect_id: str
    unit_id: str
    dwelling: str | None = None
    part: str
    description: str
    reported_on: dt.date
    source: str
    public_report: str | None = None
    in_warranty: bool
    """Reported within the part's warranty period: the builder owes the repair (art. 41)."""
    repair_due: dt.date | None = None
    """The day the repair is due (the certificate's ``repair_days`` on); None out of warranty."""
    status: DefectStatus = DefectStatus.OPEN
    repaired_on: dt.date | None = None
    reported: EventRef
    steps: list[EventRef] = []
    """Repairs and confirmations or disputes, in order."""
    reported_by: str | None = None
    """The role that filed it (``owner`` for a verified public report)."""
    warranty_ends: dt.date | None = None
    """The last day in warranty of its part in this building."""
    repaired_by: str | None = None
    """The organization that reported the latest repair: it never confirms its own repair."""
    reopened_on: dt.date | None = None
    """The day the latest repair was disputed: a new repair comes no earlier."""
    confirmed_on: dt.date | None = None
    overdue: EventRef | None = None
    """The overdue fact that flagged the current ``repair_due``; None again once repaired."""


class Complaint(BaseModel):
    """A complaint about a building's quality, as recorded (the complainant stays off the chain)."""

    model_config = ConfigDict(frozen=True)

    complaint_id: str
    unit_id: str | None = None
    received_on: dt.date
    subject: str
    against_role: str | None = None
    lodged_by_role: str
    lodged_by_org: str
    lodged: EventRef
    handled: EventRef | None = None
    handled_on: dt.date | None = None
    handled_by_role: str | None = None
    outcome: str | None = None
    response: str | None = None


class Finding(BaseModel):
    """A finding of responsibility (追责): the party and the lead who led it when the work was
    done, named from the ledger (the lead by name and period, the ID number stays in the ledger)."""

    model_config = ConfigDict(frozen=True)

    finding_id: str
    role: str
    org_name: str
    org_code: str
    lead_name: str
    lead_start: dt.datetime
    lead_end: dt.datetime | None = None
    work_done_at: dt.datetime
    subject: str
    relates_to: list[str] = []
    measures: list[str]
    legal_basis: str
    decided_on: dt.date
    decision: str
    found_by: str
    """The supervision station's organization code."""
    ref: EventRef


class ProjectProfile(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    address: str
    permit_number: str
    use: str
    structure_type: str
    design_life_years: int
    planned_start: dt.date
    planned_finish: dt.date
    floor_area_m2: float


SNAPSHOT_VERSION = 12
"""Bump when ProjectState's shape changes: stored snapshots of other versions are rebuilt by replay."""


class ProjectState(BaseModel):
    """What is known of one project at a point of its chain."""

    model_config = ConfigDict(frozen=True)

    snapshot_version: int = SNAPSHOT_VERSION
    project_id: str
    seq: int = 0
    head: str = GENESIS.hex()
    registered_at: dt.datetime | None = None
    registered_by: EventRef | None = None
    owner_org: str | None = None
    profile: ProjectProfile | None = None
    filing: Filing | None = None
    parties: dict[str, Party] = {}
    witnesses: dict[str, Witness] = {}
    """By the id of the event that authorized the witness (never by a personal ID number)."""
    labs: dict[str, Lab] = {}
    nonconformances: dict[str, Nonconformance] = {}
    accidents: dict[str, Accident] = {}
    corrections: list[Correction] = []
    samples: dict[str, Sample] = {}
    reports: dict[str, Report] = {}
    concrete_batches: dict[str, ConcreteBatch] = {}
    material_lots: dict[str, MaterialLot] = {}
    """Closed rebar and cement lots, by ``material:lot``."""
    alerts: dict[str, Alert] = {}
    dispositions: dict[str, Disposition] = {}
    """Disposals of failures, by the id of the alert that opened each."""
    inspection_lots: dict[str, InspectionLot] = {}
    """Accepted inspection lots, by lot code."""
    units: dict[str, UnitProject] = {}
    """Buildings by unit id; the implicit unit ``IMPLICIT_UNIT`` for an old chain's completion."""
    completion: Completion | None = None
    """The first building's completion: the project's trail runs on after it, for life."""
    plaques: dict[str, Plaque] = {}
    """By serial (as text: JSON object keys)."""
    defects: dict[str, Defect] = {}
    """Defects reported after completion, by defect id."""
    complaints: dict[str, Complaint] = {}
    """Quality complaints, by complaint id."""
    findings: dict[str, Finding] = {}
    """Findings of responsibility (追责), by finding id."""
    deadlines: dict[str, Deadline] = {}
    """What is due by a day (the station's answer, re-filings, rectifications, filings)."""
    inspections: dict[str, Inspection] = {}
    rectifications: dict[str, Rectification] = {}
    stop_orders: dict[str, StopOrder] = {}
    evidence: list[str] = []
    """Every evidence hash the trail references, sorted."""
    counts: dict[str, int] = {}

    @property
    def registered(self) -> bool:
        return self.registered_at is not None


# ----------------------------------------------------------------------------- what a lot lacks

LOTS_TO_CLOSE = ("concrete", "rebar", "cement")
"""Materials whose lots are closed by a fact of their own (a concrete batch, a rebar or cement
lot): completion waits for every lot of them that has a sample."""


def lot_key(material: str, lot_id: str) -> str:
    return f"{material}:{lot_id}"


def lot_names(material: str, lot_id: str) -> tuple[str, str]:
    """A lot's name in Chinese and English: a concrete batch (验收批), or another material's lot."""
    zh, en = MATERIAL_NAMES.get(material, (material, material))
    if material == "concrete":
        return f"混凝土验收批 {lot_id}", f"concrete batch {lot_id}"
    return f"{zh}检验批 {lot_id}", f"{en} lot {lot_id}"


def lot_closed(state: ProjectState, material: str, lot_id: str) -> bool:
    if material == "concrete":
        return lot_id in state.concrete_batches
    return lot_key(material, lot_id) in state.material_lots


class ResultGap(NamedTuple):
    """Why a sample lacks a complete result."""

    preliminary: bool
    """It has a preliminary result only (a 3-day cement report)."""
    why: str


def result_gap(state: ProjectState, sample: Sample) -> ResultGap | None:
    """Why a current sample has no complete result yet (None: it has one, or needs none).

    A complete result is a valid report that is not preliminary: a 3-day cement report waits
    for the 28-day report."""
    if not sample.current:
        return None
    valid = sorted(
        (
            r
            for r in state.reports.values()
            if r.sample_id == sample.sample_id and r.status == ReportStatus.VALID
        ),
        key=lambda r: r.ref.seq,
    )
    if any(r.stage != "preliminary" for r in valid):
        return None
    if valid:
        numbers = ", ".join(r.report_number for r in valid)
        return ResultGap(
            True, f"only the preliminary (3-day) report {numbers}; the 28-day report completes it"
        )
    others = sorted(
        (r for r in state.reports.values() if r.sample_id == sample.sample_id),
        key=lambda r: r.ref.seq,
    )
    if others:
        said = ", ".join(f"{r.report_number} was {r.status}" for r in others)
        return ResultGap(False, f"its report {said}")
    if not sample.received:
        return ResultGap(False, "not received by a lab, no report")
    return ResultGap(False, "received by the lab, no report")
