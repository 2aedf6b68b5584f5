"""Concrete compressive strength: the group value rule and the batch evaluation (GB/T 50107-2010).

The batch is judged on stated figures (§5.1): the mean and the minimum to 0.1 N/mm², S to
0.01 N/mm², worked in decimal from the group values as written. Cubes of 100 or 200 mm are
converted to the 150 mm cube (§4.3.2). The superseded GBJ 107-87 is kept for its statistical
method only, so old records can be shown as they were judged and a test proves which edition is
in force.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, localcontext
from typing import Any

from services.domain.materials.case import COMMON_FIELDS, figure, finite, show, unknown_fields
from services.domain.materials.editions import Selection
from services.domain.materials.plausible import implausible
from services.domain.materials.result import Check, Evaluation, at_least, invalid, judged
from services.domain.materials.stating import exact, stated, stated_exact
from services.domain.materials.tables import label

FIELDS = COMMON_FIELDS | {
    "grade",
    "group_values",
    "groups",
    "group_ids",
    "sigma0",
    "specimen_size_mm",
}

_GRADE = re.compile(r"^C([1-9][0-9]{1,2})$")


def characteristic_strength(grade: str) -> int | None:
    """C30 → 30 MPa (fcu,k); None for anything that is not a concrete strength grade."""
    match = _GRADE.match(grade)
    return int(match[1]) if match else None


def group_value(
    specimens: Sequence[float], deviation: float = 0.15, stated_to: float = 0.1
) -> float | None:
    """The value of one group of three cubes, stated to ``stated_to``; None when the group is invalid.

    Mean of the three; if the max or the min differs from the middle value by more than 15 % of
    the middle value, the middle value; if both do, the group does not count.
    """
    low, mid, high = sorted(exact(v) for v in specimens)
    limit = exact(deviation) * mid
    high_off, low_off = high - mid > limit, mid - low > limit
    if high_off and low_off:
        return None
    if high_off or low_off:
        return float(mid)
    return stated((low + mid + high) / 3, stated_to)


def _band(rows: list[dict[str, Any]], n: int) -> Decimal:
    for row in rows:
        if n >= row["n_from"] and (row["n_to"] is None or n <= row["n_to"]):
            return exact(row["value"])
    raise ValueError(f"no band for n={n}")


def _by_grade(rows: list[dict[str, Any]], fcu_k: int) -> Decimal:
    for row in rows:
        if ("grade_to" in row and fcu_k <= row["grade_to"]) or (
            "grade_from" in row and fcu_k >= row["grade_from"]
        ):
            return exact(row["value"])
    raise ValueError(f"no row for C{fcu_k}")


def _statistics(values: Sequence[float]) -> tuple[Decimal, Decimal, Decimal | None]:
    """Mean, minimum and sample standard deviation (n − 1), exact from the values as written."""
    with localcontext() as ctx:
        ctx.prec = 50
        figures = [exact(v) for v in values]
        mean = sum(figures, Decimal(0)) / len(figures)
        if len(figures) < 2:
            return mean, min(figures), None
        spread = sum(((f - mean) ** 2 for f in figures), Decimal(0)) / (len(figures) - 1)
        return mean, min(figures), spread.sqrt()


def evaluate_batch(
    values: Sequence[float],
    fcu_k: int,
    table: Mapping[str, Any],
    *,
    sigma0: float | None = None,
    notes: Sequence[str] = (),
) -> Evaluation:
    """Evaluate a batch of group values against ``table`` (an edition of the standard)."""
    name, standard = label(table), table["standard"]
    n = len(values)
    if n == 0:
        return invalid(name, "no valid group values", notes=list(notes), standard=standard)
    mean, fmin, s = _statistics(values)
    stating = table.get("stating", {})
    to_mean, to_min, to_s = stating.get("mean_mpa"), stating.get("min_mpa"), stating.get("s_mpa")
    k = exact(fcu_k)
    derived: dict[str, Any] = {"fcu_k": fcu_k, "mean": float(mean), "min": float(fmin)}
    outcome: dict[str, Any] = {"n": n, "values": derived, "notes": list(notes)}
    if sigma0 is not None:
        rule = table.get("statistical_known_sigma")
        if rule is None:
            return invalid(
                name, f"{standard} has no known-sigma method here", n=n, standard=standard
            )
        if n != rule["batch_groups"]:
            return invalid(
                name,
                f"known-sigma method: a batch is {rule['batch_groups']} consecutive groups, not {n}",
                n=n,
                standard=standard,
            )
        s0 = max(exact(sigma0), exact(rule["sigma0_floor_mpa"]))
        derived["sigma0_used"] = float(s0)
        checks = [
            at_least("mean", mean, k + exact(rule["mean_k"]) * s0, stated_to=to_mean),
            at_least("min", fmin, k - exact(rule["min_k"]) * s0, stated_to=to_min),
            at_least("min_ratio", fmin, _by_grade(rule["min_ratio"], fcu_k) * k, stated_to=to_min),
        ]
        return judged(name, checks, method="statistical, known sigma", standard=standard, **outcome)
    rule = table["statistical_unknown_sigma"]
    if n >= rule["min_groups"] and s is not None:
        s_stated = stated_exact(s, to_s) if to_s is not None else s
        lam1, lam2 = _band(rule["lambda1"], n), _band(rule["lambda2"], n)
        mean_check: Check
        if "s_floor_mpa" in rule:
            s_used = max(s_stated, exact(rule["s_floor_mpa"]))
            mean_check = at_least("mean", mean, k + lam1 * s_used, stated_to=to_mean)
        else:  # GBJ 107-87: m − λ1·S ≥ 0.9·fcu,k with S ≥ 0.06·fcu,k
            s_used = max(s_stated, exact(rule["s_floor_ratio_of_grade"]) * k)
            floor = exact(rule["mean_minus_lambda1_s_at_least_ratio"]) * k
            mean_check = at_least("mean", mean, floor + lam1 * s_used, stated_to=to_mean)
        derived |= {
            "s": float(s),
            "s_stated": float(s_stated),
            "s_used": float(s_used),
            "lambda1": float(lam1),
            "lambda2": float(lam2),
        }
        checks = [mean_check, at_least("min", fmin, lam2 * k, stated_to=to_min)]
        return judged(
            name, checks, method="statistical, unknown sigma", standard=standard, **outcome
        )
    rule = table.get("non_statistical")
    if rule is None:
        return invalid(
            name,
            f"{standard}: fewer than {table['statistical_unknown_sigma']['min_groups']} groups",
            n=n,
            standard=standard,
        )
    lam3, lam4 = _by_grade(rule["lambda3"], fcu_k), exact(rule["lambda4"])
    derived |= {"lambda3": float(lam3), "lambda4": float(lam4)}
    checks = [
        at_least("mean", mean, lam3 * k, stated_to=to_mean),
        at_least("min", fmin, lam4 * k, stated_to=to_min),
    ]
    return judged(name, checks, method="non-statistical", standard=standard, **outcome)


def _cube(value: Any, where: str, bounds: Mapping[str, Any]) -> tuple[float | None, str | None]:
    number = finite(value)
    if number is None:
        return None, f"{where}: {show(value)} is not a finite number"
    problem = implausible(number, bounds)
    return (None, f"{where}: {problem}") if problem else (number, None)


def _labels(case: Mapping[str, Any], count: int) -> tuple[list[str], list[str]]:
    """What to call each group in notes and reasons: ``group_ids`` (report numbers) or 1, 2, …"""
    ids = case.get("group_ids")
    if ids is None:
        return [str(i + 1) for i in range(count)], []
    if not isinstance(ids, list) or len(ids) != count or not all(isinstance(i, str) for i in ids):
        return [], [f"group_ids: must be {count} texts, one per group"]
    return [i[:40] for i in ids], []


def _group_values(
    case: Mapping[str, Any], table: Mapping[str, Any], notes: list[str]
) -> tuple[list[float | None], list[str]]:
    """Group values as tested (None for a group that does not count), or the reasons.

    ``group_values`` lists the values; each item of ``groups`` is a group's three specimen
    strengths or the group value a lab derived from them.
    """
    bounds = table["plausible"]["cube_strength_mpa"]
    rule = table["group_rule"]
    if "group_values" in case and "groups" in case:
        return [], ["give group_values or groups, not both"]
    field = "group_values" if "group_values" in case else "groups"
    raw = case.get(field)
    if raw is None:
        return [], ["group_values or groups: required"]
    if not isinstance(raw, list) or not raw:
        return [], [
            f"{field}: must be a non-empty list of "
            + ("group values (MPa)" if field == "group_values" else "groups (three specimens each)")
        ]
    labels, reasons = _labels(case, len(raw))
    if reasons:
        return [], reasons
    values: list[float | None] = []
    for index, item in enumerate(raw):
        where = f"{field}[{index}]" + (f" ({labels[index]})" if "group_ids" in case else "")
        if field == "group_values" or not isinstance(item, list):
            value, problem = _cube(item, where, bounds)
            values.append(value)
            reasons += [problem] if problem else []
            continue
        if len(item) != rule["specimens"]:
            reasons.append(f"{where}: must be {rule['specimens']} specimen strengths")
            values.append(None)
            continue
        specimens = [_cube(v, f"{where}[{j}]", bounds) for j, v in enumerate(item)]
        problems = [p for _, p in specimens if p]
        reasons += problems
        value = (
            None
            if problems
            else group_value(
                [v for v, _ in specimens if v is not None],
                rule["deviation_of_middle"],
                rule["stated_to_mpa"],
            )
        )
        if value is None and not problems:
            notes.append(
                f"group {labels[index]} invalid: both extremes differ from the middle by more "
                "than 15 %, so it does not count"
            )
        values.append(value)
    return values, reasons


def _size_factors(
    raw: Any, count: int, fcu_k: int | None, table: Mapping[str, Any]
) -> tuple[list[Decimal], list[str]]:
    """The size factor of each group (§4.3.2) from ``specimen_size_mm``: one size or one per group."""
    spec = table["specimen_size"]
    if raw is None:
        return [Decimal(1)] * count, []
    sizes = raw if isinstance(raw, list) else [raw] * count
    if len(sizes) != count:
        return [], [f"specimen_size_mm: {len(sizes)} sizes for {count} groups"]
    factors, reasons = [], []
    allowed = ", ".join(spec["factors"])
    below = spec.get("non_standard_below_grade")
    for size in sizes:
        number = finite(size)
        key = str(int(number)) if number is not None and number.is_integer() else None
        if key not in spec["factors"]:
            reasons.append(
                f"specimen_size_mm: {show(size)} is not a cube size of {table['standard']} "
                f"({allowed} mm)"
            )
            continue
        if key != str(spec["standard_mm"]) and below is not None and fcu_k and fcu_k >= below:
            reasons.append(
                f"specimen_size_mm: {key} mm cubes of C{fcu_k} need a size factor established by "
                f"tests ({spec['clause']})"
            )
            continue
        factors.append(exact(spec["factors"][key]))
    return (factors, reasons) if not reasons else ([], sorted(set(reasons)))


def evaluate_case(case: Mapping[str, Any], selection: Selection) -> Evaluation:
    """A case: grade plus ``group_values`` or raw ``groups``, ``specimen_size_mm``, ``sigma0``."""
    table = selection.table
    name, standard = label(table), table["standard"]
    reasons = unknown_fields(case, FIELDS, f"{table['family']} concrete strength")
    grade = case.get("grade")
    fcu_k = (
        characteristic_strength(grade)
        if isinstance(grade, str) and grade in table["grades"]
        else None
    )
    if fcu_k is None:
        reasons.append(
            f"grade: {show(grade)} is not a strength grade of {standard} "
            f"({table['grades'][0]}, {table['grades'][1]} … {table['grades'][-1]})"
        )
    sigma0, problem = figure(case, "sigma0", table["plausible"]["sigma0_mpa"], required=False)
    if problem:
        reasons.append(problem)
    notes: list[str] = list(selection.notes)
    tested, problems = _group_values(case, table, notes)
    reasons += problems
    factors, problems = _size_factors(case.get("specimen_size_mm"), len(tested), fcu_k, table)
    reasons += problems
    if reasons:
        return invalid(name, *reasons, standard=standard)
    assert fcu_k is not None
    to = table["group_rule"]["stated_to_mpa"]
    values = [
        v if f == 1 else stated(exact(v) * f, to)
        for v, f in zip(tested, factors, strict=True)
        if v is not None
    ]
    converted = sorted({float(f) for v, f in zip(tested, factors, strict=True) if f != 1 and v})
    if converted:
        notes.append(
            "group values converted to the 150 mm cube "
            f"(× {', × '.join(f'{f:g}' for f in converted)}; {table['specimen_size']['clause']})"
        )
    result = evaluate_batch(values, fcu_k, table, sigma0=sigma0, notes=notes)
    if "groups" in case or converted:
        result.values["group_values"] = values
    if converted:
        result.values["group_values_as_tested"] = [v for v in tested if v is not None]
    return result
