"""Exporting a project's bundle: its chain, its leaves with inclusion proofs under a signed
checkpoint, optionally a consistency proof from an older checkpoint, and its evidence.

The operator's tool signs a checkpoint first, so that the bundle covers the head it exports; the
API does not (it may not write the checkpoint log): its bundle carries the latest checkpoint, and
records sealed since are in the bundle, linked, but not yet covered by a signature.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from services.application.checkpoints import sign_checkpoint
from services.application.ports import (
    CheckpointLog,
    CheckpointSigner,
    Cosignatures,
    FileStore,
    TrailReader,
)
from services.domain import bundle, merkle
from services.domain.checkpoint import read_leaf
from services.domain.transparency.note import format_note, parse_note


class NothingToExport(LookupError):
    pass


class UnknownCheckpoint(LookupError):
    """``since`` names no checkpoint at or before the one the bundle is signed with."""


class NotYetCheckpointed(LookupError):
    """No signed checkpoint covers the project yet: the next one will."""


async def export_bundle(
    trail: TrailReader,
    checkpoints: CheckpointLog,
    evidence_store: FileStore | None,
    project_id: str,
    since: int | None = None,
    checkpoint_with: CheckpointSigner | None = None,
    cosignatures: Cosignatures | None = None,
) -> dict[str, Any]:
    """The bundle; ``evidence_store`` given means the evidence files are included, not only hashes;
    ``since`` (a checkpoint number) adds the consistency proof from that checkpoint;
    ``checkpoint_with`` signs a checkpoint of the moved heads first; ``cosignatures`` adds the
    witnesses' cosignatures to the checkpoint's C2SP note carried in the bundle.

    The project's leaves are picked by their signed bytes, not by the log's project column, so a
    leaf cannot be left out by editing that column.
    """
    links = [link async for link in trail.links(project_id)]
    if not links:
        raise NothingToExport(project_id)
    now = dt.datetime.now(dt.UTC)
    if checkpoint_with is not None:
        await sign_checkpoint(checkpoints, checkpoint_with, now)
    latest = await checkpoints.latest()
    if latest is None:
        raise NotYetCheckpointed(project_id)
    older = await checkpoints.get(since) if since is not None else None
    if since is not None and (older is None or older.tree_size > latest.tree_size):
        raise UnknownCheckpoint(since)
    stored = await checkpoints.stored_leaves(latest.tree_size)
    hashes = [merkle.leaf_hash(row.leaf) for row in stored]
    mine = [i for i, row in enumerate(stored) if _project_of(row.leaf) == project_id]
    if not mine:
        raise NotYetCheckpointed(project_id)
    proofs = merkle.inclusion_proofs(mine, hashes)
    leaves = [bundle.LeafProof(i, stored[i].leaf, proofs[i]) for i in mine]
    consistency = (
        [
            bundle.ConsistencyProof(
                older.number,
                older.tree_size,
                merkle.consistency_proof(older.tree_size, hashes)
                if older.tree_size < len(hashes)
                else [],
            )
        ]
        if older is not None
        else []
    )
    state = (await trail.load_states([project_id])).get(project_id) or await trail.state_from_chain(
        project_id
    )
    evidence: list[dict[str, str]] = []
    for sha in state.evidence:
        item = {"sha256": sha}
        if evidence_store is not None and (content := await evidence_store.get(sha)) is not None:
            item["content"] = base64.b64encode(content).decode()
        evidence.append(item)
    return bundle.build(
        project_id=project_id,
        links=links,
        tree_head=latest.tree_head,
        signature=latest.signature,
        key_id=latest.key_id,
        leaves=leaves,
        consistency=consistency,
        evidence=evidence,
        exported_at=now.isoformat(),
        note=await _witnessed(latest.note, latest.number, cosignatures),
    )


async def _witnessed(
    note: str | None, number: int, cosignatures: Cosignatures | None
) -> str | None:
    if note is None or cosignatures is None:
        return note
    text, signatures = parse_note(note)
    return format_note(text, [*signatures, *await cosignatures.of(number)])


def _project_of(leaf: bytes) -> str | None:
    try:
        return read_leaf(leaf)[0]
    except (ValueError, KeyError, TypeError):
        return None
