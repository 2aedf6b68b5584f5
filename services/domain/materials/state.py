"""The material record inside a project's state: samples, reports, concrete batches, alerts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict

from services.domain.ledger import EventRef


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
    status: str = "valid"
    """valid | replaced | revoked"""
    replaces: str | None = None
    replaced_by: str | None = None
    verdict: str | None = None
    """qtrail's own evaluation, once sealed: pass | fail | invalid."""
    evaluation: EventRef | None = None
    ref: EventRef


class ConcreteBatch(BaseModel):
    model_config = ConfigDict(frozen=True)

    batch_id: str
    grade: str
    closed_by: EventRef
    verdict: str | None = None
    evaluation: EventRef | None = None


class Alert(BaseModel):
    """Something a regulator must see: a failed test, a counterfeit signal, a broken procedure."""

    model_config = ConfigDict(frozen=True)

    alert_id: str
    kind: str
    severity: str
    """info | warning | critical"""
    events: list[str]
    message_zh: str
    message_en: str
    raised_at: dt.datetime
    blocking: bool = True
    """Blocks completion acceptance until resolved."""
    resolved_by: EventRef | None = None
    resolution: str | None = None
