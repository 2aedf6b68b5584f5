"""What is known of one project at a point of its chain: the state types every rule reads.

They sit below the areas' rules and folds (parties, quality, corrections, materials.facts,
completion) and ``handler``, which all read the state, and below ``project.fold``/``project.decide``,
which dispatch to them.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

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
    ref: EventRef


class ConcreteBatch(BaseModel):
    model_config = ConfigDict(frozen=True)

    batch_id: str
    grade: str
    closed_by: EventRef
    verdict: Verdict | None = None
    evaluation: EventRef | None = None


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


# ----------------------------------------------------------------------------- completion


class Completion(BaseModel):
    model_config = ConfigDict(frozen=True)

    accepted_on: dt.date
    started_on: dt.date
    ref: EventRef


class Plaque(BaseModel):
    model_config = ConfigDict(frozen=True)

    serial: int
    code: str
    url: str
    fields: dict[str, Any]
    status: PlaqueStatus = PlaqueStatus.VALID
    issued: EventRef
    revoked_reason: str | None = None
    replaced_by: int | None = None
    installed_place: str | None = None
    installed_on: dt.date | None = None


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


SNAPSHOT_VERSION = 5
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
    alerts: dict[str, Alert] = {}
    completion: Completion | None = None
    plaques: dict[str, Plaque] = {}
    """By serial (as text: JSON object keys)."""
    evidence: list[str] = []
    """Every evidence hash the trail references, sorted."""
    counts: dict[str, int] = {}

    @property
    def registered(self) -> bool:
        return self.registered_at is not None
