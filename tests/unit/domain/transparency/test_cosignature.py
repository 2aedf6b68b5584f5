"""Witness cosignatures, cosignature/v1: the signed message, its key id, and what breaks it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.domain.transparency.checkpoint import MalformedCheckpoint
from services.domain.transparency.cosignature import (
    MAX_TIMESTAMP,
    CosignatureVerifier,
    Cosigner,
    cosignature_time,
    cosigned_message,
)
from services.domain.transparency.keys import COSIGNATURE_V1, ED25519, SignerKey, key_id
from services.domain.transparency.note import (
    BadNoteSignature,
    Ed25519Verifier,
    NoteError,
    UnverifiedNote,
    open_note,
    parse_note,
    sign_note,
)
from tests.support import transparency as t

SPEC_BODY = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"

WITNESSED_5 = t.signed(5) + (
    "— archive.xuzhou.example/witness 9WFAyAAAAABp9F286B4kXZtDRvBAFN9nbUn1Z8qSpqj8+6l+Z/ad+2WiOPQ"
    "Jkwk5YFf6jCueQEpzEjB+gFjRS0Y3r3DsreOfyCfGBw==\n"
)
"""The fixed witness's cosignature of the log's 5-leaf checkpoint at COSIGNED_AT, frozen;
transparency-dev/formats verifies the same kind of line in tests/interop."""


def test_the_signed_message_is_the_specs() -> None:
    assert cosigned_message(SPEC_BODY, 1679315147) == (
        b"cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\n"
        b"CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    )


def test_the_key_id_is_computed_with_type_0x04() -> None:
    public = t.WITNESS_KEY.verifier.public_key
    assert t.COSIGNER.key_id == key_id(t.WITNESS, 0x04, public) == 0xF56140C8


def test_a_cosignature_is_frozen_and_carries_its_time() -> None:
    assert t.witnessed(5) == WITNESSED_5
    note = open_note(WITNESSED_5, [t.WITNESS_VERIFIER])
    (cosignature,) = note.verified
    assert cosignature_time(cosignature) == t.COSIGNED_AT
    assert len(cosignature.signature) == 72


def test_the_extension_lines_are_signed_too() -> None:
    text, signatures = parse_note(WITNESSED_5)
    moved = text.replace("qtrail-checkpoint 1", "qtrail-checkpoint 2")
    with pytest.raises(BadNoteSignature):
        open_note(moved + "\n" + signatures[1].line(), [t.WITNESS_VERIFIER])


def test_a_changed_time_breaks_the_cosignature() -> None:
    text, signatures = parse_note(WITNESSED_5)
    later = (t.COSIGNED_AT + 1).to_bytes(8, "big") + signatures[1].signature[8:]
    forged = type(signatures[1])(t.WITNESS, t.COSIGNER.key_id, later)
    with pytest.raises(BadNoteSignature):
        open_note(text + "\n" + forged.line(), [t.WITNESS_VERIFIER])


def test_the_same_ed25519_key_cannot_pass_for_the_other_role() -> None:
    """A witness key used as a plain note key has another key id, and its cosignature is not an
    Ed25519 signature of the text: neither role can be passed off as the other."""
    as_log_key = SignerKey(t.WITNESS, ED25519, t.WITNESS_KEY.seed)
    with pytest.raises(UnverifiedNote):
        open_note(WITNESSED_5, [Ed25519Verifier(as_log_key.verifier)])
    text, signatures = parse_note(WITNESSED_5)
    relabelled = type(signatures[1])(t.WITNESS, as_log_key.key_id, signatures[1].signature)
    with pytest.raises(BadNoteSignature):
        open_note(text + "\n" + relabelled.line(), [Ed25519Verifier(as_log_key.verifier)])


def test_only_a_checkpoint_is_cosigned() -> None:
    with pytest.raises(MalformedCheckpoint):
        t.COSIGNER.cosign("just a note\n", t.COSIGNED_AT)
    with pytest.raises(ValueError, match="2\\^63"):
        t.COSIGNER.cosign(SPEC_BODY, MAX_TIMESTAMP + 1)
    with pytest.raises(ValueError, match="type 0x04"):
        Cosigner(t.LOG_KEY)
    with pytest.raises(ValueError, match="type 0x04"):
        CosignatureVerifier(t.LOG_KEY.verifier)
    assert not t.WITNESS_VERIFIER.verify(b"just a note\n", bytes(72))


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_any_single_byte_change_breaks_the_cosigned_note(data: st.DataObject) -> None:
    signed = WITNESSED_5.encode()
    at = data.draw(st.integers(0, len(signed) - 1), label="at")
    byte = data.draw(st.integers(0, 255).filter(lambda b: b != signed[at]), label="byte")
    changed = signed[:at] + bytes([byte]) + signed[at + 1 :]
    try:
        note = open_note(changed, [t.WITNESS_VERIFIER])
    except NoteError:
        return
    # Only the log's line may change without the witness noticing: it does not verify the log.
    assert note.text == parse_note(WITNESSED_5)[0]
    assert at < len(signed) - len(parse_note(WITNESSED_5)[1][1].line().encode())


@settings(max_examples=30, deadline=None)
@given(st.integers(0, MAX_TIMESTAMP), st.binary(min_size=32, max_size=32))
def test_any_cosigner_and_time_round_trip(timestamp: int, seed: bytes) -> None:
    cosigner = Cosigner(SignerKey(t.WITNESS, COSIGNATURE_V1, seed))
    text = t.checkpoint(3).text()
    note = open_note(
        sign_note(text, [cosigner.at(timestamp)]), [CosignatureVerifier(cosigner.key.verifier)]
    )
    assert cosignature_time(note.verified[0]) == timestamp
