"""Permanent plaques (永久性标牌): qtrail issues one per building when it is accepted, and again
when the owner revokes one to reissue it; the owner records where it was installed.

A plaque names every lead who served up to the building's completion, with their period, and
the warranty of each part; the public page behind its QR adds what is open on the building."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from events.acceptance import WARRANTY_PARTS
from events.base import EventData
from events.completion import (
    CompletionAccepted,
    PlaqueInstalled,
    PlaqueIssued,
    PlaqueLead,
    PlaqueParty,
    PlaqueRevoked,
    PlaqueWarranty,
)
from services.domain import reasons
from services.domain.calendar import CHINA
from services.domain.chain import SealedRecord
from services.domain.context import Context
from services.domain.frozen import replace, with_entry
from services.domain.handler import Handler, no_rule
from services.domain.ledger import FIVE_ROLES, EventRef, Party
from services.domain.reasons import Rejection
from services.domain.state import (
    Completion,
    DefectStatus,
    Plaque,
    PlaqueStatus,
    ProjectState,
)
from services.domain.submission import Submission
from services.domain.warranty import ends_on, minimum

Issuer = Callable[[str, str, str], tuple[str, str]]
"""(kind, project id, number) → (signed code, URL): the signing port the recorder injects."""


def fold_plaque_issued(
    state: ProjectState, data: PlaqueIssued, record: SealedRecord, ref: EventRef
) -> ProjectState:
    fields = data.model_dump(
        mode="json", exclude={"serial", "code", "url", "caused_by", "replaces_serial"}
    )
    plaque = Plaque(
        serial=data.serial,
        code=data.code,
        url=data.url,
        unit_id=data.unit_id,
        fields=fields,
        issued=ref,
    )
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


# ----------------------------------------------------------------------------- what a plaque says


def building_completion(state: ProjectState, unit_id: str) -> Completion | None:
    """The building's sealed completion; an old chain's (the implicit unit's) is the project's."""
    unit = state.units.get(unit_id)
    if unit is not None and unit.completion is not None:
        return unit.completion
    if state.completion is not None and state.completion.unit_id == unit_id:
        return state.completion
    return None


def building_name(state: ProjectState, unit_id: str) -> str:
    unit = state.units.get(unit_id)
    if unit is not None and not unit.implicit:
        return unit.name
    return state.profile.name[:120] if state.profile else unit_id


def served(party: Party, completion: Completion | None) -> list[PlaqueLead]:
    """Every lead of ``party`` who served up to the building's completion, with their period
    (every lead so far when there is no completion).

    A lead appointed after it (for a later building) is not on this building's plaque; a lead
    still leading when it was accepted has no end, even on a plaque reissued after they left:
    their responsibility for this building ends with its completion."""
    out = []
    for lead in party.leads:
        start = lead.start.astimezone(CHINA).date()
        end = lead.end.astimezone(CHINA).date() if lead.end is not None else None
        if completion is not None:
            if lead.appointed_by.seq > completion.ref.seq or start > completion.accepted_on:
                continue
            if end is not None and end > completion.accepted_on:
                end = None
        out.append(PlaqueLead(name=lead.name, start=start, end=end))
    return out


def warranty_summary(
    state: ProjectState, unit_id: str, completion: Completion
) -> tuple[dt.date | None, list[PlaqueWarranty]]:
    """(the certificate's date, each part's warranty) of a building, from its acceptance.

    Without a certificate on the trail (a chain from before they were recorded) the law still
    gives each part art. 40's minimum: those are printed, and the date is None."""
    assert state.profile is not None
    life = state.profile.design_life_years
    unit = state.units.get(unit_id)
    certificate = unit.warranty if unit is not None else None
    if certificate is not None:
        terms = [(t.part, t.years) for t in certificate.terms]
    else:
        terms = [(part, minimum(part).years_for(life)) for part in WARRANTY_PARTS]
    summary = [
        PlaqueWarranty(
            part=part,
            zh=minimum(part).zh,
            en=minimum(part).en,
            years=years,
            until=ends_on(completion.accepted_on, years),
        )
        for part, years in terms
    ]
    return (certificate.issued_on if certificate else None), summary


@dataclass(frozen=True)
class OpenDefect:
    """A building's defect as the public page shows it: no dwelling, no description, no one's
    name or contact; what a passer-by may know is that the builder owes a repair, and since when."""

    part: str
    zh: str
    en: str
    reported_on: dt.date
    status: str
    repair_due: dt.date | None
    overdue: bool


def open_defects(state: ProjectState, unit_id: str, today: dt.date) -> list[OpenDefect]:
    """The building's defects whose repair is not yet confirmed, oldest first; a repair past its
    due day and not done is overdue."""
    out = []
    for defect in sorted(state.defects.values(), key=lambda d: d.reported.seq):
        if defect.unit_id != unit_id or defect.status == DefectStatus.CONFIRMED:
            continue
        due = defect.repair_due
        out.append(
            OpenDefect(
                part=defect.part,
                zh=minimum(defect.part).zh,
                en=minimum(defect.part).en,
                reported_on=defect.reported_on,
                status=defect.status.value,
                repair_due=due,
                overdue=defect.status == DefectStatus.OPEN and due is not None and due < today,
            )
        )
    return out


def filed_reports(state: ProjectState) -> dict[str, str]:
    """Public report receipt → the defect the owner party filed from it (sealed)."""
    return {d.public_report: d.defect_id for d in state.defects.values() if d.public_report}


# ----------------------------------------------------------------------------- issuing plaques


def plaque_payload(
    state: ProjectState, unit_id: str, event_id: str, issuer: Issuer, replaces: int | None
) -> dict[str, Any]:
    """The next plaque of the project (serials are project-wide), for one accepted building:
    the five units and every lead who served with their period, and the warranty summary."""
    completion = building_completion(state, unit_id)
    assert completion is not None and state.profile is not None
    serial = len(state.plaques) + 1
    code, url = issuer("p", state.project_id, str(serial))
    parties = [
        PlaqueParty(
            role=role,
            org_name=state.parties[role].org_name,
            leads=served(state.parties[role], completion),
        )
        for role in FIVE_ROLES
    ]
    issued_on, warranty = warranty_summary(state, unit_id, completion)
    return PlaqueIssued(
        serial=serial,
        code=code,
        url=url,
        unit_id=unit_id,
        unit_name=building_name(state, unit_id),
        project_name=state.profile.name,
        design_life_years=state.profile.design_life_years,
        started_on=completion.started_on,
        completed_on=completion.accepted_on,
        parties=parties,
        warranty=warranty,
        warranty_issued_on=issued_on,
        replaces_serial=replaces,
        caused_by=event_id,
    ).model_dump(mode="json")


def plaque_follow_ups(
    state: ProjectState, data: EventData, event_id: str, issuer: Issuer | None
) -> list[dict[str, Any]]:
    """Payloads of the plaques ``data`` (just folded into ``state``) causes qtrail to issue: one
    for the building whose completion was sealed, or for the revoked plaque's building."""
    if issuer is None:
        return []
    if isinstance(data, CompletionAccepted) and building_completion(state, data.unit_id):
        return [plaque_payload(state, data.unit_id, event_id, issuer, None)]
    if isinstance(data, PlaqueRevoked) and data.reissue:
        unit_id = state.plaques[str(data.serial)].unit_id
        return [plaque_payload(state, unit_id, event_id, issuer, data.serial)]
    return []
