"""Taking validated events into the system: publish to the submitted topic, answer their status.

An id that is already decided is answered from its status without publishing again; anything
else is published (again, if a client retries), since the recorder deduplicates by id.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from prometheus_client import Counter

from events.envelope import Envelope
from services.application.ports import (
    EventStatus,
    OutcomeWaiter,
    Publisher,
    SubmissionLog,
    SubmissionStatuses,
)
from services.domain.submission import envelope_digest

ACCEPTED = Counter("qtrail_gateway_events_total", "Events published to the submitted topic")


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class IdConflict:
    """The id was already taken by an event with other content: the original stands."""

    event_id: str
    original: EventStatus | None
    """The original's status once decided; None while it is only received."""


class Ingest:
    """The ingest use case: validated events published once, answered with their status."""

    def __init__(
        self,
        topic: str,
        wait_max_s: float,
        publisher: Publisher,
        statuses: SubmissionStatuses,
        submissions: SubmissionLog,
        waiter: OutcomeWaiter,
        clock: Callable[[], dt.datetime] = _utc_now,
    ) -> None:
        self._topic = topic
        self._wait_max_s = wait_max_s
        self._publisher = publisher
        self._statuses = statuses
        self._submissions = submissions
        self._waiter = waiter
        self._clock = clock

    async def submit(
        self, events: list[tuple[dict[str, Any], Envelope]], wait_s: float
    ) -> list[EventStatus | IdConflict]:
        """Publish ``events`` (raw envelope, parsed envelope); one answer per event, in order.

        An id already decided or received for the same content answers its status; for other
        content, an ``IdConflict`` (nothing is published). ``wait_s`` (capped) is how long to
        wait for undecided events' outcomes.
        """
        digests: dict[str, bytes] = {}
        conflicts: dict[int, IdConflict] = {}
        ids = list(dict.fromkeys(env.id for _, env in events))
        statuses = await self._statuses.statuses(ids)
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
            await self._publisher.publish_many(
                self._topic,
                [
                    (env.subject, json.dumps(raw, ensure_ascii=False).encode())
                    for raw, env, _ in to_publish
                ],
            )
            ACCEPTED.inc(len(to_publish))
            await self._submissions.note_received(
                [(env.id, env.subject, env.type, digest) for _, env, digest in to_publish],
                self._clock(),
            )
        wait_s = min(max(wait_s, 0.0), self._wait_max_s)

        async def answer(index: int, env: Envelope) -> EventStatus | IdConflict:
            if index in conflicts:
                return conflicts[index]
            status = decided.get(env.id)
            if status is None and wait_s > 0:
                status = await self._waiter.wait(env.id, wait_s)
            if status is None:
                return EventStatus(event_id=env.id, status="pending", project_id=env.subject)
            if status.digest is not None and status.digest != digests[env.id]:
                return IdConflict(env.id, status)  # another content was decided under this id
            return status

        return list(await asyncio.gather(*(answer(i, env) for i, (_, env) in enumerate(events))))
