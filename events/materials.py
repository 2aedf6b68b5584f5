"""Facts about witnessed sampling and material testing (见证取样, 住建部令第57号).

Article 20 asks to choose test parameters that reveal fake and inferior material: so a sample
carries who took and who witnessed it, where and under which seal; a report carries the raw
measurements, not only the lab's conclusion, so qtrail can evaluate them itself.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, get_args

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from events.base import CreditCode, EventData, Person, Sha256Hex, ShortText, Text

Material = Literal[
    "concrete",
    "mortar",
    "rebar",
    "rebar_splice",
    "brick",
    "cement",
    "admixture",
    "waterproofing",
    "other",
]
"""Material categories; all but 'other' must be witnessed (建建[2000]211号)."""

MANDATORY_WITNESSED: frozenset[str] = frozenset(get_args(Material)) - {"other"}
"""The materials that must be witnessed: every category of ``Material`` but 'other'."""

Unit = Literal["MPa", "%", "kg/m", "min", "mm", "d", "-"]


class Location(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    accuracy_m: float | None = Field(default=None, ge=0, description="GPS 精度（米）/ accuracy")


class Measurement(BaseModel):
    """One raw value as the lab measured it, with its unit."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: ShortText = Field(
        description="参数 / parameter, e.g. specimen_mpa, yield_mpa, mass_kg_per_m"
    )
    value: float | bool | list[float] = Field(description="测得值 / measured value(s)")
    unit: Unit


class SampleTaken(EventData):
    """取样: a sample is taken on site, sealed, and (for mandatory materials) witnessed."""

    event_type = "qtrail.materials.sample_taken.v1"

    sample_id: ShortText = Field(description="样品编号 / sample id, unique in the project")
    material: Material = Field(description="材料类别 / material category")
    grade: ShortText = Field(
        description="强度等级或牌号规格 / grade or specification, e.g. C30, HRB400E, P.O 42.5"
    )
    diameter_mm: float | None = Field(
        default=None, gt=0, description="钢筋公称直径 / bar diameter (rebar)"
    )
    batch_id: ShortText = Field(
        description="检验批或验收批 / lot or acceptance batch the sample represents"
    )
    batch_quantity: ShortText = Field(
        description="代表数量 / quantity represented, e.g. 100 m³, 60 t"
    )
    building_part: Text = Field(description="使用部位 / part of the building")
    sampler: Person = Field(description="取样人 / who took the sample")
    witness: Person | None = Field(description="见证人 / the witness (None: not witnessed)")
    seal_code: ShortText = Field(description="封样标识 / seal or label code on the sample")
    taken_at: AwareDatetime
    location: Location | None = Field(default=None, description="取样位置 / phone GPS")
    photos: list[Sha256Hex] = Field(
        default_factory=list, max_length=20, description="取样照片 / photos"
    )
    replaces_sample_id: ShortText | None = Field(
        default=None, description="重新取样时被替代的样品 / the sample this one re-takes"
    )


class SampleReceived(EventData):
    """收样: the lab receives the sample and checks its seal against the record."""

    event_type = "qtrail.materials.sample_received.v1"

    sample_id: ShortText
    seal_code_seen: ShortText = Field(description="实收封样标识 / the seal code the lab read")
    received_at: AwareDatetime


class TestReported(EventData):
    """检测报告: the lab reports the raw measurements and its own conclusion."""

    event_type = "qtrail.materials.test_reported.v1"
    __test__ = False  # not a pytest test class

    report_number: ShortText = Field(description="报告编号 / report number")
    lab_code: CreditCode = Field(description="检测机构 / the lab's code")
    sample_id: ShortText
    tested_on: dt.date = Field(description="检测日期 / test date")
    measurements: list[Measurement] = Field(min_length=1, max_length=100)
    lab_conclusion: Literal["pass", "fail"] = Field(
        description="检测结论 / the lab's own conclusion"
    )
    report_evidence: Sha256Hex | None = Field(
        default=None, description="报告文件 / the signed report PDF"
    )
    replaces_report_number: ShortText | None = Field(
        default=None, description="替代的报告编号 / the report this one replaces"
    )


class ReportRevoked(EventData):
    """报告作废: the lab revokes a report."""

    event_type = "qtrail.materials.report_revoked.v1"

    report_number: ShortText
    reason: Text


class ConcreteBatchClosed(EventData):
    """混凝土验收批结束: the batch is complete; qtrail evaluates it by GB/T 50107."""

    event_type = "qtrail.materials.concrete_batch_closed.v1"

    batch_id: ShortText
    grade: ShortText = Field(description="强度等级 / grade, e.g. C30")
    sigma0_mpa: float | None = Field(
        default=None,
        gt=0,
        description="已知标准差 σ0（统计方法一）/ known sigma0, when production is stable",
    )


class MaterialEvaluated(EventData):
    """材料评定 (system): qtrail's evaluation of a report or a batch, with every criterion."""

    event_type = "qtrail.materials.evaluated.v1"

    subject_kind: Literal["report", "concrete_batch"]
    subject_id: ShortText = Field(description="报告编号或验收批 / report number or batch id")
    material: Material
    standard: ShortText
    rule_table: ShortText
    verdict: Literal["pass", "fail", "invalid"]
    method: str | None = None
    n: int | None = None
    checks: list[dict[str, Any]] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    reasons: list[str] = Field(default_factory=list)
    values: dict[str, Any] = Field(default_factory=dict)
    caused_by: str = Field(description="触发评定的事件 / the event id this evaluation follows from")


class AlertResolved(EventData):
    """预警处理: the owner or supervision records how an alert was resolved."""

    event_type = "qtrail.materials.alert_resolved.v1"

    alert_id: ShortText
    resolution: Text
    evidence: list[Sha256Hex] = Field(default_factory=list, max_length=20)
