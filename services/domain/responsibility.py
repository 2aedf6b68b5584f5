""" "Who was responsible for role R at time T", answered from a project's state with its proof."""

from __future__ import annotations

import datetime as dt
from typing import Any

from services.domain.state import ProjectState


def responsible_at(state: ProjectState, role: str, moment: dt.datetime) -> dict[str, Any] | None:
    party = state.parties.get(role)
    if party is None:
        return None
    lead = party.lead_at(moment)
    if lead is None:
        return None
    proof = [{"what": "party appointed", **party.appointed_by.model_dump()}]
    if lead.appointed_by != party.appointed_by:
        proof.append({"what": "lead changed", **lead.appointed_by.model_dump()})
    if lead.commitment is not None:
        proof.append({"what": "commitment signed", **lead.commitment.ref.model_dump()})
    proof += [{"what": "lead corrected", **ref.model_dump()} for ref in lead.corrected_by]
    return {
        "project": state.project_id,
        "role": role,
        "at": moment.astimezone(dt.UTC).isoformat(),
        "organization": {"name": party.org_name, "code": party.org_code},
        "lead": lead.model_dump(mode="json", exclude={"appointed_by", "corrected_by"}),
        "proof": proof,
    }
