"""The export bundle and its offline verifier, on the committed test vector and tampered copies.

Every tampering must fail with a finding that says what and where; a file that is not a bundle
at all raises Malformed. The CLI is run as a subprocess, as a regulator would run it.
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
from services.domain.bundle import FORMAT, Finding, Malformed, verify
from services.domain.chain import GENESIS, StoredLink, canonical_bytes, chain_hash
from services.domain.checkpoint import TreeHead, leaf_bytes, tree_head_bytes
from tests.support import bundle_vectors as vectors
from tests.support.bundle_vectors import KEY_ID, VECTOR_PUBLIC_KEY, vector_bundle

ROOT = Path(__file__).resolve().parents[3]
VECTOR_FILE = ROOT / "docs" / "vectors" / "bundle-v1.json"
ROGUE_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(100, 132)))
ROGUE_PUBLIC_KEY = base64.b64encode(
    ROGUE_KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
).decode()
TRUST = {KEY_ID: VECTOR_PUBLIC_KEY}


def fresh() -> dict[str, Any]:
    """A copy of the committed vector, to tamper with."""
    return copy.deepcopy(json.loads(VECTOR_FILE.read_text(encoding="utf-8")))


def failures(b: dict[str, Any], trusted: dict[str, str] | None = None) -> list[str]:
    return [f.what for f in verify(b, trusted) if not f.ok]


def the_failure(b: dict[str, Any], needle: str, trusted: dict[str, str] | None = None) -> str:
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


def tree_head_of(b: dict[str, Any]) -> TreeHead:
    return TreeHead.parse(base64.b64decode(b["checkpoint"]["tree_head"]))


def sign_again(b: dict[str, Any], key: Ed25519PrivateKey, public_key: str) -> None:
    """Re-sign the bundle's tree head with ``key`` and ship ``public_key`` under the same key id."""
    raw = base64.b64decode(b["checkpoint"]["tree_head"])
    b["checkpoint"]["signature"] = key.sign(raw).hex()
    b["public_keys"][KEY_ID] = public_key


# ----------------------------------------------------------------------------- the vector


def test_the_committed_vector_is_what_the_builder_makes() -> None:
    """Drift. After a deliberate change: ``python -m tests.support.bundle_vectors``."""
    assert json.loads(VECTOR_FILE.read_text(encoding="utf-8")) == vector_bundle()
    assert VECTOR_FILE.read_text(encoding="utf-8") == vectors.vector_text()


def test_the_vector_is_deterministic() -> None:
    assert vector_bundle() == vector_bundle()


def test_the_vector_verifies() -> None:
    findings = verify(fresh())
    assert findings and all(f.ok for f in findings), [f for f in findings if not f.ok]
    texts = " | ".join(f.what for f in findings)
    assert "chain: 4 records link from genesis" in texts
    assert "checkpoint 7 signature verifies (tree of 3 heads)" in texts
    assert "the chain at seq 4 is the checkpointed head" in texts
    assert "inclusion proof leads to the signed root" in texts
    assert "pass --trust" in texts  # the key came from the bundle itself


def test_the_vector_verifies_against_the_trusted_key() -> None:
    findings = verify(fresh(), TRUST)
    assert findings and all(f.ok for f in findings), [f for f in findings if not f.ok]
    assert not any("pass --trust" in f.what for f in findings)


def test_the_vector_has_the_documented_shape() -> None:
    b = fresh()
    assert b["format"] == FORMAT == "qtrail-bundle/1"
    assert b["project"] == "XZ-VECTOR-0001"
    assert [r["seq"] for r in b["records"]] == [1, 2, 3, 4]
    assert b["manifest"] == {"records": 4, "head": b["records"][-1]["hash"], "evidence": 0}
    assert b["public_keys"] == {KEY_ID: VECTOR_PUBLIC_KEY}
    assert len(base64.b64decode(VECTOR_PUBLIC_KEY)) == 32
    head = tree_head_of(b)
    assert (head.number, head.size, head.key_id) == (7, 3, KEY_ID)
    assert b["inclusion"]["leaf_index"] == 2
    assert len(b["inclusion"]["proof"]) == 1  # not trivial: the node over the other two heads
    leaf = base64.b64decode(b["inclusion"]["leaf"])
    assert leaf == leaf_bytes("XZ-VECTOR-0001", 4, bytes.fromhex(b["manifest"]["head"]))


def test_an_independent_reading_of_the_format_accepts_the_vector() -> None:
    """The checks of docs/bundle-format.md written from the document, with hashlib and
    cryptography only: no qtrail code, so the format and the implementation cannot drift apart
    unnoticed."""
    b = fresh()
    prev = bytes(32)
    for n, r in enumerate(b["records"], 1):
        raw = base64.b64decode(r["record"])
        body = json.loads(raw)
        assert r["seq"] == body["seq"] == n
        assert bytes.fromhex(r["prev_hash"]) == prev and body["prev_hash"] == prev.hex()
        assert body["project_id"] == b["project"]
        assert rfc8785.dumps(body) == raw
        prev = hashlib.sha256(prev + raw).digest()
        assert r["hash"] == prev.hex()
    assert b["manifest"]["head"] == prev.hex()

    head_raw = base64.b64decode(b["checkpoint"]["tree_head"])
    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(b["public_keys"][KEY_ID]))
    key.verify(bytes.fromhex(b["checkpoint"]["signature"]), head_raw)  # raises if not
    head = json.loads(head_raw)
    assert set(head) == {"v", "checkpoint", "size", "root", "at", "key"} and head["v"] == 1

    leaf = base64.b64decode(b["inclusion"]["leaf"])
    assert json.loads(leaf) == {"project": b["project"], "seq": 4, "head": prev.hex()}
    node = hashlib.sha256(b"\x00" + leaf).digest()
    index, size = b["inclusion"]["leaf_index"], head["size"]
    # RFC 9162 §2.1.3.2, the iterative form of the inclusion walk
    fn, sn = index, size - 1
    for p in map(bytes.fromhex, b["inclusion"]["proof"]):
        if fn % 2 == 1 or fn == sn:
            node = hashlib.sha256(b"\x01" + p + node).digest()
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            node = hashlib.sha256(b"\x01" + node + p).digest()
        fn, sn = fn >> 1, sn >> 1
    assert sn == 0
    assert node.hex() == head["root"]


def test_the_vector_values_the_document_quotes() -> None:
    """docs/bundle-format.md quotes these so another language can check itself."""
    b = fresh()
    doc = (ROOT / "docs" / "bundle-format.md").read_text(encoding="utf-8")
    assert b["manifest"]["head"] in doc
    assert tree_head_of(b).root.hex() in doc
    assert VECTOR_PUBLIC_KEY in doc
    assert b["checkpoint"]["signature"] in doc


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


def test_an_edited_byte_that_breaks_the_json_is_a_broken_chain() -> None:
    b = fresh()
    raw = record_bytes(b, 2)
    put_record_bytes(b, 2, raw[:-1] + b"]")
    assert the_failure(b, "chain broken") == "chain broken at seq 2: record bytes are not JSON"


def test_a_rewritten_and_resealed_chain_is_caught_by_the_checkpoint() -> None:
    """The forger recomputes every hash and the manifest: the chain is intact, but it no longer
    ends in the head the signed checkpoint holds."""
    b = fresh()
    records = bodies(b)
    records[1]["data"]["org_name"] = "另一家公司"
    rechained(b, records)
    assert failures(b) == ["the chain at seq 4 differs from the checkpointed head (rewritten)"]


def test_a_removed_middle_record_names_the_missing_seq() -> None:
    b = fresh()
    del b["records"][1]
    assert the_failure(b, "chain broken") == "chain broken at seq 2: missing seq 2"
    assert "manifest does not match the records (count or head)" in failures(b)


def test_a_removed_last_record_is_a_truncation_the_checkpoint_reveals() -> None:
    b = fresh()
    del b["records"][-1]
    b["manifest"] = {**b["manifest"], "records": 3, "head": b["records"][-1]["hash"]}
    assert failures(b) == ["truncated: the checkpoint holds seq 4, the bundle ends at 3"]


def test_a_swapped_pair_breaks_the_chain_where_the_order_breaks() -> None:
    b = fresh()
    b["records"][1], b["records"][2] = b["records"][2], b["records"][1]
    assert the_failure(b, "chain broken").startswith("chain broken at seq 2:")


def test_a_swapped_pair_renumbered_still_breaks_the_chain() -> None:
    b = fresh()
    b["records"][1], b["records"][2] = b["records"][2], b["records"][1]
    b["records"][1]["seq"], b["records"][2]["seq"] = 2, 3
    assert the_failure(b, "chain broken") == "chain broken at seq 2: prev_hash does not link"


def test_a_record_from_another_project_is_named() -> None:
    b = fresh()
    records = bodies(b)
    records[2]["project_id"] = "XZ-VECTOR-0002"
    rechained(b, records)
    assert the_failure(b, "another project") == ("records at seq [3] belong to another project")
    assert the_failure(b, "checkpointed head").endswith("(rewritten)")


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
    findings = verify(_with_evidence(photo, digest))
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


# ----------------------------------------------------------------------------- checkpoint, proof


def test_an_altered_tree_head_no_longer_verifies_its_signature() -> None:
    b = fresh()
    head = tree_head_of(b)
    forged = tree_head_bytes(head.number, head.size, bytes(32), vectors.SIGNED_AT, head.key_id)
    b["checkpoint"]["tree_head"] = base64.b64encode(forged).decode()
    failed = failures(b)
    assert "checkpoint 7 signature does not verify" in failed
    assert "inclusion proof does not lead to the signed root" in failed


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
    step = bytearray(bytes.fromhex(b["inclusion"]["proof"][0]))
    step[0] ^= 0x80
    b["inclusion"]["proof"][0] = step.hex()
    assert failures(b) == ["inclusion proof does not lead to the signed root"]


def test_a_lengthened_or_emptied_inclusion_proof_is_malformed() -> None:
    b = fresh()
    b["inclusion"]["proof"].append("00" * 32)
    assert failures(b) == ["inclusion proof is malformed: proof too long"]
    b["inclusion"]["proof"] = []
    assert failures(b) == ["inclusion proof is malformed: proof too short"]


def test_an_altered_leaf_index_does_not_lead_to_the_signed_root() -> None:
    b = fresh()
    b["inclusion"]["leaf_index"] = 1
    assert failures(b) == ["inclusion proof is malformed: proof too short"]
    b["inclusion"]["leaf_index"] = 3
    assert failures(b) == ["inclusion proof is malformed: index outside the tree"]


def test_every_other_leaf_index_fails() -> None:
    """By another root or by a path of the wrong shape: either way, the inclusion check fails."""
    for index in (0, 1):
        b = fresh()
        b["inclusion"]["leaf_index"] = index
        assert [f for f in failures(b) if f.startswith("inclusion proof")], index


def test_another_projects_leaf_is_named() -> None:
    b = fresh()
    leaves = vectors.log_leaves()
    hashes = [merkle.leaf_hash(leaf) for leaf in leaves]
    b["inclusion"] = {
        "leaf_index": 0,
        "leaf": base64.b64encode(leaves[0]).decode(),
        "proof": [p.hex() for p in merkle.inclusion_proof(0, hashes)],
    }
    failed = failures(b)
    assert "checkpointed leaf names XZ-VECTOR-0002" in failed
    assert "the chain at seq 9 differs" not in " ".join(failed)
    assert "truncated: the checkpoint holds seq 9, the bundle ends at 4" in failed


def test_a_leaf_for_a_rewritten_head_does_not_lead_to_the_signed_root() -> None:
    """The forger rewrote the chain and made a matching leaf: the signed root refuses it."""
    b = fresh()
    records = bodies(b)
    records[0]["data"]["name"] = "改写的工程"
    rechained(b, records)
    b["inclusion"]["leaf"] = base64.b64encode(
        leaf_bytes(vectors.PROJECT, 4, bytes.fromhex(b["manifest"]["head"]))
    ).decode()
    assert failures(b) == ["inclusion proof does not lead to the signed root"]


# ----------------------------------------------------------------------------- keys


def test_a_substituted_public_key_does_not_verify_the_signature() -> None:
    b = fresh()
    b["public_keys"][KEY_ID] = ROGUE_PUBLIC_KEY
    assert failures(b) == ["checkpoint 7 signature does not verify"]


def test_a_missing_public_key_does_not_verify_the_signature() -> None:
    b = fresh()
    b["public_keys"] = {}
    assert failures(b) == ["checkpoint 7 signature does not verify"]


def test_a_public_key_that_is_not_a_key_does_not_verify_the_signature() -> None:
    b = fresh()
    b["public_keys"][KEY_ID] = base64.b64encode(b"too short").decode()
    assert failures(b) == ["checkpoint 7 signature does not verify"]


def test_a_tree_head_naming_another_key_fails() -> None:
    b = fresh()
    b["checkpoint"]["key_id"] = "rogue-2026"
    b["public_keys"]["rogue-2026"] = VECTOR_PUBLIC_KEY
    assert failures(b) == ["tree head names another key than the checkpoint"]


def test_a_substituted_key_that_re_signed_the_head_is_caught_only_by_trust() -> None:
    b = fresh()
    sign_again(b, ROGUE_KEY, ROGUE_PUBLIC_KEY)
    assert failures(b) == []  # self-consistent: only an independently obtained key can tell
    assert failures(b, TRUST) == [f"public key {KEY_ID} is not the one you trust (substituted?)"]


def test_a_forged_bundle_over_a_rewritten_chain_is_caught_only_by_trust() -> None:
    """Rewritten record, new log, new tree head, all signed by a key the forger made."""
    b = fresh()
    records = bodies(b)
    records[3]["data"]["lot_code"] = "LOT-99999"
    rechained(b, records)
    head = bytes.fromhex(b["manifest"]["head"])
    leaves = [*vectors.log_leaves()[:2], leaf_bytes(vectors.PROJECT, 4, head)]
    hashes = [merkle.leaf_hash(leaf) for leaf in leaves]
    tree_head = tree_head_bytes(7, 3, merkle.root(hashes), vectors.SIGNED_AT, KEY_ID)
    forged = bundle.build(
        project_id=vectors.PROJECT,
        links=[
            StoredLink(
                r["seq"],
                base64.b64decode(r["record"]),
                bytes.fromhex(r["prev_hash"]),
                bytes.fromhex(r["hash"]),
            )
            for r in b["records"]
        ],
        tree_head=tree_head,
        signature=ROGUE_KEY.sign(tree_head),
        key_id=KEY_ID,
        leaf_index=2,
        leaf=leaves[2],
        proof=merkle.inclusion_proof(2, hashes),
        public_keys={KEY_ID: ROGUE_PUBLIC_KEY},
        evidence=[],
        exported_at=vectors.EXPORTED_AT,
    )
    assert failures(forged) == []
    assert failures(forged, TRUST) == [
        f"public key {KEY_ID} is not the one you trust (substituted?)"
    ]


def test_a_trusted_key_list_without_the_signing_key_fails() -> None:
    assert failures(fresh(), {"another-key": VECTOR_PUBLIC_KEY}) == [
        f"public key {KEY_ID} is not the one you trust (substituted?)"
    ]


# ----------------------------------------------------------------------------- not bundles


@pytest.mark.parametrize(
    "not_a_bundle",
    [
        pytest.param([], id="a list"),
        pytest.param("qtrail-bundle/1", id="a string"),
        pytest.param(None, id="null"),
        pytest.param(42, id="a number"),
        pytest.param({}, id="an empty object"),
        pytest.param({"format": "qtrail-bundle/2"}, id="another version"),
    ],
)
def test_what_is_not_a_bundle_object_raises_malformed(not_a_bundle: object) -> None:
    with pytest.raises(Malformed, match="not a qtrail-bundle/1 file"):
        verify(not_a_bundle)


def test_a_wrong_format_string_raises_malformed() -> None:
    b = fresh()
    b["format"] = "qtrail-bundle/0"
    with pytest.raises(Malformed):
        verify(b)


@pytest.mark.parametrize(
    "part", ["project", "records", "checkpoint", "inclusion", "public_keys", "manifest"]
)
def test_a_bundle_missing_a_part_raises_malformed(part: str) -> None:
    b = fresh()
    del b[part]
    with pytest.raises(Malformed, match="missing or malformed part"):
        verify(b)


@pytest.mark.parametrize(
    ("where", "field"),
    [
        ("checkpoint", "tree_head"),
        ("checkpoint", "signature"),
        ("inclusion", "leaf"),
        ("inclusion", "proof"),
    ],
)
def test_a_bundle_missing_a_field_raises_malformed(where: str, field: str) -> None:
    b = fresh()
    del b[where][field]
    with pytest.raises(Malformed):
        verify(b)


@pytest.mark.parametrize(
    ("where", "field", "value"),
    [
        ("checkpoint", "signature", "not hex"),
        ("checkpoint", "tree_head", "not base64!"),
        ("inclusion", "proof", ["zz"]),
    ],
)
def test_a_bundle_with_an_undecodable_field_raises_malformed(
    where: str, field: str, value: object
) -> None:
    b = fresh()
    b[where][field] = value
    with pytest.raises(Malformed):
        verify(b)


def test_a_record_entry_that_is_not_an_object_raises_malformed() -> None:
    b = fresh()
    b["records"][1] = "seq 2"
    with pytest.raises(Malformed):
        verify(b)


@pytest.mark.parametrize(
    ("where", "field"), [("checkpoint", "key_id"), ("inclusion", "leaf_index")]
)
def test_a_bundle_missing_a_key_id_or_leaf_index_raises_malformed(where: str, field: str) -> None:
    b = fresh()
    del b[where][field]
    with pytest.raises(Malformed):
        verify(b)


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(
            lambda b: b["checkpoint"].update(tree_head=base64.b64encode(b"[1]").decode()),
            id="tree head is a JSON array",
        ),
        pytest.param(
            lambda b: b["inclusion"].update(leaf=base64.b64encode(b"[1]").decode()),
            id="leaf is a JSON array",
        ),
        pytest.param(
            lambda b: b["records"][1].update(record=base64.b64encode(b"[2]").decode()),
            id="record bytes are a JSON array",
        ),
        pytest.param(lambda b: b.update(manifest=[4]), id="manifest is a list"),
        pytest.param(lambda b: b.update(public_keys=[VECTOR_PUBLIC_KEY]), id="keys are a list"),
    ],
)
def test_parts_of_the_wrong_json_type_are_reported_not_raised(tamper: Any) -> None:
    b = fresh()
    tamper(b)
    try:
        findings = verify(b)
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


def test_cli_verifies_the_vector() -> None:
    result = run_cli(str(VECTOR_FILE))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert "VERIFIED" in lines[-1]
    assert all(line.startswith("ok ") for line in lines[:-1])


def test_cli_verifies_the_vector_against_a_trusted_key() -> None:
    result = run_cli(str(VECTOR_FILE), "--trust", f"{KEY_ID}={VECTOR_PUBLIC_KEY}")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "VERIFIED" in result.stdout.strip().splitlines()[-1]
    assert "pass --trust" not in result.stdout


def test_cli_fails_a_tampered_copy(tmp_path: Path) -> None:
    b = fresh()
    put_record_bytes(b, 3, record_bytes(b, 3).replace(b"2026-01-12", b"2026-01-13", 1))
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(b, ensure_ascii=False), encoding="utf-8")
    result = run_cli(str(tampered))
    assert result.returncode == 1, result.stdout + result.stderr
    fails = [line for line in result.stdout.splitlines() if line.startswith("FAIL")]
    assert fails == ["FAIL chain broken at seq 3: record edited: hash mismatch"]
    assert "1 check(s) FAILED" in result.stdout.strip().splitlines()[-1]


def test_cli_fails_a_substituted_key_against_the_trusted_one(tmp_path: Path) -> None:
    b = fresh()
    sign_again(b, ROGUE_KEY, ROGUE_PUBLIC_KEY)
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(b), encoding="utf-8")
    assert run_cli(str(forged)).returncode == 0
    result = run_cli(str(forged), "--trust", f"{KEY_ID}={VECTOR_PUBLIC_KEY}")
    assert result.returncode == 1
    assert any(
        line.startswith("FAIL") and "not the one you trust" in line
        for line in result.stdout.splitlines()
    )


@pytest.mark.parametrize(
    "content", ['["not", "a", "bundle"]', '{"format": "zip"}', "not json at all", ""]
)
def test_cli_says_a_non_bundle_is_not_a_bundle(tmp_path: Path, content: str) -> None:
    path = tmp_path / "other.json"
    path.write_text(content, encoding="utf-8")
    result = run_cli(str(path))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "is not a bundle" in result.stderr
    assert result.stdout == ""


def test_cli_says_a_missing_file_cannot_be_read(tmp_path: Path) -> None:
    result = run_cli(str(tmp_path / "absent.json"))
    assert result.returncode == 2
    assert "cannot read" in result.stderr
