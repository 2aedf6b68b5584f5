"""The acceptance hierarchy (GB 50300-2013): buildings, sub-items, divisions, per-dwelling
acceptance, the notice to the supervision station and the warranty certificate."""

from __future__ import annotations

from events.acceptance import (
    AcceptanceNoticeFiled,
    DivisionAccepted,
    DwellingsAccepted,
    SubitemAccepted,
    UnitRegistered,
    WarrantyIssued,
)
from services.domain.handler import Handler, no_rule, unchanged

HANDLERS = (
    Handler(UnitRegistered, rule=no_rule, fold=unchanged),
    Handler(SubitemAccepted, rule=no_rule, fold=unchanged),
    Handler(DivisionAccepted, rule=no_rule, fold=unchanged),
    Handler(DwellingsAccepted, rule=no_rule, fold=unchanged),
    Handler(AcceptanceNoticeFiled, rule=no_rule, fold=unchanged),
    Handler(WarrantyIssued, rule=no_rule, fold=unchanged),
)
