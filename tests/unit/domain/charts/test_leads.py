"""The lead periods Gantt chart, from a trail with a handover of the construction lead."""

from __future__ import annotations

import datetime as dt

import pytest

from events.base import PARTY_ROLES
from services.domain.charts.leads import (
    LeadBar,
    PartyRow,
    handovers,
    lead_periods,
    render_leads,
)
from services.domain.charts.timeline import day_end
from services.domain.project import fold
from services.domain.state import ProjectState
from tests.support.events import T0, appointment, id_number, lead_change, registration
from tests.unit.domain.charts.trail import (
    DAY,
    HOSTILE,
    NS,
    P,
    Trail,
    assert_escaped,
    by_class,
    parse,
    staffed_trail,
    texts,
    tooltip,
)

HANDOVER = T0 + 60 * DAY
UNTIL = day_end(dt.date(2026, 6, 30))


@pytest.fixture(scope="module")
def trail() -> Trail:
    return staffed_trail().then(
        HANDOVER + DAY, lead_change(P, "construction", "陈志强", id_number(31), at=HANDOVER)
    )


def test_one_row_per_role_in_article_20s_order_with_each_period(trail: Trail) -> None:
    rows = lead_periods(trail.folded)
    assert [row.role for row in rows] == list(PARTY_ROLES)
    construction = rows[PARTY_ROLES.index("construction")]
    first, second = construction.leads
    assert (first.end, second.start, second.end) == (HANDOVER, HANDOVER, None)
    assert second.name == "陈志强"
    assert [(h.outgoing, h.incoming, h.at) for h in handovers(construction)] == [
        (first.name, "陈志强", HANDOVER)
    ]
    assert all(handovers(row) == () for row in rows if row.role != "construction")


def test_one_bar_per_lead_with_the_names_as_text(trail: Trail) -> None:
    root = parse(render_leads(lead_periods(trail.folded), UNTIL))
    leads = [lead for party in trail.folded.parties.values() for lead in party.leads]
    assert len(by_class(root, "rect", "bar")) == len(leads) == 6
    names = [t for g in by_class(root, "g", "lead") for t in texts(g)]
    assert sorted(names) == sorted(lead.name for lead in leads)


def test_the_handover_marker_sits_where_one_bar_ends_and_the_next_begins(trail: Trail) -> None:
    root = parse(render_leads(lead_periods(trail.folded), UNTIL))
    (party,) = [g for g in by_class(root, "g", "party") if g.get("data-role") == "construction"]
    before, after = (g.find(f"{NS}rect") for g in by_class(party, "g", "lead"))
    assert before is not None and after is not None
    (marker,) = by_class(root, "g", "handover")
    x = float(marker.get("data-x", "nan"))
    assert x == pytest.approx(float(before.get("x", 0)) + float(before.get("width", 0)), abs=0.11)
    assert x == pytest.approx(float(after.get("x", 0)), abs=0.11)
    line = marker.find(f"{NS}line")
    assert line is not None and float(line.get("x1", 0)) == x == float(line.get("x2", 0))
    # the connector runs from the outgoing lead's lane down to the incoming lead's
    assert float(before.get("y", 0)) < float(line.get("y2", 0)) <= float(after.get("y", 0)) + 10
    assert "陈志强" in tooltip(marker) and "→" in tooltip(marker)


def test_open_periods_run_to_the_given_day_with_an_arrow(trail: Trail) -> None:
    root = parse(render_leads(lead_periods(trail.folded), UNTIL))
    closed = [g for g in by_class(root, "g", "lead") if "open" not in g.get("class", "")]
    still = by_class(root, "g", "open")
    assert (len(closed), len(still)) == (1, 5)
    assert all(by_class(g, "path", "open-end") for g in still)
    assert not any(by_class(g, "path", "open-end") for g in closed)
    ends = {
        round(float(r.get("x", 0)) + float(r.get("width", 0)), 1)
        for g in still
        for r in by_class(g, "rect", "bar")
    }
    assert len(ends) == 1  # all to the same day, the right end of the time axis
    axis = by_class(root, "g", "time-axis")[0].find(f"{NS}line")
    assert axis is not None and ends == {float(axis.get("x2", 0))}
    assert "至今 / to date" in tooltip(still[0])


def test_the_time_axis_has_dated_ticks_and_a_title(trail: Trail) -> None:
    root = parse(render_leads(lead_periods(trail.folded), UNTIL))
    (axis,) = by_class(root, "g", "time-axis")
    labels = texts(axis)
    assert "2026-02" in labels or "2026-03" in labels
    assert any("日期" in t and "date" in t for t in labels)
    assert len(by_class(axis, "line", "tick")) >= 2


def test_a_role_without_a_party_says_so() -> None:
    state = Trail().then(T0 + 2 * DAY, registration(P), appointment(P, "owner")).folded
    root = parse(render_leads(lead_periods(state), UNTIL))
    rows = {g.get("data-role"): texts(g) for g in by_class(root, "g", "party")}
    assert list(rows) == list(PARTY_ROLES)
    assert "未任命 / not appointed" in rows["survey"]
    assert "未任命 / not appointed" not in rows["owner"]


def test_hostile_names_come_out_escaped_and_the_chart_still_parses() -> None:
    lead = {"name": HOSTILE, "id_number": id_number(41)}
    state = Trail().then(T0 + 2 * DAY, registration(P), appointment(P, "owner", lead=lead)).folded
    svg = render_leads(lead_periods(state), UNTIL)
    assert_escaped(svg)
    (bar,) = by_class(parse(svg), "g", "lead")
    assert tooltip(bar).startswith(HOSTILE)  # whole in the tooltip, shortened on the chart
    (label,) = texts(bar)
    assert label.endswith("…") and HOSTILE.startswith(label[:-1])


def test_no_lead_yet_gives_a_no_data_chart() -> None:
    root = parse(render_leads(lead_periods(ProjectState(project_id=P)), UNTIL))
    assert "暂无数据 / No data" in texts(root)
    assert by_class(root, "rect", "bar") == []


def test_the_chart_is_an_image_titled_in_chinese_and_english(trail: Trail) -> None:
    root = parse(render_leads(lead_periods(trail.folded), UNTIL))
    assert (root.get("role"), root.get("lang"), root.get("width")) == ("img", "zh-CN", "100%")
    assert root.get("viewBox", "").startswith("0 0 480 ")
    title, desc = root.find(f"{NS}title"), root.find(f"{NS}desc")
    assert title is not None and title.text == "项目负责人任期 / Project leads' periods"
    assert (
        desc is not None
        and "6 名项目负责人" in (desc.text or "")
        and "1 handover" in (desc.text or "")
    )
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"


def test_the_same_records_give_the_same_bytes(trail: Trail) -> None:
    again = ProjectState(project_id=P)
    for record in trail.records:
        again = fold(again, record)
    assert render_leads(lead_periods(again), UNTIL) == render_leads(
        lead_periods(trail.folded), UNTIL
    )


def test_a_far_off_mistyped_date_keeps_the_chart_drawable() -> None:
    far = dt.datetime(9999, 12, 31, 20, tzinfo=dt.UTC)  # already year 10000 in China
    rows = (
        PartyRow("owner", "甲", (LeadBar("张三", T0, far), LeadBar("李四", far, None))),
        PartyRow("survey", "乙", (LeadBar("王五", dt.datetime(1, 1, 1, tzinfo=dt.UTC), None),)),
    )
    root = parse(render_leads(rows, UNTIL))
    assert len(by_class(root, "rect", "bar")) == 3
    (marker,) = by_class(root, "g", "handover")
    assert "9999-12-31" in tooltip(marker)
