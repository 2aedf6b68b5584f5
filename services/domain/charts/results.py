"""Material test results over time: every test report a mark on its test day, one row per material.

A failure is a red cross with its report number beside it; an invalid evaluation a purple
triangle; a revoked or replaced report a hollow mark saying so: shape and words, not colour alone,
tell them apart. A concrete report is judged with its batch, not alone: without a verdict of
qtrail's own it shows the lab's conclusion, as a hollow ring when the lab passed it.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from events.materials import MATERIAL_NAMES
from services.domain.charts.svg import (
    FAIL,
    GRID,
    INVALID,
    MUTED,
    PASS,
    SMALL,
    Canvas,
    clip,
    legend,
    mark,
    no_data,
    paint,
)
from services.domain.charts.timeline import TimeScale, day_start, draw_axis, span
from services.domain.state import ProjectState, ReportStatus, Verdict

KEY = "results"
TITLE = ("材料检测结果", "Material test results")
MARGIN = 8.0
HEADING = 18.0
LANE = 40.0


@dataclass(frozen=True)
class ResultMark:
    report_number: str
    material: str
    tested_on: dt.date
    outcome: str
    """``pass``, ``fail``, ``invalid`` (qtrail's verdict, or a lab's failure without one) or
    ``unjudged`` (no verdict of its own: concrete is judged by batch)."""
    status: str
    """``valid``, ``replaced`` or ``revoked``."""


def material_results(state: ProjectState) -> tuple[ResultMark, ...]:
    """Every report of the project, by material (the catalog's order), then day and number."""
    marks = []
    for report in state.reports.values():
        sample = state.samples.get(report.sample_id)
        material = sample.material if sample else "other"
        if report.verdict is not None:
            outcome = report.verdict.value
        else:
            outcome = Verdict.FAIL.value if report.lab_conclusion == "fail" else "unjudged"
        marks.append(
            ResultMark(
                report.report_number, material, report.tested_on, outcome, report.status.value
            )
        )
    order = {material: n for n, material in enumerate(MATERIAL_NAMES)}
    return tuple(
        sorted(
            marks,
            key=lambda m: (order.get(m.material, len(order)), m.tested_on, m.report_number),
        )
    )


LOOKS = {
    "pass": ("circle", PASS, False, "合格 / pass"),
    "fail": ("cross", FAIL, False, "不合格 / fail"),
    "invalid": ("triangle", INVALID, False, "无法评定 / invalid"),
    "unjudged": ("ring", MUTED, True, "随验收批评定 / judged with its batch"),
    ReportStatus.REVOKED.value: ("square", MUTED, True, "已撤销 / revoked"),
    ReportStatus.REPLACED.value: ("diamond", MUTED, True, "已替换 / replaced"),
}
"""How each mark looks: shape, colour, hollow, and its words in the legend."""
SHORT = {
    "fail": "不合格",
    "invalid": "无效",
    ReportStatus.REVOKED.value: "撤销",
    ReportStatus.REPLACED.value: "替换",
}
"""Words written beside a mark that needs attention, before its report number."""


def look(result: ResultMark) -> str:
    """The key of ``LOOKS`` for ``result``: a report no longer valid is drawn as such first."""
    return result.outcome if result.status == ReportStatus.VALID.value else result.status


def render_results(results: tuple[ResultMark, ...], until: dt.datetime) -> str:
    if not results:
        return no_data(KEY, *TITLE, "尚无检测报告", "no test report yet")
    materials = list(dict.fromkeys(r.material for r in results))
    failed = sum(look(r) == "fail" for r in results)
    desc = (
        f"{len(results)} 份检测报告，{len(materials)} 种材料，{failed} 份不合格 / "
        f"{len(results)} test reports of {len(materials)} materials, {failed} failed"
    )
    start, end = span([day_start(r.tested_on) for r in results], until)
    top = 8.0
    bottom = top + len(materials) * (HEADING + LANE)
    canvas = Canvas(KEY, *TITLE, desc, bottom + 44 + 40)
    scale = TimeScale(start, end, MARGIN + 6, canvas.width - MARGIN - 6)
    draw_axis(canvas, scale, top, bottom)
    rows = canvas.group("rows")
    y = top
    for material in materials:
        _row(canvas, rows, material, [r for r in results if r.material == material], scale, y)
        y += HEADING + LANE
    shown = list(dict.fromkeys(look(r) for r in results))
    below = legend(
        canvas,
        bottom + 56,
        [LOOKS[key] for key in LOOKS if key in shown],
    )
    canvas.fit(below)
    return canvas.render()


def _row(
    canvas: Canvas,
    parent: ET.Element,
    material: str,
    results: list[ResultMark],
    scale: TimeScale,
    y: float,
) -> None:
    zh, en = MATERIAL_NAMES.get(material, (material, material))
    row = canvas.group("material", parent, extra={"data-material": clip(material, 40)})
    canvas.text(
        MARGIN, y + 13, f"{zh} / {en}（{len(results)}）", row, extra={"font-weight": "bold"}
    )
    middle = y + HEADING + LANE / 2
    canvas.line(scale.left, middle, scale.right, middle, row, stroke=GRID)
    flagged = 0
    for result in results:
        key = look(result)
        shape, colour, hollow, words = LOOKS[key]
        x = scale.x(day_start(result.tested_on) + dt.timedelta(hours=12))
        group = canvas.group(
            f"report {key}",
            row,
            extra={"data-outcome": result.outcome, "data-status": result.status},
        )
        canvas.tooltip(group, f"{result.report_number} · {result.tested_on.isoformat()} · {words}")
        paint(
            mark(canvas, shape, x, middle, 5, group), colour, hollow=hollow, line=shape == "cross"
        )
        if key in SHORT:
            # alternate above and below the line, so neighbouring labels do not collide
            label_y = middle - 9 if flagged % 2 == 0 else middle + 17
            flagged += 1
            anchor = "end" if x > (scale.left + scale.right) / 2 else "start"
            canvas.text(
                x - 7 if anchor == "end" else x + 7,
                label_y,
                f"{SHORT[key]} {clip(result.report_number, 24)}",
                group,
                size=SMALL,
                anchor=anchor,
                fill=colour,
                extra={"class": "label"},
            )
