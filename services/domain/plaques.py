"""Permanent plaques (永久性标牌): qtrail issues one when a building is accepted, and again when
the owner revokes one to reissue it; the owner records where it was installed."""

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
from services.domain.ledger import FIVE_ROLES, EventRef
from services.domain.reasons import Rejection
from services.domain.state import Plaque, PlaqueStatus, ProjectState
from services.domain.submission import Submission

Issuer = Callable[[str, str, str], tuple[str, str]]
"""(kind, project id, number) → (signed code, URL): the signing port the recorder injects."""


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
