"""Assembling a project's export bundle from the stores.

The operator's tool signs a checkpoint first, so that the bundle covers the head it exports; the
API does not (it may not write the checkpoint log): its bundle carries the latest checkpoint, and
records sealed since are in the bundle, linked, but not yet covered by a signature.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import asyncpg

from services.adapters.evidence import EvidenceStore
from services.adapters.postgres.checkpoints import CheckpointStore
from services.adapters.postgres.trail_store import TrailStore
from services.adapters.signing import Signer
from services.domain import bundle, merkle
from services.domain.checkpoint import read_leaf


class NothingToExport(LookupError):
    pass


class UnknownCheckpoint(LookupError):
    """``since`` names no checkpoint at or before the one the bundle is signed with."""


class NotYetCheckpointed(LookupError):
    """No signed checkpoint covers the project yet: the next one will."""


async def export_bundle(
    pool: asyncpg.Pool,
    evidence_store: EvidenceStore | None,
    project_id: str,
    since: int | None = None,
    checkpoint_with: Signer | None = None,
) -> dict[str, Any]:
    """The bundle; ``evidence_store`` given means the evidence files are included, not only hashes;
    ``since`` (a checkpoint number) adds the consistency proof from that checkpoint;
    ``checkpoint_with`` signs a checkpoint of the moved heads first.

    The project's leaves are picked by their signed bytes, not by the log's project column, so a
    leaf cannot be left out by editing that column.
    """
    store = TrailStore(pool)
    links = [link async for link in store.links(project_id)]
    if not links:
        raise NothingToExport(project_id)
    checkpoints = CheckpointStore(pool)
    now = dt.datetime.now(dt.UTC)
    if checkpoint_with is not None:
        await checkpoints.create(checkpoint_with, now)
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
    state = (await store.load_states([project_id])).get(project_id) or await store.replay_state(
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
    )


def _project_of(leaf: bytes) -> str | None:
    try:
        return read_leaf(leaf)[0]
    except (ValueError, KeyError, TypeError):
        return None
