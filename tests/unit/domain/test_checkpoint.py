"""Checkpoint leaves and signed tree heads: canonical bytes, parsing, what a checkpoint reveals."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from services.domain.checkpoint import (
    TreeHead,
    against_checkpoint,
    leaf_bytes,
    read_leaf,
    tree_head_bytes,
)

HEAD = bytes.fromhex("00ff" * 16)
ROOT = bytes(range(32))
AT = dt.datetime(2026, 3, 1, 20, 0, 0, 123456, tzinfo=dt.timezone(dt.timedelta(hours=8)))


# ----------------------------------------------------------------------------- leaves


def test_leaf_bytes_are_the_rfc8785_form_written_out() -> None:
    assert (
        leaf_bytes("XZ-1", 12, HEAD)
        == ('{"head":"' + HEAD.hex() + '","project":"XZ-1","seq":12}').encode()
    )


def test_a_leaf_with_chinese_text_is_utf8_not_escaped() -> None:
    leaf = leaf_bytes("徐州-1", 1, HEAD)
    assert "徐州-1".encode() in leaf
    assert b"\\u" not in leaf
    assert leaf == rfc8785.dumps(json.loads(leaf))


@given(
    st.text(min_size=1, max_size=30),
    st.integers(min_value=1, max_value=2**53 - 1),
    st.binary(min_size=32, max_size=32),
)
def test_read_leaf_round_trips(project: str, seq: int, head: bytes) -> None:
    leaf = leaf_bytes(project, seq, head)
    assert read_leaf(leaf) == (project, seq, head)
    assert rfc8785.dumps(json.loads(leaf)) == leaf  # canonical: re-encoding changes nothing


def test_leaves_differ_when_any_field_differs() -> None:
    base = leaf_bytes("XZ-1", 3, HEAD)
    assert base != leaf_bytes("XZ-2", 3, HEAD)
    assert base != leaf_bytes("XZ-1", 4, HEAD)
    assert base != leaf_bytes("XZ-1", 3, bytes(32))


# ----------------------------------------------------------------------------- tree heads


def test_tree_head_bytes_are_canonical_with_utc_microseconds() -> None:
    head = tree_head_bytes(7, 3, ROOT, AT, "k-2026")
    assert (
        head
        == (
            '{"at":"2026-03-01T12:00:00.123456Z","checkpoint":7,"key":"k-2026",'
            '"root":"' + ROOT.hex() + '","size":3,"v":1}'
        ).encode()
    )


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        tree_head_bytes(1, 1, ROOT, dt.datetime(2026, 3, 1), "k")


def test_tree_head_parse_round_trips() -> None:
    head = TreeHead.parse(tree_head_bytes(7, 3, ROOT, AT, "k-2026"))
    assert head == TreeHead(7, 3, ROOT, "2026-03-01T12:00:00.123456Z", "k-2026")


@given(
    st.integers(min_value=1, max_value=10**9),
    st.integers(min_value=0, max_value=10**9),
    st.binary(min_size=32, max_size=32),
    st.text(min_size=1, max_size=20),
)
def test_any_tree_head_round_trips(number: int, size: int, root: bytes, key: str) -> None:
    head = TreeHead.parse(tree_head_bytes(number, size, root, AT, key))
    assert (head.number, head.size, head.root, head.key_id) == (number, size, root, key)


def _fields() -> dict[str, Any]:
    fields: dict[str, Any] = json.loads(tree_head_bytes(7, 3, ROOT, AT, "k-2026"))
    return fields


@pytest.mark.parametrize(
    "spelling",
    [
        pytest.param(lambda f: json.dumps(f).encode(), id="spaces"),
        pytest.param(lambda f: json.dumps(f, separators=(",", ":")).encode(), id="key order"),
        pytest.param(lambda f: rfc8785.dumps(f) + b"\n", id="trailing newline"),
        pytest.param(lambda f: b" " + rfc8785.dumps(f), id="leading space"),
        pytest.param(
            lambda f: rfc8785.dumps(f).replace(b'"size":3', b'"size":3.0'), id="3.0 for 3"
        ),
    ],
)
def test_parse_refuses_a_head_not_in_canonical_form(spelling: object) -> None:
    fields = _fields()
    fields = {k: fields[k] for k in reversed(sorted(fields))}  # not the canonical key order
    raw = spelling(fields)  # type: ignore[operator]
    assert raw != tree_head_bytes(7, 3, ROOT, AT, "k-2026")
    with pytest.raises(ValueError, match="canonical"):
        TreeHead.parse(raw)


@pytest.mark.parametrize("version", [0, 2, "1", None])
def test_parse_refuses_another_version(version: object) -> None:
    fields = {**_fields(), "v": version}
    with pytest.raises(ValueError, match="version 1"):
        TreeHead.parse(rfc8785.dumps(fields))


def test_parse_refuses_a_head_without_a_version() -> None:
    fields = _fields()
    del fields["v"]
    with pytest.raises(ValueError, match="version 1"):
        TreeHead.parse(rfc8785.dumps(fields))


def test_parse_refuses_bytes_that_are_not_json() -> None:
    with pytest.raises(ValueError):
        TreeHead.parse(b"checkpoint 7")


# ----------------------------------------------------------------------------- against a checkpoint


def chain(n: int) -> list[bytes]:
    return [bytes([i]) * 32 for i in range(1, n + 1)]


def test_a_chain_that_extends_the_checkpoint_is_consistent() -> None:
    assert against_checkpoint(chain(5), 3, chain(5)[2]) is None
    assert against_checkpoint(chain(3), 3, chain(3)[2]) is None
    assert against_checkpoint(chain(1), 1, chain(1)[0]) is None


def test_a_chain_shorter_than_the_checkpoint_is_a_truncated_tail() -> None:
    message = against_checkpoint(chain(2), 4, bytes([4]) * 32)
    assert message is not None
    assert "truncated tail" in message
    assert "seq 4" in message and "ends at 2" in message
    assert "ends at 0" in (against_checkpoint([], 1, HEAD) or "")


def test_a_different_hash_at_the_checkpointed_seq_is_rewritten_history() -> None:
    rewritten = chain(5)
    rewritten[2] = b"\xee" * 32
    message = against_checkpoint(rewritten, 3, chain(5)[2])
    assert message is not None
    assert "rewritten" in message and "seq 3" in message


def test_only_the_checkpointed_seq_is_compared() -> None:
    """Records after the checkpoint are new history, not a rewrite of the checkpointed one."""
    later_changed = chain(5)
    later_changed[4] = b"\xee" * 32
    assert against_checkpoint(later_changed, 3, chain(5)[2]) is None


def test_parse_refuses_true_as_the_version() -> None:
    fields = {**_fields(), "v": True}
    with pytest.raises(ValueError, match="version 1"):
        TreeHead.parse(rfc8785.dumps(fields))


@pytest.mark.parametrize("raw", [b"[1]", b'"head"', b"7", b"null"])
def test_parse_refuses_json_that_is_not_an_object(raw: bytes) -> None:
    with pytest.raises(ValueError):
        TreeHead.parse(raw)


def test_read_leaf_refuses_a_head_that_is_not_hex() -> None:
    with pytest.raises(ValueError):
        read_leaf(b'{"head":"zz","project":"p","seq":1}')
    with pytest.raises(KeyError):
        read_leaf(b'{"project":"p","seq":1}')
