"""Every input counts or is refused: unknown fields, non-numbers and implausible values are invalid.

A misspelt field must never drop a check silently; a value in the wrong unit must never be judged.
"""

from __future__ import annotations

from typing import Any

import pytest

from services.domain.materials.evaluate import evaluate

CASES: dict[str, dict[str, Any]] = {
    "GB/T 50107-2010": {"grade": "C30", "group_values": [40.0] * 3},
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


def run(standard: str, **fields: Any) -> dict[str, Any]:
    case = {"standard": standard, **CASES[standard], **fields}
    return evaluate({k: v for k, v in case.items() if v is not None}).as_dict()


@pytest.mark.parametrize("standard", sorted(CASES))
def test_every_example_case_passes(standard: str) -> None:
    assert run(standard)["verdict"] == "pass"


@pytest.mark.parametrize("standard", sorted(CASES))
@pytest.mark.parametrize("field", ["remarks", "Grade", "bend", "specimen_size", "sampled"])
def test_an_unknown_field_makes_the_case_invalid_and_is_named(standard: str, field: str) -> None:
    result = run(standard, **{field: "x"})
    assert result["verdict"] == "invalid"
    assert any(r.startswith(f"{field}: not a field of") for r in result["reasons"])


@pytest.mark.parametrize(
    ("standard", "typo", "meant"),
    [
        ("GB/T 1499.2-2018", "bend_okay", "bend_ok"),
        ("GB/T 1499.2-2018", "reverse_bend", "reverse_bend_ok"),
        ("GB/T 50107-2010", "specimen_size", "specimen_size_mm"),
        ("GB 175-2023", "initial_set", "initial_set_min"),
        ("GB 50204-2015", "yield", "yield_mpa"),
    ],
)
def test_a_typo_is_named_with_the_field_it_was_likely_meant_to_be(
    standard: str, typo: str, meant: str
) -> None:
    (reason,) = [r for r in run(standard, **{typo: False})["reasons"] if r.startswith(typo)]
    assert f"did you mean {meant}?" in reason


def test_a_misspelt_bend_result_cannot_pass_a_failed_bend() -> None:
    result = run("GB/T 1499.2-2018", bend_ok=None, bent_ok=False)
    assert result["verdict"] == "invalid"


@pytest.mark.parametrize(
    ("field", "value", "slip"),
    [
        ("yield_mpa", 65000.0, "psi"),
        ("yield_mpa", 65.0, "ksi"),
        ("tensile_mpa", 600000.0, "kPa"),
        ("yield_mpa", 1e300, None),
        ("agt_pct", 200.0, None),
        ("agt_pct", 0.12, "a fraction rather than a percentage"),
        ("mass_kg_per_m", 2450.0, "g/m"),
        ("mass_kg_per_m", 0.5, None),  # 20 % of Ø20's 2.47 kg/m: not this diameter's bar at all
    ],
)
def test_an_implausible_rebar_figure_is_invalid_and_names_the_slip(
    field: str, value: float, slip: str | None
) -> None:
    result = run("GB/T 1499.2-2018", **{field: value})
    assert result["verdict"] == "invalid"
    (reason,) = [r for r in result["reasons"] if r.startswith(field)]
    assert "is not a plausible" in reason
    assert (f"; {slip}?" in reason) if slip else ("?" not in reason)


def test_mass_bounds_follow_the_nominal_mass_of_the_diameter() -> None:
    # Ø20: 2.47 kg/m, so 1.3 kg/m (−47 %) is still a bar, judged and failed, not refused
    result = run("GB/T 1499.2-2018", mass_kg_per_m=1.3)
    assert result["verdict"] == "fail"


@pytest.mark.parametrize(("value", "slip"), [(2, "cm"), (0.02, "m"), (21, None)])
def test_a_diameter_in_the_wrong_unit_is_named(value: float, slip: str | None) -> None:
    (reason,) = [
        r for r in run("GB/T 1499.2-2018", diameter_mm=value)["reasons"] if "diameter" in r
    ]
    assert (f"; {slip}?" in reason) if slip else ("?" not in reason)


@pytest.mark.parametrize("standard", sorted(CASES))
@pytest.mark.parametrize(
    "value",
    [float("nan"), float("inf"), -float("inf"), 10**400, "40", [], {}, True],
    ids=["nan", "inf", "-inf", "10**400", "text", "list", "object", "bool"],
)
def test_a_figure_that_is_not_a_finite_number_is_invalid(standard: str, value: Any) -> None:
    if "group_values" in CASES[standard]:
        field, value = "group_values", [40.0, value, 40.0]
    else:
        field = next(k for k, v in CASES[standard].items() if isinstance(v, float))
    result = run(standard, **{field: value})
    assert result["verdict"] == "invalid"
    assert any(r.startswith(field) for r in result["reasons"])


def test_reasons_show_huge_values_briefly() -> None:
    result = run("GB/T 50107-2010", grade="C" + "3" * 10_000)
    (reason,) = result["reasons"]
    assert len(reason) < 300


def test_thousands_of_bad_values_give_a_bounded_list_of_reasons() -> None:
    result = run("GB/T 50107-2010", group_values=[-1.0] * 5000)
    assert len(result["reasons"]) == 21
    assert result["reasons"][-1] == "… and 4980 more"
