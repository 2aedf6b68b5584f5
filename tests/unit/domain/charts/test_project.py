"""All four charts of a project, as the regulator's page embeds them."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from services.domain.charts.project import project_charts
from services.domain.state import ProjectState
from tests.support.events import T0, alert_resolved, id_number, lead_change, sample
from tests.unit.domain.charts.trail import DAY, NS, P, concrete_batch, parse, staffed_trail, texts

TODAY = dt.date(2026, 6, 30)


def test_four_charts_that_parse_and_can_share_one_page() -> None:
    trail = staffed_trail()
    trail.then(
        T0 + 5 * DAY, lead_change(P, "construction", "陈志强", id_number(31), at=T0 + 5 * DAY)
    )
    concrete_batch(trail, "B1", [36.0, 33.0, 29.0], at=T0 + 10 * DAY)
    trail.then(T0 + 50 * DAY, sample(P, "S9", batch="B2", witnessed=False, at=T0 + 49 * DAY))
    trail.then(T0 + 60 * DAY, alert_resolved(P, "unwitnessed_sample:S9", at=T0 + 60 * DAY))
    charts = project_charts(trail.folded, trail.records, TODAY)
    assert list(charts) == ["leads", "strength", "results", "alerts"]
    roots = {name: parse(svg) for name, svg in charts.items()}
    for root in roots.values():
        assert "暂无数据 / No data" not in texts(root)
    ids = Counter(e.get("id") for root in roots.values() for e in root.iter() if e.get("id"))
    assert ids and max(ids.values()) == 1  # ids stay unique with all four on one page
    assert charts == project_charts(trail.folded, list(trail.records), TODAY)


def test_a_new_project_gets_four_no_data_charts() -> None:
    charts = project_charts(ProjectState(project_id=P), [], TODAY)
    for svg in charts.values():
        root = parse(svg)
        assert "暂无数据 / No data" in texts(root)
        assert root.find(f"{NS}title") is not None
