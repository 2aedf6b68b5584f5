"""What a station looks at first across its projects: open alerts by kind and by age, overdue
deadlines and repairs, labs whose conclusions qtrail's evaluation contradicts.

Pure: the adapters hand over counts and folded states, and the day it is; nothing here reads a
clock. Alert kinds are named in Chinese and English here, next to the kinds themselves, so the
station's pages and the API name them the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from services.domain import aftercare, supervision
from services.domain.filing import DEADLINE_NAMES
from services.domain.materials import alerts
from services.domain.state import DefectStatus, ProjectState, Verdict

AGE_BUCKETS: tuple[tuple[str, str, str], ...] = (
    ("lt_7d", "7 天以内", "under 7 days"),
    ("7_30d", "7–30 天", "7–30 days"),
    ("gt_30d", "30 天以上", "over 30 days"),
)
"""Buckets of an open alert's age in days, youngest first: a week, a month, longer."""

FORGED_PLAQUE = "forged_plaque"
"""Scans of plaque codes that failed verification (counted per project and day, not alerts)."""

KIND_NAMES: dict[str, tuple[str, str]] = {
    alerts.UNWITNESSED.kind: ("未见证取样", "sample taken without a witness"),
    alerts.SEAL_MISMATCH.kind: ("封样标识不符", "sample seal mismatch"),
    alerts.EVALUATION_FAILED.kind: ("评定不合格", "evaluation failed"),
    alerts.EVALUATION_INVALID.kind: ("无法评定", "cannot be evaluated"),
    alerts.MASS_DEVIATION.kind: ("钢筋重量偏差超标", "rebar mass deviation"),
    alerts.CONCLUSION_CONTRADICTS.kind: (
        "检测结论与评定矛盾",
        "lab conclusion contradicts the evaluation",
    ),
    alerts.REPORT_REUSED.kind: ("报告编号重复使用", "report number reused"),
    alerts.UNCOMMISSIONED_LAB.kind: ("未受委托的检测机构", "uncommissioned lab"),
    alerts.LAB_FAILED.kind: ("检测结论不合格", "lab report concludes fail"),
    alerts.SAMPLING_SHORTFALL.kind: ("取样次数不足", "too few samplings"),
    alerts.SAMPLE_DISPOSED.kind: ("样品无检测结果", "sample without a result"),
    aftercare.OVERDUE_KIND: ("保修维修逾期", "warranty repair overdue"),
    aftercare.LATE_REPORT_KIND: ("事故迟报", "accident reported late"),
    supervision.RECTIFICATION_KIND: ("整改通知", "rectification notice"),
    supervision.STOP_WORK_KIND: ("停工通知", "stop-work order"),
    FORGED_PLAQUE: ("伪造标牌扫描", "forged plaque scans"),
}


def kind_names(kind: str) -> tuple[str, str]:
    """``kind`` in Chinese and English; a missed deadline by what was due, an unknown kind as
    itself (a kind added later still shows)."""
    if kind in KIND_NAMES:
        return KIND_NAMES[kind]
    missed, _, what = kind.partition(f"{supervision.MISSED_KIND}.")
    if not missed and what in DEADLINE_NAMES:
        zh, en = DEADLINE_NAMES[what]
        return f"逾期未完成：{zh}", f"missed: {en}"
    return kind, kind


def age_bucket(raised_on: dt.date, today: dt.date) -> str:
    """The bucket of an alert raised on ``raised_on`` (China's day), seen on ``today``."""
    age = (today - raised_on).days
    if age < 7:
        return "lt_7d"
    if age <= 30:
        return "7_30d"
    return "gt_30d"


@dataclass(frozen=True)
class KindAges:
    """Open alerts of one kind, counted by age bucket."""

    kind: str
    zh: str
    en: str
    counts: dict[str, int]
    total: int


def alerts_by_kind_and_age(
    groups: Iterable[tuple[str, dt.date, int]], today: dt.date
) -> list[KindAges]:
    """``(kind, day raised, open alerts)`` groups as a kind × age table, the most frequent kind
    first."""
    table: dict[str, dict[str, int]] = {}
    for kind, raised_on, count in groups:
        row = table.setdefault(kind, dict.fromkeys((b[0] for b in AGE_BUCKETS), 0))
        row[age_bucket(raised_on, today)] += count
    rows = [
        KindAges(kind, *kind_names(kind), counts, sum(counts.values()))
        for kind, counts in table.items()
    ]
    return sorted(rows, key=lambda r: (-r.total, r.kind))


def bucket_totals(rows: Iterable[KindAges]) -> dict[str, int]:
    """Each bucket's count over every kind, and ``total``."""
    totals = dict.fromkeys((b[0] for b in AGE_BUCKETS), 0)
    for row in rows:
        for bucket, count in row.counts.items():
            totals[bucket] += count
    return totals | {"total": sum(totals.values())}


@dataclass(frozen=True)
class OverdueItem:
    """A deadline missed and not met since, or a warranty repair past its day."""

    zh: str
    en: str
    subject: str
    due_on: dt.date


def overdue_items(state: ProjectState) -> list[OverdueItem]:
    """What ``summary.summarize`` counts as overdue, item by item, the oldest first."""
    items = [
        OverdueItem(*DEADLINE_NAMES.get(d.kind, (d.kind, d.kind)), d.subject, d.due_on)
        for d in state.deadlines.values()
        if d.missed is not None and d.met is None
    ]
    items += [
        OverdueItem(
            *KIND_NAMES[aftercare.OVERDUE_KIND],
            f"{d.defect_id} ({d.unit_id}, {d.part})",
            d.repair_due,
        )
        for d in state.defects.values()
        if d.overdue is not None and d.status == DefectStatus.OPEN and d.repair_due is not None
    ]
    return sorted(items, key=lambda i: (i.due_on, i.subject))


@dataclass(frozen=True)
class Contradiction:
    """A lab's report whose conclusion qtrail's own evaluation contradicts."""

    lab_code: str
    lab_name: str
    report_number: str
    lab_conclusion: str
    verdict: str


def contradictions(state: ProjectState) -> list[Contradiction]:
    """The reports of ``state`` whose pass or fail the evaluation turned round (the rule that
    raises ``lab_conclusion_contradicts``), by lab and report number."""
    found = [
        Contradiction(
            report.lab_code,
            state.labs[report.lab_code].name if report.lab_code in state.labs else report.lab_code,
            report.report_number,
            report.lab_conclusion,
            report.verdict.value,
        )
        for report in state.reports.values()
        if report.verdict in (Verdict.PASS, Verdict.FAIL)
        and report.verdict != report.lab_conclusion
    ]
    return sorted(found, key=lambda c: (c.lab_code, c.report_number))
