"""Signed notes: the spec's example, signing, and what opening a note accepts and refuses."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from services.domain.transparency.keys import ED25519, SignerKey, VerifierKey, b64
from services.domain.transparency.note import (
    MAX_NOTE_BYTES,
    MAX_SIGNATURES,
    BadNoteSignature,
    Ed25519Signer,
    Ed25519Verifier,
    MalformedNote,
    NoteError,
    NoteSignature,
    UnverifiedNote,
    format_note,
    open_note,
    parse_note,
    sign_note,
)
from tests.support import transparency as t

SPEC_VERIFIER = Ed25519Verifier(
    VerifierKey.parse("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k")
)
SPEC_NOTE = (
    "This is an example message.\n"
    "\n"
    "— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwH"
    "jG1Yu72IneyaQM=\n"
)
"""c2sp.org/signed-note's example: made by Go's implementation, not by qtrail."""

TEXT = (
    "qtrail.example/xuzhou/log\n5\nGj8tD65tCCry+jOfbgPcANg1lxmn6NcVt1WW9f6UMvA=\n"
    "qtrail-checkpoint 1\nqtrail-time 2026-05-01T08:00:00.000000Z\n"
)
SIGNED = (
    TEXT + "\n— qtrail.example/xuzhou/log V93X8QMVkP8V6Cp6LVTtLqDlDRp1mPy7COH+FngoBLXTf1VvNZCzbc"
    "vcQNWwt63LOsdWj/zcgs+dtGhpaXcdj0ZDHg0=\n"
)
"""TEXT signed by the fixed log key (Ed25519 is deterministic); Go verifies it in tests/interop."""

OTHER = Ed25519Signer(
    SignerKey.of("someone.example/key", Ed25519PrivateKey.from_private_bytes(b"\x07" * 32), ED25519)
)
ROTATED = Ed25519Signer(
    SignerKey.of(t.ORIGIN, Ed25519PrivateKey.from_private_bytes(b"\x09" * 32), ED25519)
)


def test_the_specs_example_opens_with_its_key() -> None:
    note = open_note(SPEC_NOTE, [SPEC_VERIFIER])
    assert note.text == "This is an example message.\n"
    assert [(s.name, s.key_id) for s in note.verified] == [("example.com/foo", 0x530D903A)]
    assert note.unverified == ()


def test_signing_is_deterministic_and_frozen() -> None:
    assert sign_note(TEXT, [t.LOG_SIGNER]) == SIGNED
    assert open_note(SIGNED, [t.LOG_VERIFIER]).text == TEXT


def test_unknown_signatures_are_kept_unchecked_and_one_known_one_is_required() -> None:
    both = sign_note(TEXT, [t.LOG_SIGNER, OTHER])
    note = open_note(both, [t.LOG_VERIFIER])
    assert [s.name for s in note.verified] == [t.ORIGIN]
    assert [s.name for s in note.unverified] == ["someone.example/key"]
    with pytest.raises(UnverifiedNote, match="no known key"):
        open_note(sign_note(TEXT, [OTHER]), [t.LOG_VERIFIER])
    with pytest.raises(UnverifiedNote):
        open_note(SIGNED, [])


def test_a_key_sharing_only_the_name_is_another_key() -> None:
    """After a rotation the new key signs under the same name: readers who know only the old key
    ignore it, readers given both published keys accept either."""
    rotated = sign_note(TEXT, [ROTATED])
    with pytest.raises(UnverifiedNote):
        open_note(rotated, [t.LOG_VERIFIER])
    published = [t.LOG_VERIFIER, Ed25519Verifier(ROTATED.key.verifier)]
    assert open_note(rotated, published).verified[0].key_id == ROTATED.key_id
    assert open_note(SIGNED, published).verified[0].key_id == t.LOG_SIGNER.key_id


def test_a_known_key_whose_signature_fails_rejects_the_whole_note() -> None:
    good = sign_note(TEXT, [OTHER])
    forged = NoteSignature(t.ORIGIN, t.LOG_SIGNER.key_id, bytes(64))
    note = format_note(TEXT, [*parse_note(good)[1], forged])
    with pytest.raises(BadNoteSignature, match=f"{t.ORIGIN}\\+{t.LOG_SIGNER.key_id:08x}"):
        open_note(note, [t.LOG_VERIFIER, Ed25519Verifier(OTHER.key.verifier)])


def test_a_cosigner_adds_its_signature_after_the_kept_ones() -> None:
    text, signatures = parse_note(SIGNED)
    added = sign_note(text, [OTHER], keep=signatures)
    assert added.startswith(SIGNED)
    resigned = sign_note(text, [t.LOG_SIGNER], keep=parse_note(added)[1])
    assert parse_note(resigned)[1][-1].name == t.ORIGIN
    assert len(parse_note(resigned)[1]) == 2


SIG = SIGNED.split("\n\n")[1]


@pytest.mark.parametrize(
    ("message", "why"),
    [
        (TEXT, "blank line"),
        (TEXT + "\n", "signature lines"),
        (SIGNED[:-1], "signature lines"),
        (TEXT + "\n" + SIG + "\n", "signature lines"),
        (TEXT + "\n" + SIG.replace("— ", "-- "), "em dash"),
        (TEXT + "\n" + SIG.replace("— ", "—  "), "invalid key name"),
        (TEXT + "\n" + SIG.replace("/log ", "/log+x "), "invalid key name"),
        (TEXT + "\n" + SIG.replace("/log ", "/log\n"), "'— <key name> <base64 signature>'"),
        (TEXT.replace("\n5\n", "\n5\t\n") + "\n" + SIG, "control character"),
        (TEXT.replace("\n5\n", "\n5\r\n") + "\n" + SIG, "control character"),
        (TEXT + "\n" + SIG.replace("0=\n", "1=\n"), "canonical"),
        (TEXT + "\n" + SIG.replace("0=\n", "0\n"), "base64"),
        (TEXT + "\n" + f"— {t.ORIGIN} {b64(b'1234')}\n", "too short"),
        (TEXT.encode() + b"\xff\n\n" + SIG.encode(), "UTF-8"),
        (TEXT + "\n" + SIG * (MAX_SIGNATURES + 1), "at most 100 signatures"),
        ("x" * MAX_NOTE_BYTES + "\n\n" + SIG, "at most"),
    ],
)
def test_malformed_notes_are_refused_with_a_reason(message: str | bytes, why: str) -> None:
    with pytest.raises(MalformedNote, match=why):
        open_note(message, [t.LOG_VERIFIER])


def test_sixteen_signatures_are_accepted() -> None:
    signers = [
        Ed25519Signer(SignerKey.of(f"w{i}.example", Ed25519PrivateKey.generate(), ED25519))
        for i in range(15)
    ]
    note = open_note(sign_note(TEXT, [t.LOG_SIGNER, *signers]), [t.LOG_VERIFIER])
    assert len(note.signatures) == 16


def test_a_text_must_end_in_a_newline_to_be_signed() -> None:
    with pytest.raises(MalformedNote, match="ends with a newline"):
        sign_note(TEXT[:-1], [t.LOG_SIGNER])
    with pytest.raises(MalformedNote, match="control"):
        sign_note("a\x00b\n", [t.LOG_SIGNER])
    with pytest.raises(ValueError, match="two verifiers"):
        open_note(SIGNED, [t.LOG_VERIFIER, t.LOG_VERIFIER])


texts = st.lists(
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30), min_size=1, max_size=5
).map(lambda lines: "".join(line + "\n" for line in lines))


@settings(max_examples=50, deadline=None)
@given(texts)
def test_any_text_round_trips(text: str) -> None:
    note = open_note(sign_note(text, [t.LOG_SIGNER, OTHER]), [t.LOG_VERIFIER])
    assert note.text == text
    assert len(note.unverified) == 1


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_any_single_byte_change_breaks_the_note(data: st.DataObject) -> None:
    signed = SIGNED.encode()
    at = data.draw(st.integers(0, len(signed) - 1), label="at")
    byte = data.draw(st.integers(0, 255).filter(lambda b: b != signed[at]), label="byte")
    changed = signed[:at] + bytes([byte]) + signed[at + 1 :]
    with pytest.raises(NoteError):
        open_note(changed, [t.LOG_VERIFIER])
