"""Quality on site: inspection lots, nonconformances (open → rectified → closed) and accidents,
each fact's rule next to its fold."""

from __future__ import annotations

from typing import Any

from events import quality as quality_events
from events.base import EventData
from services.domain import reasons
from services.domain.chain import SealedRecord
from services.domain.ledger import (
    Accident,
    EventRef,
    Nonconformance,
    NonconformanceStatus,
    with_entry,
)
from services.domain.reasons import Rejection
from services.domain.state import ProjectState
from services.domain.submission import Submission

# ----------------------------------------------------------------------------- inspection lots


def _lot_rule(
    state: ProjectState, data: quality_events.InspectionLotAccepted, sub: Submission, _: Any
) -> Rejection | None:
    if data.construction_signer is None or data.supervision_signer is None:
        return reasons.SIGNATURES_MISSING.format()
    return None


def _no_change(
    state: ProjectState, data: EventData, record: SealedRecord, ref: EventRef
) -> dict[str, Any]:
    return {}


# ----------------------------------------------------------------------------- nonconformances


def _nc_raised_rule(
    state: ProjectState, data: quality_events.NonconformanceRaised, sub: Submission, _: Any
) -> Rejection | None:
    if data.nonconformance_id in state.nonconformances:
        return reasons.DUPLICATE_ID.format(kind="nonconformance", id=data.nonconformance_id)
    return None


def _nc_raised(
    state: ProjectState,
    data: quality_events.NonconformanceRaised,
    record: SealedRecord,
    ref: EventRef,
) -> dict[str, Any]:
    nc = Nonconformance(
        nonconformance_id=data.nonconformance_id,
        building_part=data.building_part,
        description=data.description,
        severity=data.severity,
        blocking=data.blocking,
        status=NonconformanceStatus.OPEN,
        raised_by=ref,
    )
    return {"nonconformances": with_entry(state.nonconformances, data.nonconformance_id, nc)}


def _nc_rectified_rule(
    state: ProjectState, data: quality_events.NonconformanceRectified, sub: Submission, _: Any
) -> Rejection | None:
    nc = state.nonconformances.get(data.nonconformance_id)
    if nc is None:
        return reasons.UNKNOWN_NONCONFORMANCE.format(id=data.nonconformance_id)
    if nc.status != NonconformanceStatus.OPEN:
        return reasons.NONCONFORMANCE_STATUS.format(
            id=data.nonconformance_id, status=nc.status, needed=NonconformanceStatus.OPEN
        )
    return None


def _nc_rectified(
    state: ProjectState,
    data: quality_events.NonconformanceRectified,
    record: SealedRecord,
    ref: EventRef,
) -> dict[str, Any]:
    nc = state.nonconformances[data.nonconformance_id]
    nc = nc.model_copy(update={"status": NonconformanceStatus.RECTIFIED, "rectified_by": ref})
    return {"nonconformances": with_entry(state.nonconformances, data.nonconformance_id, nc)}


def _nc_closed_rule(
    state: ProjectState, data: quality_events.NonconformanceClosed, sub: Submission, _: Any
) -> Rejection | None:
    nc = state.nonconformances.get(data.nonconformance_id)
    if nc is None:
        return reasons.UNKNOWN_NONCONFORMANCE.format(id=data.nonconformance_id)
    if nc.status != NonconformanceStatus.RECTIFIED:
        return reasons.NONCONFORMANCE_STATUS.format(
            id=data.nonconformance_id, status=nc.status, needed=NonconformanceStatus.RECTIFIED
        )
    return None


def _nc_closed(
    state: ProjectState,
    data: quality_events.NonconformanceClosed,
    record: SealedRecord,
    ref: EventRef,
) -> dict[str, Any]:
    nc = state.nonconformances[data.nonconformance_id]
    nc = nc.model_copy(update={"status": NonconformanceStatus.CLOSED, "closed_by": ref})
    return {"nonconformances": with_entry(state.nonconformances, data.nonconformance_id, nc)}


# ----------------------------------------------------------------------------- accidents


def _accident_rule(
    state: ProjectState, data: quality_events.AccidentReported, sub: Submission, _: Any
) -> Rejection | None:
    if data.accident_id in state.accidents:
        return reasons.DUPLICATE_ID.format(kind="accident", id=data.accident_id)
    return None


def _accident(
    state: ProjectState, data: quality_events.AccidentReported, record: SealedRecord, ref: EventRef
) -> dict[str, Any]:
    accident = Accident(
        accident_id=data.accident_id,
        happened_at=data.happened_at,
        building_part=data.building_part,
        description=data.description,
        casualties=data.casualties,
        ref=ref,
    )
    return {"accidents": with_entry(state.accidents, data.accident_id, accident)}


FOLDERS = {
    quality_events.InspectionLotAccepted.event_type: _no_change,
    quality_events.NonconformanceRaised.event_type: _nc_raised,
    quality_events.NonconformanceRectified.event_type: _nc_rectified,
    quality_events.NonconformanceClosed.event_type: _nc_closed,
    quality_events.AccidentReported.event_type: _accident,
}
RULES = {
    quality_events.InspectionLotAccepted.event_type: _lot_rule,
    quality_events.NonconformanceRaised.event_type: _nc_raised_rule,
    quality_events.NonconformanceRectified.event_type: _nc_rectified_rule,
    quality_events.NonconformanceClosed.event_type: _nc_closed_rule,
    quality_events.AccidentReported.event_type: _accident_rule,
}
