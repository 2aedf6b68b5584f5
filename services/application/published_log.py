"""The log of chain heads as the C2SP ecosystem reads it: the latest checkpoint note with the
witnesses' cosignatures, hash tiles and entry bundles, and cosignatures received from witnesses.

Everything served is read from the stored leaves, tree nodes and notes; tiles are immutable
by construction (a path names a fixed range of an append-only log), so they are cached here.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from services.application.ports import CheckpointLog, Cosignatures
from services.domain.transparency.checkpoint import (
    CheckpointBody,
    LogCheckpoint,
    MalformedCheckpoint,
)
from services.domain.transparency.cosignature import CosignatureVerifier, cosignature_time
from services.domain.transparency.note import (
    BadNoteSignature,
    NoteError,
    NoteSignature,
    format_note,
    open_note,
    parse_note,
)
from services.domain.transparency.tiles import (
    ENTRIES,
    HEIGHT,
    WIDTH,
    BadTilePath,
    Tile,
    encode_bundle,
    tile_nodes,
)


async def served_checkpoint(log: CheckpointLog, cosignatures: Cosignatures) -> str | None:
    """The latest checkpoint's note: the log's signature, then every witness's cosignature of
    it. None while no checkpoint carries a note yet."""
    latest = await log.latest()
    if latest is None or latest.note is None:
        return None
    text, signatures = parse_note(latest.note)
    return format_note(text, [*signatures, *await cosignatures.of(latest.number)])


class NoSuchTile(LookupError):
    """The path is not a tile of the signed tree: misspelt, or beyond the latest checkpoint."""


@dataclass(frozen=True)
class ServedTile:
    data: bytes
    full: bool
    """A full tile is final; a partial one is superseded once its tile fills up."""


class TileServer:
    """Hash tiles from the stored tree's nodes and entry bundles from the stored leaves; only
    tiles within the latest checkpoint's tree are served, so nothing unsigned leaves the log.
    Tiles are checked by their clients against the signed root (tlog-tiles: a tile is untrusted),
    and by the whole log's audit here."""

    def __init__(self, log: CheckpointLog, cached: int = 2048) -> None:
        self._log = log
        self._cached = cached
        self._cache: OrderedDict[Tile, bytes] = OrderedDict()

    async def tile(self, path: str) -> ServedTile:
        try:
            tile = Tile.parse(path)
        except BadTilePath as exc:
            raise NoSuchTile(str(exc)) from None
        latest = await self._log.latest()
        size = latest.tree_size if latest else 0
        span = 1 if tile.level == ENTRIES else 1 << (HEIGHT * int(tile.level))
        first, end = tile.index * WIDTH * span, (tile.index * WIDTH + tile.width) * span
        if end > size:
            raise NoSuchTile(f"{path} lies beyond the signed tree of {size} leaves")
        data = self._cache.get(tile)
        if data is None:
            data = await self._read(tile, first, end)
            self._cache[tile] = data
            if len(self._cache) > self._cached:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(tile)
        return ServedTile(data, tile.full)

    async def _read(self, tile: Tile, first: int, end: int) -> bytes:
        """An entry bundle from its (at most 256) leaves; a hash tile from its (at most 256)
        stored nodes, whatever its level: no leaf is rehashed."""
        if tile.level == ENTRIES:
            leaves = await self._log.leaf_range(first, end)
            if len(leaves) != end - first:
                raise NoSuchTile(f"the log lacks leaves {first} … {end - 1}")
            return encode_bundle(leaves)
        wanted = tile_nodes(tile)
        nodes = await self._log.nodes(wanted)
        if len(nodes) != len(wanted):
            raise NoSuchTile(f"the log's stored tree lacks nodes of {tile.path()}")
        return b"".join(nodes[node] for node in wanted)


CLOCK_SKEW = dt.timedelta(minutes=10)
"""How far ahead of the log's clock a cosignature's time may be: a witness cosigns a checkpoint
it has just seen, so a time beyond this is a broken clock or a cosignature made to look later."""


class CosignatureRefused(ValueError):
    """A cosignature the log will not keep; ``status`` says how the API answers."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class Accepted:
    checkpoint: int
    cosignatures: list[tuple[NoteSignature, bool]]
    """Each verified cosignature and whether it was new (False: that key had cosigned already)."""


async def accept_cosignatures(
    log: CheckpointLog,
    cosignatures: Cosignatures,
    witnesses: Sequence[CosignatureVerifier],
    message: str,
    now: dt.datetime,
) -> Accepted:
    """Keep the cosignatures a witness returns: ``message`` is a checkpoint note of this log, as
    served, with the witness's signature line(s) added. Only known witness keys count, every one
    of them present must verify, and the text must be exactly the note the log signed."""
    try:
        text, _ = parse_note(message)
        body = CheckpointBody.parse(text)
        number = LogCheckpoint.from_body(body).number
    except (NoteError, MalformedCheckpoint) as exc:
        raise CosignatureRefused(400, f"not a checkpoint note of this log: {exc}") from None
    signed = await log.get(number)
    if signed is None or signed.note is None:
        raise CosignatureRefused(404, f"this log signed no checkpoint note numbered {number}")
    if parse_note(signed.note)[0] != text:
        raise CosignatureRefused(409, f"the text differs from checkpoint {number} as signed")
    if not witnesses:
        raise CosignatureRefused(403, "this log accepts no witness cosignatures")
    try:
        opened = open_note(message, witnesses)
    except BadNoteSignature as exc:
        raise CosignatureRefused(403, str(exc)) from None
    except NoteError:
        raise CosignatureRefused(403, "no cosignature by a witness this log knows") from None
    latest = now + CLOCK_SKEW
    for sig in opened.verified:
        if cosignature_time(sig) > latest.timestamp():
            raise CosignatureRefused(400, f"the cosignature of {sig.name} is dated in the future")
    kept = [(sig, await cosignatures.add(number, sig, now)) for sig in opened.verified]
    return Accepted(number, kept)
