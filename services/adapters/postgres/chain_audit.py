"""Verifying a stored chain: the pure verifier over its links, then against the latest checkpoint.

The links alone catch an edited, removed or reordered record; only a checkpoint (kept outside the
chain, signed) catches a tail cut off cleanly, or a history rewritten from some seq onwards.
"""

from __future__ import annotations

from dataclasses import replace

from services.adapters.postgres.checkpoints import CheckpointStore
from services.adapters.postgres.trail_store import TrailStore
from services.domain.chain import StoredLink, Verification, verify_links
from services.domain.checkpoint import against_checkpoint


async def verify_project(
    store: TrailStore, project_id: str, checkpoints: CheckpointStore | None = None
) -> Verification:
    links: list[StoredLink] = [link async for link in store.links(project_id)]
    result = verify_links(links)
    if not result.ok or checkpoints is None:
        return result
    latest = await checkpoints.latest()
    if latest is None:
        return result
    found = await checkpoints.latest_leaf(project_id, latest.tree_size)
    if found is None:
        return result
    _, _, seq, head = found
    problem = against_checkpoint([link.hash for link in links], seq, head)
    if problem is None:
        return result
    first_bad = min(len(links) + 1, seq) if len(links) < seq else seq
    return replace(
        result, ok=False, first_bad_seq=first_bad, problem=f"{problem} (checkpoint {latest.number})"
    )
