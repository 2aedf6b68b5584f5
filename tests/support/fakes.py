"""The application's ports in memory, for unit tests of the use cases.

Each fake subclasses its port and keeps what the real adapter keeps, in the shape PostgreSQL holds
it: ``MemoryDatabase`` has the tables (chains as their stored links, snapshots as JSON, the
checkpoint log's rows), and ``MemoryTrail``, ``MemoryCheckpointLog`` and ``MemoryReadModels`` read
and write them as the PostgreSQL trail, ``CheckpointStore`` and ``LiveReadModels`` do. They add no
behaviour the real adapters lack: tests/integration/contracts/ runs the same suite against both.
Failures of the world (a connection lost, a broker away) are injected with ``failures``.

The functions at the end are what a database superuser does to the memory tables, as
tests/support/insider.py does to PostgreSQL's.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from services.application.ports import (
    CheckpointLog,
    CheckpointSession,
    Collision,
    Cosignatures,
    EventStatus,
    FileStore,
    LoggedLeaf,
    LogSize,
    OutcomeWaiter,
    Publisher,
    ReadModels,
    RepairsDue,
    SubmissionLog,
    SubmissionStatuses,
    TrailReader,
    TrailWriter,
    Unstorable,
)
from services.domain.chain import SealedRecord, StoredLink, canonical_bytes, chain_hash
from services.domain.checkpoint import Checkpoint, StoredLeaf
from services.domain.context import ReferencedRecord
from services.domain.continuity import Leaf
from services.domain.project import fold_chain
from services.domain.recording import BatchDecision, RejectedEvent
from services.domain.state import SNAPSHOT_VERSION, Alert, ProjectState
from services.domain.subtrees import Node
from services.domain.transparency.note import NoteSignature

BIGINT = 2**63 - 1


@dataclass(frozen=True)
class Outcome:
    """A row of ``outcomes``: the first decision on an event id."""

    event_id: str
    status: str
    project_id: str | None
    seq: int | None
    digest: bytes
    reason_code: str | None = None


@dataclass(frozen=True)
class Head:
    """A row of ``project_heads``: the recorder's head of a project and its snapshot (JSON)."""

    seq: int
    head: bytes
    state: dict[str, Any]


@dataclass
class MemoryDatabase:
    """The tables the ports read and write, with their keys."""

    trail: dict[str, dict[int, StoredLink]] = field(default_factory=dict)
    """Each project's chain by seq: the columns the readers use (the record's exact bytes)."""
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    rejections: list[RejectedEvent] = field(default_factory=list)
    heads: dict[str, Head] = field(default_factory=dict)
    alerts: dict[tuple[str, str], Alert] = field(default_factory=dict)
    report_numbers: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    """Report number → (project, event id, lab code)."""
    checkpoint_leaves: dict[int, LoggedLeaf] = field(default_factory=dict)
    checkpoint_nodes: dict[Node, bytes] = field(default_factory=dict)
    """The stored tree: (level, index) → the hash of that perfect subtree."""
    checkpoints: dict[int, Checkpoint] = field(default_factory=dict)
    submissions: dict[str, tuple[str, str, bytes]] = field(default_factory=dict)
    """What the gateway took in: event id → (project, type, digest)."""
    decided: asyncio.Condition | None = None
    """Notified when a batch lands (PostgreSQL's NOTIFY on the outcome channel)."""

    def insert_alerts(self, alerts: Iterable[tuple[str, Alert]]) -> None:
        """As ``ON CONFLICT DO NOTHING``: a raised alert stays as it was first raised."""
        for project_id, alert in alerts:
            self.alerts.setdefault((project_id, alert.alert_id), alert)


def _sealed(project_id: str, link: StoredLink) -> SealedRecord:
    """A stored row read back as the PostgreSQL trail reader does: everything else from the stored bytes."""
    body = json.loads(link.canonical)
    return SealedRecord(
        project_id=body["project_id"],
        seq=link.seq,
        event_id=body["event_id"],
        type=body["type"],
        canonical=link.canonical,
        body=body,
        prev_hash=link.prev_hash,
        hash=link.hash,
    )


def _holdable(value: object, where: str) -> None:
    """Raise ``Unstorable`` for what PostgreSQL refuses in text and jsonb: U+0000."""
    if isinstance(value, str):
        if "\x00" in value:
            raise Unstorable(
                ValueError(f'{where}: invalid byte sequence for encoding "UTF8": 0x00')
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            _holdable(key, where)
            _holdable(item, where)
    elif isinstance(value, list | tuple):
        for item in value:
            _holdable(item, where)


def _jsonb(value: object, where: str) -> dict[str, Any]:
    """A value as a jsonb column returns it; what JSON cannot carry is ``Unstorable``."""
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise Unstorable(exc) from exc
    _holdable(value, where)
    loaded: dict[str, Any] = json.loads(text)
    return loaded


class MemoryTrail(TrailWriter, TrailReader, SubmissionStatuses):
    """The trail in memory: a batch lands whole or not at all; a taken (project, seq), event
    id or report number is a ``Collision``; a value PostgreSQL cannot hold is ``Unstorable``.

    ``failures`` are raised by the next writes (the world's trouble); ``cannot_hold`` names event
    ids whose sealed rows the store refuses as ``Unstorable``. A valid event cannot carry what
    PostgreSQL refuses (the submission reader strips it), so a test that needs such an event
    names it here.
    """

    def __init__(self, db: MemoryDatabase | None = None) -> None:
        self.db = db if db is not None else MemoryDatabase()
        self.failures: list[BaseException] = []
        self.cannot_hold: set[str] = set()

    # ------------------------------------------------------------------ the recorder's side

    async def decided_digests(self, event_ids: Iterable[str]) -> dict[str, bytes]:
        outcomes = self.db.outcomes
        return {i: outcomes[i].digest for i in set(event_ids) if i in outcomes}

    async def load_states(self, project_ids: Iterable[str]) -> dict[str, ProjectState]:
        states: dict[str, ProjectState] = {}
        for project_id in set(project_ids):
            if (head := self.db.heads.get(project_id)) is None:
                continue
            try:
                if head.state.get("snapshot_version") != SNAPSHOT_VERSION:
                    raise ValueError("snapshot of another version")
                states[project_id] = ProjectState.model_validate(head.state)
            except (ValidationError, ValueError):
                states[project_id] = await self.state_from_chain(project_id)
        return states

    async def referenced_records(self, event_ids: Iterable[str]) -> dict[str, ReferencedRecord]:
        sealed = await self.sealed_by_event_ids(event_ids)
        return {record.event_id: ReferencedRecord.of(record.body) for record in sealed}

    async def reports_seen(self, numbers: Iterable[str]) -> dict[str, str]:
        seen = self.db.report_numbers
        return {n: f"project {seen[n][0]}, event {seen[n][1]}" for n in set(numbers) if n in seen}

    async def write(self, decision: BatchDecision, now: dt.datetime) -> None:
        if self.failures:
            raise self.failures.pop(0)
        if any(r.event_id in self.cannot_hold for r in decision.sealed):
            raise Unstorable(ValueError('invalid byte sequence for encoding "UTF8": 0x00'))
        db = self.db
        links: dict[tuple[str, int], StoredLink] = {}
        for r in decision.sealed:
            _holdable([r.project_id, r.event_id, r.type, r.body["actor"]["org"]], "trail")
            if not 1 <= r.seq <= BIGINT or len(r.prev_hash) != 32 or len(r.hash) != 32:
                raise Unstorable(ValueError(f"trail row ({r.project_id}, {r.seq}) breaks a check"))
            if (r.project_id, r.seq) in links or r.seq in db.trail.get(r.project_id, {}):
                raise Collision(f"({r.project_id}, {r.seq}) is taken")
            links[(r.project_id, r.seq)] = StoredLink(r.seq, r.canonical, r.prev_hash, r.hash)
        outcomes = [
            Outcome(r.event_id, "sealed", r.project_id, r.seq, decision.digests[r.event_id])
            for r in decision.sealed
        ]
        outcomes += [
            Outcome(j.event_id, "rejected", j.project_id, None, j.digest or b"", j.rejection.code)
            for j in decision.rejected
            if j.event_id is not None and not j.conflict
        ]
        for j in decision.rejected:
            _holdable([j.event_id, j.project_id, j.event_type], "rejections")
            _holdable([j.rejection.code, j.rejection.message_zh, j.rejection.message_en], "reasons")
            if j.rejection.details:
                _jsonb([d.as_dict() for d in j.rejection.details], "rejections.details")
            if j.event_id is not None and not j.conflict and j.digest is None:
                raise Unstorable(ValueError(f"outcome of {j.event_id} has no digest"))
        taken = set(db.outcomes)
        for outcome in outcomes:
            if outcome.event_id in taken:
                raise Collision(f"event id {outcome.event_id} is decided")
            taken.add(outcome.event_id)
        for project_id, alert in decision.alerts:
            _holdable([project_id, *alert.model_dump(mode="json").values()], "alerts")
        reports = {}
        for number, project_id, event_id, lab in decision.reported:
            _holdable([number, lab], "report_numbers")
            if number in reports or number in db.report_numbers:
                raise Collision(f"report number {number} is taken")
            reports[number] = (project_id, event_id, lab)
        heads = {
            project_id: Head(
                s.seq, bytes.fromhex(s.head), _jsonb(s.model_dump(mode="json"), "project_heads")
            )
            for project_id, s in decision.states.items()
        }
        # Every check passed: the whole batch lands.
        for (project_id, seq), link in links.items():
            db.trail.setdefault(project_id, {})[seq] = link
        db.outcomes |= {o.event_id: o for o in outcomes}
        db.rejections += decision.rejected
        db.insert_alerts(decision.alerts)
        db.report_numbers |= reports
        for project_id, head in heads.items():
            if project_id not in db.heads or db.heads[project_id].seq < head.seq:
                db.heads[project_id] = head
        if db.decided is not None:
            async with db.decided:
                db.decided.notify_all()

    async def sealed_by_event_ids(self, event_ids: Iterable[str]) -> list[SealedRecord]:
        found = []
        for event_id in set(event_ids):
            outcome = self.db.outcomes.get(event_id)
            if outcome is None or outcome.status != "sealed" or outcome.project_id is None:
                continue
            assert outcome.seq is not None
            link = self.db.trail.get(outcome.project_id, {}).get(outcome.seq)
            if link is not None:
                found.append((outcome.project_id, link))
        return [_sealed(p, link) for p, link in sorted(found, key=lambda f: (f[0], f[1].seq))]

    # ------------------------------------------------------------------ reading chains

    async def links(self, project_id: str) -> AsyncIterator[StoredLink]:
        chain = self.db.trail.get(project_id, {})
        for seq in sorted(chain):
            yield chain[seq]

    async def records(self, project_id: str) -> list[SealedRecord]:
        return [_sealed(project_id, link) async for link in self.links(project_id)]

    async def project_ids(self) -> list[str]:
        return sorted(self.db.heads)

    async def state_from_chain(self, project_id: str) -> ProjectState:
        return fold_chain(project_id, await self.records(project_id))

    # ------------------------------------------------------------------ statuses

    async def statuses(self, event_ids: list[str]) -> dict[str, EventStatus]:
        found: dict[str, EventStatus] = {}
        for event_id in event_ids:
            if (o := self.db.outcomes.get(event_id)) is not None:
                found[event_id] = EventStatus(
                    event_id,
                    o.status,
                    o.project_id,
                    o.seq,
                    reason_code=o.reason_code,
                    digest=o.digest,
                )
            elif (received := self.db.submissions.get(event_id)) is not None:
                found[event_id] = EventStatus(event_id, "pending", received[0], digest=received[2])
        return found


class _MemorySession(CheckpointSession):
    """A checkpointer's transaction: reads see the committed tables and its own writes; the writes
    reach the tables only through ``commit``."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._db = db
        self._leaves: list[LoggedLeaf] = []
        self._nodes: dict[Node, bytes] = {}
        self._checkpoints: list[Checkpoint] = []
        self._alerts: list[tuple[str, Alert]] = []

    async def latest(self) -> Checkpoint | None:
        return _newest([*self._db.checkpoints.values(), *self._checkpoints])

    def _rows(self) -> list[LoggedLeaf]:
        rows = [*self._db.checkpoint_leaves.values(), *self._leaves]
        return sorted(rows, key=lambda entry: entry.row.index)

    async def extent(self) -> int:
        return max((entry.row.index + 1 for entry in self._rows()), default=0)

    async def newest_leaves(self) -> dict[str, LoggedLeaf]:
        newest: dict[str, LoggedLeaf] = {}
        for entry in self._rows():  # as the index (project, seq DESC) orders them
            held = newest.get(entry.row.project_id)
            if held is None or entry.row.seq > held.row.seq:
                newest[entry.row.project_id] = entry
        return newest

    async def nodes(self, wanted: Iterable[Node]) -> dict[Node, bytes]:
        stored = self._db.checkpoint_nodes | self._nodes
        return {node: stored[node] for node in wanted if node in stored}

    async def heads(self) -> dict[str, tuple[int, bytes]]:
        return {p: (head.seq, head.head) for p, head in self._db.heads.items()}

    async def links_from(self, project_id: str, seq: int) -> list[StoredLink]:
        chain = self._db.trail.get(project_id, {})
        return [chain[s] for s in sorted(chain) if s >= seq]

    async def raise_alerts(self, alerts: Iterable[tuple[str, Alert]]) -> None:
        self._alerts += alerts

    async def append(
        self, leaves: list[StoredLeaf], nodes: Mapping[Node, bytes], checkpoint: Checkpoint
    ) -> None:
        indices = {entry.row.index for entry in self._rows()}
        taken = self._db.checkpoint_nodes.keys() | self._nodes.keys()
        for (level, index), digest in nodes.items():
            if (level, index) in taken or not 0 <= level <= 63 or index < 0 or len(digest) != 32:
                raise ValueError(f"node {(level, index)} is taken or its row breaks a check")
        numbers = {c.number for c in [*self._db.checkpoints.values(), *self._checkpoints]}
        for row in leaves:
            if row.index in indices or row.index < 0 or len(row.head) != 32:
                raise ValueError(f"leaf index {row.index} is taken or its row breaks a check")
            indices.add(row.index)
        if checkpoint.number in numbers or checkpoint.number < 1 or len(checkpoint.root) != 32:
            raise ValueError(f"checkpoint {checkpoint.number} is taken or breaks a check")
        self._leaves += [LoggedLeaf(row, checkpoint.number) for row in leaves]
        self._nodes |= nodes
        self._checkpoints.append(checkpoint)

    def commit(self) -> None:
        self._db.checkpoint_leaves |= {entry.row.index: entry for entry in self._leaves}
        self._db.checkpoint_nodes |= self._nodes
        self._db.checkpoints |= {c.number: c for c in self._checkpoints}
        self._db.insert_alerts(self._alerts)


def _newest(checkpoints: Iterable[Checkpoint]) -> Checkpoint | None:
    return max(checkpoints, key=lambda c: c.number, default=None)


class MemoryCheckpointLog(CheckpointLog):
    """``CheckpointStore`` in memory: one session at a time (a lock, as the advisory lock), its
    changes applied when its block ends normally and discarded when it raises."""

    def __init__(self, db: MemoryDatabase) -> None:
        self.db = db
        self._lock = asyncio.Lock()

    @asynccontextmanager
    async def exclusive(self) -> AsyncIterator[CheckpointSession]:
        async with self._lock:
            session = _MemorySession(self.db)
            yield session
            session.commit()

    async def latest(self) -> Checkpoint | None:
        return _newest(self.db.checkpoints.values())

    async def get(self, number: int) -> Checkpoint | None:
        return self.db.checkpoints.get(number)

    async def size(self) -> LogSize | None:
        latest = await self.latest()
        if latest is None:
            return None
        return LogSize(len(self.db.checkpoint_leaves), latest.number, latest.tree_size)

    async def stored_leaves(self, size: int) -> list[StoredLeaf]:
        rows = self.db.checkpoint_leaves
        return [rows[i].row for i in sorted(rows) if i < size]

    async def leaf_range(self, start: int, end: int) -> list[bytes]:
        rows = self.db.checkpoint_leaves
        return [rows[i].row.leaf for i in sorted(rows) if start <= i < end]

    async def nodes(self, wanted: Iterable[Node]) -> dict[Node, bytes]:
        stored = self.db.checkpoint_nodes
        return {node: stored[node] for node in wanted if node in stored}

    async def tree_nodes(self, size: int) -> dict[Node, bytes]:
        return {
            (level, index): digest
            for (level, index), digest in self.db.checkpoint_nodes.items()
            if (index + 1) << level <= size
        }

    async def project_leaves(self, project_id: str, size: int) -> list[Leaf]:
        rows = self.db.checkpoint_leaves
        return [
            Leaf(i, rows[i].row.seq, rows[i].row.head, rows[i].checkpoint)
            for i in sorted(rows)
            if i < size and rows[i].row.project_id == project_id
        ]


class MemoryCosignatures(Cosignatures):
    """``CosignatureStore`` in memory: one per checkpoint and witness key, the first kept."""

    def __init__(self) -> None:
        self.kept: dict[tuple[int, str, int], tuple[NoteSignature, dt.datetime]] = {}

    async def add(self, number: int, cosignature: NoteSignature, at: dt.datetime) -> bool:
        key = (number, cosignature.name, cosignature.key_id)
        if key in self.kept:
            return False
        self.kept[key] = (cosignature, at)
        return True

    async def of(self, number: int) -> list[NoteSignature]:
        kept = sorted(
            (name, key_id, sig) for (n, name, key_id), (sig, _) in self.kept.items() if n == number
        )
        return [sig for _, _, sig in kept]


class MemoryReadModels(ReadModels):
    """``LiveReadModels`` in memory: the stored snapshots and the alerts table."""

    def __init__(self, db: MemoryDatabase) -> None:
        self.db = db

    async def live_states(self) -> dict[str, dict[str, object]]:
        return {p: json.loads(json.dumps(head.state)) for p, head in self.db.heads.items()}

    async def alert_ids(self) -> dict[str, set[str]]:
        found: dict[str, set[str]] = defaultdict(set)
        for project_id, alert_id in self.db.alerts:
            found[project_id].add(alert_id)
        return found


class MemoryRepairsDue(RepairsDue):
    """``PostgresRepairsDue`` in memory: the same question of the stored snapshots (JSON)."""

    def __init__(self, db: MemoryDatabase) -> None:
        self.db = db

    async def projects_past_due(self, today: dt.date) -> list[str]:
        def past_due(defect: dict[str, Any]) -> bool:
            due = defect.get("repair_due")
            return (
                defect.get("status") == "open"
                and defect.get("in_warranty") is True
                and defect.get("overdue") is None
                and isinstance(due, str)
                and due < today.isoformat()
            )

        return sorted(
            project_id
            for project_id, head in self.db.heads.items()
            if any(past_due(d) for d in (head.state.get("defects") or {}).values())
        )


class MemorySubmissionLog(SubmissionLog):
    """The gateway's receipts: the first receipt of an id stands."""

    def __init__(self, db: MemoryDatabase) -> None:
        self.db = db

    async def note_received(
        self, rows: list[tuple[str, str, str, bytes]], at: dt.datetime
    ) -> set[str]:
        fresh = set()
        for event_id, project_id, event_type, digest in rows:
            _holdable([event_id, project_id, event_type], "submissions")
            if event_id not in self.db.submissions:
                self.db.submissions[event_id] = (project_id, event_type, digest)
                fresh.add(event_id)
        return fresh


class MemoryOutcomeWaiter(OutcomeWaiter):
    """Waits for a batch to land in ``db`` (as the listener waits for PostgreSQL's NOTIFY), at
    most ``max_waiters`` at a time."""

    def __init__(self, trail: MemoryTrail, max_waiters: int = 1000) -> None:
        self._trail = trail
        self._max_waiters = max_waiters
        self._waiting = 0
        if trail.db.decided is None:
            trail.db.decided = asyncio.Condition()

    async def wait(self, event_id: str, timeout_s: float) -> EventStatus | None:
        if self._waiting >= self._max_waiters:
            return None
        self._waiting += 1
        try:
            decided = self._trail.db.decided
            assert decided is not None
            loop = asyncio.get_running_loop()
            deadline = loop.time() + timeout_s
            while True:
                status = (await self._trail.statuses([event_id])).get(event_id)
                remaining = deadline - loop.time()
                if status is None or status.status != "pending" or remaining <= 0:
                    return status
                async with decided:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(decided.wait(), remaining)
        finally:
            self._waiting -= 1


class MemoryFileStore(FileStore):
    """``FolderEvidenceStore`` in memory: the first content put under a hash stays."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    async def put(self, sha256: str, content: bytes) -> None:
        self.files.setdefault(sha256, bytes(content))

    async def get(self, sha256: str) -> bytes | None:
        return self.files.get(sha256)


MAX_MESSAGE_BYTES = 1024 * 1024
"""The producer's largest request (aiokafka's ``max_request_size`` default): a message beyond it
can never be sent."""


class MemoryPublisher(Publisher):
    """``EventProducer`` in memory: ``sent`` holds each topic's acknowledged (key, value) pairs in
    order. ``failures`` are raised by the next calls (the broker away). Like the real producer,
    messages before one too large are sent, and that one is ``Unstorable``."""

    def __init__(self) -> None:
        self.sent: dict[str, list[tuple[str, bytes]]] = {}
        self.failures: list[BaseException] = []

    async def publish_many(self, topic: str, messages: Iterable[tuple[str, bytes]]) -> None:
        if self.failures:
            raise self.failures.pop(0)
        for key, value in messages:
            if len(key.encode()) + len(value) > MAX_MESSAGE_BYTES:
                raise Unstorable(ValueError(f"a message of {len(value)} bytes is too large"))
            self.sent.setdefault(topic, []).append((key, value))


if TYPE_CHECKING:  # mypy: each fake is whole (an abstract one could not be built) and fits its port
    _db = MemoryDatabase()
    _writer: TrailWriter = MemoryTrail(_db)
    _reader: TrailReader = MemoryTrail(_db)
    _log: CheckpointLog = MemoryCheckpointLog(_db)
    _models: ReadModels = MemoryReadModels(_db)
    _files: FileStore = MemoryFileStore()
    _publisher: Publisher = MemoryPublisher()
    _statuses: SubmissionStatuses = MemoryTrail(_db)
    _received: SubmissionLog = MemorySubmissionLog(_db)
    _waiter: OutcomeWaiter = MemoryOutcomeWaiter(MemoryTrail(_db))


# ----------------------------------------------------------------------------- the insider


def bodies_of(db: MemoryDatabase, project_id: str) -> list[dict[str, Any]]:
    """The project's stored records, parsed."""
    chain = db.trail.get(project_id, {})
    return [json.loads(chain[seq].canonical) for seq in sorted(chain)]


def relink(db: MemoryDatabase, project_id: str, bodies: list[dict[str, Any]]) -> None:
    """Store ``bodies`` as the project's chain from seq 1, re-sealed so that every link holds, and
    point the recorder's head at the new end (its snapshot unusable, so it is replayed)."""
    prev = bytes(32)
    chain: dict[int, StoredLink] = {}
    for seq, body in enumerate(bodies, 1):
        canonical = canonical_bytes({**body, "seq": seq, "prev_hash": prev.hex()})
        digest = chain_hash(prev, canonical)
        chain[seq] = StoredLink(seq, canonical, prev, digest)
        prev = digest
    db.trail[project_id] = chain
    reset_head(db, project_id, len(bodies), prev)


def reset_head(db: MemoryDatabase, project_id: str, seq: int, head: bytes) -> None:
    """The recorder's head set by hand, with a snapshot of an unknown version."""
    db.heads[project_id] = Head(seq, head, {"snapshot_version": -1})
