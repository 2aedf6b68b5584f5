"""The ports the use cases drive, the values that cross them, and the two failures adapters
translate their drivers' into.

A use case never sees asyncpg or aiokafka: an adapter raises ``Collision`` when another writer took
the same positions, ``Unstorable`` when its store can never take the input as it is (the input's
fault: isolate it), and anything else for trouble of the world (connection, resources, permissions:
wait and retry).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from services.domain.chain import SealedRecord
from services.domain.corrections import ReferencedRecord
from services.domain.recording import BatchDecision
from services.domain.state import ProjectState


class Collision(Exception):
    """Another writer sealed the same (project, seq) first: decide again from fresh state."""


class Unstorable(Exception):
    """The store refuses this input and always will (a value it cannot hold, a row too large)."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.cause = cause


class TrailWriter(Protocol):
    """The recorder's side of the trail store."""

    async def decided_digests(self, event_ids: Iterable[str]) -> dict[str, bytes]: ...

    async def load_states(self, project_ids: Iterable[str]) -> dict[str, ProjectState]: ...

    async def referenced_records(self, event_ids: Iterable[str]) -> dict[str, ReferencedRecord]: ...

    async def reports_seen(self, numbers: Iterable[str]) -> dict[str, str]: ...

    async def record(self, decision: BatchDecision, now: dt.datetime) -> None:
        """Write a decided batch in one transaction; ``Collision`` or ``Unstorable``."""

    async def sealed_by_event_ids(self, event_ids: Iterable[str]) -> list[SealedRecord]: ...


class Publisher(Protocol):
    async def publish_many(self, topic: str, messages: Iterable[tuple[str, bytes]]) -> None:
        """Publish and wait for the broker's acknowledgement of all; ``Unstorable`` for a
        message the broker can never take."""


@dataclass(frozen=True)
class EventStatus:
    """Where a submitted event stands: received and not yet decided, sealed or rejected."""

    event_id: str
    status: str
    """pending | sealed | rejected"""
    project_id: str | None = None
    seq: int | None = None
    hash: str | None = None
    reason_code: str | None = None
    message_zh: str | None = None
    message_en: str | None = None
    decided_at: dt.datetime | None = None
    details: list[dict[str, Any]] | None = None
    digest: bytes | None = None
    """Digest of the envelope this outcome is for (not shown): tells a reused id apart."""


class SubmissionStatuses(Protocol):
    async def statuses(self, event_ids: list[str]) -> dict[str, EventStatus]:
        """The status of each id known here: its outcome once decided, else ``pending`` if it
        was received (with the digest it was received with); unknown ids are left out."""


class OutcomeWaiter(Protocol):
    async def wait(self, event_id: str, timeout_s: float) -> EventStatus | None:
        """The event's status once decided, or as it stands when ``timeout_s`` runs out; None
        when the waiter declines to wait (too many waiting) or the id is unknown."""


class SubmissionLog(Protocol):
    async def note_received(
        self, rows: list[tuple[str, str, str, bytes]], at: dt.datetime
    ) -> set[str]:
        """Record (event id, project id, type, digest) as received, so a status can answer
        ``pending`` before the recorder decides; returns the ids seen for the first time."""
