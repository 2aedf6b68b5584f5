"""Reading the trail in PostgreSQL: chains, pages and links, folded states, event statuses."""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterable

import asyncpg
from pydantic import ValidationError

from services.application.ports import EventStatus
from services.domain.chain import SealedRecord, StoredLink
from services.domain.project import fold_chain
from services.domain.state import SNAPSHOT_VERSION, ProjectState


def record_from_row(row: asyncpg.Record) -> SealedRecord:
    canonical = bytes(row["record"])
    body = json.loads(canonical)
    return SealedRecord(
        project_id=body["project_id"],
        seq=row["seq"],
        event_id=body["event_id"],
        type=body["type"],
        canonical=canonical,
        body=body,
        prev_hash=bytes(row["prev_hash"]),
        hash=bytes(row["hash"]),
    )


class StateCache:
    """Folded states by project, each valid at its own seq, least recently used first out,
    bounded by the size of their snapshots' JSON (a proxy for their memory)."""

    def __init__(self, max_bytes: int) -> None:
        self._max = max_bytes
        self._used = 0
        self._entries: OrderedDict[str, tuple[ProjectState, int]] = OrderedDict()

    def get(self, project_id: str, seq: int) -> ProjectState | None:
        entry = self._entries.get(project_id)
        if entry is None or entry[0].seq != seq:
            return None
        self._entries.move_to_end(project_id)
        return entry[0]

    def put(self, project_id: str, state: ProjectState, size: int) -> None:
        if size > self._max:
            return
        if (old := self._entries.pop(project_id, None)) is not None:
            self._used -= old[1]
        self._entries[project_id] = (state, size)
        self._used += size
        while self._used > self._max:
            _, (_, freed) = self._entries.popitem(last=False)
            self._used -= freed


class PostgresTrailReader:
    """The ``TrailReader`` and ``SubmissionStatuses`` ports, over the trail, heads and outcomes."""

    def __init__(self, pool: asyncpg.Pool, cache_bytes: int = 8_000_000) -> None:
        self._pool = pool
        self._states = StateCache(cache_bytes)

    async def load_states(self, project_ids: Iterable[str]) -> dict[str, ProjectState]:
        """Snapshots of these projects; one written by another version of the code is rebuilt
        by replaying the project's chain with today's fold (snapshots are a cache, the trail is
        the truth).

        A project's state at a seq never changes, so a state read before at the head's seq now is
        served from memory: a popular page costs one small read, not a whole snapshot's parse."""
        wanted = list(set(project_ids))
        heads = await self._pool.fetch(
            "SELECT project_id, seq FROM project_heads WHERE project_id = ANY($1::text[])", wanted
        )
        states: dict[str, ProjectState] = {}
        missing = []
        for head in heads:
            cached = self._states.get(head["project_id"], head["seq"])
            if cached is None:
                missing.append(head["project_id"])
            else:
                states[head["project_id"]] = cached
        if not missing:
            return states
        rows = await self._pool.fetch(
            "SELECT project_id, seq, state::text AS state FROM project_heads"
            " WHERE project_id = ANY($1::text[])",
            missing,
        )
        for row in rows:
            project_id, text = row["project_id"], row["state"]
            try:
                state = ProjectState.model_validate_json(text)
                if state.snapshot_version != SNAPSHOT_VERSION:
                    raise ValueError("snapshot of another version")
            except (ValidationError, ValueError):
                state = await self.state_from_chain(project_id)
            states[project_id] = state
            if state.seq == row["seq"]:
                self._states.put(project_id, state, len(text))
        return states

    def remember(self, project_id: str, state: ProjectState, snapshot_bytes: int) -> None:
        """A state just written as its project's snapshot: the next read needs no parse."""
        self._states.put(project_id, state, snapshot_bytes)

    async def records(self, project_id: str) -> list[SealedRecord]:
        """Every sealed record of a project, in chain order."""
        records: list[SealedRecord] = []
        after = 0
        while page := await self.trail_page(project_id, after, 2000):
            records += page
            after = page[-1].seq
        return records

    async def state_from_chain(self, project_id: str) -> ProjectState:
        return fold_chain(project_id, await self.records(project_id))

    async def project_ids(self) -> list[str]:
        rows = await self._pool.fetch("SELECT project_id FROM project_heads ORDER BY project_id")
        return [r["project_id"] for r in rows]

    async def trail_page(self, project_id: str, after_seq: int, limit: int) -> list[SealedRecord]:
        rows = await self._pool.fetch(
            """SELECT seq, record, prev_hash, hash FROM trail
               WHERE project_id = $1 AND seq > $2 ORDER BY seq LIMIT $3""",
            project_id,
            after_seq,
            limit,
        )
        return [record_from_row(r) for r in rows]

    async def links(self, project_id: str, batch: int = 2000) -> AsyncIterator[StoredLink]:
        """Every link of a project's chain in seq order, streamed by keyset pages."""
        after = 0
        while True:
            rows = await self._pool.fetch(
                """SELECT seq, record, prev_hash, hash FROM trail
                   WHERE project_id = $1 AND seq > $2 ORDER BY seq LIMIT $3""",
                project_id,
                after,
                batch,
            )
            for r in rows:
                yield StoredLink(
                    r["seq"], bytes(r["record"]), bytes(r["prev_hash"]), bytes(r["hash"])
                )
            if len(rows) < batch:
                return
            after = rows[-1]["seq"]

    async def alerts(self, project_id: str) -> list[asyncpg.Record]:
        rows: list[asyncpg.Record] = await self._pool.fetch(
            """SELECT alert_id, kind, severity, events, message_zh, message_en, blocking, raised_at
               FROM alerts WHERE project_id = $1 ORDER BY raised_at, alert_id""",
            project_id,
        )
        return rows

    async def statuses(self, event_ids: list[str]) -> dict[str, EventStatus]:
        """The status of each id known here, in one round trip: its outcome once decided, else
        ``pending`` if the gateway received it (with the digest it was received with)."""
        rows = await self._pool.fetch(
            """SELECT event_id, status, project_id, seq, hash, reason_code, message_zh,
                      message_en, decided_at, details, digest
               FROM outcomes WHERE event_id = ANY($1::text[])
               UNION ALL
               SELECT s.event_id, 'pending', s.project_id, NULL, NULL, NULL, NULL, NULL, NULL,
                      NULL, s.digest
               FROM submissions s WHERE s.event_id = ANY($1::text[])
                 AND NOT EXISTS (SELECT FROM outcomes o WHERE o.event_id = s.event_id)""",
            event_ids,
        )
        return {
            row["event_id"]: EventStatus(
                event_id=row["event_id"],
                status=row["status"],
                project_id=row["project_id"],
                seq=row["seq"],
                hash=bytes(row["hash"]).hex() if row["hash"] is not None else None,
                reason_code=row["reason_code"],
                message_zh=row["message_zh"],
                message_en=row["message_en"],
                decided_at=row["decided_at"],
                details=row["details"],
                digest=bytes(row["digest"]) if row["digest"] is not None else None,
            )
            for row in rows
        }

    async def status(self, event_id: str) -> EventStatus | None:
        return (await self.statuses([event_id])).get(event_id)
