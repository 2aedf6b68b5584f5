"""The supervision station's own acts (质量监督): the filing that opens a project, the
acknowledgement of the parties' authorizations and commitments, inspections, rectification
notices and their answers, stop-work orders, attendance at completion acceptance, the completion
filing (竣工验收备案) and the archive handover (城建档案).

A station records what it did on the same trail as the parties, so a regulator replaying a
project years later sees the supervision's part too: what was ordered, by when, and whether it
was done. Deadlines count working days or calendar days as each rule says; a deadline that
passes undone is recorded by qtrail itself (``deadline_missed``).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, Self

from pydantic import Field, model_validator

from events.acceptance import UnitId
from events.base import EventData, PartyRole, Sha256Hex, ShortText, Text

FilingNumber = ShortText

ItemList = list[Text]

DeadlineKind = Literal["filing", "refiling", "rectification", "completion_filing", "archive"]
"""What a deadline is for: the station's answer to a registration, a party's re-filing after a
lead change, a rectification notice, the completion filing, the archive handover."""


class FilingAccepted(EventData):
    """质量监督注册受理: the station accepts the project's quality-supervision filing. Until it does,
    the project is pending: the owner may appoint the parties, nothing else is sealed."""

    event_type = "qtrail.supervision.filing_accepted.v1"
    title_zh = "质量监督注册受理"
    title_en = "Supervision filing accepted"

    filing_number: FilingNumber = Field(description="监督注册号 / supervision registration number")
    accepted_on: dt.date = Field(description="受理日期 / the day the station accepted")
    supervisors: list[ShortText] = Field(
        min_length=1, max_length=10, description="监督人员 / the station's supervisors assigned"
    )


class FilingRefused(EventData):
    """质量监督注册不予受理: the station refuses the filing; the registration lapses and the
    project id is free to register again."""

    event_type = "qtrail.supervision.filing_refused.v1"
    title_zh = "质量监督注册不予受理"
    title_en = "Supervision filing refused"

    reason: Text = Field(description="不予受理的理由 / why the filing is refused")


class CommitmentsAcknowledged(EventData):
    """承诺书备案确认: the station acknowledges a party's filed authorization (授权书) and its
    current lead's lifelong-responsibility commitment (终身责任承诺书)."""

    event_type = "qtrail.supervision.commitments_acknowledged.v1"
    title_zh = "承诺书备案确认"
    title_en = "Commitment filing acknowledged"

    role: PartyRole = Field(description="参建单位角色 / the party whose filing is acknowledged")
    lead_name: ShortText = Field(description="项目负责人 / the lead the filing names")


class InspectionRecorded(EventData):
    """监督检查: the station records an inspection: what it checked, what it found, the
    evidence (photos, the inspection record)."""

    event_type = "qtrail.supervision.inspection_recorded.v1"
    title_zh = "监督检查"
    title_en = "Supervision inspection"

    inspection_id: ShortText = Field(description="检查编号 / id, unique in the project")
    inspected_on: dt.date
    checked: ItemList = Field(
        min_length=1, max_length=50, description="检查内容 / what was checked"
    )
    findings: ItemList = Field(
        default_factory=list, max_length=50, description="发现的问题 / what was found (none: empty)"
    )
    evidence: list[Sha256Hex] = Field(default_factory=list, max_length=20)


class RectificationOrdered(EventData):
    """整改通知单: the station orders a party to rectify listed items by a deadline. Open
    notices block completion."""

    event_type = "qtrail.supervision.rectification_ordered.v1"
    title_zh = "整改通知单"
    title_en = "Rectification ordered"

    notice_id: ShortText = Field(description="通知单编号 / notice number, unique in the project")
    addressed_to: PartyRole = Field(description="整改责任单位 / the party that must rectify")
    items: ItemList = Field(min_length=1, max_length=50, description="整改事项 / items to rectify")
    issued_on: dt.date
    due_on: dt.date = Field(description="整改期限 / the day by which the report is due")
    inspection_id: ShortText | None = Field(
        default=None, description="依据的检查 / the inspection it follows from, if one"
    )
    evidence: list[Sha256Hex] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _due_after_issue(self) -> Self:
        if self.due_on < self.issued_on:
            raise ValueError("due_on is before issued_on / 整改期限早于通知日期")
        return self


class RectificationReported(EventData):
    """整改回复: the party the notice names reports what it rectified, with evidence."""

    event_type = "qtrail.supervision.rectification_reported.v1"
    title_zh = "整改回复"
    title_en = "Rectification reported"

    notice_id: ShortText
    reported_on: dt.date
    actions: ItemList = Field(min_length=1, max_length=50, description="整改措施 / what was done")
    evidence: list[Sha256Hex] = Field(min_length=1, max_length=20)


class RectificationVerified(EventData):
    """整改复查: the station verifies a rectification report: closed, or the notice re-issued
    with the items still open and a new deadline."""

    event_type = "qtrail.supervision.rectification_verified.v1"
    title_zh = "整改复查"
    title_en = "Rectification verified"

    notice_id: ShortText
    verified_on: dt.date
    outcome: Literal["closed", "reissued"] = Field(
        description="复查结论 / closed (整改合格), or reissued (重新下发)"
    )
    remarks: Text | None = None
    items: ItemList = Field(
        default_factory=list, max_length=50, description="仍需整改 / items still open (reissued)"
    )
    due_on: dt.date | None = Field(default=None, description="新的期限 / new deadline (reissued)")

    @model_validator(mode="after")
    def _reissue_complete(self) -> Self:
        reissued = self.outcome == "reissued"
        if reissued != (self.due_on is not None) or reissued != bool(self.items):
            raise ValueError(
                "items, due_on: given exactly when the outcome is reissued / 重新下发须列明事项和期限"
            )
        if self.due_on is not None and self.due_on < self.verified_on:
            raise ValueError("due_on is before verified_on / 新期限早于复查日期")
        return self


class WorkStopped(EventData):
    """停工通知: the station orders work stopped, in part (局部停工: the parts named) or in
    full (全面停工). An order not lifted blocks completion."""

    event_type = "qtrail.supervision.work_stopped.v1"
    title_zh = "停工通知"
    title_en = "Work stopped"

    order_id: ShortText = Field(description="停工令编号 / order number, unique in the project")
    scope: Literal["partial", "full"] = Field(description="局部停工 partial / 全面停工 full")
    parts: ItemList = Field(default_factory=list, max_length=50, description="停工部位 / parts")
    reason: Text
    ordered_on: dt.date
    evidence: list[Sha256Hex] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _parts_for_partial(self) -> Self:
        if (self.scope == "partial") != bool(self.parts):
            raise ValueError("parts: named exactly when the scope is partial / 局部停工须列明部位")
        return self


class WorkResumed(EventData):
    """复工: the station lifts a stop-work order after checking the causes are removed."""

    event_type = "qtrail.supervision.work_resumed.v1"
    title_zh = "复工"
    title_en = "Work resumed"

    order_id: ShortText
    resumed_on: dt.date
    remarks: Text | None = None
    evidence: list[Sha256Hex] = Field(default_factory=list, max_length=20)


class AcceptanceAttended(EventData):
    """监督竣工验收: the station attends a building's completion acceptance and gives its
    opinion. An objection blocks the building's completion until a later attendance has none."""

    event_type = "qtrail.supervision.acceptance_attended.v1"
    title_zh = "监督竣工验收"
    title_en = "Completion acceptance attended"

    unit_id: UnitId
    attended_on: dt.date
    opinion: Literal["no_objection", "objection"] = Field(
        description="监督意见 / no objection, or an objection to the procedure or the quality"
    )
    remarks: Text | None = None

    @model_validator(mode="after")
    def _objection_says_why(self) -> Self:
        if self.opinion == "objection" and not self.remarks:
            raise ValueError("remarks: an objection says why / 提出异议须说明理由")
        return self


class CompletionFiled(EventData):
    """竣工验收备案: the completion acceptance of a building is filed, within 15 days of the
    acceptance (《房屋建筑和市政基础设施工程竣工验收备案管理办法》第四条)."""

    event_type = "qtrail.supervision.completion_filed.v1"
    title_zh = "竣工验收备案"
    title_en = "Completion filed"

    unit_id: UnitId
    filing_number: FilingNumber = Field(description="备案编号 / the filing's number")
    filed_on: dt.date


class ArchiveTransferred(EventData):
    """城建档案移交: the building's project archive is handed to the city archive, within three
    months of its completion acceptance (《城市建设档案管理规定》第六条)."""

    event_type = "qtrail.supervision.archive_transferred.v1"
    title_zh = "城建档案移交"
    title_en = "Archive handed over"

    unit_id: UnitId
    archive: ShortText = Field(description="接收档案馆 / the city archive that received it")
    receipt_number: ShortText = Field(description="档案接收证明编号 / the archive's receipt")
    transferred_on: dt.date


class DeadlineMissed(EventData):
    """期限逾期 (system): qtrail records that a deadline passed undone: a registration the
    station never answered (it lapses), a party's re-filing after a lead change, a rectification
    report, a completion filing or an archive handover. The recorder's sweep seals it the day
    after the deadline; doing the thing late resolves the alert it raised."""

    event_type = "qtrail.supervision.deadline_missed.v1"
    title_zh = "期限逾期"
    title_en = "Deadline missed"

    deadline_id: ShortText
    kind: DeadlineKind
    subject: ShortText = Field(description="所涉事项 / what the deadline is about")
    due_on: dt.date
    as_of: dt.date
