"""The inclusion-proof answer: ``{"leaf_index", "tree_size", "leaf_hash", "hashes"}``.

Hashes are base64 (as in checkpoints), the audit path bottom-up as RFC 6962 §2.1.1 orders it, so
a client holding the checkpoint of ``tree_size`` checks the answer with any RFC 6962 library
(e.g. transparency-dev/merkle's ``proof.VerifyInclusion``), not with qtrail's code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from services.domain import merkle
from services.domain.transparency.keys import b64, strict_b64decode
from services.domain.transparency.tiles import HASH_SIZE


@dataclass(frozen=True)
class InclusionProof:
    leaf_index: int
    tree_size: int
    leaf_hash: bytes
    hashes: tuple[bytes, ...]

    def __post_init__(self) -> None:
        if not 0 <= self.leaf_index < self.tree_size:
            raise ValueError("the leaf index lies outside the tree")
        if any(len(h) != HASH_SIZE for h in (self.leaf_hash, *self.hashes)):
            raise ValueError("hashes are 32 bytes (SHA-256)")

    def as_dict(self) -> dict[str, Any]:
        return {
            "leaf_index": self.leaf_index,
            "tree_size": self.tree_size,
            "leaf_hash": b64(self.leaf_hash),
            "hashes": [b64(h) for h in self.hashes],
        }

    @classmethod
    def from_dict(cls, body: Mapping[str, Any]) -> InclusionProof:
        """Read an answer strictly: exactly its four fields, integers as integers, canonical
        base64."""
        if set(body) != {"leaf_index", "tree_size", "leaf_hash", "hashes"}:
            raise ValueError("an inclusion proof has leaf_index, tree_size, leaf_hash, hashes")
        index, size, leaf, hashes = (
            body["leaf_index"],
            body["tree_size"],
            body["leaf_hash"],
            body["hashes"],
        )
        if type(index) is not int or type(size) is not int:
            raise ValueError("leaf_index and tree_size are integers")
        if not isinstance(leaf, str) or not isinstance(hashes, list):
            raise ValueError("leaf_hash is base64 and hashes a list of base64")
        if not all(isinstance(h, str) for h in hashes):
            raise ValueError("hashes are base64 strings")
        return cls(index, size, strict_b64decode(leaf), tuple(strict_b64decode(h) for h in hashes))

    def root(self) -> bytes:
        """The root this proof implies (ValueError for a path of the wrong length)."""
        return merkle.root_from_inclusion(
            self.leaf_index, self.tree_size, self.leaf_hash, self.hashes
        )

    def verifies(self, root: bytes) -> bool:
        """Whether the leaf is in the tree whose signed root is ``root``."""
        try:
            return self.root() == root
        except ValueError:
            return False


def inclusion_proof(
    leaf_index: int, tree_size: int, leaf_hashes: Sequence[bytes]
) -> InclusionProof:
    """The proof of leaf ``leaf_index`` in the tree of the first ``tree_size`` of ``leaf_hashes``
    (the log may have grown since the checkpoint the client holds)."""
    if not 0 < tree_size <= len(leaf_hashes):
        raise ValueError(f"no tree of size {tree_size} in a log of {len(leaf_hashes)} leaves")
    tree = leaf_hashes[:tree_size]
    path = merkle.inclusion_proof(leaf_index, tree)
    return InclusionProof(leaf_index, tree_size, tree[leaf_index], tuple(path))
