"""Alert kinds with their severity and bilingual messages, how alerts are made, and how a raised
failure joins the disposal of its lot or batch."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from services.domain.frozen import replace
from services.domain.ledger import EventRef
from services.domain.state import Alert, Disposition, ProjectState, Severity


@dataclass(frozen=True)
class AlertKind:
    kind: str
    severity: Severity
    zh: str
    en: str
    blocking: bool = True
    requires_disposal: bool = False
    """A material failure: closed only through the disposal path of GB 50300-2013 §5.0.6."""

    def raise_(
        self,
        about: str,
        events: list[str],
        at: dt.datetime,
        *,
        of_lot: str | None = None,
        requires_disposal: bool | None = None,
        **values: Any,
    ) -> Alert:
        """The alert about ``about``; a failure names the lot it is of (``material:lot``): its
        disposal applies to that lot or batch as a whole."""
        disposal = self.requires_disposal if requires_disposal is None else requires_disposal
        return Alert(
            alert_id=f"{self.kind}:{about}",
            kind=self.kind,
            severity=self.severity,
            events=events,
            message_zh=self.zh.format(**values),
            message_en=self.en.format(**values),
            raised_at=at,
            blocking=self.blocking or disposal,
            requires_disposal=disposal and of_lot is not None,
            subject=of_lot,
        )


def under_way(dispositions: Mapping[str, Disposition], subject: str) -> Disposition | None:
    """The disposal under way for ``subject``, if any."""
    return next(
        (d for d in dispositions.values() if d.subject == subject and d.closed_by is None), None
    )


def raised(state: ProjectState, ref: EventRef, *new: Alert) -> dict[str, Any]:
    """The state's changes that raise ``new`` alerts (an alert already raised stays as it was):
    a failure joins the open disposal of its lot or batch, or opens one at ``ref``."""
    current = dict(state.alerts)
    dispositions = dict(state.dispositions)
    for alert in new:
        if alert.alert_id in current:
            continue
        current[alert.alert_id] = alert
        if not alert.requires_disposal or alert.subject is None:
            continue
        joined = under_way(dispositions, alert.subject)
        if joined is not None:
            dispositions[joined.disposition_id] = replace(
                joined, alerts=[*joined.alerts, alert.alert_id]
            )
        else:
            material, _, lot_id = alert.subject.partition(":")
            dispositions[alert.alert_id] = Disposition(
                disposition_id=alert.alert_id,
                subject=alert.subject,
                material=material,
                lot_id=lot_id,
                opened=ref,
                alerts=[alert.alert_id],
            )
    changes: dict[str, Any] = {"alerts": current}
    if dispositions != state.dispositions:
        changes["dispositions"] = dispositions
    return changes


UNWITNESSED = AlertKind(
    "unwitnessed_sample",
    Severity.WARNING,
    "见证取样材料 {material} 的样品 {sample} 未经见证",
    "mandatory {material} sample {sample} was taken without a witness",
)
SEAL_MISMATCH = AlertKind(
    "seal_mismatch",
    Severity.CRITICAL,
    "样品 {sample} 封样标识不符：记录 {expected}，实收 {seen}",
    "sample {sample} seal mismatch: recorded {expected}, the lab saw {seen}",
)
EVALUATION_FAILED = AlertKind(
    "evaluation_failed",
    Severity.CRITICAL,
    "{subject} 按 {standard} 评定不合格",
    "{subject} fails {standard}",
    requires_disposal=True,
)
EVALUATION_INVALID = AlertKind(
    "evaluation_invalid",
    Severity.WARNING,
    "{subject} 无法按 {standard} 评定：{why}",
    "{subject} cannot be evaluated by {standard}: {why}",
)
MASS_DEVIATION = AlertKind(
    "mass_deviation",
    Severity.CRITICAL,
    "报告 {report} 钢筋重量偏差 {deviation}% 超出允许值 ±{allowed}%，疑似瘦身或假冒钢筋",
    "report {report}: rebar mass deviation {deviation}% beyond ±{allowed}%, suspected stretched or fake bar",
    requires_disposal=True,
)
CONCLUSION_CONTRADICTS = AlertKind(
    "lab_conclusion_contradicts",
    Severity.CRITICAL,
    "报告 {report} 的检测结论为 {lab}，qtrail 评定为 {ours}",
    "report {report}: the lab concluded {lab}, qtrail's evaluation says {ours}",
)
REPORT_REUSED = AlertKind(
    "reused_report_number",
    Severity.CRITICAL,
    "报告编号 {report} 已被使用（{where}），疑似伪造报告",
    "report number {report} was seen before ({where}): suspected counterfeit report",
    blocking=False,
)
UNCOMMISSIONED_LAB = AlertKind(
    "uncommissioned_lab",
    Severity.CRITICAL,
    "未受建设单位委托的检测机构 {lab} 提交报告 {report}（住建部令第57号第21条）",
    "report {report} from lab {lab}, which the owner did not commission (MOHURD Order 57 art. 21)",
    blocking=False,
)
LAB_FAILED = AlertKind(
    "lab_failed",
    Severity.CRITICAL,
    "检测报告 {report}（{material}，样品 {sample}，批 {lot}）结论为不合格，须按 GB 50300-2013 第5.0.6条处理",
    "lab report {report} ({material}, sample {sample}, lot {lot}) concludes fail: to be disposed of as GB 50300-2013 §5.0.6 prescribes",
    requires_disposal=True,
)
SAMPLING_SHORTFALL = AlertKind(
    "sampling_shortfall",
    Severity.WARNING,
    "{subject_zh} 取样 {counted} 次，少于 {standard} 要求的 {required} 次（{short}），须经实体检测等处理",
    "{subject_en}: {counted} sampling(s), fewer than the {required} {standard} asks for ({short}); to be disposed of by in-situ testing or the other steps of GB 50300-2013 §5.0.6",
    requires_disposal=True,
)
SAMPLE_DISPOSED = AlertKind(
    "sample_disposed",
    Severity.WARNING,
    "样品 {sample}（{material}，批 {lot}）记录为{cause_zh}，无检测结果：{description}",
    "sample {sample} ({material}, lot {lot}) recorded {cause}, it will have no result: {description}",
    blocking=False,
)
