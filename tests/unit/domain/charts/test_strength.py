"""The concrete batch strength chart, from batches closed and evaluated on the recorder's path.

Expected limits are read from the evaluation qtrail sealed, never typed in: the chart must show
what the verdict rested on.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import pytest

from services.domain.charts.strength import (
    EVALUATED,
    StrengthBatch,
    group_standing,
    render_strength,
    strength_batches,
)
from services.domain.charts.svg import num
from services.domain.state import ProjectState
from tests.support.events import T0
from tests.unit.domain.charts.trail import (
    DAY,
    HOSTILE,
    NS,
    P,
    Trail,
    assert_escaped,
    by_class,
    concrete_batch,
    parse,
    staffed_trail,
    texts,
)

WORKED_EXAMPLE = [33.6, 38.1, 28.9, 30.6, 35.3, 36.1, 34.2, 33.3, 31.7, 29.8]
"""domain.md's worked example: C30, ten groups, judged by the statistical method (fails the mean)."""
BATCHES = {
    "B1": [36.0, 33.0, 29.0],  # non-statistical: a low mean, every group above λ4·fcu,k
    "B2": [38.0, 37.0, 36.0],  # passes
    "B3": WORKED_EXAMPLE,
    "B4": [40.0, 40.0, 25.0],  # the mean holds, one group under λ4·fcu,k
    "B5": [40.0, 5000.0],  # an implausible group: cannot be judged
}


@pytest.fixture(scope="module")
def trail() -> Trail:
    trail = staffed_trail()
    for n, (batch, groups) in enumerate(BATCHES.items()):
        concrete_batch(trail, batch, groups, at=T0 + (10 + 5 * n) * DAY)
    return trail


def evaluation(trail: Trail, batch: str) -> dict[str, Any]:
    (record,) = [
        r for r in trail.records if r.type == EVALUATED and r.body["data"]["subject_id"] == batch
    ]
    data: dict[str, Any] = record.body["data"]
    return data


def panel(root: ET.Element, batch: str) -> ET.Element:
    (found,) = [g for g in by_class(root, "g", "batch") if g.get("data-batch") == batch]
    return found


def y_of_line(group: ET.Element, cls: str) -> float:
    (line,) = by_class(group, "line", cls)
    return float(line.get("y1", "nan"))


def point_y(point: ET.Element) -> float:
    shape = point[1]
    if shape.tag == f"{NS}circle":
        return float(shape.get("cy", "nan"))
    # a path's first move is its top (triangle) or top-left (cross): centre from its extent
    numbers = [
        float(v)
        for v in shape.get("d", "")
        .replace("M", " ")
        .replace("L", " ")
        .replace("Z", " ")
        .replace(",", " ")
        .split()
    ]
    ys = numbers[1::2]
    return (min(ys) + max(ys)) / 2


def test_each_batch_comes_from_its_latest_sealed_evaluation(trail: Trail) -> None:
    batches = {b.batch_id: b for b in strength_batches(trail.folded, trail.records)}
    assert list(batches) == list(BATCHES)
    for batch_id, batch in batches.items():
        data = evaluation(trail, batch_id)
        assert batch.verdict == data["verdict"]
        assert batch.method == data["method"]
        assert batch.grade == trail.folded.concrete_batches[batch_id].grade
        assert list(batch.groups) == data["values"].get("group_values", [])
        assert [(lim.check, lim.required, lim.ok) for lim in batch.limits] == [
            (c["name"], c["required"], c["ok"]) for c in data["checks"]
        ]


def test_a_point_per_group_above_or_below_the_fcu_k_line(trail: Trail) -> None:
    root = parse(render_strength(strength_batches(trail.folded, trail.records)))
    group = panel(root, "B3")
    fcu_k = y_of_line(group, "fcu-k")
    points = by_class(group, "g", "group")
    assert [float(p.get("data-value", "nan")) for p in points] == WORKED_EXAMPLE
    for point in points:
        above = float(point.get("data-value", 0)) >= 30
        assert (point_y(point) < fcu_k) == above, point.get("data-value")
    # points run left to right in the order tested
    xs = [float(p[1].get("cx", "nan")) for p in points if p[1].tag == f"{NS}circle"]
    assert xs == sorted(xs)


def test_the_limit_lines_are_drawn_and_labelled_with_their_values(trail: Trail) -> None:
    root = parse(render_strength(strength_batches(trail.folded, trail.records)))
    for batch_id in ("B1", "B2", "B3", "B4"):
        group = panel(root, batch_id)
        data = evaluation(trail, batch_id)
        labels = texts(group)
        fcu_k = data["values"]["fcu_k"]
        assert float(by_class(group, "line", "fcu-k")[0].get("data-value", 0)) == fcu_k
        assert f"fcu,k {num(fcu_k)}" in labels
        for check in data["checks"]:
            (line,) = by_class(group, "line", f"limit-{check['name']}")
            assert line.get("data-value") == num(check["required"])
            (label,) = by_class(group, "text", f"limit-{check['name']}")
            assert num(check["required"]) in (label.text or "")
            # the higher requirement is drawn higher
            assert (y_of_line(group, f"limit-{check['name']}") < y_of_line(group, "fcu-k")) == (
                check["required"] > fcu_k
            )


def test_the_method_s_lambdas_name_the_limits(trail: Trail) -> None:
    root = parse(render_strength(strength_batches(trail.folded, trail.records)))
    non_statistical = " ".join(texts(panel(root, "B1")))
    statistical = " ".join(texts(panel(root, "B3")))
    assert "λ3·fcu,k" in non_statistical and "λ4·fcu,k" in non_statistical
    assert "λ1·S" in statistical and "λ2·fcu,k" in statistical
    assert "λ3" not in statistical


def test_pass_and_fail_are_said_in_words_and_colour(trail: Trail) -> None:
    root = parse(render_strength(strength_batches(trail.folded, trail.records)))
    verdicts = {
        batch: by_class(panel(root, batch), "text", "verdict")[0] for batch in ("B1", "B2", "B5")
    }
    assert "不合格 / fail" in (verdicts["B1"].text or "")
    assert (verdicts["B2"].text or "").endswith("合格 / pass")
    assert "无法评定 / invalid" in (verdicts["B5"].text or "")
    assert len({v.get("fill") for v in verdicts.values()}) == 3
    failed = [c for c in by_class(panel(root, "B1"), "text", "check") if "不合格" in (c.text or "")]
    assert len(failed) == 1 and "check-mean" in failed[0].get("class", "")


def test_a_group_under_the_minimum_s_limit_is_a_labelled_cross(trail: Trail) -> None:
    root = parse(render_strength(strength_batches(trail.folded, trail.records)))
    group = panel(root, "B4")
    assert "fail" in group.get("class", "")
    standings = {p.get("data-value"): p.get("class") for p in by_class(group, "g", "group")}
    assert standings == {"40.0": "group ok", "25.0": "group below_limit"}
    (low,) = by_class(group, "g", "below_limit")
    assert low[1].get("data-shape") == "cross"
    assert "25.0" in texts(low)
    assert y_of_line(group, "limit-min") < point_y(low)


def test_a_group_under_fcu_k_but_above_the_limit_is_flagged_apart() -> None:
    batch = StrengthBatch(
        "B", "C30", "pass", "non-statistical", "GB/T 50107-2010", 30.0, (29.0,), 29.0, (), (), (), 1
    )
    assert group_standing(batch, 29.0) == "below_fcu_k"
    assert group_standing(batch, 30.0) == "ok"


def test_a_batch_that_cannot_be_judged_shows_why_and_no_points(trail: Trail) -> None:
    root = parse(render_strength(strength_batches(trail.folded, trail.records)))
    group = panel(root, "B5")
    assert by_class(group, "g", "group") == []
    reasons = [t for t in texts(group) if t.startswith("无法评定 / invalid:")]
    assert reasons and any("5000" in t for t in reasons)


def test_hostile_batch_ids_come_out_escaped() -> None:
    trail = concrete_batch(staffed_trail(), HOSTILE, [38.0, 37.0, 36.0], at=T0 + 10 * DAY)
    svg = render_strength(strength_batches(trail.folded, trail.records))
    assert_escaped(svg)
    (group,) = by_class(parse(svg), "g", "batch")
    assert group.get("data-batch") == HOSTILE


def test_no_evaluated_batch_gives_a_no_data_chart() -> None:
    trail = staffed_trail()
    root = parse(render_strength(strength_batches(trail.folded, trail.records)))
    assert "暂无数据 / No data" in texts(root)
    assert strength_batches(ProjectState(project_id=P), []) == ()


def test_the_known_sigma_method_names_its_limits_by_sigma0() -> None:
    trail = concrete_batch(staffed_trail(), "K1", [35.0, 36.0, 37.0], at=T0 + 10 * DAY, sigma0=3.0)
    (batch,) = strength_batches(trail.folded, trail.records)
    assert batch.method == "statistical, known sigma"
    assert ("σ0", 3.0) in batch.factors
    root = parse(render_strength((batch,)))
    checks = " ".join(t.text or "" for t in by_class(root, "text", "check"))
    assert "fcu,k + 0.7σ0" in checks and "fcu,k − 0.7σ0" in checks
    data = evaluation(trail, "K1")
    assert len(by_class(root, "text", "check")) == len(data["checks"]) == 3
