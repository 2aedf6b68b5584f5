"""Creates qtrail's topics explicitly, with the partition count we mean, and checks them.

Left to themselves, faust and brokers create topics with their own defaults; the partition count
caps parallel recorders and cannot shrink, so it is set here, before any worker starts. Only the
admin principal may create topics (faust's leader topic too); a service checks them with its own
principal.
"""

from __future__ import annotations

import asyncio
import contextlib

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

from services.settings import KafkaPrincipal, Settings


def leader_topic(settings: Settings) -> str:
    """faust's leader election topic of the recorder group (one partition; the recorder consumes
    it, and the worker holding its partition runs the checkpoint timer)."""
    return f"{settings.recorder_group}-__assignor-__leader"


def topic_names(settings: Settings) -> list[str]:
    return [
        settings.topic_submitted,
        settings.topic_trail,
        settings.topic_rejected,
        settings.topic_alerts,
        leader_topic(settings),
    ]


def _partitions(settings: Settings, name: str) -> int:
    return 1 if name == leader_topic(settings) else settings.kafka_partitions


class PartitionMismatch(RuntimeError):
    """An existing topic has another partition count than configured."""


class TopicsMissing(RuntimeError):
    """A topic a process needs does not exist (``qtrail topics`` creates them)."""


async def _started(admin: AIOKafkaAdminClient, timeout_s: float) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        try:
            await admin.start()
            return
        except KafkaError:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.5)


async def _partition_counts(
    admin: AIOKafkaAdminClient, settings: Settings, attempts: int
) -> dict[str, int]:
    """Partitions per existing topic; a topic just created may take a moment to be described."""
    wanted = topic_names(settings)
    counts: dict[str, int] = {}
    for _ in range(attempts):
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


async def ensure_topics(settings: Settings, timeout_s: float = 60.0) -> dict[str, int]:
    """Create missing topics as the admin principal; return each topic's partition count.

    Idempotent."""
    admin = AIOKafkaAdminClient(**settings.kafka_client("admin"))
    await _started(admin, timeout_s)
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(
                name=name,
                num_partitions=_partitions(settings, name),
                replication_factor=settings.kafka_replication,
                topic_configs={"retention.ms": "-1", "min.insync.replicas": "1"},
            )
            for name in topic_names(settings)
            if name not in existing
        ]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(missing)
        return await _partition_counts(admin, settings, attempts=100)
    finally:
        await admin.close()


async def check_topics(
    settings: Settings, principal: KafkaPrincipal, timeout_s: float = 60.0
) -> dict[str, int]:
    """Check, as a service's own principal, that every topic exists with the configured partitions.

    Services do not create topics (their principals may not): ``qtrail topics`` does, first."""
    admin = AIOKafkaAdminClient(**settings.kafka_client(principal))
    await _started(admin, timeout_s)
    try:
        counts = await _partition_counts(admin, settings, attempts=max(1, int(timeout_s / 0.2)))
        missing = sorted(set(topic_names(settings)) - set(counts))
        if missing:
            raise TopicsMissing(
                f"topics {', '.join(missing)} do not exist (or {principal} may not see them); "
                "create them with 'qtrail topics'"
            )
        return counts
    finally:
        await admin.close()
