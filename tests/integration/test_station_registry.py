"""The gateway checks a registration's station against the registry: a station nobody
registered, or a site outside the station's jurisdiction, is refused with the field named and the
refusal recorded; nothing reaches the trail."""

from __future__ import annotations

import uuid

import asyncpg

from tests.support.client import Site
from tests.support.events import STATION, org_code, registration


async def _refused(site: Site, event: dict[str, object], field: str, db: asyncpg.Connection) -> str:
    answer = await site.post(event)
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert answer.headers["content-type"].startswith("application/problem+json")
    [error] = body["errors"]
    assert error["field"] == field
    noted = await db.fetchval(
        "SELECT count(*) FROM ingest_rejections WHERE event_id = $1", event["id"]
    )
    assert noted == 1  # recorded, like every refusal
    status = await site.get(f"/v1/events/{event['id']}")
    assert status.status_code == 404  # never submitted to the recorder
    return str(error["reason"])


async def test_a_registration_naming_no_registered_station_is_refused(
    site: Site, db: asyncpg.Connection
) -> None:
    nobody = org_code(177)
    event = registration(f"NOSTATION-{uuid.uuid4().hex[:6]}", station=nobody)
    reason = await _refused(site, event, "data.station", db)
    assert nobody in reason and "no registered supervision station" in reason


async def test_a_site_outside_the_stations_jurisdiction_is_refused(
    site: Site, db: asyncpg.Connection
) -> None:
    event = registration(f"ELSEWHERE-{uuid.uuid4().hex[:6]}", division="320102")  # Nanjing
    reason = await _refused(site, event, "data.division", db)
    assert "320102" in reason and "320300" in reason


async def test_a_registration_in_the_named_stations_jurisdiction_is_sealed(site: Site) -> None:
    body = await site.sealed(registration(f"INSIDE-{uuid.uuid4().hex[:6]}", station=STATION))
    assert body["seq"] == 1
