"""The idempotent producer every qtrail process publishes with.

acks=all and idempotence, so a retried send is neither lost nor doubled within a session; sends
are pipelined (all enqueued, then awaited together) because one awaited send at a time caps
throughput at about a thousand messages a second.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from aiokafka import AIOKafkaProducer
from aiokafka.errors import MessageSizeTooLargeError

from services.application.ports import Unstorable
from services.settings import KafkaPrincipal, Settings


class EventProducer:
    def __init__(self, settings: Settings, principal: KafkaPrincipal) -> None:
        self._producer = AIOKafkaProducer(
            **settings.kafka_client(principal),
            enable_idempotence=True,
            acks="all",
            linger_ms=2,
            max_batch_size=256 * 1024,
            request_timeout_ms=30_000,
        )

    async def start(self) -> None:
        await self._producer.start()

    async def stop(self) -> None:
        await self._producer.stop()

    async def publish(self, topic: str, key: str, value: bytes) -> None:
        await self.publish_many(topic, [(key, value)])

    async def publish_many(self, topic: str, messages: Iterable[tuple[str, bytes]]) -> None:
        """Enqueue every message, then wait until the broker has acknowledged all of them.
        A message too large for the topic is ``Unstorable``: resending cannot help."""
        try:
            futures = [
                await self._producer.send(topic, value=value, key=key.encode())
                for key, value in messages
            ]
            if futures:
                await asyncio.gather(*futures)
        except MessageSizeTooLargeError as exc:
            raise Unstorable(exc) from exc

    async def healthy(self) -> bool:
        try:
            await asyncio.wait_for(self._producer.client.fetch_all_metadata(), timeout=3)
        except Exception:
            return False
        return True
