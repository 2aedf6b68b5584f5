"""A project's state, and the two pure functions everything else is built on.

``fold(state, record)`` applies a sealed record; ``decide(state, submission, now, referenced)``
accepts or refuses a submission. The recorder, the projections and the regulator replay all call
these, so a replay is the live system's own logic.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar, cast

from pydantic import BaseModel

from events import party as party_events
from events import quality as quality_events
from events.base import EventData, Role
from events.project import ProjectRegistered
from events.record import RecordCorrected
from events.registry import parse_data
from services.domain import completion as completion_rules
from services.domain import reasons
from services.domain.authorization import holds_role, may_submit, type_name
from services.domain.chain import SealedRecord, utc_text
from services.domain.context import Context, ReferencedRecord
from services.domain.corrections import check_correction, corrected_lead_fields
from services.domain.identifiers import valid_credit_code, valid_id_number
from services.domain.ledger import (
    Accident,
    Commitment,
    Correction,
    EventRef,
    Lab,
    LeadPeriod,
    Nonconformance,
    NonconformanceStatus,
    Party,
    Witness,
    with_entry,
)
from services.domain.materials import record as materials
from services.domain.reasons import Rejection
from services.domain.state import ProjectProfile, ProjectState
from services.domain.submission import Submission

FUTURE_TOLERANCE = dt.timedelta(minutes=10)
"""Site clocks drift: an event may be dated this far ahead of the server clock, no further."""


# ----------------------------------------------------------------------------- fold

M = TypeVar("M", bound=BaseModel)

Folder = Callable[[ProjectState, Any, SealedRecord, EventRef], dict[str, Any]]
"""Returns the fields of the state that change."""


def _registered(
    state: ProjectState, data: ProjectRegistered, record: SealedRecord, ref: EventRef
) -> dict[str, Any]:
    return {
        "registered_at": record.occurred_at,
        "registered_by": ref,
        "owner_org": record.body["actor"]["org"],
        "profile": ProjectProfile(**data.model_dump()),
    }


def _lead(person: Any, start: dt.datetime, evidence: str, ref: EventRef) -> LeadPeriod:
    return LeadPeriod(
        name=person.name,
        id_number=person.id_number,
        registration_number=person.registration_number,
        qualification=person.qualification,
        start=start,
        authorization_evidence=evidence,
        appointed_by=ref,
    )


def _appointed(
    state: ProjectState, data: party_events.PartyAppointed, record: SealedRecord, ref: EventRef
) -> dict[str, Any]:
    party = Party(
        role=data.role,
        org_name=data.org_name,
        org_code=data.org_code,
        appointed_by=ref,
        leads=[_lead(data.lead, data.effective_from, data.authorization_evidence, ref)],
    )
    return {"parties": with_entry(state.parties, data.role, party)}


def _lead_changed(
    state: ProjectState, data: party_events.LeadChanged, record: SealedRecord, ref: EventRef
) -> dict[str, Any]:
    party = state.parties[data.role]
    leads = [
        lead.model_copy(update={"end": data.effective_at}) if lead.end is None else lead
        for lead in party.leads
    ]
    leads.append(_lead(data.new_lead, data.effective_at, data.authorization_evidence, ref))
    return {
        "parties": with_entry(state.parties, data.role, party.model_copy(update={"leads": leads}))
    }


def _committed(
    state: ProjectState, data: party_events.CommitmentSigned, record: SealedRecord, ref: EventRef
) -> dict[str, Any]:
    party = state.parties[data.role]
    commitment = Commitment(signed_on=data.signed_on, evidence=data.evidence, ref=ref)
    leads = [
        lead.model_copy(update={"commitment": commitment})
        if lead.id_number == data.lead_id_number and lead.commitment is None
        else lead
        for lead in party.leads
    ]
    return {
        "parties": with_entry(state.parties, data.role, party.model_copy(update={"leads": leads}))
    }


def _witness(
    state: ProjectState, data: party_events.WitnessAuthorized, record: SealedRecord, ref: EventRef
) -> dict[str, Any]:
    witness = Witness(
        name=data.witness.name,
        id_number=data.witness.id_number,
        org_code=data.witness_org_code,
        scope=list(data.scope),
        evidence=data.evidence,
        ref=ref,
    )
    return {"witnesses": with_entry(state.witnesses, ref.event_id, witness)}


def _lab(
    state: ProjectState, data: party_events.LabCommissioned, record: SealedRecord, ref: EventRef
) -> dict[str, Any]:
    lab = Lab(
        lab_code=data.lab_code,
        name=data.lab_name,
        qualification_certificate=data.qualification_certificate,
        scope=list(data.scope),
        evidence=data.evidence,
        ref=ref,
    )
    return {"labs": with_entry(state.labs, data.lab_code, lab)}


def _no_change(
    state: ProjectState, data: EventData, record: SealedRecord, ref: EventRef
) -> dict[str, Any]:
    return {}


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


def _nc_rectified(
    state: ProjectState,
    data: quality_events.NonconformanceRectified,
    record: SealedRecord,
    ref: EventRef,
) -> dict[str, Any]:
    nc = state.nonconformances[data.nonconformance_id]
    nc = nc.model_copy(update={"status": NonconformanceStatus.RECTIFIED, "rectified_by": ref})
    return {"nonconformances": with_entry(state.nonconformances, data.nonconformance_id, nc)}


def _nc_closed(
    state: ProjectState,
    data: quality_events.NonconformanceClosed,
    record: SealedRecord,
    ref: EventRef,
) -> dict[str, Any]:
    nc = state.nonconformances[data.nonconformance_id]
    nc = nc.model_copy(update={"status": NonconformanceStatus.CLOSED, "closed_by": ref})
    return {"nonconformances": with_entry(state.nonconformances, data.nonconformance_id, nc)}


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


def _corrected(
    state: ProjectState, data: RecordCorrected, record: SealedRecord, ref: EventRef
) -> dict[str, Any]:
    change: dict[str, Any] = {
        "corrections": [
            *state.corrections,
            Correction(
                corrects_event_id=data.corrects_event_id,
                reason=data.reason,
                changes=dict(data.changes),
                ref=ref,
            ),
        ]
    }
    lead_fields, org_name = corrected_lead_fields(data.changes)
    parties = dict(state.parties)
    for role, party in state.parties.items():
        leads = [
            lead.model_copy(update={**lead_fields, "corrected_by": [*lead.corrected_by, ref]})
            if lead.appointed_by.event_id == data.corrects_event_id and lead_fields
            else lead
            for lead in party.leads
        ]
        update: dict[str, Any] = {"leads": leads}
        if org_name is not None and party.appointed_by.event_id == data.corrects_event_id:
            update["org_name"] = org_name
        parties[role] = party.model_copy(update=update)
    change["parties"] = parties
    target = data.corrects_event_id
    if state.registered_by is not None and state.registered_by.event_id == target and state.profile:
        change["profile"] = _amended(state.profile, data.changes)
    for nc_id, nc in state.nonconformances.items():
        if nc.raised_by.event_id == target:
            change["nonconformances"] = with_entry(
                state.nonconformances, nc_id, _amended(nc, data.changes)
            )
    for accident_id, accident in state.accidents.items():
        if accident.ref.event_id == target:
            change["accidents"] = with_entry(
                state.accidents, accident_id, _amended(accident, data.changes)
            )
    return change


def _amended(current: M, changes: Mapping[str, Any]) -> M:
    """``current`` with the top-level changes that name its fields, validated as a whole."""
    fields = {k: v for k, v in changes.items() if k in type(current).model_fields}
    return type(current).model_validate({**current.model_dump(), **fields}) if fields else current


FOLDERS: dict[str, Folder] = {
    ProjectRegistered.event_type: _registered,
    party_events.PartyAppointed.event_type: _appointed,
    party_events.LeadChanged.event_type: _lead_changed,
    party_events.CommitmentSigned.event_type: _committed,
    party_events.WitnessAuthorized.event_type: _witness,
    party_events.LabCommissioned.event_type: _lab,
    quality_events.InspectionLotAccepted.event_type: _no_change,
    quality_events.NonconformanceRaised.event_type: _nc_raised,
    quality_events.NonconformanceRectified.event_type: _nc_rectified,
    quality_events.NonconformanceClosed.event_type: _nc_closed,
    quality_events.AccidentReported.event_type: _accident,
    RecordCorrected.event_type: _corrected,
    **cast(dict[str, Folder], materials.FOLDERS),
    **cast(dict[str, Folder], completion_rules.FOLDERS),
}


def evidence_of(data: EventData) -> set[str]:
    """Every evidence hash a payload references, wherever it sits."""
    found: set[str] = set()

    def walk(value: Any, key: str = "") -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, str) and ("evidence" in key or key == "photos") and len(value) == 64:
            found.add(value)

    walk(data.model_dump(mode="json"))
    return found


def fold(state: ProjectState, record: SealedRecord) -> ProjectState:
    event_type, data = parse_data(record.type, record.body["data"])
    ref = EventRef(event_id=record.event_id, seq=record.seq)
    update = FOLDERS[event_type](state, data, record, ref)
    counts = dict(state.counts)
    counts[event_type] = counts.get(event_type, 0) + 1
    evidence = evidence_of(data)
    if evidence - set(state.evidence):
        update["evidence"] = sorted(set(state.evidence) | evidence)
    return state.model_copy(
        update={**update, "seq": record.seq, "head": record.hash.hex(), "counts": counts}
    )


def replay(project_id: str, records: Iterable[SealedRecord]) -> ProjectState:
    state = ProjectState(project_id=project_id)
    for record in records:
        state = fold(state, record)
    return state


# ----------------------------------------------------------------------------- decide


Rule = Callable[[ProjectState, Any, Submission, Context], Rejection | None]


def _check_person(person: Any, field: str) -> Rejection | None:
    if not valid_id_number(person.id_number):
        return reasons.BAD_ID_NUMBER.format(field=field)
    return None


def _appointment_rule(
    state: ProjectState, data: party_events.PartyAppointed, sub: Submission, _: Any
) -> Rejection | None:
    if not valid_credit_code(data.org_code):
        return reasons.BAD_CREDIT_CODE.format(field="data.org_code", code=data.org_code)
    if (bad := _check_person(data.lead, "data.lead.id_number")) is not None:
        return bad
    if data.role in state.parties:
        return reasons.ALREADY_APPOINTED.format(role=data.role)
    if data.role == Role.OWNER.value and data.org_code != state.owner_org:
        return reasons.OWNER_IS_REGISTRANT.format(org=data.org_code)
    assert state.registered_at is not None
    if data.effective_from < state.registered_at:
        return reasons.BEFORE_REGISTRATION.format(
            occurred_at=utc_text(data.effective_from), registered_at=utc_text(state.registered_at)
        )
    return None


def _own_role(sub: Submission, role: str) -> Rejection | None:
    """A party acts for its own role only; the owner may act for any (it files the archive)."""
    if sub.actor.role is not Role.OWNER and sub.actor.role.value != role:
        return reasons.NOT_YOUR_ROLE.format(role=sub.actor.role.value, target=role)
    return None


def _lead_change_rule(
    state: ProjectState, data: party_events.LeadChanged, sub: Submission, _: Any
) -> Rejection | None:
    if (bad := _own_role(sub, data.role)) is not None:
        return bad
    party = state.parties.get(data.role)
    if party is None or party.current_lead is None:
        return reasons.NOT_APPOINTED.format(role=data.role)
    if (bad := _check_person(data.new_lead, "data.new_lead.id_number")) is not None:
        return bad
    if data.effective_at <= party.current_lead.start:
        return reasons.CHANGE_BEFORE_CURRENT.format(
            role=data.role, start=utc_text(party.current_lead.start)
        )
    return None


def _commitment_rule(
    state: ProjectState, data: party_events.CommitmentSigned, sub: Submission, _: Any
) -> Rejection | None:
    if (bad := _own_role(sub, data.role)) is not None:
        return bad
    party = state.parties.get(data.role)
    leads = [
        lead for lead in (party.leads if party else []) if lead.id_number == data.lead_id_number
    ]
    if not leads:
        return reasons.UNKNOWN_LEAD.format(role=data.role)
    if all(lead.commitment is not None for lead in leads):
        return reasons.COMMITMENT_EXISTS.format(role=data.role)
    return None


def _witness_rule(
    state: ProjectState, data: party_events.WitnessAuthorized, sub: Submission, _: Any
) -> Rejection | None:
    if (bad := _check_person(data.witness, "data.witness.id_number")) is not None:
        return bad
    supervision = state.parties.get(Role.SUPERVISION.value)
    employers = {state.owner_org, supervision.org_code if supervision else None}
    if data.witness_org_code not in employers:
        return reasons.WITNESS_EMPLOYER.format(org=data.witness_org_code)
    return None


def _lab_rule(
    state: ProjectState, data: party_events.LabCommissioned, sub: Submission, _: Any
) -> Rejection | None:
    if not valid_credit_code(data.lab_code):
        return reasons.BAD_CREDIT_CODE.format(field="data.lab_code", code=data.lab_code)
    return None


def _lot_rule(
    state: ProjectState, data: quality_events.InspectionLotAccepted, sub: Submission, _: Any
) -> Rejection | None:
    if data.construction_signer is None or data.supervision_signer is None:
        return reasons.SIGNATURES_MISSING.format()
    return None


def _nc_raised_rule(
    state: ProjectState, data: quality_events.NonconformanceRaised, sub: Submission, _: Any
) -> Rejection | None:
    if data.nonconformance_id in state.nonconformances:
        return reasons.DUPLICATE_ID.format(kind="nonconformance", id=data.nonconformance_id)
    return None


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


def _accident_rule(
    state: ProjectState, data: quality_events.AccidentReported, sub: Submission, _: Any
) -> Rejection | None:
    if data.accident_id in state.accidents:
        return reasons.DUPLICATE_ID.format(kind="accident", id=data.accident_id)
    return None


def _correction_rule(
    state: ProjectState, data: RecordCorrected, sub: Submission, ctx: Context
) -> Rejection | None:
    return check_correction(state.project_id, state.owner_org, data, sub.actor.org, ctx.referenced)


RULES: dict[str, Rule] = {
    party_events.PartyAppointed.event_type: _appointment_rule,
    party_events.LeadChanged.event_type: _lead_change_rule,
    party_events.CommitmentSigned.event_type: _commitment_rule,
    party_events.WitnessAuthorized.event_type: _witness_rule,
    party_events.LabCommissioned.event_type: _lab_rule,
    quality_events.InspectionLotAccepted.event_type: _lot_rule,
    quality_events.NonconformanceRaised.event_type: _nc_raised_rule,
    quality_events.NonconformanceRectified.event_type: _nc_rectified_rule,
    quality_events.NonconformanceClosed.event_type: _nc_closed_rule,
    quality_events.AccidentReported.event_type: _accident_rule,
    RecordCorrected.event_type: _correction_rule,
    **cast(dict[str, Rule], materials.RULES),
    **cast(dict[str, Rule], completion_rules.RULES),
}


def decide(
    state: ProjectState,
    sub: Submission,
    now: dt.datetime,
    referenced: Mapping[str, ReferencedRecord] | None = None,
    reports_seen: Mapping[str, str] | None = None,
) -> Rejection | None:
    """None to accept; otherwise the reason. Pure: ``now`` is the recorder's clock reading;
    ``referenced`` and ``reports_seen`` are what the recorder looked up for this batch."""
    if sub.occurred_at > now + FUTURE_TOLERANCE:
        return reasons.FROM_THE_FUTURE.format(
            occurred_at=utc_text(sub.occurred_at), tolerance=int(FUTURE_TOLERANCE.total_seconds())
        )
    if not valid_credit_code(sub.actor.org):
        return reasons.BAD_CREDIT_CODE.format(field="actororg", code=sub.actor.org)
    if not may_submit(sub.event_type, sub.actor.role):
        return reasons.ROLE_NOT_ALLOWED.format(
            role=sub.actor.role.value, type=type_name(sub.event_type)
        )
    if sub.event_type == ProjectRegistered.event_type:
        if state.registered:
            return reasons.ALREADY_REGISTERED.format(project_id=sub.project_id)
        return None
    if state.registered_at is None:
        return reasons.NOT_REGISTERED.format(project_id=sub.project_id)
    if sub.occurred_at < state.registered_at:
        return reasons.BEFORE_REGISTRATION.format(
            occurred_at=utc_text(sub.occurred_at), registered_at=utc_text(state.registered_at)
        )
    if not holds_role(state, sub.actor.org, sub.actor.role):
        return reasons.NOT_A_PARTY.format(org=sub.actor.org, role=sub.actor.role.value)
    party = state.parties.get(sub.actor.role.value)
    if (
        sub.actor.role is not Role.OWNER
        and party is not None
        and sub.occurred_at < party.leads[0].start
    ):
        return reasons.NOT_YET_APPOINTED.format(
            role=party.role,
            start=utc_text(party.leads[0].start),
            occurred_at=utc_text(sub.occurred_at),
        )
    rule = RULES.get(sub.event_type)
    return (
        rule(state, sub.data, sub, Context(referenced or {}, reports_seen or {})) if rule else None
    )
