"""A witness of a log (c2sp.org/tlog-cosignature): cosign a checkpoint only once it is proven to
extend the last one this witness cosigned.

Run by someone other than the log's operator (a city archive, the housing bureau), with its own
key and its own state, it is what makes a split view or a rewritten log visible: the operator can
re-sign any history with its own key, but not the witness's cosignature of it, and the witness
never cosigns a tree that does not extend the one it remembers. The consistency proof is read
from the log's tiles and checked against the two roots; the tiles themselves are never trusted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from services.application.ports import LogClient, Witnessed, WitnessState
from services.domain import merkle
from services.domain.transparency.checkpoint import MalformedCheckpoint, open_checkpoint
from services.domain.transparency.cosignature import Cosigner
from services.domain.transparency.note import NoteError, NoteVerifier, sign_note
from services.domain.transparency.tile_proofs import TileMissing, consistency_proof
from services.domain.transparency.tiles import Tile

MAX_TILE_ROUNDS = 200
"""A consistency proof reads O(log n) tiles; a log that keeps answering with other tiles is
refused rather than followed forever."""


@dataclass(frozen=True)
class WitnessRun:
    """What one look at the log did: cosigned (a new or the same tree), or refused and why."""

    cosigned: Witnessed | None
    refused: str | None = None
    grew_from: int | None = None
    """The size the consistency was proven from (None on first sight or an unchanged tree)."""


async def _proof(log: LogClient, old_size: int, new_size: int) -> list[bytes]:
    """The consistency proof from the log's tiles, fetching each tile the computation asks for."""
    fetched: dict[Tile, bytes] = {}
    wanted: list[Tile] = []

    def source(tile: Tile) -> bytes:
        if tile not in fetched:
            wanted.append(tile)
            raise KeyError(tile)
        return fetched[tile]

    for _ in range(MAX_TILE_ROUNDS):
        wanted.clear()
        try:
            return consistency_proof(old_size, new_size, source)
        except TileMissing:
            if not wanted:
                raise
            fetched[wanted[0]] = await log.tile(wanted[0])
    raise TileMissing(f"the proof needed more than {MAX_TILE_ROUNDS} tiles")


async def witness(
    log: LogClient,
    state: WitnessState,
    origin: str,
    log_keys: Sequence[NoteVerifier],
    cosigner: Cosigner,
    now: dt.datetime,
) -> WitnessRun:
    """Fetch the log's checkpoint, check it, and cosign and publish it, or refuse with an alert.

    Refused: a note the log's keys did not sign or of another origin, a tree smaller than the
    one cosigned before, another root at the same size, a larger tree the tiles do not prove
    consistent with it. The state is kept before the cosignature is published, so a witness
    never vouches for a tree it could later forget.
    """
    note = await log.checkpoint()

    async def refuse(problem: str) -> WitnessRun:
        await state.alert(problem, note, now)
        return WitnessRun(None, problem)

    try:
        opened = open_checkpoint(note, origin, log_keys)
    except (NoteError, MalformedCheckpoint) as exc:
        return await refuse(f"the checkpoint does not verify as {origin}'s: {exc}")
    body = opened.body
    last = await state.last()
    grew_from = None
    if last is not None:
        if last.origin != origin:
            return await refuse(f"this witness's state is for {last.origin}, not {origin}")
        if body.size < last.size:
            return await refuse(
                f"the log shrank: {body.size} leaves, after this witness cosigned {last.size}"
            )
        if body.size == last.size and body.root != last.root:
            return await refuse(
                f"a fork: another root for the {body.size} leaves this witness cosigned"
            )
        if body.size > last.size and last.size > 0:
            try:
                proof = await _proof(log, last.size, body.size)
            except (TileMissing, KeyError) as exc:
                return await refuse(f"no consistency proof from {last.size}: {exc}")
            if not merkle.verify_consistency(last.size, body.size, last.root, body.root, proof):
                return await refuse(
                    f"the log of {body.size} leaves does not extend the {last.size} this witness "
                    "cosigned: it was rewritten"
                )
            grew_from = last.size
    log_signatures = opened.note.verified
    cosigned = sign_note(opened.note.text, [cosigner.at(int(now.timestamp()))], keep=log_signatures)
    witnessed = Witnessed(origin, body.size, body.root, cosigned)
    await state.save(witnessed)
    await log.publish(cosigned)
    return WitnessRun(witnessed, None, grew_from)
