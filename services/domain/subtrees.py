"""The RFC 6962 tree kept as the hashes of its perfect subtrees, so the log never rehashes its leaves.

Node (level, index) is the root of the perfect subtree over leaves [index·2^level,
(index+1)·2^level); it exists once all those leaves do and never changes after (the log only
grows). Every range an RFC 6962 split produces, the whole tree included, is covered by at most
one such node per level (its compact range), and its hash is those nodes folded from the right.
So a root, an inclusion proof or a consistency proof costs O(log n) node reads, and appending k
leaves computes at most k + log n new nodes from the old tree's border.

The all-leaves functions in ``merkle`` are the reference these are tested against.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence

from services.domain.merkle import node_hash

Node = tuple[int, int]
"""(level, index): the perfect subtree over leaves [index·2^level, (index+1)·2^level)."""
Span = tuple[int, int]
"""[lo, hi): a range of leaves whose root is one element of a proof."""

EMPTY_ROOT = hashlib.sha256(b"").digest()


def covering(lo: int, hi: int) -> list[Node]:
    """The largest aligned perfect subtrees that cover leaves [lo, hi), left to right."""
    if not 0 <= lo <= hi:
        raise ValueError("a range of leaves runs forward from 0")
    nodes: list[Node] = []
    while lo < hi:
        level = (lo & -lo).bit_length() - 1 if lo else (hi - lo).bit_length() - 1
        while lo + (1 << level) > hi:
            level -= 1
        nodes.append((level, lo >> level))
        lo += 1 << level
    return nodes


def border(size: int) -> list[Node]:
    """The compact range of a tree of ``size`` leaves: one perfect subtree per bit of ``size``."""
    return covering(0, size)


def span_root(span: Span, nodes: Mapping[Node, bytes]) -> bytes:
    """MTH(D[lo:hi]) from its covering nodes, for a span whose ``lo`` is a multiple of a power
    of two at least ``hi − lo`` long (every span of an RFC 6962 split is): the tree of such a
    span splits exactly where its covering does, so its root is the covering folded from the
    right. KeyError for a node ``nodes`` lacks."""
    lo, hi = span
    if lo == hi:
        return EMPTY_ROOT
    hashes = [nodes[node] for node in covering(lo, hi)]
    acc = hashes[-1]
    for left in reversed(hashes[:-1]):
        acc = node_hash(left, acc)
    return acc


def root(size: int, nodes: Mapping[Node, bytes]) -> bytes:
    """The root of the tree of ``size`` leaves, from its border."""
    return span_root((0, size), nodes)


def _split(n: int) -> int:
    return 1 << ((n - 1).bit_length() - 1)


def inclusion_spans(index: int, size: int) -> list[Span]:
    """The spans whose roots are the audit path of leaf ``index`` (RFC 6962 §2.1.1), bottom-up."""
    if not 0 <= index < size:
        raise IndexError(index)
    spans: list[Span] = []
    lo, hi = 0, size
    while hi - lo > 1:
        mid = lo + _split(hi - lo)
        if index < mid:
            spans.append((mid, hi))
            hi = mid
        else:
            spans.append((lo, mid))
            lo = mid
    return spans[::-1]


def consistency_spans(old_size: int, new_size: int) -> list[Span]:
    """The spans whose roots prove the first ``old_size`` leaves a prefix of the tree of
    ``new_size`` (RFC 6962 §2.1.2), in the proof's order."""
    if not 0 < old_size <= new_size:
        raise ValueError("the old size must be within 1 … new size")
    spans: list[Span] = []
    lo, hi, complete = 0, new_size, True
    while lo + old_size != hi:
        mid = lo + _split(hi - lo)
        if old_size <= mid - lo:
            spans.append((mid, hi))
            hi = mid
        else:
            spans.append((lo, mid))
            old_size -= mid - lo
            lo, complete = mid, False
    if not complete:
        spans.append((lo, hi))
    return spans[::-1]


def nodes_of(spans: Iterable[Span]) -> set[Node]:
    """The nodes to read for the roots of ``spans``."""
    return {node for lo, hi in spans for node in covering(lo, hi)}


def inclusion_proof(index: int, size: int, nodes: Mapping[Node, bytes]) -> list[bytes]:
    """The audit path of leaf ``index`` from the nodes of ``inclusion_spans``."""
    return [span_root(span, nodes) for span in inclusion_spans(index, size)]


def consistency_proof(old_size: int, new_size: int, nodes: Mapping[Node, bytes]) -> list[bytes]:
    """The consistency proof from the nodes of ``consistency_spans``."""
    return [span_root(span, nodes) for span in consistency_spans(old_size, new_size)]


def appended(
    size: int, nodes: Mapping[Node, bytes], leaf_hashes: Sequence[bytes]
) -> dict[Node, bytes]:
    """Every node that appending ``leaf_hashes`` to a tree of ``size`` leaves completes (the new
    leaves' own, level 0, included), given at least that tree's border in ``nodes``: a binary
    counter's carries, so k leaves cost k + log n hashes."""
    stack = [(level, index, nodes[(level, index)]) for level, index in border(size)]
    new: dict[Node, bytes] = {}
    for offset, leaf in enumerate(leaf_hashes):
        level, index, digest = 0, size + offset, leaf
        new[(level, index)] = digest
        while stack and stack[-1][0] == level:
            _, _, left = stack.pop()
            level, index, digest = level + 1, index >> 1, node_hash(left, digest)
            new[(level, index)] = digest
        stack.append((level, index, digest))
    return new


def every_node(leaf_hashes: Sequence[bytes]) -> dict[Node, bytes]:
    """Every node of the tree of ``leaf_hashes``: what the stored tree must hold (for audits)."""
    return appended(0, {}, leaf_hashes)
