"""The ports the use cases drive, the values that cross them, and the two failures adapters
translate their drivers' into.

A use case never sees asyncpg or aiokafka: an adapter raises ``Collision`` when another writer took
the same positions, ``Unstorable`` when its store can never take the input as it is (the input's
fault: isolate it), and anything else for trouble of the world (connection, resources, permissions:
wait and retry).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from services.domain.chain import SealedRecord, StoredLink
from services.domain.checkpoint import Checkpoint, StoredLeaf
from services.domain.context import ReferencedRecord
from services.domain.continuity import Leaf
from services.domain.recording import BatchDecision
from services.domain.state import Alert, ProjectState
from services.domain.subtrees import Node
from services.domain.transparency.note import NoteSignature, NoteSigner
from services.domain.transparency.tiles import Tile


class Collision(Exception):
    """Another writer got there first (the same seq of a project, an outcome for the same event
    id, or the same report number sealed): decide the batch again from fresh state."""


class Unstorable(Exception):
    """The store refuses this input and always will (a value it cannot hold, a row too large)."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.cause = cause


class TrailWriter(Protocol):
    """The recorder's side of the trail."""

    async def decided_digests(self, event_ids: Iterable[str]) -> dict[str, bytes]: ...

    async def load_states(self, project_ids: Iterable[str]) -> dict[str, ProjectState]: ...

    async def referenced_records(self, event_ids: Iterable[str]) -> dict[str, ReferencedRecord]: ...

    async def reports_seen(self, numbers: Iterable[str]) -> dict[str, str]: ...

    async def write(self, decision: BatchDecision, now: dt.datetime) -> None:
        """Write a decided batch in one transaction; ``Collision`` or ``Unstorable``."""

    async def sealed_by_event_ids(self, event_ids: Iterable[str]) -> list[SealedRecord]: ...


class RepairsDue(Protocol):
    """Where the recorder's sweep looks for warranty repairs gone overdue."""

    async def projects_past_due(self, today: dt.date) -> list[str]:
        """Projects whose snapshot holds an open defect in warranty, due before ``today`` and not
        flagged overdue yet, in project id order. A hint: the domain decides on the state."""


class TrailReader(Protocol):
    """Reading sealed chains and the states folded from them."""

    def links(self, project_id: str) -> AsyncIterator[StoredLink]:
        """A chain's stored links, in seq order, streamed."""

    async def records(self, project_id: str) -> list[SealedRecord]: ...

    async def project_ids(self) -> list[str]: ...

    async def load_states(self, project_ids: Iterable[str]) -> dict[str, ProjectState]: ...

    async def state_from_chain(self, project_id: str) -> ProjectState:
        """The state folded from the chain itself (for a project without a usable snapshot)."""


class Publisher(Protocol):
    async def publish_many(self, topic: str, messages: Iterable[tuple[str, bytes]]) -> None:
        """Publish and wait for the broker's acknowledgement of all; ``Unstorable`` for a
        message the broker can never take."""


class CheckpointSigner(Protocol):
    """The log's signing keys: the active one signs, every published one verifies."""

    @property
    def active(self) -> str: ...

    @property
    def verifying_keys(self) -> Mapping[str, Ed25519PublicKey]: ...

    def sign_bytes(self, data: bytes) -> bytes: ...

    @property
    def log_origin(self) -> str:
        """The log's name in its C2SP checkpoints."""

    @property
    def note_signer(self) -> NoteSigner:
        """The active key as the log's note signer, named by the origin."""


class LoggedLeaf(NamedTuple):
    """A stored leaf of the checkpoint log and the number of the checkpoint that appended it."""

    row: StoredLeaf
    checkpoint: int


class CheckpointSession(Protocol):
    """One checkpointer's exclusive view of the log and the chains, in one transaction: what it
    appends and the alerts it raises commit together, or not at all."""

    async def latest(self) -> Checkpoint | None: ...

    async def extent(self) -> int:
        """How far the stored leaves reach: the highest index plus one (0 for none)."""

    async def newest_leaves(self) -> dict[str, LoggedLeaf]:
        """Each project's newest leaf, by the project column (O(projects · log n))."""

    async def nodes(self, wanted: Iterable[Node]) -> dict[Node, bytes]:
        """The stored tree's nodes among ``wanted`` (a missing one is left out)."""

    async def heads(self) -> dict[str, tuple[int, bytes]]:
        """Every project's recorded head: (seq, hash)."""

    async def links_from(self, project_id: str, seq: int) -> list[StoredLink]:
        """A chain's stored links from ``seq`` to its end, in order."""

    async def raise_alerts(self, alerts: Iterable[tuple[str, Alert]]) -> None: ...

    async def append(
        self, leaves: list[StoredLeaf], nodes: Mapping[Node, bytes], checkpoint: Checkpoint
    ) -> None:
        """Add the new leaves (tagged with the checkpoint's number), the tree nodes they
        complete, and the checkpoint."""


class LogSize(NamedTuple):
    """The log's length and the newest checkpoint's, read in one snapshot."""

    leaves: int
    number: int
    tree_size: int


class CheckpointLog(Protocol):
    """The append-only log of chain heads and the checkpoints that sign it."""

    def exclusive(self) -> AbstractAsyncContextManager[CheckpointSession]:
        """The only checkpointer until the block ends (committed on leaving it normally)."""

    async def latest(self) -> Checkpoint | None: ...

    async def get(self, number: int) -> Checkpoint | None: ...

    async def size(self) -> LogSize | None:
        """None while nothing is signed."""

    async def stored_leaves(self, size: int) -> list[StoredLeaf]:
        """The first ``size`` leaves, in index order."""

    async def project_leaves(self, project_id: str, size: int) -> list[Leaf]:
        """A project's leaves within the first ``size``, oldest first (trust them only after an
        audit: it checks every row's columns against its signed bytes)."""

    async def leaf_range(self, start: int, end: int) -> list[bytes]:
        """The leaves' bytes at indices ``start`` … ``end - 1``, in order."""

    async def nodes(self, wanted: Iterable[Node]) -> dict[Node, bytes]:
        """The stored tree's nodes among ``wanted`` (a missing one is left out): what proofs
        and tiles read, O(log n) of them."""

    async def tree_nodes(self, size: int) -> dict[Node, bytes]:
        """Every stored node within the first ``size`` leaves (for the whole log's audit)."""


class Cosignatures(Protocol):
    """Witnesses' cosignatures of the log's checkpoints, kept once each, never changed."""

    async def add(self, number: int, cosignature: NoteSignature, at: dt.datetime) -> bool:
        """Keep a cosignature of checkpoint ``number``; False when this witness key already
        cosigned it (the first one stays)."""

    async def of(self, number: int) -> list[NoteSignature]:
        """Checkpoint ``number``'s cosignatures, by witness name and key id."""


class FileStore(Protocol):
    """Content-addressed files (evidence): written once under their SHA-256, never changed."""

    async def put(self, sha256: str, content: bytes) -> None: ...

    async def get(self, sha256: str) -> bytes | None: ...


class ReadModels(Protocol):
    """The live projections a rebuild is compared with."""

    async def live_states(self) -> dict[str, dict[str, object]]:
        """Each project's stored snapshot, as JSON."""

    async def alert_ids(self) -> dict[str, set[str]]: ...


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


class LogClient(Protocol):
    """A witness's view of a log it watches: its latest checkpoint note, its tiles, and where
    the witness returns its cosignature. Nothing read here is trusted before it verifies."""

    async def checkpoint(self) -> str: ...

    async def tile(self, tile: Tile) -> bytes:
        """A hash tile's bytes; ``KeyError`` when the log has no such tile."""

    async def publish(self, cosigned: str) -> None:
        """Hand the log its checkpoint note with the witness's cosignature added."""


@dataclass(frozen=True)
class Witnessed:
    """The largest tree a witness has cosigned for a log: the one every later checkpoint must
    extend."""

    origin: str
    size: int
    root: bytes
    note: str
    """The cosigned note, as the witness published it."""


class WitnessState(Protocol):
    """A witness's own memory, which the log cannot touch: what it cosigned, and its alerts."""

    async def last(self) -> Witnessed | None: ...

    async def save(self, witnessed: Witnessed) -> None:
        """Keep ``witnessed`` durably before the cosignature leaves the witness."""

    async def alert(self, problem: str, note: str, at: dt.datetime) -> None:
        """Record a refused checkpoint (a rewritten or forked log) for a person to look at."""
