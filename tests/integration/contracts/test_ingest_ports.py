"""The ingest side's ports: the submission log keeps the first receipt of an id, statuses answer
``pending`` (with the received digest) until the recorder decides, then the outcome, and the
outcome waiter returns as soon as the decision lands, the pending status when time runs out, and
nothing when it declines to wait."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest

from services.adapters.postgres.outcome_listener import OutcomeListener
from services.adapters.postgres.pool import create_pool
from services.adapters.postgres.submissions import SubmissionLog as PostgresSubmissionLog
from services.adapters.postgres.trail_reader import PostgresTrailReader
from services.adapters.postgres.trail_writer import PostgresTrailWriter
from services.application.ports import (
    OutcomeWaiter,
    SubmissionLog,
    SubmissionStatuses,
    TrailWriter,
)
from tests.support.events import lot, registration
from tests.support.fakes import (
    MemoryDatabase,
    MemoryOutcomeWaiter,
    MemorySubmissionLog,
    MemoryTrail,
)
from tests.support.sealing import NOW, seal
from tests.support.stack import Environment

AT = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


@dataclass
class Ingestion:
    writer: TrailWriter
    received: SubmissionLog
    statuses: SubmissionStatuses
    waiter: Callable[[int], OutcomeWaiter]
    """A waiter that lets at most this many wait at once."""


@pytest.fixture
async def ingestion(backend: Environment | None) -> AsyncIterator[Ingestion]:
    if backend is None:
        trail = MemoryTrail(MemoryDatabase())
        yield Ingestion(
            trail,
            MemorySubmissionLog(trail.db),
            trail,
            lambda cap: MemoryOutcomeWaiter(trail, cap),
        )
        return
    recorder = await create_pool(backend.settings, "recorder", max_size=2)
    api = await create_pool(backend.settings, "api", max_size=2)
    reader = PostgresTrailReader(api)
    listeners: list[OutcomeListener] = []

    def waiter(cap: int) -> OutcomeWaiter:
        listener = OutcomeListener(backend.settings.dsn("api"), reader, cap)
        listeners.append(listener)
        return listener

    try:
        yield Ingestion(PostgresTrailWriter(recorder), PostgresSubmissionLog(api), reader, waiter)
    finally:
        for listener in listeners:
            await listener.stop()
        await api.close()
        await recorder.close()


async def started(waiter: OutcomeWaiter) -> OutcomeWaiter:
    if isinstance(waiter, OutcomeListener):
        await waiter.start()
    return waiter


def receipt(envelope: dict[str, object]) -> tuple[str, str, str, bytes]:
    digest = hashlib.sha256(json.dumps(envelope, sort_keys=True).encode()).digest()
    return str(envelope["id"]), str(envelope["subject"]), str(envelope["type"]), digest


def project() -> str:
    return f"INGEST-{uuid.uuid4().hex[:8]}"


async def test_the_first_receipt_of_an_id_stands(ingestion: Ingestion) -> None:
    p = project()
    first, second = registration(p), lot(p, 1)
    rows = [receipt(first), receipt(second)]
    assert await ingestion.received.note_received(rows, AT) == {first["id"], second["id"]}
    again = [(str(first["id"]), p, "other.type", b"\x00" * 32)]
    assert await ingestion.received.note_received(again, AT) == set()
    status = (await ingestion.statuses.statuses([str(first["id"])]))[str(first["id"])]
    assert (status.status, status.project_id, status.digest) == ("pending", p, rows[0][3])


async def test_unknown_ids_have_no_status(ingestion: Ingestion) -> None:
    assert await ingestion.statuses.statuses(["evt-never-seen-1"]) == {}


async def test_a_decision_replaces_pending(ingestion: Ingestion) -> None:
    p = project()
    good, refused = registration(p), lot(p, 1, at=AT + dt.timedelta(days=400))
    await ingestion.received.note_received([receipt(good), receipt(refused)], AT)
    decision = await seal(ingestion.writer, [good, refused], NOW)
    found = await ingestion.statuses.statuses([str(good["id"]), str(refused["id"])])
    sealed, rejected = found[str(good["id"])], found[str(refused["id"])]
    assert (sealed.status, sealed.project_id, sealed.seq) == ("sealed", p, 1)
    assert sealed.digest == decision.digests[str(good["id"])]
    assert rejected.status == "rejected"
    assert rejected.reason_code == decision.rejected[0].rejection.code


async def test_a_waiter_returns_when_the_decision_lands(ingestion: Ingestion) -> None:
    p = project()
    envelope = registration(p)
    await ingestion.received.note_received([receipt(envelope)], AT)
    waiter = await started(ingestion.waiter(10))

    async def decide_soon() -> None:
        await asyncio.sleep(0.3)
        await seal(ingestion.writer, [envelope], NOW)

    decider = asyncio.create_task(decide_soon())
    status = await waiter.wait(str(envelope["id"]), 20)
    await decider
    assert status is not None and status.status == "sealed"


async def test_a_waiter_answers_pending_when_time_runs_out(ingestion: Ingestion) -> None:
    envelope = registration(project())
    await ingestion.received.note_received([receipt(envelope)], AT)
    waiter = await started(ingestion.waiter(10))
    status = await waiter.wait(str(envelope["id"]), 0.2)
    assert status is not None and status.status == "pending"
    assert await waiter.wait("evt-never-seen-2", 0.2) is None


async def test_a_full_waiter_declines_at_once(ingestion: Ingestion) -> None:
    envelope = registration(project())
    await ingestion.received.note_received([receipt(envelope)], AT)
    waiter = await started(ingestion.waiter(1))
    holding = asyncio.create_task(waiter.wait(str(envelope["id"]), 2))
    await asyncio.sleep(0.1)
    assert await waiter.wait(str(envelope["id"]), 2) is None
    held = await holding
    assert held is not None and held.status == "pending"
