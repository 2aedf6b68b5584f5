"""The log as C2SP clients read it, over the memory ports: each checkpoint's signed note (and the
audit that notices an edited one), tiles of the signed tree only, and witnesses' cosignatures
kept only when a known witness key signed exactly the note the log signed."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.adapters.signing import Signer
from services.application.checkpoints import audit, sign_checkpoint, sign_note_of
from services.application.ports import LoggedLeaf
from services.application.published_log import (
    CosignatureRefused,
    NoSuchTile,
    TileServer,
    accept_cosignatures,
    served_checkpoint,
)
from services.domain import merkle, subtrees
from services.domain.checkpoint import Checkpoint, StoredLeaf
from services.domain.transparency.checkpoint import LogCheckpoint, open_checkpoint
from services.domain.transparency.cosignature import CosignatureVerifier, Cosigner
from services.domain.transparency.keys import COSIGNATURE_V1, SignerKey
from services.domain.transparency.note import open_note, parse_note, sign_note
from services.domain.transparency.tiles import served_tiles
from tests.support import transparency as t
from tests.support.fakes import MemoryCosignatures
from tests.support.sealing import NOW, seeded
from tests.unit.application.conftest import Stores

ORIGIN = "log.unit.example/log"
WITNESS = Cosigner(
    SignerKey.of("archive.unit.example", Ed25519PrivateKey.generate(), COSIGNATURE_V1)
)
STRANGER = Cosigner(
    SignerKey.of("archive.unit.example", Ed25519PrivateKey.generate(), COSIGNATURE_V1)
)
KNOWN = [CosignatureVerifier(WITNESS.key.verifier)]


@pytest.fixture
def signer() -> Signer:
    return Signer({"unit-1": Ed25519PrivateKey.generate()}, "unit-1", set(), ORIGIN)


async def signed(stores: Stores, signer: Signer) -> Checkpoint:
    await seeded(stores.trail, 3)
    run = await sign_checkpoint(stores.log, signer, NOW)
    assert run.made is not None
    return run.made


async def test_each_checkpoint_carries_its_note_signed_under_the_origin(
    stores: Stores, signer: Signer
) -> None:
    made = await signed(stores, signer)
    assert made.note is not None
    opened = open_checkpoint(made.note, ORIGIN, signer.note_verifiers)
    assert LogCheckpoint.from_body(opened.body) == LogCheckpoint(
        ORIGIN, made.tree_size, made.root, made.number, NOW
    )
    assert await served_checkpoint(stores.log, MemoryCosignatures()) == made.note


async def test_a_rotated_key_keeps_its_verifier_key_published_after_the_active_one(
    stores: Stores,
) -> None:
    old, new = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    before = Signer({"k1": old}, "k1", set(), ORIGIN)
    after = Signer({"k1": old, "k2": new}, "k2", set(), ORIGIN)
    made = await signed(stores, before)
    assert [k.text() for k in after.note_keys] == [
        after.note_keys[0].text(),
        before.note_keys[0].text(),
    ]
    assert after.note_keys[0].name == ORIGIN and after.note_keys[0] != before.note_keys[0]
    assert made.note is not None
    open_checkpoint(made.note, ORIGIN, after.note_verifiers)  # the old note still opens
    revoked = Signer({"k1": old, "k2": new}, "k2", {"k1"}, ORIGIN)
    assert revoked.note_keys == [after.note_keys[0]]  # a disabled key is no longer published


async def test_an_edited_note_is_noticed_by_the_audit_and_stops_signing(
    stores: Stores, signer: Signer
) -> None:
    made = await signed(stores, signer)
    assert made.note is not None and await audit(stores.log, made, signer.verifying_keys) is None
    forged = made.note.replace(f"\n{made.tree_size}\n", f"\n{made.tree_size + 1}\n")
    edited = dataclasses.replace(made, note=forged)
    stores.db.checkpoints[made.number] = edited
    problem = await audit(stores.log, edited, signer.verifying_keys)
    assert problem is not None and "note does not verify" in problem
    await seeded(stores.trail, 3)
    run = await sign_checkpoint(stores.log, signer, NOW)
    assert run.made is None and run.log_damaged == problem

    # Re-signed by another key under the same name: still not the log's note.
    impostor = Signer({"unit-1": Ed25519PrivateKey.generate()}, "unit-1", set(), ORIGIN)
    text, _ = parse_note(made.note)
    resigned = dataclasses.replace(made, note=sign_note(text, [impostor.note_signer]))
    problem = await audit(stores.log, resigned, signer.verifying_keys)
    assert problem is not None and "does not verify" in problem


async def test_a_note_that_says_another_tree_head_is_noticed(
    stores: Stores, signer: Signer
) -> None:
    made = await signed(stores, signer)
    other = dataclasses.replace(made, number=made.number + 1)
    assert made.note is not None
    swapped = dataclasses.replace(made, note=sign_note_of(other, signer))
    problem = await audit(stores.log, swapped, signer.verifying_keys)
    assert problem == f"checkpoint {made.number}: the stored note differs from the signed tree head"


def log_of(stores: Stores, size: int) -> None:
    """A log of ``size`` leaves signed by one (fake) checkpoint: tiles read no signature."""
    leaves = t.leaves(size)
    for i, leaf in enumerate(leaves):
        stores.db.checkpoint_leaves[i] = LoggedLeaf(StoredLeaf(i, f"P{i}", 1, bytes(32), leaf), 1)
    hashes = [merkle.leaf_hash(leaf) for leaf in leaves]
    stores.db.checkpoint_nodes |= subtrees.every_node(hashes)
    stores.db.checkpoints[1] = Checkpoint(1, size, merkle.root(hashes), b"{}", "k", b"", NOW)


async def test_tiles_are_those_of_the_signed_tree_and_nothing_beyond(stores: Stores) -> None:
    log_of(stores, 300)
    tiles = TileServer(stores.log)
    expected = served_tiles(t.leaves(300), [5, 300])
    for tile, data in expected.items():
        served = await tiles.tile(tile.path())
        assert served.data == data and served.full == tile.full, tile.path()
        assert (await tiles.tile(tile.path())).data == data  # from the cache, the same
    for outside in (
        "tile/0/001",  # the full tile a log of 512 would have
        "tile/0/001.p/45",  # one hash more than signed
        "tile/entries/002.p/1",
        "tile/1/000",
        "tile/2/000.p/1",
    ):
        with pytest.raises(NoSuchTile, match="beyond the signed tree of 300"):
            await tiles.tile(outside)
    for misspelt in ("tile/0/1", "tile/0/000.p/0", "tile/0/x000/001", "tile/../0/000", "tile/x/0"):
        with pytest.raises(NoSuchTile):
            await tiles.tile(misspelt)


async def test_no_checkpoint_no_tiles(stores: Stores) -> None:
    with pytest.raises(NoSuchTile, match="of 0 leaves"):
        await TileServer(stores.log).tile("tile/0/000.p/1")


async def _cosigned(note: str, cosigner: Cosigner, at: int | None = None) -> str:
    text, signatures = parse_note(note)
    when = int(NOW.timestamp()) + 30 if at is None else at
    return sign_note(text, [cosigner.at(when)], keep=signatures)


LATER = NOW + dt.timedelta(minutes=1)


async def test_a_known_witness_cosignature_is_kept_and_served(
    stores: Stores, signer: Signer
) -> None:
    made = await signed(stores, signer)
    assert made.note is not None
    kept = MemoryCosignatures()
    message = await _cosigned(made.note, WITNESS)
    accepted = await accept_cosignatures(stores.log, kept, KNOWN, message, LATER)
    assert accepted.checkpoint == made.number
    assert [(s.name, new) for s, new in accepted.cosignatures] == [(WITNESS.name, True)]
    again = await accept_cosignatures(stores.log, kept, KNOWN, message, LATER)
    assert [new for _, new in again.cosignatures] == [False]

    served = await served_checkpoint(stores.log, kept)
    assert served == message
    note = open_note(served or "", [*signer.note_verifiers, *KNOWN])
    assert [s.name for s in note.verified] == [ORIGIN, WITNESS.name]


async def test_forged_unknown_or_mismatched_cosignatures_are_refused(
    stores: Stores, signer: Signer
) -> None:
    made = await signed(stores, signer)
    assert made.note is not None
    kept = MemoryCosignatures()

    async def refused(message: str, witnesses: list[CosignatureVerifier] = KNOWN) -> int:
        with pytest.raises(CosignatureRefused) as caught:
            await accept_cosignatures(stores.log, kept, witnesses, message, LATER)
        return caught.value.status

    honest = await _cosigned(made.note, WITNESS)
    line = honest.rstrip("\n").split("\n")[-1]
    name, encoded = line.removeprefix("— ").split(" ")
    raw = bytearray(base64.b64decode(encoded))
    raw[-1] ^= 1
    forged = honest.replace(line, f"— {name} {base64.b64encode(bytes(raw)).decode()}")
    assert await refused(forged) == 403  # a known key whose signature fails
    assert await refused(await _cosigned(made.note, STRANGER)) == 403  # unknown key, same name
    assert await refused(made.note) == 403  # the log's own signature is no cosignature
    assert await refused(honest, []) == 403  # a log configured with no witness
    changed = await _cosigned(made.note.replace("qtrail-time 2026", "qtrail-time 2027"), WITNESS)
    assert await refused(changed) == 409  # not the text the log signed
    other = LogCheckpoint(ORIGIN, made.tree_size, made.root, 99, NOW).text()
    assert await refused(sign_note(other, [WITNESS.at(1)])) == 404
    assert await refused("not a note") == 400
    future = int((LATER + dt.timedelta(hours=1)).timestamp())
    assert await refused(await _cosigned(made.note, WITNESS, future)) == 400
    assert kept.kept == {}
