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

from services.application.ports import (
    CheckpointLog,
    CheckpointSession,
    CheckpointSigner,
    LoggedLeaf,
)
from services.domain import merkle, subtrees
from services.domain.checkpoint import (
    Checkpoint,
    StoredLeaf,
    audit_log,
    extent_problem,
    head_problem,
    leaf_bytes,
    leaves_changed,
    note_problem,
    row_problem,
    tree_changed,
    tree_head_bytes,
    tree_problem,
)
from services.domain.continuity import Break, Extension, Leaf, extend, rewrite_alert
from services.domain.subtrees import Node
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

    Reads no more of the log than a checkpoint needs: the last checkpoint, each project's newest
    leaf, the stored tree's border (which must still give the signed root), the audit paths of
    the moved projects' previous leaves (each must be in that root) and, per moved project, the
    records since its previous leaf. So k new leaves cost O(projects + k·log n); the rest of the
    log is the whole log's audit's to check (``audit``).
    """
    keys = signer.verifying_keys
    async with log.exclusive() as session:
        last = await session.latest()
        extent = await session.extent()
        newest = await session.newest_leaves()
        size = last.tree_size if last else 0
        border = await session.nodes([*subtrees.border(size), (0, size)])
        damaged = _damage(last, extent, newest, border, keys)
        if damaged is not None:
            return CheckpointRun(None, [], damaged)
        previous = {
            p: Leaf(e.row.index, e.row.seq, e.row.head, e.checkpoint) for p, e in newest.items()
        }
        recorded = await session.heads()
        moved = sorted(
            p
            for p in recorded.keys() | previous.keys()
            if p not in previous or recorded.get(p) != (previous[p].seq, previous[p].head)
        )
        if last is not None and not await _signed_in(
            session, [newest[p].row for p in moved if p in newest], last
        ):
            return CheckpointRun(None, [], leaves_changed(last.number))
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
            StoredLeaf(size + i, project, end.seq, end.head, leaf_bytes(project, end.seq, end.head))
            for i, (project, end) in enumerate(fresh)
        ]
        nodes = subtrees.appended(size, border, [merkle.leaf_hash(row.leaf) for row in leaves])
        size += len(leaves)
        root = subtrees.root(size, border | nodes)
        head = tree_head_bytes(number, size, root, now, signer.active)
        signature = signer.sign_bytes(head)
        unsigned = Checkpoint(number, size, root, head, signer.active, signature, now)
        note = sign_note_of(unsigned, signer)
        made = Checkpoint(number, size, root, head, signer.active, signature, now, note)
        await session.append(leaves, nodes, made)
        return CheckpointRun(made, refused)


def _damage(
    last: Checkpoint | None,
    extent: int,
    newest: Mapping[str, LoggedLeaf],
    border: Mapping[Node, bytes],
    keys: Mapping[str, Ed25519PublicKey],
) -> str | None:
    """What stops all signing: the last checkpoint's own problems, leaves or leaf hashes beyond
    it (or none signed), a project's newest row that contradicts its bytes, or a stored border
    that no longer gives the signed root (the only nodes a new root is built on)."""
    size = last.tree_size if last else 0
    if problem := (head_problem(last, keys) if last else None) or extent_problem(extent, last):
        return problem
    if (0, size) in border:
        return f"the log's stored tree holds leaf hashes beyond the {size} leaves signed"
    if last is None:
        return None
    for entry in newest.values():
        if problem := row_problem(entry.row):
            return problem
    try:
        holds = subtrees.root(last.tree_size, border) == last.root
    except KeyError:
        holds = False
    return note_problem(last, keys) if holds else tree_changed(last.number)


async def _signed_in(
    session: CheckpointSession, rows: list[StoredLeaf], signed: Checkpoint
) -> bool:
    """Whether each of ``rows`` is in the tree ``signed`` signed, by its audit path in the stored
    nodes: a chain is only ever continued from a leaf the signature covers."""
    spans = {row.index: subtrees.inclusion_spans(row.index, signed.tree_size) for row in rows}
    nodes = await session.nodes(subtrees.nodes_of(s for path in spans.values() for s in path))
    for row in rows:
        try:
            path = [subtrees.span_root(span, nodes) for span in spans[row.index]]
            implied = merkle.root_from_inclusion(
                row.index, signed.tree_size, merkle.leaf_hash(row.leaf), path
            )
        except (KeyError, ValueError):
            return False
        if implied != signed.root:
            return False
    return True


def sign_note_of(checkpoint: Checkpoint, signer: CheckpointSigner) -> str:
    """The checkpoint as a C2SP signed note, signed by the active key under the log's origin."""
    body = checkpoint.log_checkpoint(signer.log_origin).body()
    return transparency.sign_checkpoint(body, signer.note_signer)


async def audit(
    log: CheckpointLog, signed: Checkpoint, keys: Mapping[str, Ed25519PublicKey]
) -> str | None:
    """What is wrong with the stored log against ``signed``: None when its leaves give the signed
    root, its stored tree nodes are those the leaves give, the signature verifies with ``keys``,
    and no leaf lies beyond the newest checkpoint. Reads the whole log, leaves and nodes: the one
    check of all of it, so an edit anywhere in it is caught here."""
    size = await log.size()
    if size is not None and size.leaves != size.tree_size:
        return (
            f"the log holds {size.leaves} leaves where checkpoint {size.number} "
            f"signed {size.tree_size}"
        )
    leaves = await log.stored_leaves(signed.tree_size)
    return (
        audit_log(leaves, signed, keys)
        or tree_problem(leaves, await log.tree_nodes(signed.tree_size), signed.number)
        or note_problem(signed, keys)
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
