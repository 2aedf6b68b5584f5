"""Roots and proofs read back from tiles equal those of the whole tree, for any size."""

from __future__ import annotations

import hashlib
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.domain import merkle
from services.domain.transparency import tile_proofs
from services.domain.transparency.tiles import Tile, hash_tiles

EDGES = [1, 2, 3, 255, 256, 257, 511, 512, 65_536, 65_536 + 256 * 3 + 7]
"""Sizes around tile and level boundaries: full tiles only, a partial beside them, a level-2
tile (256² leaves) with and without partial tiles under it."""


def fake_hashes(size: int) -> list[bytes]:
    return [hashlib.sha256(i.to_bytes(8, "big")).digest() for i in range(size)]


@pytest.mark.parametrize("size", EDGES)
def test_tiles_give_the_root_and_the_proofs_of_the_tree(size: int) -> None:
    hashes = fake_hashes(size)
    tiles = hash_tiles(hashes)
    assert tile_proofs.tree_root(size, tiles.__getitem__) == merkle.root(hashes)
    indices = {0, size // 2, size - 1}
    for index, path in merkle.inclusion_proofs(indices, hashes).items():
        assert tile_proofs.leaf_hash(index, size, tiles.__getitem__) == hashes[index]
        assert tile_proofs.inclusion_proof(index, size, tiles.__getitem__) == path
    for old in {1, size // 3 or 1, size}:
        assert tile_proofs.consistency_proof(old, size, tiles.__getitem__) == (
            merkle.consistency_proof(old, hashes)
        )


def test_the_empty_tree_needs_no_tile() -> None:
    assert tile_proofs.tree_root(0, {}.__getitem__) == merkle.root([])


def test_a_missing_or_cut_tile_is_named() -> None:
    hashes = fake_hashes(300)
    tiles = hash_tiles(hashes)
    without = {k: v for k, v in tiles.items() if k != Tile(0, 1, 44)}
    with pytest.raises(tile_proofs.TileMissing, match=re.escape("tile/0/001.p/44 is needed")):
        tile_proofs.tree_root(300, without.__getitem__)
    cut = {**tiles, Tile(0, 1, 44): tiles[Tile(0, 1, 44)][:-1]}
    with pytest.raises(tile_proofs.TileMissing, match="1407 bytes, not 1408"):
        tile_proofs.inclusion_proof(299, 300, cut.__getitem__)


def test_an_older_checkpoints_proofs_come_from_its_own_partial_tiles() -> None:
    """A client holding the checkpoint of 260 leaves reads the partial tiles of that size (which
    a log keeps serving), not today's."""
    hashes = fake_hashes(300)
    old = hash_tiles(hashes[:260])
    assert Tile(0, 1, 4) in old
    assert tile_proofs.tree_root(260, old.__getitem__) == merkle.root(hashes[:260])
    assert tile_proofs.consistency_proof(100, 260, old.__getitem__) == merkle.consistency_proof(
        100, hashes[:260]
    )


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_proofs_from_tiles_equal_proofs_from_the_tree(data: st.DataObject) -> None:
    size = data.draw(st.integers(1, 3000), label="size")
    index = data.draw(st.integers(0, size - 1), label="index")
    old = data.draw(st.integers(1, size), label="old")
    hashes = fake_hashes(size)
    tiles = hash_tiles(hashes).__getitem__
    assert tile_proofs.tree_root(size, tiles) == merkle.root(hashes)
    proof = tile_proofs.inclusion_proof(index, size, tiles)
    assert proof == merkle.inclusion_proof(index, hashes)
    assert merkle.root_from_inclusion(index, size, hashes[index], proof) == merkle.root(hashes)
    consistency = tile_proofs.consistency_proof(old, size, tiles)
    assert consistency == merkle.consistency_proof(old, hashes)
    assert merkle.verify_consistency(
        old, size, merkle.root(hashes[:old]), merkle.root(hashes), consistency
    )
