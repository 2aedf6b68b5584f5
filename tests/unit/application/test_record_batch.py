"""BatchRecorder over in-memory ports: transient failures wait, collisions decide again, an event the
store can never take is set aside alone and the rest seal in order."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

import pytest

from services.application import record_batch as record_batch_module
from services.application.ports import Collision, Unstorable
from services.application.record_batch import BatchRecorder, Topics
from tests.support.events import FILED_AFTER, appointment, filing_accepted, lot, registration
from tests.support.fakes import MemoryPublisher, MemoryTrail
from tests.support.sealing import raw

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
AT = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
P = "XZ-POISON-01"


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    real_sleep = asyncio.sleep

    async def instant(_delay: float) -> None:
        await real_sleep(0)

    monkeypatch.setattr(record_batch_module.asyncio, "sleep", instant)


TOPICS = Topics("qtrail.trail.v1", "qtrail.rejected.v1", "qtrail.alerts.v1")


def recorder() -> tuple[BatchRecorder, MemoryTrail, MemoryPublisher]:
    store, producer = MemoryTrail(), MemoryPublisher()
    return BatchRecorder(TOPICS, store, producer, clock=lambda: NOW), store, producer


def project_events(lots: int) -> list[bytes]:
    events = [raw(e) for e in opening()]
    return events + [
        raw(lot(P, n, at=AT + dt.timedelta(hours=n), event_id=f"evt-lot-{n:04d}"))
        for n in range(1, lots + 1)
    ]


def opening() -> list[dict[str, object]]:
    """The registration, the station's acceptance of the filing, construction appointed."""
    return [
        registration(P, at=AT, event_id="evt-reg-poison"),
        filing_accepted(P, at=AT + FILED_AFTER, event_id="evt-fil-poison"),
        appointment(P, "construction", at=AT, event_id="evt-appt-poison"),
    ]


OPENING_IDS = [e["id"] for e in opening()]


async def sealed_ids(store: MemoryTrail) -> list[str]:
    return [r.event_id for r in await store.records(P)]


async def test_a_write_that_fails_for_one_event_isolates_it_and_the_rest_seal_in_order() -> None:
    rec, store, producer = recorder()
    store.cannot_hold = {"evt-lot-0005"}
    batch = project_events(9)

    decision = await rec.record_batch(batch)

    assert await sealed_ids(store) == OPENING_IDS + [
        f"evt-lot-{n:04d}" for n in (1, 2, 3, 4, 6, 7, 8, 9)
    ]
    sealed_count = len(OPENING_IDS) + 8
    assert [r.seq for r in await store.records(P)] == list(range(1, sealed_count + 1))
    refused = store.db.rejections
    assert [(j.event_id, j.rejection.code) for j in refused] == [
        ("evt-lot-0005", "event.unprocessable")
    ]
    assert "ValueError: invalid byte sequence" in refused[0].rejection.message_en
    assert refused[0].raw == batch[len(OPENING_IDS) + 4]
    assert [j.event_id for j in decision.rejected] == ["evt-lot-0005"]
    assert len(decision.sealed) == sealed_count
    published = [json.loads(v)["record"]["event_id"] for _, v in producer.sent["qtrail.trail.v1"]]
    assert published == await sealed_ids(store)
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
    assert decision.rejected == [] and len(decision.sealed) == len(OPENING_IDS) + 2
    assert len(producer.sent["qtrail.trail.v1"]) == len(OPENING_IDS) + 2


async def test_a_batch_of_only_junk_is_quarantined_and_the_next_event_seals() -> None:
    rec, store, _ = recorder()
    await rec.record_batch([b"\x00\x01", b"{}", b"[" * 5000, b'{"id": 1e999}'])
    refused = store.db.rejections
    assert [j.rejection.code for j in refused] == ["event.malformed"] * 4
    assert refused[0].raw == b"\x00\x01"
    await rec.record_batch(project_events(0)[:1])
    assert await sealed_ids(store) == ["evt-reg-poison"]


async def test_a_message_the_broker_can_never_take_is_logged_not_retried_for_ever() -> None:
    rec, store, producer = recorder()
    producer.failures = [Unstorable(ValueError("message too large"))]
    decision = await rec.record_batch(project_events(0))
    assert len(decision.sealed) == len(OPENING_IDS)
    assert await sealed_ids(store) == OPENING_IDS
    assert producer.failures == []
