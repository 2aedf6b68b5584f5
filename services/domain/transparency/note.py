"""Signed notes (c2sp.org/signed-note): a text, a blank line, then one line per signature.

    <text ending in a newline>
    <blank line>
    — <key name> base64(4-byte key id ‖ signature)

Opening a note checks every signature whose (name, key id) is a known verifier's and ignores the
others, so a rotated log key or a witness the reader does not know costs nothing; a known key
whose signature fails rejects the whole note, and a note no known key signed is rejected too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from cryptography.exceptions import InvalidSignature

from services.domain.transparency.keys import (
    ED25519,
    SignerKey,
    VerifierKey,
    b64,
    strict_b64decode,
    valid_key_name,
)

MAX_NOTE_BYTES = 1 << 20
"""Refuse larger notes before parsing: room for far more than the 16 signatures (post-quantum
ones near 5 kB each) that the spec requires a verifier to accept."""
MAX_SIGNATURES = 100
"""As Go's golang.org/x/mod/sumdb/note: a bound on the work one note can ask for."""

_DASH = "— "


class NoteError(ValueError):
    """A note that is refused; the message says why."""


class MalformedNote(NoteError):
    pass


class UnverifiedNote(NoteError):
    """Well formed, but no known key signed it."""


class BadNoteSignature(NoteError):
    """A known key's signature does not verify: the text was changed or the signature forged."""


@dataclass(frozen=True)
class NoteSignature:
    """One signature line: the key's name and id, and the signature bytes after the id."""

    name: str
    key_id: int
    signature: bytes

    def line(self) -> str:
        return f"{_DASH}{self.name} {b64(self.key_id.to_bytes(4, 'big') + self.signature)}\n"


class NoteVerifier(Protocol):
    """What checks one key's signatures: the log's own, or a witness's cosignature."""

    @property
    def name(self) -> str: ...
    @property
    def key_id(self) -> int: ...
    def verify(self, text: bytes, signature: bytes) -> bool: ...


class NoteSigner(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def key_id(self) -> int: ...
    def sign(self, text: bytes) -> bytes: ...


@dataclass(frozen=True)
class Ed25519Verifier:
    """Plain Ed25519 note signatures (type 0x01) over the note text."""

    key: VerifierKey

    def __post_init__(self) -> None:
        if self.key.signature_type != ED25519:
            raise ValueError("an Ed25519 note verifier takes a type 0x01 key")

    @property
    def name(self) -> str:
        return self.key.name

    @property
    def key_id(self) -> int:
        return self.key.key_id

    def verify(self, text: bytes, signature: bytes) -> bool:
        if len(signature) != 64:
            return False
        try:
            self.key.ed25519.verify(signature, text)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class Ed25519Signer:
    key: SignerKey

    def __post_init__(self) -> None:
        if self.key.signature_type != ED25519:
            raise ValueError("an Ed25519 note signer takes a type 0x01 key")

    @property
    def name(self) -> str:
        return self.key.name

    @property
    def key_id(self) -> int:
        return self.key.key_id

    def sign(self, text: bytes) -> bytes:
        return self.key.ed25519.sign(text)


@dataclass(frozen=True)
class Note:
    """A parsed note: its text and its signatures, split into verified and not checked."""

    text: str
    verified: tuple[NoteSignature, ...]
    unverified: tuple[NoteSignature, ...]

    @property
    def signatures(self) -> tuple[NoteSignature, ...]:
        return self.verified + self.unverified


def _check_characters(message: str) -> None:
    for ch in message:
        if ch < " " and ch != "\n":
            raise MalformedNote(f"a note holds no control character (found U+{ord(ch):04X})")


def check_text(text: str) -> None:
    """What a note text must be to be signed: UTF-8 without control characters but newlines,
    ending in a newline, and readable back as the same text from the signed note."""
    if not text.endswith("\n"):
        raise MalformedNote("a note text ends with a newline")
    _check_characters(text)
    if len((text + "\n").encode()) > MAX_NOTE_BYTES:
        raise MalformedNote(f"a note is at most {MAX_NOTE_BYTES} bytes")


def _decode(message: bytes | str) -> str:
    if isinstance(message, str):
        message = message.encode()
    if len(message) > MAX_NOTE_BYTES:
        raise MalformedNote(f"a note is at most {MAX_NOTE_BYTES} bytes")
    try:
        return message.decode("utf-8", errors="strict")
    except UnicodeDecodeError:
        raise MalformedNote("a note is valid UTF-8") from None


def _parse_line(line: str) -> NoteSignature:
    if not line.startswith(_DASH):
        raise MalformedNote("a signature line starts with an em dash and a space")
    name, sep, encoded = line[len(_DASH) :].partition(" ")
    if not sep:
        raise MalformedNote("a signature line is '— <key name> <base64 signature>'")
    if not valid_key_name(name):
        raise MalformedNote(f"invalid key name on a signature line: {name!r}")
    try:
        raw = strict_b64decode(encoded)
    except ValueError as e:
        raise MalformedNote(f"the signature of {name} is {e}") from None
    if len(raw) < 5:
        raise MalformedNote(f"the signature of {name} is too short")
    return NoteSignature(name, int.from_bytes(raw[:4], "big"), raw[4:])


def parse_note(message: bytes | str) -> tuple[str, tuple[NoteSignature, ...]]:
    """Split a note into its text and its signatures, checking the form only."""
    decoded = _decode(message)
    _check_characters(decoded)
    split = decoded.rfind("\n\n")
    if split < 0:
        raise MalformedNote("a note has a blank line before its signatures")
    text, block = decoded[: split + 1], decoded[split + 2 :]
    if not block or not block.endswith("\n"):
        raise MalformedNote("a note ends with signature lines, each ending in a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise MalformedNote(f"a note carries at most {MAX_SIGNATURES} signatures")
    return text, tuple(_parse_line(line) for line in lines)


def _index(verifiers: Iterable[NoteVerifier]) -> dict[tuple[str, int], NoteVerifier]:
    known: dict[tuple[str, int], NoteVerifier] = {}
    for v in verifiers:
        if (v.name, v.key_id) in known:
            raise ValueError(f"two verifiers for key {v.name}+{v.key_id:08x}")
        known[(v.name, v.key_id)] = v
    return known


def open_note(message: bytes | str, verifiers: Iterable[NoteVerifier]) -> Note:
    """Parse a note and check it against ``verifiers``: every signature of a known key must
    verify, and at least one must be there. Unknown keys' signatures are kept, unchecked."""
    known = _index(verifiers)
    text, signatures = parse_note(message)
    signed = text.encode()
    verified: list[NoteSignature] = []
    unverified: list[NoteSignature] = []
    for sig in signatures:
        verifier = known.get((sig.name, sig.key_id))
        if verifier is None:
            unverified.append(sig)
        elif verifier.verify(signed, sig.signature):
            verified.append(sig)
        else:
            raise BadNoteSignature(f"the signature of {sig.name}+{sig.key_id:08x} does not verify")
    if not verified:
        raise UnverifiedNote("no known key signed the note")
    return Note(text, tuple(verified), tuple(unverified))


def format_note(text: str, signatures: Sequence[NoteSignature]) -> str:
    """The note's wire form; one signature per key, the first kept."""
    check_text(text)
    if not signatures:
        raise MalformedNote("a note carries at least one signature")
    kept: dict[tuple[str, int], NoteSignature] = {}
    for sig in signatures:
        kept.setdefault((sig.name, sig.key_id), sig)
    if len(kept) > MAX_SIGNATURES:
        raise MalformedNote(f"a note carries at most {MAX_SIGNATURES} signatures")
    note = text + "\n" + "".join(sig.line() for sig in kept.values())
    if len(note.encode()) > MAX_NOTE_BYTES:
        raise MalformedNote(f"a note is at most {MAX_NOTE_BYTES} bytes")
    return note


def sign_note(text: str, signers: Sequence[NoteSigner], keep: Sequence[NoteSignature] = ()) -> str:
    """Sign ``text`` with each signer, after the signatures in ``keep`` (a witness adds its
    cosignature to the log's note this way). A kept signature by one of the signers' keys is
    replaced by the new one."""
    check_text(text)
    for signer in signers:
        if not valid_key_name(signer.name):
            raise MalformedNote(f"invalid key name {signer.name!r}")
    fresh = [NoteSignature(s.name, s.key_id, s.sign(text.encode())) for s in signers]
    renewed = {(s.name, s.key_id) for s in fresh}
    return format_note(text, [*(s for s in keep if (s.name, s.key_id) not in renewed), *fresh])
