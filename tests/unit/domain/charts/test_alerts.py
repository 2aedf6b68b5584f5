"""Open alerts over time: raised by sealed facts, resolved by later records dated by our clock."""

from __future__ import annotations

import datetime as dt

import pytest

from services.domain.charts.alerts import AlertSpan, alert_spans, open_counts, render_alerts
from services.domain.charts.timeline import day_end
from services.domain.state import ProjectState
from tests.support.events import T0, alert_resolved, sample
from tests.unit.domain.charts.trail import (
    DAY,
    HOSTILE,
    P,
    Trail,
    assert_escaped,
    by_class,
    parse,
    staffed_trail,
    texts,
)

UNTIL = day_end(dt.date(2026, 6, 30))
RAISED = (T0 + 10 * DAY, T0 + 20 * DAY, T0 + 30 * DAY)
RESOLVED = T0 + 40 * DAY


@pytest.fixture(scope="module")
def trail() -> Trail:
    """Three unwitnessed samples, each raising an alert on its own day; the second resolved."""
    trail = staffed_trail()
    for n, at in enumerate(RAISED, 1):
        trail.then(at, sample(P, f"S{n}", witnessed=False, at=at - DAY))
    return trail.then(RESOLVED, alert_resolved(P, "unwitnessed_sample:S2", at=RESOLVED))


def test_a_resolution_is_dated_by_the_resolving_record(trail: Trail) -> None:
    spans = {s.alert_id: s for s in alert_spans(trail.folded, trail.records)}
    assert [spans[f"unwitnessed_sample:S{n}"].raised_at for n in (1, 2, 3)] == list(RAISED)
    assert spans["unwitnessed_sample:S2"].resolved_at == RESOLVED
    assert spans["unwitnessed_sample:S1"].resolved_at is None


def test_the_open_count_steps_up_and_down(trail: Trail) -> None:
    counts = open_counts(alert_spans(trail.folded, trail.records))
    assert [(c.at, c.open) for c in counts] == [
        (RAISED[0], 1),
        (RAISED[1], 2),
        (RAISED[2], 3),
        (RESOLVED, 2),
    ]


def test_raised_and_resolved_at_one_moment_make_one_step() -> None:
    at = T0 + DAY
    spans = [AlertSpan("a", "warning", T0, at), AlertSpan("b", "warning", at, None)]
    assert [(c.open, c.raised, c.resolved) for c in open_counts(spans)] == [(1, 1, 0), (1, 1, 1)]


def test_the_chart_marks_each_change_and_says_how_many_are_open(trail: Trail) -> None:
    root = parse(render_alerts(alert_spans(trail.folded, trail.records), UNTIL))
    changes = by_class(root, "g", "change")
    assert [g.get("data-open") for g in changes] == ["1", "2", "3", "2"]
    assert [g.get("class") for g in changes][-1] == "change resolved"
    (now,) = by_class(root, "text", "open-now")
    assert now.text == "当前未处理 2 / open now 2"
    (line,) = by_class(root, "path", "open-line")
    # the step line ends at the given day, at the height of the last count
    last = line.get("d", "").split("L")[-1].split(",")
    (axis,) = by_class(root, "g", "time-axis")
    right = axis[0].get("x2")
    assert last[0] == right
    resolved = changes[-1][1]
    assert resolved.get("data-shape") == "circle"
    assert last[1] == resolved.get("cy")


def test_hostile_text_in_an_alert_id_comes_out_escaped() -> None:
    spans = (AlertSpan(HOSTILE, "warning", T0, None),)
    svg = render_alerts(spans, UNTIL)
    assert_escaped(svg)
    parse(svg)


def test_no_alert_gives_a_no_data_chart() -> None:
    assert alert_spans(ProjectState(project_id=P), []) == ()
    root = parse(render_alerts((), UNTIL))
    assert "暂无数据 / No data" in texts(root)
