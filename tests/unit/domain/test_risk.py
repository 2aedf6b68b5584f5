"""The station's risk, in pure terms: alerts counted by kind and age, every kind named in both
languages, what is overdue item by item, and the reports the evaluation turned round."""

from __future__ import annotations

import datetime as dt

import pytest

from services.domain import risk
from services.domain.ledger import EventRef
from services.domain.materials import alerts
from services.domain.materials.alerts import AlertKind
from services.domain.state import Deadline, Defect, ProjectState
from tests.support.events import (
    LAB,
    lab_commissioned,
    received,
    reported,
    sample,
    staffed,
    witness_authorized,
)
from tests.unit.domain.builders import decide_envelopes

TODAY = dt.date(2026, 6, 30)
REF = EventRef(event_id="e-1", seq=1)


@pytest.mark.parametrize(
    ("days_ago", "bucket"),
    [(0, "lt_7d"), (6, "lt_7d"), (7, "7_30d"), (30, "7_30d"), (31, "gt_30d"), (400, "gt_30d")],
)
def test_an_alerts_age_falls_in_one_bucket(days_ago: int, bucket: str) -> None:
    assert risk.age_bucket(TODAY - dt.timedelta(days=days_ago), TODAY) == bucket


def test_alerts_are_counted_by_kind_and_age_the_most_frequent_kind_first() -> None:
    day = dt.timedelta(days=1)
    groups = [
        ("seal_mismatch", TODAY, 1),
        ("evaluation_failed", TODAY - 2 * day, 2),
        ("evaluation_failed", TODAY - 10 * day, 1),
        ("evaluation_failed", TODAY - 90 * day, 3),
        ("seal_mismatch", TODAY - 45 * day, 1),
    ]
    rows = risk.alerts_by_kind_and_age(groups, TODAY)
    assert [(r.kind, r.counts, r.total) for r in rows] == [
        ("evaluation_failed", {"lt_7d": 2, "7_30d": 1, "gt_30d": 3}, 6),
        ("seal_mismatch", {"lt_7d": 1, "7_30d": 0, "gt_30d": 1}, 2),
    ]
    assert (rows[0].zh, rows[0].en) == ("评定不合格", "evaluation failed")
    assert risk.bucket_totals(rows) == {"lt_7d": 3, "7_30d": 1, "gt_30d": 4, "total": 8}
    assert risk.bucket_totals([]) == {"lt_7d": 0, "7_30d": 0, "gt_30d": 0, "total": 0}


def test_every_alert_kind_the_domain_raises_has_a_chinese_and_an_english_name() -> None:
    kinds = [k.kind for k in vars(alerts).values() if isinstance(k, AlertKind)]
    assert len(kinds) >= 10
    for kind in [*kinds, "repair_overdue", "accident_reported_late", "supervision.stop_work"]:
        zh, en = risk.kind_names(kind)
        assert zh != kind and en != kind and zh != en, kind


def test_a_missed_deadline_is_named_by_what_was_due_and_an_unknown_kind_by_itself() -> None:
    assert risk.kind_names("supervision.deadline_missed.rectification") == (
        "逾期未完成：整改回复",
        "missed: the rectification report",
    )
    assert risk.kind_names("something_new") == ("something_new", "something_new")
    assert (
        risk.kind_names("supervision.deadline_missed.nothing")
        == ("supervision.deadline_missed.nothing",) * 2
    )


def _deadline(kind: str, subject: str, due: dt.date, *, missed: bool, met: bool) -> Deadline:
    return Deadline(
        deadline_id=f"{kind}:{subject}",
        kind=kind,
        subject=subject,
        due_on=due,
        opened=REF,
        missed=REF if missed else None,
        met=REF if met else None,
    )


def _defect(defect_id: str, due: dt.date, *, overdue: bool, status: str = "open") -> Defect:
    return Defect(
        defect_id=defect_id,
        unit_id="B1",
        part="roof",
        description="漏水",
        reported_on=due - dt.timedelta(days=10),
        source="owner",
        in_warranty=True,
        repair_due=due,
        status=status,
        reported=REF,
        overdue=REF if overdue else None,
    )


def test_overdue_items_are_the_missed_deadlines_not_met_since_and_the_late_repairs() -> None:
    deadlines = [
        _deadline("rectification", "notice N-1", dt.date(2026, 5, 1), missed=True, met=False),
        _deadline("refiling", "construction lead 2", dt.date(2026, 4, 1), missed=True, met=True),
        _deadline("archive", "handover", dt.date(2026, 3, 1), missed=False, met=False),
    ]
    defects = [
        _defect("D-1", dt.date(2026, 4, 20), overdue=True),
        _defect("D-2", dt.date(2026, 4, 10), overdue=True, status="repaired"),
        _defect("D-3", dt.date(2026, 4, 5), overdue=False),
    ]
    state = ProjectState(project_id="P").model_copy(
        update={
            "deadlines": {d.deadline_id: d for d in deadlines},
            "defects": {d.defect_id: d for d in defects},
        }
    )
    items = risk.overdue_items(state)
    assert [(i.zh, i.subject, i.due_on) for i in items] == [
        ("保修维修逾期", "D-1 (B1, roof)", dt.date(2026, 4, 20)),
        ("整改回复", "notice N-1", dt.date(2026, 5, 1)),
    ]
    assert items[1].en == "the rectification report"


LIGHT_REBAR = {
    "yield_mpa": 455,
    "tensile_mpa": 610,
    "agt_pct": 11.0,
    "mass_kg_per_m": 2.30,
    "bend_ok": True,
    "reverse_bend_ok": True,
}
GOOD_REBAR = LIGHT_REBAR | {"mass_kg_per_m": 2.45}


def test_the_contradicted_reports_are_those_the_fold_alerted() -> None:
    project = "RISK-1"
    rebar = {"material": "rebar", "grade": "HRB400E", "diameter": 20}
    decision = decide_envelopes(
        [
            *staffed(project),
            lab_commissioned(project),
            witness_authorized(project),
            sample(project, "S1", **rebar),
            received(project, "S1"),
            reported(project, "R-1", "S1", LIGHT_REBAR),  # the lab says pass: it fails
            sample(project, "S2", **rebar),
            received(project, "S2"),
            reported(project, "R-2", "S2", GOOD_REBAR),  # pass, and it does
        ],
    )
    assert decision.rejected == []
    state = decision.states[project]
    found = risk.contradictions(state)
    assert [(c.lab_code, c.lab_name, c.report_number) for c in found] == [(LAB, "检测中心", "R-1")]
    assert (found[0].lab_conclusion, found[0].verdict) == ("pass", "fail")
    alerted = {a.alert_id for a in state.alerts.values() if a.kind == "lab_conclusion_contradicts"}
    assert alerted == {f"lab_conclusion_contradicts:{c.report_number}" for c in found}
    assert risk.contradictions(ProjectState(project_id="P")) == []
