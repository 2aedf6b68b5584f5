"""Straightened coil bars (GB 50204-2015 §5.3.4): mass, elongation, and strength by the product
standard. Figures are those of domain.md section 4, typed into this file (all unconfirmed)."""

from __future__ import annotations

from typing import Any

import pytest

from services.domain.materials.evaluate import evaluate

STRAIGHT = "GB 50204-2015"
NOMINAL = {10: 0.617, 12: 0.888, 14: 1.21, 16: 1.58}


def run(case: dict[str, Any]) -> dict[str, Any]:
    return evaluate(case).as_dict()


def reasons_mention(result: dict[str, Any], word: str) -> bool:
    return any(word in r for r in result.get("reasons", []))


# grade: (ReL min, Rm min) of the bar's product standard: GB/T 1499.2-2018 for ribbed bar,
# GB/T 1499.1-2017 for HPB300 (300 / 420, unconfirmed)
PRODUCT = {"HPB300": (300, 420), "HRB400": (400, 540), "HRB500": (500, 630), "HRBF500": (500, 630)}


def coil(
    grade: str = "HRB400", diameter: int = 10, deviation_pct: float = 0.0, **fields: Any
) -> dict[str, Any]:
    yield_min, tensile_min = PRODUCT[grade]
    case = {
        "standard": STRAIGHT,
        "grade": grade,
        "diameter_mm": diameter,
        "mass_kg_per_m": NOMINAL[diameter] * (1 + deviation_pct / 100),
        "elongation_pct": 21,
        "yield_mpa": yield_min + 30,
        "tensile_mpa": tensile_min + 40,
        **fields,
    }
    return {k: v for k, v in case.items() if v is not None}


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
    # stated to 0.5 %: 14.75 → 15.0 (29.5 → 30, even), 14.74 → 14.5
    assert run(coil("HRB400", elongation_pct=15))["verdict"] == "pass"
    assert run(coil("HRB400", elongation_pct=14.75))["verdict"] == "pass"
    result = run(coil("HRB400", elongation_pct=14.74))
    assert result["verdict"] == "fail"
    assert [(c["required"], c["stated"]) for c in result["checks"] if not c["ok"]] == [(15, 14.5)]


@pytest.mark.parametrize("grade", ["HRB500", "HRBF500"])
def test_straightened_hrb500_and_hrbf500(grade: str) -> None:
    # §5.3.4: A ≥ 14 %, mass deviation ≥ −8 % (Ø6–12); strength by GB/T 1499.2: 500 / 630
    assert run(coil(grade, deviation_pct=-8.0, elongation_pct=14))["verdict"] == "pass"
    result = run(coil(grade, elongation_pct=13.5))
    assert result["verdict"] == "fail"
    assert [c["required"] for c in result["checks"] if not c["ok"]] == [14]


@pytest.mark.parametrize("grade", sorted(PRODUCT))
def test_straightened_strength_is_judged_by_the_bars_product_standard(grade: str) -> None:
    # GB 50204-2015 §5.3.4: a straightened bar must keep the strength its product standard asks,
    # stated to 5 MPa like any bar (the minima are even multiples of 5: −2.5 states up to them)
    yield_min, tensile_min = PRODUCT[grade]
    at = run(coil(grade, yield_mpa=yield_min - 2.5, tensile_mpa=tensile_min - 2.5))
    assert at["verdict"] == "pass", at
    for field, minimum, check in (
        ("yield_mpa", yield_min, "yield strength ReL"),
        ("tensile_mpa", tensile_min, "tensile strength Rm"),
    ):
        result = run(coil(grade, **{field: minimum - 2.6}))
        assert result["verdict"] == "fail"
        (bad,) = [c for c in result["checks"] if not c["ok"]]
        assert (bad["name"], bad["required"], bad["stated"]) == (check, minimum, minimum - 5)
        assert "§5.3.4" in bad["basis"]


def test_straightened_strength_follows_the_product_edition_in_force() -> None:
    by_date = run({**coil("HRB400"), "standard": "GB 50204", "sampled_on": "2025-03-01"})
    assert by_date["verdict"] == "pass"
    assert any("GB/T 1499.2-2018" in c.get("basis", "") for c in by_date["checks"])
    before = run({**coil("HRB400"), "standard": "GB 50204", "sampled_on": "2016-03-01"})
    assert before["verdict"] == "invalid"  # qtrail holds no GB/T 1499.2 edition before 2018-11
    assert reasons_mention(before, "GB/T 1499.2")


@pytest.mark.parametrize(
    "field", ["diameter_mm", "mass_kg_per_m", "elongation_pct", "yield_mpa", "tensile_mpa"]
)
def test_straightened_requires_its_figures(field: str) -> None:
    case = coil()
    del case[field]
    result = run(case)
    assert result["verdict"] == "invalid"
    assert reasons_mention(result, field)


def test_straightened_unknown_grade_is_invalid() -> None:
    result = run({**coil(), "grade": "HRB600"})
    assert result["verdict"] == "invalid"
    assert reasons_mention(result, "grade")


def test_straightened_figures_are_noted_as_unconfirmed() -> None:
    assert any("unconfirmed" in n for n in run(coil())["notes"])


def test_straightened_non_nominal_diameter_is_invalid() -> None:
    case = {**coil(), "diameter_mm": 7, "mass_kg_per_m": 0.30}
    assert run(case)["verdict"] == "invalid"
