"""Rebuilding the read models from the log and comparing them with the live ones.

From PostgreSQL: each project's chain is replayed with today's fold and compared with its live
snapshot. From Kafka: the trail topic is read from offset 0 (duplicates from redelivery skipped by
seq), each chain is re-verified, folded, and compared likewise. Equal, or a precise diff.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition

from services.adapters.postgres.trail_store import TrailStore
from services.domain.chain import SealedRecord, canonical_bytes, chain_hash
from services.domain.project import replay
from services.domain.replay import diff
from services.settings import Settings


@dataclass
class Comparison:
    projects: int = 0
    records: int = 0
    differences: dict[str, list[str]] = field(default_factory=dict)

    @property
    def equal(self) -> bool:
        return not self.differences


async def _live(pool: asyncpg.Pool) -> dict[str, dict[str, object]]:
    rows = await pool.fetch("SELECT project_id, state FROM project_heads")
    return {r["project_id"]: r["state"] for r in rows}


async def _alert_ids(pool: asyncpg.Pool) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for row in await pool.fetch("SELECT project_id, alert_id FROM alerts"):
        found[row["project_id"]].add(row["alert_id"])
    return found


async def _compare(
    pool: asyncpg.Pool, chains: dict[str, list[SealedRecord]], result: Comparison
) -> Comparison:
    live, alerts = await _live(pool), await _alert_ids(pool)
    for project_id in sorted(set(live) | set(chains)):
        records = chains.get(project_id, [])
        result.projects += 1
        result.records += len(records)
        rebuilt = replay(project_id, records).model_dump(mode="json")
        problems = diff(live.get(project_id, {}), rebuilt)
        missing = set(rebuilt.get("alerts") or {}) - alerts.get(project_id, set())
        problems += [f"alerts table lacks {alert_id}" for alert_id in sorted(missing)]
        if problems:
            result.differences[project_id] = problems
    return result


async def from_postgres(
    pool: asyncpg.Pool, progress: Callable[[str], None] = lambda _: None
) -> Comparison:
    store = TrailStore(pool)
    chains = {}
    for n, project_id in enumerate(await store.project_ids(), 1):
        chains[project_id] = await store.records(project_id)
        if n % 100 == 0:
            progress(f"read {n} chains")
    return await _compare(pool, chains, Comparison())


async def from_kafka(
    pool: asyncpg.Pool, settings: Settings, progress: Callable[[str], None] = lambda _: None
) -> Comparison:
    consumer = AIOKafkaConsumer(**settings.kafka_client("reader"), enable_auto_commit=False)
    await consumer.start()
    by_project: dict[str, dict[int, SealedRecord]] = defaultdict(dict)
    result = Comparison()
    try:
        partitions = [
            TopicPartition(settings.topic_trail, p) for p in range(settings.kafka_partitions)
        ]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        read = 0
        while any([await consumer.position(tp) < ends[tp] for tp in partitions]):
            for messages in (await consumer.getmany(timeout_ms=1000, max_records=5000)).values():
                for message in messages:
                    body = json.loads(message.value or b"{}")
                    record, digest = body["record"], bytes.fromhex(body["hash"])
                    canonical = canonical_bytes(record)
                    prev = bytes.fromhex(record["prev_hash"])
                    if chain_hash(prev, canonical) != digest:
                        result.differences.setdefault(record["project_id"], []).append(
                            f"topic offset {message.offset}: seq {record['seq']} does not hash to its hash"
                        )
                    by_project[record["project_id"]][record["seq"]] = SealedRecord(
                        record["project_id"],
                        record["seq"],
                        record["event_id"],
                        record["type"],
                        canonical,
                        record,
                        prev,
                        digest,
                    )
                    read += 1
            progress(f"read {read} trail messages")
    finally:
        await consumer.stop()
    chains = {p: [records[s] for s in sorted(records)] for p, records in by_project.items()}
    for project_id, chain in chains.items():
        if [r.seq for r in chain] != list(range(1, len(chain) + 1)):
            result.differences.setdefault(project_id, []).append(
                "the topic lacks some seqs of this chain"
            )
    return await _compare(pool, chains, result)
