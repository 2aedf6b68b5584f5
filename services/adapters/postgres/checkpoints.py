"""Checkpoints in PostgreSQL: check moved chains, append their leaves, sign the tree head, serve
the log and its proofs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import asyncpg
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from services.adapters.signing import Signer
from services.domain import merkle
from services.domain.chain import StoredLink
from services.domain.checkpoint import StoredLeaf, audit_log, leaf_bytes, tree_head_bytes
from services.domain.continuity import Break, Extension, Leaf, extend, rewrite_alert

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


@dataclass(frozen=True)
class Refusal:
    """A project the checkpointer would not sign: its chain no longer continues its last leaf."""

    project_id: str
    seq: int
    problem: str

    def as_dict(self) -> dict[str, Any]:
        return {"project": self.project_id, "seq": self.seq, "problem": self.problem}


@dataclass(frozen=True)
class CheckpointRun:
    """What one checkpoint attempt did: the checkpoint it signed (None when no head moved, or when
    nothing could be signed), the projects it refused, and why it signed nothing at all when the
    stored log no longer gives the previous signed root."""

    made: Checkpoint | None
    refused: list[Refusal]
    log_damaged: str | None = None


def _stored(row: asyncpg.Record) -> StoredLeaf:
    return StoredLeaf(
        row["leaf_index"], row["project_id"], row["seq"], bytes(row["head"]), bytes(row["leaf"])
    )


class CheckpointStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def create(self, signer: Signer, now: dt.datetime) -> CheckpointRun:
        """Sign a new checkpoint of every head that moved, once each chain is checked.

        Before anything is signed, the stored log must still give the previous checkpoint's signed
        root (else nothing is signed). Each moved project's records since its previous leaf must
        continue that leaf (``continuity.extend``): the new leaf takes the verified chain's end;
        a project that fails gets no leaf and a critical alert. Reads O(records since the previous
        leaf) per moved project.
        """
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", _LOCK)
            last = await conn.fetchrow("SELECT * FROM checkpoints ORDER BY number DESC LIMIT 1")
            log = await conn.fetch(
                """SELECT leaf_index, project_id, seq, head, leaf, checkpoint
                   FROM checkpoint_leaves ORDER BY leaf_index"""
            )
            stored = [_stored(r) for r in log]
            if last is None:
                damaged = (
                    f"the log holds {len(stored)} leaves but no signed checkpoint"
                    if stored
                    else None
                )
            else:
                damaged = audit_log(stored, _checkpoint(last), signer.verifying_keys)
            if damaged is not None:
                return CheckpointRun(None, [], damaged)
            previous = {
                row.project_id: Leaf(row.index, row.seq, row.head, r["checkpoint"])
                for row, r in zip(stored, log, strict=True)
            }
            recorded = {
                r["project_id"]: (r["seq"], bytes(r["head"]))
                for r in await conn.fetch("SELECT project_id, seq, head FROM project_heads")
            }
            moved = sorted(
                p
                for p in recorded.keys() | previous.keys()
                if p not in previous or recorded.get(p) != (previous[p].seq, previous[p].head)
            )
            refused: list[Refusal] = []
            fresh: list[tuple[str, Extension]] = []
            for project in moved:
                before = previous.get(project)
                links = [
                    StoredLink(
                        r["seq"], bytes(r["record"]), bytes(r["prev_hash"]), bytes(r["hash"])
                    )
                    for r in await conn.fetch(
                        """SELECT seq, record, prev_hash, hash FROM trail
                           WHERE project_id = $1 AND seq >= $2 ORDER BY seq""",
                        project,
                        before.seq if before else 1,
                    )
                ]
                outcome = extend(project, before, links, recorded.get(project))
                if isinstance(outcome, Break):
                    refused.append(Refusal(project, outcome.seq, outcome.en))
                    alert = rewrite_alert(project, outcome, now)
                    await conn.execute(
                        """INSERT INTO alerts (project_id, alert_id, kind, severity, events,
                                               message_zh, message_en, blocking, raised_at)
                           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                           ON CONFLICT (project_id, alert_id) DO NOTHING""",
                        project,
                        alert.alert_id,
                        alert.kind,
                        alert.severity,
                        alert.events,
                        alert.message_zh,
                        alert.message_en,
                        alert.blocking,
                        alert.raised_at,
                    )
                elif before is None or outcome.seq != before.seq:
                    fresh.append((project, outcome))
            if not fresh:
                return CheckpointRun(None, refused)
            size = len(stored)
            number = (last["number"] if last else 0) + 1
            rows = [
                (
                    size + i,
                    project,
                    end.seq,
                    end.head,
                    leaf_bytes(project, end.seq, end.head),
                    number,
                )
                for i, (project, end) in enumerate(fresh)
            ]
            await conn.copy_records_to_table(
                "checkpoint_leaves",
                records=rows,
                columns=("leaf_index", "project_id", "seq", "head", "leaf", "checkpoint"),
            )
            hashes = [merkle.leaf_hash(row.leaf) for row in stored]
            hashes += [merkle.leaf_hash(row[4]) for row in rows]
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
            made = Checkpoint(number, len(hashes), root, head, signer.active, signature, now)
            return CheckpointRun(made, refused)

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

    async def stored_leaves(self, size: int) -> list[StoredLeaf]:
        """The first ``size`` rows of the log, in index order."""
        rows = await self._pool.fetch(
            """SELECT leaf_index, project_id, seq, head, leaf FROM checkpoint_leaves
               WHERE leaf_index < $1 ORDER BY leaf_index""",
            size,
        )
        return [_stored(r) for r in rows]

    async def audit(self, signed: Checkpoint, keys: Mapping[str, Ed25519PublicKey]) -> str | None:
        """What is wrong with the stored log against ``signed`` (None when its leaves give the
        signed root and the signature verifies with ``keys``, and no leaf lies beyond the newest
        checkpoint). Reads the whole log."""
        # One statement, one snapshot: a checkpoint committing meanwhile is no false alarm.
        counted = await self._pool.fetchrow(
            """SELECT (SELECT count(*) FROM checkpoint_leaves) AS leaves, c.number, c.tree_size
               FROM checkpoints c ORDER BY c.number DESC LIMIT 1"""
        )
        if counted is not None and counted["leaves"] != counted["tree_size"]:
            return (
                f"the log holds {counted['leaves']} leaves where checkpoint {counted['number']} "
                f"signed {counted['tree_size']}"
            )
        return audit_log(await self.stored_leaves(signed.tree_size), signed, keys)

    async def project_leaves(self, project_id: str, size: int) -> list[Leaf]:
        """Every leaf of a project within the first ``size`` leaves, oldest first (trust them
        after ``audit``: it checks that every row's columns are what its signed bytes say)."""
        rows = await self._pool.fetch(
            """SELECT leaf_index, seq, head, checkpoint FROM checkpoint_leaves
               WHERE project_id = $1 AND leaf_index < $2 ORDER BY leaf_index""",
            project_id,
            size,
        )
        return [Leaf(r["leaf_index"], r["seq"], bytes(r["head"]), r["checkpoint"]) for r in rows]
