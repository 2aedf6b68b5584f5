"""API keys: every write needs one, reads need a role on the project or a regulator key."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import httpx

from services.adapters.postgres.keys import KeyStore
from services.domain.access import KeyKind
from tests.support.client import Site
from tests.support.events import OWNER, STRUCTURED, appointment, registration
from tests.support.keys import auth
from tests.support.stack import Environment


async def test_writes_without_a_key_are_401_problems(client: httpx.AsyncClient) -> None:
    answer = await client.post("/v1/events", json=registration("NOKEY-1"), headers=STRUCTURED)
    assert answer.status_code == 401
    assert answer.headers["content-type"].startswith("application/problem+json")
    bad = await client.post(
        "/v1/events", json=registration("NOKEY-1"), headers=STRUCTURED | auth("qtk_nope.nope")
    )
    assert bad.status_code == 401


async def test_a_key_acts_only_for_its_own_organization(site: Site, tokens: dict[str, str]) -> None:
    project = f"AUTH-{uuid.uuid4().hex[:6]}"
    forged = registration(project)
    answer = await site.client.post(
        "/v1/events", json=forged, headers=STRUCTURED | auth(tokens["construction"])
    )
    assert answer.status_code == 403
    assert answer.json()["errors"][0]["field"] == "actororg"
    as_lab = registration(project, role="lab")
    answer = await site.client.post(
        "/v1/events", json=as_lab, headers=STRUCTURED | auth(tokens["owner"])
    )
    assert answer.status_code == 403 and answer.json()["errors"][0]["field"] == "actorrole"
    regulator = await site.client.post(
        "/v1/events", json=forged, headers=STRUCTURED | auth(tokens["regulator"])
    )
    assert regulator.status_code == 403


async def test_reads_need_a_role_on_the_project(site: Site) -> None:
    project = f"READ-{uuid.uuid4().hex[:6]}"
    await site.sealed(registration(project))
    await site.sealed(appointment(project, "survey"))
    for who, expected in [
        ("owner", 200),
        ("survey", 200),
        ("regulator", 200),
        ("design", 403),
        ("stranger", 403),
    ]:
        answer = await site.get(f"/v1/projects/{project}/trail", as_=who)
        assert answer.status_code == expected, (who, answer.text)
    missing = await site.client.get(f"/v1/projects/{project}")
    assert missing.status_code == 401


async def test_revocation_takes_effect_at_once(
    client: httpx.AsyncClient, environment: Environment
) -> None:
    pool = await asyncpg.create_pool(environment.settings.dsn("migrator"), min_size=1, max_size=2)
    assert pool is not None
    try:
        store = KeyStore(pool)
        key_id, token = await store.create(OWNER, KeyKind.PARTY, "to revoke")
        project = f"REVOKE-{uuid.uuid4().hex[:6]}"
        headers = STRUCTURED | auth(token)
        ok = await client.post("/v1/events", json=registration(project), headers=headers)
        assert ok.status_code == 202
        assert await store.revoke(key_id)
        refused = await client.post("/v1/events", json=registration(project + "b"), headers=headers)
        assert refused.status_code == 401
    finally:
        await pool.close()


async def test_rejections_reach_the_rejected_topic_and_the_status(
    site: Site, environment: Environment
) -> None:
    from tests.support.topics import read_all

    project = f"REJ-{uuid.uuid4().hex[:6]}"
    await site.sealed(registration(project))
    intruder = appointment(project, "survey", org=None)
    intruder["actororg"], intruder["actorrole"] = intruder["data"]["org_code"], "survey"
    answer = (await site.post(intruder, wait=10)).json()
    assert answer["status"] == "rejected" and answer["reason"]["code"] == "auth.role_not_allowed"
    for _ in range(50):
        messages = await read_all(
            environment.settings,
            environment.settings.topic_rejected,
            environment.settings.kafka_partitions,
        )
        found = [m for m in messages if intruder["id"].encode() in m]
        if found:
            break
        await asyncio.sleep(0.1)
    assert found and b"auth.role_not_allowed" in found[0]


async def test_unstorable_characters_and_empty_sign_in_are_client_errors(
    client: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    headers = auth(tokens["owner"])
    assert (await client.get("/v1/events/abc%00def", headers=headers)).status_code == 400
    assert (await client.get("/v1/projects/abc%00def/trail", headers=headers)).status_code == 400
    assert (
        await client.get("/v1/events/x", headers=auth("qtk_ab\x00c.x"[:4] + "zz.x"))
    ).status_code == 401
    empty = await client.post("/regulator/login", data={"key": ""})
    assert empty.status_code == 422
    odd = await client.post(
        "/regulator/login", data={"key": "qtk_ab\x00c.x"}, follow_redirects=False
    )
    assert odd.status_code == 303 and "error" in odd.headers["location"]
