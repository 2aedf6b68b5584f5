"""Common Portland cement (GB 175): strength by type, grade and age; setting times; soundness."""

from __future__ import annotations

from typing import Any

from services.domain.materials.concrete import _positive
from services.domain.materials.result import Check, Evaluation, at_least, at_most, invalid, judged
from services.domain.materials.tables import label

TYPES = ("P.I", "P.II", "P.O", "P.S", "P.P", "P.F", "P.C")
_AGES = (
    ("compressive_3d", "compressive_3d_mpa"),
    ("compressive_28d", "compressive_28d_mpa"),
    ("flexural_3d", "flexural_3d_mpa"),
    ("flexural_28d", "flexural_28d_mpa"),
)


def normalize_type(value: str) -> str:
    """'P·O', 'PO', 'p.o' → 'P.O'."""
    text = value.upper().replace("·", ".").replace(" ", "")
    if "." not in text and text.startswith("P"):
        text = "P." + text[1:]
    return text


def strength_row(cement_type: str, grade: str, table: dict[str, Any]) -> dict[str, float] | None:
    for types, grades in table["strength"].items():
        if cement_type in types.split(",") and grade in grades:
            row: dict[str, float] = grades[grade]
            return row
    return None


def evaluate_case(case: dict[str, Any], table: dict[str, Any]) -> Evaluation:
    name = label(table)
    reasons: list[str] = []
    raw_type, grade = case.get("type"), case.get("grade")
    cement_type = normalize_type(raw_type) if isinstance(raw_type, str) else None
    if cement_type not in TYPES:
        reasons.append(f"type: {raw_type!r} is not one of {list(TYPES)}")
    row = (
        strength_row(cement_type, grade, table)
        if cement_type in TYPES and isinstance(grade, str)
        else None
    )
    if cement_type in TYPES and row is None:
        reasons.append(f"grade: {grade!r} is not a grade of {cement_type} in {table['standard']}")
    nums: dict[str, float] = {}
    for key in [field for _, field in _AGES] + ["initial_set_min", "final_set_min"]:
        if key not in case:
            reasons.append(f"{key}: required")
        elif not _positive(case[key]):
            reasons.append(f"{key}: must be a positive number")
        else:
            nums[key] = float(case[key])
    soundness = case.get("soundness_ok")
    if not isinstance(soundness, bool):
        reasons.append("soundness_ok: required, true or false")
    if (
        "initial_set_min" in nums
        and "final_set_min" in nums
        and nums["final_set_min"] < nums["initial_set_min"]
    ):
        reasons.append("final_set_min: earlier than initial_set_min, which is impossible")
    if reasons:
        return invalid(name, *reasons)
    assert row is not None and cement_type is not None
    checks: list[Check] = [
        at_least(f"{age} strength", nums[field], row[age]) for age, field in _AGES
    ]
    final_max = table["final_set_max_minutes"].get(
        cement_type, table["final_set_max_minutes"]["other"]
    )
    checks += [
        at_least(
            "initial setting time (min)", nums["initial_set_min"], table["initial_set_min_minutes"]
        ),
        at_most("final setting time (min)", nums["final_set_min"], final_max),
        Check("soundness", "==", True, soundness, soundness is True),
    ]
    notes = (
        []
        if table["strength_confirmed"]
        else [
            "strength minima are from the 2007 edition and unconfirmed; the 2023 edition changed 3-day values"
        ]
    )
    return judged(name, checks, method=f"{cement_type} {grade}", n=1, notes=notes)
