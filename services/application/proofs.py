"""Proofs the log serves, read from its stored tree: O(log n) nodes each, never every leaf.

The nodes are the database's, so each proof is checked against the signed roots before it is
served: an edited node makes the log refuse to answer (``LogDamaged``), never hand a client a
proof that fails, and the whole log's audit names the node.
"""

from __future__ import annotations

from services.application.ports import CheckpointLog
from services.domain import merkle, subtrees
from services.domain.checkpoint import Checkpoint
from services.domain.transparency.inclusion import InclusionProof


class LogDamaged(RuntimeError):
    """The stored tree no longer gives a signed root."""


async def inclusion_proof(
    log: CheckpointLog, index: int, leaf: bytes, signed: Checkpoint
) -> InclusionProof:
    """The audit path of the leaf ``leaf`` at ``index`` in the tree ``signed`` signed."""
    spans = subtrees.inclusion_spans(index, signed.tree_size)
    nodes = await log.nodes(subtrees.nodes_of(spans))
    try:
        path = tuple(subtrees.span_root(span, nodes) for span in spans)
    except KeyError as exc:
        raise LogDamaged(f"node {exc.args[0]} of the log's stored tree is missing") from None
    proof = InclusionProof(index, signed.tree_size, merkle.leaf_hash(leaf), path)
    if not proof.verifies(signed.root):
        raise LogDamaged(
            f"leaf {index} and the stored tree no longer give the root checkpoint "
            f"{signed.number} signed"
        )
    return proof


async def consistency_proof(
    log: CheckpointLog, older: Checkpoint, newer: Checkpoint
) -> list[bytes]:
    """The proof that the tree ``older`` signed is a prefix of the one ``newer`` signed."""
    if older.tree_size == 0 or older.tree_size == newer.tree_size:
        return []
    spans = subtrees.consistency_spans(older.tree_size, newer.tree_size)
    nodes = await log.nodes(subtrees.nodes_of(spans))
    try:
        proof = [subtrees.span_root(span, nodes) for span in spans]
    except KeyError as exc:
        raise LogDamaged(f"node {exc.args[0]} of the log's stored tree is missing") from None
    if not merkle.verify_consistency(
        older.tree_size, newer.tree_size, older.root, newer.root, proof
    ):
        raise LogDamaged(
            f"the stored tree no longer proves checkpoint {newer.number} extends "
            f"checkpoint {older.number}"
        )
    return proof
