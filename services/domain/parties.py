"""The responsible parties: the project's registration, appointments, lead changes, lifelong
commitments, witnesses and labs, each fact's rule next to its fold.

Lifelong responsibility is per period (建质[2014]124号): a lead change closes the old lead's period
and opens the new one; nothing is replaced in place. A construction or supervision lead, appointed
or changed, is registered for the role (``qualifications``).
"""

from __future__ import annotations

import datetime as dt

from events.base import Person, Role
from events.party import (
    CommitmentSigned,
    LabCommissioned,
    LeadChanged,
    PartyAppointed,
    WitnessAuthorized,
)
from events.project import ProjectRegistered
from services.domain import filing, reasons
from services.domain.chain import SealedRecord, utc_text
from services.domain.context import Context
from services.domain.frozen import replace, with_entry
from services.domain.handler import Handler
from services.domain.identifiers import valid_credit_code, valid_id_number
from services.domain.ledger import Commitment, EventRef, Lab, LeadPeriod, Party, Witness
from services.domain.qualifications import lead_refusal
from services.domain.reasons import Rejection
from services.domain.state import ProjectProfile, ProjectState
from services.domain.submission import Submission

# ----------------------------------------------------------------------------- registration


def rule_registered(
    state: ProjectState, data: ProjectRegistered, sub: Submission, ctx: Context
) -> Rejection | None:
    return filing.registration_refusal(state, data)


def fold_registered(
    state: ProjectState, data: ProjectRegistered, record: SealedRecord, ref: EventRef
) -> ProjectState:
    registered = replace(
        filing.registered_afresh(state),
        registered_at=record.occurred_at,
        registered_by=ref,
        owner_org=record.body["actor"]["org"],
        profile=ProjectProfile(**data.model_dump(exclude={"station", "division"})),
        filing=filing.filing_of(data),
    )
    return filing.filing_deadline(registered, record, ref)


# ----------------------------------------------------------------------------- appointment


def _check_person(person: Person, field: str) -> Rejection | None:
    if not valid_id_number(person.id_number):
        return reasons.BAD_ID_NUMBER.format(field=field)
    return None


def rule_appointed(
    state: ProjectState, data: PartyAppointed, sub: Submission, ctx: Context
) -> Rejection | None:
    if not valid_credit_code(data.org_code):
        return reasons.BAD_CREDIT_CODE.format(field="data.org_code", code=data.org_code)
    if (bad := _check_person(data.lead, "data.lead.id_number")) is not None:
        return bad
    if (bad := lead_refusal(data.role, data.lead, "data.lead")) is not None:
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


def _lead(person: Person, start: dt.datetime, evidence: str, ref: EventRef) -> LeadPeriod:
    return LeadPeriod(
        name=person.name,
        id_number=person.id_number,
        registration_number=person.registration_number,
        qualification=person.qualification,
        start=start,
        authorization_evidence=evidence,
        appointed_by=ref,
    )


def fold_appointed(
    state: ProjectState, data: PartyAppointed, record: SealedRecord, ref: EventRef
) -> ProjectState:
    party = Party(
        role=data.role,
        org_name=data.org_name,
        org_code=data.org_code,
        appointed_by=ref,
        leads=[_lead(data.lead, data.effective_from, data.authorization_evidence, ref)],
    )
    return replace(state, parties=with_entry(state.parties, data.role, party))


# ----------------------------------------------------------------------------- lead change


def _own_role(sub: Submission, role: str) -> Rejection | None:
    """A party acts for its own role only; the owner may act for any (it files the archive)."""
    if sub.actor.role is not Role.OWNER and sub.actor.role.value != role:
        return reasons.NOT_YOUR_ROLE.format(role=sub.actor.role.value, target=role)
    return None


def rule_lead_changed(
    state: ProjectState, data: LeadChanged, sub: Submission, ctx: Context
) -> Rejection | None:
    if (bad := _own_role(sub, data.role)) is not None:
        return bad
    party = state.parties.get(data.role)
    if party is None or party.current_lead is None:
        return reasons.NOT_APPOINTED.format(role=data.role)
    if (bad := _check_person(data.new_lead, "data.new_lead.id_number")) is not None:
        return bad
    if (bad := lead_refusal(data.role, data.new_lead, "data.new_lead")) is not None:
        return bad
    if data.effective_at <= party.current_lead.start:
        return reasons.CHANGE_BEFORE_CURRENT.format(
            role=data.role, start=utc_text(party.current_lead.start)
        )
    return None


def fold_lead_changed(
    state: ProjectState, data: LeadChanged, record: SealedRecord, ref: EventRef
) -> ProjectState:
    party = state.parties[data.role]
    leads = [
        replace(lead, end=data.effective_at) if lead.end is None else lead for lead in party.leads
    ]
    leads.append(_lead(data.new_lead, data.effective_at, data.authorization_evidence, ref))
    changed = replace(
        state, parties=with_entry(state.parties, data.role, replace(party, leads=leads))
    )
    return filing.refiling_due(changed, data.role, data.effective_at, ref)


# ----------------------------------------------------------------------------- commitment


def rule_commitment_signed(
    state: ProjectState, data: CommitmentSigned, sub: Submission, ctx: Context
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


def fold_commitment_signed(
    state: ProjectState, data: CommitmentSigned, record: SealedRecord, ref: EventRef
) -> ProjectState:
    party = state.parties[data.role]
    commitment = Commitment(signed_on=data.signed_on, evidence=data.evidence, ref=ref)
    leads = [
        replace(lead, commitment=commitment)
        if lead.id_number == data.lead_id_number and lead.commitment is None
        else lead
        for lead in party.leads
    ]
    signed = replace(
        state, parties=with_entry(state.parties, data.role, replace(party, leads=leads))
    )
    return filing.refiled(signed, data.role, data.lead_id_number, ref, data.signed_on)


# ----------------------------------------------------------------------------- witness


def rule_witness_authorized(
    state: ProjectState, data: WitnessAuthorized, sub: Submission, ctx: Context
) -> Rejection | None:
    if (bad := _check_person(data.witness, "data.witness.id_number")) is not None:
        return bad
    supervision = state.parties.get(Role.SUPERVISION.value)
    employers = {state.owner_org, supervision.org_code if supervision else None}
    if data.witness_org_code not in employers:
        return reasons.WITNESS_EMPLOYER.format(org=data.witness_org_code)
    return None


def fold_witness_authorized(
    state: ProjectState, data: WitnessAuthorized, record: SealedRecord, ref: EventRef
) -> ProjectState:
    witness = Witness(
        name=data.witness.name,
        id_number=data.witness.id_number,
        org_code=data.witness_org_code,
        scope=list(data.scope),
        evidence=data.evidence,
        ref=ref,
    )
    return replace(state, witnesses=with_entry(state.witnesses, ref.event_id, witness))


# ----------------------------------------------------------------------------- lab


def rule_lab_commissioned(
    state: ProjectState, data: LabCommissioned, sub: Submission, ctx: Context
) -> Rejection | None:
    if not valid_credit_code(data.lab_code):
        return reasons.BAD_CREDIT_CODE.format(field="data.lab_code", code=data.lab_code)
    return None


def fold_lab_commissioned(
    state: ProjectState, data: LabCommissioned, record: SealedRecord, ref: EventRef
) -> ProjectState:
    lab = Lab(
        lab_code=data.lab_code,
        name=data.lab_name,
        qualification_certificate=data.qualification_certificate,
        scope=list(data.scope),
        evidence=data.evidence,
        ref=ref,
    )
    return replace(state, labs=with_entry(state.labs, data.lab_code, lab))


HANDLERS = (
    Handler(ProjectRegistered, rule=rule_registered, fold=fold_registered),
    Handler(PartyAppointed, rule=rule_appointed, fold=fold_appointed),
    Handler(LeadChanged, rule=rule_lead_changed, fold=fold_lead_changed),
    Handler(CommitmentSigned, rule=rule_commitment_signed, fold=fold_commitment_signed),
    Handler(WitnessAuthorized, rule=rule_witness_authorized, fold=fold_witness_authorized),
    Handler(LabCommissioned, rule=rule_lab_commissioned, fold=fold_lab_commissioned),
)
