"""A project's history, as the regulator reads it: its state as of a moment, a step-through of what
each event changed, and the difference between two states.

All are the live fold applied to the sealed records, so history is the system's own logic.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from events.acceptance import IMPLICIT_UNIT
from events.base import ROLE_NAMES, Role
from events.materials import MATERIAL_NAMES
from services.domain import accident_grades
from services.domain.chain import SealedRecord
from services.domain.project import fold
from services.domain.state import (
    Complaint,
    Defect,
    DefectStatus,
    Finding,
    ProjectState,
    Sampling,
    UnitProject,
    lot_names,
)

Clock = Literal["recorded", "occurred"]


def as_of(
    project_id: str, records: Iterable[SealedRecord], moment: dt.datetime, by: Clock = "recorded"
) -> ProjectState:
    """The state from the records known at ``moment`` (by our clock), or that had occurred by then
    (the site's clock: late offline events count from when they happened)."""
    state = ProjectState(project_id=project_id)
    for record in records:
        when = record.recorded_at if by == "recorded" else record.occurred_at
        if when <= moment:
            state = fold(state, record)
    return state


@dataclass(frozen=True)
class Change:
    """One thing an event changed, in Chinese (what a regulator reads first) and in English."""

    zh: str
    en: str


@dataclass(frozen=True)
class Step:
    seq: int
    event_id: str
    type: str
    actor: str
    occurred_at: dt.datetime
    recorded_at: dt.datetime
    changes: list[Change]


ACTOR_NAMES: Mapping[str, tuple[str, str]] = {
    **ROLE_NAMES,
    Role.LAB.value: ("检测机构", "Lab"),
    Role.SYSTEM.value: ("qtrail 系统", "qtrail"),
    Role.REGULATOR.value: ("质量监督机构", "Supervision station"),
}
"""Every role an actor acts in, in Chinese and English: the five parties' names and the others'."""

_VERDICTS = {"pass": "合格", "fail": "不合格", "invalid": "无效"}
_REPORT_STATUSES = {"valid": "有效", "replaced": "已被替换", "revoked": "已作废"}
_NONCONFORMANCE_STATUSES = {"open": "待整改", "rectified": "已整改", "closed": "复查合格，已关闭"}
_PLAQUE_STATUSES = {"valid": "有效", "revoked": "已撤销"}
_SEVERITIES = {"info": "提示", "warning": "警告", "critical": "严重"}
_DISPOSAL_CAUSES = {"lost": "遗失", "damaged": "损坏"}
_DISPOSAL_STEPS = {
    "retest": "加倍取样复验",
    "in_situ": "实体检测",
    "design_check": "设计单位核算",
    "repair_plan": "技术处理方案",
    "re_acceptance": "重新验收",
}
_DISPOSAL_OUTCOMES = {
    **_VERDICTS,
    "meets design": "达到设计要求",
    "below design": "低于设计要求",
    "safety and use met": "满足结构安全和使用功能",
    "safety or use not met": "不满足结构安全或使用功能",
    "rework": "返工",
    "replace": "更换",
    "reinforce": "加固",
    "accepted": "验收合格",
}
_COMPLAINT_OUTCOMES = {
    "upheld": "投诉成立",
    "partly_upheld": "部分成立",
    "dismissed": "投诉不成立",
    "referred": "已移交",
}


def role_names(role: str | None) -> tuple[str, str]:
    """The (Chinese, English) name of an actor's role; an unknown role reads as itself."""
    return ACTOR_NAMES.get(role or "", (role or "—", role or "—"))


def _zh(table: Mapping[str, str], value: object) -> str:
    return table.get(str(value), str(value))


def _role_zh(role: str | None) -> str:
    return role_names(role)[0]


def changes(before: ProjectState, after: ProjectState) -> list[Change]:
    """What changed between two states, in words a regulator reads, Chinese with English alongside
    (no personal ID numbers). Free text from the trail (names, reasons) is shown as submitted."""
    out: list[Change] = []
    if before.profile is None and after.profile is not None:
        name = after.profile.name
        out.append(Change(f"项目登记：{name}", f"project registered: {name}"))
    for role, party in after.parties.items():
        old = before.parties.get(role)
        who = _role_zh(role)
        if old is None:
            lead = party.leads[0].name
            out.append(
                Change(
                    f"{party.org_name} 受委托为{who}，项目负责人 {lead}",
                    f"{party.org_name} appointed as {role}, lead {lead}",
                )
            )
            continue
        if len(party.leads) > len(old.leads):
            new, was = party.leads[-1].name, old.leads[-1].name
            out.append(
                Change(
                    f"{new} 接替 {was} 任{who}项目负责人", f"{new} replaced {was} as {role} lead"
                )
            )
        for new_lead, old_lead in zip(party.leads, old.leads, strict=False):
            if new_lead.commitment and not old_lead.commitment:
                out.append(
                    Change(
                        f"{new_lead.name}（{who}）签署工程质量终身责任承诺书",
                        f"{new_lead.name} ({role}) signed the lifelong commitment",
                    )
                )
            if new_lead.name != old_lead.name:
                out.append(
                    Change(
                        f"{who}项目负责人更正：{old_lead.name} → {new_lead.name}",
                        f"{role} lead corrected: {old_lead.name} → {new_lead.name}",
                    )
                )
        if party.org_name != old.org_name:
            out.append(
                Change(
                    f"{who}名称更正：{old.org_name} → {party.org_name}",
                    f"{role} organization corrected: {old.org_name} → {party.org_name}",
                )
            )
    out += [
        Change(f"委托检测机构 {lab.name}", f"lab {lab.name} commissioned")
        for code, lab in after.labs.items()
        if code not in before.labs
    ]
    out += [
        Change(f"授权见证人 {w.name}", f"witness {w.name} authorized")
        for key, w in after.witnesses.items()
        if key not in before.witnesses
    ]
    out += _materials(before, after)
    for nc_id, nc in after.nonconformances.items():
        old_nc = before.nonconformances.get(nc_id)
        if old_nc is None or old_nc.status != nc.status:
            out.append(
                Change(
                    f"质量问题 {nc_id} {_zh(_NONCONFORMANCE_STATUSES, nc.status)}",
                    f"nonconformance {nc_id} {nc.status}",
                )
            )
    out += [
        Change(f"质量事故 {a} 已报告", f"accident {a} reported")
        for a in after.accidents
        if a not in before.accidents
    ]
    out += _lifelong(before, after)
    for alert_id, alert in after.alerts.items():
        old_alert = before.alerts.get(alert_id)
        if old_alert is None:
            out.append(
                Change(
                    f"预警（{_zh(_SEVERITIES, alert.severity)}）：{alert.message_zh}",
                    f"alert ({alert.severity}): {alert.message_en}",
                )
            )
        elif alert.resolved_by and not old_alert.resolved_by:
            out.append(
                Change(
                    f"预警已处理：{alert.message_zh} — {alert.resolution}",
                    f"alert resolved: {alert.message_en} — {alert.resolution}",
                )
            )
    out += [
        Change(
            f"检验批 {code} 验收合格（{lot.building_part}）",
            f"inspection lot {code} accepted ({lot.building_part})",
        )
        for code, lot in after.inspection_lots.items()
        if code not in before.inspection_lots
    ]
    for unit_id, unit in after.units.items():
        out += _unit_changes(before.units.get(unit_id), unit)
    out += _plaques(before, after)
    out += _supervision(before, after)
    if len(after.corrections) > len(before.corrections):
        fix = after.corrections[-1]
        fields = sorted(fix.changes)
        out.append(
            Change(
                f"更正 {fix.corrects_event_id}：{'、'.join(fields)}（{fix.reason}）",
                f"correction of {fix.corrects_event_id}: {', '.join(fields)} ({fix.reason})",
            )
        )
    return out or [Change("（台账无变化）", "(no change to the ledger)")]


_FILING_SAID = {
    "pending": ("质量监督注册待受理", "supervision filing pending"),
    "accepted": ("监督机构受理质量监督注册", "the station accepted the supervision filing"),
    "refused": (
        "监督机构不予受理，项目登记失效",
        "the station refused the filing: the registration lapsed",
    ),
    "expired": (
        "无人受理，项目登记逾期失效",
        "nobody accepted the filing in time: the registration lapsed",
    ),
    "legacy": ("早期登记（未指定监督机构）", "registered before registrations named their station"),
}


def _supervision(before: ProjectState, after: ProjectState) -> list[Change]:
    """The station's part: the filing, its acts, the deadlines it and the parties are held to."""
    out = []
    if after.filing is not None and (
        before.filing is None or before.filing.status != after.filing.status
    ):
        zh, en = _FILING_SAID[after.filing.status.value]
        if number := after.filing.filing_number:
            zh, en = f"{zh}（{number}）", f"{en} ({number})"
        out.append(Change(zh, en))
    for role, party in after.parties.items():
        old = before.parties.get(role)
        for index, lead in enumerate(party.leads):
            was = old.leads[index] if old and index < len(old.leads) else None
            if lead.acknowledged and (was is None or was.acknowledged is None):
                out.append(
                    Change(
                        f"监督机构确认{_role_zh(role)}项目负责人 {lead.name} 的授权书和承诺书备案",
                        f"the station acknowledged {role} lead {lead.name}'s filed commitment",
                    )
                )
    for key, inspection in after.inspections.items():
        if key not in before.inspections:
            out.append(
                Change(
                    f"监督检查 {key}：检查 {len(inspection.checked)} 项，发现问题 {len(inspection.findings)} 项",
                    f"inspection {key}: {len(inspection.checked)} checked, {len(inspection.findings)} finding(s)",
                )
            )
    for key, notice in after.rectifications.items():
        old_notice = before.rectifications.get(key)
        if old_notice == notice:
            continue
        to = _role_zh(notice.addressed_to)
        if old_notice is None:
            zh = f"整改通知单 {key} 下发{to}，{len(notice.items)} 项，限 {notice.due_on} 前"
            en = f"rectification notice {key} to {notice.addressed_to}: {len(notice.items)} item(s) by {notice.due_on}"
        elif notice.status.value == "reported":
            zh, en = f"{to}回复整改通知单 {key}", f"{notice.addressed_to} reported on notice {key}"
        elif notice.status.value == "closed":
            zh, en = f"整改通知单 {key} 复查合格，闭合", f"notice {key} verified and closed"
        else:
            zh = f"整改通知单 {key} 复查未通过，重新下发（第 {notice.round} 次），限 {notice.due_on} 前"
            en = f"notice {key} reissued (round {notice.round}), due {notice.due_on}"
        out.append(Change(zh, en))
    for key, order in after.stop_orders.items():
        old_order = before.stop_orders.get(key)
        if old_order is None:
            scope = "全面停工" if order.scope == "full" else f"局部停工（{'、'.join(order.parts)}）"
            out.append(
                Change(
                    f"停工通知 {key}：{scope}，{order.reason}",
                    f"stop-work order {key} ({order.scope}): {order.reason}",
                )
            )
        elif order.lifted and not old_order.lifted:
            out.append(Change(f"停工通知 {key} 复工", f"order {key} lifted: work resumed"))
    for key, deadline in after.deadlines.items():
        earlier = before.deadlines.get(key)
        if deadline.missed and (earlier is None or earlier.missed is None):
            out.append(
                Change(
                    f"期限逾期：{deadline.subject}（应于 {deadline.due_on} 前）",
                    f"deadline missed: {deadline.subject} (due {deadline.due_on})",
                )
            )
    for unit_id, unit in after.units.items():
        old_unit = before.units.get(unit_id)
        if unit.attendance and (old_unit is None or old_unit.attendance != unit.attendance):
            said = "无异议" if unit.attendance.opinion == "no_objection" else "提出异议"
            out.append(
                Change(
                    f"监督机构参加单位工程 {unit_id} 竣工验收：{said}",
                    f"the station attended building {unit_id}'s acceptance: {unit.attendance.opinion}",
                )
            )
        for field, zh, en in (
            ("completion_filing", "竣工验收备案", "completion filed"),
            ("archive", "城建档案移交", "archive handed over"),
        ):
            done = getattr(unit, field)
            if done and (old_unit is None or getattr(old_unit, field) is None):
                out.append(
                    Change(
                        f"单位工程 {unit_id} {zh}（{done.number}）",
                        f"building {unit_id}: {en} ({done.number})",
                    )
                )
    return out


def _materials(before: ProjectState, after: ProjectState) -> list[Change]:
    """Samples, reports and their evaluation, closed lots and the disposal of failures."""
    out: list[Change] = []
    for sid, sample in after.samples.items():
        old_sample = before.samples.get(sid)
        if old_sample is None:
            material = MATERIAL_NAMES.get(sample.material, (sample.material, ""))[0]
            witnessed = "witnessed" if sample.witnessed else "NOT witnessed"
            out.append(
                Change(
                    f"取样 {sid}（{material} {sample.grade}，"
                    f"{'有见证' if sample.witnessed else '无见证'}）",
                    f"sample {sid} taken ({sample.material} {sample.grade}, {witnessed})",
                )
            )
        elif sample.received and not old_sample.received:
            out.append(
                Change(
                    f"样品 {sid} 已收样，封样{'完好' if sample.seal_ok else '不符'}",
                    f"sample {sid} received, seal {'intact' if sample.seal_ok else 'MISMATCH'}",
                )
            )
        elif sample.disposed and not old_sample.disposed:
            cause = sample.disposal_cause
            out.append(
                Change(
                    f"样品 {sid} 记录为{_zh(_DISPOSAL_CAUSES, cause)}：将没有检测结果",
                    f"sample {sid} recorded {cause}: it will have no result",
                )
            )
    for number, report in after.reports.items():
        old_report = before.reports.get(number)
        if old_report is None:
            said = report.lab_conclusion
            out.append(
                Change(
                    f"检测报告 {number}（样品 {report.sample_id}）：检测机构结论为"
                    f"{_zh(_VERDICTS, said)}",
                    f"report {number} on sample {report.sample_id}: lab says {said}",
                )
            )
        elif report.verdict != old_report.verdict:
            out.append(
                Change(
                    f"检测报告 {number} 评定：{_zh(_VERDICTS, report.verdict)}",
                    f"report {number} evaluated: {report.verdict}",
                )
            )
        elif report.status != old_report.status:
            out.append(
                Change(
                    f"检测报告 {number} {_zh(_REPORT_STATUSES, report.status)}",
                    f"report {number} {report.status}",
                )
            )
    for batch_id, batch in after.concrete_batches.items():
        old_batch = before.concrete_batches.get(batch_id)
        if old_batch is None:
            zh, en = _samplings(batch.sampling)
            out.append(
                Change(f"混凝土验收批 {batch_id} 结束{zh}", f"concrete batch {batch_id} closed{en}")
            )
        elif batch.verdict != old_batch.verdict:
            out.append(
                Change(
                    f"混凝土验收批 {batch_id} 评定：{_zh(_VERDICTS, batch.verdict)}",
                    f"concrete batch {batch_id} evaluated: {batch.verdict}",
                )
            )
    for key, lot in after.material_lots.items():
        if key in before.material_lots:
            continue
        zh, en = _samplings(lot.sampling)
        out.append(
            Change(
                f"{lot_names(lot.material, lot.lot_id)[0]} 结束{zh}",
                f"{lot.material} lot {lot.lot_id} closed{en}",
            )
        )
    for key, case in after.dispositions.items():
        old_case = before.dispositions.get(key)
        lot_zh = lot_names(case.material, case.lot_id)[0]
        if old_case is None:
            out.append(
                Change(
                    f"{lot_zh} 不合格处置开始（GB 50300-2013 第5.0.6条）",
                    f"disposal of {case.subject} opened (GB 50300-2013 §5.0.6)",
                )
            )
        out += [
            Change(
                f"{lot_zh} 处置：{_zh(_DISPOSAL_STEPS, step.step)}，"
                f"{_zh(_DISPOSAL_OUTCOMES, step.outcome)}",
                f"disposal of {case.subject}: {step.step}, {step.outcome}",
            )
            for step in case.steps[len(old_case.steps) if old_case else 0 :]
        ]
        if case.closed_by and not (old_case and old_case.closed_by):
            out.append(
                Change(
                    f"{lot_zh} 处置完成：{case.closed_how}",
                    f"disposal of {case.subject} closed: {case.closed_how}",
                )
            )
    return out


def _plaques(before: ProjectState, after: ProjectState) -> list[Change]:
    out: list[Change] = []
    for serial, plaque in after.plaques.items():
        old_plaque = before.plaques.get(serial)
        if old_plaque is None:
            name = plaque.fields.get("unit_name", plaque.unit_id)
            implicit = plaque.unit_id == IMPLICIT_UNIT
            out.append(
                Change(
                    f"永久性标牌 #{serial} 签发{'' if implicit else f'（{name}）'}",
                    f"plaque #{serial} issued{'' if implicit else f' for {name}'}",
                )
            )
        elif plaque.status != old_plaque.status:
            out.append(
                Change(
                    f"永久性标牌 #{serial} {_zh(_PLAQUE_STATUSES, plaque.status)}",
                    f"plaque #{serial} {plaque.status}",
                )
            )
        elif plaque.installed_place and not old_plaque.installed_place:
            place = plaque.installed_place
            out.append(
                Change(
                    f"永久性标牌 #{serial} 安装于 {place}",
                    f"plaque #{serial} installed at {place}",
                )
            )
    return out


def _lifelong(before: ProjectState, after: ProjectState) -> list[Change]:
    """The lifelong half in words: defects and repairs, complaints, accidents from grading to
    closure, findings of responsibility (leads by name and period, never by ID number)."""
    out: list[Change] = []
    for defect_id, defect in after.defects.items():
        old = before.defects.get(defect_id)
        if old is None:
            out.append(_defect_reported(defect))
        elif defect.overdue is not None and old.overdue is None:
            due = defect.repair_due
            out.append(
                Change(
                    f"缺陷 {defect_id}：维修逾期（应于 {due} 前修复）",
                    f"defect {defect_id}: repair overdue (due {due})",
                )
            )
        elif defect.status != old.status or len(defect.steps) != len(old.steps):
            out.append(_defect_step(defect))
    for complaint_id, complaint in after.complaints.items():
        old_complaint = before.complaints.get(complaint_id)
        if old_complaint is None:
            out.append(_complaint_lodged(complaint))
        elif complaint.handled and not old_complaint.handled:
            by, on, outcome = complaint.handled_by_role, complaint.handled_on, complaint.outcome
            out.append(
                Change(
                    f"投诉 {complaint_id} 由{_role_zh(by)}于 {on} 处理："
                    f"{_zh(_COMPLAINT_OUTCOMES, outcome)}",
                    f"complaint {complaint_id} handled by the {by} on {on}: {outcome}",
                )
            )
    for accident_id, accident in after.accidents.items():
        old_accident = before.accidents.get(accident_id)
        if old_accident is None:
            continue
        if accident.graded and not old_accident.graded:
            zh, en = accident_grades.names(accident.grade or "")
            loss = f"{accident.direct_loss_cny or 0:,.0f}"
            out.append(
                Change(
                    f"质量事故 {accident_id} 定为{zh}：死亡 {accident.deaths} 人，"
                    f"重伤 {accident.serious_injuries} 人，直接经济损失 {loss} 元",
                    f"accident {accident_id} graded {en} ({zh}): {accident.deaths} death(s), "
                    f"{accident.serious_injuries} serious injury(ies), direct loss {loss} CNY",
                )
            )
        elif accident.investigated and not old_accident.investigated:
            on, cause = accident.concluded_on, accident.cause
            out.append(
                Change(
                    f"质量事故 {accident_id} 调查结论（{on}）：{cause}",
                    f"accident {accident_id} investigated (concluded {on}): {cause}",
                )
            )
        elif accident.closed and not old_accident.closed:
            on, findings = accident.closed_on, accident.findings
            out.append(
                Change(
                    f"质量事故 {accident_id} 于 {on} 结案：{findings}",
                    f"accident {accident_id} closed on {on}: {findings}",
                )
            )
    for finding_id, finding in after.findings.items():
        if finding_id not in before.findings:
            out.append(_finding(finding))
    return out


def _finding(finding: Finding) -> Change:
    end = finding.lead_end.date() if finding.lead_end else "…"
    period = f"{finding.lead_start.date()} – {end}"
    related = ", ".join(finding.relates_to)
    who = _role_zh(finding.role)
    return Change(
        f"追责 {finding.finding_id}：{finding.org_name}（{who}）及其项目负责人 "
        f"{finding.lead_name}（任职 {period}）对{finding.subject}"
        f"{f'（{related}）' if related else ''}负有责任；{'、'.join(finding.measures)}"
        f"（{finding.legal_basis}）",
        f"finding {finding.finding_id}: {finding.org_name} ({finding.role}) and its lead "
        f"{finding.lead_name}, in office {period}, found responsible for "
        f"{finding.subject}{f' ({related})' if related else ''}; "
        f"{', '.join(finding.measures)} ({finding.legal_basis})",
    )


def _complaint_lodged(complaint: Complaint) -> Change:
    unit, against = complaint.unit_id, complaint.against_role
    by = complaint.lodged_by_role
    return Change(
        f"投诉 {complaint.complaint_id} 由{_role_zh(by)}登记"
        f"{f'，涉及单位工程 {unit}' if unit else ''}"
        f"{f'，针对{_role_zh(against)}' if against else ''}（受理日期 {complaint.received_on}）",
        f"complaint {complaint.complaint_id} lodged by the {by}"
        f"{f' about building {unit}' if unit else ''}"
        f"{f', against the {against} party' if against else ''}"
        f" (received {complaint.received_on})",
    )


def _defect_reported(defect: Defect) -> Change:
    dwelling, report = defect.dwelling, defect.public_report
    due, ends = defect.repair_due, defect.warranty_ends
    if defect.in_warranty:
        warranty_zh = f"保修期至 {ends}，" + (f"应于 {due} 前修复" if due else "未约定维修期限")
        warranty_en = f"in warranty until {ends}" + (
            f", repair due {due}" if due else ", no repair period agreed"
        )
    else:
        warranty_zh = f"已过保修期（{ends} 届满）：不负保修责任"
        warranty_en = f"out of warranty (ended {ends}): no repair owed"
    return Change(
        f"缺陷 {defect.defect_id} 报修，单位工程 {defect.unit_id}"
        f"{f'，{dwelling} 户' if dwelling else ''}（{defect.part}"
        f"{f'，公众报修 {report}' if report else ''}），报修方{_role_zh(defect.reported_by)}："
        f"{warranty_zh}",
        f"defect {defect.defect_id} reported in building {defect.unit_id}"
        f"{f', dwelling {dwelling}' if dwelling else ''} ({defect.part}"
        f"{f', public report {report}' if report else ''}) by the {defect.reported_by}: "
        f"{warranty_en}",
    )


def _defect_step(defect: Defect) -> Change:
    did = defect.defect_id
    if defect.status is DefectStatus.REPAIRED:
        on = defect.repaired_on
        return Change(f"缺陷 {did} 已于 {on} 修复", f"defect {did} repaired on {on}")
    if defect.status is DefectStatus.CONFIRMED:
        on = defect.confirmed_on
        return Change(f"缺陷 {did}：{on} 确认修复", f"defect {did}: repair confirmed on {on}")
    due, on = defect.repair_due, defect.reopened_on
    return Change(
        f"缺陷 {did}：{on} 对维修提出异议，重新打开{f'，应于 {due} 前修复' if due else ''}",
        f"defect {did}: repair disputed on {on}, open again{f', repair due {due}' if due else ''}",
    )


def _unit_changes(before: UnitProject | None, unit: UnitProject) -> list[Change]:
    """A building's acceptance steps: registration, sub-items, divisions, dwellings, the notice,
    the warranty and its completion."""
    out: list[Change] = []
    zh, en = f"{unit.name}（{unit.unit_id}）", f"{unit.name} ({unit.unit_id})"
    if before is None and unit.registered is not None:
        divisions, dwellings = len(unit.divisions), len(unit.dwellings)
        out.append(
            Change(
                f"单位工程 {zh} 登记：分部工程 {divisions} 个"
                f"{f'，住宅 {dwellings} 户' if unit.housing else ''}",
                f"building {en} registered: {divisions} division(s)"
                f"{f', {dwellings} dwelling(s)' if unit.housing else ''}",
            )
        )
    old = before or UnitProject(unit_id=unit.unit_id, name=unit.name)
    out += [
        Change(
            f"{zh}：分项工程 {key} 验收合格（检验批 {len(s.inspection_lots)} 个）",
            f"{en}: sub-item {key} accepted from {len(s.inspection_lots)} inspection lot(s)",
        )
        for key, s in unit.subitems.items()
        if key not in old.subitems
    ]
    out += [
        Change(
            f"{zh}：分部工程 {d} 验收合格，{'、'.join(map(_role_zh, a.lead_signatures))}签字",
            f"{en}: division {d} accepted, signed by {', '.join(a.lead_signatures)}",
        )
        for d, a in unit.divisions_accepted.items()
        if d not in old.divisions_accepted
    ]
    out += [
        Change(
            f"{zh}：{d} 户分户验收{'合格' if r.passed else '不合格'}",
            f"{en}: dwelling {d} {'passed' if r.passed else 'failed'} its per-dwelling acceptance",
        )
        for d, r in unit.dwelling_results.items()
        if old.dwelling_results.get(d) != r
    ]
    if unit.notice and unit.notice != old.notice:
        on = unit.notice.planned_on
        out.append(
            Change(
                f"{zh}：已告知质量监督机构，{on} 竣工验收",
                f"{en}: the station told of the acceptance on {on}",
            )
        )
    if unit.warranty and not old.warranty:
        out.append(Change(f"{zh}：工程质量保修书已出具", f"{en}: warranty certificate issued"))
    if unit.completion and not old.completion:
        on = unit.completion.accepted_on
        out.append(Change(f"{zh} 竣工验收合格（{on}）", f"completion of {en} accepted on {on}"))
    return out


def _samplings(sampling: Sampling | None) -> tuple[str, str]:
    if sampling is None:
        return "", ""
    counted, required, standard = sampling.counted, sampling.required, sampling.standard
    return (
        f"（取样 {counted} 组，{standard} 要求 {required} 组）",
        f" ({counted} sampling(s), {required} required by {standard})",
    )


def steps(project_id: str, records: Iterable[SealedRecord]) -> list[Step]:
    state = ProjectState(project_id=project_id)
    out = []
    for record in records:
        after = fold(state, record)
        actor = record.body["actor"]
        out.append(
            Step(
                record.seq,
                record.event_id,
                record.type,
                f"{actor['role']} {actor['org']}",
                record.occurred_at,
                record.recorded_at,
                changes(state, after),
            )
        )
        state = after
    return out


def diff(live: object, rebuilt: object, path: str = "") -> list[str]:
    """Every place two JSON-like values differ, as ``path: live … rebuilt …``."""
    if isinstance(live, dict) and isinstance(rebuilt, dict):
        out: list[str] = []
        for key in sorted(set(live) | set(rebuilt), key=str):
            where = f"{path}.{key}" if path else str(key)
            if key not in live:
                out.append(f"{where}: missing live, rebuilt has {rebuilt[key]!r}")
            elif key not in rebuilt:
                out.append(f"{where}: live has {live[key]!r}, missing rebuilt")
            else:
                out += diff(live[key], rebuilt[key], where)
        return out
    if isinstance(live, list) and isinstance(rebuilt, list) and len(live) == len(rebuilt):
        return [
            d
            for i, (a, b) in enumerate(zip(live, rebuilt, strict=True))
            for d in diff(a, b, f"{path}[{i}]")
        ]
    return [] if live == rebuilt else [f"{path}: live {live!r}, rebuilt {rebuilt!r}"]
