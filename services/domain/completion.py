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

from collections.abc import Callable
from typing import Any

from events.base import EventData
from events.completion import (
    CompletionAccepted,
    PlaqueInstalled,
    PlaqueIssued,
    PlaqueParty,
    PlaqueRevoked,
)
from services.domain import reasons
from services.domain.chain import SealedRecord
from services.domain.context import Context
from services.domain.frozen import replace, with_entry
from services.domain.handler import Handler, no_rule
from services.domain.ledger import FIVE_ROLES, EventRef, NonconformanceStatus, archive_gaps
from services.domain.reasons import Rejection
from services.domain.state import (
    LOTS_TO_CLOSE,
    Completion,
    Plaque,
    PlaqueStatus,
    ProjectState,
    lot_closed,
    lot_names,
    result_gap,
)
from services.domain.submission import Submission

Issuer = Callable[[str, str, str], tuple[str, str]]
"""(kind, project id, number) → (signed code, URL): the signing port the recorder injects."""


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


# ----------------------------------------------------------------------------- plaques


def fold_plaque_issued(
    state: ProjectState, data: PlaqueIssued, record: SealedRecord, ref: EventRef
) -> ProjectState:
    fields = data.model_dump(
        mode="json", exclude={"serial", "code", "url", "caused_by", "replaces_serial"}
    )
    plaque = Plaque(serial=data.serial, code=data.code, url=data.url, fields=fields, issued=ref)
    plaques = with_entry(state.plaques, str(data.serial), plaque)
    if data.replaces_serial is not None and str(data.replaces_serial) in plaques:
        old = plaques[str(data.replaces_serial)]
        plaques[str(data.replaces_serial)] = replace(old, replaced_by=data.serial)
    return replace(state, plaques=plaques)


def _valid_plaque(state: ProjectState, serial: int) -> Rejection | None:
    plaque = state.plaques.get(str(serial))
    if plaque is None or plaque.status != PlaqueStatus.VALID:
        return reasons.UNKNOWN_PLAQUE.format(serial=serial)
    return None


def rule_plaque_installed(
    state: ProjectState, data: PlaqueInstalled, sub: Submission, ctx: Context
) -> Rejection | None:
    return _valid_plaque(state, data.serial)


def fold_plaque_installed(
    state: ProjectState, data: PlaqueInstalled, record: SealedRecord, ref: EventRef
) -> ProjectState:
    plaque = replace(
        state.plaques[str(data.serial)], installed_place=data.place, installed_on=data.installed_on
    )
    return replace(state, plaques=with_entry(state.plaques, str(data.serial), plaque))


def rule_plaque_revoked(
    state: ProjectState, data: PlaqueRevoked, sub: Submission, ctx: Context
) -> Rejection | None:
    return _valid_plaque(state, data.serial)


def fold_plaque_revoked(
    state: ProjectState, data: PlaqueRevoked, record: SealedRecord, ref: EventRef
) -> ProjectState:
    plaque = replace(
        state.plaques[str(data.serial)], status=PlaqueStatus.REVOKED, revoked_reason=data.reason
    )
    return replace(state, plaques=with_entry(state.plaques, str(data.serial), plaque))


HANDLERS = (
    Handler(CompletionAccepted, rule=rule_completion_accepted, fold=fold_completion_accepted),
    Handler(PlaqueIssued, rule=no_rule, fold=fold_plaque_issued),
    Handler(PlaqueInstalled, rule=rule_plaque_installed, fold=fold_plaque_installed),
    Handler(PlaqueRevoked, rule=rule_plaque_revoked, fold=fold_plaque_revoked),
)


# ----------------------------------------------------------------------------- issuing plaques


def plaque_payload(
    state: ProjectState, event_id: str, issuer: Issuer, replaces: int | None
) -> dict[str, Any]:
    """The next plaque of a completed project, with the five units and their current leads."""
    assert state.completion is not None and state.profile is not None
    serial = len(state.plaques) + 1
    code, url = issuer("p", state.project_id, str(serial))
    parties = []
    for role in FIVE_ROLES:
        party = state.parties[role]
        lead = party.current_lead
        parties.append(
            {"role": role, "org_name": party.org_name, "lead_name": lead.name if lead else ""}
        )
    return PlaqueIssued(
        serial=serial,
        code=code,
        url=url,
        project_name=state.profile.name,
        design_life_years=state.profile.design_life_years,
        started_on=state.completion.started_on,
        completed_on=state.completion.accepted_on,
        parties=[PlaqueParty(**p) for p in parties],
        replaces_serial=replaces,
        caused_by=event_id,
    ).model_dump(mode="json")


def plaque_follow_ups(
    state: ProjectState, data: EventData, event_id: str, issuer: Issuer | None
) -> list[dict[str, Any]]:
    """Payloads of the plaques ``data`` (just folded into ``state``) causes qtrail to issue."""
    if issuer is None:
        return []
    if isinstance(data, CompletionAccepted):
        return [plaque_payload(state, event_id, issuer, None)]
    if isinstance(data, PlaqueRevoked) and data.reissue:
        return [plaque_payload(state, event_id, issuer, data.serial)]
    return []
