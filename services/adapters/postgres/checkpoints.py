"""Checkpoints in PostgreSQL: append leaves for moved heads, sign the tree head, serve proofs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import asyncpg

from services.adapters.signing import Signer
from services.domain import merkle
from services.domain.checkpoint import leaf_bytes, tree_head_bytes

_LOCK = 0x71_74_63_6B_70_74  # one checkpointer at a time


@dataclass(frozen=True)
class Checkpoint:
    number: int
    tree_size: int
    root: bytes
    tree_head: bytes
    key_id: str
    signature: bytes
    signed_at: dt.datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "tree_size": self.tree_size,
            "root": self.root.hex(),
            "tree_head": self.tree_head.decode(),
            "key_id": self.key_id,
            "signature": self.signature.hex(),
            "signed_at": self.signed_at.isoformat(),
        }


def _checkpoint(row: asyncpg.Record) -> Checkpoint:
    return Checkpoint(
        row["number"],
        row["tree_size"],
        bytes(row["root"]),
        bytes(row["tree_head"]),
        row["key_id"],
        bytes(row["signature"]),
        row["signed_at"],
    )


class CheckpointStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def create(self, signer: Signer, now: dt.datetime) -> Checkpoint | None:
        """A new signed checkpoint when some head moved since the last one; None otherwise."""
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", _LOCK)
            moved = await conn.fetch(
                """SELECT h.project_id, h.seq, h.head FROM project_heads h
                   LEFT JOIN LATERAL (SELECT max(seq) AS seq FROM checkpoint_leaves l
                                      WHERE l.project_id = h.project_id) last ON true
                   WHERE last.seq IS NULL OR h.seq > last.seq
                   ORDER BY h.project_id"""
            )
            if not moved:
                return None
            size = await conn.fetchval("SELECT count(*) FROM checkpoint_leaves")
            number = (await conn.fetchval("SELECT coalesce(max(number), 0) FROM checkpoints")) + 1
            rows = [
                (
                    size + i,
                    r["project_id"],
                    r["seq"],
                    bytes(r["head"]),
                    leaf_bytes(r["project_id"], r["seq"], bytes(r["head"])),
                    number,
                )
                for i, r in enumerate(moved)
            ]
            await conn.copy_records_to_table(
                "checkpoint_leaves",
                records=rows,
                columns=("leaf_index", "project_id", "seq", "head", "leaf", "checkpoint"),
            )
            hashes = [
                merkle.leaf_hash(bytes(r["leaf"]))
                for r in await conn.fetch("SELECT leaf FROM checkpoint_leaves ORDER BY leaf_index")
            ]
            root = merkle.root(hashes)
            head = tree_head_bytes(number, len(hashes), root, now, signer.active)
            signature = signer.sign_bytes(head)
            await conn.execute(
                """INSERT INTO checkpoints (number, tree_size, root, tree_head, key_id, signature, signed_at)
                   VALUES ($1, $2, $3, $4, $5, $6, $7)""",
                number,
                len(hashes),
                root,
                head,
                signer.active,
                signature,
                now,
            )
            return Checkpoint(number, len(hashes), root, head, signer.active, signature, now)

    async def latest(self) -> Checkpoint | None:
        row = await self._pool.fetchrow("SELECT * FROM checkpoints ORDER BY number DESC LIMIT 1")
        return _checkpoint(row) if row else None

    async def get(self, number: int) -> Checkpoint | None:
        row = await self._pool.fetchrow("SELECT * FROM checkpoints WHERE number = $1", number)
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
