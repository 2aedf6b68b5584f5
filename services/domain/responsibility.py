""" "Who was responsible for role R at time T", answered from a project's state with its proof,
for the project or for one of its buildings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from services.domain.calendar import CHINA
from services.domain.ledger import LeadPeriod, Party
from services.domain.state import ProjectState, UnitProject


def responsible_at(
    state: ProjectState, role: str, moment: dt.datetime, unit_id: str | None = None
) -> dict[str, Any] | None:
    """The lead in office at ``moment``, with the events that prove it.

    For a building (``unit_id``), the answer also names every lead who served on it up to its
    completion (each answers for their period, for life), and a moment after the building's
    completion is answered as of its completion: nobody led its work after that day."""
    party = state.parties.get(role)
    unit = state.units.get(unit_id) if unit_id is not None else None
    if party is None or (unit_id is not None and unit is None):
        return None
    completed_at = _completed_at(unit) if unit is not None else None
    as_of = min(moment, completed_at) if completed_at is not None else moment
    lead = party.lead_at(as_of)
    if lead is None:
        return None
    answer: dict[str, Any] = {
        "project": state.project_id,
        "role": role,
        "at": moment.astimezone(dt.UTC).isoformat(),
        "organization": {"name": party.org_name, "code": party.org_code},
        "lead": _lead(lead),
        "proof": _proof(party, lead),
    }
    if unit is not None:
        answer["unit"] = {
            "unit_id": unit.unit_id,
            "name": unit.name,
            "completed_on": unit.completion.accepted_on.isoformat() if unit.completion else None,
            "answered_as_of": as_of.astimezone(dt.UTC).isoformat(),
        }
        answer["served"] = [
            _lead(period)
            for period in party.leads
            if completed_at is None or period.start <= completed_at
        ]
    return answer


def _completed_at(unit: UnitProject) -> dt.datetime | None:
    """The last instant of the acceptance day, a day in China: the building is complete then."""
    if unit.completion is None:
        return None
    day = unit.completion.accepted_on + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(), CHINA) - dt.timedelta(microseconds=1)


def _lead(lead: LeadPeriod) -> dict[str, Any]:
    return lead.model_dump(mode="json", exclude={"appointed_by", "corrected_by"})


def _proof(party: Party, lead: LeadPeriod) -> list[dict[str, Any]]:
    proof = [{"what": "party appointed", **party.appointed_by.model_dump()}]
    if lead.appointed_by != party.appointed_by:
        proof.append({"what": "lead changed", **lead.appointed_by.model_dump()})
    if lead.commitment is not None:
        proof.append({"what": "commitment signed", **lead.commitment.ref.model_dump()})
    proof += [{"what": "lead corrected", **ref.model_dump()} for ref in lead.corrected_by]
    return proof
