"""The lifelong half, after completion: warranty defects and their repair, complaints, accidents
from grading to findings, and the regulator's findings of responsibility (追责)."""

from __future__ import annotations

from events.aftercare import (
    AccidentClosed,
    AccidentGraded,
    AccidentInvestigated,
    ComplaintHandled,
    ComplaintLodged,
    DefectRepaired,
    DefectReported,
    RepairConfirmed,
    ResponsibilityFound,
)
from services.domain.handler import Handler, no_rule, unchanged

HANDLERS = (
    Handler(DefectReported, rule=no_rule, fold=unchanged),
    Handler(DefectRepaired, rule=no_rule, fold=unchanged),
    Handler(RepairConfirmed, rule=no_rule, fold=unchanged),
    Handler(ComplaintLodged, rule=no_rule, fold=unchanged),
    Handler(ComplaintHandled, rule=no_rule, fold=unchanged),
    Handler(AccidentGraded, rule=no_rule, fold=unchanged),
    Handler(AccidentInvestigated, rule=no_rule, fold=unchanged),
    Handler(AccidentClosed, rule=no_rule, fold=unchanged),
    Handler(ResponsibilityFound, rule=no_rule, fold=unchanged),
)
