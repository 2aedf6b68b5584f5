"""The checkpoint log in PostgreSQL: one checkpointer at a time (an advisory lock held for its
transaction), the log's rows, and the reads that serve proofs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

import asyncpg

from services.adapters.postgres.alerts import raise_alerts
from services.application.ports import CheckpointSession, LoggedLeaf, LogSize
from services.domain import merkle
from services.domain.chain import StoredLink
from services.domain.checkpoint import Checkpoint, StoredLeaf
from services.domain.continuity import Leaf
from services.domain.state import Alert

_LOCK = 0x71_74_63_6B_70_74  # one checkpointer at a time


def _checkpoint(row: asyncpg.Record) -> Checkpoint:
    return Checkpoint(
        row["number"],
        row["tree_size"],
        bytes(row["root"]),
        bytes(row["tree_head"]),
        row["key_id"],
        bytes(row["signature"]),
        row["signed_at"],
        row["note"],
    )


def _stored(row: asyncpg.Record) -> StoredLeaf:
    return StoredLeaf(
        row["leaf_index"], row["project_id"], row["seq"], bytes(row["head"]), bytes(row["leaf"])
    )


class CheckpointStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @asynccontextmanager
    async def exclusive(self) -> AsyncIterator[CheckpointSession]:
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", _LOCK)
            yield _Session(conn)

    async def latest(self) -> Checkpoint | None:
        row = await self._pool.fetchrow("SELECT * FROM checkpoints ORDER BY number DESC LIMIT 1")
        return _checkpoint(row) if row else None

    async def get(self, number: int) -> Checkpoint | None:
        row = await self._pool.fetchrow("SELECT * FROM checkpoints WHERE number = $1", number)
        return _checkpoint(row) if row else None

    async def of_size(self, tree_size: int) -> Checkpoint | None:
        """The checkpoint that signed a tree of ``tree_size`` leaves (sizes only grow)."""
        row = await self._pool.fetchrow(
            "SELECT * FROM checkpoints WHERE tree_size = $1 ORDER BY number LIMIT 1", tree_size
        )
        return _checkpoint(row) if row else None

    async def leaf_hashes(self, size: int) -> list[bytes]:
        rows = await self._pool.fetch(
            "SELECT leaf FROM checkpoint_leaves WHERE leaf_index < $1 ORDER BY leaf_index", size
        )
        return [merkle.leaf_hash(bytes(r["leaf"])) for r in rows]

    async def latest_leaf(self, project_id: str, size: int) -> tuple[int, bytes, int, bytes] | None:
        """(index, leaf bytes, seq, head) of the project's newest leaf within the first ``size`` leaves."""
        row = await self._pool.fetchrow(
            """SELECT leaf_index, leaf, seq, head FROM checkpoint_leaves
               WHERE project_id = $1 AND leaf_index < $2 ORDER BY seq DESC LIMIT 1""",
            project_id,
            size,
        )
        return (
            (row["leaf_index"], bytes(row["leaf"]), row["seq"], bytes(row["head"])) if row else None
        )

    async def leaf_range(self, start: int, end: int) -> list[bytes]:
        rows = await self._pool.fetch(
            """SELECT leaf FROM checkpoint_leaves
               WHERE leaf_index >= $1 AND leaf_index < $2 ORDER BY leaf_index""",
            start,
            end,
        )
        return [bytes(r["leaf"]) for r in rows]

    async def stored_leaves(self, size: int) -> list[StoredLeaf]:
        """The first ``size`` rows of the log, in index order."""
        rows = await self._pool.fetch(
            """SELECT leaf_index, project_id, seq, head, leaf FROM checkpoint_leaves
               WHERE leaf_index < $1 ORDER BY leaf_index""",
            size,
        )
        return [_stored(r) for r in rows]

    async def size(self) -> LogSize | None:
        # One statement, one snapshot: a checkpoint committing meanwhile is no false alarm.
        row = await self._pool.fetchrow(
            """SELECT (SELECT count(*) FROM checkpoint_leaves) AS leaves, c.number, c.tree_size
               FROM checkpoints c ORDER BY c.number DESC LIMIT 1"""
        )
        return LogSize(row["leaves"], row["number"], row["tree_size"]) if row else None

    async def project_leaves(self, project_id: str, size: int) -> list[Leaf]:
        rows = await self._pool.fetch(
            """SELECT leaf_index, seq, head, checkpoint FROM checkpoint_leaves
               WHERE project_id = $1 AND leaf_index < $2 ORDER BY leaf_index""",
            project_id,
            size,
        )
        return [Leaf(r["leaf_index"], r["seq"], bytes(r["head"]), r["checkpoint"]) for r in rows]


class _Session:
    """The checkpointer's transaction, holding the log's lock."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def latest(self) -> Checkpoint | None:
        row = await self._conn.fetchrow("SELECT * FROM checkpoints ORDER BY number DESC LIMIT 1")
        return _checkpoint(row) if row else None

    async def leaves(self) -> list[LoggedLeaf]:
        rows = await self._conn.fetch(
            """SELECT leaf_index, project_id, seq, head, leaf, checkpoint
               FROM checkpoint_leaves ORDER BY leaf_index"""
        )
        return [LoggedLeaf(_stored(r), r["checkpoint"]) for r in rows]

    async def heads(self) -> dict[str, tuple[int, bytes]]:
        rows = await self._conn.fetch("SELECT project_id, seq, head FROM project_heads")
        return {r["project_id"]: (r["seq"], bytes(r["head"])) for r in rows}

    async def links_from(self, project_id: str, seq: int) -> list[StoredLink]:
        rows = await self._conn.fetch(
            """SELECT seq, record, prev_hash, hash FROM trail
               WHERE project_id = $1 AND seq >= $2 ORDER BY seq""",
            project_id,
            seq,
        )
        return [
            StoredLink(r["seq"], bytes(r["record"]), bytes(r["prev_hash"]), bytes(r["hash"]))
            for r in rows
        ]

    async def raise_alerts(self, alerts: Iterable[tuple[str, Alert]]) -> None:
        await raise_alerts(self._conn, alerts)

    async def append(self, leaves: list[StoredLeaf], checkpoint: Checkpoint) -> None:
        await self._conn.copy_records_to_table(
            "checkpoint_leaves",
            records=[
                (row.index, row.project_id, row.seq, row.head, row.leaf, checkpoint.number)
                for row in leaves
            ],
            columns=("leaf_index", "project_id", "seq", "head", "leaf", "checkpoint"),
        )
        await self._conn.execute(
            """INSERT INTO checkpoints
                 (number, tree_size, root, tree_head, key_id, signature, signed_at, note)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""",
            checkpoint.number,
            checkpoint.tree_size,
            checkpoint.root,
            checkpoint.tree_head,
            checkpoint.key_id,
            checkpoint.signature,
            checkpoint.signed_at,
            checkpoint.note,
        )
