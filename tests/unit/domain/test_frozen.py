"""replace(): the one way folds change a frozen model, with its field names and classes checked."""

from __future__ import annotations

import datetime as dt

import pytest

from services.domain.frozen import replace, with_entry
from services.domain.ledger import EventRef, Nonconformance, NonconformanceStatus
from services.domain.state import ConcreteBatch, ProjectProfile, ProjectState, Report, Verdict

REF = EventRef(event_id="evt-frozen-1", seq=1)
NC = Nonconformance(
    nonconformance_id="NC-1",
    building_part="3层梁板",
    description="保护层不足",
    severity="major",
    blocking=True,
    status=NonconformanceStatus.OPEN,
    raised_by=REF,
)


def test_replace_copies_with_the_changes_and_leaves_the_original() -> None:
    closed = replace(NC, status=NonconformanceStatus.CLOSED, closed_by=REF)
    assert closed.status is NonconformanceStatus.CLOSED and closed.closed_by == REF
    assert NC.status is NonconformanceStatus.OPEN and NC.closed_by is None
    assert closed.model_dump(exclude={"status", "closed_by"}) == NC.model_dump(
        exclude={"status", "closed_by"}
    )


def test_replace_refuses_a_name_that_is_not_a_field() -> None:
    with pytest.raises(TypeError, match="Nonconformance has no field 'closed'"):
        replace(NC, closed=REF)


def test_replace_refuses_a_bare_string_where_an_enum_belongs() -> None:
    with pytest.raises(
        TypeError, match=r"Nonconformance\.status takes NonconformanceStatus, not str"
    ):
        replace(NC, status="closed")


@pytest.mark.parametrize(
    "changes",
    [{"closed_by": "evt-1"}, {"blocking": None}, {"raised_by": None}],
)
def test_replace_refuses_a_value_of_another_class(changes: dict[str, object]) -> None:
    with pytest.raises(TypeError, match="takes"):
        replace(NC, **changes)


def test_replace_checks_containers_by_their_class_only() -> None:
    state = ProjectState(project_id="XZ-FROZEN-1")
    assert replace(state, nonconformances={"NC-1": NC}).nonconformances == {"NC-1": NC}
    with pytest.raises(TypeError, match=r"ProjectState\.nonconformances takes dict, not list"):
        replace(state, nonconformances=[NC])


def test_replace_takes_none_for_optional_fields_and_an_int_for_a_float() -> None:
    batch = ConcreteBatch(batch_id="B1", grade="C30", closed_by=REF, verdict=Verdict.PASS)
    assert replace(batch, verdict=None).verdict is None
    state = replace(ProjectState(project_id="XZ-FROZEN-2"), registered_at=None, seq=3)
    assert state.seq == 3 and state.registered_at is None
    profile = ProjectProfile(
        name="工程",
        address="徐州",
        permit_number="P-1",
        use="住宅",
        structure_type="框架",
        design_life_years=50,
        planned_start=dt.date(2026, 1, 1),
        planned_finish=dt.date(2027, 1, 1),
        floor_area_m2=1000.5,
    )
    assert replace(profile, floor_area_m2=1200).floor_area_m2 == 1200
    with pytest.raises(TypeError, match=r"floor_area_m2 takes float \| int, not str"):
        replace(profile, floor_area_m2="1200")
    report = Report(
        report_number="R-1",
        sample_id="S-1",
        lab_code="L",
        tested_on=dt.date(2026, 1, 1),
        measurements={"group_mpa": 35.0},
        lab_conclusion="pass",
        ref=REF,
    )
    # Any (a measurement's value) is not checked at all
    assert replace(report, measurements={"anything": object}).measurements["anything"] is object


def test_with_entry_copies_the_mapping() -> None:
    before = {"a": 1}
    after = with_entry(before, "b", 2)
    assert after == {"a": 1, "b": 2} and before == {"a": 1}
