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
from tests.bench import chain as chain_bench
from tests.support.events import (
    STRUCTURED,
    appointment,
    completion,
    lab_commissioned,
    lot,
    registration,
    staffed,
    witness_authorized,
)
from tests.support.keys import author_token, issue_keys
from tests.support.processes import Api, Process
from tests.support.stack import ROOT, Environment, dispose, ensure_stack, new_environment, provision

RAW_MESSAGES = int(os.environ.get("QTRAIL_BENCH_RAW", "20000"))
E2E_EVENTS = int(os.environ.get("QTRAIL_BENCH_EVENTS", "5000"))
E2E_PROJECTS = 50
CONCURRENCY = 32
PAGE_CLIENTS = 50
PAGE_PROJECT_EVENTS = int(os.environ.get("QTRAIL_BENCH_PAGE_EVENTS", "10000"))
PAGE_REQUESTS = int(os.environ.get("QTRAIL_BENCH_PAGE_REQUESTS", "2000"))


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
        **env.settings.kafka_client("admin"),  # SASL/SCRAM like the services; ACLs are not measured
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
    consumer = AIOKafkaConsumer(**env.settings.kafka_client("admin"), enable_auto_commit=False)
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
    conn = await asyncpg.connect(env.settings.dsn("migrator"))  # may create a temporary table
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


def _headers(token: str) -> dict[str, str]:
    return STRUCTURED | {"authorization": f"Bearer {token}"}


async def _sealed(
    client: aiohttp.ClientSession, url: str, event: dict[str, Any], token: str
) -> None:
    async with client.post(
        url, params={"wait": "15"}, data=json.dumps(event), headers=_headers(token)
    ) as answer:
        body = await answer.json()
        if body.get("status") != "sealed":
            raise RuntimeError(f"{event['type']}: {body}")


async def _latencies(
    client: aiohttp.ClientSession, url: str, requests: int
) -> tuple[float, list[float]]:
    """Requests per second and sorted latencies of GET ``url`` from PAGE_CLIENTS concurrent clients."""
    left = [requests]
    latencies: list[float] = []

    async def worker() -> None:
        while left[0] > 0:
            left[0] -= 1
            t0 = time.perf_counter()
            async with client.get(url) as answer:
                await answer.read()
                if answer.status != 200:
                    raise RuntimeError(f"{url}: {answer.status}")
            latencies.append(time.perf_counter() - t0)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(PAGE_CLIENTS)))
    return requests / (time.perf_counter() - start), sorted(latencies)


def _pct(latencies: list[float], q: float) -> float:
    return latencies[min(len(latencies) - 1, int(len(latencies) * q))] * 1000


async def qtrail_end_to_end(env: Environment) -> dict[str, float]:
    recorder = Process("recorder", env).start()
    api = Api(env).start()
    tokens = await issue_keys(env)
    try:
        projects = [f"BENCH-{env.suffix}-{i}" for i in range(E2E_PROJECTS)]
        # aiohttp drives the load: httpx's client costs more CPU than the server it measures.
        connector = aiohttp.TCPConnector(limit=max(CONCURRENCY, PAGE_CLIENTS))
        async with aiohttp.ClientSession(connector=connector) as client:
            url = f"{api.base_url}/v1/events"
            for project in projects:
                await _sealed(client, url, registration(project), tokens["owner"])
                await _sealed(client, url, appointment(project, "construction"), tokens["owner"])
            bodies = [
                json.dumps(lot(projects[i % E2E_PROJECTS], i)).encode() for i in range(E2E_EVENTS)
            ]
            latencies: list[float] = []
            construction = _headers(tokens["construction"])

            async def worker() -> None:
                while bodies:
                    body = bodies.pop()
                    t0 = time.perf_counter()
                    async with client.post(url, data=body, headers=construction) as answer:
                        await answer.read()
                        if answer.status != 202:
                            raise RuntimeError(await answer.text())
                    latencies.append(time.perf_counter() - t0)

            db = await asyncpg.connect(env.settings.dsn("reader"))
            base = await db.fetchval("SELECT count(*) FROM outcomes")
            start = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
            accepted = time.perf_counter() - start
            while await db.fetchval("SELECT count(*) FROM outcomes") < base + E2E_EVENTS:
                await asyncio.sleep(0.02)
            sealed = time.perf_counter() - start
            await db.close()
            latencies.sort()
        async with aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=PAGE_CLIENTS)
        ) as client:
            page = await _trail_page(client, api, tokens)
        return {
            "accepted_per_s": E2E_EVENTS / accepted,
            "sealed_per_s": E2E_EVENTS / sealed,
            "post_p50_ms": _pct(latencies, 0.5),
            "post_p99_ms": _pct(latencies, 0.99),
            **page,
        }
    finally:
        api.stop()
        recorder.stop()


async def _trail_page(
    client: aiohttp.ClientSession, api: Api, tokens: dict[str, str]
) -> dict[str, float]:
    """A completed project with PAGE_PROJECT_EVENTS events; its plaque page against /healthz."""
    project = f"PAGE-{uuid.uuid4().hex[:6]}"
    url = f"{api.base_url}/v1/events"
    for event in [*staffed(project), lab_commissioned(project), witness_authorized(project)]:
        await _sealed(client, url, event, author_token(tokens, event))
    lots = [lot(project, n) for n in range(PAGE_PROJECT_EVENTS - 14)]
    for i in range(0, len(lots), 1000):
        async with client.post(
            f"{url}/batch",
            params={"wait": "60"},
            data=json.dumps(lots[i : i + 1000]),
            headers={
                "content-type": "application/cloudevents-batch+json",
                "authorization": f"Bearer {tokens['construction']}",
            },
        ) as answer:
            results = (await answer.json())["results"]
            if any(r.get("status") != "sealed" for r in results):
                raise RuntimeError("a lot was not sealed")
    await _sealed(client, url, completion(project), tokens["owner"])
    state_url = f"{api.base_url}/v1/projects/{project}"
    async with client.get(
        state_url, headers={"authorization": f"Bearer {tokens['regulator']}"}
    ) as answer:
        state = await answer.json()
    page_url = state["plaques"]["1"]["url"]
    async with client.get(
        page_url
    ) as answer:  # the first scan verifies the chain; later ones reuse it
        await answer.read()
    health_rate, health = await _latencies(client, f"{api.base_url}/healthz", PAGE_REQUESTS)
    page_rate, page = await _latencies(client, page_url, PAGE_REQUESTS)
    return {
        "page_project_events": state["seq"],
        "page_per_s": page_rate,
        "page_p50_ms": _pct(page, 0.5),
        "page_p99_ms": _pct(page, 0.99),
        "healthz_per_s": health_rate,
        "healthz_p50_ms": _pct(health, 0.5),
        "healthz_p99_ms": _pct(health, 0.99),
    }


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
        chains = chain_bench.run()
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
        **{k: v for k, v in e2e.items() if k.startswith(("page", "healthz"))},
        "ratio_page_to_healthz": e2e["page_per_s"] / e2e["healthz_per_s"],
        **chains,
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
        (
            f"same server's /healthz ({PAGE_CLIENTS} clients)",
            f"{e2e['healthz_per_s']:,.0f}/s",
            f"p50 {e2e['healthz_p50_ms']:.1f} ms, p99 {e2e['healthz_p99_ms']:.1f} ms",
        ),
        (
            f"trail page, {int(e2e['page_project_events'])}-event project",
            f"{e2e['page_per_s']:,.0f}/s",
            f"p50 {e2e['page_p50_ms']:.1f} ms, p99 {e2e['page_p99_ms']:.1f} ms, "
            f"{figures['ratio_page_to_healthz']:.1%} of /healthz",
        ),
        ("raw SHA-256 over the chain's bytes", f"{chains['raw_sha256_per_s']:,.0f}/s", ""),
        (
            f"qtrail verify, {int(chains['chain_events']):,}-record chain",
            f"{chains['verify_per_s']:,.0f}/s",
            f"{chains['ratio_verify_to_raw_sha256']:.1%} of raw SHA-256",
        ),
        (
            f"replay as of mid-chain, {int(chains['chain_events']):,} records",
            f"{chains['replay_as_of_s']:.1f} s",
            f"{chains['replay_records_per_s']:,.0f} records/s through the live fold",
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
