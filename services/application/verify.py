"""Verifying a stored chain: the pure verifier over its links, then against signed checkpoints.

The links alone catch an edited, removed or reordered record; only checkpoints (signed, and kept
outside the chain) catch a tail cut off cleanly or a history rewritten and re-linked from some seq.
Every leaf the project has in the latest checkpoint is compared with the chain, after the stored
log is checked against that checkpoint's signature and root.
"""

from __future__ import annotations

from dataclasses import replace

from services.application.checkpoints import SignedHistory
from services.application.ports import TrailReader
from services.domain.chain import StoredLink, Verification, verify_links
from services.domain.continuity import first_disagreement


async def verify_project(
    trail: TrailReader, project_id: str, history: SignedHistory | None = None
) -> Verification:
    links: list[StoredLink] = [link async for link in trail.links(project_id)]
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
    leaves = await history.log.project_leaves(project_id, history.latest.tree_size)
    found = first_disagreement([link.hash for link in links], leaves, result.length, not result.ok)
    if found is None or (result.first_bad_seq is not None and result.first_bad_seq <= found.seq):
        return replace(result, checkpoint=number)
    return replace(result, ok=False, first_bad_seq=found.seq, problem=found.en, checkpoint=number)
