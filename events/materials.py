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

MATERIAL_NAMES: dict[str, tuple[str, str]] = {
    "concrete": ("混凝土", "concrete"),
    "mortar": ("砂浆", "mortar"),
    "rebar": ("钢筋", "rebar"),
    "rebar_splice": ("钢筋接头", "rebar splice"),
    "brick": ("砖和砌块", "brick and block"),
    "cement": ("水泥", "cement"),
    "admixture": ("外加剂", "admixture"),
    "waterproofing": ("防水材料", "waterproofing"),
    "other": ("其他材料", "other material"),
}
"""Each material's name in Chinese and English, for messages."""

if set(MATERIAL_NAMES) != set(get_args(Material)):  # pragma: no cover - one list, two spellings
    raise ImportError("MATERIAL_NAMES must name every Material")

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
    title_zh = "取样"
    title_en = "Sample taken"

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
    title_zh = "收样"
    title_en = "Sample received"

    sample_id: ShortText
    seal_code_seen: ShortText = Field(description="实收封样标识 / the seal code the lab read")
    received_at: AwareDatetime


class TestReported(EventData):
    """检测报告: the lab reports the raw measurements and its own conclusion."""

    event_type = "qtrail.materials.test_reported.v1"
    title_zh = "检测报告"
    title_en = "Test reported"
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
    title_zh = "报告作废"
    title_en = "Report revoked"

    report_number: ShortText
    reason: Text


class ConcreteBatchClosed(EventData):
    """混凝土验收批结束: the batch is complete; qtrail evaluates it by GB/T 50107.

    v2 states what the batch was (volume, mixes, working shifts, floors, a continuous pour), so
    the number of samplings can be checked against GB 50204-2015 §7.4.1. A v1 record (before
    these were stated) upcasts with them ``None``; new submissions must state them.
    """

    event_type = "qtrail.materials.concrete_batch_closed.v2"
    title_zh = "混凝土验收批结束"
    title_en = "Concrete batch closed"

    batch_id: ShortText
    grade: ShortText = Field(description="强度等级 / grade, e.g. C30")
    sigma0_mpa: float | None = Field(
        default=None,
        gt=0,
        description="已知标准差 σ0（统计方法一）/ known sigma0, when production is stable",
    )
    volume_m3: float | None = Field(
        gt=0,
        le=1_000_000,
        description="本批混凝土方量（m³）/ the batch's volume, m³ (None only in v1 records)",
    )
    mixes: int | None = Field(
        ge=1,
        le=1_000_000,
        description="拌制盘数 / number of mixes (batches of the mixer) (None only in v1 records)",
    )
    working_shifts: int | None = Field(
        ge=1,
        le=100_000,
        description="浇筑工作班数 / working shifts the batch was placed in (None only in v1 records)",
    )
    floors: int | None = Field(
        ge=1,
        le=1_000,
        description="涉及楼层数 / floors the batch was placed on (None only in v1 records)",
    )
    continuous_pour: bool = Field(
        default=False,
        description="一次连续浇筑 / the batch was one continuous pour (GB 50204-2015 §7.4.1 item 3)",
    )


def concrete_batch_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """v1 stated no volume, mixes, shifts or floors: not stated is not the same as none."""
    return {
        **data,
        "volume_m3": None,
        "mixes": None,
        "working_shifts": None,
        "floors": None,
    }


class LotClosed(EventData):
    """钢筋或水泥检验批结束: every sample of a rebar or cement lot has a result or a recorded
    disposal; the lot states its quantity, so the number of samplings can be checked."""

    event_type = "qtrail.materials.lot_closed.v1"
    title_zh = "钢筋或水泥检验批结束"
    title_en = "Rebar or cement lot closed"

    lot_id: ShortText = Field(
        description="检验批编号（样品的 batch_id）/ the lot (the samples' batch_id)"
    )
    material: Literal["rebar", "cement"]
    grade: ShortText = Field(description="牌号或品种等级 / grade, e.g. HRB400E, P.O 42.5")
    diameter_mm: float | None = Field(
        default=None, gt=0, description="钢筋公称直径（钢筋必填）/ bar diameter (rebar: required)"
    )
    quantity_t: float = Field(gt=0, le=1_000_000, description="本批重量（t）/ the lot's mass, t")
    packaging: Literal["bagged", "bulk"] | None = Field(
        default=None,
        description="水泥袋装或散装（水泥必填）/ cement bagged or bulk (cement: required)",
    )


class SampleDisposed(EventData):
    """样品处置: a sample that will never be tested (lost, damaged) is recorded, with evidence,
    by the supervision party. It then needs no report, and counts as no sampling."""

    event_type = "qtrail.materials.sample_disposed.v1"
    title_zh = "样品处置"
    title_en = "Sample disposed of"

    sample_id: ShortText
    cause: Literal["lost", "damaged"] = Field(description="遗失或损坏 / lost or damaged")
    description: Text = Field(description="经过 / what happened, where and when")
    evidence: list[Sha256Hex] = Field(
        min_length=1,
        max_length=20,
        description="证据（照片、情况说明、检测机构的收样记录）/ photos, statements, the lab's receipt record",
    )


class MaterialEvaluated(EventData):
    """材料评定 (system): qtrail's evaluation of a report or a batch, with every criterion."""

    event_type = "qtrail.materials.evaluated.v1"
    title_zh = "材料评定"
    title_en = "Material evaluated"

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

    # Not for a material failure (a failed evaluation or lab conclusion, a mass deviation, too few
    # samplings): the rule refuses those, which close only through the disposal facts below
    # (GB 50300-2013 §5.0.6). The docstring is the published schema's description: unchanged.

    event_type = "qtrail.materials.alert_resolved.v1"
    title_zh = "预警处理"
    title_en = "Alert resolved"

    alert_id: ShortText
    resolution: Text
    evidence: list[Sha256Hex] = Field(default_factory=list, max_length=20)


# ----------------------------------------------------------------------------- disposal of a failure
# GB 50300-2013 §5.0.6: a failure is disposed of by re-test (where the material's standard allows
# it, with double samples), in-situ testing by a qualified lab, the design unit's written check,
# or rework/repair by a technical plan and re-acceptance. Each step names an open failure alert;
# the steps apply to the whole lot or batch the alert is about.


class RetestConcluded(EventData):
    """加倍取样复验: the lab concludes the re-test of a failed lot on double samples."""

    event_type = "qtrail.materials.retest_concluded.v1"
    title_zh = "加倍取样复验"
    title_en = "Re-test concluded"

    alert_id: ShortText = Field(description="待处理的不合格预警 / the open failure alert")
    report_numbers: list[ShortText] = Field(
        min_length=2,
        max_length=40,
        description="复验报告（见证取样的新样品，至少为原不合格样品的两倍）/ the re-test reports, on new witnessed samples, at least twice the failed ones",
    )
    outcome: Literal["pass", "fail"] = Field(description="复验结论 / the re-test's conclusion")


class InSituTested(EventData):
    """实体检测: a commissioned lab tests the work in place (rebound, core drilling ...)."""

    event_type = "qtrail.materials.in_situ_tested.v1"
    title_zh = "实体检测"
    title_en = "In-situ test"

    alert_id: ShortText = Field(description="待处理的不合格预警 / the open failure alert")
    report_number: ShortText = Field(description="检测报告编号 / report number")
    lab_code: CreditCode = Field(description="检测机构 / the lab's code")
    method: Literal[
        "rebound",
        "core_drilling",
        "rebound_core",
        "ultrasonic_rebound",
        "penetration",
        "load_test",
        "other",
    ] = Field(description="检测方法：回弹、钻芯、回弹钻芯修正、超声回弹、贯入、荷载试验 / method")
    standard: ShortText = Field(
        description="检测标准 / the standard followed, e.g. JGJ/T 23-2011, GB/T 50784-2013"
    )
    building_part: Text = Field(description="检测部位 / the part of the building tested")
    result: Text = Field(description="检测结果 / the result, e.g. 推定强度 28.6 MPa")
    meets_design: bool = Field(description="是否达到设计要求 / whether it meets the design")
    report_evidence: Sha256Hex = Field(description="报告文件 / the signed report")


class DesignChecked(EventData):
    """设计单位核算: the original design unit's written check of work that tested below design."""

    event_type = "qtrail.materials.design_checked.v1"
    title_zh = "设计单位核算"
    title_en = "Design check"

    alert_id: ShortText = Field(description="待处理的不合格预警 / the open failure alert")
    meets_safety_and_use: bool = Field(
        description="核算认可能够满足结构安全和使用功能 / capacity and use are still met"
    )
    basis: Text = Field(description="核算依据和结论 / what was checked, on which figures")
    evidence: list[Sha256Hex] = Field(
        min_length=1, max_length=20, description="盖章的核算书 / the signed and sealed check"
    )


class RepairPlanned(EventData):
    """技术处理方案: the construction party's plan to rework, replace or reinforce."""

    event_type = "qtrail.materials.repair_planned.v1"
    title_zh = "技术处理方案"
    title_en = "Repair planned"

    alert_id: ShortText = Field(description="待处理的不合格预警 / the open failure alert")
    kind: Literal["rework", "replace", "reinforce"] = Field(
        description="返工、更换（退场）或加固 / rework, replace (remove the material) or reinforce"
    )
    plan: Text = Field(description="方案要点 / what the plan does")
    evidence: list[Sha256Hex] = Field(
        min_length=1, max_length=20, description="技术处理方案及审批 / the plan and its approvals"
    )


class RepairAccepted(EventData):
    """重新验收: the supervision accepts the work again after the plan was carried out."""

    event_type = "qtrail.materials.repair_accepted.v1"
    title_zh = "重新验收"
    title_en = "Repair accepted"

    alert_id: ShortText = Field(description="待处理的不合格预警 / the open failure alert")
    verdict: Text = Field(description="验收结论 / the re-acceptance's conclusion")
    evidence: list[Sha256Hex] = Field(
        min_length=1, max_length=20, description="验收记录 / the signed acceptance record"
    )
