"""The five parties' project leads as a Gantt chart: who led each party, from when to when.

Lifelong responsibility follows the period in office, so the chart gives every lead a lane of
their own under the party's row (names never overlap) and marks each handover where one period
ends and the next begins. A period still open runs to the given day, with an arrow.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from events.base import PARTY_ROLES, ROLE_NAMES
from services.domain.charts.svg import (
    FONT,
    GRID,
    MUTED,
    OPEN,
    SMALL,
    WARN,
    Canvas,
    clip,
    no_data,
    num,
    text_width,
)
from services.domain.charts.timeline import TimeScale, day_text, draw_axis, span
from services.domain.state import ProjectState

KEY = "leads"
TITLE = ("项目负责人任期", "Project leads' periods")
MARGIN = 8.0
HEADING = 20.0
LANE = 28.0
BAR = 10.0


@dataclass(frozen=True)
class LeadBar:
    name: str
    start: dt.datetime
    end: dt.datetime | None
    """None while in office."""


@dataclass(frozen=True)
class PartyRow:
    role: str
    org_name: str | None
    """None while the role has no party appointed."""
    leads: tuple[LeadBar, ...]


@dataclass(frozen=True)
class Handover:
    role: str
    outgoing: str
    incoming: str
    at: dt.datetime


def lead_periods(state: ProjectState) -> tuple[PartyRow, ...]:
    """One row per responsible role, in Article 20's order, each lead's period in office."""
    rows = []
    for role in PARTY_ROLES:
        party = state.parties.get(role)
        if party is None:
            rows.append(PartyRow(role, None, ()))
            continue
        bars = tuple(LeadBar(lead.name, lead.start, lead.end) for lead in party.leads)
        rows.append(PartyRow(role, party.org_name, bars))
    return tuple(rows)


def handovers(row: PartyRow) -> tuple[Handover, ...]:
    """Each change of lead: the outgoing lead's period closed and the next one began."""
    return tuple(
        Handover(row.role, before.name, after.name, after.start)
        for before, after in zip(row.leads, row.leads[1:], strict=False)
        if before.end is not None
    )


def render_leads(rows: tuple[PartyRow, ...], until: dt.datetime) -> str:
    """The Gantt chart of ``rows``; open periods run to ``until``."""
    leads = [lead for row in rows for lead in row.leads]
    if not leads:
        return no_data(KEY, *TITLE, "尚未任命任何项目负责人", "no project lead appointed yet")
    changes = [h for row in rows for h in handovers(row)]
    day = day_text(until)
    desc = (
        f"{len(leads)} 名项目负责人，{len(changes)} 次交接，截至 {day} / "
        f"{len(leads)} project leads, {len(changes)} handovers, as of {day}"
    )
    moments = [lead.start for lead in leads] + [lead.end for lead in leads if lead.end]
    start, end = span(moments, until)
    top = 10.0
    bottom = top + sum(HEADING + LANE * max(len(row.leads), 1) for row in rows)
    canvas = Canvas(KEY, *TITLE, desc, bottom + 44)
    scale = TimeScale(start, end, MARGIN, canvas.width - MARGIN)
    draw_axis(canvas, scale, top, bottom)  # first, so the bars paint over its grid
    body = canvas.group("rows")
    y = top
    for row in rows:
        y = _row(canvas, body, row, scale, y, until)
    return canvas.render()


def _row(
    canvas: Canvas,
    body: ET.Element,
    row: PartyRow,
    scale: TimeScale,
    y: float,
    until: dt.datetime,
) -> float:
    zh, en = ROLE_NAMES[row.role]
    group = canvas.group("party", body, extra={"data-role": row.role})
    org = f" · {row.org_name}" if row.org_name else ""
    canvas.text(MARGIN, y + 14, clip(f"{zh} / {en}{org}", 60), group, extra={"font-weight": "bold"})
    y += HEADING
    if not row.leads:
        canvas.text(MARGIN, y + 16, "未任命 / not appointed", group, size=SMALL, fill=MUTED)
        canvas.line(MARGIN, y + LANE, scale.right, y + LANE, group, stroke=GRID)
        return y + LANE
    bars: list[tuple[float, float, float]] = []
    for lead in row.leads:
        bars.append(_bar(canvas, group, lead, scale, y, until, after_handover=bool(bars)))
        y += LANE
    for handover, (before, after) in zip(handovers(row), _pairs(bars, row), strict=True):
        _handover(canvas, group, handover, scale.x(handover.at), before, after)
    canvas.line(MARGIN, y, scale.right, y, group, stroke=GRID)
    return y


def _pairs(
    bars: list[tuple[float, float, float]], row: PartyRow
) -> list[tuple[tuple[float, float, float], tuple[float, float, float]]]:
    return [(bars[i], bars[i + 1]) for i, lead in enumerate(row.leads[:-1]) if lead.end is not None]


def _bar(
    canvas: Canvas,
    parent: ET.Element,
    lead: LeadBar,
    scale: TimeScale,
    y: float,
    until: dt.datetime,
    *,
    after_handover: bool = False,
) -> tuple[float, float, float]:
    """One lead's lane: the name above the bar; returns the bar's left, right and middle y."""
    x1 = scale.x(lead.start)
    x2 = scale.x(lead.end or until)
    still = lead.end is None
    group = canvas.group("lead open" if still else "lead", parent)
    ended = day_text(lead.end) if lead.end else "至今 / to date"
    canvas.tooltip(group, f"{lead.name}：{day_text(lead.start)} – {ended}")
    bar_y = y + 15
    rect = canvas.rect(x1, bar_y, x2 - x1, BAR, group, fill=OPEN, rx="2", extra={"class": "bar"})
    if still:
        rect.set("fill-opacity", "0.75")
        canvas.path(
            f"M{num(x2)},{num(bar_y - 3)}L{num(x2 + 6)},{num(bar_y + BAR / 2)}"
            f"L{num(x2)},{num(bar_y + BAR + 3)}Z",
            group,
            fill=OPEN,
            extra={"class": "open-end"},
        )
    label = clip(lead.name, 24)
    start = x1 + (8 if after_handover else 2)  # clear of the handover's diamond
    if start + text_width(label, FONT) <= scale.right:
        canvas.text(start, y + 12, label, group, extra={"class": "name"})
    else:
        canvas.text(max(x2, MARGIN), y + 12, label, group, anchor="end", extra={"class": "name"})
    return x1, x2, bar_y + BAR / 2


def _handover(
    canvas: Canvas,
    parent: ET.Element,
    handover: Handover,
    x: float,
    before: tuple[float, float, float],
    after: tuple[float, float, float],
) -> None:
    """A connector from the outgoing bar's end to the incoming bar's start, with a diamond."""
    group = canvas.group("handover", parent, extra={"data-x": num(x)})
    canvas.tooltip(
        group,
        f"交接 / handover {day_text(handover.at)}：{handover.outgoing} → {handover.incoming}",
    )
    canvas.line(x, before[2], x, after[2], group, stroke=WARN, width=1.5)
    mid = (before[2] + after[2]) / 2
    canvas.path(
        f"M{num(x)},{num(mid - 5)}L{num(x + 5)},{num(mid)}L{num(x)},{num(mid + 5)}"
        f"L{num(x - 5)},{num(mid)}Z",
        group,
        fill=WARN,
    )
