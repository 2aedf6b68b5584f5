"""``make bench``: qtrail's throughput against raw baselines measured in the same run.

Baselines: aiokafka pipelined produce+consume of messages the size of a sealed event, and asyncpg
COPY of the same trail rows. qtrail: single CloudEvents over HTTP until sealed in PostgreSQL.
Prints a table and writes the figures as JSON under .bench/ (git-ignored). Not a test: no
assertion on speed, only figures and ratios.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import platform
import time
import uuid
from typing import Any

import aiohttp
import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from services.domain.chain import GENESIS, seal
from tests.support.events import STRUCTURED, lot, registration
from tests.support.processes import Api, Process
from tests.support.stack import ROOT, Environment, dispose, ensure_stack, new_environment, provision

RAW_MESSAGES = int(os.environ.get("QTRAIL_BENCH_RAW", "20000"))
E2E_EVENTS = int(os.environ.get("QTRAIL_BENCH_EVENTS", "5000"))
E2E_PROJECTS = 50
CONCURRENCY = 32


def sample_records(n: int) -> list[Any]:
    records, prev = [], GENESIS
    for seq in range(1, n + 1):
        record = seal(
            project_id="BENCH-RAW",
            seq=seq,
            prev_hash=prev,
            event_id=f"evt-{uuid.uuid4()}",
            event_type="qtrail.quality.inspection_lot_accepted.v1",
            schema_version=1,
            source="bench",
            occurred_at=dt.datetime.now(dt.UTC),
            recorded_at=dt.datetime.now(dt.UTC),
            actor={"org": "91320300000000010X", "person": "测试人", "role": "owner"},
            data={
                "lot_code": f"LOT-{seq:05d}",
                "building_part": f"第 {seq} 批",
                "items": ["钢筋安装"],
            },
        )
        records.append(record)
        prev = record.hash
    return records


async def raw_kafka(env: Environment, payload: bytes) -> dict[str, float]:
    topic = env.settings.topic_alerts  # an empty topic of this run's own
    producer = AIOKafkaProducer(
        bootstrap_servers=env.settings.kafka_bootstrap,
        enable_idempotence=True,
        acks="all",
        linger_ms=2,
        max_batch_size=256 * 1024,
    )
    await producer.start()
    start = time.perf_counter()
    futures = [
        await producer.send(topic, payload, key=f"P-{i % E2E_PROJECTS}".encode())
        for i in range(RAW_MESSAGES)
    ]
    await asyncio.gather(*futures)
    produced = time.perf_counter() - start
    await producer.stop()
    consumer = AIOKafkaConsumer(
        bootstrap_servers=env.settings.kafka_bootstrap, enable_auto_commit=False
    )
    await consumer.start()
    partitions = [TopicPartition(topic, p) for p in range(env.settings.kafka_partitions)]
    consumer.assign(partitions)
    await consumer.seek_to_beginning(*partitions)
    received = 0
    while received < RAW_MESSAGES:
        batch = await consumer.getmany(timeout_ms=1000, max_records=5000)
        received += sum(len(v) for v in batch.values())
    total = time.perf_counter() - start
    await consumer.stop()
    return {"produce_per_s": RAW_MESSAGES / produced, "produce_consume_per_s": RAW_MESSAGES / total}


async def raw_copy(env: Environment, records: list[Any]) -> float:
    conn = await asyncpg.connect(env.settings.dsn(owner=True))
    try:
        await conn.execute("CREATE TEMP TABLE bench_trail (LIKE trail INCLUDING DEFAULTS)")
        rows = [
            (
                r.project_id,
                r.seq,
                r.event_id,
                r.type,
                r.occurred_at,
                r.recorded_at,
                "91320300000000010X",
                r.canonical,
                r.prev_hash,
                r.hash,
            )
            for r in records
        ]
        start = time.perf_counter()
        for i in range(0, len(rows), 500):  # the recorder's batch size
            async with conn.transaction():
                await conn.copy_records_to_table("bench_trail", records=rows[i : i + 500])
        return len(rows) / (time.perf_counter() - start)
    finally:
        await conn.close()


async def qtrail_end_to_end(env: Environment) -> dict[str, float]:
    recorder = Process("recorder", env).start()
    api = Api(env).start()
    try:
        projects = [f"BENCH-{env.suffix}-{i}" for i in range(E2E_PROJECTS)]
        # aiohttp drives the load: httpx's client costs more CPU than the server it measures.
        connector = aiohttp.TCPConnector(limit=CONCURRENCY)
        async with aiohttp.ClientSession(connector=connector) as client:
            url = f"{api.base_url}/v1/events"
            for project in projects:
                async with client.post(
                    url,
                    params={"wait": "10"},
                    data=json.dumps(registration(project)),
                    headers=STRUCTURED,
                ) as answer:
                    await answer.read()
            bodies = [
                json.dumps(lot(projects[i % E2E_PROJECTS], i)).encode() for i in range(E2E_EVENTS)
            ]
            latencies: list[float] = []

            async def worker() -> None:
                while bodies:
                    body = bodies.pop()
                    t0 = time.perf_counter()
                    async with client.post(url, data=body, headers=STRUCTURED) as answer:
                        await answer.read()
                        if answer.status != 202:
                            raise RuntimeError(await answer.text())
                    latencies.append(time.perf_counter() - t0)

            db = await asyncpg.connect(env.settings.dsn())
            base = await db.fetchval("SELECT count(*) FROM outcomes")
            start = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
            accepted = time.perf_counter() - start
            while await db.fetchval("SELECT count(*) FROM outcomes") < base + E2E_EVENTS:
                await asyncio.sleep(0.02)
            sealed = time.perf_counter() - start
            await db.close()
        latencies.sort()
        return {
            "accepted_per_s": E2E_EVENTS / accepted,
            "sealed_per_s": E2E_EVENTS / sealed,
            "post_p50_ms": latencies[len(latencies) // 2] * 1000,
            "post_p99_ms": latencies[int(len(latencies) * 0.99)] * 1000,
        }
    finally:
        api.stop()
        recorder.stop()


async def main() -> None:
    ensure_stack()
    env = new_environment(partitions=12)
    await provision(env)
    try:
        records = sample_records(RAW_MESSAGES)
        payload = json.dumps(records[0].to_message(), ensure_ascii=False).encode()
        kafka = await raw_kafka(env, payload)
        copy_rows = await raw_copy(env, records)
        e2e = await qtrail_end_to_end(env)
    finally:
        await dispose(env)
    figures = {
        "at": dt.datetime.now(dt.UTC).isoformat(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "message_bytes": len(payload),
        "raw_kafka_produce_per_s": kafka["produce_per_s"],
        "raw_kafka_produce_consume_per_s": kafka["produce_consume_per_s"],
        "raw_pg_copy_rows_per_s": copy_rows,
        "qtrail_http_accepted_per_s": e2e["accepted_per_s"],
        "qtrail_http_sealed_per_s": e2e["sealed_per_s"],
        "qtrail_post_p50_ms": e2e["post_p50_ms"],
        "qtrail_post_p99_ms": e2e["post_p99_ms"],
        "ratio_sealed_to_raw_kafka": e2e["sealed_per_s"] / kafka["produce_consume_per_s"],
        "ratio_sealed_to_raw_copy": e2e["sealed_per_s"] / copy_rows,
    }
    rows = [
        (
            "raw aiokafka produce+consume (pipelined)",
            f"{kafka['produce_consume_per_s']:,.0f}/s",
            "",
        ),
        ("raw asyncpg COPY of trail rows", f"{copy_rows:,.0f}/s", ""),
        (
            "qtrail HTTP single events accepted (202)",
            f"{e2e['accepted_per_s']:,.0f}/s",
            f"p50 {e2e['post_p50_ms']:.1f} ms, p99 {e2e['post_p99_ms']:.1f} ms",
        ),
        (
            "qtrail HTTP → sealed in PostgreSQL",
            f"{e2e['sealed_per_s']:,.0f}/s",
            f"{figures['ratio_sealed_to_raw_kafka']:.1%} of raw Kafka, "
            f"{figures['ratio_sealed_to_raw_copy']:.1%} of raw COPY",
        ),
    ]
    print(f"\nqtrail bench ({E2E_EVENTS} events, {CONCURRENCY} clients, message {len(payload)} B)")
    for name, value, note in rows:
        print(f"  {name:<44} {value:>12}  {note}")
    out = ROOT / ".bench"
    out.mkdir(exist_ok=True)
    path = out / f"bench-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(figures, indent=2))
    print(f"  figures written to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    asyncio.run(main())
