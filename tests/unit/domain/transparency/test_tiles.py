"""Tile coordinates and paths, hash tiles and entry bundles, as c2sp.org/tlog-tiles defines them."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.domain import merkle, subtrees
from services.domain.transparency import tile_proofs
from services.domain.transparency.tiles import (
    ENTRIES,
    BadTilePath,
    Tile,
    bundles_for_size,
    decode_bundle,
    encode_bundle,
    entry_bundle,
    entry_bundles,
    hash_tile,
    hash_tiles,
    new_tiles,
    served_tiles,
    tile_nodes,
    tiles_for_size,
)
from tests.support import transparency as t


def fake_hashes(size: int) -> list[bytes]:
    return [hashlib.sha256(i.to_bytes(8, "big")).digest() for i in range(size)]


@pytest.mark.parametrize(
    ("tile", "path"),
    [
        (Tile(0, 0), "tile/0/000"),
        (Tile(0, 0, 5), "tile/0/000.p/5"),
        (Tile(0, 1234067), "tile/0/x001/x234/067"),
        (Tile(3, 1234067, 255), "tile/3/x001/x234/067.p/255"),
        (Tile(63, 1000), "tile/63/x001/000"),
        (Tile(ENTRIES, 999, 1), "tile/entries/999.p/1"),
        (Tile(ENTRIES, 123456789), "tile/entries/x123/x456/789"),
    ],
)
def test_paths_are_the_specs(tile: Tile, path: str) -> None:
    assert tile.path() == path
    assert Tile.parse(path) == tile


@pytest.mark.parametrize(
    "path",
    [
        "tile/0/0",
        "tile/00/000",
        "tile/64/000",
        "tile/-1/000",
        "tile/0/000.p/256",
        "tile/0/000.p/0",
        "tile/0/000.p/05",
        "tile/0/x000/001",
        "tile/0/001/234",
        "tile/0/x001/x234",
        "tile/0/x1/234",
        "tile/data/000",
        "tiles/0/000",
        "tile/0/000/",
        "tile/0",
        "tile/0/abc",
    ],
)
def test_any_other_spelling_is_refused(path: str) -> None:
    with pytest.raises(BadTilePath):
        Tile.parse(path)


def test_the_specs_tree_of_70000() -> None:
    """273 full level-0 tiles, one partial of 112, one full level-1 tile, a partial level-1 tile
    of 17 and a partial level-2 tile of 1 (the spec's own example)."""
    tiles = tiles_for_size(70_000)
    level0 = [x for x in tiles if x.level == 0]
    assert len([x for x in level0 if x.full]) == 273
    assert [x for x in tiles if not x.full] == [Tile(0, 273, 112), Tile(1, 1, 17), Tile(2, 0, 1)]
    assert Tile(1, 0) in tiles
    assert len(tiles) == 277


def test_small_trees() -> None:
    assert tiles_for_size(0) == []
    assert tiles_for_size(1) == [Tile(0, 0, 1)]
    assert tiles_for_size(256) == [Tile(0, 0), Tile(1, 0, 1)]
    assert bundles_for_size(257) == [Tile(ENTRIES, 0), Tile(ENTRIES, 1, 1)]


def test_hash_tiles_hold_the_leaf_hashes_and_the_roots_of_full_tiles() -> None:
    hashes = fake_hashes(600)
    tiles = hash_tiles(hashes)
    assert set(tiles) == set(tiles_for_size(600))
    assert tiles[Tile(0, 2, 88)] == b"".join(hashes[512:600])
    assert tiles[Tile(1, 0, 2)] == merkle.root(hashes[:256]) + merkle.root(hashes[256:512])
    for tile, data in tiles.items():
        assert hash_tile(tile, hashes) == data


def test_an_older_sizes_partial_tile_is_a_prefix_of_the_newer_one() -> None:
    hashes = fake_hashes(300)
    assert hash_tile(Tile(0, 1, 4), hashes) == hash_tile(Tile(0, 1, 44), hashes)[: 4 * 32]
    with pytest.raises(ValueError, match="beyond a tree of 300"):
        hash_tile(Tile(0, 1, 45), hashes)
    with pytest.raises(ValueError, match="beyond"):
        hash_tile(Tile(1, 0, 2), hashes)


def test_new_tiles_are_those_a_grown_log_adds() -> None:
    assert new_tiles(5, 5) == []
    assert new_tiles(5, 300) == [Tile(0, 0), Tile(0, 1, 44), Tile(1, 0, 1)]
    assert new_tiles(256, 300) == [Tile(0, 1, 44)]
    with pytest.raises(ValueError, match="only grows"):
        new_tiles(6, 5)


def test_entry_bundles_hold_each_leaf_behind_its_length() -> None:
    assert encode_bundle([b"ab", b""]) == b"\x00\x02ab\x00\x00"
    leaves = t.leaves(300)
    bundles = entry_bundles(leaves)
    assert set(bundles) == set(bundles_for_size(300))
    assert decode_bundle(bundles[Tile(ENTRIES, 1, 44)], 44) == leaves[256:]
    assert entry_bundle(Tile(ENTRIES, 1, 3), leaves) == encode_bundle(leaves[256:259])
    with pytest.raises(ValueError, match="at most 65535"):
        encode_bundle([bytes(65536)])
    with pytest.raises(ValueError, match="1 … 256"):
        encode_bundle([])


@pytest.mark.parametrize(
    ("data", "width", "why"),
    [
        (b"\x00", 1, "inside a length prefix"),
        (b"\x00\x03ab", 1, "inside an entry"),
        (b"\x00\x01a\x00\x01b", 1, "2 entries where its path says 1"),
        (b"", 1, "0 entries"),
    ],
)
def test_a_malformed_bundle_is_refused(data: bytes, width: int, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        decode_bundle(data, width)


@settings(max_examples=25, deadline=None)
@given(
    st.integers(0, 10**15),
    st.integers(0, 63),
    st.integers(1, 256),
)
def test_any_tile_path_round_trips(index: int, level: int, width: int) -> None:
    tile = Tile(level, index, width)
    assert Tile.parse(tile.path()) == tile


def test_a_static_mirror_serves_the_tiles_of_every_checkpointed_size() -> None:
    leaves = t.leaves(520)
    hashes = [merkle.leaf_hash(leaf) for leaf in leaves]
    sizes = [5, 256, 300, 520]
    served = served_tiles(leaves, sizes)
    expected = {x for size in sizes for x in [*tiles_for_size(size), *bundles_for_size(size)]}
    assert set(served) == expected
    assert Tile(0, 0, 5) in served and Tile(0, 1, 44) in served and Tile(ENTRIES, 1, 44) in served
    for tile, data in served.items():
        if tile.level == ENTRIES:
            assert data == entry_bundle(tile, leaves)
        else:
            assert data == hash_tile(tile, hashes)
    for size in sizes:
        assert tile_proofs.tree_root(size, served.__getitem__) == merkle.root(hashes[:size])
    assert served_tiles(leaves, []) == {}
    with pytest.raises(ValueError, match="within 0 … 520"):
        served_tiles(leaves, [521])


def test_a_hash_tile_is_the_stored_nodes_its_path_names() -> None:
    assert tile_nodes(Tile(1, 2, 3)) == [(8, 512), (8, 513), (8, 514)]
    assert tile_nodes(Tile(0, 0, 2)) == [(0, 0), (0, 1)]
    hashes = fake_hashes(70_000)
    nodes = subtrees.every_node(hashes)
    for tile, data in hash_tiles(hashes).items():
        assert b"".join(nodes[n] for n in tile_nodes(tile)) == data, tile.path()
    with pytest.raises(ValueError):
        tile_nodes(Tile(ENTRIES, 0))
