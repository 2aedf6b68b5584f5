"""Merkle tree hashing, inclusion and consistency proofs as RFC 6962 (Certificate Transparency) defines.

leaf hash = SHA-256(0x00 ‖ leaf), node hash = SHA-256(0x01 ‖ left ‖ right); a tree of n leaves
splits at the largest power of two below n. Pure functions, so any verifier can follow them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence


def leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def root(hashes: Sequence[bytes]) -> bytes:
    """Merkle tree hash over leaf hashes (the empty tree hashes to SHA-256 of nothing)."""
    n = len(hashes)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashes[0]
    k = _split(n)
    return node_hash(root(hashes[:k]), root(hashes[k:]))


def inclusion_proof(index: int, hashes: Sequence[bytes]) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of ``hashes`` (RFC 6962 §2.1.1)."""
    n = len(hashes)
    if not 0 <= index < n:
        raise IndexError(index)
    if n == 1:
        return []
    k = _split(n)
    if index < k:
        return [*inclusion_proof(index, hashes[:k]), root(hashes[k:])]
    return [*inclusion_proof(index - k, hashes[k:]), root(hashes[:k])]


def inclusion_proofs(indices: Iterable[int], hashes: Sequence[bytes]) -> dict[int, list[bytes]]:
    """The audit paths of several leaves in one pass over the tree: O(n + k log n), where calling
    ``inclusion_proof`` k times would hash the whole tree k times."""
    n = len(hashes)
    wanted = sorted(set(indices))
    if any(not 0 <= i < n for i in wanted):
        raise IndexError(wanted)
    proofs: dict[int, list[bytes]] = {i: [] for i in wanted}

    def walk(lo: int, hi: int, targets: list[int]) -> bytes:
        if hi - lo == 1:
            return hashes[lo]
        mid = lo + _split(hi - lo)
        left_targets = [t for t in targets if t < mid]
        right_targets = [t for t in targets if t >= mid]
        left = walk(lo, mid, left_targets) if left_targets else root(hashes[lo:mid])
        right = walk(mid, hi, right_targets) if right_targets else root(hashes[mid:hi])
        for t in left_targets:
            proofs[t].append(right)
        for t in right_targets:
            proofs[t].append(left)
        return node_hash(left, right)

    if wanted:
        walk(0, n, wanted)
    return proofs


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root that ``proof`` implies for leaf hash ``leaf`` at ``index`` of a ``size``-leaf tree."""
    if not 0 <= index < size:
        raise ValueError("index outside the tree")

    def walk(i: int, n: int, path: Sequence[bytes]) -> bytes:
        if n == 1:
            if path:
                raise ValueError("proof too long")
            return leaf
        if not path:
            raise ValueError("proof too short")
        k = _split(n)
        if i < k:
            return node_hash(walk(i, k, path[:-1]), path[-1])
        return node_hash(path[-1], walk(i - k, n - k, path[:-1]))

    return walk(index, size, list(proof))


def consistency_proof(m: int, hashes: Sequence[bytes]) -> list[bytes]:
    """Proof that the first ``m`` leaves are a prefix of the tree of ``hashes`` (RFC 6962 §2.1.2)."""
    n = len(hashes)
    if not 0 < m <= n:
        raise ValueError("m must be within 1..n")

    def sub(m: int, leaves: Sequence[bytes], complete: bool) -> list[bytes]:
        n = len(leaves)
        if m == n:
            return [] if complete else [root(leaves)]
        k = _split(n)
        if m <= k:
            return [*sub(m, leaves[:k], complete), root(leaves[k:])]
        return [*sub(m - k, leaves[k:], False), root(leaves[:k])]

    return sub(m, hashes, True)


def verify_consistency(
    m: int, n: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """True when ``proof`` shows the ``m``-leaf tree ``old_root`` is a prefix of ``new_root``."""
    if not 0 < m <= n:
        return False
    if m == n:
        return not proof and old_root == new_root

    def walk(
        m: int, n: int, path: list[bytes], complete: bool, known: bytes | None
    ) -> tuple[bytes, bytes]:
        """(old root, new root) of the subtree of size n whose first m leaves are the old tree."""
        if m == n:
            if complete:
                assert known is not None
                return known, known
            node = path.pop(0)
            return node, node
        k = _split(n)
        if not path:
            raise ValueError("proof too short")
        last = path.pop()
        if m <= k:
            old, new = walk(m, k, path, complete, known)
            return old, node_hash(new, last)
        old, new = walk(m - k, n - k, path, False, None)
        return node_hash(last, old), node_hash(last, new)

    try:
        path = list(proof)
        old, new = walk(m, n, path, True, old_root)
        return not path and old == old_root and new == new_root
    except (ValueError, IndexError):
        return False
