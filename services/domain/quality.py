"""Quality on site: inspection lots, nonconformances (open → rectified → closed) and accidents,
each fact's rule next to its fold."""

from __future__ import annotations

from events.quality import (
    AccidentReported,
    InspectionLotAccepted,
    NonconformanceClosed,
    NonconformanceRaised,
    NonconformanceRectified,
)
from services.domain import reasons
from services.domain.chain import SealedRecord
from services.domain.context import Context
from services.domain.frozen import replace, with_entry
from services.domain.handler import Handler
from services.domain.ledger import Accident, EventRef, Nonconformance, NonconformanceStatus
from services.domain.reasons import Rejection
from services.domain.state import InspectionLot, ProjectState
from services.domain.submission import Submission

# ----------------------------------------------------------------------------- inspection lots


def rule_lot_accepted(
    state: ProjectState, data: InspectionLotAccepted, sub: Submission, ctx: Context
) -> Rejection | None:
    if data.construction_signer is None or data.supervision_signer is None:
        return reasons.SIGNATURES_MISSING.format()
    if data.lot_code in state.inspection_lots:
        return reasons.DUPLICATE_ID.format(kind="inspection lot", id=data.lot_code)
    return None


def fold_lot_accepted(
    state: ProjectState, data: InspectionLotAccepted, record: SealedRecord, ref: EventRef
) -> ProjectState:
    """Kept by code, so a sub-item is made only of lots accepted here. A lot code an old chain
    repeats keeps its first acceptance (and so the sub-item it joined)."""
    if data.lot_code in state.inspection_lots:
        return state
    lot = InspectionLot(lot_code=data.lot_code, building_part=data.building_part, ref=ref)
    return replace(state, inspection_lots=with_entry(state.inspection_lots, data.lot_code, lot))


# ----------------------------------------------------------------------------- nonconformances


def rule_nonconformance_raised(
    state: ProjectState, data: NonconformanceRaised, sub: Submission, ctx: Context
) -> Rejection | None:
    if data.nonconformance_id in state.nonconformances:
        return reasons.DUPLICATE_ID.format(kind="nonconformance", id=data.nonconformance_id)
    return None


def fold_nonconformance_raised(
    state: ProjectState, data: NonconformanceRaised, record: SealedRecord, ref: EventRef
) -> ProjectState:
    nc = Nonconformance(
        nonconformance_id=data.nonconformance_id,
        building_part=data.building_part,
        description=data.description,
        severity=data.severity,
        blocking=data.blocking,
        status=NonconformanceStatus.OPEN,
        raised_by=ref,
    )
    return replace(
        state, nonconformances=with_entry(state.nonconformances, data.nonconformance_id, nc)
    )


def _in_status(
    state: ProjectState, nonconformance_id: str, needed: NonconformanceStatus
) -> Rejection | None:
    nc = state.nonconformances.get(nonconformance_id)
    if nc is None:
        return reasons.UNKNOWN_NONCONFORMANCE.format(id=nonconformance_id)
    if nc.status != needed:
        return reasons.NONCONFORMANCE_STATUS.format(
            id=nonconformance_id, status=nc.status, needed=needed
        )
    return None


def rule_nonconformance_rectified(
    state: ProjectState, data: NonconformanceRectified, sub: Submission, ctx: Context
) -> Rejection | None:
    return _in_status(state, data.nonconformance_id, NonconformanceStatus.OPEN)


def fold_nonconformance_rectified(
    state: ProjectState, data: NonconformanceRectified, record: SealedRecord, ref: EventRef
) -> ProjectState:
    nc = state.nonconformances[data.nonconformance_id]
    nc = replace(nc, status=NonconformanceStatus.RECTIFIED, rectified_by=ref)
    return replace(
        state, nonconformances=with_entry(state.nonconformances, data.nonconformance_id, nc)
    )


def rule_nonconformance_closed(
    state: ProjectState, data: NonconformanceClosed, sub: Submission, ctx: Context
) -> Rejection | None:
    return _in_status(state, data.nonconformance_id, NonconformanceStatus.RECTIFIED)


def fold_nonconformance_closed(
    state: ProjectState, data: NonconformanceClosed, record: SealedRecord, ref: EventRef
) -> ProjectState:
    nc = state.nonconformances[data.nonconformance_id]
    nc = replace(nc, status=NonconformanceStatus.CLOSED, closed_by=ref)
    return replace(
        state, nonconformances=with_entry(state.nonconformances, data.nonconformance_id, nc)
    )


# ----------------------------------------------------------------------------- accidents


def rule_accident_reported(
    state: ProjectState, data: AccidentReported, sub: Submission, ctx: Context
) -> Rejection | None:
    if data.accident_id in state.accidents:
        return reasons.DUPLICATE_ID.format(kind="accident", id=data.accident_id)
    return None


def fold_accident_reported(
    state: ProjectState, data: AccidentReported, record: SealedRecord, ref: EventRef
) -> ProjectState:
    accident = Accident(
        accident_id=data.accident_id,
        happened_at=data.happened_at,
        building_part=data.building_part,
        description=data.description,
        casualties=data.casualties,
        ref=ref,
    )
    return replace(state, accidents=with_entry(state.accidents, data.accident_id, accident))


HANDLERS = (
    Handler(InspectionLotAccepted, rule=rule_lot_accepted, fold=fold_lot_accepted),
    Handler(NonconformanceRaised, rule=rule_nonconformance_raised, fold=fold_nonconformance_raised),
    Handler(
        NonconformanceRectified,
        rule=rule_nonconformance_rectified,
        fold=fold_nonconformance_rectified,
    ),
    Handler(NonconformanceClosed, rule=rule_nonconformance_closed, fold=fold_nonconformance_closed),
    Handler(AccidentReported, rule=rule_accident_reported, fold=fold_accident_reported),
)
