"""Properties of the engine over generated cases: it never raises, the order of the groups never
matters, and a value near a limit is judged as the standard says once stated.

The stated values expected here come from a rounding written in this file with fractions, not
from the engine's own.
"""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from services.domain.materials.evaluate import FAULT, evaluate
from services.domain.materials.tables import all_tables

VALID: dict[str, dict[str, Any]] = {
    "GB/T 50107-2010": {"grade": "C30", "groups": [[35.0, 36.0, 37.0]] * 3},
    "GBJ 107-87": {"grade": "C30", "group_values": [40.0] * 10},
    "GB/T 1499.2-2018": {
        "grade": "HRB400E",
        "diameter_mm": 20,
        "yield_mpa": 450,
        "tensile_mpa": 600,
        "agt_pct": 12.0,
        "mass_kg_per_m": 2.45,
        "bend_ok": True,
        "reverse_bend_ok": True,
    },
    "GB 50204-2015": {
        "grade": "HRB400",
        "diameter_mm": 10,
        "mass_kg_per_m": 0.60,
        "elongation_pct": 20.0,
        "yield_mpa": 430,
        "tensile_mpa": 580,
    },
    "GB 175-2023": {
        "type": "P.O",
        "grade": "42.5",
        "compressive_3d_mpa": 25.0,
        "compressive_28d_mpa": 48.0,
        "flexural_3d_mpa": 5.0,
        "flexural_28d_mpa": 7.5,
        "initial_set_min": 150,
        "final_set_min": 220,
        "soundness_ok": True,
    },
}

ODD_NUMBERS = st.sampled_from(
    [1e308, -1e308, 1.7976931348623157e308, 5e-324, 10**400, -(10**400), 0, -0.0]
)
LEAVES = (
    st.none() | st.booleans() | st.integers() | st.floats() | ODD_NUMBERS | st.text(max_size=12)
)
JSON = st.recursive(
    LEAVES,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
STANDARDS = (
    st.sampled_from(
        [*all_tables(), "GB 175", "GB/T 50107", "GB/T 1499.2", "GB 50204", "GB 999", ""]
    )
    | JSON
)
DATES = st.none() | st.dates().map(lambda d: d.isoformat()) | JSON


@st.composite
def mangled_cases(draw: st.DrawFn) -> Any:
    """A valid case of some standard with fields replaced, dropped or added at random."""
    if draw(st.booleans()):
        return draw(JSON)
    base = dict(VALID[draw(st.sampled_from(sorted(VALID)))])
    for key in draw(st.lists(st.sampled_from(sorted(base)), max_size=3)):
        if draw(st.booleans()):
            base[key] = draw(JSON)
        else:
            base.pop(key, None)
    for key in draw(st.lists(st.text(max_size=10), max_size=2)):
        base[key] = draw(JSON)
    base["standard"] = draw(STANDARDS)
    if draw(st.booleans()):
        base["sampled_on"] = draw(DATES)
    return base


def assert_sound(case: Any) -> dict[str, Any]:
    result = evaluate(case).as_dict()
    assert result["verdict"] in ("pass", "fail", "invalid")
    assert not any(r.startswith(FAULT) for r in result.get("reasons", [])), result["reasons"]
    json.dumps(result, allow_nan=False)  # the CLI and the sealed event can always carry it
    if result["verdict"] == "invalid":
        assert result["reasons"]
    return result


@settings(max_examples=200, deadline=None)
@given(mangled_cases())
def test_the_engine_never_raises(case: Any) -> None:
    assert_sound(case)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(sorted(VALID)),
    st.dictionaries(
        st.sampled_from(
            [
                *("yield_mpa", "tensile_mpa", "agt_pct", "mass_kg_per_m", "diameter_mm"),
                *("sigma0", "compressive_3d_mpa", "initial_set_min", "elongation_pct"),
                "specimen_size_mm",
            ]
        ),
        st.floats(allow_nan=True, allow_infinity=True) | ODD_NUMBERS,
        max_size=4,
    ),
)
def test_extreme_numbers_never_raise(standard: str, numbers: dict[str, Any]) -> None:
    case = {"standard": standard, **VALID[standard]}
    case.update({k: v for k, v in numbers.items() if k in case or standard.startswith("GB/T 50")})
    assert_sound(case)


# ---------------------------------------------------------------- order of the groups

GROUP = st.one_of(
    st.lists(st.floats(15.0, 70.0).map(lambda v: round(v, 1)), min_size=3, max_size=3),
    st.floats(15.0, 70.0).map(lambda v: round(v, 1)),
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(GROUP, st.sampled_from([100, 150, 200])), min_size=1, max_size=22),
    st.sampled_from(["C20", "C30", "C45", "C55"]),
    st.none() | st.floats(1.0, 6.0),
    st.data(),
)
def test_permuting_groups_never_changes_the_verdict(
    groups: list[tuple[Any, int]], grade: str, sigma0: float | None, data: st.DataObject
) -> None:
    if sigma0 is not None:
        groups = (groups * 3)[:3]
    shuffled = data.draw(st.permutations(groups))

    def case(items: list[tuple[Any, int]]) -> dict[str, Any]:
        out: dict[str, Any] = {
            "standard": "GB/T 50107-2010",
            "grade": grade,
            "groups": [g for g, _ in items],
            "specimen_size_mm": [size for _, size in items],
        }
        return out if sigma0 is None else {**out, "sigma0": sigma0}

    a, b = assert_sound(case(groups)), assert_sound(case(list(shuffled)))
    assert (a["verdict"], a["method"], a["n"]) == (b["verdict"], b["method"], b["n"])
    assert [(c["name"], c["stated"], c["required"], c["ok"]) for c in a["checks"]] == [
        (c["name"], c["stated"], c["required"], c["ok"]) for c in b["checks"]
    ]


# ---------------------------------------------------------------- limits, once stated


def stated(value: float, increment: Fraction) -> Fraction:
    """GB/T 8170 by hand: whole multiples of the increment, an exact half to the even one."""
    ratio = Fraction(str(value)) / increment
    whole, rest = divmod(ratio, 1)
    if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and whole % 2 == 1):
        whole += 1
    return whole * increment


NEAR = st.integers(-1500, 1500).map(lambda hundredths: Fraction(hundredths, 100))


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([("HRB400", 400, 540), ("HRB500", 500, 630), ("HRB600", 600, 730)]), NEAR)
def test_a_strength_near_its_limit_is_judged_stated_to_5_mpa(
    grade: tuple[str, int, int], offset: Fraction
) -> None:
    name, yield_min, tensile_min = grade
    raw = float(yield_min + offset)
    result = assert_sound(
        {
            "standard": "GB/T 1499.2-2018",
            "grade": name,
            "diameter_mm": 16,
            "yield_mpa": raw,
            "tensile_mpa": tensile_min + 100,
            "elongation_pct": 20.0,
            "bend_ok": True,
        }
    )
    (check,) = [c for c in result["checks"] if c["name"] == "yield strength ReL"]
    expected = stated(raw, Fraction(5))
    assert check["stated"] == float(expected)
    assert check["ok"] is (expected >= yield_min)
    assert result["verdict"] == ("pass" if expected >= yield_min else "fail")


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(
        [("HRB400", 25, 16), ("HRB400", 32, 15), ("HRB400", 50, 14), ("HRB600", 20, 14)]
    ),
    NEAR.map(lambda f: f / 5),
    st.booleans(),
)
def test_an_elongation_near_its_limit_is_judged_stated_to_half_a_percent(
    grade: tuple[str, int, int], offset: Fraction, as_agt: bool
) -> None:
    name, diameter, a_min = grade
    limit = Fraction(15, 2) if as_agt else Fraction(a_min)  # Agt ≥ 7.5, or A with its allowance
    raw = float(limit + offset)
    field = "agt_pct" if as_agt else "elongation_pct"
    result = assert_sound(
        {
            "standard": "GB/T 1499.2-2018",
            "grade": name,
            "diameter_mm": diameter,
            "yield_mpa": 650,
            "tensile_mpa": 800,
            field: raw,
            "bend_ok": True,
        }
    )
    expected = stated(raw, Fraction(1, 2))
    if not 0.5 <= raw <= (40 if as_agt else 60):
        assert result["verdict"] == "invalid"
        return
    assert result["verdict"] == ("pass" if expected >= limit else "fail")


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(
        [("C30", Fraction(345, 10)), ("C55", Fraction(6325, 100)), ("C60", Fraction(66))]
    ),
    NEAR.map(lambda f: f / 10),
)
def test_a_batch_mean_near_its_limit_is_judged_stated_to_0_1(
    grade: tuple[str, Fraction], offset: Fraction
) -> None:
    # non-statistical, identical groups: m is the group value; λ3 · fcu,k is the limit
    name, limit = grade
    raw = float(limit + offset)
    result = assert_sound({"standard": "GB/T 50107-2010", "grade": name, "group_values": [raw] * 4})
    expected = stated(raw, Fraction(1, 10))
    (mean,) = [c for c in result["checks"] if c["name"] == "mean"]
    assert mean["stated"] == float(expected)
    assert mean["ok"] is (expected >= limit)
