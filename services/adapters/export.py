"""Assembling a project's export bundle from the stores (a checkpoint is signed first if needed)."""

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


class NothingToExport(LookupError):
    pass


async def export_bundle(
    pool: asyncpg.Pool,
    signer: Signer,
    evidence_store: EvidenceStore | None,
    project_id: str,
) -> dict[str, Any]:
    """The bundle; ``evidence_store`` given means the evidence files are included, not only hashes."""
    store = TrailStore(pool)
    links = [link async for link in store.links(project_id)]
    if not links:
        raise NothingToExport(project_id)
    checkpoints = CheckpointStore(pool)
    now = dt.datetime.now(dt.UTC)
    await checkpoints.create(signer, now)  # so the checkpoint covers the head being exported
    latest = await checkpoints.latest()
    assert latest is not None
    found = await checkpoints.latest_leaf(project_id, latest.tree_size)
    assert found is not None
    index, leaf, _, _ = found
    hashes = await checkpoints.leaf_hashes(latest.tree_size)
    state = (await store.load_states([project_id]))[project_id]
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
        leaf_index=index,
        leaf=leaf,
        proof=merkle.inclusion_proof(index, hashes),
        public_keys=signer.public_keys(),
        evidence=evidence,
        exported_at=now.isoformat(),
    )
