"""Corrections: checking that one applies to a real, earlier record and still makes a valid fact.

A correction names the corrected event and the changed fields by dotted path (``lead.name``).
Applying the changes to the original payload must give a payload that validates as that type.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from events.record import RecordCorrected
from events.registry import UnknownEventType, parse_data
from services.domain import reasons
from services.domain.reasons import Rejection

LEAD_FIELDS = ("name", "id_number", "registration_number", "qualification")


@dataclass(frozen=True)
class ReferencedRecord:
    """A sealed record a correction points at, as the recorder looked it up."""

    event_id: str
    project_id: str
    type: str
    actor_org: str
    data: dict[str, Any]


def apply_changes(data: dict[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """The payload with ``changes`` applied; raises KeyError for a path that does not exist."""
    result = copy.deepcopy(data)
    for path, value in changes.items():
        *parents, leaf = path.split(".")
        node = result
        for part in parents:
            node = node[part]
            if not isinstance(node, dict):
                raise KeyError(path)
        if leaf not in node:
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
    if original.type.startswith("qtrail.record.corrected."):
        return reasons.CORRECTION_INVALID.format(
            detail="a correction is corrected by a new correction of the original"
        )
    if actor_org not in (original.actor_org, owner_org):
        return reasons.CORRECTION_NOT_AUTHOR.format(event_id=data.corrects_event_id)
    try:
        parse_data(original.type, apply_changes(original.data, data.changes))
    except KeyError as exc:
        return reasons.CORRECTION_INVALID.format(
            detail=f"no field {exc.args[0]} in {original.type}"
        )
    except (ValidationError, UnknownEventType) as exc:
        return reasons.CORRECTION_INVALID.format(detail=str(exc).splitlines()[0])
    return None


def corrected_lead_fields(changes: Mapping[str, Any]) -> tuple[dict[str, Any], str | None]:
    """The lead fields and organization name a correction changes, for the ledger."""
    fields: dict[str, Any] = {}
    for path, value in changes.items():
        prefix, _, leaf = path.rpartition(".")
        if prefix in ("lead", "new_lead") and leaf in LEAD_FIELDS:
            fields[leaf] = value
    org_name = changes.get("org_name")
    return fields, org_name if isinstance(org_name, str) else None
