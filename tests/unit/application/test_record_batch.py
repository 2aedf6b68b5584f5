"""BatchRecorder over in-memory ports: transient failures wait, collisions decide again, an event the
store can never take is set aside alone and the rest seal in order."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

import pytest

from services.application import record_batch as record_batch_module
from services.application.ports import Collision, Unstorable
from services.application.record_batch import BatchRecorder, Topics
from services.domain.chain import SealedRecord
from services.domain.corrections import ReferencedRecord
from services.domain.recording import BatchDecision
from services.domain.state import ProjectState
from tests.support.events import appointment, lot, registration

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
AT = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
P = "XZ-POISON-01"


def raw(envelope: dict[str, Any]) -> bytes:
    return json.dumps(envelope, ensure_ascii=False).encode()


class MemoryStore:
    """The TrailWriter port in memory; ``failures`` are raised by the next writes, ``poison``
    event ids make a write Unstorable (as a NUL in jsonb does in PostgreSQL)."""

    def __init__(self) -> None:
        self.states: dict[str, ProjectState] = {}
        self.digests: dict[str, bytes] = {}
        self.written: list[BatchDecision] = []
        self.failures: list[BaseException] = []
        self.poison: set[str] = set()

    async def decided_digests(self, event_ids: Iterable[str]) -> dict[str, bytes]:
        return {i: self.digests[i] for i in event_ids if i in self.digests}

    async def load_states(self, project_ids: Iterable[str]) -> dict[str, ProjectState]:
        return {p: self.states[p] for p in project_ids if p in self.states}

    async def referenced_records(self, event_ids: Iterable[str]) -> dict[str, ReferencedRecord]:
        return {}

    async def reports_seen(self, numbers: Iterable[str]) -> dict[str, str]:
        return {}

    async def record(self, decision: BatchDecision, now: dt.datetime) -> None:
        if self.failures:
            raise self.failures.pop(0)
        if any(r.event_id in self.poison for r in decision.sealed):
            raise Unstorable(ValueError("invalid byte sequence for encoding UTF8: 0x00"))
        self.written.append(decision)
        self.states |= decision.states
        self.digests |= decision.digests
        self.digests |= {j.event_id: j.digest or b"" for j in decision.rejected if j.event_id}

    async def sealed_by_event_ids(self, event_ids: Iterable[str]) -> list[SealedRecord]:
        return []


class MemoryPublisher:
    def __init__(self) -> None:
        self.sent: dict[str, list[tuple[str, bytes]]] = {}
        self.failures: list[BaseException] = []

    async def publish_many(self, topic: str, messages: Iterable[tuple[str, bytes]]) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.setdefault(topic, []).extend(messages)


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    real_sleep = asyncio.sleep

    async def instant(_delay: float) -> None:
        await real_sleep(0)

    monkeypatch.setattr(record_batch_module.asyncio, "sleep", instant)


TOPICS = Topics("qtrail.trail.v1", "qtrail.rejected.v1", "qtrail.alerts.v1")


def recorder() -> tuple[BatchRecorder, MemoryStore, MemoryPublisher]:
    store, producer = MemoryStore(), MemoryPublisher()
    return BatchRecorder(TOPICS, store, producer, clock=lambda: NOW), store, producer


def project_events(lots: int) -> list[bytes]:
    events = [
        raw(registration(P, at=AT, event_id="evt-reg-poison")),
        raw(appointment(P, "construction", at=AT, event_id="evt-appt-poison")),
    ]
    return events + [
        raw(lot(P, n, at=AT + dt.timedelta(hours=n), event_id=f"evt-lot-{n:04d}"))
        for n in range(1, lots + 1)
    ]


def sealed_ids(store: MemoryStore) -> list[str]:
    return [r.event_id for d in store.written for r in d.sealed]


async def test_a_write_that_fails_for_one_event_isolates_it_and_the_rest_seal_in_order() -> None:
    rec, store, producer = recorder()
    store.poison = {"evt-lot-0005"}
    batch = project_events(9)

    decision = await rec.record_batch(batch)

    assert sealed_ids(store) == ["evt-reg-poison", "evt-appt-poison"] + [
        f"evt-lot-{n:04d}" for n in (1, 2, 3, 4, 6, 7, 8, 9)
    ]
    seqs = [r.seq for d in store.written for r in d.sealed]
    assert seqs == list(range(1, 11))
    refused = [j for d in store.written for j in d.rejected]
    assert [(j.event_id, j.rejection.code) for j in refused] == [
        ("evt-lot-0005", "event.unprocessable")
    ]
    assert "ValueError: invalid byte sequence" in refused[0].rejection.message_en
    assert refused[0].raw == batch[6]
    assert [j.event_id for j in decision.rejected] == ["evt-lot-0005"]
    assert len(decision.sealed) == 10
    published = [json.loads(v)["record"]["event_id"] for _, v in producer.sent["qtrail.trail.v1"]]
    assert published == sealed_ids(store)
    assert len(producer.sent["qtrail.rejected.v1"]) == 1


async def test_transient_failures_are_waited_out_and_nothing_is_refused() -> None:
    rec, store, producer = recorder()
    store.failures = [
        OSError("connection refused"),
        Collision("a rebalance: another writer took seq 3"),
        PermissionError("permission denied for table trail"),
    ]
    producer.failures = [ConnectionError("broker away")]

    decision = await rec.record_batch(project_events(2))

    assert store.failures == [] and producer.failures == []
    assert decision.rejected == [] and len(decision.sealed) == 4
    assert len(producer.sent["qtrail.trail.v1"]) == 4


async def test_a_batch_of_only_junk_is_quarantined_and_the_next_event_seals() -> None:
    rec, store, _ = recorder()
    await rec.record_batch([b"\x00\x01", b"{}", b"[" * 5000, b'{"id": 1e999}'])
    refused = [j for d in store.written for j in d.rejected]
    assert [j.rejection.code for j in refused] == ["event.malformed"] * 4
    assert refused[0].raw == b"\x00\x01"
    await rec.record_batch(project_events(0)[:1])
    assert sealed_ids(store) == ["evt-reg-poison"]


async def test_a_message_the_broker_can_never_take_is_logged_not_retried_for_ever() -> None:
    rec, store, producer = recorder()
    producer.failures = [Unstorable(ValueError("message too large"))]
    decision = await rec.record_batch(project_events(0))
    assert len(decision.sealed) == 2 and sealed_ids(store) == ["evt-reg-poison", "evt-appt-poison"]
    assert producer.failures == []
