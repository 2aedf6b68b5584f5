"""How many samplings a batch or lot needs, at and around every threshold: GB 50204-2015 §7.4.1
for concrete (per 100 mixes, per 100 m³, per working shift, per floor, per 200 m³ of a continuous
pour over 1000 m³), one per 60 t of rebar, one per 200 t bagged or 500 t bulk cement (§7.2.1).

The figures are checked on the pure functions, then through the recorder: a closing one sampling
short raises a ``sampling_shortfall`` alert (never a refusal) that only a disposal closes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from services.domain.materials import sampling
from services.domain.recording import BatchDecision, decide_batch
from services.domain.state import ProjectState
from tests.support.events import (
    alert_resolved,
    batch_closed,
    lab_commissioned,
    lot_closed,
    received,
    reported,
    sample,
    staffed,
    witness_authorized,
)
from tests.unit.domain.builders import NOW, item

P = "XZ-SAMPLING-01"
REBAR_OK = {
    "yield_mpa": 455,
    "tensile_mpa": 610,
    "agt_pct": 11.0,
    "mass_kg_per_m": 2.43,
    "bend_ok": True,
    "reverse_bend_ok": True,
}
CEMENT_28D = {
    "compressive_3d_mpa": 25.0,
    "compressive_28d_mpa": 48.0,
    "flexural_3d_mpa": 5.0,
    "flexural_28d_mpa": 7.5,
    "initial_set_min": 180,
    "final_set_min": 240,
    "soundness_ok": True,
}


def required(
    volume: float, mixes: int = 1, shifts: int = 1, floors: int = 1, continuous: bool = False
) -> int:
    return max(
        r.required
        for r in sampling.concrete_requirements(volume, mixes, shifts, floors, continuous)
    )


# ----------------------------------------------------------------------------- the figures


@pytest.mark.parametrize(
    ("mixes", "needed"), [(1, 1), (99, 1), (100, 1), (101, 2), (200, 2), (201, 3), (1000, 10)]
)
def test_one_sampling_per_100_mixes(mixes: int, needed: int) -> None:
    assert required(10.0, mixes=mixes) == needed


@pytest.mark.parametrize(
    ("volume", "needed"),
    [(0.5, 1), (99.9, 1), (100.0, 1), (100.1, 2), (200.0, 2), (200.01, 3), (999.9, 10)],
)
def test_one_sampling_per_100_m3(volume: float, needed: int) -> None:
    assert required(volume) == needed


@pytest.mark.parametrize(("shifts", "needed"), [(1, 1), (2, 2), (7, 7)])
def test_one_sampling_per_working_shift(shifts: int, needed: int) -> None:
    assert required(50.0, mixes=20, shifts=shifts) == needed


@pytest.mark.parametrize(("floors", "needed"), [(1, 1), (3, 3)])
def test_one_sampling_per_floor(floors: int, needed: int) -> None:
    assert required(50.0, mixes=20, floors=floors) == needed


@pytest.mark.parametrize(
    ("volume", "continuous", "needed"),
    [
        (1000.0, True, 10),  # not over 1000 m³: still per 100 m³
        (1000.1, True, 6),  # over 1000 m³ in one pour: per 200 m³
        (1200.0, True, 6),
        (1200.1, True, 7),
        (1200.0, False, 12),  # not one pour: per 100 m³
    ],
)
def test_a_continuous_pour_over_1000_m3_is_sampled_per_200_m3(
    volume: float, continuous: bool, needed: int
) -> None:
    assert required(volume, mixes=400, continuous=continuous) == needed


def test_the_largest_requirement_wins_and_each_rule_is_named() -> None:
    rules = sampling.concrete_requirements(250.0, 120, 4, 2, False)
    assert [(r.rule, r.required) for r in rules] == [
        ("one per 100 mixes (120)", 2),
        ("one per 100 m³ (250 m³)", 3),
        ("one per working shift (4)", 4),
        ("one per floor (2)", 2),
    ]
    checked = sampling.checked("concrete", 3, rules)
    assert (checked.counted, checked.required) == (3, 4)
    assert checked.short == ["one per working shift (4): 4"]
    assert checked.standard == "GB 50204-2015 §7.4.1"


@pytest.mark.parametrize(("tonnes", "needed"), [(1.0, 1), (60.0, 1), (60.1, 2), (120.0, 2)])
def test_rebar_one_sampling_per_60_t(tonnes: float, needed: int) -> None:
    (rule,) = sampling.rebar_requirements(tonnes)
    assert rule.required == needed


@pytest.mark.parametrize(
    ("tonnes", "packaging", "needed"),
    [(200.0, "bagged", 1), (200.5, "bagged", 2), (500.0, "bulk", 1), (501.0, "bulk", 2)],
)
def test_cement_one_sampling_per_200_t_bagged_or_500_t_bulk(
    tonnes: float, packaging: str, needed: int
) -> None:
    (rule,) = sampling.cement_requirements(tonnes, packaging)
    assert rule.required == needed


def test_unconfirmed_figures_say_so() -> None:
    assert "unconfirmed" in sampling.checked("rebar", 1, sampling.rebar_requirements(1)).standard
    assert (
        "unconfirmed"
        not in sampling.checked(
            "concrete", 1, sampling.concrete_requirements(1, 1, 1, 1, False)
        ).standard
    )


# ----------------------------------------------------------------------------- through the recorder


def run(envelopes: Sequence[dict[str, Any]], state: ProjectState | None = None) -> BatchDecision:
    states = {P: state} if state is not None else {}
    decision = decide_batch([item(e) for e in envelopes], states, {}, NOW, {})
    assert [(r.event_id, r.rejection.code) for r in decision.rejected] == []
    return decision


def batch_of(count: int, batch: str = "B1") -> ProjectState:
    """A staffed project with ``count`` witnessed, reported C30 samples in ``batch``."""
    envelopes = [*staffed(P), lab_commissioned(P), witness_authorized(P)]
    for n in range(1, count + 1):
        sid = f"{batch}-S{n}"
        envelopes += [
            sample(P, sid, batch=batch),
            received(P, sid),
            reported(P, f"{batch}-R{n}", sid, {"group_mpa": 36.0 + n / 10}),
        ]
    return run(envelopes).states[P]


@pytest.fixture(scope="module")
def two() -> ProjectState:
    return batch_of(2)


@pytest.fixture(scope="module")
def six() -> ProjectState:
    return batch_of(6)


def shortfalls(decision: BatchDecision) -> list[str]:
    return [a.message_en for _, a in decision.alerts if a.kind == "sampling_shortfall"]


@pytest.mark.parametrize(
    ("closing", "short"),
    [
        ({"volume": 200.0, "mixes": 200}, None),
        ({"volume": 200.1}, "one per 100 m³ (200.1 m³): 3"),
        ({"mixes": 201}, "one per 100 mixes (201): 3"),
        ({"shifts": 2}, None),
        ({"shifts": 3}, "one per working shift (3): 3"),
        ({"floors": 2}, None),
        ({"floors": 3}, "one per floor (3): 3"),
    ],
)
def test_two_samplings_at_and_just_past_each_threshold(
    two: ProjectState, closing: dict[str, Any], short: str | None
) -> None:
    decision = run([batch_closed(P, "B1", **closing)], two)
    batch = decision.states[P].concrete_batches["B1"]
    assert batch.sampling is not None and batch.sampling.counted == 2
    if short is None:
        assert shortfalls(decision) == []
        assert batch.sampling.short == []
        return
    (message,) = shortfalls(decision)
    assert short in message and "2 sampling(s), fewer than the 3" in message
    alert = decision.states[P].alerts["sampling_shortfall:concrete:B1"]
    assert alert.severity == "warning" and alert.blocking and alert.requires_disposal
    assert alert.subject == "concrete:B1"
    assert "GB 50204-2015 §7.4.1" in alert.message_zh


@pytest.mark.parametrize(
    ("volume", "continuous", "short"),
    [
        (1200.0, True, False),  # per 200 m³: 6
        (1200.1, True, True),  # per 200 m³: 7
        (1000.0, True, True),  # not over 1000 m³: per 100 m³, 10
        (1200.0, False, True),  # not one pour: 12
    ],
)
def test_six_samplings_of_a_large_pour(
    six: ProjectState, volume: float, continuous: bool, short: bool
) -> None:
    closing = batch_closed(P, "B1", volume=volume, mixes=500, continuous=continuous)
    assert bool(shortfalls(run([closing], six))) is short


def test_a_shortfall_is_an_alert_not_a_refusal_and_no_written_resolution_closes_it(
    two: ProjectState,
) -> None:
    decision = run([batch_closed(P, "B1", volume=350.0)], two)
    state = decision.states[P]
    assert state.concrete_batches["B1"].verdict == "pass"  # the two groups are judged all the same
    refused = decide_batch(
        [item(alert_resolved(P, "sampling_shortfall:concrete:B1"))], {P: state}, {}, NOW, {}
    )
    assert [r.rejection.code for r in refused.rejected] == ["materials.disposal_required"]


def test_a_rebar_lot_one_sampling_short() -> None:
    envelopes = [*staffed(P), lab_commissioned(P), witness_authorized(P)]
    envelopes += [
        sample(P, "GJ-1", material="rebar", grade="HRB400E", diameter=20, batch="GJ"),
        received(P, "GJ-1"),
        reported(P, "GJ-R1", "GJ-1", REBAR_OK),
    ]
    state = run(envelopes).states[P]
    assert shortfalls(run([lot_closed(P, "GJ", quantity=60.0)], state)) == []
    (message,) = shortfalls(run([lot_closed(P, "GJ", quantity=60.5)], state))
    assert "rebar lot GJ: 1 sampling(s), fewer than the 2" in message
    assert "one per 60 t (60.5 t): 2" in message


def test_a_cement_lot_one_sampling_short() -> None:
    envelopes = [*staffed(P), lab_commissioned(P), witness_authorized(P)]
    envelopes += [
        sample(P, "SN-1", material="cement", grade="P.O 42.5", batch="SN"),
        received(P, "SN-1"),
        reported(P, "SN-R1", "SN-1", CEMENT_28D),
    ]
    state = run(envelopes).states[P]
    assert (
        shortfalls(
            run([lot_closed(P, "SN", material="cement", grade="P.O 42.5", quantity=200.0)], state)
        )
        == []
    )
    bulk = lot_closed(P, "SN", material="cement", grade="P·O42.5", quantity=501.0, packaging="bulk")
    (message,) = shortfalls(run([bulk], state))
    assert "one per 500 t of bulk cement (501 t): 2" in message
