"""Each port's contract runs twice: against its in-memory fake (tests/support/fakes.py) and against
the real adapter on this module's own PostgreSQL database (or Kafka topics, or folder), so the
fakes the unit tests rely on cannot drift from what they stand for."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

import pytest

from services.adapters.postgres.checkpoints import CheckpointStore
from services.adapters.postgres.pool import create_pool
from services.adapters.postgres.read_models import LiveReadModels
from services.adapters.postgres.repairs_due import PostgresRepairsDue
from services.adapters.postgres.trail_reader import PostgresTrailReader
from services.adapters.postgres.trail_writer import PostgresTrailWriter
from services.application.ports import (
    CheckpointLog,
    ReadModels,
    RepairsDue,
    TrailReader,
    TrailWriter,
)
from tests.support.fakes import (
    MemoryCheckpointLog,
    MemoryDatabase,
    MemoryReadModels,
    MemoryRepairsDue,
    MemoryTrail,
)
from tests.support.stack import Environment


class Trail(TrailWriter, TrailReader, Protocol):
    """The trail's two ports, driven together by the suites."""


class PostgresTrail(PostgresTrailWriter, PostgresTrailReader):
    """Both PostgreSQL sides of the trail over one pool."""


@dataclass(frozen=True)
class Storage:
    """One backend's adapters over the same tables, and what an operator does to them by hand."""

    trail: Trail
    log: CheckpointLog
    models: ReadModels
    stale_snapshot: Callable[[str], Awaitable[None]]
    """Leave a project's snapshot in an unknown version (as a code upgrade does)."""
    repairs_due: RepairsDue


@pytest.fixture(params=["memory", "postgresql"])
def backend(request: pytest.FixtureRequest) -> Environment | None:
    """None for the memory fakes; the module's environment for the real adapters (set up only
    when a real run asks for it)."""
    if request.param == "memory":
        return None
    environment: Environment = request.getfixturevalue("environment")
    return environment


@pytest.fixture
async def storage(backend: Environment | None) -> AsyncIterator[Storage]:
    if backend is None:
        db = MemoryDatabase()

        async def forget(project_id: str) -> None:
            head = db.heads[project_id]
            db.heads[project_id] = dataclasses.replace(head, state={"snapshot_version": -1})

        yield Storage(
            MemoryTrail(db),
            MemoryCheckpointLog(db),
            MemoryReadModels(db),
            forget,
            MemoryRepairsDue(db),
        )
        return
    pool = await create_pool(backend.settings, "recorder", max_size=4)

    async def outdated(project_id: str) -> None:
        await pool.execute(
            "UPDATE project_heads SET state = $2 WHERE project_id = $1",
            project_id,
            {"snapshot_version": -1},
        )

    try:
        yield Storage(
            PostgresTrail(pool),
            CheckpointStore(pool),
            LiveReadModels(pool),
            outdated,
            PostgresRepairsDue(pool),
        )
    finally:
        await pool.close()
