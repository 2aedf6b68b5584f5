"""The tree kept as its perfect subtrees gives the same roots and proofs as the all-leaves reference
(``merkle``, itself checked against the RFC 6962 vectors), from O(log n) nodes."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.domain import merkle, subtrees
from tests.unit.domain.test_merkle import CT_CONSISTENCY, CT_LEAVES, CT_PATHS, CT_ROOTS

MAX_SIZE = 300


def hashes(size: int) -> list[bytes]:
    return [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(size)]


def grown(sizes: list[int]) -> dict[subtrees.Node, bytes]:
    """The nodes of a tree appended to in steps of the given sizes."""
    leaves = hashes(sum(sizes))
    nodes: dict[subtrees.Node, bytes] = {}
    size = 0
    for step in sizes:
        nodes |= subtrees.appended(size, nodes, leaves[size : size + step])
        size += step
    return nodes


class Counted(dict[subtrees.Node, bytes]):
    """Nodes that remember which were read."""

    def __init__(self, nodes: dict[subtrees.Node, bytes]) -> None:
        super().__init__(nodes)
        self.read: set[subtrees.Node] = set()

    def __getitem__(self, node: subtrees.Node) -> bytes:
        self.read.add(node)
        return super().__getitem__(node)


def test_the_rfc_6962_vectors() -> None:
    leaves = [merkle.leaf_hash(leaf) for leaf in CT_LEAVES]
    nodes = subtrees.every_node(leaves)
    for size, expected in enumerate(CT_ROOTS, start=1):
        assert subtrees.root(size, nodes).hex() == expected
    for index, size, path in CT_PATHS:
        assert [h.hex() for h in subtrees.inclusion_proof(index, size, nodes)] == path
    for old, new, proof in CT_CONSISTENCY:
        assert [h.hex() for h in subtrees.consistency_proof(old, new, nodes)] == proof
    assert subtrees.root(0, {}) == hashlib.sha256(b"").digest() == merkle.root([])


def test_every_node_is_a_perfect_subtree_root_and_nothing_partial_is_kept() -> None:
    leaves = hashes(13)
    nodes = subtrees.every_node(leaves)
    assert set(nodes) == {(lv, i) for lv in range(4) for i in range(13 >> lv)}
    for (level, index), digest in nodes.items():
        assert digest == merkle.root(leaves[index << level : (index + 1) << level])


def test_the_border_is_one_subtree_per_bit_of_the_size() -> None:
    assert subtrees.border(13) == [(3, 0), (2, 2), (0, 12)]
    assert subtrees.border(16) == [(4, 0)]
    assert subtrees.border(0) == []
    assert subtrees.covering(12, 15) == [(1, 6), (0, 14)]
    assert subtrees.covering(8, 13) == [(2, 2), (0, 12)]
    with pytest.raises(ValueError):
        subtrees.covering(5, 4)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(1, 40), min_size=1, max_size=12))
def test_appending_in_any_steps_builds_the_same_tree(steps: list[int]) -> None:
    size = sum(steps)
    assert grown(steps) == subtrees.every_node(hashes(size))


@settings(max_examples=200, deadline=None)
@given(st.integers(1, MAX_SIZE), st.data())
def test_roots_and_proofs_equal_the_all_leaves_reference(size: int, data: st.DataObject) -> None:
    leaves = hashes(size)
    nodes = Counted(subtrees.every_node(leaves))
    assert subtrees.root(size, nodes) == merkle.root(leaves)
    index = data.draw(st.integers(0, size - 1), label="index")
    nodes.read.clear()
    assert subtrees.inclusion_proof(index, size, nodes) == merkle.inclusion_proof(index, leaves)
    assert nodes.read == subtrees.nodes_of(subtrees.inclusion_spans(index, size))
    assert len(nodes.read) <= 2 * size.bit_length()
    old = data.draw(st.integers(1, size), label="old size")
    nodes.read.clear()
    proof = subtrees.consistency_proof(old, size, nodes)
    assert proof == merkle.consistency_proof(old, leaves)
    assert len(nodes.read) <= 2 * size.bit_length()
    assert merkle.verify_consistency(
        old, size, merkle.root(leaves[:old]), merkle.root(leaves), proof
    )


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 100_000), st.integers(1, 300))
def test_an_append_reads_only_the_old_border_and_adds_at_most_k_plus_log_n_nodes(
    size: int, k: int
) -> None:
    border = {node: hashlib.sha256(repr(node).encode()).digest() for node in subtrees.border(size)}
    counted = Counted(border)
    new = subtrees.appended(size, counted, hashes(k))
    assert counted.read == set(border)
    assert len(new) <= 2 * k + (size + k).bit_length()
    assert set(subtrees.border(size + k)) <= set(border) | set(new)


def test_a_missing_node_is_a_key_error() -> None:
    nodes = subtrees.every_node(hashes(8))
    del nodes[(1, 2)]
    assert subtrees.inclusion_proof(0, 8, nodes) == merkle.inclusion_proof(0, hashes(8))
    with pytest.raises(KeyError):
        subtrees.inclusion_proof(6, 8, nodes)
    with pytest.raises(KeyError):
        subtrees.appended(7, nodes, hashes(1))
