"""One entry point for every material case: the CLI and the stream processor both call this."""

from __future__ import annotations

from typing import Any

from services.domain.materials import cement, concrete, rebar
from services.domain.materials.result import Evaluation, invalid
from services.domain.materials.tables import UnknownStandard, table

STANDARDS = ("GB/T 50107-2010", "GBJ 107-87", "GB/T 1499.2-2018", "GB 50204-2015", "GB 175-2007")


def evaluate(case: Any) -> Evaluation:
    """Evaluate one case object; anything malformed is ``invalid`` with its reasons, never raised."""
    if not isinstance(case, dict):
        return invalid("-", "a case must be a JSON object")
    standard = case.get("standard")
    try:
        rules = table(standard) if isinstance(standard, str) else None
    except UnknownStandard as exc:
        return invalid("-", f"standard: {exc}")
    if rules is None:
        return invalid("-", f"standard: required, one of {list(STANDARDS)}")
    if standard in ("GB/T 50107-2010", "GBJ 107-87"):
        return concrete.evaluate_case(case, rules)
    if standard == "GB/T 1499.2-2018":
        return rebar.evaluate_hot_rolled(case, rules)
    if standard == "GB 50204-2015":
        return rebar.evaluate_straightened(case, rules, table("GB/T 1499.2-2018"))
    return cement.evaluate_case(case, rules)
