"""Common Portland cement against GB 175 (strength from the 2007 edition, setting times, soundness).

The strength table below is typed from domain.md section 4, not read from the rule table.
"""

from __future__ import annotations

from typing import Any

import pytest

from services.domain.materials.cement import normalize_type
from services.domain.materials.evaluate import evaluate

STANDARD = "GB 175-2007"
FIELDS = ("compressive_3d_mpa", "compressive_28d_mpa", "flexural_3d_mpa", "flexural_28d_mpa")

# (type, grade): (3d compressive, 28d compressive, 3d flexural, 28d flexural)
MINIMA = {
    ("P.O", "42.5"): (17.0, 42.5, 3.5, 6.5),
    ("P.O", "42.5R"): (22.0, 42.5, 4.0, 6.5),
    ("P.O", "52.5"): (23.0, 52.5, 4.0, 7.0),
    ("P.O", "52.5R"): (27.0, 52.5, 5.0, 7.0),
    ("P.I", "42.5"): (17.0, 42.5, 3.5, 6.5),
    ("P.II", "52.5R"): (27.0, 52.5, 5.0, 7.0),
    ("P.I", "62.5"): (28.0, 62.5, 5.0, 8.0),
    ("P.II", "62.5"): (28.0, 62.5, 5.0, 8.0),
    ("P.S", "32.5"): (10.0, 32.5, 2.5, 5.5),
    ("P.S", "42.5"): (15.0, 42.5, 3.5, 6.5),
    ("P.S", "52.5"): (21.0, 52.5, 4.0, 7.0),
    ("P.P", "42.5"): (15.0, 42.5, 3.5, 6.5),
    ("P.F", "32.5"): (10.0, 32.5, 2.5, 5.5),
    ("P.C", "52.5"): (21.0, 52.5, 4.0, 7.0),
}


def cement(cement_type: str = "P.O", grade: str = "42.5", **fields: Any) -> dict[str, Any]:
    """A case at exactly the minima of its type and grade, with passing setting and soundness."""
    minima = MINIMA.get((normalize_type(cement_type), grade), MINIMA[("P.O", "42.5")])
    case: dict[str, Any] = {
        "standard": STANDARD,
        "type": cement_type,
        "grade": grade,
        **dict(zip(FIELDS, minima, strict=True)),
        "initial_set_min": 45,
        "final_set_min": 300,
        "soundness_ok": True,
    }
    case.update(fields)
    return {k: v for k, v in case.items() if v is not None}


def run(case: dict[str, Any]) -> dict[str, Any]:
    return evaluate(case).as_dict()


def reasons_mention(result: dict[str, Any], word: str) -> bool:
    return any(word in r for r in result.get("reasons", []))


def failed(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in result["checks"] if not c["ok"]]


# ---------------------------------------------------------------- strength


@pytest.mark.parametrize(("cement_type", "grade"), sorted(MINIMA))
def test_every_strength_at_its_minimum_passes(cement_type: str, grade: str) -> None:
    result = run(cement(cement_type, grade))
    assert result["verdict"] == "pass", result
    assert result["rule_table"].startswith(STANDARD)
    assert len(result["checks"]) == 7


@pytest.mark.parametrize(("cement_type", "grade"), sorted(MINIMA))
@pytest.mark.parametrize("index", range(4), ids=FIELDS)
def test_each_strength_just_below_its_minimum_fails(
    cement_type: str, grade: str, index: int
) -> None:
    minimum = MINIMA[(cement_type, grade)][index]
    result = run(cement(cement_type, grade, **{FIELDS[index]: round(minimum - 0.1, 1)}))
    assert result["verdict"] == "fail"
    (bad,) = failed(result)
    assert bad["required"] == pytest.approx(minimum)
    assert bad["actual"] == pytest.approx(minimum - 0.1)


def test_strength_notes_the_unconfirmed_2007_figures() -> None:
    assert any("unconfirmed" in n for n in run(cement())["notes"])


# ---------------------------------------------------------------- type names


@pytest.mark.parametrize("spelling", ["P·O", "PO", "p.o", "P.O", "P O", "p·o"])
def test_type_spellings_normalize_to_p_o(spelling: str) -> None:
    assert normalize_type(spelling) == "P.O"
    result = run(cement(spelling))
    assert result["verdict"] == "pass"
    assert result["method"].startswith("P.O")


@pytest.mark.parametrize(
    ("spelling", "expected"), [("P·II", "P.II"), ("PI", "P.I"), ("p·s", "P.S")]
)
def test_other_type_spellings(spelling: str, expected: str) -> None:
    assert normalize_type(spelling) == expected


# ---------------------------------------------------------------- setting times and soundness


@pytest.mark.parametrize("cement_type", ["P.I", "P.II", "P.O", "P.S", "P.P", "P.F", "P.C"])
def test_initial_set_45_minutes_passes_and_44_fails(cement_type: str) -> None:
    grade = "42.5"
    assert run(cement(cement_type, grade, initial_set_min=45))["verdict"] == "pass"
    result = run(cement(cement_type, grade, initial_set_min=44))
    assert result["verdict"] == "fail"
    assert [c["required"] for c in failed(result)] == [45]


@pytest.mark.parametrize("cement_type", ["P.I", "P.II"])
def test_final_set_limit_is_390_for_p_i_and_p_ii(cement_type: str) -> None:
    assert run(cement(cement_type, final_set_min=390))["verdict"] == "pass"
    result = run(cement(cement_type, final_set_min=391))
    assert result["verdict"] == "fail"
    assert [c["required"] for c in failed(result)] == [390]


@pytest.mark.parametrize("cement_type", ["P.O", "P.S", "P.P", "P.F", "P.C"])
def test_final_set_limit_is_600_for_the_other_types(cement_type: str) -> None:
    assert run(cement(cement_type, final_set_min=391))["verdict"] == "pass"
    assert run(cement(cement_type, final_set_min=600))["verdict"] == "pass"
    result = run(cement(cement_type, final_set_min=601))
    assert result["verdict"] == "fail"
    assert [c["required"] for c in failed(result)] == [600]


def test_failed_soundness_fails() -> None:
    result = run(cement(soundness_ok=False))
    assert result["verdict"] == "fail"
    assert len(failed(result)) == 1


# ---------------------------------------------------------------- invalid input


@pytest.mark.parametrize(
    ("cement_type", "grade"),
    [("P.I", "32.5"), ("P.O", "62.5"), ("P.S", "42.5R"), ("P.O", "42"), ("P.O", 42.5)],
)
def test_a_grade_the_type_does_not_have_is_invalid(cement_type: str, grade: Any) -> None:
    result = run(cement(cement_type, grade))
    assert result["verdict"] == "invalid"
    assert reasons_mention(result, "grade")


@pytest.mark.parametrize("cement_type", ["P.X", "", "Portland", 42])
def test_an_unknown_type_is_invalid(cement_type: Any) -> None:
    result = run({**cement(), "type": cement_type})
    assert result["verdict"] == "invalid"
    assert reasons_mention(result, "type")


@pytest.mark.parametrize(
    "field", [*FIELDS, "initial_set_min", "final_set_min", "soundness_ok", "type", "grade"]
)
def test_a_missing_field_is_invalid_and_named(field: str) -> None:
    case = cement()
    del case[field]
    result = run(case)
    assert result["verdict"] == "invalid"
    assert reasons_mention(result, field)


def test_every_missing_field_is_named_at_once() -> None:
    result = run({"standard": STANDARD, "type": "P.O", "grade": "42.5"})
    assert result["verdict"] == "invalid"
    for field in [*FIELDS, "initial_set_min", "final_set_min", "soundness_ok"]:
        assert reasons_mention(result, field), field


@pytest.mark.parametrize("bad", [-1, 0, "17", True])
@pytest.mark.parametrize("field", [*FIELDS, "initial_set_min", "final_set_min"])
def test_a_non_positive_or_non_numeric_figure_is_invalid(field: str, bad: Any) -> None:
    result = run(cement(**{field: bad}))
    assert result["verdict"] == "invalid"
    assert reasons_mention(result, field)


@pytest.mark.parametrize("bad", ["yes", 1, None])
def test_soundness_must_be_a_boolean(bad: Any) -> None:
    case = {**cement(), "soundness_ok": bad}
    result = run(case)
    assert result["verdict"] == "invalid"
    assert reasons_mention(result, "soundness_ok")


def test_final_set_before_initial_set_is_invalid() -> None:
    result = run(cement(initial_set_min=200, final_set_min=150))
    assert result["verdict"] == "invalid"
    assert reasons_mention(result, "final_set_min")


# ---------------------------------------------------------------- 3-day report (preliminary)


def three_day(**fields: Any) -> dict[str, Any]:
    return cement(compressive_28d_mpa=None, flexural_28d_mpa=None, **fields)


def test_a_3_day_report_is_a_preliminary_pass() -> None:
    result = run(three_day())
    assert result["verdict"] == "pass"
    assert result["stage"] == "preliminary"
    assert "preliminary" in result["method"]
    assert [c["name"] for c in result["checks"]] == [
        "compressive_3d strength",
        "flexural_3d strength",
        "initial setting time (min)",
        "final setting time (min)",
        "soundness",
    ]
    assert any("28-day" in n and "completes" in n for n in result["notes"])


def test_a_3_day_figure_below_its_minimum_already_fails() -> None:
    # P·O 42.5: 3-day compressive ≥ 17.0
    result = run(three_day(compressive_3d_mpa=16.9))
    assert result["verdict"] == "fail"
    assert result["stage"] == "preliminary"
    assert any("whatever the 28-day report says" in n for n in result["notes"])


def test_the_28_day_report_is_final() -> None:
    assert run(cement())["stage"] == "final"


@pytest.mark.parametrize("given", ["compressive_28d_mpa", "flexural_28d_mpa"])
def test_one_28_day_strength_without_the_other_is_invalid(given: str) -> None:
    missing = next(f for f in ("compressive_28d_mpa", "flexural_28d_mpa") if f != given)
    result = run(cement(**{missing: None}))
    assert result["verdict"] == "invalid"
    assert reasons_mention(result, missing)


def test_a_3_day_report_still_needs_its_3_day_figures() -> None:
    result = run(three_day(flexural_3d_mpa=None))
    assert result["verdict"] == "invalid"
    assert reasons_mention(result, "flexural_3d_mpa")


# ---------------------------------------------------------------- plausibility and fields


@pytest.mark.parametrize(
    ("field", "value", "slip"),
    [
        ("compressive_28d_mpa", 4700.0, "psi"),  # 42.5 MPa in psi is about 6160; 4700 psi ≈ 32.4
        ("compressive_28d_mpa", 48000.0, "kPa"),
        ("flexural_3d_mpa", 725.0, "psi"),
        ("final_set_min", 14400.0, "seconds"),
        ("initial_set_min", 1e308, None),
    ],
)
def test_an_implausible_figure_is_invalid_and_names_the_slip(
    field: str, value: float, slip: str | None
) -> None:
    result = run(cement(**{field: value}))
    assert result["verdict"] == "invalid"
    (reason,) = [r for r in result["reasons"] if r.startswith(field)]
    assert "is not a plausible" in reason
    assert (f"; {slip}?" in reason) if slip else ("?" not in reason)


def test_an_unknown_field_is_invalid_and_named() -> None:
    result = run(cement(soundnes_ok=False))
    assert result["verdict"] == "invalid"
    assert any(r.startswith("soundnes_ok:") and "soundness_ok" in r for r in result["reasons"])


@pytest.mark.parametrize("spelling", ["P·S·A", "P.S.B", "p·s·a"])
def test_slag_cement_subtypes(spelling: str) -> None:
    result = run(cement(spelling, "42.5", compressive_3d_mpa=15.0, flexural_3d_mpa=3.5))
    assert result["verdict"] == "pass"
