"""Alert kinds with their severity and bilingual messages, and how alerts are made."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from services.domain.state import Alert, Severity


@dataclass(frozen=True)
class AlertKind:
    kind: str
    severity: Severity
    zh: str
    en: str
    blocking: bool = True

    def raise_(self, about: str, events: list[str], at: dt.datetime, **values: Any) -> Alert:
        return Alert(
            alert_id=f"{self.kind}:{about}",
            kind=self.kind,
            severity=self.severity,
            events=events,
            message_zh=self.zh.format(**values),
            message_en=self.en.format(**values),
            raised_at=at,
            blocking=self.blocking,
        )


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
