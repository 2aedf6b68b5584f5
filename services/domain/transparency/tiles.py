"""The Merkle tree as static tiles (c2sp.org/tlog-tiles), so any file server or CDN can serve it.

A tile at level L holds up to 256 consecutive hashes: at level 0 the leaf hashes, at level L the
roots of full level-(L−1) tiles, i.e. hash i of tile N at level L is
MTH(D[(N·256 + i)·256^L : (N·256 + i + 1)·256^L]). The rightmost tiles of a tree are partial
(1–255 hashes) and never hashed into the level above. Paths:

    tile/<L>/<N>[.p/<W>]        hash tile, N in 3-digit path elements, all but the last "x"-prefixed
    tile/entries/<N>[.p/<W>]    entry bundle: the leaves' own bytes, each behind a uint16 length

e.g. tile 1234067 of level 0 is ``tile/0/x001/x234/067``; the same with 5 hashes is
``…/067.p/5``. Full tiles never change, so they are served as immutable; a partial tile of a
size a checkpoint signed stays valid too, under its own ``.p/<W>`` path.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from services.domain import merkle

WIDTH = 256
"""Hashes (or entries) in a full tile: a tile is a subtree of height 8."""
HEIGHT = 8
HASH_SIZE = 32
MAX_LEVEL = 63
MAX_ENTRY_BYTES = 0xFFFF
ENTRIES: Literal["entries"] = "entries"

_LEVEL = re.compile(r"0|[1-9][0-9]?")
_WIDTH = re.compile(r"[1-9][0-9]{0,2}")


class BadTilePath(ValueError):
    pass


def _index_path(index: int) -> str:
    parts = [f"{index % 1000:03d}"]
    index //= 1000
    while index > 0:
        parts.append(f"x{index % 1000:03d}")
        index //= 1000
    return "/".join(reversed(parts))


@dataclass(frozen=True)
class Tile:
    """One tile's coordinates: its level (or ``"entries"`` for an entry bundle), its index in
    that level and its width (256 when full)."""

    level: int | Literal["entries"]
    index: int
    width: int = WIDTH

    def __post_init__(self) -> None:
        if self.level != ENTRIES and not (
            isinstance(self.level, int) and 0 <= self.level <= MAX_LEVEL
        ):
            raise BadTilePath(f"a tile level is 0 … {MAX_LEVEL} or {ENTRIES!r}")
        if self.index < 0:
            raise BadTilePath("a tile index is not negative")
        if not 1 <= self.width <= WIDTH:
            raise BadTilePath(f"a tile is 1 … {WIDTH} wide")

    @property
    def full(self) -> bool:
        return self.width == WIDTH

    @property
    def hash_level(self) -> int:
        """The tree level of the hashes a hash tile holds (entries: the leaves, level 0)."""
        return 0 if self.level == ENTRIES else HEIGHT * self.level

    def path(self) -> str:
        partial = "" if self.full else f".p/{self.width}"
        return f"tile/{self.level}/{_index_path(self.index)}{partial}"

    @classmethod
    def parse(cls, path: str) -> Tile:
        """Read a tile path, accepting only the one spelling ``path()`` writes."""
        parts = path.split("/")
        if len(parts) < 3 or parts[0] != "tile":
            raise BadTilePath(f"not a tile path: {path!r}")
        level_text, elements = parts[1], parts[2:]
        if level_text == ENTRIES:
            level: int | Literal["entries"] = ENTRIES
        elif _LEVEL.fullmatch(level_text) and int(level_text) <= MAX_LEVEL:
            level = int(level_text)
        else:
            raise BadTilePath(f"bad tile level in {path!r}")
        width = WIDTH
        if len(elements) >= 2 and elements[-2].endswith(".p"):
            if not _WIDTH.fullmatch(elements[-1]) or int(elements[-1]) >= WIDTH:
                raise BadTilePath(f"bad partial width in {path!r}")
            width = int(elements[-1])
            elements = [*elements[:-2], elements[-2][: -len(".p")]]
        index = 0
        for position, element in enumerate(elements):
            last = position == len(elements) - 1
            digits = element if last else element.removeprefix("x")
            if (not last and not element.startswith("x")) or not re.fullmatch(r"[0-9]{3}", digits):
                raise BadTilePath(f"bad tile index in {path!r}")
            index = index * 1000 + int(digits)
        tile = cls(level, index, width)
        if tile.path() != path:
            raise BadTilePath(f"not the canonical spelling: {path!r}")
        return tile


def _level_width(level: int, size: int) -> int:
    """How many hashes level ``level`` of the tiling holds for a tree of ``size`` leaves."""
    return size >> (HEIGHT * level)


def tiles_for_size(size: int) -> list[Tile]:
    """Every hash tile of a tree of ``size`` leaves: the full ones and the rightmost partial
    one of each level that has one. Empty tiles do not exist."""
    if size < 0:
        raise ValueError("a tree size is not negative")
    tiles: list[Tile] = []
    level = 0
    while (count := _level_width(level, size)) > 0:
        tiles.extend(Tile(level, n) for n in range(count // WIDTH))
        if count % WIDTH:
            tiles.append(Tile(level, count // WIDTH, count % WIDTH))
        level += 1
    return tiles


def bundles_for_size(size: int) -> list[Tile]:
    """Every entry bundle of a log of ``size`` leaves."""
    return [Tile(ENTRIES, t.index, t.width) for t in tiles_for_size(size) if t.level == 0]


def new_tiles(old_size: int, new_size: int) -> list[Tile]:
    """The hash tiles a log growing from ``old_size`` to ``new_size`` adds: what a static
    mirror uploads after each checkpoint (the old ones stay as they are)."""
    if not 0 <= old_size <= new_size:
        raise ValueError("a log only grows")
    old = set(tiles_for_size(old_size))
    return [t for t in tiles_for_size(new_size) if t not in old]


def _levels(leaf_hashes: Sequence[bytes]) -> Iterator[list[bytes]]:
    """Each tiling level's hashes in turn: the leaf hashes, then the roots of full tiles."""
    row = list(leaf_hashes)
    while row:
        yield row
        row = [merkle.root(row[i : i + WIDTH]) for i in range(0, len(row) - WIDTH + 1, WIDTH)]


def hash_tiles(leaf_hashes: Sequence[bytes]) -> dict[Tile, bytes]:
    """Every hash tile a static server serves for the tree of ``leaf_hashes``, in one pass."""
    tiles: dict[Tile, bytes] = {}
    for level, row in enumerate(_levels(leaf_hashes)):
        for start in range(0, len(row), WIDTH):
            chunk = row[start : start + WIDTH]
            tiles[Tile(level, start // WIDTH, len(chunk))] = b"".join(chunk)
    return tiles


def hash_tile(tile: Tile, leaf_hashes: Sequence[bytes]) -> bytes:
    """One hash tile of the tree of ``leaf_hashes`` (which may be larger than the tree the tile
    was served for: a partial tile of an older size is the prefix of the newer one)."""
    if tile.level == ENTRIES:
        raise ValueError("an entry bundle holds leaves, not hashes")
    span = 1 << (HEIGHT * tile.level)
    first = tile.index * WIDTH
    if (first + tile.width) * span > len(leaf_hashes):
        raise ValueError(f"{tile.path()} lies beyond a tree of {len(leaf_hashes)} leaves")
    return b"".join(
        merkle.root(leaf_hashes[(first + i) * span : (first + i + 1) * span])
        for i in range(tile.width)
    )


def tile_nodes(tile: Tile) -> list[tuple[int, int]]:
    """The tree nodes (level, index) a hash tile holds, in order: its hashes are the roots of
    perfect subtrees of height 8·level, so a store of those nodes serves any tile in one read."""
    if tile.level == ENTRIES:
        raise ValueError("an entry bundle holds leaves, not hashes")
    first = tile.index * WIDTH
    return [(tile.hash_level, first + i) for i in range(tile.width)]


def encode_bundle(entries: Sequence[bytes]) -> bytes:
    """An entry bundle: each leaf's bytes behind its big-endian uint16 length."""
    if not 1 <= len(entries) <= WIDTH:
        raise ValueError(f"a bundle holds 1 … {WIDTH} entries")
    out = bytearray()
    for entry in entries:
        if len(entry) > MAX_ENTRY_BYTES:
            raise ValueError(f"an entry is at most {MAX_ENTRY_BYTES} bytes")
        out += len(entry).to_bytes(2, "big") + entry
    return bytes(out)


def decode_bundle(data: bytes, width: int = WIDTH) -> list[bytes]:
    """The entries of a bundle, refusing one that is cut short, runs over, or holds another
    number of entries than its path says."""
    entries: list[bytes] = []
    at = 0
    while at < len(data):
        if at + 2 > len(data):
            raise ValueError("an entry bundle ends inside a length prefix")
        length = int.from_bytes(data[at : at + 2], "big")
        at += 2
        if at + length > len(data):
            raise ValueError("an entry bundle ends inside an entry")
        entries.append(data[at : at + length])
        at += length
    if len(entries) != width:
        raise ValueError(f"the bundle holds {len(entries)} entries where its path says {width}")
    return entries


def entry_bundles(leaves: Sequence[bytes]) -> dict[Tile, bytes]:
    """Every entry bundle of the log whose leaves are ``leaves``."""
    return {
        Tile(ENTRIES, start // WIDTH, len(chunk)): encode_bundle(chunk)
        for start in range(0, len(leaves), WIDTH)
        if (chunk := leaves[start : start + WIDTH])
    }


def entry_bundle(tile: Tile, leaves: Sequence[bytes]) -> bytes:
    """One entry bundle of the log whose leaves (at least) are ``leaves``."""
    if tile.level != ENTRIES:
        raise ValueError("a hash tile holds hashes, not leaves")
    first = tile.index * WIDTH
    if first + tile.width > len(leaves):
        raise ValueError(f"{tile.path()} lies beyond a log of {len(leaves)} leaves")
    return encode_bundle(leaves[first : first + tile.width])


def served_tiles(leaves: Sequence[bytes], checkpoint_sizes: Iterable[int]) -> dict[Tile, bytes]:
    """Every tile and entry bundle a static mirror serves for a log whose checkpoints signed
    ``checkpoint_sizes``: the tiles of the newest size, and the partial ones of each older size
    (a client holding an older checkpoint asks for those)."""
    sizes = sorted(set(checkpoint_sizes))
    if not sizes:
        return {}
    if sizes[0] < 0 or sizes[-1] > len(leaves):
        raise ValueError(f"checkpoint sizes lie within 0 … {len(leaves)}")
    newest = leaves[: sizes[-1]]
    served = {**hash_tiles([merkle.leaf_hash(leaf) for leaf in newest]), **entry_bundles(newest)}
    widest = {(tile.level, tile.index): data for tile, data in served.items()}
    for size in sizes[:-1]:
        for tile in [*tiles_for_size(size), *bundles_for_size(size)]:
            if tile in served:
                continue
            if tile.level == ENTRIES:
                served[tile] = entry_bundle(tile, leaves)
            else:  # a full subtree's hash never changes: the older tile is a prefix
                served[tile] = widest[(tile.level, tile.index)][: tile.width * HASH_SIZE]
    return served
