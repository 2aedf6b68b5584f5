"""Taking validated events into the system: publish to the submitted topic, answer their status.

An id that is already decided is answered from the database without publishing again; anything
else is published (again, if a client retries), since the recorder deduplicates by id.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Any

from prometheus_client import Counter

from events.envelope import Envelope
from services.adapters.kafka.producer import EventProducer
from services.adapters.postgres.outcome_listener import OutcomeListener
from services.adapters.postgres.submissions import SubmissionLog
from services.adapters.postgres.trail_store import EventStatus, TrailStore
from services.settings import Settings

ACCEPTED = Counter("qtrail_gateway_events_total", "Events published to the submitted topic")


class Ingest:
    def __init__(
        self,
        settings: Settings,
        producer: EventProducer,
        store: TrailStore,
        submissions: SubmissionLog,
        listener: OutcomeListener,
    ) -> None:
        self._settings = settings
        self._producer = producer
        self._store = store
        self._submissions = submissions
        self._listener = listener

    async def submit(
        self, events: list[tuple[dict[str, Any], Envelope]], wait_s: float
    ) -> list[EventStatus]:
        """Publish ``events`` (raw envelope, parsed envelope); one status per event, in order."""
        decided = await self._store.decided_statuses([env.id for _, env in events])
        to_publish = [(raw, env) for raw, env in events if env.id not in decided]
        if to_publish:
            await self._producer.publish_many(
                self._settings.topic_submitted,
                [
                    (env.subject, json.dumps(raw, ensure_ascii=False).encode())
                    for raw, env in to_publish
                ],
            )
            ACCEPTED.inc(len(to_publish))
            await self._submissions.note_received(
                [(env.id, env.subject, env.type) for _, env in to_publish], dt.datetime.now(dt.UTC)
            )
        wait_s = min(max(wait_s, 0.0), self._settings.wait_max_s)

        async def status_of(env: Envelope) -> EventStatus:
            if env.id in decided:
                return decided[env.id]
            if wait_s > 0:
                status = await self._listener.wait(env.id, wait_s)
                if status is not None:
                    return status
            return EventStatus(event_id=env.id, status="pending", project_id=env.subject)

        return list(await asyncio.gather(*(status_of(env) for _, env in events)))
