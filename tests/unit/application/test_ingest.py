"""Ingest over in-memory ports: new events are published once and noted as received, a decided id
is answered without publishing again, a reused id with other content is a conflict, waiting is
capped and ends as pending, and a broker away takes nothing in."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

import pytest

from events.envelope import Envelope
from services.application.ingest import IdConflict, Ingest
from services.application.ports import (
    EventStatus,
    OutcomeWaiter,
    Publisher,
    SubmissionLog,
    SubmissionStatuses,
)
from services.domain.submission import envelope_digest
from tests.support.events import lot, registration

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
AT = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
P = "XZ-INGEST-01"
TOPIC = "qtrail.submitted.v1"
WAIT_MAX_S = 30.0


def submitted(envelope: dict[str, Any]) -> tuple[dict[str, Any], Envelope]:
    """What the HTTP layer hands over: the envelope as validated, and parsed."""
    parsed = Envelope.model_validate(envelope)
    return parsed.model_dump(mode="json", exclude_none=True), parsed


def sealed(event: tuple[dict[str, Any], Envelope], seq: int = 1) -> EventStatus:
    raw, env = event
    return EventStatus(
        event_id=env.id,
        status="sealed",
        project_id=env.subject,
        seq=seq,
        hash="ab" * 32,
        decided_at=NOW,
        digest=envelope_digest(raw),
    )


class MemoryStatuses(SubmissionStatuses):
    """The SubmissionStatuses port: what the store knows, by id."""

    def __init__(self) -> None:
        self.known: dict[str, EventStatus] = {}
        self.asked: list[list[str]] = []

    async def statuses(self, event_ids: list[str]) -> dict[str, EventStatus]:
        self.asked.append(list(event_ids))
        return {i: self.known[i] for i in event_ids if i in self.known}


class MemorySubmissions(SubmissionLog):
    """The SubmissionLog port; received ids answer ``pending`` with their digest afterwards."""

    def __init__(self, statuses: MemoryStatuses) -> None:
        self.statuses = statuses
        self.received: list[tuple[tuple[str, str, str, bytes], dt.datetime]] = []

    async def note_received(
        self, rows: list[tuple[str, str, str, bytes]], at: dt.datetime
    ) -> set[str]:
        fresh = set()
        for row in rows:
            self.received.append((row, at))
            if row[0] not in self.statuses.known:
                fresh.add(row[0])
                self.statuses.known[row[0]] = EventStatus(
                    event_id=row[0], status="pending", project_id=row[1], digest=row[3]
                )
        return fresh


class MemoryPublisher(Publisher):
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, bytes]] = []
        self.failures: list[BaseException] = []

    async def publish_many(self, topic: str, messages: Iterable[tuple[str, bytes]]) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent += [(topic, key, value) for key, value in messages]


class ScriptedWaiter(OutcomeWaiter):
    """The OutcomeWaiter port: answers what ``outcomes`` holds for an id (None: declined, or
    nothing decided), and remembers how long it was asked to wait."""

    def __init__(self) -> None:
        self.outcomes: dict[str, EventStatus | None] = {}
        self.waits: list[tuple[str, float]] = []

    async def wait(self, event_id: str, timeout_s: float) -> EventStatus | None:
        self.waits.append((event_id, timeout_s))
        return self.outcomes.get(event_id)


class Fixture:
    def __init__(self) -> None:
        self.statuses = MemoryStatuses()
        self.submissions = MemorySubmissions(self.statuses)
        self.publisher = MemoryPublisher()
        self.waiter = ScriptedWaiter()
        self.ingest = Ingest(
            topic=TOPIC,
            wait_max_s=WAIT_MAX_S,
            publisher=self.publisher,
            statuses=self.statuses,
            submissions=self.submissions,
            waiter=self.waiter,
            clock=lambda: NOW,
        )

    def published_ids(self) -> list[str]:
        return [json.loads(value)["id"] for _, _, value in self.publisher.sent]


@pytest.fixture
def f() -> Fixture:
    return Fixture()


def first() -> tuple[dict[str, Any], Envelope]:
    return submitted(registration(P, at=AT, event_id="evt-ingest-0001"))


def other(n: int) -> tuple[dict[str, Any], Envelope]:
    return submitted(lot(P, n, at=AT + dt.timedelta(hours=n), event_id=f"evt-ingest-lot-{n:04d}"))


async def test_a_new_event_is_published_noted_and_answered_pending(f: Fixture) -> None:
    event = first()

    [answer] = await f.ingest.submit([event], 0)

    assert answer == EventStatus(event_id="evt-ingest-0001", status="pending", project_id=P)
    raw, env = event
    assert f.publisher.sent == [(TOPIC, P, json.dumps(raw, ensure_ascii=False).encode())]
    assert f.submissions.received == [
        ((env.id, P, env.type, envelope_digest(raw)), NOW),
    ]
    assert f.waiter.waits == []


async def test_a_batch_is_looked_up_once_published_in_order_and_answered_in_order(
    f: Fixture,
) -> None:
    events = [first(), other(1), other(2)]

    answers = await f.ingest.submit(events, 0)

    assert f.statuses.asked == [[env.id for _, env in events]]
    assert f.published_ids() == [env.id for _, env in events]
    assert [a.event_id for a in answers] == [env.id for _, env in events]
    assert all(isinstance(a, EventStatus) and a.status == "pending" for a in answers)


async def test_a_decided_id_sent_again_with_the_same_content_answers_its_outcome_unpublished(
    f: Fixture,
) -> None:
    event = first()
    f.statuses.known[event[1].id] = outcome = sealed(event)

    [answer] = await f.ingest.submit([event], 5)

    assert answer == outcome
    assert f.publisher.sent == [] and f.submissions.received == []
    assert f.waiter.waits == []


async def test_a_received_id_sent_again_with_the_same_content_is_published_again(
    f: Fixture,
) -> None:
    """Only the recorder knows whether the first publish arrived; it deduplicates by id."""
    event = first()
    await f.ingest.submit([event], 0)

    [answer] = await f.ingest.submit([event], 0)

    assert isinstance(answer, EventStatus) and answer.status == "pending"
    assert f.published_ids() == [event[1].id, event[1].id]


async def test_an_id_decided_for_other_content_is_a_conflict_and_nothing_is_published(
    f: Fixture,
) -> None:
    original = first()
    f.statuses.known[original[1].id] = outcome = sealed(original)
    reused = submitted(registration(P, at=AT + dt.timedelta(days=1), event_id=original[1].id))

    [answer] = await f.ingest.submit([reused], 5)

    assert answer == IdConflict(original[1].id, outcome)
    assert f.publisher.sent == [] and f.submissions.received == []
    assert f.waiter.waits == []


async def test_an_id_received_for_other_content_is_a_conflict_without_an_original(
    f: Fixture,
) -> None:
    original = first()
    await f.ingest.submit([original], 0)
    reused = submitted(registration(P, at=AT + dt.timedelta(days=1), event_id=original[1].id))

    [answer] = await f.ingest.submit([reused], 0)

    assert answer == IdConflict(original[1].id, None)
    assert f.published_ids() == [original[1].id]


async def test_within_a_batch_a_repeated_id_is_published_once_and_other_content_conflicts(
    f: Fixture,
) -> None:
    event = first()
    reused = submitted(registration(P, at=AT + dt.timedelta(days=1), event_id=event[1].id))

    same, again, conflict = await f.ingest.submit([event, event, reused], 0)

    assert f.published_ids() == [event[1].id]
    assert isinstance(same, EventStatus) and same == again
    assert conflict == IdConflict(event[1].id, None)


async def test_waiting_answers_the_outcome_decided_meanwhile(f: Fixture) -> None:
    event = first()
    f.waiter.outcomes[event[1].id] = outcome = sealed(event)

    [answer] = await f.ingest.submit([event], 2.5)

    assert answer == outcome
    assert f.waiter.waits == [(event[1].id, 2.5)]


async def test_an_outcome_decided_for_other_content_meanwhile_is_a_conflict(f: Fixture) -> None:
    """Two clients raced with one id: the recorder decided the other one's content."""
    event = first()
    raced = submitted(registration(P, at=AT + dt.timedelta(days=1), event_id=event[1].id))
    f.waiter.outcomes[event[1].id] = outcome = sealed(raced)

    [answer] = await f.ingest.submit([event], 1)

    assert answer == IdConflict(event[1].id, outcome)


@pytest.mark.parametrize(
    "outcome",
    [None, "pending"],
    ids=["waiter declined or nothing known", "still pending at the deadline"],
)
async def test_a_wait_that_runs_out_answers_pending(f: Fixture, outcome: str | None) -> None:
    event = first()
    if outcome is not None:
        f.waiter.outcomes[event[1].id] = EventStatus(
            event_id=event[1].id, status="pending", project_id=P, digest=envelope_digest(event[0])
        )

    [answer] = await f.ingest.submit([event], 3)

    assert isinstance(answer, EventStatus) and answer.status == "pending"
    assert answer.event_id == event[1].id and answer.project_id == P
    assert f.waiter.waits == [(event[1].id, 3)]


@pytest.mark.parametrize(
    ("asked", "waited"), [(-5, None), (0, None), (WAIT_MAX_S * 10, WAIT_MAX_S)]
)
async def test_the_wait_is_capped_and_a_negative_one_is_no_wait(
    f: Fixture, asked: float, waited: float | None
) -> None:
    event = first()

    await f.ingest.submit([event], asked)

    assert f.waiter.waits == ([] if waited is None else [(event[1].id, waited)])


async def test_a_broker_away_takes_nothing_in(f: Fixture) -> None:
    """The publish fails: nothing is noted as received, the failure reaches the caller (503)."""
    f.publisher.failures = [ConnectionError("broker away")]

    with pytest.raises(ConnectionError):
        await f.ingest.submit([first(), other(1)], 5)

    assert f.submissions.received == []
    assert f.waiter.waits == []


async def test_an_empty_submission_publishes_nothing(f: Fixture) -> None:
    assert await f.ingest.submit([], 5) == []
    assert f.publisher.sent == [] and f.submissions.received == []
