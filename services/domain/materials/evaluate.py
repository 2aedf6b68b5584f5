"""One entry point for every material case: the CLI and the recorder both call this.

The edition comes from the case (an edition, or a standard and the sampling date); the family of
that edition says which evaluation applies. Total by construction: whatever the case holds, the
answer is an evaluation, ``invalid`` with its reasons when it cannot be judged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from services.domain.materials import cement, concrete, rebar, straightened
from services.domain.materials.editions import Selection, Table, select
from services.domain.materials.result import Evaluation, invalid
from services.domain.materials.tables import all_tables

FAULT = "qtrail could not evaluate this case"
"""Opens the reason given when the engine itself failed: a fault to report, never a verdict."""

Evaluator = Callable[[Mapping[str, Any], Selection, Mapping[str, Table]], Evaluation]

EVALUATORS: dict[str, Evaluator] = {
    "GB/T 50107": lambda case, selection, _: concrete.evaluate_case(case, selection),
    "GB/T 1499.2": lambda case, selection, _: rebar.evaluate_hot_rolled(case, selection),
    "GB 50204": straightened.evaluate_case,
    "GB 175": lambda case, selection, _: cement.evaluate_case(case, selection),
}
"""The evaluation for each standard's family; a family without one is a product table only."""


def evaluate(case: Any, tables: Mapping[str, Table] | None = None) -> Evaluation:
    """Evaluate one case object; anything malformed is ``invalid`` with its reasons, never raised."""
    try:
        return _evaluate(case, all_tables() if tables is None else tables)
    except Exception as exc:  # the recorder must never stop on a case: a fault becomes a reason
        return invalid("-", f"{FAULT} ({type(exc).__name__}); this is a fault in qtrail")


def _evaluate(case: Any, tables: Mapping[str, Table]) -> Evaluation:
    if not isinstance(case, dict):
        return invalid("-", "a case must be a JSON object")
    selection, reasons = select(tables, case.get("standard"), case.get("sampled_on"))
    if selection is None:
        return invalid("-", *reasons)
    family = selection.table["family"]
    evaluator = EVALUATORS.get(family)
    if evaluator is None:
        return invalid(
            "-",
            f"standard: qtrail keeps {selection.table['standard']} for the figures other "
            "evaluations need, and does not evaluate its cases on their own",
        )
    return evaluator(case, selection, tables)
