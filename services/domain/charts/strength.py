"""Concrete batch strength (GB/T 50107-2010): each batch's group strengths against fcu,k and the
limits its evaluation applied.

The figures come from qtrail's own sealed evaluation of the batch (``materials.evaluated``,
``subject_kind`` ``concrete_batch``): the group values as judged (150 mm cube), fcu,k, the mean
and every check's required value, so the chart shows exactly what the verdict rested on, by the
method used (non-statistical λ3/λ4, statistical λ1/λ2, or known σ0), never a re-computation.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from services.domain.chain import SealedRecord
from services.domain.charts.svg import (
    FAIL,
    GRID,
    INK,
    INVALID,
    MUTED,
    PASS,
    SMALL,
    WARN,
    Canvas,
    clip,
    legend,
    mark,
    no_data,
    num,
    paint,
)
from services.domain.state import ProjectState

KEY = "strength"
TITLE = ("混凝土验收批强度", "Concrete batch strength")
EVALUATED = "qtrail.materials.evaluated.v1"

LEFT, GUTTER, MARGIN = 44.0, 136.0, 8.0
PLOT_HEIGHT = 150.0

METHODS = {
    "non-statistical": "非统计方法 / non-statistical",
    "statistical, unknown sigma": "统计方法（σ 未知）/ statistical, σ unknown",
    "statistical, known sigma": "统计方法（σ0 已知）/ statistical, σ0 known",
}
VERDICTS = {
    "pass": ("✓ 合格 / pass", PASS),
    "fail": ("✗ 不合格 / fail", FAIL),
    "invalid": ("? 无法评定 / invalid", INVALID),
}
CHECK_NAMES = {
    "mean": ("均值", "mean"),
    "min": ("最小值", "min"),
    "min_ratio": ("最小值", "min"),
}


@dataclass(frozen=True)
class Limit:
    """One check of the batch: the stated figure against the required one."""

    check: str
    """``mean``, ``min`` or ``min_ratio``, as the evaluation names it."""
    required: float
    stated: float | None
    ok: bool
    formula: str
    """How the standard derives ``required``, e.g. ``λ3·fcu,k``."""


@dataclass(frozen=True)
class StrengthBatch:
    batch_id: str
    grade: str
    verdict: str
    method: str | None
    standard: str
    fcu_k: float | None
    groups: tuple[float, ...]
    """Group values as judged, in the order tested (invalid groups left out, as the standard does)."""
    mean: float | None
    limits: tuple[Limit, ...]
    factors: tuple[tuple[str, float], ...]
    """λ1…λ4 or σ0 as used, e.g. ``(("λ3", 1.15), ("λ4", 0.95))``."""
    reasons: tuple[str, ...]
    seq: int
    """Where the evaluation was sealed."""

    @property
    def floor(self) -> float | None:
        """The highest lower limit any single group must reach (the minimum's), if any."""
        mins = [lim.required for lim in self.limits if lim.check in ("min", "min_ratio")]
        return max(mins, default=None)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _formula(check: str, method: str | None, standard: str) -> str:
    if method == "non-statistical":
        return "λ3·fcu,k" if check == "mean" else "λ4·fcu,k"
    if method == "statistical, known sigma":
        return {"mean": "fcu,k + 0.7σ0", "min": "fcu,k − 0.7σ0"}.get(check, "0.85/0.90·fcu,k")
    if check == "mean":
        return "0.9fcu,k + λ1·S" if standard.startswith("GBJ") else "fcu,k + λ1·S"
    return "λ2·fcu,k"


_FACTORS = (
    ("lambda1", "λ1"),
    ("lambda2", "λ2"),
    ("lambda3", "λ3"),
    ("lambda4", "λ4"),
    ("s_used", "S"),
    ("sigma0_used", "σ0"),
)


def strength_batches(
    state: ProjectState, records: Iterable[SealedRecord]
) -> tuple[StrengthBatch, ...]:
    """Each concrete batch's latest sealed evaluation, in the order they were sealed."""
    latest: dict[str, SealedRecord] = {}
    for record in records:
        data = record.body.get("data", {})
        if record.type != EVALUATED or data.get("subject_kind") != "concrete_batch":
            continue
        batch_id = str(data.get("subject_id", ""))
        if batch_id not in latest or latest[batch_id].seq < record.seq:
            latest[batch_id] = record
    out = [_batch(state, batch_id, record) for batch_id, record in latest.items()]
    return tuple(sorted(out, key=lambda b: b.seq))


def _batch(state: ProjectState, batch_id: str, record: SealedRecord) -> StrengthBatch:
    data: Mapping[str, Any] = record.body["data"]
    given = data.get("values")
    values: Mapping[str, Any] = given if isinstance(given, dict) else {}
    method = data.get("method") if isinstance(data.get("method"), str) else None
    standard = str(data.get("standard", ""))
    fcu_k = _number(values.get("fcu_k"))
    raw_groups = values.get("group_values")
    groups = tuple(
        g
        for g in (_number(v) for v in (raw_groups if isinstance(raw_groups, list) else []))
        if g is not None
    )
    limits = []
    for check in data.get("checks", []):
        if not isinstance(check, dict):
            continue
        required = _number(check.get("required"))
        name = str(check.get("name", ""))
        if required is None or name not in CHECK_NAMES:
            continue
        stated = _number(check.get("stated", check.get("actual")))
        limits.append(
            Limit(name, required, stated, check.get("ok") is True, _formula(name, method, standard))
        )
    factors = tuple(
        (label, number)
        for key, label in _FACTORS
        if (number := _number(values.get(key))) is not None
    )
    closed = state.concrete_batches.get(batch_id)
    grade = closed.grade if closed else (f"C{fcu_k:g}" if fcu_k else "")
    reasons = data.get("reasons", [])
    return StrengthBatch(
        batch_id=batch_id,
        grade=grade,
        verdict=str(data.get("verdict", "invalid")),
        method=method,
        standard=standard,
        fcu_k=fcu_k,
        groups=groups,
        mean=_number(values.get("mean")),
        limits=tuple(limits),
        factors=factors,
        reasons=tuple(str(r) for r in reasons) if isinstance(reasons, list) else (),
        seq=record.seq,
    )


# ----------------------------------------------------------------------------- drawing


def group_standing(batch: StrengthBatch, value: float) -> str:
    """``below_limit`` (under the minimum's limit), ``below_fcu_k``, or ``ok``."""
    floor = batch.floor
    if floor is not None and value < floor:
        return "below_limit"
    if batch.fcu_k is not None and value < batch.fcu_k:
        return "below_fcu_k"
    return "ok"


STANDINGS = {
    "ok": ("circle", PASS, "组强度 ≥ fcu,k / group ≥ fcu,k"),
    "below_fcu_k": ("triangle", WARN, "组强度 < fcu,k / group < fcu,k"),
    "below_limit": ("cross", FAIL, "低于最小值限 / below the min limit"),
}


def render_strength(batches: tuple[StrengthBatch, ...]) -> str:
    if not batches:
        return no_data(KEY, *TITLE, "尚无已评定的混凝土验收批", "no concrete batch evaluated yet")
    failed = sum(b.verdict == "fail" for b in batches)
    desc = (
        f"{len(batches)} 个混凝土验收批，{failed} 个不合格（GB/T 50107-2010）/ "
        f"{len(batches)} concrete batches, {failed} failed (GB/T 50107-2010)"
    )
    heights = [_panel_height(b) for b in batches]
    canvas = Canvas(KEY, *TITLE, desc, sum(heights) + 44)
    y = 8.0
    for batch, height in zip(batches, heights, strict=True):
        _panel(canvas, batch, y)
        y += height
    below = legend(
        canvas,
        y + 14,
        [(shape, colour, False, label) for shape, colour, label in STANDINGS.values()],
    )
    canvas.fit(below)
    return canvas.render()


def _plotted(batch: StrengthBatch) -> bool:
    return bool(batch.groups) and batch.fcu_k is not None


def _panel_height(batch: StrengthBatch) -> float:
    if not _plotted(batch):
        return 24 + 16 * max(1, min(len(batch.reasons), 3)) + 12
    return 24 + PLOT_HEIGHT + 24 + 15 * len(batch.limits) + 12


def _panel(canvas: Canvas, batch: StrengthBatch, y: float) -> None:
    panel = canvas.group(f"batch {batch.verdict}", extra={"data-batch": clip(batch.batch_id, 80)})
    verdict, colour = VERDICTS.get(batch.verdict, VERDICTS["invalid"])
    method = METHODS.get(batch.method or "", batch.method or "")
    heading = f"混凝土验收批 {batch.batch_id} · {batch.grade}"
    canvas.text(MARGIN, y + 14, clip(heading, 40), panel, extra={"font-weight": "bold"})
    canvas.text(
        canvas.width - MARGIN,
        y + 14,
        verdict,
        panel,
        anchor="end",
        fill=colour,
        extra={"font-weight": "bold", "class": "verdict"},
    )
    y += 24
    if not _plotted(batch):
        reasons = batch.reasons or ("没有可评定的组强度 / no group values to judge",)
        for line in reasons[:3]:
            canvas.text(MARGIN, y + 12, clip(f"无法评定 / invalid: {line}", 76), panel, size=SMALL)
            y += 16
        return
    assert batch.fcu_k is not None
    lines = [("fcu-k", batch.fcu_k, f"fcu,k {num(batch.fcu_k)}", INK, "")]
    for limit in batch.limits:
        zh, en = CHECK_NAMES[limit.check]
        tint = PASS if limit.ok else FAIL
        lines.append(
            (
                f"limit-{limit.check}",
                limit.required,
                f"{zh}限 {en} ≥ {num(limit.required)}",
                tint,
                "6 3",
            )
        )
    if batch.mean is not None:
        lines.append(("batch-mean", batch.mean, f"均值 mean {num(batch.mean)}", MUTED, "2 2"))
    low = min([*batch.groups, *(v for _, v, *_ in lines)])
    high = max([*batch.groups, *(v for _, v, *_ in lines)])
    step = _step(high - low)
    low = math.floor(low / step) * step - step
    high = math.ceil(high / step) * step
    top, bottom = y + 4, y + 4 + PLOT_HEIGHT
    left, right = LEFT, canvas.width - GUTTER

    def at(value: float) -> float:
        return bottom - (value - low) / (high - low) * (bottom - top)

    axis = canvas.group("value-axis", panel)
    tick = low
    while tick <= high + 1e-9:
        canvas.line(left, at(tick), right, at(tick), axis, stroke=GRID)
        canvas.text(left - 4, at(tick) + 4, f"{tick:g}", axis, size=SMALL, anchor="end", fill=MUTED)
        tick += step
    canvas.text(left - 4, bottom + 16, "MPa", axis, size=SMALL, anchor="end", fill=MUTED)
    canvas.line(left, top, left, bottom, axis, stroke=MUTED)
    canvas.line(left, bottom, right, bottom, axis, stroke=MUTED)
    count = len(batch.groups)
    canvas.text(
        (left + right) / 2,
        bottom + 16,
        f"组 1–{count}（按检测顺序）/ groups 1–{count}, as tested",
        axis,
        size=SMALL,
        anchor="middle",
        fill=MUTED,
    )
    _lines(canvas, panel, lines, at, left, right)
    points = canvas.group("groups", panel)
    for index, value in enumerate(batch.groups, 1):
        x = left + (right - left) * (index - 0.5) / count
        standing = group_standing(batch, value)
        shape, tint, _ = STANDINGS[standing]
        point = canvas.group(
            f"group {standing}", points, extra={"data-value": num(value), "data-index": str(index)}
        )
        canvas.tooltip(point, f"第 {index} 组 / group {index}: {num(value)} MPa")
        paint(mark(canvas, shape, x, at(value), 4.5, point), tint, line=shape == "cross")
        if standing != "ok":  # written on the side away from the gutter's labels
            left_half = x < (left + right) / 2
            canvas.text(
                x + 7 if left_half else x - 7,
                at(value) + 4,
                num(value),
                point,
                size=SMALL,
                anchor="start" if left_half else "end",
                fill=tint,
            )
    y = bottom + 24
    factors = "，".join(f"{name} = {value:g}" for name, value in batch.factors)
    for limit in batch.limits:
        zh, en = CHECK_NAMES[limit.check]
        outcome = "合格 / pass" if limit.ok else "不合格 / fail"
        stated = "—" if limit.stated is None else num(limit.stated)
        canvas.text(
            MARGIN,
            y + 10,
            clip(
                f"{'✓' if limit.ok else '✗'} {zh} {en} {stated}，要求 / required ≥ "
                f"{limit.formula} = {num(limit.required)}：{outcome}",
                80,
            ),
            panel,
            size=SMALL,
            fill=PASS if limit.ok else FAIL,
            extra={"class": f"check check-{limit.check}"},
        )
        y += 15
    canvas.tooltip(panel, f"{heading} · {method} · {batch.standard} · {factors}")


def _lines(
    canvas: Canvas,
    panel: ET.Element,
    lines: list[tuple[str, float, str, str, str]],
    at: Callable[[float], float],
    left: float,
    right: float,
) -> None:
    """Horizontal reference lines, each labelled in the right gutter (labels pushed apart)."""
    group = canvas.group("references", panel)
    placed: list[float] = []
    for cls, value, label, tint, dash in sorted(lines, key=lambda line: -line[1]):
        y = at(value)
        attrs = {"class": f"reference {cls}", "data-value": num(value)}
        if dash:
            attrs["stroke-dasharray"] = dash
        canvas.line(left, y, right, y, group, stroke=tint, width=1.5, extra=attrs)
        label_y = max(y + 4, placed[-1] + 13) if placed else y + 4
        placed.append(label_y)
        canvas.text(
            right + 4, label_y, label, group, size=SMALL, fill=tint, extra={"class": f"label {cls}"}
        )


def _step(spread: float) -> float:
    """A round tick step giving about four to eight ticks over ``spread`` MPa."""
    for step in (1.0, 2.0, 5.0, 10.0, 20.0, 50.0):
        if spread / step <= 6:
            return step
    return 100.0
