"""Taking validated events into the system: publish to the submitted topic, answer their status.

An id that is already decided is answered from the database without publishing again; anything
else is published (again, if a client retries), since the recorder deduplicates by id.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from prometheus_client import Counter

from events.envelope import Envelope
from services.adapters.kafka.producer import EventProducer
from services.adapters.postgres.outcome_listener import OutcomeListener
from services.adapters.postgres.submissions import SubmissionLog
from services.adapters.postgres.trail_store import EventStatus, TrailStore
from services.domain.submission import envelope_digest
from services.gateway.problems import Problem
from services.settings import Settings

ACCEPTED = Counter("qtrail_gateway_events_total", "Events published to the submitted topic")


@dataclass(frozen=True)
class IdConflict:
    """The id was already taken by an event with other content: the original stands."""

    event_id: str
    original: EventStatus | None

    def problem(self) -> Problem:
        state = self.original.status if self.original else "received"
        return Problem(
            409,
            "Event id already used",
            f"event id {self.event_id} was already {state} for different content; the original "
            "stands. Send new content under a new id (a correction refers to the original).",
            kind="https://qtrail.dev/problems/id-conflict",
            errors=[{"field": "id", "reason": f"already used for different content ({state})"}],
            extra={"id": self.event_id},
        )


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
    ) -> list[EventStatus | IdConflict]:
        """Publish ``events`` (raw envelope, parsed envelope); one answer per event, in order.

        An id already decided or received for the same content answers its status; for other
        content, an ``IdConflict`` (nothing is published).
        """
        digests: dict[str, bytes] = {}
        conflicts: dict[int, IdConflict] = {}
        ids = list(dict.fromkeys(env.id for _, env in events))
        statuses = await self._store.statuses(ids)
        decided = {i: st for i, st in statuses.items() if st.status != "pending"}
        to_publish: list[tuple[dict[str, Any], Envelope, bytes]] = []
        for index, (raw, env) in enumerate(events):
            digest = envelope_digest(raw)
            taken = digests.get(env.id) or (st.digest if (st := statuses.get(env.id)) else None)
            if taken is not None and taken != digest:
                conflicts[index] = IdConflict(env.id, decided.get(env.id))
                continue
            if env.id not in decided and env.id not in digests:
                to_publish.append((raw, env, digest))
            digests[env.id] = digest
        if to_publish:
            await self._producer.publish_many(
                self._settings.topic_submitted,
                [
                    (env.subject, json.dumps(raw, ensure_ascii=False).encode())
                    for raw, env, _ in to_publish
                ],
            )
            ACCEPTED.inc(len(to_publish))
            await self._submissions.note_received(
                [(env.id, env.subject, env.type, digest) for _, env, digest in to_publish],
                dt.datetime.now(dt.UTC),
            )
        wait_s = min(max(wait_s, 0.0), self._settings.wait_max_s)

        async def answer(index: int, env: Envelope) -> EventStatus | IdConflict:
            if index in conflicts:
                return conflicts[index]
            status = decided.get(env.id)
            if status is None and wait_s > 0:
                status = await self._listener.wait(env.id, wait_s)
            if status is None:
                return EventStatus(event_id=env.id, status="pending", project_id=env.subject)
            if status.digest is not None and status.digest != digests[env.id]:
                return IdConflict(env.id, status)  # another content was decided under this id
            return status

        return list(await asyncio.gather(*(answer(i, env) for i, (_, env) in enumerate(events))))
