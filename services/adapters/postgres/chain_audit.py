"""Verifying a stored chain: the pure verifier over its links, then against signed checkpoints.

The links alone catch an edited, removed or reordered record; only checkpoints (signed, and kept
outside the chain) catch a tail cut off cleanly or a history rewritten and re-linked from some seq.
Every leaf the project has in the latest checkpoint is compared with the chain, after the stored
log is checked against that checkpoint's signature and root.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from services.adapters.postgres.checkpoints import Checkpoint, CheckpointStore
from services.adapters.postgres.trail_store import TrailStore
from services.domain.chain import StoredLink, Verification, verify_links
from services.domain.continuity import first_disagreement


@dataclass(frozen=True)
class SignedHistory:
    """The latest signed checkpoint and what its audit found, loaded once to check any number of
    chains against (the audit reads the whole log)."""

    store: CheckpointStore
    latest: Checkpoint | None
    damaged: str | None

    @classmethod
    async def load(
        cls, store: CheckpointStore, keys: Mapping[str, Ed25519PublicKey]
    ) -> SignedHistory:
        latest = await store.latest()
        damaged = await store.audit(latest, keys) if latest else None
        return cls(store, latest, damaged)


async def verify_project(
    store: TrailStore, project_id: str, history: SignedHistory | None = None
) -> Verification:
    links: list[StoredLink] = [link async for link in store.links(project_id)]
    result = verify_links(links)
    if history is None or history.latest is None:
        return result
    number = history.latest.number
    if history.damaged is not None:
        problem = f"the checkpoint log cannot be trusted: {history.damaged}"
        return replace(
            result,
            ok=False,
            problem=f"{result.problem}; {problem}" if result.problem else problem,
            checkpoint=number,
        )
    leaves = await history.store.project_leaves(project_id, history.latest.tree_size)
    found = first_disagreement([link.hash for link in links], leaves, result.length, not result.ok)
    if found is None or (result.first_bad_seq is not None and result.first_bad_seq <= found.seq):
        return replace(result, checkpoint=number)
    return replace(result, ok=False, first_bad_seq=found.seq, problem=found.en, checkpoint=number)
