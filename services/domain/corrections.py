"""Corrections: checking that one applies to a real, earlier record and still makes a valid fact,
and folding it into the ledger.

A correction names the corrected event and the changed fields by dotted path (``lead.name``).
Applying the changes to the original payload must give a payload that validates as that type.
Nothing is edited: the original stays on the chain, the state shows the corrected values. A
correction that changes a construction or supervision lead's registration number or qualification
is judged by the appointment's rules for them (``qualifications``): it cannot blank them.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from events.base import EventData
from events.correction import RecordCorrected
from events.party import LeadChanged, PartyAppointed
from events.registry import UnknownEventType, parse_data
from services.domain import reasons
from services.domain.authorization import type_name
from services.domain.chain import SealedRecord
from services.domain.context import Context, ReferencedRecord
from services.domain.frozen import replace, with_entry
from services.domain.handler import Handler
from services.domain.identifiers import identity_problem
from services.domain.ledger import Correction, EventRef
from services.domain.qualifications import LEAD_REGISTRATION, lead_refusal
from services.domain.reasons import Rejection
from services.domain.state import ProjectState
from services.domain.submission import Submission

M = TypeVar("M", bound=BaseModel)

LEAD_FIELDS = ("name", "id_number", "registration_number", "qualification")

_PROFILE = frozenset(
    {
        "name",
        "address",
        "permit_number",
        "use",
        "structure_type",
        "design_life_years",
        "planned_start",
        "planned_finish",
        "floor_area_m2",
    }
)
CORRECTABLE: dict[str, frozenset[str]] = {
    "qtrail.project.registered": _PROFILE,
    "qtrail.party.appointed": frozenset({"org_name", *(f"lead.{f}" for f in LEAD_FIELDS)}),
    "qtrail.party.lead_changed": frozenset({"reason", *(f"new_lead.{f}" for f in LEAD_FIELDS)}),
    # Not the lot code: sub-items name their lots by it.
    "qtrail.quality.inspection_lot_accepted": frozenset(
        {
            "building_part",
            "items",
            "construction_signer",
            "supervision_signer",
            "signature_evidence",
        }
    ),
    "qtrail.quality.nonconformance_raised": frozenset({"building_part", "description", "severity"}),
    "qtrail.quality.accident_reported": frozenset(
        {
            "building_part",
            "description",
            "casualties",
            "direct_loss_cny",
        }
    ),
}
"""Fields a correction may change, per type (without version). Anything that defines structure
(roles, organizations, effective times, ids) is changed by a new fact instead, e.g. a lead change,
so that every period and reference on the chain stays as it was sealed."""


def apply_changes(
    data: dict[str, Any], changes: Mapping[str, Any], *, may_add: Collection[str] = ()
) -> dict[str, Any]:
    """The payload with ``changes`` applied; raises KeyError for a path that does not exist,
    unless ``may_add`` names it (an optional field the original left out, e.g. the registration
    number of a lead appointed before it was required)."""
    result = copy.deepcopy(data)
    for path, value in changes.items():
        *parents, leaf = path.split(".")
        node = result
        for part in parents:
            node = node[part]
            if not isinstance(node, dict):
                raise KeyError(path)
        if leaf not in node and path not in may_add:
            raise KeyError(path)
        node[leaf] = value
    return result


def check_correction(
    project_id: str,
    owner_org: str | None,
    data: RecordCorrected,
    actor_org: str,
    referenced: Mapping[str, ReferencedRecord],
) -> Rejection | None:
    original = referenced.get(data.corrects_event_id)
    if original is None or original.project_id != project_id:
        return reasons.CORRECTION_UNKNOWN.format(event_id=data.corrects_event_id)
    if type_name(original.type) == type_name(RecordCorrected.event_type):
        return reasons.CORRECTION_INVALID.format(
            detail="a correction is corrected by a new correction of the original"
        )
    if actor_org not in (original.actor_org, owner_org):
        return reasons.CORRECTION_NOT_AUTHOR.format(event_id=data.corrects_event_id)
    allowed = CORRECTABLE.get(type_name(original.type), frozenset())
    try:
        corrected = apply_changes(original.data, data.changes, may_add=allowed)
    except KeyError as exc:
        return reasons.CORRECTION_INVALID.format(
            detail=f"no field {exc.args[0]} in {original.type}"
        )
    for path in data.changes:
        if path not in allowed:
            return reasons.NOT_CORRECTABLE.format(field=path, type=type_name(original.type))
    try:
        _, payload = parse_data(original.type, corrected)
    except (ValidationError, UnknownEventType) as exc:
        return reasons.CORRECTION_INVALID.format(detail=str(exc).splitlines()[0])
    if (problem := identity_problem(corrected)) is not None:
        return reasons.CORRECTION_INVALID.format(detail=problem)
    return _registration_refusal(payload, data.changes)


def _registration_refusal(payload: EventData, changes: Mapping[str, Any]) -> Rejection | None:
    """The corrected lead's registration, judged on the fields the correction changes only: a
    lead appointed before the rule may still have a name corrected."""
    if isinstance(payload, PartyAppointed):
        field, lead = "lead", payload.lead
    elif isinstance(payload, LeadChanged):
        field, lead = "new_lead", payload.new_lead
    else:
        return None
    changed = [leaf for leaf in LEAD_REGISTRATION if f"{field}.{leaf}" in changes]
    return lead_refusal(payload.role, lead, field, only=changed) if changed else None


def corrected_lead_fields(changes: Mapping[str, Any]) -> tuple[dict[str, Any], str | None]:
    """The lead fields and organization name a correction changes, for the ledger."""
    fields: dict[str, Any] = {}
    for path, value in changes.items():
        prefix, _, leaf = path.rpartition(".")
        if prefix in ("lead", "new_lead") and leaf in LEAD_FIELDS:
            fields[leaf] = value
    org_name = changes.get("org_name")
    return fields, org_name if isinstance(org_name, str) else None


# ----------------------------------------------------------------------------- rule and fold


def rule_corrected(
    state: ProjectState, data: RecordCorrected, sub: Submission, ctx: Context
) -> Rejection | None:
    return check_correction(state.project_id, state.owner_org, data, sub.actor.org, ctx.referenced)


def fold_corrected(
    state: ProjectState, data: RecordCorrected, record: SealedRecord, ref: EventRef
) -> ProjectState:
    correction = Correction(
        corrects_event_id=data.corrects_event_id,
        reason=data.reason,
        changes=dict(data.changes),
        ref=ref,
    )
    target = data.corrects_event_id
    lead_fields, org_name = corrected_lead_fields(data.changes)
    parties = dict(state.parties)
    for role, party in state.parties.items():
        leads = [
            replace(lead, **lead_fields, corrected_by=[*lead.corrected_by, ref])
            if lead.appointed_by.event_id == target and lead_fields
            else lead
            for lead in party.leads
        ]
        if org_name is not None and party.appointed_by.event_id == target:
            parties[role] = replace(party, leads=leads, org_name=org_name)
        else:
            parties[role] = replace(party, leads=leads)
    changes: dict[str, object] = {
        "corrections": [*state.corrections, correction],
        "parties": parties,
    }
    if state.registered_by is not None and state.registered_by.event_id == target and state.profile:
        changes["profile"] = _amended(state.profile, data.changes)
    for nc_id, nc in state.nonconformances.items():
        if nc.raised_by.event_id == target:
            changes["nonconformances"] = with_entry(
                state.nonconformances, nc_id, _amended(nc, data.changes)
            )
    for code, lot in state.inspection_lots.items():
        if lot.ref.event_id == target:
            changes["inspection_lots"] = with_entry(
                state.inspection_lots, code, _amended(lot, data.changes)
            )
    for accident_id, accident in state.accidents.items():
        if accident.ref.event_id == target:
            changes["accidents"] = with_entry(
                state.accidents, accident_id, _amended(accident, data.changes)
            )
    return replace(state, **changes)


def _amended(current: M, changes: Mapping[str, Any]) -> M:
    """``current`` with the top-level changes that name its fields, validated as a whole (the
    values are JSON: a corrected date arrives as text)."""
    fields = {k: v for k, v in changes.items() if k in type(current).model_fields}
    return type(current).model_validate({**current.model_dump(), **fields}) if fields else current


HANDLERS = (Handler(RecordCorrected, rule=rule_corrected, fold=fold_corrected),)
