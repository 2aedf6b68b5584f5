"""The export-bundle test vectors (docs/vectors/bundle-v2.json and checkpoint-6.json), built
deterministically.

Everything is fixed: the Ed25519 key (private bytes 00 01 … 1f, key id ``vector-2026``), the four
records of project XZ-VECTOR-0001, the times, and a checkpoint log built by two checkpoints:
checkpoint 6 signs three leaves (another project, this project's head at seq 2, a third project),
checkpoint 7 adds this project's head at seq 4. The bundle is signed by checkpoint 7, carries both
of the project's leaves with their inclusion proofs (neither empty) and the consistency proof from
checkpoint 6 (three steps); checkpoint-6.json is checkpoint 6 as ``GET /v1/checkpoints/6`` answers,
what a regulator keeps. Ed25519 signatures are deterministic, so the same inputs always give the
same files. docs/vectors/bundle-v1.json is the first format's vector, frozen (not regenerated).

The same log in the C2SP forms: bundle-v2-witnessed.json is the bundle carrying checkpoint 7's
signed note (origin ``qtrail.example/xuzhou/log``, the same key) with a witness's cosignature
(the witness key of tests/support/transparency.py, at ``COSIGNED_AT``), and checkpoint-6.note is
checkpoint 6 as ``GET /log/checkpoint`` served it, what a regulator keeps today.

    python -m tests.support.bundle_vectors      # rewrites every vector but bundle-v1.json
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from services.domain import bundle, merkle
from services.domain.chain import GENESIS, SealedRecord, StoredLink, seal
from services.domain.checkpoint import leaf_bytes, tree_head_bytes
from services.domain.transparency.checkpoint import LogCheckpoint, sign_checkpoint
from services.domain.transparency.keys import ED25519, SignerKey
from services.domain.transparency.note import Ed25519Signer, parse_note, sign_note
from tests.support import transparency
from tests.support.events import CONSTRUCTION, OWNER

PROJECT = "XZ-VECTOR-0001"
KEY_ID = "vector-2026"
VECTOR_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
VECTOR_PUBLIC_KEY = base64.b64encode(
    VECTOR_KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
).decode()
"""Base64 of the raw 32-byte Ed25519 public key of ``VECTOR_KEY``."""

CHECKPOINT_NUMBER = 7
SIGNED_AT = dt.datetime(2026, 2, 1, 0, 0, tzinfo=dt.UTC)
KEPT_NUMBER = 6
KEPT_SIGNED_AT = dt.datetime(2026, 1, 11, 12, 0, tzinfo=dt.UTC)
EXPORTED_AT = "2026-02-01T00:05:00+00:00"
OTHER_HEADS = [
    ("XZ-VECTOR-0002", 9, hashlib.sha256(b"head of XZ-VECTOR-0002 at seq 9").digest()),
    ("XZ-VECTOR-0003", 2, hashlib.sha256(b"head of XZ-VECTOR-0003 at seq 2").digest()),
]
"""The two made-up projects whose heads share the checkpoint log with this project's."""
LEAF_INDEXES = (1, 3)
"""Where this project's heads at seq 2 and seq 4 sit in the log."""
KEPT_SIZE = 3

ROOT = Path(__file__).resolve().parents[2] / "docs" / "vectors"
PATH = ROOT / "bundle-v2.json"
KEPT_PATH = ROOT / "checkpoint-6.json"
V1_PATH = ROOT / "bundle-v1.json"
WITNESSED_PATH = ROOT / "bundle-v2-witnessed.json"
KEPT_NOTE_PATH = ROOT / "checkpoint-6.note"
ORIGIN = transparency.ORIGIN
COSIGNED_AT = int(dt.datetime(2026, 2, 1, 0, 1, tzinfo=dt.UTC).timestamp())
NOTE_SIGNER = Ed25519Signer(SignerKey.of(ORIGIN, VECTOR_KEY, ED25519))

_T0 = dt.datetime(2026, 1, 10, 8, 0, tzinfo=dt.UTC)
_OWNER = {"org": OWNER, "person": "王建国", "role": "owner"}
_BUILDER = {"org": CONSTRUCTION, "person": "李四", "role": "construction"}
_FACTS: list[tuple[str, dict[str, str], dict[str, Any]]] = [
    (
        "qtrail.project.registered.v1",
        _OWNER,
        {
            "name": "测试向量工程 Test-vector project",
            "address": "江苏省徐州市",
            "permit_number": "PERMIT-XZ-VECTOR-0001",
            "use": "住宅",
            "structure_type": "框架",
            "design_life_years": 50,
            "floor_area_m2": 1234.5,
        },
    ),
    (
        "qtrail.party.appointed.v1",
        _OWNER,
        {
            "role": "construction",
            "org_name": "徐州示例建设有限公司",
            "org_code": CONSTRUCTION,
            "lead": {"name": "李四", "registration_number": "REG-000004"},
            "authorization_evidence": hashlib.sha256(b"vector authorization").hexdigest(),
        },
    ),
    (
        "qtrail.party.commitment_signed.v1",
        _BUILDER,
        {
            "role": "construction",
            "signed_on": "2026-01-12",
            "evidence": hashlib.sha256(b"vector commitment").hexdigest(),
        },
    ),
    (
        "qtrail.quality.inspection_lot_accepted.v2",
        _BUILDER,
        {
            "lot_code": "LOT-00001",
            "building_part": "1层柱",
            "items": ["钢筋安装"],
            "construction_signer": "质检员甲",
            "supervision_signer": "监理工程师乙",
        },
    ),
]


def sealed_records() -> list[SealedRecord]:
    """The project's four records, sealed one after another from genesis."""
    records: list[SealedRecord] = []
    prev = GENESIS
    for seq, (event_type, actor, data) in enumerate(_FACTS, 1):
        occurred = _T0 + dt.timedelta(days=seq - 1)
        record = seal(
            project_id=PROJECT,
            seq=seq,
            prev_hash=prev,
            event_id=f"evt-vector-{seq:04d}",
            event_type=event_type,
            schema_version=1,
            source="vector",
            occurred_at=occurred,
            recorded_at=occurred + dt.timedelta(seconds=1, microseconds=250000),
            actor=actor,
            data=data,
        )
        records.append(record)
        prev = record.hash
    return records


def links() -> list[StoredLink]:
    return [StoredLink(r.seq, r.canonical, r.prev_hash, r.hash) for r in sealed_records()]


def log_leaves() -> list[bytes]:
    """The checkpoint log: checkpoint 6 signed the first three leaves, checkpoint 7 the fourth."""
    records = sealed_records()
    (other_a, seq_a, head_a), (other_b, seq_b, head_b) = OTHER_HEADS
    return [
        leaf_bytes(other_a, seq_a, head_a),
        leaf_bytes(PROJECT, 2, records[1].hash),
        leaf_bytes(other_b, seq_b, head_b),
        leaf_bytes(PROJECT, 4, records[3].hash),
    ]


def leaf_hashes() -> list[bytes]:
    return [merkle.leaf_hash(leaf) for leaf in log_leaves()]


def tree_head(key_id: str = KEY_ID) -> bytes:
    hashes = leaf_hashes()
    return tree_head_bytes(CHECKPOINT_NUMBER, len(hashes), merkle.root(hashes), SIGNED_AT, key_id)


def kept_tree_head() -> bytes:
    hashes = leaf_hashes()[:KEPT_SIZE]
    return tree_head_bytes(KEPT_NUMBER, KEPT_SIZE, merkle.root(hashes), KEPT_SIGNED_AT, KEY_ID)


def kept_checkpoint() -> dict[str, Any]:
    """Checkpoint 6 as ``GET /v1/checkpoints/6`` answers it: what a regulator saves."""
    head = kept_tree_head()
    return {
        "number": KEPT_NUMBER,
        "tree_size": KEPT_SIZE,
        "root": merkle.root(leaf_hashes()[:KEPT_SIZE]).hex(),
        "tree_head": head.decode(),
        "key_id": KEY_ID,
        "signature": VECTOR_KEY.sign(head).hex(),
        "signed_at": KEPT_SIGNED_AT.isoformat(),
    }


def vector_bundle() -> dict[str, Any]:
    leaves = log_leaves()
    hashes = leaf_hashes()
    head = tree_head()
    return bundle.build(
        project_id=PROJECT,
        links=links(),
        tree_head=head,
        signature=VECTOR_KEY.sign(head),
        key_id=KEY_ID,
        leaves=[
            bundle.LeafProof(i, leaves[i], merkle.inclusion_proof(i, hashes)) for i in LEAF_INDEXES
        ],
        consistency=[
            bundle.ConsistencyProof(
                KEPT_NUMBER, KEPT_SIZE, merkle.consistency_proof(KEPT_SIZE, hashes)
            )
        ],
        evidence=[],
        exported_at=EXPORTED_AT,
    )


def checkpoint_note(number: int, size: int, at: dt.datetime) -> str:
    hashes = leaf_hashes()[:size]
    body = LogCheckpoint(ORIGIN, size, merkle.root(hashes), number, at).body()
    return sign_checkpoint(body, NOTE_SIGNER)


def kept_note() -> str:
    """Checkpoint 6 as ``GET /log/checkpoint`` served it."""
    return checkpoint_note(KEPT_NUMBER, KEPT_SIZE, KEPT_SIGNED_AT)


def witnessed_note() -> str:
    """Checkpoint 7's note with the witness's cosignature after the log's signature."""
    text, signatures = parse_note(checkpoint_note(CHECKPOINT_NUMBER, 4, SIGNED_AT))
    return sign_note(text, [transparency.COSIGNER.at(COSIGNED_AT)], keep=signatures)


def witnessed_bundle() -> dict[str, Any]:
    body = vector_bundle()
    body["checkpoint"]["note"] = witnessed_note()
    return body


def _text(value: dict[str, Any]) -> str:
    return json.dumps(value, indent=1, ensure_ascii=False) + "\n"


def vector_text() -> str:
    return _text(vector_bundle())


def kept_text() -> str:
    return _text(kept_checkpoint())


def main() -> None:
    ROOT.mkdir(parents=True, exist_ok=True)
    PATH.write_text(vector_text(), encoding="utf-8")
    KEPT_PATH.write_text(kept_text(), encoding="utf-8")
    WITNESSED_PATH.write_text(_text(witnessed_bundle()), encoding="utf-8")
    KEPT_NOTE_PATH.write_text(kept_note(), encoding="utf-8")
    print(f"wrote {PATH}, {KEPT_PATH}, {WITNESSED_PATH} and {KEPT_NOTE_PATH}")


if __name__ == "__main__":
    main()
