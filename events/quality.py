"""Facts about quality on site: inspection lots, nonconformances, accidents (regulation art. 17)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AwareDatetime, Field

from events.base import EventData, Sha256Hex, ShortText, Text


class InspectionLotAccepted(EventData):
    """检验批验收: an inspection lot of a part of the building is accepted, signed by both sides.

    v2 added the construction and supervision signatures. A v1 record (before signatures were
    recorded) upcasts with both signers ``None``; new submissions must name both.
    """

    event_type = "qtrail.quality.inspection_lot_accepted.v2"
    title_zh = "检验批验收"
    title_en = "Inspection lot accepted"

    lot_code: ShortText = Field(description="检验批编号 / inspection lot code")
    building_part: Text = Field(description="部位 / part of the building, e.g. 3层梁板")
    items: list[ShortText] = Field(
        min_length=1, max_length=200, description="验收项目 / items inspected"
    )
    construction_signer: ShortText | None = Field(
        description="施工单位专业质量检查员签字 / construction party's signer (None only in v1 records)"
    )
    supervision_signer: ShortText | None = Field(
        description="专业监理工程师签字 / supervision engineer's signature (None only in v1 records)"
    )
    signature_evidence: Sha256Hex | None = Field(
        default=None, description="签字的验收记录 / the signed acceptance record"
    )


def inspection_lot_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """v1 had no signatures: they were not recorded, which is not the same as unsigned."""
    return {**data, "construction_signer": None, "supervision_signer": None}


class NonconformanceRaised(EventData):
    """质量问题整改通知: a quality problem is raised against a part of the building."""

    event_type = "qtrail.quality.nonconformance_raised.v1"
    title_zh = "质量问题整改通知"
    title_en = "Nonconformance raised"

    nonconformance_id: ShortText = Field(
        description="问题编号 / id of the nonconformance, unique in the project"
    )
    building_part: Text
    description: Text = Field(description="问题描述 / what is wrong")
    severity: Literal["minor", "major", "critical"] = Field(description="严重程度 / severity")
    blocking: bool = Field(
        default=True, description="是否影响竣工验收 / blocks completion until closed"
    )
    evidence: list[Sha256Hex] = Field(default_factory=list, max_length=20)


class NonconformanceRectified(EventData):
    """整改回复: the construction party reports the rectification."""

    event_type = "qtrail.quality.nonconformance_rectified.v1"
    title_zh = "整改回复"
    title_en = "Nonconformance rectified"

    nonconformance_id: ShortText
    action: Text = Field(description="整改措施 / what was done")
    evidence: list[Sha256Hex] = Field(default_factory=list, max_length=20)


class NonconformanceClosed(EventData):
    """整改复查合格: the owner or supervision checks the rectification and closes the problem."""

    event_type = "qtrail.quality.nonconformance_closed.v1"
    title_zh = "整改复查合格"
    title_en = "Nonconformance closed"

    nonconformance_id: ShortText
    verdict: Text = Field(description="复查结论 / conclusion of the re-inspection")


class AccidentReported(EventData):
    """质量事故报告 (regulation art. 17): a quality accident is reported."""

    event_type = "qtrail.quality.accident_reported.v1"
    title_zh = "质量事故报告"
    title_en = "Accident reported"

    accident_id: ShortText
    happened_at: AwareDatetime = Field(description="事故发生时间 / when it happened")
    building_part: Text
    description: Text
    casualties: int = Field(default=0, ge=0, description="伤亡人数 / casualties")
    direct_loss_cny: float | None = Field(
        default=None, ge=0, description="直接经济损失（元）/ direct loss"
    )
    evidence: list[Sha256Hex] = Field(default_factory=list, max_length=50)
