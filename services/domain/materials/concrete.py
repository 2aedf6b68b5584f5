"""Concrete compressive strength: the group value rule and the batch evaluation (GB/T 50107-2010).

The superseded GBJ 107-87 is kept for its statistical method only, so old records can be shown as
they were judged and so a test proves which edition is in force.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Sequence
from typing import Any

from services.domain.materials.result import Evaluation, at_least, invalid, judged
from services.domain.materials.tables import label

_GRADE = re.compile(r"^C([1-9][0-9]{1,2})$")


def characteristic_strength(grade: str) -> int | None:
    """C30 → 30 MPa (fcu,k); None for anything that is not a concrete strength grade."""
    match = _GRADE.match(grade)
    return int(match[1]) if match else None


def group_value(specimens: Sequence[float], deviation: float = 0.15) -> float | None:
    """The value of one group of three cubes, or None when the group is invalid.

    Mean of the three; if the max or the min differs from the middle value by more than 15 % of
    the middle value, the middle value; if both do, the group does not count.
    """
    low, mid, high = sorted(specimens)
    limit = deviation * mid
    high_off, low_off = high - mid > limit + 1e-9, mid - low > limit + 1e-9
    if high_off and low_off:
        return None
    if high_off or low_off:
        return mid
    return round((low + mid + high) / 3, 1)  # the standard states group values to 0.1 MPa


def _band(rows: list[dict[str, Any]], n: int) -> float:
    for row in rows:
        if n >= row["n_from"] and (row["n_to"] is None or n <= row["n_to"]):
            return float(row["value"])
    raise ValueError(f"no band for n={n}")


def _by_grade(rows: list[dict[str, Any]], fcu_k: int) -> float:
    for row in rows:
        if ("grade_to" in row and fcu_k <= row["grade_to"]) or (
            "grade_from" in row and fcu_k >= row["grade_from"]
        ):
            return float(row["value"])
    raise ValueError(f"no row for C{fcu_k}")


def evaluate_batch(
    values: Sequence[float],
    fcu_k: int,
    table: dict[str, Any],
    *,
    sigma0: float | None = None,
    notes: Sequence[str] = (),
) -> Evaluation:
    """Evaluate a batch of group values against ``table`` (an edition of the standard)."""
    name = label(table)
    n = len(values)
    if n == 0:
        return invalid(name, "no valid group values", notes=list(notes))
    mean = statistics.fmean(values)
    fmin = min(values)
    derived: dict[str, Any] = {"fcu_k": fcu_k, "mean": mean, "min": fmin}
    if sigma0 is not None:
        rule = table.get("statistical_known_sigma")
        if rule is None:
            return invalid(name, f"{table['standard']} has no known-sigma method here", n=n)
        if n != rule["batch_groups"]:
            return invalid(
                name,
                f"known-sigma method: a batch is {rule['batch_groups']} consecutive groups, not {n}",
                n=n,
            )
        s0 = max(sigma0, rule["sigma0_floor_mpa"])
        derived["sigma0_used"] = s0
        checks = [
            at_least("mean", mean, fcu_k + rule["mean_k"] * s0),
            at_least("min", fmin, fcu_k - rule["min_k"] * s0),
            at_least("min_ratio", fmin, _by_grade(rule["min_ratio"], fcu_k) * fcu_k),
        ]
        return judged(
            name, checks, method="statistical, known sigma", n=n, values=derived, notes=list(notes)
        )
    rule = table["statistical_unknown_sigma"]
    if n >= rule["min_groups"]:
        s = statistics.stdev(values)
        derived["s"] = s
        lam1, lam2 = _band(rule["lambda1"], n), _band(rule["lambda2"], n)
        if "s_floor_mpa" in rule:
            s_used = max(s, rule["s_floor_mpa"])
            mean_check = at_least("mean", mean, fcu_k + lam1 * s_used)
        else:  # GBJ 107-87: m − λ1·S ≥ 0.9·fcu,k with S ≥ 0.06·fcu,k
            s_used = max(s, rule["s_floor_ratio_of_grade"] * fcu_k)
            mean_check = at_least(
                "mean", mean, rule["mean_minus_lambda1_s_at_least_ratio"] * fcu_k + lam1 * s_used
            )
        derived |= {"s_used": s_used, "lambda1": lam1, "lambda2": lam2}
        checks = [mean_check, at_least("min", fmin, lam2 * fcu_k)]
        return judged(
            name,
            checks,
            method="statistical, unknown sigma",
            n=n,
            values=derived,
            notes=list(notes),
        )
    rule = table.get("non_statistical")
    if rule is None:
        return invalid(
            name,
            f"{table['standard']}: fewer than {table['statistical_unknown_sigma']['min_groups']} groups",
            n=n,
        )
    lam3, lam4 = _by_grade(rule["lambda3"], fcu_k), rule["lambda4"]
    derived |= {"lambda3": lam3, "lambda4": lam4}
    checks = [at_least("mean", mean, lam3 * fcu_k), at_least("min", fmin, lam4 * fcu_k)]
    return judged(name, checks, method="non-statistical", n=n, values=derived, notes=list(notes))


def evaluate_case(case: dict[str, Any], table: dict[str, Any]) -> Evaluation:
    """A ``qtrail evaluate`` case: grade plus ``group_values`` or raw ``groups`` (and ``sigma0``)."""
    name = label(table)
    reasons: list[str] = []
    grade = case.get("grade")
    fcu_k = characteristic_strength(grade) if isinstance(grade, str) else None
    if fcu_k is None:
        reasons.append(f"grade: {grade!r} is not a concrete grade like C30")
    sigma0 = case.get("sigma0")
    if sigma0 is not None and not _positive(sigma0):
        reasons.append("sigma0: must be a positive number")
    notes: list[str] = []
    values: list[float] = []
    if "group_values" in case and "groups" in case:
        reasons.append("give group_values or groups, not both")
    elif "group_values" in case:
        raw = case["group_values"]
        if not isinstance(raw, list) or not raw or not all(_positive(v) for v in raw):
            reasons.append("group_values: must be a non-empty list of positive numbers")
        else:
            values = [float(v) for v in raw]
    elif "groups" in case:
        raw = case["groups"]
        if (
            not isinstance(raw, list)
            or not raw
            or not all(
                isinstance(g, list) and len(g) == 3 and all(_positive(v) for v in g) for g in raw
            )
        ):
            reasons.append(
                "groups: must be a non-empty list of three positive specimen strengths each"
            )
        else:
            for index, group in enumerate(raw):
                value = group_value(
                    [float(v) for v in group], table["group_rule"]["deviation_of_middle"]
                )
                if value is None:
                    notes.append(
                        f"group {index + 1} invalid: both extremes differ from the middle by more than 15 %"
                    )
                else:
                    values.append(value)
    else:
        reasons.append("group_values or groups: required")
    if reasons:
        return invalid(name, *reasons)
    assert fcu_k is not None
    result = evaluate_batch(
        values, fcu_k, table, sigma0=float(sigma0) if sigma0 is not None else None, notes=notes
    )
    if "groups" in case:
        result.values["group_values"] = values
    return result


def _positive(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value > 0
    )
