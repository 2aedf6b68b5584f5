"""HTTP → Kafka → recorder → PostgreSQL, on the real stack."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid

import asyncpg
import httpx

from services.adapters.kafka.producer import EventProducer
from tests.support.events import STRUCTURED, lot, registration
from tests.support.stack import Environment

PROJECTS = 20
EVENTS = 1000


async def _post(
    client: httpx.AsyncClient, event: dict[str, object], wait: float = 0
) -> httpx.Response:
    return await client.post("/v1/events", params={"wait": wait}, json=event, headers=STRUCTURED)


async def _wait_sealed(db: asyncpg.Connection, expected: int, timeout_s: float = 120) -> int:
    deadline = asyncio.get_running_loop().time() + timeout_s
    count = 0
    while asyncio.get_running_loop().time() < deadline:
        count = await db.fetchval("SELECT count(*) FROM outcomes")
        if count >= expected:
            return int(count)
        await asyncio.sleep(0.2)
    return int(count)


async def test_thousand_events_over_twenty_projects_are_sealed_once_in_order(
    client: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    run = uuid.uuid4().hex[:6]
    projects = [f"P-{run}-{i:02d}" for i in range(PROJECTS)]
    per_project = EVENTS // PROJECTS
    submitted: dict[str, list[str]] = {p: [] for p in projects}
    base_outcomes = await db.fetchval("SELECT count(*) FROM outcomes")

    async def post_project(project: str) -> None:
        # One site app per project posts in order; the twenty apps run concurrently.
        first = registration(project)
        answer = await _post(client, first)
        assert answer.status_code == 202, answer.text
        submitted[project].append(first["id"])
        for n in range(1, per_project):
            event = lot(
                project, n, at=dt.datetime(2026, 2, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=n)
            )
            answer = await _post(client, event)
            assert answer.status_code == 202, answer.text
            assert answer.json()["status"] == "pending"
            submitted[project].append(event["id"])

    await asyncio.gather(*(post_project(p) for p in projects))
    assert await _wait_sealed(db, base_outcomes + EVENTS) == base_outcomes + EVENTS

    for project in projects:
        rows = await db.fetch(
            "SELECT seq, event_id FROM trail WHERE project_id = $1 ORDER BY seq", project
        )
        assert [r["event_id"] for r in rows] == submitted[project]
        assert [r["seq"] for r in rows] == list(range(1, per_project + 1))
        verify = (await client.get(f"/v1/projects/{project}/verify")).json()
        assert verify["ok"] and verify["length"] == per_project
    total = await db.fetchval("SELECT count(*) FROM trail WHERE project_id = ANY($1)", projects)
    assert total == EVENTS


async def test_the_same_event_posted_twice_is_sealed_once(
    client: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    project = f"DUP-{uuid.uuid4().hex[:6]}"
    first = registration(project)
    answers = await asyncio.gather(*(_post(client, first, wait=10) for _ in range(3)))
    assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
    assert {a.json()["seq"] for a in answers} == {1}
    again = await _post(client, first, wait=10)
    assert again.status_code == 200 and again.json()["seq"] == 1
    assert await db.fetchval("SELECT count(*) FROM trail WHERE project_id = $1", project) == 1


async def test_same_id_with_other_content_is_a_recorded_conflict(
    client: httpx.AsyncClient, db: asyncpg.Connection, environment: Environment
) -> None:
    project = f"CONF-{uuid.uuid4().hex[:6]}"
    original = registration(project)
    assert (await _post(client, original, wait=10)).json()["status"] == "sealed"
    forged = lot(project, 1, event_id=original["id"])
    # Through the gateway, the decided outcome answers and the original stands.
    answer = await _post(client, forged, wait=10)
    assert answer.json()["status"] == "sealed" and answer.json()["seq"] == 1
    # A second copy that reaches the recorder (a racing retry) is refused as a conflict.
    producer = EventProducer(environment.settings)
    await producer.start()
    try:
        await producer.publish(
            environment.settings.topic_submitted, project, json.dumps(forged).encode()
        )
    finally:
        await producer.stop()
    for _ in range(100):
        code = await db.fetchval(
            "SELECT reason_code FROM rejections WHERE event_id = $1 AND conflict", original["id"]
        )
        if code:
            break
        await asyncio.sleep(0.1)
    assert code == "event.id_conflict"
    assert await db.fetchval("SELECT count(*) FROM trail WHERE project_id = $1", project) == 1
    status = (await client.get(f"/v1/events/{original['id']}")).json()
    assert status["status"] == "sealed" and status["seq"] == 1


async def test_status_answers_pending_sealed_rejected_and_unknown(
    client: httpx.AsyncClient,
) -> None:
    project = f"ST-{uuid.uuid4().hex[:6]}"
    early = lot(project, 1)
    answer = await _post(client, early, wait=10)
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "rejected"
    assert body["reason"]["code"] == "project.not_registered"
    assert body["reason"]["zh"] and body["reason"]["en"]
    status = (await client.get(f"/v1/events/{early['id']}")).json()
    assert status["status"] == "rejected"
    sealed = await _post(client, registration(project), wait=10)
    assert sealed.json()["status"] == "sealed"
    assert len(sealed.json()["hash"]) == 64
    missing = await client.get("/v1/events/evt-never-sent-123")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")


async def test_invalid_event_names_each_field_and_is_recorded(
    client: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    bad = registration(f"BAD-{uuid.uuid4().hex[:6]}")
    bad["actororg"] = "not-a-code"
    bad["data"] = {**bad["data"], "design_life_years": "fifty", "floor_area_m2": -3}
    answer = await _post(client, bad)
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    fields = {e["field"] for e in answer.json()["errors"]}
    assert {"actororg", "data.design_life_years", "data.floor_area_m2"} <= fields
    recorded = await db.fetchval(
        "SELECT count(*) FROM ingest_rejections WHERE event_id = $1", bad["id"]
    )
    assert recorded == 1
    assert await db.fetchval("SELECT count(*) FROM submissions WHERE event_id = $1", bad["id"]) == 0


async def test_malformed_json_and_wrong_media_type_are_problems(client: httpx.AsyncClient) -> None:
    answer = await client.post("/v1/events", content=b"{nope", headers=STRUCTURED)
    assert answer.status_code == 400 and answer.json()["errors"][0]["field"] == "(body)"
    answer = await client.post("/v1/events", content=b"{}", headers={"content-type": "text/plain"})
    assert answer.status_code == 415 and answer.json()["errors"][0]["field"] == "content-type"


async def test_trail_pages_follow_the_chain(client: httpx.AsyncClient) -> None:
    project = f"PAGE-{uuid.uuid4().hex[:6]}"
    await _post(client, registration(project), wait=10)
    for n in range(1, 5):
        await _post(client, lot(project, n, at=dt.datetime(2026, 3, n, tzinfo=dt.UTC)), wait=10)
    page = (await client.get(f"/v1/projects/{project}/trail", params={"limit": 2})).json()
    assert [r["seq"] for r in page["records"]] == [1, 2]
    assert page["records"][1]["record"]["prev_hash"] == page["records"][0]["hash"]
    rest = (await client.get(page["next"])).json()
    assert [r["seq"] for r in rest["records"]] == [3, 4]
    last = (await client.get(rest["next"])).json()
    assert [r["seq"] for r in last["records"]] == [5] and last["next"] is None
    assert (await client.get("/v1/projects/NOPE-404/trail")).status_code == 404


async def test_health_and_metrics(client: httpx.AsyncClient) -> None:
    health = await client.get("/healthz")
    assert health.status_code == 200
    assert health.json()["checks"] == {"postgres": True, "kafka": True}
    metrics = await client.get("/metrics")
    assert "qtrail_gateway_events_total" in metrics.text
