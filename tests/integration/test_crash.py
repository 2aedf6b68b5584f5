"""SIGKILL the recorder mid-stream, twice, and restart it: nothing lost, nothing doubled."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import asyncpg
import httpx
import pytest

from tests.support.client import Site
from tests.support.events import appointment, lot, opened
from tests.support.keys import issue_keys
from tests.support.processes import Api, Process
from tests.support.stack import Environment, dispose, new_environment, provision
from tests.support.topics import read_all

PROJECTS = 10
PER_PROJECT = 200


@pytest.fixture
def crash_environment(stack: None) -> Iterator[Environment]:
    env = new_environment(QTRAIL_RECORDER_BATCH="10")
    asyncio.run(provision(env))
    yield env
    asyncio.run(dispose(env))


async def _count(db: asyncpg.Connection) -> int:
    return int(await db.fetchval("SELECT count(*) FROM outcomes"))


async def _kill_when(recorder: Process, db: asyncpg.Connection, at_least: int, total: int) -> int:
    for _ in range(12000):
        count = await _count(db)
        if count >= at_least:
            recorder.kill()
            return count
        assert recorder.alive(), recorder.log_tail()
        await asyncio.sleep(0.005)
    raise AssertionError(f"recorder never reached {at_least} of {total}:\n{recorder.log_tail()}")


async def test_recorder_killed_twice_loses_and_doubles_nothing(
    crash_environment: Environment,
) -> None:
    env = crash_environment
    total = PROJECTS * PER_PROJECT
    projects = [f"CRASH-{env.suffix}-{i}" for i in range(PROJECTS)]
    submitted: dict[str, list[str]] = {p: [] for p in projects}
    api = Api(env).start()
    try:
        tokens = await issue_keys(env)
        async with httpx.AsyncClient(base_url=api.base_url, timeout=60) as client:
            site = Site(client, tokens)

            async def post_project(project: str) -> None:
                events = [*opened(project), appointment(project, "construction")]
                events += [lot(project, n) for n in range(PER_PROJECT - len(events))]
                for event in events:
                    answer = await site.post(event)
                    assert answer.status_code == 202, answer.text
                    submitted[project].append(event["id"])

            await asyncio.gather(*(post_project(p) for p in projects))
    finally:
        api.stop()

    db = await asyncpg.connect(env.settings.dsn("reader"))
    recorder = Process("recorder", env).start()
    try:
        first = await _kill_when(recorder, db, 1, total)
        recorder = Process("recorder", env).start()
        second = await _kill_when(recorder, db, first + 300, total)
        assert 0 < first < second < total, "both kills must land mid-stream"
        recorder = Process("recorder", env).start()
        for _ in range(1200):
            if await _count(db) >= total:
                break
            await asyncio.sleep(0.1)
        assert await _count(db) == total

        for project in projects:
            rows = await db.fetch(
                "SELECT seq, event_id FROM trail WHERE project_id = $1 ORDER BY seq", project
            )
            assert [r["event_id"] for r in rows] == submitted[project]
            assert [r["seq"] for r in rows] == list(range(1, PER_PROJECT + 1))
        assert await db.fetchval("SELECT count(*) FROM trail") == total
        assert await db.fetchval("SELECT count(*) FROM rejections") == 0
    finally:
        recorder.stop()

    from services.adapters.postgres.pool import create_pool
    from services.adapters.postgres.trail_reader import PostgresTrailReader
    from services.application.verify import verify_project

    pool = await create_pool(env.settings, "reader", max_size=2)
    try:
        for project in projects:
            result = await verify_project(PostgresTrailReader(pool), project)
            assert result.ok and result.length == PER_PROJECT
    finally:
        await pool.close()

    # Every sealed record reached the trail topic at least once (re-published after a crash).
    published = {
        (m["record"]["project_id"], m["record"]["seq"])
        for m in map(
            json.loads,
            await read_all(
                env.settings,
                env.settings.topic_trail,
                env.settings.kafka_partitions,
            ),
        )
    }
    assert published == {(p, s) for p in projects for s in range(1, PER_PROJECT + 1)}
    await db.close()
