"""The export bundle and its offline verifier, on the committed test vectors and tampered copies.

Every tampering must fail with a finding that says what and where; a file that is not a bundle
at all raises Malformed. Nothing verifies without a key the verifier trusts, and a key carried in
the bundle is never trusted. The CLI is run as a subprocess, as a regulator would run it.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from services.domain import bundle, merkle
from services.domain.bundle import (
    FORMAT,
    Finding,
    Malformed,
    NotACheckpoint,
    first_bad_seq,
    verify,
)
from services.domain.chain import GENESIS, StoredLink, canonical_bytes, chain_hash
from services.domain.checkpoint import TreeHead, leaf_bytes, tree_head_bytes
from tests.support import bundle_vectors as vectors
from tests.support.bundle_vectors import KEY_ID, VECTOR_KEY, VECTOR_PUBLIC_KEY, vector_bundle

ROOT = Path(__file__).resolve().parents[3]
VECTOR_FILE = vectors.PATH
KEPT_FILE = vectors.KEPT_PATH
V1_FILE = vectors.V1_PATH
ROGUE_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(100, 132)))
ROGUE_PUBLIC_KEY = base64.b64encode(
    ROGUE_KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
).decode()
TRUST = {KEY_ID: VECTOR_PUBLIC_KEY}
NO_TRUST = (
    "no trusted key: pass --trust KEY_ID=BASE64 or --trust-file FILE with the operator's public "
    "keys obtained independently (GET /v1/signing-keys); a key carried in a bundle is never trusted"
)


def fresh() -> dict[str, Any]:
    """A copy of the committed vector, to tamper with."""
    return copy.deepcopy(json.loads(VECTOR_FILE.read_text(encoding="utf-8")))


def kept() -> dict[str, Any]:
    """The checkpoint 6 a regulator saved."""
    return copy.deepcopy(json.loads(KEPT_FILE.read_text(encoding="utf-8")))


def failures(
    b: dict[str, Any], trusted: dict[str, str] | None = TRUST, saved: Any = None
) -> list[str]:
    return [f.what for f in verify(b, trusted, saved) if not f.ok]


def the_failure(b: dict[str, Any], needle: str, trusted: dict[str, str] | None = TRUST) -> str:
    """The one failed finding that mentions ``needle``; fails the test when there is none."""
    failed = failures(b, trusted)
    found = [what for what in failed if needle in what]
    assert found, f"no failed finding mentions {needle!r}; failed: {failed}"
    return found[0]


def record_bytes(b: dict[str, Any], seq: int) -> bytes:
    return base64.b64decode(b["records"][seq - 1]["record"])


def put_record_bytes(b: dict[str, Any], seq: int, raw: bytes) -> None:
    b["records"][seq - 1]["record"] = base64.b64encode(raw).decode()


def bodies(b: dict[str, Any]) -> list[dict[str, Any]]:
    return [json.loads(base64.b64decode(r["record"])) for r in b["records"]]


def rechained(b: dict[str, Any], records: list[dict[str, Any]]) -> None:
    """Replace the bundle's records by ``records`` re-sealed from genesis (seq, prev_hash and hash
    recomputed) and fix the manifest: what a forger with write access to the database could do."""
    prev = GENESIS
    out = []
    for seq, body in enumerate(records, 1):
        body = {**body, "seq": seq, "prev_hash": prev.hex()}
        canonical = canonical_bytes(body)
        digest = chain_hash(prev, canonical)
        out.append(
            {
                "seq": seq,
                "record": base64.b64encode(canonical).decode(),
                "prev_hash": prev.hex(),
                "hash": digest.hex(),
            }
        )
        prev = digest
    b["records"] = out
    b["manifest"] = {**b["manifest"], "records": len(out), "head": prev.hex()}


def links_of(b: dict[str, Any]) -> list[StoredLink]:
    return [
        StoredLink(
            r["seq"],
            base64.b64decode(r["record"]),
            bytes.fromhex(r["prev_hash"]),
            bytes.fromhex(r["hash"]),
        )
        for r in b["records"]
    ]


def tree_head_of(b: dict[str, Any]) -> TreeHead:
    return TreeHead.parse(base64.b64decode(b["checkpoint"]["tree_head"]))


def signed_log_bundle(
    b: dict[str, Any],
    leaves: list[bytes],
    mine: list[int],
    number: int,
    key: Ed25519PrivateKey = VECTOR_KEY,
) -> dict[str, Any]:
    """``b``'s records under a log of ``leaves`` signed by ``key`` as checkpoint ``number``; the
    project's leaves are at the indexes ``mine``."""
    hashes = [merkle.leaf_hash(leaf) for leaf in leaves]
    head = tree_head_bytes(number, len(leaves), merkle.root(hashes), vectors.SIGNED_AT, KEY_ID)
    return bundle.build(
        project_id=vectors.PROJECT,
        links=links_of(b),
        tree_head=head,
        signature=key.sign(head),
        key_id=KEY_ID,
        leaves=[bundle.LeafProof(i, leaves[i], merkle.inclusion_proof(i, hashes)) for i in mine],
        consistency=[],
        evidence=[],
        exported_at=vectors.EXPORTED_AT,
    )


def fresh_log_bundle(b: dict[str, Any], key: Ed25519PrivateKey, number: int = 7) -> dict[str, Any]:
    """A new two-leaf log over ``b``'s (rewritten) records, the project's head at its last seq,
    signed by ``key``: what an insider gets by wiping the checkpoint log and letting the
    checkpointer sign afresh (the operator's key), or what a forger makes with a key of their own."""
    links = links_of(b)
    leaves = [*vectors.log_leaves()[:1], leaf_bytes(vectors.PROJECT, len(links), links[-1].hash)]
    return signed_log_bundle(b, leaves, [1], number, key)


def checkpoint_json(b: dict[str, Any]) -> dict[str, Any]:
    """A bundle's checkpoint as ``GET /v1/checkpoints/{n}`` answers it."""
    raw = base64.b64decode(b["checkpoint"]["tree_head"])
    head = TreeHead.parse(raw)
    return {
        "number": head.number,
        "tree_size": head.size,
        "root": head.root.hex(),
        "tree_head": raw.decode(),
        "key_id": b["checkpoint"]["key_id"],
        "signature": b["checkpoint"]["signature"],
        "signed_at": "2026-02-01T00:00:00+00:00",
    }


def kept_inclusion() -> dict[str, Any]:
    """The project's leaf at seq 2 in checkpoint 6, as ``GET /v1/projects/{id}/inclusion``
    answered then: a kept checkpoint that also names the project's head."""
    hashes = vectors.leaf_hashes()[: vectors.KEPT_SIZE]
    leaf = vectors.log_leaves()[1]
    return {
        "checkpoint": kept(),
        "leaf_index": 1,
        "leaf": leaf.decode(),
        "seq": 2,
        "head": json.loads(leaf)["head"],
        "proof": [p.hex() for p in merkle.inclusion_proof(1, hashes)],
    }


# ----------------------------------------------------------------------------- the vectors


def test_the_committed_vectors_are_what_the_builder_makes() -> None:
    """Drift. After a deliberate change: ``python -m tests.support.bundle_vectors``."""
    assert json.loads(VECTOR_FILE.read_text(encoding="utf-8")) == vector_bundle()
    assert VECTOR_FILE.read_text(encoding="utf-8") == vectors.vector_text()
    assert KEPT_FILE.read_text(encoding="utf-8") == vectors.kept_text()


def test_the_vector_is_deterministic() -> None:
    assert vector_bundle() == vector_bundle()
    assert vectors.kept_checkpoint() == vectors.kept_checkpoint()


def test_the_vector_verifies_against_the_trusted_key() -> None:
    findings = verify(fresh(), TRUST)
    assert findings and all(f.ok for f in findings), [f for f in findings if not f.ok]
    texts = " | ".join(f.what for f in findings)
    assert "chain: 4 records link from genesis" in texts
    assert "checkpoint 7 signature verifies with your trusted key vector-2026 (tree of 4" in texts
    assert "(seqs 2, 4)" in texts


def test_the_vector_verifies_against_the_checkpoint_a_regulator_kept() -> None:
    findings = verify(fresh(), TRUST, kept())
    assert all(f.ok for f in findings), [f for f in findings if not f.ok]
    assert any(
        "checkpoint 7 extends the checkpoint 6 you kept (consistency proof)" in f.what
        and "below index 3 (1)" in f.what
        for f in findings
    )


def test_the_vector_does_not_verify_without_a_trusted_key() -> None:
    """Everything else holds; without a key obtained elsewhere that proves nothing."""
    assert failures(fresh(), None) == [NO_TRUST]
    assert failures(fresh(), {}) == [NO_TRUST]


def test_the_vector_has_the_documented_shape() -> None:
    b = fresh()
    assert b["format"] == FORMAT == "qtrail-bundle/2"
    assert b["project"] == "XZ-VECTOR-0001"
    assert [r["seq"] for r in b["records"]] == [1, 2, 3, 4]
    assert b["manifest"] == {"records": 4, "head": b["records"][-1]["hash"], "evidence": 0}
    assert "public_keys" not in b and "inclusion" not in b
    assert len(base64.b64decode(VECTOR_PUBLIC_KEY)) == 32
    head = tree_head_of(b)
    assert (head.number, head.size, head.key_id) == (7, 4, KEY_ID)
    assert [p["leaf_index"] for p in b["leaves"]] == [1, 3]
    assert all(len(p["proof"]) == 2 for p in b["leaves"])  # neither trivial
    assert [base64.b64decode(p["leaf"]) for p in b["leaves"]] == [
        leaf_bytes("XZ-VECTOR-0001", 2, bytes.fromhex(b["records"][1]["hash"])),
        leaf_bytes("XZ-VECTOR-0001", 4, bytes.fromhex(b["manifest"]["head"])),
    ]
    assert [(c["checkpoint"], c["size"], len(c["proof"])) for c in b["consistency"]] == [(6, 3, 3)]
    saved = kept()
    assert (saved["number"], saved["tree_size"], saved["key_id"]) == (6, 3, KEY_ID)


def _rfc9162_inclusion(index: int, size: int, node: bytes, proof: list[bytes]) -> bytes | None:
    """RFC 9162 §2.1.3.2, the iterative inclusion check, written from the RFC text."""
    fn, sn = index, size - 1
    for p in proof:
        if sn == 0:
            return None
        if fn % 2 == 1 or fn == sn:
            node = hashlib.sha256(b"\x01" + p + node).digest()
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            node = hashlib.sha256(b"\x01" + node + p).digest()
        fn, sn = fn >> 1, sn >> 1
    return node if sn == 0 else None


def _rfc9162_consistency(m: int, n: int, old: bytes, new: bytes, proof: list[bytes]) -> bool:
    """RFC 9162 §2.1.4.2, the iterative consistency check, written from the RFC text."""
    if m == n:
        return not proof and old == new
    path = list(proof)
    if m & (m - 1) == 0:  # m is a power of two: the old root is the first node
        path.insert(0, old)
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = hashlib.sha256(b"\x01" + c + fr).digest()
            sr = hashlib.sha256(b"\x01" + c + sr).digest()
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = hashlib.sha256(b"\x01" + sr + c).digest()
        fn, sn = fn >> 1, sn >> 1
    return fr == old and sr == new and sn == 0


def test_an_independent_reading_of_the_format_accepts_the_vector() -> None:
    """The checks of docs/bundle-format.md written from the document, with hashlib and
    cryptography only: no qtrail code, so the format and the implementation cannot drift apart
    unnoticed."""
    b = fresh()
    prev = bytes(32)
    hashes = []
    for n, r in enumerate(b["records"], 1):
        raw = base64.b64decode(r["record"])
        body = json.loads(raw)
        assert r["seq"] == body["seq"] == n
        assert bytes.fromhex(r["prev_hash"]) == prev and body["prev_hash"] == prev.hex()
        assert body["project_id"] == b["project"]
        assert rfc8785.dumps(body) == raw
        prev = hashlib.sha256(prev + raw).digest()
        assert r["hash"] == prev.hex()
        hashes.append(prev)
    assert b["manifest"]["head"] == prev.hex()

    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(VECTOR_PUBLIC_KEY))  # trusted
    head_raw = base64.b64decode(b["checkpoint"]["tree_head"])
    key.verify(bytes.fromhex(b["checkpoint"]["signature"]), head_raw)  # raises if not
    head = json.loads(head_raw)
    assert set(head) == {"v", "checkpoint", "size", "root", "at", "key"} and head["v"] == 1

    for item in b["leaves"]:
        leaf = base64.b64decode(item["leaf"])
        fields = json.loads(leaf)
        assert fields["project"] == b["project"]
        assert hashes[fields["seq"] - 1].hex() == fields["head"]
        node = hashlib.sha256(b"\x00" + leaf).digest()
        proof = [bytes.fromhex(p) for p in item["proof"]]
        assert _rfc9162_inclusion(item["leaf_index"], head["size"], node, proof)
        assert (
            _rfc9162_inclusion(item["leaf_index"], head["size"], node, proof).hex() == head["root"]
        )

    saved = kept()
    old_raw = saved["tree_head"].encode()
    key.verify(bytes.fromhex(saved["signature"]), old_raw)
    old = json.loads(old_raw)
    (proof,) = [c for c in b["consistency"] if c["size"] == old["size"]]
    assert _rfc9162_consistency(
        old["size"],
        head["size"],
        bytes.fromhex(old["root"]),
        bytes.fromhex(head["root"]),
        [bytes.fromhex(p) for p in proof["proof"]],
    )


def test_the_vector_values_the_document_quotes() -> None:
    """docs/bundle-format.md quotes these so another language can check itself."""
    b = fresh()
    doc = (ROOT / "docs" / "bundle-format.md").read_text(encoding="utf-8")
    assert b["manifest"]["head"] in doc
    assert b["records"][1]["hash"] in doc
    assert tree_head_of(b).root.hex() in doc
    assert kept()["root"] in doc
    assert VECTOR_PUBLIC_KEY in doc
    assert b["checkpoint"]["signature"] in doc
    assert kept()["signature"] in doc
    assert base64.b64decode(b["checkpoint"]["tree_head"]).decode() in doc
    for step in b["consistency"][0]["proof"]:
        assert step in doc


# ----------------------------------------------------------------------------- tampered records


def test_one_edited_byte_in_a_record_breaks_the_chain_at_its_seq() -> None:
    b = fresh()
    raw = record_bytes(b, 4)
    assert raw.count(b"LOT-00001") == 1
    put_record_bytes(b, 4, raw.replace(b"LOT-00001", b"LOT-00002"))
    assert the_failure(b, "chain broken") == "chain broken at seq 4: record edited: hash mismatch"


@pytest.mark.parametrize("seq", [1, 2, 3, 4])
def test_an_edit_at_any_seq_is_named(seq: int) -> None:
    b = fresh()
    raw = record_bytes(b, seq)
    put_record_bytes(b, seq, raw.replace(b'"source":"vector"', b'"source":"vectoR"'))
    assert the_failure(b, "chain broken").startswith(f"chain broken at seq {seq}:")
    assert first_bad_seq(verify(b, TRUST)) == seq


def test_an_edited_byte_that_breaks_the_json_is_a_broken_chain() -> None:
    b = fresh()
    raw = record_bytes(b, 2)
    put_record_bytes(b, 2, raw[:-1] + b"]")
    assert the_failure(b, "chain broken") == "chain broken at seq 2: record bytes are not JSON"


def test_a_rewritten_and_resealed_chain_is_named_at_every_leaf_it_contradicts() -> None:
    """The forger recomputes every hash and the manifest: the chain is intact, but both heads the
    checkpoint signed for the project differ; the first names where history changed."""
    b = fresh()
    records = bodies(b)
    records[1]["data"]["org_name"] = "另一家公司"
    rechained(b, records)
    assert failures(b) == [
        "history rewritten: seq 2 is not the head checkpoint 7 (leaf 1) signed",
        "history rewritten: seq 4 is not the head checkpoint 7 (leaf 3) signed",
    ]
    assert first_bad_seq(verify(b, TRUST)) == 2


def test_a_rewrite_after_an_older_leaf_is_named_at_the_newer_leaf_only() -> None:
    b = fresh()
    records = bodies(b)
    records[2]["data"]["signed_on"] = "2026-01-13"  # seq 3
    rechained(b, records)
    assert failures(b) == ["history rewritten: seq 4 is not the head checkpoint 7 (leaf 3) signed"]


def test_a_bundle_that_drops_the_newest_leaf_still_fails_at_the_older_one() -> None:
    """Leaving out the leaf that contradicts the rewrite does not help when an older one does."""
    b = fresh()
    records = bodies(b)
    records[0]["data"]["name"] = "改写的工程"
    rechained(b, records)
    b["leaves"] = b["leaves"][:1]
    assert failures(b) == ["history rewritten: seq 2 is not the head checkpoint 7 (leaf 1) signed"]


def test_a_removed_middle_record_names_the_missing_seq() -> None:
    b = fresh()
    del b["records"][1]
    assert the_failure(b, "chain broken") == "chain broken at seq 2: missing seq 2"
    assert "manifest does not match the records (count or head)" in failures(b)


def test_a_removed_last_record_is_a_truncation_the_checkpoint_reveals() -> None:
    b = fresh()
    del b["records"][-1]
    b["manifest"] = {**b["manifest"], "records": 3, "head": b["records"][-1]["hash"]}
    assert failures(b) == ["truncated: checkpoint 7 (leaf 3) holds seq 4, the bundle ends at 3"]
    assert first_bad_seq(verify(b, TRUST)) == 4


def test_a_cut_and_extended_chain_is_named_at_the_cut() -> None:
    """Seq 4 deleted, two new records sealed in its place: intact links, wrong head at seq 4."""
    b = fresh()
    records = bodies(b)
    records[3]["data"]["lot_code"] = "LOT-00077"
    records.append({**records[3], "event_id": "evt-vector-0005"})
    rechained(b, records)
    assert failures(b) == ["history rewritten: seq 4 is not the head checkpoint 7 (leaf 3) signed"]


def test_a_swapped_pair_breaks_the_chain_where_the_order_breaks() -> None:
    b = fresh()
    b["records"][1], b["records"][2] = b["records"][2], b["records"][1]
    assert the_failure(b, "chain broken").startswith("chain broken at seq 2:")


def test_a_swapped_pair_renumbered_still_breaks_the_chain() -> None:
    b = fresh()
    b["records"][1], b["records"][2] = b["records"][2], b["records"][1]
    b["records"][1]["seq"], b["records"][2]["seq"] = 2, 3
    assert the_failure(b, "chain broken") == "chain broken at seq 2: prev_hash does not link"


def test_a_swapped_pair_relinked_is_named_by_the_leaves() -> None:
    b = fresh()
    records = bodies(b)
    records[1], records[2] = records[2], records[1]
    rechained(b, records)
    assert first_bad_seq(verify(b, TRUST)) == 2


def test_a_record_from_another_project_is_named() -> None:
    b = fresh()
    records = bodies(b)
    records[2]["project_id"] = "XZ-VECTOR-0002"
    rechained(b, records)
    assert the_failure(b, "another project") == ("records at seq [3] belong to another project")
    assert the_failure(b, "history rewritten").startswith("history rewritten: seq 4")


def test_a_record_spliced_in_from_another_project_is_named_and_breaks_the_chain() -> None:
    other = fresh()
    rechained(other, [{**body, "project_id": "XZ-VECTOR-0003"} for body in bodies(other)])
    b = fresh()
    b["records"][1] = other["records"][1]
    assert the_failure(b, "chain broken") == "chain broken at seq 2: prev_hash does not link"
    assert the_failure(b, "another project") == "records at seq [2] belong to another project"


# ----------------------------------------------------------------------------- manifest, evidence


def test_a_manifest_count_that_does_not_match_fails() -> None:
    b = fresh()
    b["manifest"]["records"] = 5
    assert failures(b) == ["manifest does not match the records (count or head)"]


def test_a_manifest_head_that_does_not_match_fails() -> None:
    b = fresh()
    b["manifest"]["head"] = b["records"][2]["hash"]
    assert failures(b) == ["manifest does not match the records (count or head)"]


def test_a_manifest_evidence_count_that_does_not_match_fails() -> None:
    b = fresh()
    b["manifest"]["evidence"] = 1
    assert any("manifest" in what for what in failures(b))


def _with_evidence(content: bytes, claimed: str) -> dict[str, Any]:
    b = fresh()
    b["evidence"] = [{"sha256": claimed, "content": base64.b64encode(content).decode()}]
    b["manifest"]["evidence"] = 1
    return b


def test_evidence_that_matches_its_hash_passes() -> None:
    photo = b"\x89PNG pretend photo"
    digest = hashlib.sha256(photo).hexdigest()
    findings = verify(_with_evidence(photo, digest), TRUST)
    assert all(f.ok for f in findings)
    assert f"evidence {digest[:12]}… matches its hash" in [f.what for f in findings]


def test_evidence_content_that_does_not_match_its_hash_fails() -> None:
    digest = hashlib.sha256(b"the original photo").hexdigest()
    b = _with_evidence(b"a substituted photo", digest)
    assert failures(b) == [f"evidence {digest[:12]}… content does not match its hash"]


def test_evidence_listed_by_hash_only_is_not_checked() -> None:
    b = fresh()
    b["evidence"] = [{"sha256": hashlib.sha256(b"x").hexdigest()}]
    b["manifest"]["evidence"] = 1
    assert failures(b) == []


# ----------------------------------------------------------------------------- checkpoint, leaves


def test_an_altered_tree_head_no_longer_verifies_its_signature() -> None:
    b = fresh()
    head = tree_head_of(b)
    forged = tree_head_bytes(head.number, head.size, bytes(32), vectors.SIGNED_AT, head.key_id)
    b["checkpoint"]["tree_head"] = base64.b64encode(forged).decode()
    failed = failures(b)
    assert "checkpoint 7 signature does not verify" in failed
    assert "leaf 1 (seq 2): inclusion proof does not lead to the signed root" in failed


def test_a_tree_head_claiming_another_number_does_not_verify() -> None:
    b = fresh()
    head = tree_head_of(b)
    forged = tree_head_bytes(8, head.size, head.root, vectors.SIGNED_AT, head.key_id)
    b["checkpoint"]["tree_head"] = base64.b64encode(forged).decode()
    assert failures(b) == ["checkpoint 8 signature does not verify"]


def test_a_tree_head_in_non_canonical_form_is_reported_malformed() -> None:
    b = fresh()
    raw = base64.b64decode(b["checkpoint"]["tree_head"])
    b["checkpoint"]["tree_head"] = base64.b64encode(json.dumps(json.loads(raw)).encode()).decode()
    assert the_failure(b, "tree head").startswith("checkpoint tree head is malformed")


def test_an_altered_signature_does_not_verify() -> None:
    b = fresh()
    sig = bytearray(bytes.fromhex(b["checkpoint"]["signature"]))
    sig[10] ^= 0x01
    b["checkpoint"]["signature"] = sig.hex()
    assert failures(b) == ["checkpoint 7 signature does not verify"]


def test_a_truncated_signature_does_not_verify() -> None:
    b = fresh()
    b["checkpoint"]["signature"] = b["checkpoint"]["signature"][:-2]
    assert failures(b) == ["checkpoint 7 signature does not verify"]


def test_an_altered_inclusion_proof_does_not_lead_to_the_signed_root() -> None:
    b = fresh()
    step = bytearray(bytes.fromhex(b["leaves"][1]["proof"][0]))
    step[0] ^= 0x80
    b["leaves"][1]["proof"][0] = step.hex()
    assert failures(b) == ["leaf 3 (seq 4): inclusion proof does not lead to the signed root"]


def test_a_lengthened_or_emptied_inclusion_proof_is_malformed() -> None:
    b = fresh()
    b["leaves"][1]["proof"].append("00" * 32)
    assert failures(b) == ["leaf 3 (seq 4): inclusion proof is malformed: proof too long"]
    b["leaves"][1]["proof"] = []
    assert failures(b) == ["leaf 3 (seq 4): inclusion proof is malformed: proof too short"]


def test_an_altered_leaf_index_does_not_lead_to_the_signed_root() -> None:
    b = fresh()
    b["leaves"][1]["leaf_index"] = 2
    assert failures(b) == ["leaf 2 (seq 4): inclusion proof does not lead to the signed root"]
    b["leaves"][1]["leaf_index"] = 4
    assert failures(b) == ["leaf 4 (seq 4): inclusion proof is malformed: index outside the tree"]


def test_another_projects_leaf_is_named() -> None:
    b = fresh()
    leaves = vectors.log_leaves()
    b["leaves"][0] = {
        "leaf_index": 0,
        "leaf": base64.b64encode(leaves[0]).decode(),
        "proof": [p.hex() for p in merkle.inclusion_proof(0, vectors.leaf_hashes())],
    }
    assert failures(b) == ["leaf 0 names project XZ-VECTOR-0002"]


def test_a_bundle_without_leaves_is_not_covered_by_any_checkpoint() -> None:
    b = fresh()
    b["leaves"] = []
    assert failures(b) == ["no leaf: no signed checkpoint covers project XZ-VECTOR-0001"]


def test_a_leaf_for_a_rewritten_head_does_not_lead_to_the_signed_root() -> None:
    """The forger rewrote the chain and made matching leaves: the signed root refuses them."""
    b = fresh()
    records = bodies(b)
    records[0]["data"]["name"] = "改写的工程"
    rechained(b, records)
    for item, seq in zip(b["leaves"], (2, 4), strict=True):
        item["leaf"] = base64.b64encode(
            leaf_bytes(vectors.PROJECT, seq, bytes.fromhex(b["records"][seq - 1]["hash"]))
        ).decode()
    assert failures(b) == [
        "leaf 1 (seq 2): inclusion proof does not lead to the signed root",
        "leaf 3 (seq 4): inclusion proof does not lead to the signed root",
    ]


def test_a_leaf_that_is_not_a_leaf_is_named() -> None:
    b = fresh()
    b["leaves"][0]["leaf"] = base64.b64encode(b"[1]").decode()
    assert the_failure(b, "leaf 1").startswith("leaf 1 is malformed")


# ----------------------------------------------------------------------------- keys and trust


def test_a_key_the_bundle_carries_is_never_trusted() -> None:
    """A forged bundle over a rewritten chain, its own log signed by a key the forger made and
    ships in the bundle: without a trusted key it fails; with the real key it fails too."""
    b = fresh()
    records = bodies(b)
    records[3]["data"]["lot_code"] = "LOT-99999"
    rechained(b, records)
    forged = fresh_log_bundle(b, ROGUE_KEY)
    forged["public_keys"] = {KEY_ID: ROGUE_PUBLIC_KEY}
    assert failures(forged, None) == [NO_TRUST]
    assert failures(forged, TRUST) == ["checkpoint 7 signature does not verify"]


def test_a_trusted_key_list_without_the_signing_key_fails() -> None:
    assert failures(fresh(), {"another-key": VECTOR_PUBLIC_KEY}) == [
        f"checkpoint 7 is signed by key {KEY_ID}, not one you trust"
    ]


def test_a_trusted_key_that_is_not_a_key_is_named() -> None:
    assert failures(fresh(), {KEY_ID: VECTOR_PUBLIC_KEY, "bad": "not base64!"}) == [
        "trusted key bad is not a base64 Ed25519 key"
    ]
    assert "trusted key short is not a base64 Ed25519 key" in failures(
        fresh(), {"short": base64.b64encode(b"too short").decode()}
    )


def test_a_tree_head_naming_another_key_fails() -> None:
    b = fresh()
    b["checkpoint"]["key_id"] = "rogue-2026"
    assert failures(b, {**TRUST, "rogue-2026": VECTOR_PUBLIC_KEY}) == [
        "tree head names another key than the checkpoint"
    ]


# ----------------------------------------------------------------------------- a kept checkpoint


def test_a_bundle_without_a_proof_from_the_kept_checkpoint_says_how_to_get_one() -> None:
    b = fresh()
    b["consistency"] = []
    assert failures(b, TRUST, kept()) == [
        "the bundle carries no consistency proof from the checkpoint 6 you kept (3 heads): export "
        "it with `qtrail export XZ-VECTOR-0001 --since 6` "
        "(GET /v1/projects/XZ-VECTOR-0001/export?since=6)"
    ]


def test_an_altered_consistency_proof_fails() -> None:
    b = fresh()
    step = bytearray(bytes.fromhex(b["consistency"][0]["proof"][1]))
    step[5] ^= 0x10
    b["consistency"][0]["proof"][1] = step.hex()
    assert failures(b, TRUST, kept()) == [
        "checkpoint 7 does not extend the checkpoint 6 you kept: the log was rewritten since"
    ]


def test_a_kept_checkpoint_with_another_root_is_not_extended() -> None:
    """The log was rewritten under the same numbers and re-signed: the kept root tells."""
    saved = kept()
    head = tree_head_bytes(6, 3, b"\x07" * 32, vectors.KEPT_SIGNED_AT, KEY_ID)
    saved |= {"tree_head": head.decode(), "signature": VECTOR_KEY.sign(head).hex()}
    assert failures(fresh(), TRUST, saved) == [
        "checkpoint 7 does not extend the checkpoint 6 you kept: the log was rewritten since"
    ]


def test_a_kept_checkpoint_must_verify_with_a_trusted_key() -> None:
    saved = kept()
    saved["signature"] = ROGUE_KEY.sign(saved["tree_head"].encode()).hex()
    assert failures(fresh(), TRUST, saved) == [
        "the checkpoint 6 you kept: its signature does not verify"
    ]
    other = {**TRUST, "other": ROGUE_PUBLIC_KEY}
    head = json.loads(kept()["tree_head"]) | {"key": "other"}
    raw = rfc8785.dumps(head)
    saved = kept() | {"tree_head": raw.decode(), "signature": ROGUE_KEY.sign(raw).hex()}
    assert failures(fresh(), TRUST, saved) == [
        "the checkpoint 6 you kept is signed by key other, not one you trust"
    ]
    assert failures(fresh(), other, saved) == []


def test_the_kept_checkpoint_is_ignored_for_unsigned_fields() -> None:
    """Only the signed tree head counts: the JSON's own size and root are informational."""
    saved = kept() | {"tree_size": 1, "root": "00" * 32}
    assert failures(fresh(), TRUST, saved) == []


def test_a_kept_checkpoint_of_the_same_size_must_be_the_same_tree() -> None:
    b = fresh()
    assert failures(b, TRUST, checkpoint_json(b)) == []
    leaves = vectors.log_leaves()
    leaves[2] = leaf_bytes("XZ-VECTOR-0003", 3, b"\x09" * 32)  # another project's leaf changed
    other = signed_log_bundle(b, leaves, [1, 3], number=7)
    assert failures(other, TRUST) == []
    assert failures(other, TRUST, checkpoint_json(b)) == [
        "the checkpoint 7 you kept and checkpoint 7 have the same size but other roots "
        "(the log was rewritten)"
    ]


def test_a_bundle_whose_log_is_smaller_than_the_kept_one_fails() -> None:
    shrunk = fresh_log_bundle(fresh(), VECTOR_KEY, number=3)
    assert failures(shrunk, TRUST) == []
    assert failures(shrunk, TRUST, checkpoint_json(fresh())) == [
        "the log shrank: the checkpoint 7 you kept holds 4 heads, checkpoint 3 of the bundle, "
        "signed later, only 2 (the log was cut or rewritten)"
    ]


def test_a_bundle_older_than_the_kept_checkpoint_asks_for_a_new_export() -> None:
    later = checkpoint_json(fresh())
    head = json.loads(later["tree_head"]) | {"at": "2026-03-01T00:00:00.000000Z"}
    raw = rfc8785.dumps(head)
    later |= {"tree_head": raw.decode(), "signature": VECTOR_KEY.sign(raw).hex()}
    older = fresh_log_bundle(fresh(), VECTOR_KEY, number=3)
    assert failures(older, TRUST, later) == [
        "the checkpoint 7 you kept is newer than checkpoint 3 of the bundle: export a new bundle "
        "with `qtrail export XZ-VECTOR-0001 --since 7`"
    ]


def test_a_wiped_and_resigned_log_is_exposed_only_by_the_kept_checkpoint() -> None:
    """The insider rewrote seq 3 and 4, wiped the checkpoint log and let the checkpointer sign a
    fresh one with the operator's own key: the bundle verifies against the trusted key alone. The
    checkpoint the regulator kept exposes it: the log shrank (checkpoint numbers restarted), and
    the kept leaf names the seq."""
    b = fresh()
    records = bodies(b)
    records[2]["data"]["signed_on"] = "2026-01-13"
    rechained(b, records)
    wiped = fresh_log_bundle(b, VECTOR_KEY, number=1)
    assert failures(wiped, TRUST) == []
    assert failures(wiped, TRUST, kept()) == [
        "the log shrank: the checkpoint 6 you kept holds 3 heads, checkpoint 1 of the bundle, "
        "signed later, only 2 (the log was cut or rewritten)"
    ]
    assert failures(fresh(), TRUST, kept_inclusion()) == []
    failed = failures(wiped, TRUST, kept_inclusion())
    assert failed[0].startswith("the log shrank")
    assert len(failed) == 1  # seq 2 is untouched: the kept leaf still holds
    records[1]["data"]["org_name"] = "另一家公司"
    rechained(b, records)
    findings = verify(fresh_log_bundle(b, VECTOR_KEY, number=1), TRUST, kept_inclusion())
    assert "history rewritten: seq 2 is not the head the checkpoint 6 you kept signed" in [
        f.what for f in findings if not f.ok
    ]
    assert first_bad_seq(findings) == 2


def test_a_kept_leaf_of_another_tree_or_project_is_named() -> None:
    saved = kept_inclusion()
    saved["leaf_index"] = 0
    assert failures(fresh(), TRUST, saved) == [
        "the leaf you kept is not in the checkpoint 6 you kept"
    ]
    saved = kept_inclusion()
    saved["leaf"] = vectors.log_leaves()[0].decode()
    assert failures(fresh(), TRUST, saved) == ["the leaf you kept is of project XZ-VECTOR-0002"]


@pytest.mark.parametrize(
    "saved",
    [
        pytest.param([], id="a list"),
        pytest.param({"number": 6}, id="no tree head"),
        pytest.param({"tree_head": "{}", "signature": "00"}, id="not a tree head"),
        pytest.param({"leaf": "x", "checkpoint": {}}, id="an inclusion without a checkpoint"),
    ],
)
def test_a_kept_file_that_is_not_a_checkpoint_raises(saved: Any) -> None:
    with pytest.raises(NotACheckpoint):
        verify(fresh(), TRUST, saved)


# ----------------------------------------------------------------------------- format 1


def v1() -> dict[str, Any]:
    return copy.deepcopy(json.loads(V1_FILE.read_text(encoding="utf-8")))


def test_a_format_1_bundle_still_verifies_against_the_trusted_key() -> None:
    findings = verify(v1(), TRUST)
    assert all(f.ok for f in findings), [f for f in findings if not f.ok]
    assert any("only the project's newest leaf" in f.what for f in findings)


def test_a_format_1_bundle_does_not_trust_its_own_keys() -> None:
    assert failures(v1(), None) == [NO_TRUST]
    b = v1()
    raw = base64.b64decode(b["checkpoint"]["tree_head"])
    b["checkpoint"]["signature"] = ROGUE_KEY.sign(raw).hex()
    b["public_keys"][KEY_ID] = ROGUE_PUBLIC_KEY
    assert failures(b, TRUST) == [
        f"public key {KEY_ID} is not the one you trust (substituted?)",
        "checkpoint 7 signature does not verify",
    ]


# ----------------------------------------------------------------------------- not bundles


@pytest.mark.parametrize(
    "not_a_bundle",
    [
        pytest.param([], id="a list"),
        pytest.param("qtrail-bundle/2", id="a string"),
        pytest.param(None, id="null"),
        pytest.param(42, id="a number"),
        pytest.param({}, id="an empty object"),
        pytest.param({"format": "qtrail-bundle/3"}, id="another version"),
    ],
)
def test_what_is_not_a_bundle_object_raises_malformed(not_a_bundle: object) -> None:
    with pytest.raises(Malformed, match="not a qtrail-bundle/2"):
        verify(not_a_bundle, TRUST)


def test_a_wrong_format_string_raises_malformed() -> None:
    b = fresh()
    b["format"] = "qtrail-bundle/0"
    with pytest.raises(Malformed):
        verify(b, TRUST)


@pytest.mark.parametrize("part", ["project", "records", "checkpoint", "leaves", "manifest"])
def test_a_bundle_missing_a_part_raises_malformed(part: str) -> None:
    b = fresh()
    del b[part]
    with pytest.raises(Malformed, match="missing or malformed part"):
        verify(b, TRUST)


@pytest.mark.parametrize(
    ("where", "field"),
    [
        ("checkpoint", "tree_head"),
        ("checkpoint", "signature"),
        ("checkpoint", "key_id"),
        ("leaf", "leaf"),
        ("leaf", "proof"),
        ("leaf", "leaf_index"),
        ("consistency", "proof"),
        ("consistency", "size"),
    ],
)
def test_a_bundle_missing_a_field_raises_malformed(where: str, field: str) -> None:
    b = fresh()
    part = {"leaf": b["leaves"][0], "consistency": b["consistency"][0]}.get(where) or b[where]
    del part[field]
    with pytest.raises(Malformed):
        verify(b, TRUST)


@pytest.mark.parametrize(
    ("where", "field", "value"),
    [
        ("checkpoint", "signature", "not hex"),
        ("checkpoint", "tree_head", "not base64!"),
        ("leaf", "proof", ["zz"]),
        ("consistency", "proof", ["zz"]),
    ],
)
def test_a_bundle_with_an_undecodable_field_raises_malformed(
    where: str, field: str, value: object
) -> None:
    b = fresh()
    part = {"leaf": b["leaves"][0], "consistency": b["consistency"][0]}.get(where) or b[where]
    part[field] = value
    with pytest.raises(Malformed):
        verify(b, TRUST)


def test_a_record_entry_that_is_not_an_object_raises_malformed() -> None:
    b = fresh()
    b["records"][1] = "seq 2"
    with pytest.raises(Malformed):
        verify(b, TRUST)


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(
            lambda b: b["checkpoint"].update(tree_head=base64.b64encode(b"[1]").decode()),
            id="tree head is a JSON array",
        ),
        pytest.param(
            lambda b: b["leaves"][0].update(leaf=base64.b64encode(b"[1]").decode()),
            id="leaf is a JSON array",
        ),
        pytest.param(
            lambda b: b["records"][1].update(record=base64.b64encode(b"[2]").decode()),
            id="record bytes are a JSON array",
        ),
        pytest.param(lambda b: b.update(manifest=[4]), id="manifest is a list"),
        pytest.param(lambda b: b.update(leaves={}), id="leaves are an object"),
    ],
)
def test_parts_of_the_wrong_json_type_are_reported_not_raised(tamper: Any) -> None:
    b = fresh()
    tamper(b)
    try:
        findings = verify(b, TRUST)
    except Malformed:
        return
    assert any(not f.ok for f in findings)


def test_findings_are_plain_values() -> None:
    assert Finding(True, "x") == Finding(True, "x")
    with pytest.raises(AttributeError):
        Finding(True, "x").ok = False  # type: ignore[misc]


# ----------------------------------------------------------------------------- the CLI


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "services.cli.main", "verify-bundle", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_cli_verifies_the_vector_against_a_trusted_key() -> None:
    result = run_cli(str(VECTOR_FILE), "--trust", f"{KEY_ID}={VECTOR_PUBLIC_KEY}")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert "VERIFIED" in lines[-1]
    assert all(line.startswith("ok ") for line in lines[:-1])


def test_cli_refuses_to_verify_without_a_trusted_key() -> None:
    result = run_cli(str(VECTOR_FILE))
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"FAIL {NO_TRUST}" in result.stdout.splitlines()
    assert "VERIFIED" not in result.stdout


def test_cli_takes_keys_from_a_saved_signing_keys_answer(tmp_path: Path) -> None:
    saved = tmp_path / "signing-keys.json"
    saved.write_text(json.dumps({"active": KEY_ID, "keys": TRUST}), encoding="utf-8")
    result = run_cli(str(VECTOR_FILE), "--trust-file", str(saved))
    assert result.returncode == 0, result.stdout + result.stderr
    plain = tmp_path / "keys.json"
    plain.write_text(json.dumps(TRUST), encoding="utf-8")
    assert run_cli(str(VECTOR_FILE), "--trust-file", str(plain)).returncode == 0


def test_cli_checks_against_a_kept_checkpoint(tmp_path: Path) -> None:
    trust = f"{KEY_ID}={VECTOR_PUBLIC_KEY}"
    result = run_cli(str(VECTOR_FILE), "--trust", trust, "--checkpoint", str(KEPT_FILE))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "extends the checkpoint 6 you kept" in result.stdout
    b = fresh()
    b["consistency"] = []
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps(b), encoding="utf-8")
    result = run_cli(str(bare), "--trust", trust, "--checkpoint", str(KEPT_FILE))
    assert result.returncode == 1
    assert "--since 6" in result.stdout


def test_cli_fails_a_tampered_copy_naming_the_first_bad_seq(tmp_path: Path) -> None:
    b = fresh()
    put_record_bytes(b, 3, record_bytes(b, 3).replace(b"2026-01-12", b"2026-01-13", 1))
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(b, ensure_ascii=False), encoding="utf-8")
    result = run_cli(str(tampered), "--trust", f"{KEY_ID}={VECTOR_PUBLIC_KEY}")
    assert result.returncode == 1, result.stdout + result.stderr
    fails = [line for line in result.stdout.splitlines() if line.startswith("FAIL")]
    assert fails == ["FAIL chain broken at seq 3: record edited: hash mismatch"]
    assert result.stdout.strip().splitlines()[-1].endswith("1 check(s) FAILED, first bad seq 3")


@pytest.mark.parametrize("given", ["no-equals-sign", "=abc", "kid="])
def test_cli_says_a_malformed_trust_argument_is_bad_usage(given: str) -> None:
    result = run_cli(str(VECTOR_FILE), "--trust", given)
    assert result.returncode == 2
    assert "not KEY_ID=BASE64" in result.stderr


def test_cli_says_a_kept_file_that_is_not_a_checkpoint_is_bad_input(tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    other.write_text('{"number": 6}', encoding="utf-8")
    result = run_cli(
        str(VECTOR_FILE), "--trust", f"{KEY_ID}={VECTOR_PUBLIC_KEY}", "--checkpoint", str(other)
    )
    assert result.returncode == 2
    assert "is not a checkpoint" in result.stderr


@pytest.mark.parametrize(
    "content", ['["not", "a", "bundle"]', '{"format": "zip"}', "not json at all", ""]
)
def test_cli_says_a_non_bundle_is_not_a_bundle(tmp_path: Path, content: str) -> None:
    path = tmp_path / "other.json"
    path.write_text(content, encoding="utf-8")
    result = run_cli(str(path), "--trust", f"{KEY_ID}={VECTOR_PUBLIC_KEY}")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "is not a bundle" in result.stderr
    assert result.stdout == ""


def test_cli_says_a_missing_file_cannot_be_read(tmp_path: Path) -> None:
    result = run_cli(str(tmp_path / "absent.json"), "--trust", f"{KEY_ID}={VECTOR_PUBLIC_KEY}")
    assert result.returncode == 2
    assert "cannot read" in result.stderr
