"""HTTP → Kafka → recorder → PostgreSQL, on the real stack."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid

import asyncpg
import httpx

from services.adapters.kafka.producer import EventProducer
from tests.support.client import Site
from tests.support.events import STRUCTURED, T0, appointment, lot, opened, registration
from tests.support.keys import auth
from tests.support.stack import Environment

PROJECTS = 20
EVENTS = 1000


async def _wait_decided(db: asyncpg.Connection, expected: int, timeout_s: float = 120) -> int:
    deadline = asyncio.get_running_loop().time() + timeout_s
    count = 0
    while asyncio.get_running_loop().time() < deadline:
        count = await db.fetchval("SELECT count(*) FROM outcomes")
        if count >= expected:
            return int(count)
        await asyncio.sleep(0.2)
    return int(count)


async def test_thousand_events_over_twenty_projects_are_sealed_once_in_order(
    site: Site, db: asyncpg.Connection
) -> None:
    run = uuid.uuid4().hex[:6]
    projects = [f"P-{run}-{i:02d}" for i in range(PROJECTS)]
    per_project = EVENTS // PROJECTS
    submitted: dict[str, list[str]] = {p: [] for p in projects}
    base = await db.fetchval("SELECT count(*) FROM outcomes")

    async def post_project(project: str) -> None:
        # One site app per project posts in order; the twenty apps run concurrently.
        events = [*opened(project), appointment(project, "construction")]
        events += [
            lot(project, n, at=T0 + dt.timedelta(days=3, minutes=n))
            for n in range(per_project - len(events))
        ]
        for event in events:
            answer = await site.post(event)
            assert answer.status_code == 202, answer.text
            assert answer.json()["status"] == "pending"
            submitted[project].append(event["id"])

    await asyncio.gather(*(post_project(p) for p in projects))
    assert await _wait_decided(db, base + EVENTS) == base + EVENTS

    for project in projects:
        rows = await db.fetch(
            "SELECT seq, event_id FROM trail WHERE project_id = $1 ORDER BY seq", project
        )
        assert [r["event_id"] for r in rows] == submitted[project]
        assert [r["seq"] for r in rows] == list(range(1, per_project + 1))
        verify = (await site.get(f"/v1/projects/{project}/verify")).json()
        assert verify["ok"] and verify["length"] == per_project
    total = await db.fetchval("SELECT count(*) FROM trail WHERE project_id = ANY($1)", projects)
    assert total == EVENTS


async def test_the_same_event_posted_twice_is_sealed_once(
    site: Site, db: asyncpg.Connection
) -> None:
    project = f"DUP-{uuid.uuid4().hex[:6]}"
    first = registration(project)
    answers = await asyncio.gather(*(site.post(first, wait=10) for _ in range(3)))
    assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
    assert {a.json()["seq"] for a in answers} == {1}
    again = await site.post(first, wait=10)
    assert again.status_code == 200 and again.json()["seq"] == 1
    assert await db.fetchval("SELECT count(*) FROM trail WHERE project_id = $1", project) == 1


async def test_same_id_with_other_content_is_a_recorded_conflict(
    site: Site, db: asyncpg.Connection, environment: Environment
) -> None:
    project = f"CONF-{uuid.uuid4().hex[:6]}"
    original = registration(project)
    await site.sealed(original)
    forged = appointment(project, "construction", event_id=original["id"])
    # Through the gateway: 409 naming the conflict, recorded; the original stands.
    answer = await site.post(forged, wait=10)
    assert answer.status_code == 409, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["errors"] == [
        {"field": "id", "reason": "already used for different content (sealed)"}
    ]
    assert answer.json()["id"] == original["id"]
    kept = await db.fetchval(
        "SELECT count(*) FROM ingest_rejections WHERE event_id = $1 AND status = 409",
        original["id"],
    )
    assert kept == 1
    # The same content again is the old outcome.
    same = await site.post(original, wait=10)
    assert same.status_code == 200 and same.json()["seq"] == 1
    # In a batch, the conflicting item gets the problem, the others their status.
    batch = await site.post_batch([forged, appointment(project, "design")])
    assert batch.status_code == 200
    first, second = batch.json()["results"]
    assert first["status"] == 409 and first["errors"][0]["field"] == "[0].id"
    assert second["status"] == "pending"
    # A second copy that reaches the recorder (a racing retry) is refused as a conflict.
    producer = EventProducer(environment.settings, "gateway")
    await producer.start()
    try:
        await producer.publish(
            environment.settings.topic_submitted, project, json.dumps(forged).encode()
        )
    finally:
        await producer.stop()
    code = None
    for _ in range(100):
        code = await db.fetchval(
            "SELECT reason_code FROM rejections WHERE event_id = $1 AND conflict", original["id"]
        )
        if code:
            break
        await asyncio.sleep(0.1)
    assert code == "event.id_conflict"
    rows = await db.fetch("SELECT seq, event_id, type FROM trail WHERE project_id = $1", project)
    assert sorted((r["seq"], r["event_id"]) for r in rows)[0] == (1, original["id"])
    assert [r["type"] for r in rows].count(forged["type"]) == 1  # the batch's own appointment
    status = (await site.get(f"/v1/events/{original['id']}", as_="owner")).json()
    assert status["status"] == "sealed" and status["seq"] == 1


async def test_an_id_still_pending_is_not_taken_by_other_content(
    site: Site, db: asyncpg.Connection
) -> None:
    project = f"CONFP-{uuid.uuid4().hex[:6]}"
    original = registration(project)
    first = await site.post(original)
    assert first.status_code in (200, 202)
    forged = registration(f"{project}-X", event_id=original["id"])
    answer = await site.post(forged)
    assert answer.status_code == 409, answer.text
    sealed = await site.post(original, wait=10)
    assert sealed.json()["status"] == "sealed" and sealed.json()["project"] == project


async def test_status_answers_pending_sealed_rejected_and_unknown(site: Site) -> None:
    project = f"ST-{uuid.uuid4().hex[:6]}"
    early = appointment(project, "construction")
    answer = await site.post(early, wait=10)
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "rejected"
    assert body["reason"]["code"] == "project.not_registered"
    assert body["reason"]["zh"] and body["reason"]["en"]
    status = (await site.get(f"/v1/events/{early['id']}", as_="owner")).json()
    assert status["status"] == "rejected"
    sealed = await site.sealed(registration(project))
    assert len(sealed["hash"]) == 64
    missing = await site.get("/v1/events/evt-never-sent-123", as_="owner")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")


async def test_invalid_event_names_each_field_and_is_recorded(
    site: Site, db: asyncpg.Connection
) -> None:
    bad = registration(f"BAD-{uuid.uuid4().hex[:6]}")
    bad["time"] = "yesterday"
    bad["data"] = {**bad["data"], "design_life_years": "fifty", "floor_area_m2": -3}
    answer = await site.post(bad)
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    fields = {e["field"] for e in answer.json()["errors"]}
    assert {"time", "data.design_life_years", "data.floor_area_m2"} <= fields
    recorded = await db.fetchval(
        "SELECT count(*) FROM ingest_rejections WHERE event_id = $1", bad["id"]
    )
    assert recorded == 1
    assert await db.fetchval("SELECT count(*) FROM submissions WHERE event_id = $1", bad["id"]) == 0


async def test_malformed_json_and_wrong_media_type_are_problems(
    client: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    headers = auth(tokens["owner"])
    answer = await client.post("/v1/events", content=b"{nope", headers=STRUCTURED | headers)
    assert answer.status_code == 400 and answer.json()["errors"][0]["field"] == "(body)"
    answer = await client.post(
        "/v1/events", content=b"{}", headers={"content-type": "text/plain"} | headers
    )
    assert answer.status_code == 415 and answer.json()["errors"][0]["field"] == "content-type"


async def test_trail_pages_follow_the_chain(site: Site) -> None:
    project = f"PAGE-{uuid.uuid4().hex[:6]}"
    await site.opened(project)
    await site.sealed(appointment(project, "construction"))
    for n in range(1, 3):  # five records in all: two pages of two, then one
        await site.sealed(lot(project, n))
    page = (await site.get(f"/v1/projects/{project}/trail", limit=2)).json()
    assert [r["seq"] for r in page["records"]] == [1, 2]
    assert page["records"][1]["record"]["prev_hash"] == page["records"][0]["hash"]
    rest = (await site.get(page["next"])).json()
    assert [r["seq"] for r in rest["records"]] == [3, 4]
    last = (await site.get(rest["next"])).json()
    assert [r["seq"] for r in last["records"]] == [5] and last["next"] is None
    assert (await site.get("/v1/projects/NOPE-404/trail")).status_code == 404


async def test_health_and_metrics(client: httpx.AsyncClient) -> None:
    health = await client.get("/healthz")
    assert health.status_code == 200
    assert health.json()["checks"] == {"postgres": True, "kafka": True}
    metrics = await client.get("/metrics")
    assert "qtrail_gateway_events_total" in metrics.text


async def test_every_result_of_a_batch_links_to_its_own_status(site: Site) -> None:
    project = f"SU-{uuid.uuid4().hex[:6]}"
    roles = ("owner", "survey", "design", "construction", "supervision")
    # one key for the whole batch: the owner's registration and appointments (the station's
    # acceptance is not needed to appoint)
    events = [registration(project), *(appointment(project, role) for role in roles)]
    batch = await site.post_batch(events, wait=15)
    results = batch.json()["results"]
    assert [r["id"] for r in results] == [e["id"] for e in events]
    for event, result in zip(events, results, strict=True):
        assert result["status_url"].endswith(f"/v1/events/{event['id']}")
        status = await site.client.get(result["status_url"], headers=auth(site.tokens["owner"]))
        assert status.json()["id"] == event["id"]
        assert status.json()["status_url"] == result["status_url"]
