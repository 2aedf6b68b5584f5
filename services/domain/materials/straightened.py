"""Straightened coil bar (GB 50204-2015 §5.3.4): mass, elongation, and strength to its own standard.

Straightening stretches a coil; stretched too far ("瘦身") the bar is light and weak. §5.3.4 bounds
the loss of mass and the elongation, and asks the strength of the bar's product standard, the
edition in force on the sampling date (GB/T 1499.2 for ribbed bar, GB/T 1499.1 for HPB300).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from services.domain.materials.case import COMMON_FIELDS, figure, show, unknown_fields
from services.domain.materials.editions import Selection, Table, editions, in_force
from services.domain.materials.rebar import (
    mass_deviation_pct,
    nominal_diameter,
    nominal_mass,
    stating_notes,
    strength_check,
)
from services.domain.materials.result import Evaluation, at_least, invalid, judged
from services.domain.materials.tables import label

FIELDS = COMMON_FIELDS | {
    "grade",
    "diameter_mm",
    "yield_mpa",
    "tensile_mpa",
    "elongation_pct",
    "mass_kg_per_m",
}
MASSES = "GB/T 1499.2"
"""The family whose table lists nominal masses per metre."""


def _product_edition(
    tables: Mapping[str, Table], family: str, selection: Selection
) -> tuple[Table | None, list[str]]:
    """The bar's product standard: the edition in force on the sampling date, or the newest."""
    if selection.sampled_on is not None:
        found = in_force(tables, family, selection.sampled_on)
        if found is None:
            return None, [f"qtrail holds no edition of {family} in force on {selection.sampled_on}"]
        return found, []
    known = editions(tables, family)
    if not known:
        return None, [f"qtrail holds no edition of {family}"]
    return known[-1], [
        f"no sampling date: strength judged by the newest {family} in qtrail's tables, "
        f"{known[-1]['standard']}"
    ]


def evaluate_case(
    case: Mapping[str, Any], selection: Selection, tables: Mapping[str, Table]
) -> Evaluation:
    """Coil bar after straightening: mass, elongation, and strength by the bar's product standard."""
    table = selection.table
    name, standard = label(table), table["standard"]
    reasons = unknown_fields(case, FIELDS, f"{table['family']} straightened bar")
    notes: list[str] = list(selection.notes)
    grade = case.get("grade")
    spec = table["grades"].get(grade) if isinstance(grade, str) else None
    product, product_spec = None, None
    if spec is None:
        reasons.append(f"grade: {show(grade)} is not one of {sorted(table['grades'])}")
    else:
        product, said = _product_edition(tables, spec["product_standard"], selection)
        (notes if product else reasons).extend(said)
        product_spec = product["grades"].get(grade) if product else None
        if product and product_spec is None:
            reasons.append(f"grade: {grade} is not a grade of {product['standard']}")
    masses = editions(tables, MASSES)[-1]
    diameter, problem = nominal_diameter(case, masses)
    reasons += [problem] if problem else []
    plausible = table["plausible"]
    nums: dict[str, float] = {}
    for field in ("yield_mpa", "tensile_mpa", "elongation_pct"):
        value, why = figure(case, field, plausible[field], required=True)
        if value is not None:
            nums[field] = value
        reasons += [why] if why else []
    nominal = nominal_mass(diameter, masses) if diameter is not None else None
    if nominal is not None:
        value, why = figure(
            case, "mass_kg_per_m", plausible["mass_kg_per_m"], required=True, scale=nominal
        )
        if value is not None:
            nums["mass_kg_per_m"] = value
        reasons += [why] if why else []
    elif case.get("mass_kg_per_m") is None:
        reasons.append("mass_kg_per_m: required")
    limit = None
    if spec is not None and diameter is not None:
        limit = next(
            (
                b["min"]
                for b in spec["mass_deviation_min"]
                if b["diameter_from"] <= diameter <= b["diameter_to"]
            ),
            None,
        )
        if limit is None:
            reasons.append(
                f"diameter_mm: {diameter:g} is outside the diameters §5.3.4 covers for {grade}"
            )
    if "tensile_mpa" in nums and "yield_mpa" in nums and nums["tensile_mpa"] < nums["yield_mpa"]:
        reasons.append("tensile_mpa: below yield_mpa, which is impossible")
    if reasons:
        return invalid(name, *reasons, standard=standard)
    assert spec is not None and limit is not None and nominal is not None
    assert product is not None and product_spec is not None
    deviation = mass_deviation_pct(nums["mass_kg_per_m"], nominal)
    basis = f"{product['standard']}, as {table['clause']}"
    checks = [
        at_least("mass deviation %", deviation, limit),
        at_least(
            "elongation A",
            nums["elongation_pct"],
            spec["elongation_min"],
            stated_to=table["stating"]["elongation_pct"],
        ),
        strength_check(
            "yield strength ReL", nums["yield_mpa"], product_spec["yield_min"], product, basis
        ),
        strength_check(
            "tensile strength Rm", nums["tensile_mpa"], product_spec["tensile_min"], product, basis
        ),
    ]
    if not table["confirmed"]:
        notes.append(f"{standard} §5.3.4 figures are unconfirmed in the rule table")
    if not product_spec["confirmed"]["strength"]:
        notes.append(f"{grade} strength minima of {product['standard']} are unconfirmed")
    notes += stating_notes(product, nums["yield_mpa"], nums["tensile_mpa"])
    return judged(
        name,
        checks,
        method=f"straightened coil bar {grade}",
        n=1,
        notes=notes,
        values={"nominal_mass_kg_per_m": nominal, "mass_deviation_pct": float(deviation)},
        standard=standard,
    )
