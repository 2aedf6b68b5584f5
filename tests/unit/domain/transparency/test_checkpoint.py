"""Checkpoint bodies: the spec's layout read strictly, qtrail's extension lines, the log's note."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.domain.transparency.checkpoint import (
    CheckpointBody,
    LogCheckpoint,
    MalformedCheckpoint,
    open_checkpoint,
    sign_checkpoint,
)
from services.domain.transparency.note import NoteError, UnverifiedNote, parse_note, sign_note
from tests.support import transparency as t

SPEC_BODY = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
"""The body of c2sp.org/tlog-checkpoint's example."""


def test_the_specs_example_body_parses_and_is_written_back_the_same() -> None:
    body = CheckpointBody.parse(SPEC_BODY)
    assert (body.origin, body.size, body.extensions) == (
        "example.com/behind-the-sofa",
        20852163,
        (),
    )
    assert body.root.hex().startswith("0ac5186a91863e8e")
    assert body.text() == SPEC_BODY


def test_qtrails_checkpoint_text_is_frozen() -> None:
    cp = t.checkpoint(5, number=17)
    assert cp.text() == (
        "qtrail.example/xuzhou/log\n"
        "5\n"
        "Gj8tD65tCCry+jOfbgPcANg1lxmn6NcVt1WW9f6UMvA=\n"
        "qtrail-checkpoint 17\n"
        "qtrail-time 2026-05-01T08:00:00.000000Z\n"
    )
    assert LogCheckpoint.from_body(CheckpointBody.parse(cp.text())) == cp


def test_the_signing_time_is_written_in_utc() -> None:
    beijing = dt.timezone(dt.timedelta(hours=8))
    cp = LogCheckpoint(t.ORIGIN, 1, bytes(32), 1, dt.datetime(2026, 5, 1, 16, 0, 0, 5, beijing))
    assert cp.body().extensions[1] == "qtrail-time 2026-05-01T08:00:00.000005Z"
    assert LogCheckpoint.from_body(cp.body()).signed_at == cp.signed_at


def test_an_empty_tree_has_a_checkpoint() -> None:
    body = CheckpointBody.parse("log.example\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n")
    assert body.size == 0


ROOT = "Gj8tD65tCCry+jOfbgPcANg1lxmn6NcVt1WW9f6UMvA="


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (f"o\n5\n{ROOT}", "ends with a newline"),
        ("o\n5\n", "an origin, a tree size and a root"),
        (f"\n5\n{ROOT}\n", "origin is one non-empty line"),
        (f"o\n05\n{ROOT}\n", "without leading zeros"),
        (f"o\n-5\n{ROOT}\n", "decimal"),
        (f"o\n+5\n{ROOT}\n", "decimal"),
        (f"o\n 5\n{ROOT}\n", "decimal"),
        (f"o\n{1 << 64}\n{ROOT}\n", "64-bit"),
        (f"o\n5\n{ROOT[:-2]}=\n", "base64"),
        ("o\n5\nAAAA\n", "32 bytes"),
        (f"o\n5\n{ROOT}\n\n", "extension line is one non-empty line"),
        (f"o\n5\n{ROOT}\next\n\n", "extension line is one non-empty line"),
    ],
)
def test_malformed_bodies_are_refused_with_a_reason(text: str, why: str) -> None:
    with pytest.raises(MalformedCheckpoint, match=why):
        CheckpointBody.parse(text)


@pytest.mark.parametrize(
    ("extensions", "why"),
    [
        ((), "two extension lines"),
        (("qtrail-checkpoint 1",), "two extension lines"),
        (("qtrail-checkpoint 01", "qtrail-time 2026-05-01T08:00:00.000000Z"), "first extension"),
        (("checkpoint 1", "qtrail-time 2026-05-01T08:00:00.000000Z"), "first extension"),
        (("qtrail-checkpoint 0", "qtrail-time 2026-05-01T08:00:00.000000Z"), "numbered from 1"),
        (("qtrail-checkpoint 1", "time 2026-05-01T08:00:00.000000Z"), "second extension"),
        (("qtrail-checkpoint 1", "qtrail-time 2026-05-01T08:00:00Z"), "microseconds"),
        (("qtrail-checkpoint 1", "qtrail-time 2026-05-01T08:00:00.0000Z"), "one spelling"),
        (("qtrail-checkpoint 1", "qtrail-time 2026-05-01 08:00:00.000000Z"), "microseconds"),
    ],
)
def test_qtrails_extension_lines_are_read_in_their_one_spelling(
    extensions: tuple[str, ...], why: str
) -> None:
    body = CheckpointBody(t.ORIGIN, 5, bytes(32), extensions)
    with pytest.raises(MalformedCheckpoint, match=why):
        LogCheckpoint.from_body(body)


def test_the_log_signs_under_its_origin_and_readers_check_it() -> None:
    note = t.signed(5)
    opened = open_checkpoint(note, t.ORIGIN, [t.LOG_VERIFIER])
    assert opened.body == t.checkpoint(5).body()
    with pytest.raises(MalformedCheckpoint, match=re.escape("expected 'qtrail.example/other'")):
        open_checkpoint(note, "qtrail.example/other", [t.LOG_VERIFIER])
    with pytest.raises(MalformedCheckpoint, match="under its origin"):
        sign_checkpoint(CheckpointBody("qtrail.example/other", 5, bytes(32)), t.LOG_SIGNER)


def test_a_witness_alone_does_not_make_a_checkpoint() -> None:
    """The cosignature vouches for consistency, not for the log having signed: the log's own
    signature is required."""
    text, _ = parse_note(t.signed(5))
    cosigned_only = sign_note(text, [t.COSIGNER.at(t.COSIGNED_AT)])
    with pytest.raises(UnverifiedNote):
        open_checkpoint(cosigned_only, t.ORIGIN, [t.LOG_VERIFIER])
    with pytest.raises(NoteError, match="log's own signature"):
        open_checkpoint(cosigned_only, t.ORIGIN, [t.LOG_VERIFIER], [t.WITNESS_VERIFIER])
    witnessed = open_checkpoint(t.witnessed(5), t.ORIGIN, [t.LOG_VERIFIER], [t.WITNESS_VERIFIER])
    assert [s.name for s in witnessed.note.verified] == [t.ORIGIN, t.WITNESS]


@settings(max_examples=50, deadline=None)
@given(
    st.integers(0, (1 << 64) - 1),
    st.binary(min_size=32, max_size=32),
    st.integers(1, 10**9),
    st.datetimes(
        min_value=dt.datetime(2000, 1, 1),
        max_value=dt.datetime(2200, 1, 1),
        timezones=st.just(dt.UTC),
    ),
)
def test_any_qtrail_checkpoint_round_trips(
    size: int, root: bytes, number: int, at: dt.datetime
) -> None:
    cp = LogCheckpoint(t.ORIGIN, size, root, number, at)
    assert LogCheckpoint.from_body(CheckpointBody.parse(cp.text())) == cp
    opened = open_checkpoint(sign_checkpoint(cp.body(), t.LOG_SIGNER), t.ORIGIN, [t.LOG_VERIFIER])
    assert opened.body == cp.body()
