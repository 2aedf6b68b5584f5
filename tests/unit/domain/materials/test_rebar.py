"""Hot-rolled ribbed bars (GB/T 1499.2-2018).

Figures are those of domain.md section 4, typed into this file; nominal masses are the
published kg/m values (0.00617·d², rounded as the standard prints them). Strengths are judged
stated to 5 MPa and elongations to 0.5 % (YB/T 081, GB/T 8170 rounding: an exact half goes to the
even multiple), so each limit is tested at the last raw value that states up to it and the first
that states below it; the stated values in the comments are worked out by hand.
"""

from __future__ import annotations

from typing import Any

import pytest

from services.domain.materials.evaluate import evaluate

HOT = "GB/T 1499.2-2018"

# grade: (ReL min, Rm min, A min or None, Agt min)
GRADES = {
    "HRB400": (400, 540, 16, 7.5),
    "HRBF400": (400, 540, 16, 7.5),
    "HRB400E": (400, 540, None, 9.0),
    "HRBF400E": (400, 540, None, 9.0),
    "HRB500": (500, 630, 15, 7.5),
    "HRBF500": (500, 630, 15, 7.5),
    "HRB500E": (500, 630, None, 9.0),
    "HRBF500E": (500, 630, None, 9.0),
    "HRB600": (600, 730, 14, 7.5),
}
NOMINAL = {10: 0.617, 12: 0.888, 14: 1.21, 16: 1.58, 20: 2.47, 22: 2.98, 50: 15.42}


def bar(grade: str = "HRB400", **fields: Any) -> dict[str, Any]:
    """A case that passes every criterion of ``grade`` at its minima unless overridden."""
    yield_min, tensile_min, a_min, agt_min = GRADES[grade]
    case: dict[str, Any] = {
        "standard": HOT,
        "grade": grade,
        "diameter_mm": 20,
        "yield_mpa": yield_min,
        "tensile_mpa": tensile_min,
        "agt_pct": agt_min,
    }
    if a_min is not None:
        case["elongation_pct"] = a_min
    case["bend_ok"] = True
    if grade.endswith("E"):
        case["reverse_bend_ok"] = True
    case.update(fields)
    return {k: v for k, v in case.items() if v is not None}


def run(case: dict[str, Any]) -> dict[str, Any]:
    return evaluate(case).as_dict()


def failed_names(result: dict[str, Any]) -> list[str]:
    return [c["name"] for c in result["checks"] if not c["ok"]]


def reasons_mention(result: dict[str, Any], word: str) -> bool:
    return any(word in r for r in result.get("reasons", []))


# ---------------------------------------------------------------- strength minima


@pytest.mark.parametrize("grade", sorted(GRADES))
def test_every_grade_passes_at_its_minima(grade: str) -> None:
    result = run(bar(grade))
    assert result["verdict"] == "pass", result
    assert result["rule_table"].startswith(HOT)


@pytest.mark.parametrize("grade", sorted(GRADES))
def test_yield_is_judged_stated_to_5_mpa(grade: str) -> None:
    # every ReL minimum (400, 500, 600) is an even multiple of 5: a raw value 2.5 below states up
    # to it (397.5 → 400, 79.5 → 80), anything lower states to the next 5 down (397.4 → 395)
    yield_min = GRADES[grade][0]
    at = run(bar(grade, yield_mpa=yield_min - 2.5))
    assert at["verdict"] == "pass", at
    (check,) = [c for c in at["checks"] if c["name"] == "yield strength ReL"]
    assert (check["raw"], check["stated"], check["required"]) == (
        yield_min - 2.5,
        yield_min,
        yield_min,
    )
    assert check["stated_to"] == 5
    result = run(bar(grade, yield_mpa=yield_min - 2.6))
    assert result["verdict"] == "fail"
    (bad,) = [c for c in result["checks"] if not c["ok"]]
    assert (bad["required"], bad["stated"]) == (yield_min, yield_min - 5)


@pytest.mark.parametrize("grade", sorted(GRADES))
def test_tensile_is_judged_stated_to_5_mpa(grade: str) -> None:
    # Rm minima 540, 630, 730 are even multiples of 5 too; at the yield minimum, Rm − 2.6 keeps
    # the E grades' Rm/ReL ≥ 1.25 (537.4/400, 627.4/500)
    tensile_min = GRADES[grade][1]
    assert run(bar(grade, tensile_mpa=tensile_min - 2.5))["verdict"] == "pass"
    result = run(bar(grade, tensile_mpa=tensile_min - 2.6))
    assert result["verdict"] == "fail"
    assert [(c["required"], c["stated"]) for c in result["checks"] if not c["ok"]] == [
        (tensile_min, tensile_min - 5)
    ]


@pytest.mark.parametrize(
    ("raw", "stated", "verdict"),
    [
        (397.4, 395, "fail"),  # below half: dropped
        (397.5, 400, "pass"),  # exactly half, 79.5 → 80 (even)
        (402.5, 400, "pass"),  # exactly half, 80.5 → 80 (even): not 405
        (404.9, 405, "pass"),
        (407.5, 410, "pass"),  # 81.5 → 82 (even)
    ],
)
def test_yield_around_400_is_judged_as_stated(raw: float, stated: float, verdict: str) -> None:
    result = run(bar("HRB400", yield_mpa=raw, tensile_mpa=600))
    assert result["verdict"] == verdict
    (check,) = [c for c in result["checks"] if c["name"] == "yield strength ReL"]
    assert (check["raw"], check["stated"]) == (raw, stated)


@pytest.mark.parametrize("grade", [g for g, spec in GRADES.items() if spec[2] is not None])
def test_elongation_is_judged_stated_to_half_a_percent(grade: str) -> None:
    # A minima 16, 15, 14 are even multiples of 0.5: 15.75 → 16.0 (31.5 → 32), 15.74 → 15.5
    a_min = GRADES[grade][2]
    assert a_min is not None
    at = run(bar(grade, elongation_pct=a_min - 0.25))
    assert at["verdict"] == "pass", at
    result = run(bar(grade, elongation_pct=a_min - 0.26))
    assert result["verdict"] == "fail"
    assert [(c["required"], c["stated"]) for c in result["checks"] if not c["ok"]] == [
        (a_min, a_min - 0.5)
    ]


def test_non_e_agt_of_7_25_states_down_to_7_0_and_fails() -> None:
    # 7.5 is an odd multiple of 0.5: 7.25 → 14.5 → 14 (even) → 7.0 < 7.5; 7.26 → 7.5
    result = run(bar("HRB400", elongation_pct=None, agt_pct=7.25))
    assert result["verdict"] == "fail"
    (agt,) = [c for c in result["checks"] if not c["ok"]]
    assert (agt["raw"], agt["stated"], agt["required"]) == (7.25, 7.0, 7.5)
    assert run(bar("HRB400", elongation_pct=None, agt_pct=7.26))["verdict"] == "pass"


# ---------------------------------------------------------------- seismic (E) grades


@pytest.mark.parametrize("grade", ["HRB400E", "HRBF400E", "HRB500E", "HRBF500E"])
def test_e_grade_agt_minimum_is_9(grade: str) -> None:
    # stated to 0.5 %: 8.75 → 9.0 (17.5 → 18, even), 8.74 → 8.5
    assert run(bar(grade, agt_pct=9.0))["verdict"] == "pass"
    assert run(bar(grade, agt_pct=8.75))["verdict"] == "pass"
    result = run(bar(grade, agt_pct=8.74))
    assert result["verdict"] == "fail"
    assert [(c["required"], c["stated"]) for c in result["checks"] if not c["ok"]] == [(9.0, 8.5)]


def test_e_grade_tensile_to_yield_ratio_of_1_25_passes() -> None:
    result = run(bar("HRB400E", yield_mpa=440, tensile_mpa=550))  # 550 / 440 = 1.25
    assert result["verdict"] == "pass"


def test_e_grade_tensile_to_yield_ratio_of_1_249_fails() -> None:
    result = run(bar("HRB400E", yield_mpa=440, tensile_mpa=549.56))  # 549.56 / 440 = 1.249
    assert result["verdict"] == "fail"
    (ratio,) = [c for c in result["checks"] if not c["ok"]]
    assert ratio["required"] == pytest.approx(1.25)
    assert ratio["actual"] == pytest.approx(1.249)


def test_the_tensile_to_yield_ratio_is_not_required_of_non_e_grades() -> None:
    assert run(bar("HRB400", yield_mpa=440, tensile_mpa=545))["verdict"] == "pass"  # 1.239


def test_e_grade_yield_overstrength_1_30_passes_and_above_fails() -> None:
    # ReL°/ReL ≤ 1.30: 520 / 400 = 1.30 passes, 521 / 400 = 1.3025 fails
    assert run(bar("HRB400E", yield_mpa=520, tensile_mpa=700))["verdict"] == "pass"
    result = run(bar("HRB400E", yield_mpa=521, tensile_mpa=700))
    assert result["verdict"] == "fail"
    (over,) = [c for c in result["checks"] if not c["ok"]]
    assert over["required"] == pytest.approx(1.30)
    # the same for 500E: 650 / 500 = 1.30
    assert run(bar("HRB500E", yield_mpa=650, tensile_mpa=820))["verdict"] == "pass"
    assert run(bar("HRB500E", yield_mpa=651, tensile_mpa=820))["verdict"] == "fail"


def test_the_overstrength_limit_is_not_required_of_non_e_grades() -> None:
    assert run(bar("HRB400", yield_mpa=600, tensile_mpa=700))["verdict"] == "pass"


def test_non_e_grades_require_a_or_agt() -> None:
    result = run(bar("HRB400", elongation_pct=None, agt_pct=None))
    assert result["verdict"] == "invalid"
    assert reasons_mention(result, "elongation_pct or agt_pct")


@pytest.mark.parametrize("grade", ["HRB400", "HRBF400", "HRB500", "HRBF500", "HRB600"])
def test_non_e_grades_may_be_judged_on_agt_alone(grade: str) -> None:
    # GB/T 1499.2-2018: for grades without E, A or Agt may be chosen (Agt in arbitration)
    result = run(bar(grade, elongation_pct=None, agt_pct=7.5))
    assert result["verdict"] == "pass", result
    assert not any(c["name"] == "elongation A" for c in result["checks"])
    assert any("A or Agt" in n for n in result["notes"])
    failing = run(bar(grade, elongation_pct=None, agt_pct=7.0))
    assert [c["name"] for c in failing["checks"] if not c["ok"]] == [
        "total elongation at max force Agt"
    ]


def test_non_e_grades_may_be_judged_on_a_alone() -> None:
    result = run(bar("HRB400", agt_pct=None))
    assert result["verdict"] == "pass"
    assert not any("Agt" in c["name"] for c in result["checks"])


def test_a_non_e_bar_giving_both_is_judged_on_both() -> None:
    result = run(bar("HRB400", elongation_pct=17.0, agt_pct=6.5))
    assert result["verdict"] == "fail"


# ---------------------------------------------------------------- large diameters


@pytest.mark.parametrize(
    ("diameter", "allowed_a"),
    [(25, 16.0), (28, 15.0), (32, 15.0), (40, 15.0), (50, 14.0)],
)
def test_large_bars_may_have_a_lower_elongation(diameter: int, allowed_a: float) -> None:
    # GB/T 1499.2-2018: A may be 1 % lower for Ø28–40 and 2 % lower above Ø40 (HRB400: A ≥ 16)
    at = run(bar("HRB400", diameter_mm=diameter, elongation_pct=allowed_a))
    assert at["verdict"] == "pass", at
    (a,) = [c for c in at["checks"] if c["name"] == "elongation A"]
    assert a["required"] == allowed_a
    assert ("basis" in a) == (allowed_a < 16)
    below = run(bar("HRB400", diameter_mm=diameter, elongation_pct=allowed_a - 0.5))
    assert below["verdict"] == "fail"


def test_the_large_diameter_allowance_is_for_a_not_agt() -> None:
    result = run(bar("HRB400E", diameter_mm=40, agt_pct=8.5))
    assert result["verdict"] == "fail"
    assert [c["required"] for c in result["checks"] if not c["ok"]] == [9.0]


# ---------------------------------------------------------------- bend and reverse bend


@pytest.mark.parametrize("grade", sorted(GRADES))
def test_a_failed_bend_test_fails_the_bar(grade: str) -> None:
    result = run(bar(grade, bend_ok=False))
    assert result["verdict"] == "fail"
    assert [c["name"] for c in result["checks"] if not c["ok"]] == ["bend test"]


@pytest.mark.parametrize("grade", sorted(GRADES))
def test_the_bend_test_is_required(grade: str) -> None:
    case = bar(grade)
    del case["bend_ok"]
    result = run(case)
    assert result["verdict"] == "invalid"
    assert reasons_mention(result, "bend_ok")


@pytest.mark.parametrize("grade", ["HRB400E", "HRBF400E", "HRB500E", "HRBF500E"])
def test_e_grades_require_the_reverse_bend_test(grade: str) -> None:
    case = bar(grade)
    del case["reverse_bend_ok"]
    missing = run(case)
    assert missing["verdict"] == "invalid"
    assert reasons_mention(missing, "reverse_bend_ok")
    failed = run(bar(grade, reverse_bend_ok=False))
    assert failed["verdict"] == "fail"
    assert [c["name"] for c in failed["checks"] if not c["ok"]] == ["reverse bend test"]


def test_non_e_grades_need_no_reverse_bend_but_a_failed_one_counts() -> None:
    assert "reverse_bend_ok" not in bar("HRB400")
    assert run(bar("HRB400"))["verdict"] == "pass"
    assert run(bar("HRB400", reverse_bend_ok=False))["verdict"] == "fail"


@pytest.mark.parametrize("value", ["yes", 1, 0, [True]])
def test_bend_results_must_be_true_or_false(value: Any) -> None:
    result = run(bar("HRB400E", bend_ok=value))
    assert result["verdict"] == "invalid"
    assert reasons_mention(result, "bend_ok")


def test_e_grades_do_not_require_elongation() -> None:
    case = bar("HRB400E")
    assert "elongation_pct" not in case
    assert run(case)["verdict"] == "pass"
    given = run(bar("HRB400E", elongation_pct=3.0))
    assert given["verdict"] == "pass"
    assert any("not judged" in n for n in given["notes"])


# ---------------------------------------------------------------- mass per metre


@pytest.mark.parametrize(
    ("diameter", "allowed"),
    [(12, 6.0), (14, 5.0), (20, 5.0), (22, 4.0), (50, 4.0)],
)
@pytest.mark.parametrize("sign", [1, -1])
def test_mass_deviation_band_limits(diameter: int, allowed: float, sign: int) -> None:
    nominal = NOMINAL[diameter]
    inside = nominal * (1 + sign * (allowed - 0.1) / 100)
    outside = nominal * (1 + sign * (allowed + 0.1) / 100)
    ok = run(bar(diameter_mm=diameter, mass_kg_per_m=round(inside, 5)))
    assert ok["verdict"] == "pass", ok
    assert not any("retest" in n for n in ok.get("notes", []))
    bad = run(bar(diameter_mm=diameter, mass_kg_per_m=round(outside, 5)))
    assert bad["verdict"] == "fail", bad
    (mass,) = [c for c in bad["checks"] if not c["ok"]]
    assert mass["required"] == pytest.approx(allowed)
    assert mass["actual"] == pytest.approx(sign * (allowed + 0.1), abs=1e-3)
    assert any("may not be retested" in n for n in bad["notes"])


def test_mass_deviation_is_measured_from_the_published_nominal_mass() -> None:
    # Ø20: 2.47 kg/m; 2.30 kg/m is −6.88 % (a stretched bar)
    result = run(bar(diameter_mm=20, mass_kg_per_m=2.30))
    assert result["verdict"] == "fail"
    assert result["values"]["nominal_mass_kg_per_m"] == pytest.approx(2.47)
    assert result["values"]["mass_deviation_pct"] == pytest.approx(
        (2.30 - 2.47) / 2.47 * 100, abs=1e-3
    )


def test_no_mass_given_notes_the_counterfeit_signal_was_not_checked() -> None:
    result = run(bar())
    assert result["verdict"] == "pass"
    assert any("not checked" in n for n in result["notes"])
    assert not any("not checked" in n for n in run(bar(mass_kg_per_m=2.47))["notes"])


# ---------------------------------------------------------------- invalid input


def test_a_non_nominal_diameter_is_invalid() -> None:
    result = run(bar(diameter_mm=21))
    assert result["verdict"] == "invalid"
    assert reasons_mention(result, "diameter_mm")


@pytest.mark.parametrize("mass", [None, 2.47])
def test_a_fractional_diameter_is_invalid(mass: float | None) -> None:
    result = run(bar(diameter_mm=20.5, mass_kg_per_m=mass))
    assert result["verdict"] == "invalid"
    assert reasons_mention(result, "diameter_mm")


def test_tensile_below_yield_is_invalid() -> None:
    result = run(bar(yield_mpa=450, tensile_mpa=440))
    assert result["verdict"] == "invalid"
    assert reasons_mention(result, "tensile_mpa")


@pytest.mark.parametrize("grade", ["HRB335", "hrb400", "HPB300", "", None, 400])
def test_unknown_grade_is_invalid(grade: Any) -> None:
    case = {**bar(), "grade": grade}
    result = run(case)
    assert result["verdict"] == "invalid"
    assert reasons_mention(result, "grade")


@pytest.mark.parametrize("field", ["diameter_mm", "yield_mpa", "tensile_mpa"])
def test_missing_or_bad_required_figures_are_invalid(field: str) -> None:
    missing = bar()
    del missing[field]
    assert reasons_mention(run(missing), field)
    for bad in (-5, 0, "400", True):
        result = run({**bar(), field: bad})
        assert result["verdict"] == "invalid"
        assert reasons_mention(result, field)


def test_e_grade_without_agt_is_invalid() -> None:
    result = run(bar("HRB400E", agt_pct=None))
    assert result["verdict"] == "invalid"
    assert reasons_mention(result, "agt_pct")


# ---------------------------------------------------------------- notes on unconfirmed figures


def test_hrb600_notes_its_unconfirmed_strength_minima() -> None:
    result = run(bar("HRB600"))
    assert result["verdict"] == "pass"
    assert any("HRB600" in n and "unconfirmed" in n for n in result["notes"])


def test_confirmed_e_grade_figures_carry_no_unconfirmed_note() -> None:
    result = run(bar("HRB400E"))
    assert not any("unconfirmed" in n for n in result.get("notes", []))


def test_mass_limits_are_noted_as_unconfirmed() -> None:
    result = run(bar("HRB400E", mass_kg_per_m=2.47))
    assert any("mass" in n and "unconfirmed" in n for n in result["notes"])
