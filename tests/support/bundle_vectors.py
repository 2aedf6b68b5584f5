"""The export-bundle test vector (docs/vectors/bundle-v1.json), built deterministically.

Everything is fixed: the Ed25519 key (private bytes 00 01 … 1f, key id ``vector-2026``), the four
records of project XZ-VECTOR-0001, the times, and a checkpoint log of three leaves in which the
project's head is the last, so its inclusion proof is not empty: one step, the node over the two
other projects' leaves. Ed25519 signatures are deterministic, so the same inputs always give the
same file.

    python -m tests.support.bundle_vectors      # rewrites docs/vectors/bundle-v1.json
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
EXPORTED_AT = "2026-02-01T00:05:00+00:00"
OTHER_HEADS = [
    ("XZ-VECTOR-0002", 9, hashlib.sha256(b"head of XZ-VECTOR-0002 at seq 9").digest()),
    ("XZ-VECTOR-0003", 2, hashlib.sha256(b"head of XZ-VECTOR-0003 at seq 2").digest()),
]
"""The two made-up projects whose heads precede this project's in the checkpoint log."""
LEAF_INDEX = len(OTHER_HEADS)

PATH = Path(__file__).resolve().parents[2] / "docs" / "vectors" / "bundle-v1.json"

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
    """The checkpoint log: the two other projects' heads, then this project's head at seq 4."""
    head = sealed_records()[-1]
    return [
        *(leaf_bytes(project, seq, h) for project, seq, h in OTHER_HEADS),
        leaf_bytes(PROJECT, head.seq, head.hash),
    ]


def tree_head(key_id: str = KEY_ID) -> bytes:
    hashes = [merkle.leaf_hash(leaf) for leaf in log_leaves()]
    return tree_head_bytes(CHECKPOINT_NUMBER, len(hashes), merkle.root(hashes), SIGNED_AT, key_id)


def vector_bundle() -> dict[str, Any]:
    leaves = log_leaves()
    hashes = [merkle.leaf_hash(leaf) for leaf in leaves]
    head = tree_head()
    return bundle.build(
        project_id=PROJECT,
        links=links(),
        tree_head=head,
        signature=VECTOR_KEY.sign(head),
        key_id=KEY_ID,
        leaf_index=LEAF_INDEX,
        leaf=leaves[LEAF_INDEX],
        proof=merkle.inclusion_proof(LEAF_INDEX, hashes),
        public_keys={KEY_ID: VECTOR_PUBLIC_KEY},
        evidence=[],
        exported_at=EXPORTED_AT,
    )


def vector_text() -> str:
    return json.dumps(vector_bundle(), indent=1, ensure_ascii=False) + "\n"


def main() -> None:
    PATH.parent.mkdir(parents=True, exist_ok=True)
    PATH.write_text(vector_text(), encoding="utf-8")
    print(f"wrote {PATH}")


if __name__ == "__main__":
    main()
