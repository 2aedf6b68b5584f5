"""Material test results over time, from reports sealed and evaluated on the recorder's path."""

from __future__ import annotations

import datetime as dt

import pytest

from services.domain.charts.results import LOOKS, look, material_results, render_results
from services.domain.charts.timeline import day_end
from services.domain.state import ProjectState
from tests.support.events import T0, received, report_revoked, reported, sample
from tests.unit.domain.charts.trail import (
    DAY,
    HOSTILE,
    P,
    Trail,
    assert_escaped,
    by_class,
    concrete_batch,
    parse,
    staffed_trail,
    texts,
    tooltip,
)

# HRB400E Ø20 (GB/T 1499.2-2018): passes; at 2.30 kg/m it is 6.9 % light, beyond −5 %: fails.
REBAR_OK = {
    "yield_mpa": 455,
    "tensile_mpa": 610,
    "agt_pct": 11.0,
    "mass_kg_per_m": 2.43,
    "bend_ok": True,
    "reverse_bend_ok": True,
}
REBAR_LIGHT = {**REBAR_OK, "mass_kg_per_m": 2.30}
UNTIL = day_end(dt.date(2026, 6, 30))


def rebar(sid: str, at: dt.datetime) -> list[dict[str, object]]:
    return [
        sample(P, sid, material="rebar", grade="HRB400E", diameter=20, batch="RB", at=at),
        received(P, sid, at=at + dt.timedelta(hours=4)),
    ]


@pytest.fixture(scope="module")
def trail() -> Trail:
    trail = concrete_batch(staffed_trail(), "B1", [38.0, 37.0, 36.0], at=T0 + 10 * DAY)
    trail.then(T0 + 66 * DAY, *rebar("RB1", T0 + 65 * DAY), *rebar("RB2", T0 + 65 * DAY))
    trail.then(T0 + 66 * DAY, *rebar("RB3", T0 + 65 * DAY))
    trail.then(
        T0 + 80 * DAY,
        reported(P, "R-1", "RB1", REBAR_OK, at=T0 + 75 * DAY),
        reported(P, "R-2", "RB2", REBAR_LIGHT, at=T0 + 78 * DAY),
        reported(P, "R-3", "RB3", REBAR_OK, at=T0 + 70 * DAY),
    )
    return trail.then(T0 + 90 * DAY, report_revoked(P, "R-1", at=T0 + 90 * DAY))


def test_every_report_is_a_mark_by_material_and_outcome(trail: Trail) -> None:
    results = {r.report_number: r for r in material_results(trail.folded)}
    assert set(results) == set(trail.folded.reports)
    assert [r.material for r in material_results(trail.folded)] == ["concrete"] * 3 + ["rebar"] * 3
    assert (results["R-2"].outcome, results["R-2"].status) == ("fail", "valid")
    assert (results["R-3"].outcome, results["R-3"].status) == ("pass", "valid")
    assert results["R-1"].status == "revoked"
    assert results["B1-R1"].outcome == "unjudged"  # concrete is judged with its batch
    assert results["R-2"].tested_on == (T0 + 78 * DAY).date()


def test_failures_revocations_and_passes_look_apart_in_shape_and_words(trail: Trail) -> None:
    root = parse(render_results(material_results(trail.folded), UNTIL))
    marks = {tooltip(g).split(" · ")[0]: g for g in by_class(root, "g", "report")}
    assert len(marks) == len(trail.folded.reports)
    shapes = {number: g[1].get("data-shape") for number, g in marks.items()}
    assert (shapes["R-2"], shapes["R-1"], shapes["R-3"]) == ("cross", "square", "circle")
    assert shapes["B1-R1"] == "ring"
    assert texts(marks["R-2"]) == ["不合格 R-2"]
    assert texts(marks["R-1"]) == ["撤销 R-1"]
    assert texts(marks["R-3"]) == []  # a pass needs no words beside it
    assert "已撤销 / revoked" in tooltip(marks["R-1"])
    legend = texts(by_class(root, "g", "legend")[0])
    assert {"不合格 / fail", "已撤销 / revoked", "合格 / pass"} <= set(legend)
    assert marks["R-2"][1].get("stroke") != marks["R-3"][1].get("fill")


def test_marks_sit_on_their_test_day_in_their_material_s_row(trail: Trail) -> None:
    root = parse(render_results(material_results(trail.folded), UNTIL))
    rows = {g.get("data-material"): g for g in by_class(root, "g", "material")}
    assert list(rows) == ["concrete", "rebar"]
    assert "钢筋 / rebar（3）" in texts(rows["rebar"])

    def x(number: str) -> float:
        (g,) = [g for g in by_class(rows["rebar"], "g", "report") if number in tooltip(g)]
        return float(g[1].get("cx") or g[1].get("d", "M0,").split(",")[0][1:])

    # R-3 tested on day 70, R-1 on 75, R-2 on 78: left to right in that order
    assert x("R-3") < x("R-1") < x("R-2")


def test_look_puts_a_report_no_longer_valid_before_its_outcome(trail: Trail) -> None:
    results = {r.report_number: r for r in material_results(trail.folded)}
    assert look(results["R-1"]) == "revoked"
    assert look(results["R-2"]) == "fail"
    assert set(LOOKS) >= {look(r) for r in results.values()}


def test_hostile_report_numbers_come_out_escaped() -> None:
    trail = staffed_trail().then(T0 + 66 * DAY, *rebar("RB1", T0 + 65 * DAY))
    trail.then(T0 + 80 * DAY, reported(P, HOSTILE, "RB1", REBAR_LIGHT, at=T0 + 75 * DAY))
    svg = render_results(material_results(trail.folded), UNTIL)
    assert_escaped(svg)
    (mark,) = by_class(parse(svg), "g", "report")
    assert tooltip(mark).startswith(HOSTILE)


def test_no_report_gives_a_no_data_chart() -> None:
    root = parse(render_results(material_results(ProjectState(project_id=P)), UNTIL))
    assert "暂无数据 / No data" in texts(root)
