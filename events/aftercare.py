"""Facts of the lifelong half, after completion: warranty defects and their repair, complaints,
accidents from grading to findings, and the regulator's finding of responsibility (追责).

These are what a regulator replays in year 20: who was told, who repaired, who was found
responsible, and on what basis.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, Self

from pydantic import AwareDatetime, Field, model_validator

from events.acceptance import DwellingId, UnitId, WarrantyPart
from events.base import EventData, IdNumber, PartyRole, Sha256Hex, ShortText, Text


class DefectReported(EventData):
    """质量缺陷报修: a defect in a completed building is reported to the builder under warranty,
    by a party, or by a dwelling's owner through the plaque's public page (the owner party
    verifies such a report and files it; the reporter's contact stays off the chain)."""

    event_type = "qtrail.warranty.defect_reported.v1"
    title_zh = "质量缺陷报修"
    title_en = "Defect reported"

    defect_id: ShortText = Field(description="报修编号 / id of the defect, unique in the project")
    unit_id: UnitId
    dwelling: DwellingId | None = Field(default=None, description="户号 / the dwelling, if one")
    part: WarrantyPart = Field(description="保修部位 / the warranty part it falls under")
    description: Text
    reported_on: dt.date
    source: Literal["party", "public"] = Field(
        description="来源 / a party's own report, or a public report the owner party verified"
    )
    public_report: ShortText | None = Field(
        default=None, description="公众报修编号 / the public report verified (source public only)"
    )
    photos: list[Sha256Hex] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _source_consistent(self) -> Self:
        if (self.source == "public") != (self.public_report is not None):
            raise ValueError(
                "public_report: given exactly when source is public / 公众报修须附编号"
            )
        return self


class DefectRepaired(EventData):
    """保修维修完成: the builder reports the repair of a reported defect."""

    event_type = "qtrail.warranty.defect_repaired.v1"
    title_zh = "保修维修完成"
    title_en = "Defect repaired"

    defect_id: ShortText
    repaired_on: dt.date
    action: Text = Field(description="维修措施 / what was done")
    evidence: list[Sha256Hex] = Field(default_factory=list, max_length=20)


class RepairConfirmed(EventData):
    """维修确认: the owner party records the reporter's confirmation of the repair, or their
    dispute of it (a disputed repair reopens the defect)."""

    event_type = "qtrail.warranty.repair_confirmed.v1"
    title_zh = "维修确认"
    title_en = "Repair confirmed"

    defect_id: ShortText
    confirmed_on: dt.date
    accepted: bool = Field(
        description="是否认可 / the reporter accepts the repair (false: disputed)"
    )
    note: Text | None = None


class RepairOverdue(EventData):
    """维修逾期 (system): qtrail records that a defect under warranty was not repaired by its due
    date. The recorder's sweep seals it the day after the due date passes with the defect still
    open; the repair, when it comes, resolves the alert it raised."""

    event_type = "qtrail.warranty.repair_overdue.v1"
    title_zh = "维修逾期"
    title_en = "Repair overdue"

    defect_id: ShortText
    unit_id: UnitId
    repair_due: dt.date = Field(description="应修复日期 / the day the repair was due")
    as_of: dt.date = Field(
        description="确认逾期日期 / the day (China) the repair was found overdue"
    )


class ComplaintLodged(EventData):
    """质量投诉: a complaint about the building's quality, recorded by the owner party or by the
    supervision station that received it. The complainant's identity stays off the chain."""

    event_type = "qtrail.aftercare.complaint_lodged.v1"
    title_zh = "质量投诉"
    title_en = "Complaint lodged"

    complaint_id: ShortText
    unit_id: UnitId | None = None
    received_on: dt.date
    subject: Text = Field(description="投诉内容 / what the complaint is about")
    against_role: PartyRole | None = Field(
        default=None, description="被投诉单位 / the party complained about, if named"
    )


class ComplaintHandled(EventData):
    """投诉处理: how a complaint was handled, by whoever recorded it."""

    event_type = "qtrail.aftercare.complaint_handled.v1"
    title_zh = "投诉处理"
    title_en = "Complaint handled"

    complaint_id: ShortText
    handled_on: dt.date
    outcome: Literal["upheld", "partly_upheld", "dismissed", "referred"]
    response: Text = Field(description="处理结果 / the answer given")
    evidence: list[Sha256Hex] = Field(default_factory=list, max_length=20)


AccidentGrade = Literal["especially_serious", "serious", "larger", "ordinary"]
"""特别重大、重大、较大、一般 (建质〔2010〕111号 §2, 国务院令第493号 art. 3)."""


class AccidentGraded(EventData):
    """事故等级: the supervision station grades a reported accident from its consequences; the
    grade must match the figures (thresholds in ``tables/accident-grades-2010.json``)."""

    event_type = "qtrail.quality.accident_graded.v1"
    title_zh = "事故等级"
    title_en = "Accident graded"

    accident_id: ShortText
    deaths: int = Field(ge=0, le=10_000)
    serious_injuries: int = Field(ge=0, le=100_000)
    direct_loss_cny: float = Field(ge=0, le=1e12, description="直接经济损失（元）/ direct loss")
    grade: AccidentGrade
    reported_to_authority_at: AwareDatetime = Field(
        description="向主管部门报告时间 / when the owner reported it to the authority (1 hour allowed)"
    )


class AccidentInvestigated(EventData):
    """事故调查: the investigation's report on cause."""

    event_type = "qtrail.quality.accident_investigated.v1"
    title_zh = "事故调查"
    title_en = "Accident investigated"

    accident_id: ShortText
    concluded_on: dt.date
    cause: Text = Field(description="事故原因 / the cause found")
    report: Sha256Hex = Field(description="事故调查报告 / the investigation report")


class AccidentClosed(EventData):
    """事故结案: the accident is closed with its findings; responsibility findings name the
    parties and leads."""

    event_type = "qtrail.quality.accident_closed.v1"
    title_zh = "事故结案"
    title_en = "Accident closed"

    accident_id: ShortText
    closed_on: dt.date
    findings: Text = Field(description="处理结论 / the findings")
    evidence: list[Sha256Hex] = Field(default_factory=list, max_length=20)


class ResponsibilityFound(EventData):
    """追责: the regulator finds a party and its lead responsible for a quality problem, with the
    measure taken and its legal basis (建质〔2014〕124号 art. 6, 11–13). The lead is the one who led
    the party when the work was done, named by ID number: their lifelong responsibility."""

    event_type = "qtrail.aftercare.responsibility_found.v1"
    title_zh = "追责"
    title_en = "Responsibility found"

    finding_id: ShortText
    role: PartyRole
    lead_id_number: IdNumber
    work_done_at: AwareDatetime = Field(
        description="工作时间 / when the work at fault was done: the lead then is the one responsible"
    )
    subject: Text = Field(description="质量问题 / what the finding is about")
    relates_to: list[ShortText] = Field(
        default_factory=list,
        max_length=20,
        description="相关事项 / accident, defect, nonconformance or complaint ids",
    )
    measures: list[ShortText] = Field(
        min_length=1, max_length=20, description="处理措施 / e.g. 罚款, 暂停执业, 记入信用档案"
    )
    legal_basis: Text = Field(description="依据 / the articles the decision rests on")
    decided_on: dt.date
    decision: Sha256Hex = Field(description="处理决定书 / the signed decision")
