"""The Publisher port's contract: once ``publish_many`` returns, every message is on its topic under
its key, in order per key; a message the broker can never take is Unstorable, and the publisher
carries on."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest

from services.adapters.kafka.producer import EventProducer
from services.application.ports import Publisher, Unstorable
from tests.support.fakes import MemoryPublisher
from tests.support.stack import Environment
from tests.support.topics import read_messages


@dataclass(frozen=True)
class Broker:
    publisher: Publisher
    topic: str
    read: Callable[[], Awaitable[list[tuple[str, bytes]]]]
    """Every (key, value) on the topic, in order within each partition."""


@pytest.fixture(params=["memory", "kafka"])
def backend(request: pytest.FixtureRequest) -> Environment | None:
    if request.param == "memory":
        return None
    environment: Environment = request.getfixturevalue("environment")
    return environment


@pytest.fixture
async def broker(backend: Environment | None) -> AsyncIterator[Broker]:
    if backend is None:
        memory = MemoryPublisher()
        topic = "qtrail.trail.v1"

        async def sent() -> list[tuple[str, bytes]]:
            return list(memory.sent.get(topic, []))

        yield Broker(memory, topic, sent)
        return
    settings = backend.settings
    producer = EventProducer(settings, "recorder")
    await producer.start()

    async def on_topic() -> list[tuple[str, bytes]]:
        messages = await read_messages(settings, settings.topic_trail, settings.kafka_partitions)
        return [((key or b"").decode(), value or b"") for key, value in messages]

    try:
        yield Broker(producer, settings.topic_trail, on_topic)
    finally:
        await producer.stop()


def per_key(messages: list[tuple[str, bytes]], keys: set[str]) -> dict[str, list[bytes]]:
    found: dict[str, list[bytes]] = {}
    for key, value in messages:
        if key in keys:
            found.setdefault(key, []).append(value)
    return found


async def test_published_messages_are_on_the_topic_in_order_per_key(broker: Broker) -> None:
    keys = [f"PUB-{uuid.uuid4().hex[:8]}" for _ in range(3)]
    messages = [(keys[n % 3], f"message {n}".encode()) for n in range(30)]
    await broker.publisher.publish_many(broker.topic, iter(messages))
    await broker.publisher.publish_many(broker.topic, [(keys[0], b"later")])
    assert per_key(await broker.read(), set(keys)) == {
        key: [value for k, value in [*messages, (keys[0], b"later")] if k == key] for key in keys
    }


async def test_publishing_nothing_sends_nothing(broker: Broker) -> None:
    before = sorted(await broker.read())  # partitions come back in any order
    await broker.publisher.publish_many(broker.topic, [])
    assert sorted(await broker.read()) == before


async def test_a_message_too_large_for_the_broker_is_unstorable(broker: Broker) -> None:
    key = f"PUB-{uuid.uuid4().hex[:8]}"
    with pytest.raises(Unstorable):
        await broker.publisher.publish_many(broker.topic, [(key, b"x" * (2 * 1024 * 1024))])
    near_limit = b"y" * (900 * 1024)
    await broker.publisher.publish_many(broker.topic, [(key, near_limit), (key, b"after")])
    assert per_key(await broker.read(), {key}) == {key: [near_limit, b"after"]}
