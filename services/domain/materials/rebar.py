"""Hot-rolled ribbed bars (GB/T 1499.2-2018): strength, elongation, E-grade ratios, bends, mass.

Mass per metre is the classic signal of fake or stretched ("瘦身") bar: a bar that is too light
for its nominal diameter. Under the 2018 edition a mass failure may not be retested. Strengths
are judged stated to 5 MPa and elongations to 0.5 % (YB/T 081); the ratios of E grades are of
the measured strengths.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from services.domain.materials.case import COMMON_FIELDS, figure, finite, flag, show, unknown_fields
from services.domain.materials.editions import Selection, Table
from services.domain.materials.result import (
    Check,
    Evaluation,
    at_least,
    at_most,
    holds,
    invalid,
    judged,
)
from services.domain.materials.stating import exact, increment_for
from services.domain.materials.tables import label

HOT_ROLLED_FIELDS = COMMON_FIELDS | {
    "grade",
    "diameter_mm",
    "yield_mpa",
    "tensile_mpa",
    "elongation_pct",
    "agt_pct",
    "mass_kg_per_m",
    "bend_ok",
    "reverse_bend_ok",
}


def nominal_mass(diameter: float, table: Mapping[str, Any]) -> float:
    """kg/m from the table, or 0.00617·d² for a diameter the table does not list."""
    listed = table.get("nominal_mass_kg_per_m", {})
    key = str(int(diameter)) if float(diameter).is_integer() else str(diameter)
    return float(listed[key]) if key in listed else 0.00617 * diameter * diameter


def mass_deviation_pct(actual: float, nominal: float) -> Decimal:
    return (exact(actual) - exact(nominal)) / exact(nominal) * 100


def _mass_limit(diameter: float, bands: list[dict[str, Any]]) -> float | None:
    for band in bands:
        if band["diameter_from"] <= diameter <= band["diameter_to"]:
            return float(band["allowed"])
    return None


def nominal_diameter(case: Mapping[str, Any], masses: Table) -> tuple[float | None, str | None]:
    """A nominal diameter, or why not (suggesting cm or m when that would make one)."""
    if case.get("diameter_mm") is None:
        return None, "diameter_mm: required"
    value = finite(case["diameter_mm"])
    if value is None:
        return None, f"diameter_mm: {show(case['diameter_mm'])} is not a finite number"
    listed = masses["nominal_mass_kg_per_m"]

    def nominal(d: float) -> bool:
        return d.is_integer() and 0 < d < 1000 and str(int(d)) in listed

    if nominal(value):
        return value, None
    slip = next((unit for unit, f in (("cm", 10), ("m", 1000)) if nominal(value * f)), None)
    return None, (
        f"diameter_mm: {value:g} is not a nominal diameter of {masses['standard']} "
        f"({', '.join(listed)} mm)" + (f"; {slip}?" if slip else "")
    )


def strength_check(
    name: str, value: float, minimum: float, table: Table, basis: str | None
) -> Check:
    step = increment_for(value, table["stating"]["strength_mpa"])
    return at_least(name, value, minimum, stated_to=step, basis=basis)


def stating_notes(table: Table, *strengths: float) -> list[str]:
    if any(not 200 <= s <= 1000 for s in strengths) and table["stating"].get("unconfirmed"):
        return [f"{table['stating']['unconfirmed']} of {table['standard']} are unconfirmed"]
    return []


def _allowance(diameter: float, table: Table) -> tuple[float, str | None]:
    """How much lower A may be for a large bar, and the clause that says so."""
    spec = table.get("elongation_allowance") or {"rows": [], "clause": None}
    for row in spec["rows"]:
        within = (
            row["diameter_from"] <= diameter <= row["diameter_to"]
            if "diameter_from" in row
            else diameter > row["diameter_over"]
        )
        if within:
            return float(row["reduction_pct"]), spec["clause"]
    return 0.0, None


def evaluate_hot_rolled(case: Mapping[str, Any], selection: Selection) -> Evaluation:
    table = selection.table
    name, standard = label(table), table["standard"]
    reasons = unknown_fields(case, HOT_ROLLED_FIELDS, f"{table['family']} ribbed bar")
    grade = case.get("grade")
    spec = table["grades"].get(grade) if isinstance(grade, str) else None
    if spec is None:
        reasons.append(f"grade: {show(grade)} is not one of {sorted(table['grades'])}")
    diameter, problem = nominal_diameter(case, table)
    plausible = table["plausible"]
    nums: dict[str, float] = {}
    for field, required in (
        ("yield_mpa", True),
        ("tensile_mpa", True),
        ("elongation_pct", False),
        ("agt_pct", spec is not None and spec["seismic"]),
    ):
        value, why = figure(case, field, plausible[field], required=required)
        if value is not None:
            nums[field] = value
        reasons += [why] if why else []
    nominal = nominal_mass(diameter, table) if diameter is not None else None
    if nominal is not None:
        mass, why = figure(
            case, "mass_kg_per_m", plausible["mass_kg_per_m"], required=False, scale=nominal
        )
        reasons += [why] if why else []
    else:
        mass = None
    bend, why = flag(case, "bend_ok", required=True)
    reasons += [why] if why else []
    reverse, why = flag(case, "reverse_bend_ok", required=spec is not None and spec["seismic"])
    reasons += [why] if why else []
    reasons += [problem] if problem else []
    if (
        spec is not None
        and not spec["seismic"]
        and case.get("elongation_pct") is None
        and case.get("agt_pct") is None
    ):
        reasons.append(
            f"elongation_pct or agt_pct: required; {table['elongation_choice']['clause']}"
        )
    if "tensile_mpa" in nums and "yield_mpa" in nums and nums["tensile_mpa"] < nums["yield_mpa"]:
        reasons.append("tensile_mpa: below yield_mpa, which is impossible")
    if reasons:
        return invalid(name, *reasons, standard=standard)
    assert spec is not None and diameter is not None and nominal is not None
    assert bend is not None
    notes = [*selection.notes, *stating_notes(table, nums["yield_mpa"], nums["tensile_mpa"])]
    checks: list[Check] = [
        strength_check("yield strength ReL", nums["yield_mpa"], spec["yield_min"], table, None),
        strength_check(
            "tensile strength Rm", nums["tensile_mpa"], spec["tensile_min"], table, None
        ),
    ]
    to = table["stating"]["elongation_pct"]
    if not spec["confirmed"]["strength"]:
        notes.append(f"{grade} strength minima are unconfirmed in the rule table")
    if spec["elongation_min"] is not None and "elongation_pct" in nums:
        reduction, clause = _allowance(diameter, table)
        required = exact(spec["elongation_min"]) - exact(reduction)
        checks.append(
            at_least("elongation A", nums["elongation_pct"], required, stated_to=to, basis=clause)
        )
        if not spec["confirmed"]["elongation"]:
            notes.append(f"{grade} elongation minimum is unconfirmed")
    elif "elongation_pct" in nums:
        notes.append(f"elongation A is not a requirement of {grade} in {standard}; not judged")
    if spec["agt_min"] is not None and "agt_pct" in nums:
        checks.append(
            at_least(
                "total elongation at max force Agt", nums["agt_pct"], spec["agt_min"], stated_to=to
            )
        )
        if not spec["confirmed"]["agt"]:
            notes.append(f"{grade} Agt minimum is unconfirmed")
    if not spec["seismic"] and len({"elongation_pct", "agt_pct"} & nums.keys()) == 1:
        notes.append(f"judged on the elongation given; {table['elongation_choice']['clause']}")
    if spec["seismic"]:
        seismic = table["seismic"]
        checks.append(
            at_least(
                "Rm/ReL (actual)",
                exact(nums["tensile_mpa"]) / exact(nums["yield_mpa"]),
                seismic["tensile_to_yield_min"],
            )
        )
        checks.append(
            at_most(
                "ReL/characteristic ReL",
                exact(nums["yield_mpa"]) / exact(spec["yield_min"]),
                seismic["yield_to_characteristic_max"],
            )
        )
    checks.append(holds("bend test", bend))
    if reverse is not None:
        checks.append(holds("reverse bend test", reverse))
    values: dict[str, Any] = {}
    if mass is not None:
        deviation = mass_deviation_pct(mass, nominal)
        allowed = _mass_limit(diameter, table["mass_deviation_pct"])
        assert allowed is not None
        values |= {"nominal_mass_kg_per_m": nominal, "mass_deviation_pct": float(deviation)}
        within = abs(deviation) <= exact(allowed)
        checks.append(Check("mass deviation %", "within ±", allowed, float(deviation), within))
        if not table["mass_deviation_confirmed"]:
            notes.append("mass deviation limits are unconfirmed in the rule table")
        if not within and not table["mass_failure_retest_allowed"]:
            notes.append(f"a mass deviation failure may not be retested ({standard})")
    else:
        notes.append("mass per metre not given: the counterfeit-bar signal was not checked")
    return judged(
        name,
        checks,
        method=f"hot-rolled ribbed bar {grade}",
        n=1,
        notes=notes,
        values=values,
        standard=standard,
    )
