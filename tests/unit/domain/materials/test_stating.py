"""GB/T 8170-2008 rounding (修约), with the standard's own examples and the increments qtrail uses."""

from __future__ import annotations

import pytest

from services.domain.materials.stating import increment_for, stated


@pytest.mark.parametrize(
    ("value", "increment", "expected"),
    [
        (12.1498, 0.1, 12.1),  # the dropped digits start below 5: dropped
        (1268, 100, 1300),  # above 5: carried
        (10.502, 1, 11),  # a 5 followed by a non-zero digit: carried
        (1.050, 0.1, 1.0),  # exactly half after an even digit: dropped
        (0.35, 0.1, 0.4),  # exactly half after an odd digit: carried
        (2500, 1000, 2000),
        (3500, 1000, 4000),
        (-0.0365, 0.001, -0.036),  # negative values round as their absolute value
    ],
)
def test_the_standards_examples(value: float, increment: float, expected: float) -> None:
    assert stated(value, increment) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(60.25, 60.0), (60.38, 60.5), (60.28, 60.5), (-60.75, -61.0)],
)
def test_half_unit_rounding(value: float, expected: float) -> None:
    # GB/T 8170 §3.3: 0.5-unit rounding doubles, rounds to the unit and halves
    assert stated(value, 0.5) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(397.4, 395), (397.5, 400), (402.5, 400), (402.6, 405), (407.5, 410), (412.4, 410)],
)
def test_five_unit_rounding_of_strengths(value: float, expected: float) -> None:
    # 5 MPa is the 0.5 unit of the tens: 2X rounded to 10, halved
    assert stated(value, 5) == expected


def test_figures_are_rounded_as_written_not_as_binary_floats() -> None:
    # 2.675 is 2.67499999… in binary; written, it is an exact half after an odd 7: carried
    assert round(2.675, 2) == 2.67
    assert stated(2.675, 0.01) == 2.68
    assert stated(33.15, 0.1) == 33.2
    assert stated(33.25, 0.1) == 33.2


@pytest.mark.parametrize(
    ("value", "increment"), [(150.0, 1), (200.0, 1), (200.1, 5), (1000.0, 5), (1000.1, 10)]
)
def test_strength_increments_by_band(value: float, increment: float) -> None:
    bands = [
        {"up_to": 200, "increment": 1},
        {"up_to": 1000, "increment": 5},
        {"up_to": None, "increment": 10},
    ]
    assert increment_for(value, bands) == increment
