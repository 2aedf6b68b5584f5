"""One batch at a time: read, decide (pure), write in one transaction, then publish.

Kafka delivers at least once. A batch redelivered after a crash finds its event ids already
decided: they count as duplicates and their sealed records are published again, which repairs a
crash between the database commit and the publish. Trail consumers skip seqs they have applied.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Callable, Sequence

import asyncpg
import structlog
from prometheus_client import Counter, Histogram

from services.adapters.kafka.producer import EventProducer
from services.adapters.postgres.trail_store import TrailStore
from services.domain.completion import Issuer
from services.domain.recording import (
    BatchDecision,
    RejectedEvent,
    corrected_ids,
    decide_batch,
    reported_numbers,
)
from services.domain.submission import Submission, Unreadable, read_submission
from services.settings import Settings

log = structlog.get_logger()

SEALED = Counter("qtrail_recorder_sealed_total", "Events sealed onto a chain")
REJECTED = Counter("qtrail_recorder_rejected_total", "Events rejected", ["reason"])
DUPLICATES = Counter("qtrail_recorder_duplicates_total", "Deliveries of already decided events")
BATCH_SECONDS = Histogram("qtrail_recorder_batch_seconds", "Time to decide and write one batch")
RETRIES = Counter("qtrail_recorder_retries_total", "Batches retried after an error")


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def rejection_message(rejected: RejectedEvent, at: dt.datetime) -> bytes:
    return json.dumps(
        {
            "event_id": rejected.event_id,
            "project_id": rejected.project_id,
            "type": rejected.event_type,
            "reason": rejected.rejection.as_dict(),
            "conflict": rejected.conflict,
            "rejected_at": at.isoformat(),
        },
        ensure_ascii=False,
    ).encode()


class Recorder:
    def __init__(
        self,
        settings: Settings,
        store: TrailStore,
        producer: EventProducer,
        clock: Callable[[], dt.datetime] = _utc_now,
        issuer: Issuer | None = None,
    ) -> None:
        self._settings = settings
        self._store = store
        self._producer = producer
        self._clock = clock
        self._issuer = issuer

    async def record_batch(self, raws: Sequence[bytes]) -> BatchDecision:
        """Decide and durably record ``raws``; retries until it succeeds.

        It never gives up on a batch: skipping one would leave a hole in an ordered ledger, and
        an exception here would let the stream acknowledge events that were never recorded.
        """
        delay = 0.2
        while True:
            try:
                with BATCH_SECONDS.time():
                    return await self._record_once(raws)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                RETRIES.inc()
                log.error("batch failed, retrying", error=repr(exc), size=len(raws), delay=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def _record_once(self, raws: Sequence[bytes]) -> BatchDecision:
        items: list[tuple[bytes, Submission | Unreadable]] = []
        for raw in raws:
            try:
                items.append((raw, read_submission(raw)))
            except Unreadable as unreadable:
                items.append((raw, unreadable))
        event_ids = [item.event_id for _, item in items if item.event_id is not None]
        project_ids = [item.project_id for _, item in items if isinstance(item, Submission)]
        wanted = corrected_ids(items)
        numbers = reported_numbers(items)
        for _ in range(5):
            decided = await self._store.decided_digests(event_ids)
            states = await self._store.load_states(project_ids)
            referenced = await self._store.referenced_records(wanted) if wanted else {}
            seen = await self._store.reports_seen(numbers) if numbers else {}
            now = self._clock()
            decision = decide_batch(items, states, decided, now, referenced, seen, self._issuer)
            try:
                await self._store.record(decision, now)
                break
            except asyncpg.UniqueViolationError:
                # Another recorder wrote these projects meanwhile (a rebalance): decide again.
                log.warning("concurrent write detected, deciding the batch again")
        else:
            raise RuntimeError("batch kept colliding with concurrent writers")
        await self._publish(decision, now)
        SEALED.inc(len(decision.sealed))
        DUPLICATES.inc(len(decision.duplicates))
        for rejected in decision.rejected:
            REJECTED.labels(rejected.rejection.code).inc()
        return decision

    async def _publish(self, decision: BatchDecision, now: dt.datetime) -> None:
        again = (
            await self._store.sealed_by_event_ids(decision.duplicates)
            if decision.duplicates
            else []
        )
        trail = [
            (r.project_id, json.dumps(r.to_message(), ensure_ascii=False).encode())
            for r in [*decision.sealed, *again]
        ]
        rejected = [(j.project_id or "", rejection_message(j, now)) for j in decision.rejected]
        raised = [
            (
                pid,
                json.dumps(
                    {"project_id": pid, **a.model_dump(mode="json")}, ensure_ascii=False
                ).encode(),
            )
            for pid, a in decision.alerts
        ]
        await asyncio.gather(
            self._producer.publish_many(self._settings.topic_trail, trail),
            self._producer.publish_many(self._settings.topic_rejected, rejected),
            self._producer.publish_many(self._settings.topic_alerts, raised),
        )
