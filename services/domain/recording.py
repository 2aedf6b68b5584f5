"""Deciding a batch of submissions: the recorder's whole logic, with no I/O.

Given the states of the batch's projects and the event ids already decided, it returns what to
seal, what to refuse and which deliveries were duplicates. The adapter then writes all of it in one
transaction, so a batch is recorded entirely or not at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from events import limits
from events.aftercare import RepairOverdue
from events.base import EventData, Role
from events.completion import PlaqueIssued
from events.correction import RecordCorrected
from events.materials import InSituTested, MaterialEvaluated, TestReported
from events.registry import schema_version
from events.supervision import DeadlineMissed
from services.domain import reasons
from services.domain.aftercare import overdue_follow_ups
from services.domain.authorization import SYSTEM_ORG
from services.domain.calendar import china_day
from services.domain.chain import SealedRecord, seal
from services.domain.context import ReferencedRecord
from services.domain.filing import missed_follow_ups
from services.domain.materials import alerts
from services.domain.materials.consequences import follow_ups
from services.domain.plaques import Issuer, plaque_follow_ups
from services.domain.project import decide, fold
from services.domain.reasons import Rejection
from services.domain.state import Alert, ProjectState
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
    alerts: list[tuple[str, Alert]] = field(default_factory=list)
    """(project id, alert) raised by this batch: by sealed facts, and by refusals that are a
    warning sign themselves."""
    decided_at: dt.datetime | None = None
    """When it was recorded (set by the recorder once written)."""

    @property
    def reported(self) -> list[tuple[str, str, str, str]]:
        """(report number, project, event id, lab code) of each lab report sealed in this batch
        (test reports and in-situ test reports): every number ever sealed is kept, so one seen
        again anywhere is a counterfeit signal."""
        return [
            (r.body["data"]["report_number"], r.project_id, r.event_id, r.body["data"]["lab_code"])
            for r in self.sealed
            if r.type.rsplit(".", 1)[0] in NUMBERED_REPORTS
        ]

    def then(self, later: BatchDecision) -> BatchDecision:
        """This decision followed by ``later``: a batch recorded in parts, as one."""
        return BatchDecision(
            self.sealed + later.sealed,
            self.rejected + later.rejected,
            self.duplicates + later.duplicates,
            self.digests | later.digests,
            self.states | later.states,
            self.alerts + later.alerts,
            later.decided_at or self.decided_at,
        )


NUMBERED_REPORTS = frozenset(
    model.event_type.rsplit(".", 1)[0] for model in (TestReported, InSituTested)
)
"""Facts that carry a lab's report number, unique across every project."""


def corrected_ids(items: list[tuple[bytes, Submission | Unreadable]]) -> set[str]:
    """Event ids that corrections in ``items`` point at: the recorder looks these up first."""
    return {
        item.data.corrects_event_id
        for _, item in items
        if isinstance(item, Submission) and isinstance(item.data, RecordCorrected)
    }


def reported_numbers(items: list[tuple[bytes, Submission | Unreadable]]) -> set[str]:
    """Report numbers in ``items``: the recorder looks up where each was seen before."""
    return {
        item.data.report_number
        for _, item in items
        if isinstance(item, Submission) and isinstance(item.data, (TestReported, InSituTested))
    }


def decide_batch(
    items: list[tuple[bytes, Submission | Unreadable]],
    states: dict[str, ProjectState],
    decided: dict[str, bytes],
    now: dt.datetime,
    referenced: dict[str, ReferencedRecord] | None = None,
    reports_seen: dict[str, str] | None = None,
    issuer: Issuer | None = None,
) -> BatchDecision:
    """Decide ``items`` in order. ``decided`` maps already-decided event ids to their digest;
    ``referenced`` holds sealed records that corrections point at (see ``corrected_ids``) and
    ``reports_seen`` report numbers sealed before (see ``reported_numbers``); ``issuer`` signs
    plaque codes (none: completions seal without a plaque).

    An event whose decision raises is refused as ``event.unprocessable`` with what went wrong,
    and everything it had added to the batch is taken back: one event must never stop the
    partition it travels on."""
    batch = _Batch(BatchDecision(), states, dict(decided), now, issuer)
    batch.referenced = dict(referenced or {})
    batch.reports_seen = dict(reports_seen or {})
    for raw, item in items:
        undo = batch.mark(item)
        try:
            batch.decide(raw, item)
        except Exception as exc:
            undo()
            batch.result.rejected.append(unprocessable(raw, item, exc))
    return batch.result


def unprocessable(raw: bytes, item: Submission | Unreadable, exc: BaseException) -> RejectedEvent:
    """The refusal of an event that could not be decided or stored: its bytes are kept."""
    detail = limits.printable(f"{type(exc).__name__}: {exc}")
    event_type = item.submitted_type if isinstance(item, Submission) else None
    return RejectedEvent(
        item.event_id,
        item.project_id,
        event_type,
        item.digest,
        reasons.UNPROCESSABLE.format(detail=detail),
        raw,
    )


@dataclass
class _Batch:
    result: BatchDecision
    states: dict[str, ProjectState]
    seen: dict[str, bytes]
    now: dt.datetime
    issuer: Issuer | None
    referenced: dict[str, ReferencedRecord] = field(default_factory=dict)
    reports_seen: dict[str, str] = field(default_factory=dict)

    def mark(self, item: Submission | Unreadable) -> Callable[[], None]:
        """A function that takes the batch back to this point, ``item`` counted as decided
        (for an event whose decision raised: it is refused, so its id is taken)."""
        result, project_id = self.result, item.project_id
        lists: tuple[list[Any], ...] = (
            result.sealed,
            result.rejected,
            result.alerts,
            result.duplicates,
        )
        sizes = [len(each) for each in lists]
        # Deciding only adds keys to these, and dicts keep insertion order: what this item added
        # is what lies beyond their sizes now. (Copying their keys per item made a batch O(n²).)
        maps: tuple[dict[str, Any], ...] = (
            result.digests,
            self.referenced,
            self.reports_seen,
            self.seen,
        )
        map_sizes = [len(each) for each in maps]
        before = result.states.get(project_id) if project_id is not None else None

        def undo() -> None:
            for each, size in zip(lists, sizes, strict=True):
                del each[size:]
            for added, size in zip(maps, map_sizes, strict=True):
                while len(added) > size:
                    added.popitem()
            if item.event_id is not None:
                self.seen[item.event_id] = item.digest
            if project_id is not None:
                if before is None:
                    result.states.pop(project_id, None)
                else:
                    result.states[project_id] = before

        return undo

    def decide(self, raw: bytes, item: Submission | Unreadable) -> None:
        result, seen = self.result, self.seen
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
            return
        if event_id is not None:
            seen[event_id] = item.digest
        if isinstance(item, Unreadable):
            result.rejected.append(
                RejectedEvent(event_id, item.project_id, None, item.digest, item.rejection, raw)
            )
            return
        sub = item
        state = result.states.get(sub.project_id) or self.states.get(sub.project_id)
        if state is None:
            state = ProjectState(project_id=sub.project_id)
        refusal = decide(state, sub, self.now, self.referenced, self.reports_seen)
        if refusal is not None:
            result.rejected.append(
                RejectedEvent(
                    sub.event_id, sub.project_id, sub.submitted_type, sub.digest, refusal, raw
                )
            )
            result.alerts += [
                (sub.project_id, a)
                for a in refusal_alerts(sub, refusal, self.now, self.reports_seen)
            ]
            return
        record = seal_submission(sub, state, self.now)
        self.referenced[sub.event_id] = ReferencedRecord(
            sub.event_id, sub.project_id, sub.submitted_type, sub.actor.org, sub.raw_data
        )
        if isinstance(sub.data, (TestReported, InSituTested)):
            self.reports_seen[sub.data.report_number] = (
                f"project {sub.project_id}, event {sub.event_id}"
            )
        state = _append(result, state, record, sub.digest, (sub.event_type, sub.data))
        for event_type, follow_id, payload in _follow_ups(state, sub, self.issuer):
            follow = seal_follow_up(state, follow_id, event_type, payload, self.now)
            state = _append(result, state, follow, hashlib.sha256(follow.canonical).digest())
            seen[follow.event_id] = result.digests[follow.event_id]


def decide_overdue(states: Mapping[str, ProjectState], now: dt.datetime) -> BatchDecision:
    """The recorder's sweep, with no I/O: for each project, a ``repair_overdue`` fact sealed by
    qtrail for every warranty repair still open after its due date (today is ``now``'s day in
    China) and not flagged yet, and a ``deadline_missed`` fact for every other deadline passed
    undone (supervision.py), each raising its alert (a lapsed filing expires instead). Projects with nothing overdue are left
    out of the decision."""
    result = BatchDecision()
    today = china_day(now)
    for project_id in sorted(states):
        state = states[project_id]
        due = [(RepairOverdue.event_type, *f) for f in overdue_follow_ups(state, today)]
        due += [(DeadlineMissed.event_type, *f) for f in missed_follow_ups(state, today)]
        for event_type, event_id, payload in due:
            follow = seal_follow_up(state, event_id, event_type, payload, now)
            state = _append(result, state, follow, hashlib.sha256(follow.canonical).digest())
    return result


SYSTEM_ACTOR = {"org": SYSTEM_ORG, "person": "qtrail", "role": Role.SYSTEM.value}


def seal_submission(
    sub: Submission, previous: ProjectState, recorded_at: dt.datetime
) -> SealedRecord:
    """The record of ``sub`` at the head of ``previous``, its project's state: the fact as
    submitted (type, version and payload unchanged; folds upcast on read), recorded at
    ``recorded_at``."""
    if previous.project_id != sub.project_id:
        raise ValueError(f"{sub.event_id} is for {sub.project_id}, not {previous.project_id}")
    return seal(
        project_id=sub.project_id,
        seq=previous.seq + 1,
        prev_hash=bytes.fromhex(previous.head),
        event_id=sub.event_id,
        event_type=sub.submitted_type,
        schema_version=sub.schema_version,
        source=sub.source,
        occurred_at=sub.occurred_at,
        recorded_at=recorded_at,
        actor=sub.actor.as_dict(),
        data=sub.raw_data,
    )


def seal_follow_up(
    previous: ProjectState,
    event_id: str,
    event_type: str,
    data: dict[str, Any],
    at: dt.datetime,
) -> SealedRecord:
    """A fact qtrail seals itself (an evaluation, a plaque) at the head of ``previous``: by the
    system actor, occurred and recorded at ``at``."""
    return seal(
        project_id=previous.project_id,
        seq=previous.seq + 1,
        prev_hash=bytes.fromhex(previous.head),
        event_id=event_id,
        event_type=event_type,
        schema_version=schema_version(event_type),
        source="qtrail",
        occurred_at=at,
        recorded_at=at,
        actor=SYSTEM_ACTOR,
        data=data,
    )


def _follow_ups(
    state: ProjectState, sub: Submission, issuer: Issuer | None
) -> list[tuple[str, str, dict[str, Any]]]:
    """(type, deterministic event id, payload) of the system facts ``sub`` causes."""
    out = [
        (MaterialEvaluated.event_type, f"sys-eval-{sub.event_id}", payload)
        for payload in follow_ups(state, sub.event_type, sub.data, sub.event_id)
    ]
    out += [
        (PlaqueIssued.event_type, f"sys-plaque-{sub.project_id}-{payload['serial']}", payload)
        for payload in plaque_follow_ups(state, sub.data, sub.event_id, issuer)
    ]
    return out


def _append(
    result: BatchDecision,
    state: ProjectState,
    record: SealedRecord,
    digest: bytes,
    parsed: tuple[str, EventData] | None = None,
) -> ProjectState:
    """Seal ``record`` into the batch, fold it, and collect the alerts it raised."""
    result.sealed.append(record)
    result.digests[record.event_id] = digest
    after = fold(state, record, parsed)
    result.alerts += [
        (record.project_id, alert) for key, alert in after.alerts.items() if key not in state.alerts
    ]
    result.states[record.project_id] = after
    return after


def refusal_alerts(
    sub: Submission, refusal: Rejection, now: dt.datetime, reports_seen: dict[str, str]
) -> list[Alert]:
    """Refused facts that are themselves a warning sign: counterfeit reports, uncommissioned labs."""
    if not isinstance(sub.data, (TestReported, InSituTested)):
        return []
    number = sub.data.report_number
    if refusal.code == reasons.REPORT_REUSED.code:
        return [
            alerts.REPORT_REUSED.raise_(
                f"{number}:{sub.event_id}",
                [sub.event_id],
                now,
                report=number,
                where=reports_seen.get(number, "this project"),
            )
        ]
    if refusal.code == reasons.NOT_A_PARTY.code and sub.actor.role is Role.LAB:
        return [
            alerts.UNCOMMISSIONED_LAB.raise_(
                f"{number}:{sub.event_id}", [sub.event_id], now, report=number, lab=sub.actor.org
            )
        ]
    return []
