"""The witness over memory ports: it cosigns a growing log once the tiles prove each tree extends
the last it cosigned, and refuses (an alert, nothing cosigned, its state unchanged) a shrunk, forked,
rewritten or foreign log, or tiles that do not prove it."""

from __future__ import annotations

import datetime as dt

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.application.ports import Witnessed
from services.application.witness import witness
from services.domain import merkle
from services.domain.transparency.checkpoint import LogCheckpoint, sign_checkpoint
from services.domain.transparency.cosignature import CosignatureVerifier
from services.domain.transparency.keys import ED25519, SignerKey
from services.domain.transparency.note import Ed25519Signer, open_note
from services.domain.transparency.tiles import Tile, hash_tile
from tests.support import transparency as t

NOW = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC)


class MemoryLog:
    """A log serving checkpoints of its leaves and their tiles; ``leaves`` can be rewritten."""

    def __init__(self, leaves: list[bytes], signer: Ed25519Signer = t.LOG_SIGNER) -> None:
        self.leaves = leaves
        self.signer = signer
        self.published: list[str] = []
        self.tiles_read: list[str] = []
        self.forge_tiles = False

    async def checkpoint(self) -> str:
        size = len(self.leaves)
        body = LogCheckpoint(t.ORIGIN, size, merkle.root(self._hashes()), 1, t.SIGNED_AT).body()
        return sign_checkpoint(body, self.signer)

    def _hashes(self) -> list[bytes]:
        return [merkle.leaf_hash(leaf) for leaf in self.leaves]

    async def tile(self, tile: Tile) -> bytes:
        self.tiles_read.append(tile.path())
        data = hash_tile(tile, self._hashes())
        return bytes(32) * tile.width if self.forge_tiles else data

    async def publish(self, cosigned: str) -> None:
        self.published.append(cosigned)


class MemoryState:
    def __init__(self) -> None:
        self.kept: Witnessed | None = None
        self.alerts: list[str] = []

    async def last(self) -> Witnessed | None:
        return self.kept

    async def save(self, witnessed: Witnessed) -> None:
        self.kept = witnessed

    async def alert(self, problem: str, note: str, at: dt.datetime) -> None:
        self.alerts.append(problem)


async def look(log: MemoryLog, state: MemoryState, now: dt.datetime = NOW) -> str | None:
    run = await witness(log, state, t.ORIGIN, [t.LOG_VERIFIER], t.COSIGNER, now)
    return run.refused


async def test_a_growing_log_is_cosigned_each_time_after_its_consistency_proof() -> None:
    log, state = MemoryLog(t.leaves(3)), MemoryState()
    assert await look(log, state) is None  # first sight: nothing to be consistent with
    assert state.kept is not None and state.kept.size == 3
    for size in (4, 300, 700):
        before = state.kept.size
        log.leaves = t.leaves(size)
        run = await witness(log, state, t.ORIGIN, [t.LOG_VERIFIER], t.COSIGNER, NOW)
        assert run.refused is None and run.grew_from == before
        assert run.cosigned == state.kept and state.kept.size == size
    assert any(p.startswith("tile/1/") for p in log.tiles_read)  # the proofs came from tiles
    note = open_note(log.published[-1], [t.LOG_VERIFIER, t.WITNESS_VERIFIER])
    assert [s.name for s in note.verified] == [t.ORIGIN, t.WITNESS]
    assert state.alerts == []
    assert await look(log, state) is None  # the same tree again: cosigned again


async def test_a_rewritten_log_is_refused_with_an_alert_and_the_state_kept() -> None:
    log, state = MemoryLog(t.leaves(5)), MemoryState()
    assert await look(log, state) is None
    kept = state.kept
    rewritten = t.leaves(8)
    rewritten[2] = rewritten[2].replace(b'"seq":', b'"seq":9', 1)
    log.leaves = rewritten
    problem = await look(log, state)
    assert problem is not None and "does not extend the 5" in problem
    assert state.kept == kept and state.alerts == [problem] and len(log.published) == 1

    log.leaves = t.leaves(8)  # even the honest log now: the witness still holds its 5
    assert await look(log, state) is None


async def test_a_shrunk_or_forked_log_is_refused() -> None:
    log, state = MemoryLog(t.leaves(6)), MemoryState()
    assert await look(log, state) is None
    log.leaves = t.leaves(4)
    assert "shrank" in (await look(log, state) or "")
    forked = t.leaves(6)
    forked[5] = forked[4]
    log.leaves = forked
    assert "fork" in (await look(log, state) or "")
    assert len(state.alerts) == 2 and state.kept is not None and state.kept.size == 6


async def test_forged_tiles_prove_nothing() -> None:
    log, state = MemoryLog(t.leaves(6)), MemoryState()
    assert await look(log, state) is None
    log.leaves, log.forge_tiles = t.leaves(9), True
    assert "rewritten" in (await look(log, state) or "")


async def test_a_note_the_log_key_did_not_sign_is_refused() -> None:
    impostor = Ed25519Signer(SignerKey.of(t.ORIGIN, Ed25519PrivateKey.generate(), ED25519))
    log, state = MemoryLog(t.leaves(3), impostor), MemoryState()
    problem = await look(log, state)
    assert problem is not None and "does not verify" in problem and state.kept is None
    assert log.published == []


async def test_the_cosignature_carries_the_time_it_was_made() -> None:
    log, state = MemoryLog(t.leaves(3)), MemoryState()
    assert await look(log, state, NOW) is None
    note = open_note(log.published[-1], [CosignatureVerifier(t.WITNESS_KEY.verifier)])
    stamp = note.verified[0].signature[:8]
    assert int.from_bytes(stamp, "big") == int(NOW.timestamp())
