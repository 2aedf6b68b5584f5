"""Roots and proofs read back from tiles: what a client of a static tlog-tiles mirror computes.

Every hash an RFC 6962 proof needs is the root of a range of leaves that splits into aligned,
perfect subtrees, and the root of a perfect subtree of height h is in the tiles: at tiling level
h // 8 it is the root of 2^(h mod 8) consecutive tile hashes. The proofs are the same lists
``merkle.inclusion_proof`` and ``merkle.consistency_proof`` give, without holding the tree.

Tiles from a mirror are untrusted: check what comes out against a verified checkpoint
(``merkle.root_from_inclusion``, ``merkle.verify_consistency``, or ``tree_root`` equal to the
signed root). A missing or mis-sized tile raises ``TileMissing``.
"""

from __future__ import annotations

from collections.abc import Callable

from services.domain import merkle
from services.domain.transparency.tiles import HASH_SIZE, HEIGHT, WIDTH, Tile

TileSource = Callable[[Tile], bytes]
"""Gives a tile's bytes by its coordinates (a dict's ``__getitem__``, a cache, a fetcher);
raises ``KeyError`` for a tile it does not have."""


class TileMissing(LookupError):
    pass


def _split(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


class _TreeOfTiles:
    """The hashes of a tree of ``size`` leaves, read from the tiles of that size."""

    def __init__(self, size: int, tiles: TileSource) -> None:
        self.size = size
        self._tiles = tiles
        self._read: dict[Tile, bytes] = {}

    def _tile(self, level: int, index: int) -> bytes:
        count = self.size >> (HEIGHT * level)
        width = min(WIDTH, count - index * WIDTH)
        tile = Tile(level, index, width)
        if tile not in self._read:
            try:
                data = self._tiles(tile)
            except KeyError:
                raise TileMissing(f"{tile.path()} is needed and missing") from None
            if len(data) != width * HASH_SIZE:
                raise TileMissing(f"{tile.path()} holds {len(data)} bytes, not {width * HASH_SIZE}")
            self._read[tile] = data
        return self._read[tile]

    def perfect(self, height: int, index: int) -> bytes:
        """The root of leaves [index·2^height, (index+1)·2^height)."""
        level, rest = divmod(height, HEIGHT)
        first = index << rest  # position of its first hash at this tiling level
        hashes = []
        for position in range(first, first + (1 << rest)):
            data = self._tile(level, position // WIDTH)
            offset = (position % WIDTH) * HASH_SIZE
            hashes.append(data[offset : offset + HASH_SIZE])
        return merkle.root(hashes)

    def range_root(self, lo: int, hi: int) -> bytes:
        """MTH(D[lo:hi]) for a range an RFC 6962 split produces (``lo`` aligned to the split)."""
        n = hi - lo
        if n & (n - 1) == 0 and lo % n == 0:
            return self.perfect(n.bit_length() - 1, lo // n)
        k = _split(n)
        return merkle.node_hash(self.range_root(lo, lo + k), self.range_root(lo + k, hi))


def tree_root(size: int, tiles: TileSource) -> bytes:
    """The root of the tree of ``size`` leaves, computed from its tiles."""
    if size < 0:
        raise ValueError("a tree size is not negative")
    if size == 0:
        return merkle.root([])
    return _TreeOfTiles(size, tiles).range_root(0, size)


def leaf_hash(index: int, size: int, tiles: TileSource) -> bytes:
    if not 0 <= index < size:
        raise IndexError(index)
    return _TreeOfTiles(size, tiles).perfect(0, index)


def inclusion_proof(index: int, size: int, tiles: TileSource) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of ``size`` leaves (RFC 6962 §2.1.1)."""
    if not 0 <= index < size:
        raise IndexError(index)
    tree = _TreeOfTiles(size, tiles)

    def path(lo: int, hi: int) -> list[bytes]:
        if hi - lo == 1:
            return []
        mid = lo + _split(hi - lo)
        if index < mid:
            return [*path(lo, mid), tree.range_root(mid, hi)]
        return [*path(mid, hi), tree.range_root(lo, mid)]

    return path(0, size)


def consistency_proof(old_size: int, new_size: int, tiles: TileSource) -> list[bytes]:
    """Proof that the first ``old_size`` leaves are a prefix of the tree of ``new_size``
    (RFC 6962 §2.1.2), read from the tiles of ``new_size``."""
    if not 0 < old_size <= new_size:
        raise ValueError("the old size must be within 1 … new size")
    tree = _TreeOfTiles(new_size, tiles)

    def sub(m: int, lo: int, hi: int, complete: bool) -> list[bytes]:
        if lo + m == hi:
            return [] if complete else [tree.range_root(lo, hi)]
        mid = lo + _split(hi - lo)
        if lo + m <= mid:
            return [*sub(m, lo, mid, complete), tree.range_root(mid, hi)]
        return [*sub(m - (mid - lo), mid, hi, False), tree.range_root(lo, mid)]

    return sub(old_size, 0, new_size, True)
