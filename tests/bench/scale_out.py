"""The batch phase again with two recorder workers, and with two API processes: on one 2-core
host they cannot double, but they must not drop (issue 14, item 4). Each shape gets fresh
projects, so every run starts from the same empty chains."""

from __future__ import annotations

import os
import time
from typing import Any

import aiohttp
import asyncpg

from tests.bench import batch as batch_load
from tests.support.processes import Api, Process
from tests.support.stack import Environment, free_port

EVENTS = int(os.environ.get("QTRAIL_BENCH_SCALE_OUT_EVENTS", "30000"))
SHAPES = (("1 recorder, 1 API", 1, 1), ("2 recorders, 1 API", 2, 1), ("1 recorder, 2 APIs", 1, 2))


async def run(
    env: Environment, tokens: dict[str, str], projects: int, size: int, clients: int
) -> list[dict[str, Any]]:
    """Sealed and accepted per second of each shape, in the order of ``SHAPES``."""
    return [
        await _shape(env, tokens, name, recorders, apis, projects, size, clients)
        for name, recorders, apis in SHAPES
    ]


async def _shape(
    env: Environment,
    tokens: dict[str, str],
    name: str,
    recorders: int,
    apis: int,
    projects: int,
    size: int,
    clients: int,
) -> dict[str, Any]:
    started_recorders = [
        Process(f"recorder-{n}", env, module="services.recorder").start() for n in range(recorders)
    ]
    started_apis = [Api(env, port=free_port()).start() for _ in range(apis)]
    urls = [api.base_url for api in started_apis]
    tag = f"SO{recorders}{apis}-{env.suffix}"
    ids = [f"{tag}-{i}" for i in range(projects)]
    db = await asyncpg.create_pool(env.settings.dsn("reader"), min_size=1, max_size=1)
    try:
        async with aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=clients * 2)
        ) as client:
            await batch_load.staff(client, urls[0], tokens, ids)
            decided = await batch_load.Decided(db, ids).mark()
            start = time.perf_counter()
            sent = await batch_load.send(
                client,
                urls,
                tokens["construction"],
                batch_load.lot_batches(ids, EVENTS, size),
                clients,
            )
            done = await decided.until(sent.accepted, timeout_s=max(300, sent.accepted / 50))
            sealed, rejected = await decided.counts()
    finally:
        await db.close()
        for api in started_apis:
            api.stop()
        for recorder in started_recorders:
            recorder.stop()
    figures = {
        "shape": name,
        "recorders": recorders,
        "apis": apis,
        "events": EVENTS,
        "accepted_per_s": sent.accepted / sent.seconds,
        "sealed_per_s": sealed / (done - start),
        "rejected": rejected,
    }
    print(
        f"  {name:<22} accepted {figures['accepted_per_s']:>8,.0f}/s, "
        f"sealed {figures['sealed_per_s']:>8,.0f}/s"
    )
    return figures
