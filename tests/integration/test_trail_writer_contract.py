"""The TrailWriter port's contract, held by the real PostgreSQL adapter: a taken seq is a
Collision, what PostgreSQL can never hold is Unstorable, and neither leaves anything written."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from services.adapters.postgres.pool import create_pool
from services.adapters.postgres.trail_store import TrailStore
from services.application.ports import Collision, Unstorable
from services.domain.recording import BatchDecision, decide_batch
from services.domain.submission import read_submission
from tests.support.events import registration
from tests.support.stack import Environment

NOW = dt.datetime.now(dt.UTC)


@pytest.fixture
async def store(environment: Environment) -> AsyncIterator[TrailStore]:
    pool = await create_pool(environment.settings, "recorder", max_size=2)
    yield TrailStore(pool)
    await pool.close()


def _decided(project: str) -> BatchDecision:
    raw = json.dumps(registration(project, at=NOW - dt.timedelta(hours=1))).encode()
    return decide_batch([(raw, read_submission(raw))], {}, {}, NOW)


async def _rows(db: asyncpg.Connection, project: str) -> int:
    return int(await db.fetchval("SELECT count(*) FROM trail WHERE project_id = $1", project))


async def test_a_taken_seq_is_a_collision_and_writes_nothing(
    store: TrailStore, db: asyncpg.Connection
) -> None:
    project = f"PORT-{uuid.uuid4().hex[:6]}"
    first = _decided(project)
    await store.record(first, NOW)
    rival = _decided(project)  # another writer's decision for the same seq 1
    with pytest.raises(Collision):
        await store.record(rival, NOW)
    assert await _rows(db, project) == 1


async def test_what_postgresql_cannot_hold_is_unstorable_and_writes_nothing(
    store: TrailStore, db: asyncpg.Connection
) -> None:
    project = f"PORT-{uuid.uuid4().hex[:6]}"
    decision = _decided(project)
    state = decision.states[project]
    decision.states[project] = state.model_copy(update={"counts": {"A\u0000B": 1}})
    with pytest.raises(Unstorable) as refused:
        await store.record(decision, NOW)
    assert isinstance(refused.value.cause, asyncpg.PostgresError | ValueError)
    assert await _rows(db, project) == 0
