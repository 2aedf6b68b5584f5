"""The inclusion-proof answer: its shape, its strict reading, and its check against a root."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.domain import merkle
from services.domain.transparency.inclusion import InclusionProof, inclusion_proof
from tests.support import transparency as t

HASHES = t.leaf_hashes(7)


def test_the_answer_has_four_fields_with_base64_hashes() -> None:
    answer = inclusion_proof(2, 5, HASHES).as_dict()
    assert list(answer) == ["leaf_index", "tree_size", "leaf_hash", "hashes"]
    assert answer["leaf_index"] == 2 and answer["tree_size"] == 5
    assert base64.b64decode(answer["leaf_hash"]) == HASHES[2]
    path = merkle.inclusion_proof(2, HASHES[:5])
    assert [base64.b64decode(h) for h in answer["hashes"]] == path
    assert InclusionProof.from_dict(answer).verifies(merkle.root(HASHES[:5]))


def test_a_proof_holds_only_for_its_own_tree() -> None:
    proof = inclusion_proof(2, 5, HASHES)
    assert not proof.verifies(merkle.root(HASHES))
    assert not InclusionProof(3, 5, proof.leaf_hash, proof.hashes).verifies(proof.root())
    assert not InclusionProof(2, 5, proof.leaf_hash, proof.hashes[:-1]).verifies(proof.root())
    with pytest.raises(ValueError, match="no tree of size 8"):
        inclusion_proof(2, 8, HASHES)
    with pytest.raises(IndexError):
        inclusion_proof(5, 5, HASHES)


GOOD = inclusion_proof(2, 5, HASHES).as_dict()


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"extra": 1}, "has leaf_index"),
        ({"leaf_index": "2"}, "integers"),
        ({"tree_size": True}, "integers"),
        ({"leaf_index": 5}, "outside the tree"),
        ({"leaf_hash": "not base64!"}, "base64"),
        ({"leaf_hash": HASHES[2].hex()}, "32 bytes"),
        ({"hashes": "abc"}, "list of base64"),
        ({"hashes": [1]}, "base64 strings"),
        ({"hashes": [base64.b64encode(b"short").decode()]}, "32 bytes"),
    ],
)
def test_a_malformed_answer_is_refused(change: dict[str, Any], why: str) -> None:
    with pytest.raises(ValueError, match=why):
        InclusionProof.from_dict({**GOOD, **change})


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_any_leaf_of_any_size_proves_against_its_checkpoint(data: st.DataObject) -> None:
    size = data.draw(st.integers(1, 7), label="size")
    index = data.draw(st.integers(0, size - 1), label="index")
    proof = InclusionProof.from_dict(inclusion_proof(index, size, HASHES).as_dict())
    assert proof.verifies(t.checkpoint(size).root)
