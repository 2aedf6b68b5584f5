"""Reading a whole topic from offset 0 to its current end, without a consumer group (as admin)."""

from __future__ import annotations

from aiokafka import AIOKafkaConsumer, TopicPartition

from services.settings import Settings


async def read_all(settings: Settings, topic: str, partition_count: int) -> list[bytes]:
    consumer = AIOKafkaConsumer(**settings.kafka_client("admin"), enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in range(partition_count)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)  # type: ignore[func-returns-value]
        ends = await consumer.end_offsets(partitions)
        values: list[bytes] = []

        async def behind() -> bool:
            return any([await consumer.position(tp) < ends[tp] for tp in partitions])

        while await behind():
            batch = await consumer.getmany(timeout_ms=1000)
            for messages in batch.values():
                values.extend(m.value for m in messages if m.value is not None)
        return values
    finally:
        await consumer.stop()
