"""Alerts opened and closed over time: a step line of how many were open at each moment.

An alert knows when it was raised and the record that resolved it (``resolved_by``), not that
record's time: the resolution is dated by the resolving record's ``recorded_at``, the same clock
``raised_at`` is on, so the records passed in must include the project's resolving records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from services.domain.chain import SealedRecord
from services.domain.charts.svg import (
    FAIL,
    GRID,
    MUTED,
    PASS,
    SMALL,
    Canvas,
    legend,
    mark,
    no_data,
    num,
    paint,
)
from services.domain.charts.timeline import TimeScale, day_text, draw_axis, span
from services.domain.state import ProjectState

KEY = "alerts"
TITLE = ("预警的产生与处理", "Alerts opened and closed")
LEFT, MARGIN = 36.0, 8.0
PLOT_HEIGHT = 140.0


@dataclass(frozen=True)
class AlertSpan:
    alert_id: str
    severity: str
    raised_at: dt.datetime
    resolved_at: dt.datetime | None
    """None while open, or when the resolving record is not among those given."""


@dataclass(frozen=True)
class OpenCount:
    """From ``at`` on, ``open`` alerts were open (``raised`` and ``resolved`` at ``at``)."""

    at: dt.datetime
    open: int
    raised: int
    resolved: int


def alert_spans(state: ProjectState, records: Iterable[SealedRecord]) -> tuple[AlertSpan, ...]:
    """Each alert's time open, in the order raised."""
    recorded = {record.seq: record.recorded_at for record in records}
    spans = [
        AlertSpan(
            alert.alert_id,
            alert.severity.value,
            alert.raised_at,
            recorded.get(alert.resolved_by.seq) if alert.resolved_by else None,
        )
        for alert in state.alerts.values()
    ]
    return tuple(sorted(spans, key=lambda s: (s.raised_at, s.alert_id)))


def open_counts(spans: Iterable[AlertSpan]) -> tuple[OpenCount, ...]:
    """The open count after every moment something was raised or resolved."""
    changes: dict[dt.datetime, list[int]] = {}
    for alert in spans:
        changes.setdefault(alert.raised_at, [0, 0])[0] += 1
        if alert.resolved_at is not None:
            changes.setdefault(alert.resolved_at, [0, 0])[1] += 1
    out, current = [], 0
    for at in sorted(changes):
        raised, resolved = changes[at]
        current += raised - resolved
        out.append(OpenCount(at, current, raised, resolved))
    return tuple(out)


def render_alerts(spans: tuple[AlertSpan, ...], until: dt.datetime) -> str:
    if not spans:
        return no_data(KEY, *TITLE, "没有产生过预警", "no alert has been raised")
    counts = open_counts(spans)
    now_open = counts[-1].open
    closed = sum(s.resolved_at is not None for s in spans)
    day = day_text(until)
    desc = (
        f"共 {len(spans)} 个预警，已处理 {closed} 个，截至 {day} 仍有 {now_open} 个未处理 / "
        f"{len(spans)} alerts, {closed} resolved, {now_open} open as of {day}"
    )
    start, end = span([c.at for c in counts], until)
    top = 24.0
    bottom = top + PLOT_HEIGHT
    canvas = Canvas(KEY, *TITLE, desc, bottom + 44 + 26)
    scale = TimeScale(start, end, LEFT, canvas.width - MARGIN - 4)
    draw_axis(canvas, scale, top, bottom)
    peak = max(max(c.open for c in counts), 1)
    step = next((s for s in (1, 2, 5, 10, 20, 50, 100, 200, 500) if peak / s <= 5), -(-peak // 5))
    high = -(-peak // step) * step

    def at(count: int) -> float:
        return bottom - count / high * (bottom - top)

    axis = canvas.group("count-axis")
    for tick in range(0, high + 1, step):
        canvas.line(LEFT, at(tick), scale.right, at(tick), axis, stroke=GRID)
        canvas.text(LEFT - 4, at(tick) + 4, str(tick), axis, size=SMALL, anchor="end", fill=MUTED)
    canvas.text(MARGIN, top - 10, "未处理预警数 / open alerts", axis, size=SMALL, fill=MUTED)
    canvas.line(LEFT, top, LEFT, bottom, axis, stroke=MUTED)

    points = [(scale.x(start), at(0))]
    for count in counts:
        x = scale.x(count.at)
        points += [(x, points[-1][1]), (x, at(count.open))]
    points.append((scale.x(until), points[-1][1]))
    d = "M" + "L".join(f"{num(x)},{num(y)}" for x, y in points)
    canvas.path(
        d + f"L{num(points[-1][0])},{num(at(0))}Z", fill=FAIL, extra={"fill-opacity": "0.12"}
    )
    canvas.path(d, fill="none", stroke=FAIL, extra={"stroke-width": "2.0", "class": "open-line"})
    changes = canvas.group("changes")
    for count in counts:
        x, y = scale.x(count.at), at(count.open)
        resolved_only = count.raised == 0
        group = canvas.group(
            "change resolved" if resolved_only else "change raised",
            changes,
            extra={"data-open": str(count.open)},
        )
        canvas.tooltip(
            group,
            f"{day_text(count.at)}：新增 {count.raised}，处理 {count.resolved}，"
            f"未处理 {count.open} / raised {count.raised}, resolved {count.resolved}, "
            f"open {count.open}",
        )
        shape = "circle" if resolved_only else "triangle"
        paint(mark(canvas, shape, x, y, 4, group), PASS if resolved_only else FAIL)
    canvas.text(
        scale.right,
        top - 10,
        f"当前未处理 {now_open} / open now {now_open}",
        size=SMALL,
        anchor="end",
        fill=FAIL if now_open else PASS,
        extra={"class": "open-now"},
    )
    below = legend(
        canvas,
        bottom + 58,
        [
            ("triangle", FAIL, False, "产生预警 / raised"),
            ("circle", PASS, False, "预警处理 / resolved"),
        ],
    )
    canvas.fit(below)
    return canvas.render()
