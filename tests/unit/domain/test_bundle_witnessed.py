"""Bundles and the C2SP log: a bundle carrying its checkpoint's signed note and a witness's
cosignature, a checkpoint note kept from ``GET /log/checkpoint`` years ago as what the bundle must
extend, and the old bundles (no note) still verifying."""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.domain import merkle
from services.domain.bundle import NotACheckpoint, verify
from services.domain.transparency.checkpoint import LogCheckpoint, sign_checkpoint
from services.domain.transparency.cosignature import Cosigner
from services.domain.transparency.keys import COSIGNATURE_V1, SignerKey
from services.domain.transparency.note import Ed25519Signer
from tests.support import bundle_vectors as vectors
from tests.support import transparency as t
from tests.support.bundle_vectors import KEY_ID, VECTOR_PUBLIC_KEY

TRUST = {KEY_ID: VECTOR_PUBLIC_KEY}
WITNESS = t.WITNESS_KEY.verifier.text()


def witnessed() -> dict[str, Any]:
    return copy.deepcopy(json.loads(vectors.WITNESSED_PATH.read_text(encoding="utf-8")))


def kept_note() -> str:
    return vectors.KEPT_NOTE_PATH.read_text(encoding="utf-8")


def failed(b: dict[str, Any], kept: Any = None, witnesses: tuple[str, ...] = ()) -> list[str]:
    return [f.what for f in verify(b, TRUST, kept, witnesses) if not f.ok]


def test_the_committed_c2sp_vectors_are_what_the_generator_makes() -> None:
    assert witnessed() == json.loads(json.dumps(vectors.witnessed_bundle()))
    assert kept_note() == vectors.kept_note()


def test_the_witnessed_bundle_verifies_with_the_witness_required_and_since_a_kept_note() -> None:
    findings = verify(witnessed(), TRUST, kept_note(), (WITNESS,))
    assert [f.what for f in findings if not f.ok] == []
    said = [f.what for f in findings]
    assert "checkpoint 7's C2SP note (qtrail.example/xuzhou/log) verifies" in said
    assert f"witness {t.WITNESS} cosigned checkpoint 7 at 2026-02-01T00:01:00Z" in said
    assert any("checkpoint 7 extends the checkpoint 6 you kept" in what for what in said)


def test_old_bundles_still_verify_and_fail_only_when_a_witness_is_required() -> None:
    old = json.loads(vectors.PATH.read_text(encoding="utf-8"))
    assert "note" not in old["checkpoint"]
    assert failed(old) == [] and failed(old, kept_note()) == []
    assert failed(old, witnesses=(WITNESS,)) == [
        "checkpoint 7 carries no note for witnesses to cosign"
    ]


def test_a_witness_that_did_not_cosign_or_a_forged_cosignature_fails() -> None:
    other = Cosigner(SignerKey.of(t.WITNESS, Ed25519PrivateKey.generate(), COSIGNATURE_V1))
    assert failed(witnessed(), witnesses=(other.key.verifier.text(),)) == [
        f"checkpoint 7 is not cosigned by witness {t.WITNESS}"
    ]
    b = witnessed()
    line = b["checkpoint"]["note"].rstrip("\n").split("\n")[-1]
    name, encoded = line.removeprefix("— ").split(" ")
    raw = bytearray(base64.b64decode(encoded))
    raw[-1] ^= 1
    forged = f"— {name} {base64.b64encode(bytes(raw)).decode()}"
    b["checkpoint"]["note"] = b["checkpoint"]["note"].replace(line, forged)
    assert failed(b, witnesses=(WITNESS,)) == [
        f"checkpoint 7 is not cosigned by witness {t.WITNESS}"
    ]
    assert failed(b) == []  # without the witness required, its word is not needed
    assert failed(witnessed(), witnesses=("not a key",))[0].startswith("witness key 'not a key'")


def test_a_note_of_another_tree_head_or_another_key_fails() -> None:
    b = witnessed()
    b["checkpoint"]["note"] = vectors.checkpoint_note(7, 3, vectors.SIGNED_AT)
    assert failed(b) == ["checkpoint 7's note says another tree head"]
    rogue = SignerKey.of(vectors.ORIGIN, Ed25519PrivateKey.generate())
    body = LogCheckpoint(vectors.ORIGIN, 4, bytes(32), 7, vectors.SIGNED_AT).body()
    b["checkpoint"]["note"] = sign_checkpoint(body, Ed25519Signer(rogue))
    assert failed(b)[0].startswith("checkpoint 7's note does not verify")


def test_a_kept_note_the_bundle_does_not_extend_is_named() -> None:
    rewritten = vectors.log_leaves()[:3]
    rewritten[2] = rewritten[0]
    root = merkle.root([merkle.leaf_hash(leaf) for leaf in rewritten])
    body = LogCheckpoint(vectors.ORIGIN, 3, root, 6, vectors.KEPT_SIGNED_AT).body()
    other = sign_checkpoint(body, vectors.NOTE_SIGNER)
    assert failed(witnessed(), other) == [
        "checkpoint 7 does not extend the checkpoint 6 you kept: the log was rewritten since"
    ]
    forged = kept_note().replace("\n3\n", "\n2\n")
    assert failed(witnessed(), forged)[0].startswith(
        "the checkpoint 6 you kept: its note does not verify with a key you trust"
    )
    with pytest.raises(NotACheckpoint):
        verify(witnessed(), TRUST, "not a note")


def test_a_kept_note_of_the_same_number_but_another_tree_names_the_rewrite() -> None:
    """A log emptied and signed afresh numbers its checkpoints from 1 again."""
    b = witnessed()
    body = LogCheckpoint(vectors.ORIGIN, 5, bytes(32), 7, vectors.SIGNED_AT).body()
    assert failed(b, sign_checkpoint(body, vectors.NOTE_SIGNER)) == [
        "checkpoint 7 of the bundle is not the checkpoint 7 you kept (5 heads, signed "
        "2026-02-01T00:00:00.000000Z): the log was rewritten and signed afresh"
    ]
