"""Checkpoint bodies (c2sp.org/tlog-checkpoint): the note text of a signed tree head.

    <origin>                      qtrail.example/xuzhou/log
    <tree size, decimal>          5
    <root hash, base64>           Gj8tD65tCCry+jOfbgPcANg1lxmn6NcVt1WW9f6UMvA=
    [extension lines]             qtrail-checkpoint 17
                                  qtrail-time 2026-05-01T08:00:00.000000Z

The first three lines are all any tlog client or witness needs. qtrail adds two extension lines,
opaque to others: the checkpoint's number in qtrail's log and the time it was signed (RFC 3339
UTC with microseconds, the one spelling qtrail uses for every recorded time), so the note alone
answers "which checkpoint, when" without the JSON view.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from services.domain.transparency.keys import b64, strict_b64decode, valid_key_name
from services.domain.transparency.note import (
    Note,
    NoteError,
    NoteSigner,
    NoteVerifier,
    check_text,
    open_note,
    sign_note,
)

HASH_SIZE = 32
_DECIMAL = re.compile(r"0|[1-9][0-9]*")
NUMBER_LINE = "qtrail-checkpoint"
TIME_LINE = "qtrail-time"
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


class MalformedCheckpoint(ValueError):
    pass


def valid_origin(origin: str) -> bool:
    """qtrail's origins are schema-less URLs usable as key names too (the log signs under its
    origin): non-empty, no Unicode space, no plus."""
    return valid_key_name(origin)


@dataclass(frozen=True)
class CheckpointBody:
    """Origin, tree size, RFC 6962 root and any extension lines, in the spec's exact layout."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.origin or "\n" in self.origin:
            raise MalformedCheckpoint("the origin is one non-empty line")
        if not 0 <= self.size < 1 << 64:
            raise MalformedCheckpoint("the tree size is an unsigned 64-bit number")
        if len(self.root) != HASH_SIZE:
            raise MalformedCheckpoint("the root hash is 32 bytes (SHA-256)")
        if any(not line or "\n" in line for line in self.extensions):
            raise MalformedCheckpoint("an extension line is one non-empty line")

    def text(self) -> str:
        lines = [self.origin, str(self.size), b64(self.root), *self.extensions]
        return "".join(line + "\n" for line in lines)

    @classmethod
    def parse(cls, text: str) -> CheckpointBody:
        """Read a note text as a checkpoint, refusing anything the spec does not allow (a
        leading zero, a short hash, an empty line, a missing final newline)."""
        if not text.endswith("\n"):
            raise MalformedCheckpoint("a checkpoint body ends with a newline")
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise MalformedCheckpoint("a checkpoint has an origin, a tree size and a root hash")
        origin, size, root, *extensions = lines
        if not _DECIMAL.fullmatch(size):
            raise MalformedCheckpoint("the tree size is a decimal number without leading zeros")
        try:
            raw_root = strict_b64decode(root)
        except ValueError as e:
            raise MalformedCheckpoint(f"the root hash is {e}") from None
        return cls(origin, int(size), raw_root, tuple(extensions))


@dataclass(frozen=True)
class LogCheckpoint:
    """A checkpoint of qtrail's log of chain heads: the C2SP body plus its number and time."""

    origin: str
    size: int
    root: bytes
    number: int
    signed_at: dt.datetime

    def __post_init__(self) -> None:
        if not valid_origin(self.origin):
            raise MalformedCheckpoint(f"invalid origin {self.origin!r}")
        if self.number < 1:
            raise MalformedCheckpoint("checkpoints are numbered from 1")
        if self.signed_at.tzinfo is None:
            raise MalformedCheckpoint("the signing time is zone-aware")

    def body(self) -> CheckpointBody:
        at = self.signed_at.astimezone(dt.UTC).strftime(_TIME_FORMAT)
        extensions = (f"{NUMBER_LINE} {self.number}", f"{TIME_LINE} {at}")
        return CheckpointBody(self.origin, self.size, self.root, extensions)

    def text(self) -> str:
        return self.body().text()

    @classmethod
    def from_body(cls, body: CheckpointBody) -> LogCheckpoint:
        """Read qtrail's two extension lines, exactly as ``body`` writes them."""
        if len(body.extensions) != 2:
            raise MalformedCheckpoint("a qtrail checkpoint has two extension lines")
        number_line, time_line = body.extensions
        key, _, number = number_line.partition(" ")
        if key != NUMBER_LINE or not _DECIMAL.fullmatch(number):
            raise MalformedCheckpoint(f"the first extension line is '{NUMBER_LINE} <number>'")
        key, _, at = time_line.partition(" ")
        if key != TIME_LINE:
            raise MalformedCheckpoint(f"the second extension line is '{TIME_LINE} <time>'")
        try:
            signed_at = dt.datetime.strptime(at, _TIME_FORMAT).replace(tzinfo=dt.UTC)
        except ValueError:
            raise MalformedCheckpoint("the time is RFC 3339 UTC with microseconds") from None
        made = cls(body.origin, body.size, body.root, int(number), signed_at)
        if made.body() != body:
            raise MalformedCheckpoint("the extension lines are not in their one spelling")
        return made


@dataclass(frozen=True)
class OpenedCheckpoint:
    """A checkpoint note whose log signature verified, with the body it signs."""

    body: CheckpointBody
    note: Note


def sign_checkpoint(body: CheckpointBody, log: NoteSigner) -> str:
    """The checkpoint note, signed by the log under its origin (the spec's recommendation,
    which lets a client find the log's signature among witnesses' without configuration)."""
    if log.name != body.origin:
        raise MalformedCheckpoint("the log signs under its origin")
    text = body.text()
    check_text(text)
    return sign_note(text, [log])


def open_checkpoint(
    message: bytes | str,
    origin: str,
    log_keys: Iterable[NoteVerifier],
    others: Iterable[NoteVerifier] = (),
) -> OpenedCheckpoint:
    """Verify a checkpoint note: one of the log's keys (any of its published keys, old ones
    too) must have signed it, under the expected origin; ``others`` (witnesses) are checked
    when present and must verify if they signed."""
    log_keys = list(log_keys)
    note = open_note(message, [*log_keys, *others])
    log_ids = {(k.name, k.key_id) for k in log_keys}
    if not any((s.name, s.key_id) in log_ids for s in note.verified):
        raise NoteError("the log's own signature is missing")
    body = CheckpointBody.parse(note.text)
    if body.origin != origin:
        raise MalformedCheckpoint(f"the origin is {body.origin!r}, expected {origin!r}")
    return OpenedCheckpoint(body, note)
