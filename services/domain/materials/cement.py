"""Common Portland cement (GB 175): strength by type, grade and age; setting times; soundness.

Labs report at 3 days (strengths, setting times, soundness) and again at 28 days. A report
without the 28-day strengths is judged as a preliminary result: a 3-day figure below its minimum
already fails the cement, a pass waits for the 28-day report that completes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from services.domain.materials.case import COMMON_FIELDS, figure, flag, show, unknown_fields
from services.domain.materials.editions import Selection
from services.domain.materials.result import (
    Check,
    Evaluation,
    at_least,
    at_most,
    holds,
    invalid,
    judged,
)
from services.domain.materials.tables import label

_AGES = (
    ("compressive_3d", "compressive_3d_mpa", "compressive_mpa"),
    ("compressive_28d", "compressive_28d_mpa", "compressive_mpa"),
    ("flexural_3d", "flexural_3d_mpa", "flexural_mpa"),
    ("flexural_28d", "flexural_28d_mpa", "flexural_mpa"),
)
EARLY = ("compressive_3d_mpa", "flexural_3d_mpa")
LATE = ("compressive_28d_mpa", "flexural_28d_mpa")
FIELDS = COMMON_FIELDS | {
    "type",
    "grade",
    *(field for _, field, _ in _AGES),
    "initial_set_min",
    "final_set_min",
    "soundness_ok",
}


def normalize_type(value: str) -> str:
    """'P·O', 'PO', 'p.o' → 'P.O'."""
    text = value.upper().replace("·", ".").replace(" ", "")
    if "." not in text and text.startswith("P"):
        text = "P." + text[1:]
    return text


def strength_row(cement_type: str, grade: str, table: Mapping[str, Any]) -> dict[str, float] | None:
    for types, grades in table["strength"].items():
        if cement_type in types.split(",") and grade in grades:
            row: dict[str, float] = grades[grade]
            return row
    return None


def evaluate_case(case: Mapping[str, Any], selection: Selection) -> Evaluation:
    table = selection.table
    name, standard = label(table), table["standard"]
    reasons = unknown_fields(case, FIELDS, f"{table['family']} cement")
    raw_type, grade = case.get("type"), case.get("grade")
    cement_type = normalize_type(raw_type) if isinstance(raw_type, str) else None
    known_type = cement_type in table["types"]
    if not known_type:
        reasons.append(f"type: {show(raw_type)} is not one of {table['types']}")
    row = (
        strength_row(cement_type, grade, table)
        if cement_type is not None and known_type and isinstance(grade, str)
        else None
    )
    if known_type and row is None:
        reasons.append(f"grade: {show(grade)} is not a grade of {cement_type} in {standard}")
    preliminary = all(case.get(f) is None for f in LATE) and all(
        case.get(f) is not None for f in EARLY
    )
    bounds = table["plausible"]
    nums: dict[str, float] = {}
    for _, field, kind in _AGES:
        value, why = figure(case, field, bounds[kind], required=not (preliminary and field in LATE))
        if value is not None:
            nums[field] = value
        if why and field in LATE:
            why += " (or neither 28-day strength, in a 3-day report)"
        reasons += [why] if why else []
    for field in ("initial_set_min", "final_set_min"):
        value, why = figure(case, field, bounds["setting_min"], required=True)
        if value is not None:
            nums[field] = value
        reasons += [why] if why else []
    soundness, why = flag(case, "soundness_ok", required=True)
    reasons += [why] if why else []
    if (
        "initial_set_min" in nums
        and "final_set_min" in nums
        and nums["final_set_min"] < nums["initial_set_min"]
    ):
        reasons.append("final_set_min: earlier than initial_set_min, which is impossible")
    if reasons:
        return invalid(name, *reasons, standard=standard)
    assert row is not None and cement_type is not None and soundness is not None
    checks: list[Check] = [
        at_least(f"{age} strength", nums[field], row[age])
        for age, field, _ in _AGES
        if field in nums
    ]
    final_max = table["final_set_max_minutes"].get(
        cement_type, table["final_set_max_minutes"]["other"]
    )
    checks += [
        at_least(
            "initial setting time (min)", nums["initial_set_min"], table["initial_set_min_minutes"]
        ),
        at_most("final setting time (min)", nums["final_set_min"], final_max),
        holds("soundness", soundness),
    ]
    notes = list(selection.notes)
    if not table["strength_confirmed"]:
        notes.append(f"strength minima of {standard} are unconfirmed in the rule table")
    method = f"{cement_type} {grade}"
    if not preliminary:
        return judged(name, checks, method=method, n=1, notes=notes, standard=standard)
    notes.append(
        "preliminary: the 28-day strengths are still to come and their report completes this "
        "evaluation"
        if all(c.ok for c in checks)
        else "a 3-day figure below its minimum fails the cement whatever the 28-day report says"
    )
    return judged(
        name,
        checks,
        method=f"{method}, 3-day report (preliminary)",
        n=1,
        notes=notes,
        standard=standard,
        stage="preliminary",
    )
