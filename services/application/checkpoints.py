"""Signing checkpoints of the chain heads, and auditing the log they form.

A checkpoint signs a Merkle tree over one leaf per moved project head. Before anything is signed
the stored log must still give the previous checkpoint's signed root, and each moved chain must
continue its previous leaf (``continuity.extend``): a rewritten chain gets no leaf, only a critical
alert, so a signature never covers a history that contradicts an earlier one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from services.application.ports import CheckpointLog, CheckpointSigner
from services.domain import merkle
from services.domain.checkpoint import (
    Checkpoint,
    StoredLeaf,
    audit_log,
    leaf_bytes,
    note_problem,
    tree_head_bytes,
)
from services.domain.continuity import Break, Extension, Leaf, extend, rewrite_alert
from services.domain.transparency import checkpoint as transparency


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


async def sign_checkpoint(
    log: CheckpointLog, signer: CheckpointSigner, now: dt.datetime
) -> CheckpointRun:
    """Sign a new checkpoint of every head that moved, once each chain is checked.

    Reads the whole log (to re-check the signed root) and, per moved project, the records since
    its previous leaf.
    """
    async with log.exclusive() as session:
        last = await session.latest()
        logged = await session.leaves()
        stored = [entry.row for entry in logged]
        if last is None:
            damaged = (
                f"the log holds {len(stored)} leaves but no signed checkpoint" if stored else None
            )
        else:
            damaged = audit_log(stored, last, signer.verifying_keys) or note_problem(
                last, signer.verifying_keys
            )
        if damaged is not None:
            return CheckpointRun(None, [], damaged)
        previous = {
            row.project_id: Leaf(row.index, row.seq, row.head, number) for row, number in logged
        }
        recorded = await session.heads()
        moved = sorted(
            p
            for p in recorded.keys() | previous.keys()
            if p not in previous or recorded.get(p) != (previous[p].seq, previous[p].head)
        )
        refused: list[Refusal] = []
        fresh: list[tuple[str, Extension]] = []
        for project in moved:
            before = previous.get(project)
            links = await session.links_from(project, before.seq if before else 1)
            outcome = extend(project, before, links, recorded.get(project))
            if isinstance(outcome, Break):
                refused.append(Refusal(project, outcome.seq, outcome.en))
                await session.raise_alerts([(project, rewrite_alert(project, outcome, now))])
            elif before is None or outcome.seq != before.seq:
                fresh.append((project, outcome))
        if not fresh:
            return CheckpointRun(None, refused)
        number = (last.number if last else 0) + 1
        leaves = [
            StoredLeaf(
                len(stored) + i, project, end.seq, end.head, leaf_bytes(project, end.seq, end.head)
            )
            for i, (project, end) in enumerate(fresh)
        ]
        root = merkle.root([merkle.leaf_hash(row.leaf) for row in [*stored, *leaves]])
        size = len(stored) + len(leaves)
        head = tree_head_bytes(number, size, root, now, signer.active)
        signature = signer.sign_bytes(head)
        unsigned = Checkpoint(number, size, root, head, signer.active, signature, now)
        note = sign_note_of(unsigned, signer)
        made = Checkpoint(number, size, root, head, signer.active, signature, now, note)
        await session.append(leaves, made)
        return CheckpointRun(made, refused)


def sign_note_of(checkpoint: Checkpoint, signer: CheckpointSigner) -> str:
    """The checkpoint as a C2SP signed note, signed by the active key under the log's origin."""
    body = checkpoint.log_checkpoint(signer.log_origin).body()
    return transparency.sign_checkpoint(body, signer.note_signer)


async def audit(
    log: CheckpointLog, signed: Checkpoint, keys: Mapping[str, Ed25519PublicKey]
) -> str | None:
    """What is wrong with the stored log against ``signed``: None when its leaves give the signed
    root, the signature verifies with ``keys``, and no leaf lies beyond the newest checkpoint.
    Reads the whole log."""
    size = await log.size()
    if size is not None and size.leaves != size.tree_size:
        return (
            f"the log holds {size.leaves} leaves where checkpoint {size.number} "
            f"signed {size.tree_size}"
        )
    return audit_log(await log.stored_leaves(signed.tree_size), signed, keys) or note_problem(
        signed, keys
    )


@dataclass(frozen=True)
class SignedHistory:
    """The latest signed checkpoint and what its audit found, loaded once to check any number of
    chains against (the audit reads the whole log)."""

    log: CheckpointLog
    latest: Checkpoint | None
    damaged: str | None

    @classmethod
    async def load(cls, log: CheckpointLog, keys: Mapping[str, Ed25519PublicKey]) -> SignedHistory:
        latest = await log.latest()
        damaged = await audit(log, latest, keys) if latest else None
        return cls(log, latest, damaged)
