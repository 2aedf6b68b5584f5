"""Concrete compressive strength against GB/T 50107-2010 (figures from domain.md section 4).

Every expected figure here is computed in the test from the standard's formulas (fcu,k, λ1..λ4,
S floor 2.5 MPa, σ0 rules) or by hand; none is read back from the engine or its rule table. The
batch is judged on stated figures (§5.1: mean and minimum to 0.1 N/mm², S to 0.01 N/mm², GB/T 8170
rounding, where an exact half goes to the even digit).
"""

from __future__ import annotations

import math
import statistics
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from services.domain.materials.concrete import characteristic_strength, group_value
from services.domain.materials.evaluate import evaluate

NEW = "GB/T 50107-2010"
OLD = "GBJ 107-87"

WORKED_EXAMPLE = [33.6, 38.1, 28.9, 30.6, 35.3, 36.1, 34.2, 33.3, 31.7, 29.8]


def run(values: list[float], grade: str = "C30", standard: str = NEW, **extra: Any) -> dict:
    return evaluate(
        {"standard": standard, "grade": grade, "group_values": values, **extra}
    ).as_dict()


def check(result: dict, name: str) -> dict:
    (found,) = [c for c in result["checks"] if c["name"] == name]
    return found


def failed(result: dict) -> list[dict]:
    return [c for c in result["checks"] if not c["ok"]]


def batch(n: int, mean: float, s: float) -> list[float]:
    """n group values with exactly this mean and sample standard deviation (n−1 denominator).

    Alternating mean ± d: for odd n a single value sits at the mean and d = S; for even n the
    sum of squares is n·d², so d = S·sqrt((n−1)/n).
    """
    if n % 2:
        d, signs = s, [0] + [1, -1] * ((n - 1) // 2)
    else:
        d, signs = s * math.sqrt((n - 1) / n), [1, -1] * (n // 2)
    values = [mean + sign * d for sign in signs]
    assert statistics.fmean(values) == pytest.approx(mean)
    assert statistics.stdev(values) == pytest.approx(s)
    return values


# ---------------------------------------------------------------- group value (3 cubes)


def test_group_value_is_the_mean_when_both_extremes_are_within_15_percent() -> None:
    # middle 40: 15 % is 6.0; 37 and 44 are within → (37 + 40 + 44) / 3 = 40.33
    assert group_value([37.0, 40.0, 44.0]) == pytest.approx(40.33, abs=0.05)


def test_group_value_does_not_depend_on_specimen_order() -> None:
    assert group_value([44.0, 37.0, 40.0]) == group_value([37.0, 40.0, 44.0])


def test_group_value_is_the_middle_when_only_the_maximum_is_off() -> None:
    # 46.1 − 40 = 6.1 > 6.0 → middle value 40, not the mean 41.4
    assert group_value([38.0, 40.0, 46.1]) == pytest.approx(40.0)


def test_group_value_is_the_middle_when_only_the_minimum_is_off() -> None:
    # 40 − 33.9 = 6.1 > 6.0 → middle value 40, not the mean 38.3
    assert group_value([33.9, 40.0, 41.0]) == pytest.approx(40.0)


def test_group_is_invalid_when_both_extremes_are_off() -> None:
    assert group_value([33.9, 40.0, 46.1]) is None


def test_exactly_15_percent_is_still_within() -> None:
    # 46 − 40 = 6.0 = 15 % of 40 exactly: not "more than 15 %", so the mean (41.33) counts
    assert group_value([38.0, 40.0, 46.0]) == pytest.approx(41.33, abs=0.05)
    # both extremes at exactly 15 %: the group is valid, mean 40
    assert group_value([34.0, 40.0, 46.0]) == pytest.approx(40.0)


# ---------------------------------------------------------------- strength grade


@pytest.mark.parametrize(("grade", "fcu_k"), [("C30", 30), ("C60", 60), ("C15", 15)])
def test_characteristic_strength_parses_grades(grade: str, fcu_k: int) -> None:
    assert characteristic_strength(grade) == fcu_k


@pytest.mark.parametrize("grade", ["30", "c30", "C", "C3", "C30 MPa", "CC30", ""])
def test_characteristic_strength_rejects_non_grades(grade: str) -> None:
    assert characteristic_strength(grade) is None


# ---------------------------------------------------------------- worked example


def test_worked_example_fails_on_the_mean_with_the_minimum_passing() -> None:
    mean, s = statistics.fmean(WORKED_EXAMPLE), statistics.stdev(WORKED_EXAMPLE)
    assert mean == pytest.approx(33.16)
    assert s == pytest.approx(2.926, abs=5e-4)
    result = run(WORKED_EXAMPLE)
    assert result["verdict"] == "fail"
    assert result["n"] == 10
    # stated: m 33.16 → 33.2, S 2.926 → 2.93; required 30 + 1.15 × 2.93 = 33.3695
    assert check(result, "mean")["raw"] == pytest.approx(33.16)
    assert check(result, "mean")["stated"] == 33.2
    assert check(result, "mean")["stated_to"] == 0.1
    assert check(result, "mean")["required"] == pytest.approx(33.3695)
    assert result["values"]["s_stated"] == 2.93
    assert check(result, "mean")["ok"] is False
    assert check(result, "min")["actual"] == pytest.approx(28.9)
    assert check(result, "min")["required"] == pytest.approx(27.0)
    assert check(result, "min")["ok"] is True


def test_worked_example_passes_under_the_superseded_gbj_107_87() -> None:
    # GBJ 107-87: m − 1.70·S ≥ 0.9·fcu,k → 33.16 − 4.974 = 28.19 ≥ 27; fmin 28.9 ≥ 27
    result = run(WORKED_EXAMPLE, standard=OLD)
    assert result["verdict"] == "pass"
    assert result["rule_table"].startswith(OLD)


# ---------------------------------------------------------------- λ bands


@pytest.mark.parametrize(
    ("n", "lam1", "lam2"),
    [
        (10, 1.15, 0.90),
        (14, 1.15, 0.90),
        (15, 1.05, 0.85),
        (19, 1.05, 0.85),
        (20, 0.95, 0.85),
        (30, 0.95, 0.85),
    ],
)
def test_statistical_lambdas_at_every_band_edge(n: int, lam1: float, lam2: float) -> None:
    values = batch(n, 40.0, 4.0)
    result = run(values)
    assert result["method"].startswith("statistical")
    assert result["n"] == n
    assert check(result, "mean")["required"] == pytest.approx(30 + lam1 * 4.0, abs=1e-3)
    assert check(result, "min")["required"] == pytest.approx(lam2 * 30, abs=1e-3)


def test_nine_groups_are_judged_by_the_non_statistical_method() -> None:
    result = run(batch(9, 40.0, 4.0))
    assert result["method"] == "non-statistical"
    assert check(result, "mean")["required"] == pytest.approx(1.15 * 30)
    assert check(result, "min")["required"] == pytest.approx(0.95 * 30)


@pytest.mark.parametrize(
    ("n_fail", "n_pass", "lam_between"),
    [
        (14, 15, 1.10),  # λ1 1.15 → 1.05
        (19, 20, 1.00),  # λ1 1.05 → 0.95
    ],
)
def test_mean_verdict_flips_exactly_at_the_lambda1_band(
    n_fail: int, n_pass: int, lam_between: float
) -> None:
    s = 4.0
    mean = 30 + lam_between * s  # between fcu,k + λ1(new band)·S and fcu,k + λ1(old band)·S
    at_fail, at_pass = run(batch(n_fail, mean, s)), run(batch(n_pass, mean, s))
    assert at_fail["verdict"] == "fail"
    assert [c["name"] for c in failed(at_fail)] == ["mean"]
    assert at_pass["verdict"] == "pass"


def test_min_verdict_flips_at_the_lambda2_band() -> None:
    # fmin 26 with everything else 40: 26 < 0.90·30 = 27 at n = 14, 26 ≥ 0.85·30 = 25.5 at n = 15
    at_14, at_15 = run([26.0] + [40.0] * 13), run([26.0] + [40.0] * 14)
    for values, result in (([26.0] + [40.0] * 13, at_14), ([26.0] + [40.0] * 14, at_15)):
        lam1 = 1.15 if len(values) < 15 else 1.05
        assert statistics.fmean(values) >= 30 + lam1 * statistics.stdev(values)  # mean is fine
        assert check(result, "mean")["ok"] is True
    assert at_14["verdict"] == "fail"
    assert check(at_14, "min")["ok"] is False
    assert at_15["verdict"] == "pass"


def test_verdict_flips_between_non_statistical_at_9_and_statistical_at_10() -> None:
    # mean 34.0, S 2.5: non-statistical needs 1.15·30 = 34.5 (fail); statistical needs
    # 30 + 1.15·2.5 = 32.875 (pass)
    assert run(batch(9, 34.0, 2.5))["verdict"] == "fail"
    assert run(batch(10, 34.0, 2.5))["verdict"] == "pass"


def test_s_floor_of_2_5_mpa_applies_to_a_batch_with_tiny_spread() -> None:
    values = [32.45, 32.55] * 5  # S ≈ 0.053; m 32.5
    s = statistics.stdev(values)
    assert s < 0.1
    assert statistics.fmean(values) >= 30 + 1.15 * s  # would pass without the floor
    result = run(values)
    assert check(result, "mean")["required"] == pytest.approx(30 + 1.15 * 2.5)  # 32.875
    assert result["verdict"] == "fail"
    assert run([v + 0.4 for v in values])["verdict"] == "pass"  # m 32.9 ≥ 32.875


# ---------------------------------------------------------------- σ0 known


def test_known_sigma_below_floor_is_taken_as_2_5() -> None:
    # σ0 1.0 → 2.5: mean ≥ 30 + 0.7·2.5 = 31.75 (with σ0 = 1 it would be 30.7)
    assert run([31.7] * 3, sigma0=1.0)["verdict"] == "fail"
    assert run([31.8] * 3, sigma0=1.0)["verdict"] == "pass"


def test_known_sigma_mean_rule() -> None:
    # σ0 4: mean ≥ 30 + 2.8 = 32.8
    assert run([32.8] * 3, sigma0=4.0)["verdict"] == "pass"
    result = run([32.7] * 3, sigma0=4.0)
    assert result["verdict"] == "fail"
    assert [c["required"] for c in failed(result)] == [pytest.approx(32.8)]


def test_known_sigma_min_rule() -> None:
    # σ0 4: fmin ≥ 30 − 2.8 = 27.2 (binding: the ratio rule asks only 0.90·30 = 27)
    assert run([27.2, 40.0, 40.0], sigma0=4.0)["verdict"] == "pass"
    result = run([27.1, 40.0, 40.0], sigma0=4.0)
    assert result["verdict"] == "fail"
    assert [c["required"] for c in failed(result)] == [pytest.approx(27.2)]


def test_known_sigma_min_ratio_is_0_85_up_to_c20() -> None:
    # C20, σ0 5: fcu,k − 3.5 = 16.5; 0.85·20 = 17 binds (0.90 would ask 18)
    assert run([17.0, 27.0, 27.0], grade="C20", sigma0=5.0)["verdict"] == "pass"
    result = run([16.9, 27.0, 27.0], grade="C20", sigma0=5.0)
    assert result["verdict"] == "fail"
    assert [c["required"] for c in failed(result)] == [pytest.approx(17.0)]


def test_known_sigma_min_ratio_is_0_90_above_c20() -> None:
    # C25, σ0 5: fcu,k − 3.5 = 21.5; 0.90·25 = 22.5 binds; mean ≥ 28.5
    assert run([22.5, 32.0, 32.0], grade="C25", sigma0=5.0)["verdict"] == "pass"
    result = run([22.4, 32.0, 32.0], grade="C25", sigma0=5.0)
    assert result["verdict"] == "fail"
    assert [c["required"] for c in failed(result)] == [pytest.approx(22.5)]


def test_known_sigma_batch_must_be_three_groups() -> None:
    result = run([40.0] * 5, sigma0=3.0)
    assert result["verdict"] == "invalid"


# ---------------------------------------------------------------- non-statistical


def test_non_statistical_lambda3_is_1_15_at_c55() -> None:
    # 1.15·55 = 63.25, and the mean is stated to 0.1: 63.26 → 63.3 passes; 63.25 → 63.2 (the
    # half goes to the even digit) fails although the raw mean equals the limit
    assert run([63.3] * 5, grade="C55")["verdict"] == "pass"
    assert run([63.26] * 5, grade="C55")["verdict"] == "pass"
    at = run([63.25] * 5, grade="C55")
    assert at["verdict"] == "fail"
    assert (check(at, "mean")["raw"], check(at, "mean")["stated"]) == (63.25, 63.2)
    assert run([63.2] * 5, grade="C55")["verdict"] == "fail"


def test_non_statistical_lambda3_is_1_10_at_c60() -> None:
    # 1.10·60 = 66.0 (1.15 would ask 69.0)
    assert run([66.0] * 5, grade="C60")["verdict"] == "pass"
    assert run([68.0] * 5, grade="C60")["verdict"] == "pass"
    assert run([65.9] * 5, grade="C60")["verdict"] == "fail"


def test_non_statistical_lambda4_is_0_95() -> None:
    # C30: fmin ≥ 28.5; mean 37.1 ≥ 34.5
    assert run([28.5, 40.0, 40.0, 40.0])["verdict"] == "pass"
    result = run([28.4, 40.0, 40.0, 40.0])
    assert result["verdict"] == "fail"
    assert [c["required"] for c in failed(result)] == [pytest.approx(28.5)]


# ---------------------------------------------------------------- stated figures (§5.1)


@pytest.mark.parametrize(
    ("values", "stated_mean", "verdict"),
    [
        ([34.4, 34.5], 34.4, "fail"),  # m 34.45: the half goes to 4 (even) → 34.4 < 34.5
        ([34.45, 34.47], 34.5, "pass"),  # m 34.46 → 34.5: a raw mean below the limit passes
        ([34.4, 34.6], 34.5, "pass"),  # m 34.5 at the limit
        ([34.5, 34.6], 34.6, "pass"),  # m 34.55: 5 after an odd 5 carries → 34.6
    ],
)
def test_the_mean_is_judged_stated_to_0_1(
    values: list[float], stated_mean: float, verdict: str
) -> None:
    # C30 non-statistical: m ≥ 1.15 · 30 = 34.5
    result = run(values)
    assert result["verdict"] == verdict
    assert check(result, "mean")["stated"] == stated_mean
    assert check(result, "mean")["required"] == pytest.approx(34.5)


@pytest.mark.parametrize(
    ("low", "stated_min", "verdict"),
    [(28.45, 28.4, "fail"), (28.46, 28.5, "pass"), (28.5, 28.5, "pass"), (28.44, 28.4, "fail")],
)
def test_the_minimum_is_judged_stated_to_0_1(low: float, stated_min: float, verdict: str) -> None:
    # C30 non-statistical: fmin ≥ 0.95 · 30 = 28.5; the mean (≥ 36) is not in question
    result = run([low, 40.0, 40.0])
    assert check(result, "min")["stated"] == stated_min
    assert check(result, "mean")["ok"] is True
    assert result["verdict"] == verdict


@pytest.mark.parametrize(
    ("s", "s_stated", "verdict"), [(3.0449, 3.04, "pass"), (3.0451, 3.05, "fail")]
)
def test_s_is_stated_to_0_01_before_it_sets_the_required_mean(
    s: float, s_stated: float, verdict: str
) -> None:
    # ten groups, m 33.5: required 30 + 1.15 · 3.04 = 33.496 (pass) but 30 + 1.15 · 3.05 =
    # 33.5075 (fail); with the raw S 3.0449 it would be 33.5016 and a correct pass would fail
    result = run(batch(10, 33.5, s))
    assert result["values"]["s_stated"] == s_stated
    assert check(result, "mean")["stated"] == 33.5
    assert check(result, "mean")["required"] == pytest.approx(30 + 1.15 * s_stated)
    assert result["verdict"] == verdict


def test_every_check_shows_raw_stated_and_required() -> None:
    for c in run(WORKED_EXAMPLE)["checks"]:
        assert {"raw", "stated", "required", "stated_to", "ok"} <= c.keys()


def test_the_superseded_edition_judges_figures_as_computed() -> None:
    result = run(WORKED_EXAMPLE, standard=OLD)
    assert check(result, "mean")["stated"] == pytest.approx(33.16)
    assert "stated_to" not in check(result, "mean")


# ---------------------------------------------------------------- cube size (§4.3.2)


def test_a_100_mm_cube_counts_0_95_of_its_strength() -> None:
    # C30 non-statistical, m ≥ 34.5: 36.3 × 0.95 = 34.485 → 34.5 passes; 36.2 × 0.95 = 34.39 →
    # 34.4 fails (without the factor both would pass)
    ok = run([36.3] * 3, specimen_size_mm=100)
    assert ok["verdict"] == "pass"
    assert ok["values"]["group_values"] == [34.5] * 3
    assert ok["values"]["group_values_as_tested"] == [36.3] * 3
    assert any("0.95" in n and "§4.3.2" in n for n in ok["notes"])
    assert run([36.2] * 3, specimen_size_mm=100)["verdict"] == "fail"
    assert run([36.2] * 3)["verdict"] == "pass"


def test_a_200_mm_cube_counts_1_05_of_its_strength() -> None:
    # 32.9 × 1.05 = 34.545 → 34.5 passes; 32.8 × 1.05 = 34.44 → 34.4 fails
    ok = run([32.9] * 3, specimen_size_mm=200)
    assert ok["values"]["group_values"] == [34.5] * 3
    assert ok["verdict"] == "pass"
    assert run([32.8] * 3, specimen_size_mm=200)["verdict"] == "fail"


def test_raw_specimens_of_100_mm_cubes() -> None:
    # group [35, 36, 37] → 36.0, × 0.95 = 34.2 < 34.5
    result = evaluate(
        {
            "standard": NEW,
            "grade": "C30",
            "groups": [[35.0, 36.0, 37.0]] * 3,
            "specimen_size_mm": 100,
        }
    ).as_dict()
    assert result["values"]["group_values"] == [34.2] * 3
    assert result["verdict"] == "fail"


def test_150_mm_is_the_default_and_changes_nothing() -> None:
    assert run([36.2] * 3, specimen_size_mm=150) == run([36.2] * 3)


def test_a_size_per_group() -> None:
    # 36.2 (150 mm) and 36.2 × 0.95 = 34.39 → 34.4 (100 mm): m 35.3, min 34.4 ≥ 28.5
    result = run([36.2, 36.2], specimen_size_mm=[150, 100])
    assert result["values"]["group_values"] == [36.2, 34.4]
    assert check(result, "mean")["stated"] == 35.3


@pytest.mark.parametrize("size", [120, 70.7, 0, "100", True, None, [100], float("nan")])
def test_other_cube_sizes_are_invalid(size: Any) -> None:
    if size is None:
        assert run([36.2] * 3, specimen_size_mm=size)["verdict"] == "pass"  # null: not given
        return
    result = run([36.2] * 3, specimen_size_mm=size)
    assert result["verdict"] == "invalid"
    assert any("specimen_size_mm" in r for r in result["reasons"])


@pytest.mark.parametrize("grade", ["C60", "C65", "C80"])
def test_from_c60_a_non_standard_cube_is_invalid(grade: str) -> None:
    result = run([80.0] * 3, grade=grade, specimen_size_mm=100)
    assert result["verdict"] == "invalid"
    assert any("§4.3.2" in r for r in result["reasons"])
    assert run([80.0] * 3, grade="C55", specimen_size_mm=100)["verdict"] != "invalid"


# ---------------------------------------------------------------- grades


@pytest.mark.parametrize("grade", [f"C{k}" for k in range(15, 85, 5)])
def test_every_grade_of_the_standard_is_accepted(grade: str) -> None:
    assert run([120.0] * 3, grade=grade)["verdict"] == "pass"


@pytest.mark.parametrize("grade", ["C22", "C31", "C57", "C10", "C85", "C999", "C05"])
def test_grades_outside_c15_to_c80_in_steps_of_5_are_invalid(grade: str) -> None:
    result = run([40.0] * 3, grade=grade)
    assert result["verdict"] == "invalid"
    assert any(r.startswith("grade:") and "C15" in r and "C80" in r for r in result["reasons"])


# ---------------------------------------------------------------- plausibility


@pytest.mark.parametrize(
    ("value", "slip"),
    [(5000.0, "psi"), (4350.0, "psi"), (30000.0, "kPa"), (1e300, None), (0.03, None)],
)
def test_an_implausible_cube_strength_is_invalid_and_names_the_likely_slip(
    value: float, slip: str | None
) -> None:
    result = run([35.0, value, 36.0])
    assert result["verdict"] == "invalid"
    (reason,) = result["reasons"]
    assert reason.startswith("group_values[1]: ")
    assert f"{value:g} MPa is not a plausible cube strength" in reason
    assert (f"; {slip}?" in reason) if slip else ("?" not in reason)


def test_c30_in_psi_is_refused_as_the_issue_reports_it() -> None:
    (reason,) = run([5000.0] * 3)["reasons"][:1]
    assert "5000 MPa is not a plausible cube strength; psi?" in reason


def test_an_implausible_specimen_inside_a_group_is_refused() -> None:
    # only the maximum is off, so the group value would be the middle 31: the 5000 must not hide
    result = evaluate({"standard": NEW, "grade": "C30", "groups": [[30.0, 31.0, 5000.0]]}).as_dict()
    assert result["verdict"] == "invalid"
    assert any(r.startswith("groups[0][2]: 5000 MPa") for r in result["reasons"])


def test_an_implausible_sigma0_is_invalid() -> None:
    result = run([35.0] * 3, sigma0=400.0)
    assert result["verdict"] == "invalid"
    assert any(r.startswith("sigma0: 400 MPa") for r in result["reasons"])


# ---------------------------------------------------------------- raw groups


def test_raw_groups_exclude_an_invalid_group_and_say_so() -> None:
    groups = [[40.0, 41.0, 42.0]] * 10
    groups = [*groups[:3], [20.0, 30.0, 40.0], *groups[4:]]  # group 4: both extremes off
    groups[6] = [30.0, 40.0, 41.0]  # group 7: only the minimum is off → 40 (middle value)
    result = evaluate({"standard": NEW, "grade": "C30", "groups": groups}).as_dict()
    assert result["n"] == 9
    assert result["method"] == "non-statistical"  # 9 valid groups left
    assert any("group 4" in note for note in result["notes"])
    assert not any("group 7" in note for note in result["notes"])
    assert sorted(result["values"]["group_values"]) == pytest.approx([40.0] + [41.0] * 8)
    assert result["verdict"] == "pass"  # mean 40.89 ≥ 34.5, min 40 ≥ 28.5


def test_raw_groups_use_the_15_percent_rule_of_the_table() -> None:
    # 46.2 − 40 = 6.2 > 6.0 → middle value 40 (the mean would be 41.4)
    # 33.8 and 46.2 both off → the second group does not count
    groups = [[38.0, 40.0, 46.2], [33.8, 40.0, 46.2], [38.0, 40.0, 46.0]]
    result = evaluate({"standard": NEW, "grade": "C30", "groups": groups}).as_dict()
    assert result["n"] == 2
    assert result["values"]["group_values"] == pytest.approx([40.0, 41.33], abs=0.05)
    assert any("group 2" in note for note in result["notes"])


def test_raw_groups_all_invalid_is_invalid() -> None:
    result = evaluate({"standard": NEW, "grade": "C30", "groups": [[20.0, 30.0, 40.0]]}).as_dict()
    assert result["verdict"] == "invalid"


# ---------------------------------------------------------------- invalid input


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ({"group_values": [35.0] * 3}, "grade"),
        ({"grade": "c30", "group_values": [35.0] * 3}, "grade"),
        ({"grade": 30, "group_values": [35.0] * 3}, "grade"),
        ({"grade": "C30", "group_values": [35.0, -1.0, 35.0]}, "group_values"),
        ({"grade": "C30", "group_values": [35.0, 0, 35.0]}, "group_values"),
        ({"grade": "C30", "group_values": []}, "group_values"),
        ({"grade": "C30", "group_values": [True, True, True]}, "group_values"),
        ({"grade": "C30", "group_values": ["35", 35.0]}, "group_values"),
        ({"grade": "C30", "group_values": 35.0}, "group_values"),
        ({"grade": "C30", "groups": [[35.0, 36.0]]}, "groups"),
        ({"grade": "C30", "groups": []}, "groups"),
        ({"grade": "C30", "groups": [[35.0, 36.0, False]]}, "groups"),
        ({"grade": "C30"}, "group_values"),
        ({"grade": "C30", "group_values": [35.0] * 3, "sigma0": -2}, "sigma0"),
        ({"grade": "C30", "group_values": [35.0] * 3, "sigma0": True}, "sigma0"),
    ],
)
def test_invalid_cases_name_the_field(case: dict, field: str) -> None:
    result = evaluate({"standard": NEW, **case}).as_dict()
    assert result["verdict"] == "invalid"
    assert result["checks"] == []
    assert any(field in reason for reason in result["reasons"])


def test_both_groups_and_group_values_is_invalid() -> None:
    result = evaluate(
        {"standard": NEW, "grade": "C30", "group_values": [35.0] * 3, "groups": [[35.0] * 3]}
    ).as_dict()
    assert result["verdict"] == "invalid"
    assert any("groups" in r and "group_values" in r for r in result["reasons"])


# ---------------------------------------------------------------- properties

GRADES = {"C20": 20, "C30": 30, "C45": 45, "C60": 60}


@st.composite
def passing_batches(draw: st.DrawFn) -> tuple[str, list[float], float | None]:
    grade = draw(st.sampled_from(sorted(GRADES)))
    fcu_k = GRADES[grade]
    sigma0 = draw(st.one_of(st.none(), st.floats(0.5, 8.0)))
    size = 3 if sigma0 is not None else draw(st.integers(1, 25))
    factors = st.floats(0.95, 1.6, allow_nan=False, allow_infinity=False)
    values = [round(fcu_k * f, 1) for f in draw(st.lists(factors, min_size=size, max_size=size))]
    return grade, values, sigma0


@settings(max_examples=200, deadline=None)
@given(passing_batches(), st.floats(0.01, 20.0))
def test_raising_every_group_value_never_turns_a_pass_into_a_fail(
    batch_: tuple[str, list[float], float | None], shift: float
) -> None:
    grade, values, sigma0 = batch_
    extra = {} if sigma0 is None else {"sigma0": sigma0}
    before = run(values, grade=grade, **extra)
    assume(before["verdict"] == "pass")
    after = run([v + shift for v in values], grade=grade, **extra)
    assert after["verdict"] == "pass"
    assert after["method"] == before["method"]


@settings(max_examples=200, deadline=None)
@given(passing_batches(), st.data())
def test_the_order_of_the_groups_never_changes_the_result(
    batch_: tuple[str, list[float], float | None], data: st.DataObject
) -> None:
    grade, values, sigma0 = batch_
    extra = {} if sigma0 is None else {"sigma0": sigma0}
    shuffled = data.draw(st.permutations(values))
    a, b = run(values, grade=grade, **extra), run(list(shuffled), grade=grade, **extra)
    assert (a["verdict"], a["method"], a["n"]) == (b["verdict"], b["method"], b["n"])
    assert [(c["name"], c["ok"]) for c in a["checks"]] == [
        (c["name"], c["ok"]) for c in b["checks"]
    ]
    for x, y in zip(a["checks"], b["checks"], strict=True):
        assert x["required"] == pytest.approx(y["required"], abs=1e-3)
        assert x["actual"] == pytest.approx(y["actual"], abs=1e-3)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.lists(st.floats(20.0, 60.0), min_size=3, max_size=3), min_size=1, max_size=15),
    st.data(),
)
def test_the_order_of_raw_groups_and_specimens_never_changes_the_verdict(
    groups: list[list[float]], data: st.DataObject
) -> None:
    shuffled = [list(data.draw(st.permutations(g))) for g in data.draw(st.permutations(groups))]
    a = evaluate({"standard": NEW, "grade": "C30", "groups": groups}).as_dict()
    b = evaluate({"standard": NEW, "grade": "C30", "groups": shuffled}).as_dict()
    assert (a["verdict"], a["n"]) == (b["verdict"], b["n"])
    if a["verdict"] != "invalid":
        assert sorted(a["values"]["group_values"]) == sorted(b["values"]["group_values"])
