"""Sealed chains for port tests, made by the real domain: envelopes read as the recorder reads them,
decided by ``decide_batch`` over the store's own states, and written through the ``TrailWriter``."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from services.application.ports import TrailWriter
from services.domain.recording import (
    BatchDecision,
    corrected_ids,
    decide_batch,
    reported_numbers,
)
from services.domain.state import ProjectState
from services.domain.submission import Submission, Unreadable, read_item
from tests.support.events import appointment, lot, opened

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
"""Later than every default date of tests/support/events.py."""


def raw(envelope: Mapping[str, Any]) -> bytes:
    return json.dumps(envelope, ensure_ascii=False).encode()


def items(envelopes: Iterable[Mapping[str, Any]]) -> list[tuple[bytes, Submission | Unreadable]]:
    return [read_item(raw(envelope)) for envelope in envelopes]


def decided(
    envelopes: Iterable[Mapping[str, Any]],
    states: dict[str, ProjectState] | None = None,
    now: dt.datetime = NOW,
) -> BatchDecision:
    """The decision on ``envelopes`` for projects in ``states`` (none: new projects)."""
    return decide_batch(items(envelopes), dict(states or {}), {}, now)


async def seal(
    writer: TrailWriter, envelopes: Iterable[Mapping[str, Any]], now: dt.datetime = NOW
) -> BatchDecision:
    """Decide ``envelopes`` as one batch against what ``writer`` holds, and record it."""
    batch = items(envelopes)
    ids = [item.event_id for _, item in batch if item.event_id is not None]
    projects = [item.project_id for _, item in batch if isinstance(item, Submission)]
    decision = decide_batch(
        batch,
        await writer.load_states(projects),
        await writer.decided_digests(ids),
        now,
        await writer.referenced_records(corrected_ids(batch)),
        await writer.reports_seen(reported_numbers(batch)),
    )
    await writer.write(decision, now)
    return decision


SEEDED_MIN = 3
"""The fewest records ``seeded`` makes: a project open, with a party that may post lots."""


async def seeded(
    writer: TrailWriter, records: int, prefix: str = "SEEDED", now: dt.datetime = NOW
) -> str:
    """A new project with ``records`` sealed records (at least ``SEEDED_MIN``): registration,
    the station's acceptance of the filing, appointment of the construction unit, then lots 1,
    2, …"""
    project_id = f"{prefix}-{uuid.uuid4().hex[:6]}"
    envelopes = [*opened(project_id), appointment(project_id, "construction")]
    assert records >= SEEDED_MIN == len(envelopes), f"at least {SEEDED_MIN} records"
    envelopes += [lot(project_id, n) for n in range(1, records - len(envelopes) + 1)]
    decision = await seal(writer, envelopes, now)
    assert len(decision.sealed) == records, decision.rejected
    return project_id
