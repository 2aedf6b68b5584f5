"""Creates qtrail's topics explicitly, with the partition count we mean.

Left to themselves, faust and brokers create topics with their own defaults; the partition count
caps parallel recorders and cannot shrink, so it is set here, before any worker starts.
"""

from __future__ import annotations

import asyncio
import contextlib

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

from services.settings import Settings


def topic_names(settings: Settings) -> list[str]:
    return [
        settings.topic_submitted,
        settings.topic_trail,
        settings.topic_rejected,
        settings.topic_alerts,
    ]


class PartitionMismatch(RuntimeError):
    """An existing topic has another partition count than configured."""


async def ensure_topics(settings: Settings, timeout_s: float = 60.0) -> dict[str, int]:
    """Create missing topics; return each topic's partition count. Idempotent."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        try:
            await admin.start()
            break
        except KafkaError:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.5)
    try:
        wanted = topic_names(settings)
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(
                name=name,
                num_partitions=settings.kafka_partitions,
                replication_factor=settings.kafka_replication,
                topic_configs={"retention.ms": "-1", "min.insync.replicas": "1"},
            )
            for name in wanted
            if name not in existing
        ]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(missing)
        counts: dict[str, int] = {}
        for _ in range(100):
            described = await admin.describe_topics(wanted)
            counts = {d["topic"]: len(d["partitions"]) for d in described if not d["error_code"]}
            if len(counts) == len(wanted):
                break
            await asyncio.sleep(0.2)
        for name, count in counts.items():
            if name == settings.topic_submitted and count != settings.kafka_partitions:
                raise PartitionMismatch(
                    f"topic {name} has {count} partitions, settings say {settings.kafka_partitions}"
                )
        return counts
    finally:
        await admin.close()
