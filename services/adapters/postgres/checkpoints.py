"""The checkpoint log in PostgreSQL: one checkpointer at a time (an advisory lock held for its
transaction), the log's rows and its tree's nodes (schemas/sql/0010), and the reads that serve
proofs: primary-key probes of O(log n) nodes, never a pass over the leaves."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager

import asyncpg

from services.adapters.postgres.alerts import raise_alerts
from services.application.ports import CheckpointSession, LoggedLeaf, LogSize
from services.domain.chain import StoredLink
from services.domain.checkpoint import Checkpoint, StoredLeaf
from services.domain.continuity import Leaf
from services.domain.state import Alert
from services.domain.subtrees import Node

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


async def _nodes(
    db: asyncpg.Pool | asyncpg.Connection, wanted: Iterable[Node]
) -> dict[Node, bytes]:
    """Stored nodes among ``wanted``, in one round trip (primary-key probes)."""
    keys = sorted(set(wanted))
    if not keys:
        return {}
    rows = await db.fetch(
        """SELECT n.level, n.node_index, n.hash
           FROM unnest($1::smallint[], $2::bigint[]) AS w (level, node_index)
           JOIN checkpoint_nodes n USING (level, node_index)""",
        [level for level, _ in keys],
        [index for _, index in keys],
    )
    return {(r["level"], r["node_index"]): bytes(r["hash"]) for r in rows}


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

    async def nodes(self, wanted: Iterable[Node]) -> dict[Node, bytes]:
        return await _nodes(self._pool, wanted)

    async def tree_nodes(self, size: int) -> dict[Node, bytes]:
        rows = await self._pool.fetch(
            """SELECT level, node_index, hash FROM checkpoint_nodes
               WHERE (node_index + 1) << level <= $1""",
            size,
        )
        return {(r["level"], r["node_index"]): bytes(r["hash"]) for r in rows}

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

    async def extent(self) -> int:
        found = await self._conn.fetchval("SELECT max(leaf_index) FROM checkpoint_leaves")
        return 0 if found is None else int(found) + 1

    async def newest_leaves(self) -> dict[str, LoggedLeaf]:
        # A skip scan of the project index: one probe per project, not a pass over the log.
        rows = await self._conn.fetch(
            """WITH RECURSIVE projects (id) AS (
                 (SELECT project_id FROM checkpoint_leaves ORDER BY project_id LIMIT 1)
                 UNION ALL
                 SELECT (SELECT project_id FROM checkpoint_leaves
                         WHERE project_id > p.id ORDER BY project_id LIMIT 1)
                 FROM projects p WHERE p.id IS NOT NULL)
               SELECT l.* FROM projects p CROSS JOIN LATERAL (
                 SELECT leaf_index, project_id, seq, head, leaf, checkpoint
                 FROM checkpoint_leaves WHERE project_id = p.id
                 ORDER BY seq DESC LIMIT 1) l"""
        )
        return {r["project_id"]: LoggedLeaf(_stored(r), r["checkpoint"]) for r in rows}

    async def nodes(self, wanted: Iterable[Node]) -> dict[Node, bytes]:
        return await _nodes(self._conn, wanted)

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

    async def append(
        self, leaves: list[StoredLeaf], nodes: Mapping[Node, bytes], checkpoint: Checkpoint
    ) -> None:
        await self._conn.copy_records_to_table(
            "checkpoint_leaves",
            records=[
                (row.index, row.project_id, row.seq, row.head, row.leaf, checkpoint.number)
                for row in leaves
            ],
            columns=("leaf_index", "project_id", "seq", "head", "leaf", "checkpoint"),
        )
        await self._conn.copy_records_to_table(
            "checkpoint_nodes",
            records=[(level, index, digest) for (level, index), digest in nodes.items()],
            columns=("level", "node_index", "hash"),
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
