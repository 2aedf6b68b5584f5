"""The responsible parties: the project's registration, appointments, lead changes, lifelong
commitments, witnesses and labs, each fact's rule next to its fold.

Lifelong responsibility is per period (建质[2014]124号): a lead change closes the old lead's period
and opens the new one; nothing is replaced in place.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from events import party as party_events
from events.base import Role
from events.project import ProjectRegistered
from services.domain import reasons
from services.domain.chain import SealedRecord, utc_text
from services.domain.identifiers import valid_credit_code, valid_id_number
from services.domain.ledger import Commitment, EventRef, Lab, LeadPeriod, Party, Witness, with_entry
from services.domain.reasons import Rejection
from services.domain.state import ProjectProfile, ProjectState
from services.domain.submission import Submission

# ----------------------------------------------------------------------------- registration


def _registered(
    state: ProjectState, data: ProjectRegistered, record: SealedRecord, ref: EventRef
) -> dict[str, Any]:
    return {
        "registered_at": record.occurred_at,
        "registered_by": ref,
        "owner_org": record.body["actor"]["org"],
        "profile": ProjectProfile(**data.model_dump()),
    }


# ----------------------------------------------------------------------------- appointment


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


# ----------------------------------------------------------------------------- lead change


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


# ----------------------------------------------------------------------------- commitment


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


# ----------------------------------------------------------------------------- witness, lab


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


def _lab_rule(
    state: ProjectState, data: party_events.LabCommissioned, sub: Submission, _: Any
) -> Rejection | None:
    if not valid_credit_code(data.lab_code):
        return reasons.BAD_CREDIT_CODE.format(field="data.lab_code", code=data.lab_code)
    return None


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


FOLDERS = {
    ProjectRegistered.event_type: _registered,
    party_events.PartyAppointed.event_type: _appointed,
    party_events.LeadChanged.event_type: _lead_changed,
    party_events.CommitmentSigned.event_type: _committed,
    party_events.WitnessAuthorized.event_type: _witness,
    party_events.LabCommissioned.event_type: _lab,
}
RULES = {
    party_events.PartyAppointed.event_type: _appointment_rule,
    party_events.LeadChanged.event_type: _lead_change_rule,
    party_events.CommitmentSigned.event_type: _commitment_rule,
    party_events.WitnessAuthorized.event_type: _witness_rule,
    party_events.LabCommissioned.event_type: _lab_rule,
}
