"""Completion acceptance of a building (单位工程竣工验收): what must hold before it.

A completion names a registered building. It is sealed only when the building's formalities are
done (every division it declared accepted, the builder's warranty certificate issued, the station
told at least seven working days ahead of this very day, and for housing every dwelling's latest
per-dwelling result a pass) and the project's own gates hold: all five roles have a current lead, every lead who served has a
commitment on file, every lead signed the acceptance, nothing blocking is open (a nonconformance,
a material failure not yet disposed of, an unwitnessed mandatory sample), and the material record
is complete: every sample has a complete result (a 3-day cement report is not one) or an
authorised disposal, and every concrete batch, rebar lot and cement lot that has a sample is
closed. Otherwise the refusal lists every missing item with its own reason code, so the owner
knows exactly what to fix. Each building is accepted once.

A v1 completion, from before buildings were registered, reads as the implicit unit (the whole
project): only old chains fold one, as no new submission may name the implicit unit.
"""

from __future__ import annotations

from events.acceptance import IMPLICIT_UNIT
from events.completion import CompletionAccepted
from services.domain import calendar, filing, reasons
from services.domain.chain import SealedRecord
from services.domain.context import Context
from services.domain.divisions import division as division_rule
from services.domain.frozen import replace, with_entry
from services.domain.handler import Handler
from services.domain.ledger import FIVE_ROLES, EventRef, NonconformanceStatus, archive_gaps
from services.domain.reasons import Rejection
from services.domain.state import (
    LOTS_TO_CLOSE,
    Completion,
    ProjectState,
    UnitProject,
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


def unit_gaps(unit: UnitProject, data: CompletionAccepted) -> list[Rejection]:
    """The building's own formalities: divisions, warranty, the station's notice, dwellings."""
    gaps = []
    for division in unit.divisions:
        if division not in unit.divisions_accepted:
            rule = division_rule(division)
            gaps.append(
                reasons.DIVISION_NOT_ACCEPTED.format(division_zh=rule.zh, division_en=rule.en)
            )
    if unit.warranty is None:
        gaps.append(reasons.NO_WARRANTY.format())
    notice = unit.notice
    if notice is None:
        gaps.append(reasons.NO_NOTICE.format())
    else:
        if notice.planned_on != data.accepted_on:
            gaps.append(
                reasons.NOTICE_OTHER_DAY.format(
                    planned_on=notice.planned_on, accepted_on=data.accepted_on
                )
            )
        ahead = calendar.working_days_between(notice.filed_on, data.accepted_on)
        if ahead.days < calendar.NOTICE_WORKING_DAYS:
            zh, en = ahead.unknown_said()
            gaps.append(
                reasons.COMPLETION_NOTICE_LATE.format(
                    filed_on=notice.filed_on,
                    accepted_on=data.accepted_on,
                    days=ahead.days,
                    unknown_zh=zh,
                    unknown_en=en,
                )
            )
    if unit.housing:
        for dwelling in unit.dwellings:
            latest = unit.dwelling_results.get(dwelling)
            if latest is None:
                gaps.append(reasons.DWELLING_UNINSPECTED.format(dwelling=dwelling))
            elif not latest.passed:
                issues = "; ".join(latest.issues)
                gaps.append(reasons.DWELLING_FAILED.format(dwelling=dwelling, issues=issues))
    return gaps


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
    if data.unit_id == IMPLICIT_UNIT:
        return reasons.COMPLETION_IMPLICIT_UNIT.format(unit=IMPLICIT_UNIT)
    unit = state.units.get(data.unit_id)
    if unit is None:
        return reasons.UNKNOWN_UNIT.format(unit=data.unit_id)
    if unit.completion is not None:
        return reasons.COMPLETION_DONE.format()
    gaps = completion_gaps(state, data) + unit_gaps(unit, data)
    gaps += filing.station_gaps(state, data.unit_id)
    if gaps:
        summary = reasons.COMPLETION_INCOMPLETE.format(count=len(gaps))
        return Rejection(summary.code, summary.message_zh, summary.message_en, tuple(gaps))
    return None


def fold_completion_accepted(
    state: ProjectState, data: CompletionAccepted, record: SealedRecord, ref: EventRef
) -> ProjectState:
    """The building's completion, and the project's if it is the first building's. A v1 record
    creates the implicit unit it accepted: old chains read as one building."""
    completion = Completion(
        accepted_on=data.accepted_on, started_on=data.started_on, ref=ref, unit_id=data.unit_id
    )
    unit = state.units.get(data.unit_id)
    if unit is None:  # only the implicit unit of a v1 record: the rule refuses any other
        name = state.profile.name if state.profile else state.project_id
        unit = UnitProject(unit_id=data.unit_id, name=name)
    unit = replace(unit, completion=completion)
    completed = replace(
        state,
        units=with_entry(state.units, data.unit_id, unit),
        completion=state.completion or completion,
    )
    return filing.completed_deadlines(completed, data.unit_id, data.accepted_on, ref)


HANDLERS = (
    Handler(CompletionAccepted, rule=rule_completion_accepted, fold=fold_completion_accepted),
)
