"""Reading the trail topic from offset 0 to its current end, for a rebuild."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiokafka import AIOKafkaConsumer, TopicPartition

from services.settings import Settings


async def read_trail(settings: Settings) -> AsyncIterator[tuple[int, bytes]]:
    """(offset, value) of every message on the trail topic's partitions, up to their end offsets
    as of the start."""
    consumer = AIOKafkaConsumer(**settings.kafka_client("reader"), enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [
            TopicPartition(settings.topic_trail, p) for p in range(settings.kafka_partitions)
        ]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        while any([await consumer.position(tp) < ends[tp] for tp in partitions]):
            for messages in (await consumer.getmany(timeout_ms=1000, max_records=5000)).values():
                for message in messages:
                    yield message.offset, message.value or b""
    finally:
        await consumer.stop()
