"""The single entry point: dispatch by ``standard``, malformed input as ``invalid``, output shape."""

from __future__ import annotations

from typing import Any

import pytest

from services.domain.materials.evaluate import evaluate

EDITIONS = (
    "GB/T 50107-2010",
    "GBJ 107-87",
    "GB/T 1499.2-2018",
    "GB 50204-2015",
    "GB 175-2007",
    "GB 175-2023",
)

CONCRETE = {"grade": "C30", "group_values": [40.0] * 10}
HOT_ROLLED = {
    "grade": "HRB400E",
    "diameter_mm": 20,
    "yield_mpa": 450,
    "tensile_mpa": 600,
    "agt_pct": 12,
    "mass_kg_per_m": 2.45,
    "bend_ok": True,
    "reverse_bend_ok": True,
}
STRAIGHTENED = {
    "grade": "HRB400",
    "diameter_mm": 10,
    "mass_kg_per_m": 0.60,
    "elongation_pct": 20,
    "yield_mpa": 430,
    "tensile_mpa": 580,
}
CEMENT = {
    "type": "P.O",
    "grade": "42.5",
    "compressive_3d_mpa": 25.0,
    "compressive_28d_mpa": 48.0,
    "flexural_3d_mpa": 5.0,
    "flexural_28d_mpa": 7.5,
    "initial_set_min": 150,
    "final_set_min": 220,
    "soundness_ok": True,
}

CASES = {
    "GB/T 50107-2010": (CONCRETE, "statistical"),
    "GBJ 107-87": (CONCRETE, "statistical"),
    "GB/T 1499.2-2018": (HOT_ROLLED, "hot-rolled"),
    "GB 50204-2015": (STRAIGHTENED, "straightened"),
    "GB 175-2007": (CEMENT, "P.O 42.5"),
    "GB 175-2023": (CEMENT, "P.O 42.5"),
}


@pytest.mark.parametrize("standard", EDITIONS)
def test_dispatch_by_standard(standard: str) -> None:
    case, method = CASES[standard]
    result = evaluate({"standard": standard, **case}).as_dict()
    assert result["verdict"] == "pass", result
    assert result["rule_table"].startswith(f"{standard} (")
    assert method in result["method"]


def test_the_same_concrete_batch_is_judged_by_the_edition_it_names() -> None:
    new = evaluate({"standard": "GB/T 50107-2010", **CONCRETE}).as_dict()
    old = evaluate({"standard": "GBJ 107-87", **CONCRETE}).as_dict()
    # λ1·S: 1.15·2.5 (2010, S floor 2.5) vs 0.9·30 + 1.70·1.8 (1987, S floor 0.06·30)
    assert new["checks"][0]["required"] == pytest.approx(30 + 1.15 * 2.5, abs=1e-3)
    assert old["checks"][0]["required"] == pytest.approx(0.9 * 30 + 1.70 * 1.8, abs=1e-3)


def test_a_case_for_one_material_under_another_standard_is_invalid() -> None:
    result = evaluate({"standard": "GB 175-2007", **CONCRETE}).as_dict()
    assert result["verdict"] == "invalid"


@pytest.mark.parametrize("standard", ["GB/T 50107-2019", "gb/t 50107-2010", "", 50107])
def test_unknown_standard_is_invalid_and_lists_the_known_ones(standard: Any) -> None:
    result = evaluate({"standard": standard, **CONCRETE}).as_dict()
    assert result["verdict"] == "invalid"
    (reason,) = result["reasons"]
    assert "standard" in reason
    for known in EDITIONS:
        assert known in reason


def test_missing_standard_is_invalid_and_lists_the_known_ones() -> None:
    result = evaluate(dict(CONCRETE)).as_dict()
    assert result["verdict"] == "invalid"
    (reason,) = result["reasons"]
    assert "standard" in reason
    for known in EDITIONS:
        assert known in reason


@pytest.mark.parametrize("case", [None, [], [CONCRETE], "C30", 42, True])
def test_a_non_object_case_is_invalid(case: Any) -> None:
    result = evaluate(case).as_dict()
    assert result["verdict"] == "invalid"
    assert result["reasons"]


@pytest.mark.parametrize("standard", EDITIONS)
@pytest.mark.parametrize("valid", [True, False])
def test_result_shape(standard: str, valid: bool) -> None:
    case = CASES[standard][0] if valid else {}
    result = evaluate({"standard": standard, **case}).as_dict()
    assert {"verdict", "method", "n", "checks", "rule_table"} <= result.keys()
    assert result["verdict"] in ("pass", "fail", "invalid")
    assert isinstance(result["rule_table"], str) and result["rule_table"]
    assert isinstance(result["checks"], list)
    if valid:
        assert result["checks"]
        assert isinstance(result["n"], int) and result["n"] >= 1
    else:
        assert result["verdict"] == "invalid"
        assert result["reasons"]
    for check in result["checks"]:
        assert {"name", "required", "actual", "ok"} <= check.keys()
        assert isinstance(check["ok"], bool)
        assert isinstance(check["name"], str)


def test_evaluate_never_raises_on_odd_field_types() -> None:
    odd: list[Any] = [None, "x", -1, 0, True, [], {}, float("inf"), float("nan")]
    for standard in EDITIONS:
        base = {"standard": standard, **CASES[standard][0]}
        for key in CASES[standard][0]:
            for value in odd:
                if (key, value) in (
                    ("mass_kg_per_m", None),
                    ("soundness_ok", True),
                    ("bend_ok", True),
                    ("reverse_bend_ok", True),
                ):
                    continue  # optional (null means not given) / a legitimate value
                assert evaluate({**base, key: value}).as_dict()["verdict"] == "invalid", (
                    standard,
                    key,
                    value,
                )
