"""The trail cannot be rewritten through the services, and a superuser's rewrite is detected."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg
import httpx
import pytest

from tests.support.events import STRUCTURED, lot, registration
from tests.support.stack import Environment


async def _sealed_project(client: httpx.AsyncClient, events: int) -> str:
    project = f"TAMPER-{uuid.uuid4().hex[:6]}"
    answer = await client.post(
        "/v1/events", params={"wait": 10}, json=registration(project), headers=STRUCTURED
    )
    assert answer.json()["status"] == "sealed"
    for n in range(1, events):
        event = lot(project, n, at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC) + dt.timedelta(hours=n))
        answer = await client.post(
            "/v1/events", params={"wait": 10}, json=event, headers=STRUCTURED
        )
        assert answer.json()["status"] == "sealed", answer.text
    return project


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE trail SET type = 'x' WHERE project_id = $1",
        "DELETE FROM trail WHERE project_id = $1",
        "UPDATE outcomes SET status = 'rejected' WHERE project_id = $1",
        "DELETE FROM rejections WHERE project_id = $1",
    ],
)
async def test_services_role_cannot_change_the_record(
    client: httpx.AsyncClient, db: asyncpg.Connection, statement: str
) -> None:
    project = await _sealed_project(client, 2)
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await db.execute(statement, project)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE trail SET type = 'x' WHERE project_id = '{p}'",
        "DELETE FROM trail WHERE project_id = '{p}'",
        "TRUNCATE trail",
        "TRUNCATE trail_p00",
        "TRUNCATE outcomes",
    ],
)
async def test_triggers_refuse_even_the_tables_owner(
    client: httpx.AsyncClient, environment: Environment, statement: str
) -> None:
    project = await _sealed_project(client, 2)
    owner = await asyncpg.connect(environment.settings.dsn(owner=True))
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await owner.execute(statement.format(p=project))
    finally:
        await owner.close()


async def test_a_superusers_edit_is_named_by_verify(
    client: httpx.AsyncClient, superuser: asyncpg.Connection
) -> None:
    project = await _sealed_project(client, 5)
    assert (await client.get(f"/v1/projects/{project}/verify")).json()["ok"]
    # A superuser can switch triggers off for a session; the chain still tells.
    await superuser.execute("SET session_replication_role = replica")
    await superuser.execute(
        """UPDATE trail SET record = replace(convert_from(record, 'UTF8'), 'LOT-00002', 'LOT-00099')::bytea
           WHERE project_id = $1 AND seq = 3""",
        project,
    )
    verify = (await client.get(f"/v1/projects/{project}/verify")).json()
    assert verify["ok"] is False
    assert verify["first_bad_seq"] == 3
    assert verify["length"] == 2
    assert "edited" in verify["problem"]


async def test_a_superusers_deleted_record_is_named_by_verify(
    client: httpx.AsyncClient, superuser: asyncpg.Connection
) -> None:
    project = await _sealed_project(client, 4)
    await superuser.execute("SET session_replication_role = replica")
    await superuser.execute("DELETE FROM trail WHERE project_id = $1 AND seq = 2", project)
    verify = (await client.get(f"/v1/projects/{project}/verify")).json()
    assert verify["ok"] is False and verify["first_bad_seq"] == 2
    assert "missing" in verify["problem"]
