"""Completion acceptance and plaques: what must hold before completion, and the plaque it issues.

Completion is sealed only when all five roles have a current lead, every lead who served has a
commitment on file, every lead signed the acceptance, nothing blocking is open (a nonconformance,
a material failure not yet disposed of, an unwitnessed mandatory sample), and the material record
is complete: every sample has a complete result (a 3-day cement report is not one) or an
authorised disposal, and every concrete batch, rebar lot and cement lot that has a sample is
closed. Otherwise the refusal lists every missing item with its own reason code, so the owner
knows exactly what to fix.
"""

from __future__ import annotations

from events.completion import CompletionAccepted
from services.domain import reasons
from services.domain.chain import SealedRecord
from services.domain.context import Context
from services.domain.frozen import replace
from services.domain.handler import Handler
from services.domain.ledger import FIVE_ROLES, EventRef, NonconformanceStatus, archive_gaps
from services.domain.reasons import Rejection
from services.domain.state import (
    LOTS_TO_CLOSE,
    Completion,
    ProjectState,
    lot_closed,
    lot_names,
    result_gap,
)
from services.domain.submission import Submission

# ----------------------------------------------------------------------------- completion


def completion_gaps(state: ProjectState, data: CompletionAccepted) -> list[Rejection]:
    gaps = [Rejection(g.code, g.detail_zh, g.detail_en) for g in archive_gaps(state.parties)]
    gaps += [
        reasons.SIGNATURE_MISSING.format(role=role)
        for role in FIVE_ROLES
        if role not in data.lead_signatures
    ]
    gaps += [
        reasons.OPEN_NONCONFORMANCE.format(id=nc.nonconformance_id, status=nc.status)
        for nc in state.nonconformances.values()
        if nc.blocking and nc.status != NonconformanceStatus.CLOSED
    ]
    gaps += [
        reasons.OPEN_ALERT.format(message=alert.message_en)
        for alert in state.alerts.values()
        if alert.blocking and alert.resolved_by is None
    ]
    return gaps + material_gaps(state)


def material_gaps(state: ProjectState) -> list[Rejection]:
    """Each sample without a complete result or an authorised disposal, and each lot that must be
    closed and is not: a material record with holes in it cannot be accepted."""
    gaps: list[Rejection] = []
    samples = sorted(state.samples.values(), key=lambda s: s.ref.seq)
    for sample in samples:
        gap = result_gap(state, sample)
        if gap is None:
            continue
        reason = (
            reasons.COMPLETION_PRELIMINARY if gap.preliminary else reasons.COMPLETION_WITHOUT_RESULT
        )
        gaps.append(
            reason.format(
                sample=sample.sample_id, material=sample.material, lot=sample.batch_id, why=gap.why
            )
        )
    counts: dict[tuple[str, str], int] = {}
    for sample in samples:
        if sample.material in LOTS_TO_CLOSE:
            key = (sample.material, sample.batch_id)
            counts[key] = counts.get(key, 0) + 1
    for (material, lot_id), count in counts.items():
        if not lot_closed(state, material, lot_id):
            lot_zh, lot_en = lot_names(material, lot_id)
            gaps.append(reasons.COMPLETION_LOT_OPEN.format(lot=lot_en, lot_zh=lot_zh, count=count))
    return gaps


def rule_completion_accepted(
    state: ProjectState, data: CompletionAccepted, sub: Submission, ctx: Context
) -> Rejection | None:
    if state.completion is not None:
        return reasons.COMPLETION_DONE.format()
    gaps = completion_gaps(state, data)
    if gaps:
        summary = reasons.COMPLETION_INCOMPLETE.format(count=len(gaps))
        return Rejection(summary.code, summary.message_zh, summary.message_en, tuple(gaps))
    return None


def fold_completion_accepted(
    state: ProjectState, data: CompletionAccepted, record: SealedRecord, ref: EventRef
) -> ProjectState:
    completion = Completion(accepted_on=data.accepted_on, started_on=data.started_on, ref=ref)
    return replace(state, completion=completion)


HANDLERS = (
    Handler(CompletionAccepted, rule=rule_completion_accepted, fold=fold_completion_accepted),
)
