"""Deciding a batch of submissions: the recorder's whole logic, with no I/O.

Given the states of the batch's projects and the event ids already decided, it returns what to
seal, what to refuse and which deliveries were duplicates. The adapter then writes all of it in one
transaction, so a batch is recorded entirely or not at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from events.record import RecordCorrected
from services.domain import reasons
from services.domain.chain import SealedRecord, seal
from services.domain.corrections import ReferencedRecord
from services.domain.project import ProjectState, decide, fold
from services.domain.reasons import Rejection
from services.domain.submission import Submission, Unreadable


@dataclass(frozen=True)
class RejectedEvent:
    event_id: str | None
    project_id: str | None
    event_type: str | None
    digest: bytes | None
    rejection: Rejection
    raw: bytes
    conflict: bool = False
    """True when the id was already decided for other content: recorded, but the original stands."""


@dataclass
class BatchDecision:
    sealed: list[SealedRecord] = field(default_factory=list)
    rejected: list[RejectedEvent] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    """Event ids delivered again with the same content: their first outcome stands."""
    digests: dict[str, bytes] = field(default_factory=dict)
    """Envelope digest of each sealed event id, kept to detect a later id conflict."""
    states: dict[str, ProjectState] = field(default_factory=dict)
    """New state of every project that sealed something in this batch."""


def corrected_ids(items: list[tuple[bytes, Submission | Unreadable]]) -> set[str]:
    """Event ids that corrections in ``items`` point at: the recorder looks these up first."""
    return {
        item.data.corrects_event_id
        for _, item in items
        if isinstance(item, Submission) and isinstance(item.data, RecordCorrected)
    }


def decide_batch(
    items: list[tuple[bytes, Submission | Unreadable]],
    states: dict[str, ProjectState],
    decided: dict[str, bytes],
    now: dt.datetime,
    referenced: dict[str, ReferencedRecord] | None = None,
) -> BatchDecision:
    """Decide ``items`` in order. ``decided`` maps already-decided event ids to their digest;
    ``referenced`` holds sealed records that corrections point at (see ``corrected_ids``)."""
    result = BatchDecision()
    referenced = dict(referenced or {})
    seen = dict(decided)
    for raw, item in items:
        event_id = item.event_id
        if event_id is not None and event_id in seen:
            if seen[event_id] == item.digest:
                result.duplicates.append(event_id)
            else:
                conflict = reasons.ID_CONFLICT.format(event_id=event_id)
                event_type = item.submitted_type if isinstance(item, Submission) else None
                result.rejected.append(
                    RejectedEvent(
                        event_id, item.project_id, event_type, item.digest, conflict, raw, True
                    )
                )
            continue
        if event_id is not None:
            seen[event_id] = item.digest
        if isinstance(item, Unreadable):
            result.rejected.append(
                RejectedEvent(event_id, item.project_id, None, item.digest, item.rejection, raw)
            )
            continue
        sub = item
        state = result.states.get(sub.project_id) or states.get(sub.project_id)
        if state is None:
            state = ProjectState(project_id=sub.project_id)
        refusal = decide(state, sub, now, referenced)
        if refusal is not None:
            result.rejected.append(
                RejectedEvent(
                    sub.event_id, sub.project_id, sub.event_type, sub.digest, refusal, raw
                )
            )
            continue
        record = seal(
            project_id=sub.project_id,
            seq=state.seq + 1,
            prev_hash=bytes.fromhex(state.head),
            event_id=sub.event_id,
            event_type=sub.submitted_type,
            schema_version=sub.schema_version,
            source=sub.source,
            occurred_at=sub.occurred_at,
            recorded_at=now,
            actor=sub.actor.as_dict(),
            data=sub.raw_data,
        )
        result.sealed.append(record)
        referenced[sub.event_id] = ReferencedRecord(
            sub.event_id, sub.project_id, sub.submitted_type, sub.actor.org, sub.raw_data
        )
        result.digests[sub.event_id] = sub.digest
        result.states[sub.project_id] = fold(state, record)
    return result
