"""Hot-rolled ribbed bars (GB/T 1499.2-2018) and straightened coil bars (GB 50204-2015 §5.3.4).

Mass per metre is the classic signal of fake or stretched ("瘦身") bar: a bar that is too light
for its nominal diameter. Under the 2018 edition a mass failure may not be retested.
"""

from __future__ import annotations

from typing import Any

from services.domain.materials.concrete import _positive
from services.domain.materials.result import Check, Evaluation, at_least, at_most, invalid, judged
from services.domain.materials.tables import label


def nominal_mass(diameter: float, table: dict[str, Any]) -> float:
    """kg/m from the table, or 0.00617·d² for a diameter the table does not list."""
    listed = table.get("nominal_mass_kg_per_m", {})
    key = str(int(diameter)) if float(diameter).is_integer() else str(diameter)
    return float(listed[key]) if key in listed else 0.00617 * diameter * diameter


def _nominal(diameter: float, table: dict[str, Any]) -> bool:
    return float(diameter).is_integer() and str(int(diameter)) in table["nominal_mass_kg_per_m"]


def mass_deviation_pct(actual: float, nominal: float) -> float:
    return (actual - nominal) / nominal * 100


def _mass_limit(diameter: float, bands: list[dict[str, Any]]) -> float | None:
    for band in bands:
        if band["diameter_from"] <= diameter <= band["diameter_to"]:
            return float(band["allowed"])
    return None


def _numbers(
    case: dict[str, Any], required: list[str], optional: list[str]
) -> tuple[dict[str, float], list[str]]:
    found, reasons = {}, []
    for name in required:
        if name not in case:
            reasons.append(f"{name}: required")
        elif not _positive(case[name]):
            reasons.append(f"{name}: must be a positive number")
        else:
            found[name] = float(case[name])
    for name in optional:
        if name in case and case[name] is not None:
            if not _positive(case[name]):
                reasons.append(f"{name}: must be a positive number")
            else:
                found[name] = float(case[name])
    return found, reasons


def evaluate_hot_rolled(case: dict[str, Any], table: dict[str, Any]) -> Evaluation:
    name = label(table)
    grade = case.get("grade")
    spec = table["grades"].get(grade) if isinstance(grade, str) else None
    required = ["diameter_mm", "yield_mpa", "tensile_mpa"]
    if spec is not None:
        if spec["elongation_min"] is not None:
            required.append("elongation_pct")
        if spec["agt_min"] is not None and spec["seismic"]:
            required.append("agt_pct")
    nums, reasons = _numbers(case, required, ["elongation_pct", "agt_pct", "mass_kg_per_m"])
    if spec is None:
        reasons.insert(0, f"grade: {grade!r} is not one of {sorted(table['grades'])}")
    diameter = nums.get("diameter_mm")
    if diameter is not None and not _nominal(diameter, table):
        reasons.append(
            f"diameter_mm: {diameter:g} is not a nominal diameter of {table['standard']}"
        )
    if "tensile_mpa" in nums and "yield_mpa" in nums and nums["tensile_mpa"] < nums["yield_mpa"]:
        reasons.append("tensile_mpa: below yield_mpa, which is impossible")
    if reasons:
        return invalid(name, *reasons)
    assert spec is not None and diameter is not None
    notes: list[str] = []
    checks: list[Check] = [
        at_least("yield strength ReL", nums["yield_mpa"], spec["yield_min"]),
        at_least("tensile strength Rm", nums["tensile_mpa"], spec["tensile_min"]),
    ]
    if not spec["confirmed"]["strength"]:
        notes.append(f"{grade} strength minima are unconfirmed in the rule table")
    if spec["elongation_min"] is not None and "elongation_pct" in nums:
        checks.append(at_least("elongation A", nums["elongation_pct"], spec["elongation_min"]))
        if not spec["confirmed"]["elongation"]:
            notes.append(f"{grade} elongation minimum is unconfirmed")
    if spec["agt_min"] is not None and "agt_pct" in nums:
        checks.append(
            at_least("total elongation at max force Agt", nums["agt_pct"], spec["agt_min"])
        )
        if not spec["confirmed"]["agt"]:
            notes.append(f"{grade} Agt minimum is unconfirmed")
    if spec["seismic"]:
        seismic = table["seismic"]
        checks.append(
            at_least(
                "Rm/ReL (actual)",
                nums["tensile_mpa"] / nums["yield_mpa"],
                seismic["tensile_to_yield_min"],
            )
        )
        checks.append(
            at_most(
                "ReL/characteristic ReL",
                nums["yield_mpa"] / spec["yield_min"],
                seismic["yield_to_characteristic_max"],
            )
        )
    values: dict[str, Any] = {}
    if "mass_kg_per_m" in nums:
        nominal = nominal_mass(diameter, table)
        deviation = mass_deviation_pct(nums["mass_kg_per_m"], nominal)
        allowed = _mass_limit(diameter, table["mass_deviation_pct"])
        assert allowed is not None
        values |= {"nominal_mass_kg_per_m": nominal, "mass_deviation_pct": deviation}
        checks.append(
            Check(
                "mass deviation %", "within ±", allowed, deviation, abs(deviation) <= allowed + 1e-9
            )
        )
        if not table["mass_deviation_confirmed"]:
            notes.append("mass deviation limits are unconfirmed in the rule table")
        if abs(deviation) > allowed and not table["mass_failure_retest_allowed"]:
            notes.append("a mass deviation failure may not be retested (GB/T 1499.2-2018)")
    else:
        notes.append("mass per metre not given: the counterfeit-bar signal was not checked")
    return judged(
        name, checks, method=f"hot-rolled ribbed bar {grade}", n=1, notes=notes, values=values
    )


def evaluate_straightened(
    case: dict[str, Any], table: dict[str, Any], masses: dict[str, Any]
) -> Evaluation:
    """Coil bar after straightening; ``masses`` is the GB/T 1499.2 table for nominal masses."""
    name = label(table)
    grade = case.get("grade")
    spec = table["grades"].get(grade) if isinstance(grade, str) else None
    nums, reasons = _numbers(case, ["diameter_mm", "mass_kg_per_m", "elongation_pct"], [])
    if spec is None:
        reasons.insert(0, f"grade: {grade!r} is not one of {sorted(table['grades'])}")
    limit = None
    if "diameter_mm" in nums and not _nominal(nums["diameter_mm"], masses):
        reasons.append(f"diameter_mm: {nums['diameter_mm']:g} is not a nominal bar diameter")
    elif spec is not None and "diameter_mm" in nums:
        limit = next(
            (
                b["min"]
                for b in spec["mass_deviation_min"]
                if b["diameter_from"] <= nums["diameter_mm"] <= b["diameter_to"]
            ),
            None,
        )
        if limit is None:
            reasons.append(
                f"diameter_mm: {nums['diameter_mm']:g} is outside the diameters §5.3.4 covers for {grade}"
            )
    if reasons:
        return invalid(name, *reasons)
    assert spec is not None and limit is not None
    nominal = nominal_mass(nums["diameter_mm"], masses)
    deviation = mass_deviation_pct(nums["mass_kg_per_m"], nominal)
    checks = [
        at_least("mass deviation %", deviation, limit),
        at_least("elongation A", nums["elongation_pct"], spec["elongation_min"]),
    ]
    notes = (
        ["GB 50204-2015 §5.3.4 figures are unconfirmed in the rule table"]
        if not table["confirmed"]
        else []
    )
    return judged(
        name,
        checks,
        method=f"straightened coil bar {grade}",
        n=1,
        notes=notes,
        values={"nominal_mass_kg_per_m": nominal, "mass_deviation_pct": deviation},
    )
