"""The trail cannot be rewritten through the services, and a superuser's rewrite is detected."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from services.settings import DbRole
from tests.support.client import Site
from tests.support.events import appointment, lot, opened
from tests.support.stack import Environment

OPENING = len(opened("XZ-ANY")) + 1
"""A sealed project's records before its lots: opened, then construction appointed."""


async def _sealed_project(site: Site, events: int) -> str:
    """A project of ``events`` sealed records (at least ``OPENING``), lots 1, 2, … last."""
    assert events >= OPENING
    project = f"TAMPER-{uuid.uuid4().hex[:6]}"
    await site.opened(project)
    await site.sealed(appointment(project, "construction"))
    for n in range(1, events - OPENING + 1):
        await site.sealed(lot(project, n))
    return project


@pytest.mark.parametrize("role", ["api", "recorder"])
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE trail SET type = 'x' WHERE project_id = $1",
        "DELETE FROM trail WHERE project_id = $1",
        "UPDATE outcomes SET status = 'rejected' WHERE project_id = $1",
        "DELETE FROM rejections WHERE project_id = $1",
    ],
)
async def test_services_roles_cannot_change_the_record(
    site: Site, environment: Environment, role: DbRole, statement: str
) -> None:
    project = await _sealed_project(site, OPENING)
    conn = await asyncpg.connect(environment.settings.dsn(role))
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
            await conn.execute(statement, project)
    finally:
        await conn.close()


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
    site: Site, environment: Environment, statement: str
) -> None:
    project = await _sealed_project(site, OPENING)
    owner = await asyncpg.connect(environment.settings.dsn("migrator"))
    try:
        await owner.execute("SET ROLE qtrail_owner")
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await owner.execute(statement.format(p=project))
    finally:
        await owner.close()


async def test_a_superusers_edit_is_named_by_verify(
    site: Site, superuser: asyncpg.Connection
) -> None:
    project = await _sealed_project(site, OPENING + 2)
    assert (await site.get(f"/v1/projects/{project}/verify")).json()["ok"]
    # A superuser can switch triggers off for a session; the chain still tells.
    await superuser.execute("SET session_replication_role = replica")
    lot_1 = OPENING + 1
    await superuser.execute(
        """UPDATE trail SET record = replace(convert_from(record, 'UTF8'), 'LOT-00001', 'LOT-00099')::bytea
           WHERE project_id = $1 AND seq = $2""",
        project,
        lot_1,
    )
    verify = (await site.get(f"/v1/projects/{project}/verify")).json()
    assert verify["ok"] is False
    assert verify["first_bad_seq"] == lot_1
    assert verify["length"] == lot_1 - 1
    assert "edited" in verify["problem"]


async def test_a_superusers_deleted_record_is_named_by_verify(
    site: Site, superuser: asyncpg.Connection
) -> None:
    project = await _sealed_project(site, OPENING + 1)
    await superuser.execute("SET session_replication_role = replica")
    await superuser.execute("DELETE FROM trail WHERE project_id = $1 AND seq = 2", project)
    verify = (await site.get(f"/v1/projects/{project}/verify")).json()
    assert verify["ok"] is False and verify["first_bad_seq"] == 2
    assert "missing" in verify["problem"]
