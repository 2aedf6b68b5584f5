"""A registration's station checked against the station registry at the gateway: the station a
project names must be registered, and its jurisdiction must cover the site's division. The
domain cannot see the registry (it is the operator's, not the trail's), so this is the gateway's
check, like the key's; a registration that fails it is refused with the field named, and recorded
as the API's refusals are."""

from __future__ import annotations

from events.envelope import Envelope
from services.adapters.postgres.stations import StationStore
from services.domain.jurisdiction import covers, valid_division
from services.http.problems import Problem

_REGISTRATION = "qtrail.project.registered."


async def station_refusal(envelope: Envelope, stations: StationStore) -> Problem | None:
    if not envelope.type.startswith(_REGISTRATION):
        return None
    code, division = envelope.data.get("station"), envelope.data.get("division")
    if not isinstance(code, str) or not isinstance(division, str) or not valid_division(division):
        return None  # the catalog's model and the recorder's rule name what is missing
    station = await stations.get(code)
    if station is None:
        return _invalid(envelope, "data.station", f"{code} is no registered supervision station")
    if not covers(station.jurisdiction, division):
        return _invalid(
            envelope,
            "data.division",
            f"{division} is outside the jurisdiction of {station.name} "
            f"({', '.join(station.jurisdiction)})",
        )
    return None


def _invalid(envelope: Envelope, field: str, reason: str) -> Problem:
    return Problem(
        422,
        "Invalid event",
        f"{field}: {reason}",
        kind="https://qtrail.dev/problems/invalid-event",
        errors=[{"field": field, "reason": reason}],
        extra={"id": envelope.id},
    )
