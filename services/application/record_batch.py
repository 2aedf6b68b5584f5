"""Recording a batch: read, decide (pure), write in one transaction, then publish.

Kafka delivers at least once. A batch redelivered after a crash finds its event ids already
decided: they count as duplicates and their sealed records are published again, which repairs a
crash between the database commit and the publish. Trail consumers skip seqs they have applied.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import TypeVar

import structlog
from prometheus_client import Counter, Histogram

from services.application.ports import Collision, Publisher, TrailWriter, Unstorable
from services.domain.plaques import Issuer
from services.domain.recording import (
    BatchDecision,
    RejectedEvent,
    corrected_ids,
    decide_batch,
    decide_overdue,
    reported_numbers,
    unprocessable,
)
from services.domain.submission import Submission, read_item

log = structlog.get_logger()
T = TypeVar("T")

SEALED = Counter("qtrail_recorder_sealed_total", "Events sealed onto a chain")
REJECTED = Counter("qtrail_recorder_rejected_total", "Events rejected", ["reason"])
DUPLICATES = Counter("qtrail_recorder_duplicates_total", "Deliveries of already decided events")
BATCH_SECONDS = Histogram("qtrail_recorder_batch_seconds", "Time to decide and write one batch")
RETRIES = Counter("qtrail_recorder_retries_total", "Batches retried after a transient error")
UNPROCESSABLE = Counter(
    "qtrail_recorder_unprocessable_total",
    "Events set aside because they cannot be decided or stored",
)


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


@dataclass(frozen=True)
class Topics:
    """Where decisions are published."""

    trail: str
    rejected: str
    alerts: str


async def _retrying(what: str, attempt: Callable[[], Awaitable[T]]) -> T:
    """Run ``attempt`` until it passes, waiting out transient failures with backoff; raise
    ``Unstorable`` at once (retrying cannot help)."""
    delay = 0.2
    while True:
        try:
            return await attempt()
        except (asyncio.CancelledError, Unstorable) as exc:
            if isinstance(exc, Unstorable):
                log.warning(f"{what} cannot succeed as it is", error=repr(exc))
            raise
        except Exception as exc:
            RETRIES.inc()
            log.error(f"{what} failed, retrying", error=repr(exc), delay=delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)


class BatchRecorder:
    """The recorder's use case: every message of a partition decided, recorded and published."""

    def __init__(
        self,
        topics: Topics,
        writer: TrailWriter,
        publisher: Publisher,
        clock: Callable[[], dt.datetime] = _utc_now,
        issuer: Issuer | None = None,
    ) -> None:
        self._topics = topics
        self._writer = writer
        self._publisher = publisher
        self._clock = clock
        self._issuer = issuer

    async def record_batch(self, raws: Sequence[bytes]) -> BatchDecision:
        """Decide and durably record ``raws``, then publish what was decided.

        It never skips a message: that would leave a hole in an ordered ledger, and an exception
        here would let the stream acknowledge events that were never recorded. Transient
        failures are retried until they pass. One the store can never take (``Unstorable``) is
        narrowed down by halving the batch, in order, until the event behind it stands alone;
        that event is then recorded as refused (``event.unprocessable``, its bytes kept) and the
        partition moves on.
        """
        try:
            decision = await self._until_written(raws)
        except Unstorable as failure:
            if len(raws) > 1:
                half = len(raws) // 2
                first = await self.record_batch(raws[:half])
                return first.then(await self.record_batch(raws[half:]))
            decision = await self._set_aside(raws[0], failure.cause)
        await self._publish_until_done(decision)
        SEALED.inc(len(decision.sealed))
        DUPLICATES.inc(len(decision.duplicates))
        for rejected in decision.rejected:
            REJECTED.labels(rejected.rejection.code).inc()
        return decision

    async def _until_written(self, raws: Sequence[bytes]) -> BatchDecision:
        with BATCH_SECONDS.time():
            return await _retrying("batch", lambda: self._record_once(raws))

    async def _set_aside(self, raw: bytes, cause: BaseException) -> BatchDecision:
        """Record one event that cannot be decided or stored as refused, with its bytes."""
        UNPROCESSABLE.inc()
        _, item = read_item(raw)
        log.error(
            "event set aside as unprocessable",
            event_id=item.event_id,
            project_id=item.project_id,
            error=repr(cause),
        )
        rejected = unprocessable(raw, item, cause)
        for attempt in (rejected, replace(rejected, event_id=None, project_id=None)):
            decision = BatchDecision(rejected=[attempt], decided_at=self._clock())
            try:
                await _retrying("refusal", partial(self._writer.write, decision, self._clock()))
                return decision
            except Unstorable as again:
                log.error("refusal could not be stored", error=repr(again.cause))
        log.critical("message skipped: not even its refusal can be stored", raw=raw[:200])
        return BatchDecision()

    async def _record_once(self, raws: Sequence[bytes]) -> BatchDecision:
        items = [read_item(raw) for raw in raws]
        event_ids = [item.event_id for _, item in items if item.event_id is not None]
        project_ids = [item.project_id for _, item in items if isinstance(item, Submission)]
        wanted = corrected_ids(items)
        numbers = reported_numbers(items)
        for _ in range(5):
            decided = await self._writer.decided_digests(event_ids)
            states = await self._writer.load_states(project_ids)
            referenced = await self._writer.referenced_records(wanted) if wanted else {}
            seen = await self._writer.reports_seen(numbers) if numbers else {}
            now = self._clock()
            decision = decide_batch(items, states, decided, now, referenced, seen, self._issuer)
            try:
                await self._writer.write(decision, now)
                decision.decided_at = now
                return decision
            except Collision:
                # Another recorder wrote these projects meanwhile (a rebalance): decide again.
                log.warning("concurrent write detected, deciding the batch again")
        raise Collision("batch kept colliding with concurrent writers")

    async def record_overdue(self, project_ids: Sequence[str], now: dt.datetime) -> BatchDecision:
        """Seal the overdue facts of these projects as of ``now``'s day (the sweep's one clock
        reading, so it picks the projects and decides them on the same day), write them
        like a batch (deciding again from fresh states when a batch of the same projects got
        there first) and publish them with their alerts."""
        if not project_ids:
            return BatchDecision()

        async def once() -> BatchDecision:
            for _ in range(5):
                states = await self._writer.load_states(project_ids)
                decision = decide_overdue(states, now)
                if not decision.sealed:
                    return decision
                try:
                    await self._writer.write(decision, now)
                    decision.decided_at = now
                    return decision
                except Collision:
                    log.warning("concurrent write detected, sweeping the projects again")
            raise Collision("the sweep kept colliding with concurrent writers")

        decision = await _retrying("overdue sweep", once)
        if decision.sealed:
            await self._publish_until_done(decision)
            SEALED.inc(len(decision.sealed))
        return decision

    async def _publish_until_done(self, decision: BatchDecision) -> None:
        """Publish a recorded decision; the database already holds it, so only waiting helps
        when Kafka is away. A message Kafka can never take is logged, not retried for ever."""
        at = decision.decided_at or self._clock()
        try:
            await _retrying("publish", lambda: self._publish(decision, at))
        except Unstorable as failure:
            log.error("decision recorded but not published", error=repr(failure.cause))

    async def _publish(self, decision: BatchDecision, now: dt.datetime) -> None:
        again = (
            await self._writer.sealed_by_event_ids(decision.duplicates)
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
            self._publisher.publish_many(self._topics.trail, trail),
            self._publisher.publish_many(self._topics.rejected, rejected),
            self._publisher.publish_many(self._topics.alerts, raised),
        )
