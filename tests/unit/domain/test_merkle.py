"""RFC 6962 Merkle hashing, inclusion and consistency proofs.

The fixed values are the Certificate Transparency reference test vectors (RFC 6962 §2.1): the
eight leaves, the roots of every prefix and the audit/consistency paths of
google/certificate-transparency, cpp/merkletree/merkle_tree_test.cc (``kSHA256Roots``,
``kPathTestVector``, ``kProofTestVector``; also in transparency-dev/merkle's testdata). Every
other size is cross-checked against pymerkle, an independent RFC 6962 implementation.
"""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pymerkle import InmemoryTree

from services.domain import merkle

CT_LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    bytes(range(0x50, 0x58)),
    bytes(range(0x60, 0x70)),
]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
# (0-based leaf index, tree size, audit path) from kPathTestVector (which counts leaves from 1).
CT_PATHS = [
    (0, 1, []),
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
# (old size, new size, proof) from kProofTestVector.
CT_CONSISTENCY = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]

MAX_SIZE = 40
MAX_CONSISTENCY = 33


def leaves(n: int) -> list[bytes]:
    """``n`` distinct leaves (distinct, so no two positions can ever stand in for each other)."""
    return [f"leaf {i}".encode() for i in range(n)]


def hashed(data: list[bytes]) -> list[bytes]:
    return [merkle.leaf_hash(d) for d in data]


def flipped(value: bytes, bit: int = 0) -> bytes:
    return bytes([value[0] ^ (1 << bit), *value[1:]])


@pytest.fixture(scope="module")
def reference() -> InmemoryTree:
    tree = InmemoryTree(algorithm="sha256")
    for data in leaves(MAX_SIZE):
        tree.append_entry(data)
    return tree


# ----------------------------------------------------------------------------- hashing and roots


def test_leaf_and_node_hashes_are_domain_separated() -> None:
    assert merkle.leaf_hash(b"abc") == hashlib.sha256(b"\x00abc").digest()
    left, right = bytes(32), bytes([1]) * 32
    assert merkle.node_hash(left, right) == hashlib.sha256(b"\x01" + left + right).digest()
    # A leaf whose bytes look like two child hashes must not hash like the node above them.
    assert merkle.leaf_hash(left + right) != merkle.node_hash(left, right)


def test_the_empty_tree_hashes_to_sha256_of_nothing() -> None:
    assert merkle.root([]) == hashlib.sha256(b"").digest()
    assert (
        merkle.root([]).hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )


def test_the_certificate_transparency_vector_root() -> None:
    assert (
        merkle.root(hashed(CT_LEAVES)).hex()
        == "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
    )


@pytest.mark.parametrize("size", range(1, len(CT_LEAVES) + 1))
def test_every_prefix_of_the_ct_vector_has_the_reference_root(size: int) -> None:
    assert merkle.root(hashed(CT_LEAVES[:size])).hex() == CT_ROOTS[size - 1]


@pytest.mark.parametrize(("index", "size", "path"), CT_PATHS)
def test_ct_audit_paths(index: int, size: int, path: list[str]) -> None:
    hashes = hashed(CT_LEAVES[:size])
    assert [p.hex() for p in merkle.inclusion_proof(index, hashes)] == path
    implied = merkle.root_from_inclusion(
        index, size, hashes[index], [bytes.fromhex(p) for p in path]
    )
    assert implied.hex() == CT_ROOTS[size - 1]


@pytest.mark.parametrize(("m", "n", "proof"), CT_CONSISTENCY)
def test_ct_consistency_proofs(m: int, n: int, proof: list[str]) -> None:
    hashes = hashed(CT_LEAVES[:n])
    assert [p.hex() for p in merkle.consistency_proof(m, hashes)] == proof
    assert merkle.verify_consistency(
        m,
        n,
        bytes.fromhex(CT_ROOTS[m - 1]),
        bytes.fromhex(CT_ROOTS[n - 1]),
        [bytes.fromhex(p) for p in proof],
    )


def test_ct_leaves_agree_with_pymerkle() -> None:
    tree = InmemoryTree(algorithm="sha256")
    for data in CT_LEAVES:
        tree.append_entry(data)
    for size in range(1, len(CT_LEAVES) + 1):
        assert tree.get_root(size).hex() == CT_ROOTS[size - 1]


@pytest.mark.parametrize("size", range(1, MAX_SIZE + 1))
def test_roots_agree_with_pymerkle(reference: InmemoryTree, size: int) -> None:
    assert merkle.root(hashed(leaves(size))) == reference.get_root(size)


# ----------------------------------------------------------------------------- inclusion


@pytest.mark.parametrize("size", range(1, MAX_SIZE + 1))
def test_every_inclusion_proof_leads_to_the_root(size: int) -> None:
    hashes = hashed(leaves(size))
    root = merkle.root(hashes)
    for index in range(size):
        proof = merkle.inclusion_proof(index, hashes)
        assert merkle.root_from_inclusion(index, size, hashes[index], proof) == root


def _misses(index: int, size: int, leaf: bytes, proof: list[bytes], root: bytes) -> bool:
    """True when ``proof`` does not lead to ``root``, by a different root or by refusing."""
    try:
        return merkle.root_from_inclusion(index, size, leaf, proof) != root
    except ValueError:
        return True


def rfc9162_root(index: int, size: int, leaf: bytes, proof: list[bytes]) -> bytes | None:
    """RFC 9162 §2.1.3.2 verification, the iterative algorithm, written from the RFC text."""
    if index >= size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return None
        if fn % 2 == 1 or fn == sn:
            r = merkle.node_hash(p, r)
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = merkle.node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return r if sn == 0 else None


@pytest.mark.parametrize("size", range(1, MAX_SIZE + 1))
def test_every_inclusion_proof_passes_the_rfc9162_algorithm(size: int) -> None:
    hashes = hashed(leaves(size))
    root = merkle.root(hashes)
    for index in range(size):
        proof = merkle.inclusion_proof(index, hashes)
        assert rfc9162_root(index, size, hashes[index], proof) == root, index


@pytest.mark.parametrize("size", range(2, MAX_SIZE + 1))
def test_an_altered_inclusion_proof_does_not_lead_to_the_root(size: int) -> None:
    hashes = hashed(leaves(size))
    root = merkle.root(hashes)
    for index in range(size):
        proof = merkle.inclusion_proof(index, hashes)
        assert proof, "every tree of two or more leaves has a non-empty audit path"
        for position in range(len(proof)):
            for bit in (0, 7):
                bad = list(proof)
                bad[position] = flipped(bad[position], bit)
                assert _misses(index, size, hashes[index], bad, root), (index, position, bit)
        assert _misses(index, size, flipped(hashes[index]), proof, root)
        assert _misses(index, size, hashes[index], proof[:-1], root)
        assert _misses(index, size, hashes[index], [*proof, bytes(32)], root)
        if len(proof) > 1:
            assert _misses(index, size, hashes[index], list(reversed(proof)), root)
        for other in range(size):
            if other != index:
                assert _misses(other, size, hashes[index], proof, root), (index, other)


@pytest.mark.parametrize("size", [1, 2, 7, 8])
def test_an_index_outside_the_tree_is_refused(size: int) -> None:
    hashes = hashed(leaves(size))
    proof = merkle.inclusion_proof(size - 1, hashes)
    for index in (-1, size, size + 1):
        with pytest.raises(ValueError, match="outside"):
            merkle.root_from_inclusion(index, size, hashes[0], proof)
        with pytest.raises(IndexError):
            merkle.inclusion_proof(index, hashes)


def test_too_long_and_too_short_proofs_are_refused_with_a_reason() -> None:
    hashes = hashed(leaves(5))
    proof = merkle.inclusion_proof(4, hashes)
    with pytest.raises(ValueError, match="too short"):
        merkle.root_from_inclusion(4, 5, hashes[4], proof[:-1])
    with pytest.raises(ValueError, match="too long"):
        merkle.root_from_inclusion(4, 5, hashes[4], [bytes(32), *proof])
    with pytest.raises(ValueError, match="too long"):
        merkle.root_from_inclusion(0, 1, hashes[0], [bytes(32)])


def test_a_proof_walked_as_another_tree_shape_does_not_lead_to_the_root() -> None:
    """The proof carries no size: the signed tree head does. Walked for a size whose path to the
    leaf has another shape, a proof fails. (Sizes of the same shape, e.g. 7 and 8 for leaf 5,
    share one path by construction: that is why verifiers take the size from the signed head.)"""
    hashes = hashed(leaves(8))
    proof = merkle.inclusion_proof(5, hashes)
    root = merkle.root(hashes)
    for size in (6, 9, 16, 33):
        assert _misses(5, size, hashes[5], proof, root), size


# ----------------------------------------------------------------------------- consistency


def test_every_consistency_proof_up_to_33_leaves_verifies() -> None:
    hashes = hashed(leaves(MAX_CONSISTENCY))
    roots = [merkle.root(hashes[:n]) for n in range(MAX_CONSISTENCY + 1)]
    for n in range(1, MAX_CONSISTENCY + 1):
        for m in range(1, n + 1):
            proof = merkle.consistency_proof(m, hashes[:n])
            assert merkle.verify_consistency(m, n, roots[m], roots[n], proof), (m, n)


def test_consistency_proofs_agree_with_pymerkle_on_the_roots(reference: InmemoryTree) -> None:
    hashes = hashed(leaves(MAX_CONSISTENCY))
    for n in (5, 8, 13, 33):
        for m in range(1, n + 1):
            proof = merkle.consistency_proof(m, hashes[:n])
            assert merkle.verify_consistency(
                m, n, reference.get_root(m), reference.get_root(n), proof
            )


def test_a_wrong_old_root_fails_consistency() -> None:
    hashes = hashed(leaves(MAX_CONSISTENCY))
    for n in range(1, MAX_CONSISTENCY + 1):
        new_root = merkle.root(hashes[:n])
        for m in range(1, n + 1):
            proof = merkle.consistency_proof(m, hashes[:n])
            old_root = merkle.root(hashes[:m])
            assert not merkle.verify_consistency(m, n, flipped(old_root), new_root, proof), (m, n)
            assert not merkle.verify_consistency(m, n, old_root, flipped(new_root), proof), (m, n)


def test_a_new_tree_that_rewrote_an_old_leaf_fails_consistency() -> None:
    """The log forked: the new tree holds the first m leaves with one of them changed."""
    original = hashed(leaves(MAX_CONSISTENCY))
    for n in range(2, MAX_CONSISTENCY + 1, 3):
        for m in range(1, n):
            old_root = merkle.root(original[:m])
            for changed in {0, m // 2, m - 1}:
                forked = list(original[:n])
                forked[changed] = merkle.leaf_hash(b"rewritten")
                proof = merkle.consistency_proof(m, forked)
                ok = merkle.verify_consistency(m, n, old_root, merkle.root(forked), proof)
                assert not ok, (m, n, changed)


def test_an_altered_truncated_or_padded_consistency_proof_fails() -> None:
    hashes = hashed(leaves(MAX_CONSISTENCY))
    for n in range(2, MAX_CONSISTENCY + 1):
        new_root = merkle.root(hashes[:n])
        for m in range(1, n):
            old_root = merkle.root(hashes[:m])
            proof = merkle.consistency_proof(m, hashes[:n])
            assert proof
            variants = [proof[:-1], proof[1:], [*proof, bytes(32)], [bytes(32), *proof]]
            for position in range(len(proof)):
                bad = list(proof)
                bad[position] = flipped(bad[position])
                variants.append(bad)
            for bad in variants:
                assert not merkle.verify_consistency(m, n, old_root, new_root, bad), (m, n, bad)


def test_consistency_refuses_impossible_sizes_and_proofs_for_equal_trees() -> None:
    hashes = hashed(leaves(4))
    root = merkle.root(hashes)
    assert merkle.verify_consistency(4, 4, root, root, [])
    assert not merkle.verify_consistency(4, 4, root, root, [bytes(32)])
    assert not merkle.verify_consistency(4, 4, root, flipped(root), [])
    assert not merkle.verify_consistency(0, 4, merkle.root([]), root, [])
    assert not merkle.verify_consistency(5, 4, root, root, [])
    with pytest.raises(ValueError):
        merkle.consistency_proof(0, hashes)
    with pytest.raises(ValueError):
        merkle.consistency_proof(5, hashes)


def test_a_proof_between_other_sizes_does_not_verify() -> None:
    hashes = hashed(leaves(20))
    proof = merkle.consistency_proof(7, hashes[:20])
    old_root, new_root = merkle.root(hashes[:7]), merkle.root(hashes[:20])
    assert merkle.verify_consistency(7, 20, old_root, new_root, proof)
    assert not merkle.verify_consistency(6, 20, old_root, new_root, proof)
    assert not merkle.verify_consistency(8, 20, old_root, new_root, proof)
    assert not merkle.verify_consistency(7, 8, old_root, new_root, proof)
    assert not merkle.verify_consistency(7, 33, old_root, new_root, proof)


# ----------------------------------------------------------------------------- properties


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(max_size=24), min_size=1, max_size=70), st.data())
def test_any_leaves_have_verifying_proofs(data_leaves: list[bytes], data: st.DataObject) -> None:
    hashes = hashed(data_leaves)
    n = len(hashes)
    root = merkle.root(hashes)
    index = data.draw(st.integers(0, n - 1), label="index")
    proof = merkle.inclusion_proof(index, hashes)
    assert merkle.root_from_inclusion(index, n, hashes[index], proof) == root
    assert len(proof) <= (n - 1).bit_length()  # never deeper than ceil(log2 n)
    m = data.draw(st.integers(1, n), label="m")
    assert merkle.verify_consistency(
        m, n, merkle.root(hashes[:m]), root, merkle.consistency_proof(m, hashes)
    )


@settings(max_examples=40, deadline=None)
@given(st.lists(st.binary(max_size=16), min_size=1, max_size=40))
def test_any_leaves_have_the_root_pymerkle_computes(data_leaves: list[bytes]) -> None:
    tree = InmemoryTree(algorithm="sha256")
    for data in data_leaves:
        tree.append_entry(data)
    assert merkle.root(hashed(data_leaves)) == tree.get_root()


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 13, 33])
def test_inclusion_proofs_in_one_pass_equal_one_proof_at_a_time(size: int) -> None:
    hashes = [merkle.leaf_hash(bytes([i])) for i in range(size)]
    for wanted in ([], [0], [size - 1], list(range(size)), list(range(0, size, 3))):
        assert merkle.inclusion_proofs(wanted, hashes) == {
            i: merkle.inclusion_proof(i, hashes) for i in wanted
        }


def test_inclusion_proofs_refuse_an_index_outside_the_tree() -> None:
    hashes = [merkle.leaf_hash(b"a"), merkle.leaf_hash(b"b")]
    with pytest.raises(IndexError):
        merkle.inclusion_proofs([0, 2], hashes)
    with pytest.raises(IndexError):
        merkle.inclusion_proofs([-1], hashes)
