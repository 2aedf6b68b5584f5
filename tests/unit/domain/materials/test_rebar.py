"""Hot-rolled ribbed bars (GB/T 1499.2-2018) and straightened coil bars (GB 50204-2015 §5.3.4).

Figures are those of domain.md section 4, typed into this file; nominal masses are the
published kg/m values (0.00617·d², rounded as the standard prints them).
"""

from __future__ import annotations

from typing import Any

import pytest

from services.domain.materials.evaluate import evaluate

HOT = "GB/T 1499.2-2018"
STRAIGHT = "GB 50204-2015"

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
def test_yield_just_below_the_minimum_fails(grade: str) -> None:
    yield_min = GRADES[grade][0]
    result = run(bar(grade, yield_mpa=yield_min - 0.1))
    assert result["verdict"] == "fail"
    assert [c["required"] for c in result["checks"] if not c["ok"]] == [yield_min]


@pytest.mark.parametrize("grade", sorted(GRADES))
def test_tensile_just_below_the_minimum_fails(grade: str) -> None:
    tensile_min = GRADES[grade][1]
    # at the yield minimum, Rm − 0.1 keeps the E grades' Rm/ReL ≥ 1.25 (539.9/400, 629.9/500)
    result = run(bar(grade, tensile_mpa=tensile_min - 0.1))
    assert result["verdict"] == "fail"
    assert [c["required"] for c in result["checks"] if not c["ok"]] == [tensile_min]


@pytest.mark.parametrize("grade", [g for g, spec in GRADES.items() if spec[2] is not None])
def test_elongation_just_below_the_minimum_fails(grade: str) -> None:
    a_min = GRADES[grade][2]
    assert a_min is not None
    result = run(bar(grade, elongation_pct=a_min - 0.1))
    assert result["verdict"] == "fail"
    assert [c["required"] for c in result["checks"] if not c["ok"]] == [a_min]


# ---------------------------------------------------------------- seismic (E) grades


@pytest.mark.parametrize("grade", ["HRB400E", "HRBF400E", "HRB500E", "HRBF500E"])
def test_e_grade_agt_minimum_is_9(grade: str) -> None:
    assert run(bar(grade, agt_pct=9.0))["verdict"] == "pass"
    result = run(bar(grade, agt_pct=8.9))
    assert result["verdict"] == "fail"
    assert [c["required"] for c in result["checks"] if not c["ok"]] == [9.0]


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


def test_non_e_grades_require_elongation() -> None:
    result = run(bar("HRB400", elongation_pct=None))
    assert result["verdict"] == "invalid"
    assert reasons_mention(result, "elongation_pct")


def test_e_grades_do_not_require_elongation() -> None:
    case = bar("HRB400E")
    assert "elongation_pct" not in case
    assert run(case)["verdict"] == "pass"


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


# ---------------------------------------------------------------- straightened coil bar


def coil(
    grade: str = "HRB400", diameter: int = 10, deviation_pct: float = 0.0, **fields: Any
) -> dict[str, Any]:
    return {
        "standard": STRAIGHT,
        "grade": grade,
        "diameter_mm": diameter,
        "mass_kg_per_m": NOMINAL[diameter] * (1 + deviation_pct / 100),
        "elongation_pct": 21,
        **fields,
    }


@pytest.mark.parametrize(
    ("grade", "diameter", "limit"),
    [
        ("HRB400", 10, -8.0),
        ("HRB400", 12, -8.0),
        ("HRB400", 14, -6.0),
        ("HRB400", 16, -6.0),
        ("HPB300", 10, -10.0),
        ("HPB300", 12, -10.0),
    ],
)
def test_straightened_mass_deviation_limit(grade: str, diameter: int, limit: float) -> None:
    at = run(coil(grade, diameter, limit))
    assert at["verdict"] == "pass", at
    assert at["rule_table"].startswith(STRAIGHT)
    below = run(coil(grade, diameter, limit - 0.1))
    assert below["verdict"] == "fail"
    (mass,) = [c for c in below["checks"] if not c["ok"]]
    assert mass["required"] == pytest.approx(limit)
    assert mass["actual"] == pytest.approx(limit - 0.1, abs=1e-3)


def test_straightened_heavy_bar_is_not_a_failure() -> None:
    # §5.3.4 bounds the loss of mass only
    assert run(coil("HRB400", 10, +9.0))["verdict"] == "pass"


def test_straightened_hrb400_outside_the_covered_diameters_is_invalid() -> None:
    case = {**coil("HRB400", 16), "diameter_mm": 18, "mass_kg_per_m": 2.00}
    result = run(case)
    assert result["verdict"] == "invalid"
    assert reasons_mention(result, "diameter_mm")


def test_straightened_hrb400_elongation_minimum_is_15() -> None:
    assert run(coil("HRB400", elongation_pct=15))["verdict"] == "pass"
    result = run(coil("HRB400", elongation_pct=14.9))
    assert result["verdict"] == "fail"
    assert [c["required"] for c in result["checks"] if not c["ok"]] == [15]


@pytest.mark.parametrize("field", ["diameter_mm", "mass_kg_per_m", "elongation_pct"])
def test_straightened_requires_its_figures(field: str) -> None:
    case = coil()
    del case[field]
    result = run(case)
    assert result["verdict"] == "invalid"
    assert reasons_mention(result, field)


def test_straightened_unknown_grade_is_invalid() -> None:
    result = run(coil(grade="HRB500"))
    assert result["verdict"] == "invalid"
    assert reasons_mention(result, "grade")


def test_straightened_figures_are_noted_as_unconfirmed() -> None:
    assert any("unconfirmed" in n for n in run(coil())["notes"])


def test_straightened_non_nominal_diameter_is_invalid() -> None:
    case = {**coil(), "diameter_mm": 7, "mass_kg_per_m": 0.30}
    assert run(case)["verdict"] == "invalid"
