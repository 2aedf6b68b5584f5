"""``make bench``: qtrail's throughput against raw baselines measured in the same run.

Baselines: aiokafka pipelined produce+consume of messages the size of a sealed event, asyncpg COPY
of the same trail rows, and a peer (the ``eventsourcing`` library storing the same lot facts in
the same PostgreSQL, bulk saves of 500). qtrail: batches of 1,000 events from 4 clients over 100
staffed projects until every event is decided, single CloudEvents over HTTP until decided, the
trail page of a 10,000-event project, chain verification and replay; then the checkpoint log's
signing and proof times at two log sizes (``tests/bench/tree.py``). During the batch and single
phases the API's and the recorder's user+system CPU seconds are read from /proc, and at the end
their peak RSS. Prints a table and writes the figures as JSON under .bench/ (git-ignored):
``bench-<time>.json`` and ``latest.json``. Not a test: no assertion on speed, only figures and
ratios.
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
from tests.bench import batch as batch_load
from tests.bench import chain as chain_bench
from tests.bench import peer, scale_out
from tests.bench import tree as tree_bench
from tests.bench.procstat import CpuMeter, Service
from tests.support.events import (
    STRUCTURED,
    accepted_unit,
    appointment,
    completion,
    filing_accepted,
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
BATCH_EVENTS = int(os.environ.get("QTRAIL_BENCH_BATCH_EVENTS", "100000"))
BATCH_SIZE = int(os.environ.get("QTRAIL_BENCH_BATCH_SIZE", "1000"))
BATCH_CLIENTS = int(os.environ.get("QTRAIL_BENCH_BATCH_CLIENTS", "4"))
BATCH_PROJECTS = int(os.environ.get("QTRAIL_BENCH_BATCH_PROJECTS", "100"))
PEER_EVENTS = int(os.environ.get("QTRAIL_BENCH_PEER_EVENTS", "50000"))
PEER_SINGLE = int(os.environ.get("QTRAIL_BENCH_PEER_SINGLE", "1000"))


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


def _services(recorder: Process, api: Api) -> list[Service]:
    """The Python processes serving, by the pids started (checked to run the service's module)."""
    services = [
        Service.of("api", api.pid, api.module),
        Service.of("recorder", recorder.pid, recorder.module),
    ]
    for service in services:
        print(f"  measuring {service.describe()}")
    return services


async def qtrail_end_to_end(env: Environment) -> dict[str, Any]:
    recorder = Process("recorder", env).start()
    api = Api(env).start()
    tokens = await issue_keys(env)
    try:
        services = _services(recorder, api)
        # aiohttp drives the load: httpx's client costs more CPU than the server it measures.
        connector = aiohttp.TCPConnector(limit=max(CONCURRENCY, PAGE_CLIENTS))
        async with aiohttp.ClientSession(connector=connector) as client:
            single = await single_phase(env, client, api, tokens, services)
            batch = await batch_phase(env, client, api, tokens, services)
        async with aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=PAGE_CLIENTS)
        ) as client:
            page = await _trail_page(client, api, tokens)
        return {
            **single,
            **batch,
            **page,
            "peak_rss_mb": {s.name: s.peak_rss_mb() for s in services},
            "rss_mb": {s.name: s.rss_mb() for s in services},
        }
    finally:
        api.stop()
        recorder.stop()


async def batch_phase(
    env: Environment,
    client: aiohttp.ClientSession,
    api: Api,
    tokens: dict[str, str],
    services: list[Service],
) -> dict[str, Any]:
    """BATCH_EVENTS inspection lots in batches of BATCH_SIZE from BATCH_CLIENTS clients over
    BATCH_PROJECTS staffed projects, timed until every accepted event is decided."""
    projects = [f"BATCH-{env.suffix}-{i}" for i in range(BATCH_PROJECTS)]
    await batch_load.staff(client, api.base_url, tokens, projects)
    bodies = list(batch_load.lot_batches(projects, BATCH_EVENTS, BATCH_SIZE))
    db = await asyncpg.create_pool(env.settings.dsn("reader"), min_size=1, max_size=1)
    try:
        decided = await batch_load.Decided(db, projects).mark()
        meter = CpuMeter(services).start()
        loadgen = time.process_time()
        start = time.perf_counter()
        sent = await batch_load.send(
            client, api.base_url, tokens["construction"], iter(bodies), BATCH_CLIENTS
        )
        done = await decided.until(sent.accepted, timeout_s=max(300, sent.accepted / 50))
        meter.stop()
        loadgen = time.process_time() - loadgen
        sealed, rejected = await decided.counts()
    finally:
        await db.close()
    seconds = done - start
    sent.latencies.sort()
    return {
        "batch_events": BATCH_EVENTS,
        "batch_refused": sent.refused,
        "batch_rejected": rejected,
        "batch_accepted_per_s": sent.accepted / sent.seconds,
        "batch_sealed_per_s": sealed / seconds,
        "batch_post_p50_ms": _pct(sent.latencies, 0.5),
        "batch_post_p99_ms": _pct(sent.latencies, 0.99),
        "batch_cpu_s": meter.spent,
        "cpu_us_per_event": meter.us_per_event(sent.accepted),
        "batch_loadgen_cpu_us_per_event": loadgen / sent.accepted * 1e6,
    }


async def single_phase(
    env: Environment,
    client: aiohttp.ClientSession,
    api: Api,
    tokens: dict[str, str],
    services: list[Service],
) -> dict[str, Any]:
    """E2E_EVENTS single events from CONCURRENCY clients over E2E_PROJECTS projects, timed until
    every one is decided."""
    projects = [f"BENCH-{env.suffix}-{i}" for i in range(E2E_PROJECTS)]
    url = f"{api.base_url}/v1/events"
    for project in projects:
        await _sealed(client, url, registration(project), tokens["owner"])
        await _sealed(client, url, filing_accepted(project), tokens["regulator"])
        await _sealed(client, url, appointment(project, "construction"), tokens["owner"])
    bodies = [json.dumps(lot(projects[i % E2E_PROJECTS], i)).encode() for i in range(E2E_EVENTS)]
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

    db = await asyncpg.create_pool(env.settings.dsn("reader"), min_size=1, max_size=1)
    try:
        decided = await batch_load.Decided(db, projects).mark()
        meter = CpuMeter(services).start()
        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        accepted = time.perf_counter() - start
        done = await decided.until(E2E_EVENTS, timeout_s=max(300, E2E_EVENTS / 20))
        meter.stop()
        sealed, rejected = await decided.counts()
    finally:
        await db.close()
    latencies.sort()
    return {
        "accepted_per_s": E2E_EVENTS / accepted,
        "sealed_per_s": sealed / (done - start),
        "single_rejected": rejected,
        "post_p50_ms": _pct(latencies, 0.5),
        "post_p99_ms": _pct(latencies, 0.99),
        "single_cpu_s": meter.spent,
        "single_cpu_us_per_event": meter.us_per_event(E2E_EVENTS),
    }


async def _trail_page(
    client: aiohttp.ClientSession, api: Api, tokens: dict[str, str]
) -> dict[str, float]:
    """A completed project with PAGE_PROJECT_EVENTS events; its plaque page against /healthz."""
    project = f"PAGE-{uuid.uuid4().hex[:6]}"
    url = f"{api.base_url}/v1/events"
    opening = [*staffed(project), lab_commissioned(project), witness_authorized(project)]
    for event in opening:
        await _sealed(client, url, event, author_token(tokens, event))
    building = accepted_unit(project)
    for event in building:
        await _sealed(client, url, event, author_token(tokens, event))
    lots = [lot(project, n) for n in range(PAGE_PROJECT_EVENTS - len(opening) - 1 - len(building))]
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


async def peer_baseline(env: Environment) -> dict[str, float] | None:
    """The eventsourcing library on the same lot facts; None (and why, printed) if it cannot run."""
    bulk = [lot(f"PEER-{n % BATCH_PROJECTS}", n) for n in range(PEER_EVENTS)]
    single = [lot(f"PEER1-{n % BATCH_PROJECTS}", n) for n in range(PEER_SINGLE)]
    figures, why = await peer.run(env, bulk, single)
    if figures is None:
        print(f"  peer baseline not measured: {why}")
    return figures


def _ratio(part: float | None, whole: float | None) -> float | None:
    return None if part is None or not whole else part / whole


def _cpu(figures: dict[str, float]) -> str:
    return ", ".join(f"{name} {us:,.0f} µs" for name, us in figures.items())


def summary(
    kafka: dict[str, float],
    copy_rows: float,
    peer_figures: dict[str, float] | None,
    e2e: dict[str, Any],
    chains: dict[str, float],
) -> dict[str, Any]:
    """The headline figures (the keys of .bench/latest.json), in the units the issue states."""
    raw_kafka_per_s = kafka["produce_consume_per_s"]
    return {
        "raw_kafka_per_s": raw_kafka_per_s,
        "raw_copy_per_s": copy_rows,
        "peer_eventsourcing_per_s": peer_figures["per_s"] if peer_figures else None,
        "raw_sha256_per_s": chains["raw_sha256_per_s"],
        "canonical_us": chains["canonical_us"],
        "canonical_reference_us": chains["canonical_reference_us"],
        "batch_sealed_per_s": e2e["batch_sealed_per_s"],
        "batch_accepted_per_s": e2e["batch_accepted_per_s"],
        "single_sealed_per_s": e2e["sealed_per_s"],
        "single_p99_ms": e2e["post_p99_ms"],
        "page_per_s": e2e["page_per_s"],
        "page_p99_ms": e2e["page_p99_ms"],
        "verify_per_s": chains["verify_per_s"],
        "replay_100k_s": chains["replay_as_of_s"],
        "cpu_us_per_event": e2e["cpu_us_per_event"],
        "peak_rss_mb": e2e["peak_rss_mb"],
        "ratio_batch_sealed_to_raw_kafka": e2e["batch_sealed_per_s"] / raw_kafka_per_s,
        "ratio_batch_sealed_to_raw_copy": e2e["batch_sealed_per_s"] / copy_rows,
        "ratio_batch_sealed_to_peer": _ratio(
            e2e["batch_sealed_per_s"], peer_figures["per_s"] if peer_figures else None
        ),
        "ratio_verify_to_raw_sha256": chains["ratio_verify_to_raw_sha256"],
    }


async def main() -> None:
    ensure_stack()
    env = new_environment(partitions=12)
    await provision(env)
    load_before = os.getloadavg()
    try:
        records = sample_records(RAW_MESSAGES)
        payload = json.dumps(records[0].to_message(), ensure_ascii=False).encode()
        kafka = await raw_kafka(env, payload)
        copy_rows = await raw_copy(env, records)
        peer_figures = await peer_baseline(env)
        e2e = await qtrail_end_to_end(env)
        print("  scale-out: the batch phase with more recorder workers or API processes")
        shapes = await scale_out.run(
            env, await issue_keys(env), BATCH_PROJECTS, BATCH_SIZE, BATCH_CLIENTS
        )
        chains = chain_bench.run()
    finally:
        await dispose(env)
    checkpoint_log = await tree_bench.checkpoint_log()
    headline = summary(kafka, copy_rows, peer_figures, e2e, chains)
    figures = {
        "at": dt.datetime.now(dt.UTC).isoformat(),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "loadavg_before": load_before,
            "loadavg_after": os.getloadavg(),
        },
        **headline,
        "message_bytes": len(payload),
        "raw_kafka_produce_per_s": kafka["produce_per_s"],
        "raw_kafka_produce_consume_per_s": kafka["produce_consume_per_s"],
        "raw_pg_copy_rows_per_s": copy_rows,
        "peer_eventsourcing": peer_figures,
        "batch": {
            "events": e2e["batch_events"],
            "batch_size": BATCH_SIZE,
            "clients": BATCH_CLIENTS,
            "projects": BATCH_PROJECTS,
            "refused": e2e["batch_refused"],
            "rejected": e2e["batch_rejected"],
            "post_p50_ms": e2e["batch_post_p50_ms"],
            "post_p99_ms": e2e["batch_post_p99_ms"],
            "cpu_s": e2e["batch_cpu_s"],
            "loadgen_cpu_us_per_event": e2e["batch_loadgen_cpu_us_per_event"],
        },
        "single": {
            "events": E2E_EVENTS,
            "clients": CONCURRENCY,
            "projects": E2E_PROJECTS,
            "rejected": e2e["single_rejected"],
            "cpu_s": e2e["single_cpu_s"],
            "cpu_us_per_event": e2e["single_cpu_us_per_event"],
        },
        "rss_mb_at_end": e2e["rss_mb"],
        "scale_out": shapes,
        "qtrail_http_accepted_per_s": e2e["accepted_per_s"],
        "qtrail_http_sealed_per_s": e2e["sealed_per_s"],
        "qtrail_post_p50_ms": e2e["post_p50_ms"],
        "qtrail_post_p99_ms": e2e["post_p99_ms"],
        "ratio_sealed_to_raw_kafka": e2e["sealed_per_s"] / kafka["produce_consume_per_s"],
        "ratio_sealed_to_raw_copy": e2e["sealed_per_s"] / copy_rows,
        **{k: v for k, v in e2e.items() if k.startswith(("page", "healthz"))},
        "ratio_page_to_healthz": e2e["page_per_s"] / e2e["healthz_per_s"],
        **chains,
        "checkpoint_log": checkpoint_log,
    }
    print_table(figures, e2e, chains, len(payload))
    tree_bench.print_figures(checkpoint_log)
    out = ROOT / ".bench"
    out.mkdir(exist_ok=True)
    path = out / f"bench-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}.json"
    text = json.dumps(figures, indent=2, ensure_ascii=False)
    path.write_text(text)
    (out / "latest.json").write_text(text)
    print(f"  figures written to {path.relative_to(ROOT)} and .bench/latest.json")


def print_table(
    figures: dict[str, Any], e2e: dict[str, Any], chains: dict[str, float], message_bytes: int
) -> None:
    peer_figures = figures["peer_eventsourcing"]
    batch, single = figures["batch"], figures["single"]
    rows = [
        ("raw aiokafka produce+consume (pipelined)", f"{figures['raw_kafka_per_s']:,.0f}/s", ""),
        ("raw asyncpg COPY of trail rows", f"{figures['raw_copy_per_s']:,.0f}/s", ""),
        (
            "peer: eventsourcing, bulk saves of 500",
            f"{peer_figures['per_s']:,.0f}/s" if peer_figures else "null",
            (
                f"{peer_figures['per_s'] / figures['raw_copy_per_s']:.1%} of raw COPY, "
                f"{peer_figures['cpu_us_per_event']:,.0f} µs CPU/event, "
                f"one event per save {peer_figures.get('single_per_s', 0):,.0f}/s"
                if peer_figures
                else "not measured (reason above)"
            ),
        ),
        (
            f"qtrail batch accepted ({BATCH_CLIENTS}×{BATCH_SIZE})",
            f"{figures['batch_accepted_per_s']:,.0f}/s",
            f"{figures['batch_accepted_per_s'] / figures['raw_kafka_per_s']:.1%} of raw Kafka, "
            f"request p50 {batch['post_p50_ms']:.0f} ms, p99 {batch['post_p99_ms']:.0f} ms",
        ),
        (
            "qtrail batch → decided, sealed",
            f"{figures['batch_sealed_per_s']:,.0f}/s",
            f"{figures['ratio_batch_sealed_to_raw_kafka']:.1%} of raw Kafka, "
            f"{figures['ratio_batch_sealed_to_raw_copy']:.1%} of raw COPY"
            + (
                f", {figures['ratio_batch_sealed_to_peer']:.1%} of the peer"
                if figures["ratio_batch_sealed_to_peer"] is not None
                else ""
            ),
        ),
        (
            "  CPU per event, batch phase",
            "",
            f"{_cpu(figures['cpu_us_per_event'])} (load generator "
            f"{batch['loadgen_cpu_us_per_event']:,.0f} µs)",
        ),
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
        ("  CPU per event, single phase", "", _cpu(single["cpu_us_per_event"])),
        *(
            (
                f"  scale-out: {shape['shape']}",
                f"{shape['sealed_per_s']:,.0f}/s",
                f"sealed ({shape['events']:,} events), accepted {shape['accepted_per_s']:,.0f}/s, "
                f"{shape['sealed_per_s'] / figures['scale_out'][0]['sealed_per_s']:.0%} of one each",
            )
            for shape in figures["scale_out"]
        ),
        (
            "peak RSS (VmHWM) at the end",
            "",
            ", ".join(f"{name} {mb:,.0f} MB" for name, mb in figures["peak_rss_mb"].items()),
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
            "RFC 8785 canonical bytes of a record",
            f"{chains['canonical_us']:.1f} µs",
            f"reference package {chains['canonical_reference_us']:.1f} µs "
            f"({chains['canonical_reference_us'] / chains['canonical_us']:.1f}x)",
        ),
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
    print(
        f"\nqtrail bench (batch: {batch['events']:,} events, {BATCH_PROJECTS} projects; single: "
        f"{E2E_EVENTS:,} events, {CONCURRENCY} clients; message {message_bytes} B; load average "
        f"{figures['machine']['loadavg_before'][0]:.1f} before, "
        f"{figures['machine']['loadavg_after'][0]:.1f} after)"
    )
    for name, value, note in rows:
        print(f"  {name:<44} {value:>12}  {note}")


if __name__ == "__main__":
    asyncio.run(main())
