"""Reading a whole topic from offset 0 to its current end, without a consumer group (as admin)."""

from __future__ import annotations

from aiokafka import AIOKafkaConsumer, TopicPartition

from services.settings import Settings


async def read_messages(
    settings: Settings, topic: str, partition_count: int
) -> list[tuple[bytes | None, bytes | None]]:
    """(key, value) of every message, each partition in offset order."""
    consumer = AIOKafkaConsumer(**settings.kafka_client("admin"), enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in range(partition_count)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        messages: list[tuple[bytes | None, bytes | None]] = []

        async def behind() -> bool:
            return any([await consumer.position(tp) < ends[tp] for tp in partitions])

        while await behind():
            batch = await consumer.getmany(timeout_ms=1000)
            for received in batch.values():
                messages.extend((m.key, m.value) for m in received)
        return messages
    finally:
        await consumer.stop()


async def read_all(settings: Settings, topic: str, partition_count: int) -> list[bytes]:
    """The value of every message (none of tombstones)."""
    messages = await read_messages(settings, topic, partition_count)
    return [value for _, value in messages if value is not None]
