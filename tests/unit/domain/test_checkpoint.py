"""Checkpoint leaves and signed tree heads: canonical bytes, parsing, what a checkpoint reveals."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from typing import Any

import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from services.domain import merkle
from services.domain.checkpoint import (
    StoredLeaf,
    TreeHead,
    audit_log,
    leaf_bytes,
    read_leaf,
    signature_holds,
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


# ----------------------------------------------------------------------------- the stored log


KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
KEYS = {"k-1": KEY.public_key()}


@dataclass(frozen=True)
class Signed:
    number: int
    tree_size: int
    root: bytes
    tree_head: bytes
    key_id: str
    signature: bytes


def log(n: int) -> list[StoredLeaf]:
    return [
        StoredLeaf(
            i,
            f"P-{i % 3}",
            i + 1,
            bytes([i]) * 32,
            leaf_bytes(f"P-{i % 3}", i + 1, bytes([i]) * 32),
        )
        for i in range(n)
    ]


def signed(rows: list[StoredLeaf], number: int = 4, key: Ed25519PrivateKey = KEY) -> Signed:
    root = merkle.root([merkle.leaf_hash(r.leaf) for r in rows])
    head = tree_head_bytes(number, len(rows), root, AT, "k-1")
    return Signed(number, len(rows), root, head, "k-1", key.sign(head))


def test_a_stored_log_that_gives_its_signed_root_passes() -> None:
    rows = log(5)
    assert audit_log(rows, signed(rows), KEYS) is None


def test_an_edited_leaf_no_longer_gives_the_signed_root() -> None:
    rows = log(5)
    head = signed(rows)
    forged = leaf_bytes("P-1", 2, b"\xee" * 32)
    rows[1] = StoredLeaf(1, "P-1", 2, b"\xee" * 32, forged)
    assert audit_log(rows, head, KEYS) == (
        "the log's leaves no longer hash to the root checkpoint 4 signed"
    )


def test_a_leaf_whose_columns_differ_from_its_bytes_is_named() -> None:
    rows = log(5)
    head = signed(rows)
    rows[2] = replace(rows[2], project_id="P-9")
    assert audit_log(rows, head, KEYS) == (
        "leaf 2 of the log was edited: its columns differ from its bytes"
    )


@pytest.mark.parametrize("change", ["removed", "added"])
def test_a_removed_or_added_leaf_is_named(change: str) -> None:
    rows = log(5)
    head = signed(rows)
    if change == "removed":
        del rows[4]
    else:
        rows.append(log(6)[5])
    message = audit_log(rows, head, KEYS)
    assert message is not None and "checkpoint 4 signed 5" in message


def test_a_gap_in_the_indexes_is_named() -> None:
    rows = log(5)
    head = signed(rows)
    rows[3] = replace(rows[3], index=7)
    assert audit_log(rows, head, KEYS) == "leaf 3 of the log is missing"


def test_a_stored_root_column_that_differs_from_the_signed_head_is_named() -> None:
    rows = log(3)
    head = replace(signed(rows), root=b"\x00" * 32)
    assert audit_log(rows, head, KEYS) == (
        "checkpoint 4: the stored columns differ from the signed tree head"
    )


def test_a_tree_head_signed_by_another_key_fails() -> None:
    rows = log(3)
    assert audit_log(rows, signed(rows, key=OTHER_KEY), KEYS) == (
        "checkpoint 4: the signature does not verify"
    )


def test_a_tree_head_of_an_unknown_key_fails() -> None:
    rows = log(3)
    assert audit_log(rows, signed(rows), {}) == (
        "checkpoint 4 is signed by key k-1, which no longer verifies"
    )


def test_a_malformed_stored_head_is_named() -> None:
    rows = log(3)
    head = replace(signed(rows), tree_head=b"not json")
    assert audit_log(rows, head, KEYS) == "checkpoint 4: the stored tree head is malformed"


def test_signature_holds_only_for_the_signed_bytes_and_key() -> None:
    signature = KEY.sign(b"abc")
    assert signature_holds(KEY.public_key(), signature, b"abc")
    assert not signature_holds(KEY.public_key(), signature, b"abd")
    assert not signature_holds(OTHER_KEY.public_key(), signature, b"abc")
    assert not signature_holds(None, signature, b"abc")
