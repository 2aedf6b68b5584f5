"""The self-verifying export bundle: a project's chain, a signed checkpoint and the proof that
links them, checkable offline with no database and no network (docs/bundle-format.md).
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from services.domain import merkle
from services.domain.chain import StoredLink, verify_links
from services.domain.checkpoint import TreeHead, read_leaf

FORMAT = "qtrail-bundle/1"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def build(
    *,
    project_id: str,
    links: list[StoredLink],
    tree_head: bytes,
    signature: bytes,
    key_id: str,
    leaf_index: int,
    leaf: bytes,
    proof: list[bytes],
    public_keys: dict[str, str],
    evidence: list[dict[str, str]],
    exported_at: str,
) -> dict[str, Any]:
    records = [
        {
            "seq": link.seq,
            "record": _b64(link.canonical),
            "prev_hash": link.prev_hash.hex(),
            "hash": link.hash.hex(),
        }
        for link in links
    ]
    return {
        "format": FORMAT,
        "project": project_id,
        "exported_at": exported_at,
        "manifest": {
            "records": len(records),
            "head": links[-1].hash.hex() if links else None,
            "evidence": len(evidence),
        },
        "records": records,
        "evidence": evidence,
        "checkpoint": {
            "tree_head": _b64(tree_head),
            "signature": signature.hex(),
            "key_id": key_id,
        },
        "inclusion": {
            "leaf_index": leaf_index,
            "leaf": _b64(leaf),
            "proof": [p.hex() for p in proof],
        },
        "public_keys": public_keys,
    }


def _project_of(canonical: bytes) -> str | None:
    try:
        body = json.loads(canonical)
    except ValueError:
        return None
    return body.get("project_id") if isinstance(body, dict) else None


@dataclass(frozen=True)
class Finding:
    ok: bool
    what: str


class Malformed(ValueError):
    """The file is not a bundle at all (wrong format, missing parts)."""


def verify(bundle: Any, trusted_keys: dict[str, str] | None = None) -> list[Finding]:
    """Every check of a bundle, each passed or failed with what and where. Offline and pure."""
    if not isinstance(bundle, dict) or bundle.get("format") != FORMAT:
        raise Malformed(f"not a {FORMAT} file")
    try:
        project = str(bundle["project"])
        checkpoint, inclusion, keys, manifest = (
            bundle["checkpoint"],
            bundle["inclusion"],
            bundle["public_keys"],
            bundle["manifest"],
        )
        for name, part in (
            ("checkpoint", checkpoint),
            ("inclusion", inclusion),
            ("public_keys", keys),
            ("manifest", manifest),
        ):
            if not isinstance(part, dict):
                raise TypeError(f"{name} is not an object")
        links = [
            StoredLink(
                int(r["seq"]),
                base64.b64decode(r["record"]),
                bytes.fromhex(r["prev_hash"]),
                bytes.fromhex(r["hash"]),
            )
            for r in bundle["records"]
        ]
        tree_head_bytes = base64.b64decode(checkpoint["tree_head"])
        signature = bytes.fromhex(checkpoint["signature"])
        key_id = str(checkpoint["key_id"])
        leaf = base64.b64decode(inclusion["leaf"])
        leaf_index = int(inclusion["leaf_index"])
        proof = [bytes.fromhex(p) for p in inclusion["proof"]]
        evidence = bundle.get("evidence", [])
        if not isinstance(evidence, list) or not all(isinstance(e, dict) for e in evidence):
            raise TypeError("evidence is not a list of objects")
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise Malformed(f"missing or malformed part: {exc}") from exc
    findings: list[Finding] = []

    def check(ok: bool, passed: str, failed: str) -> None:
        findings.append(Finding(ok, passed if ok else failed))

    chain = verify_links(links)
    check(
        chain.ok,
        f"chain: {chain.length} records link from genesis to head {chain.head.hex()[:16]}…",
        f"chain broken at seq {chain.first_bad_seq}: {chain.problem}",
    )
    strangers = [link.seq for link in links if _project_of(link.canonical) != project]
    check(
        not strangers,
        f"every record belongs to project {project}",
        f"records at seq {strangers} belong to another project",
    )
    check(
        manifest.get("records") == len(links)
        and manifest.get("head") == (links[-1].hash.hex() if links else None)
        and manifest.get("evidence") == len(evidence),
        "manifest matches the records",
        "manifest does not match the records (count or head)",
    )

    try:
        head = TreeHead.parse(tree_head_bytes)
    except (ValueError, KeyError, TypeError) as exc:
        findings.append(Finding(False, f"checkpoint tree head is malformed: {exc}"))
        return findings
    key_text = keys.get(key_id)
    if trusted_keys is not None and trusted_keys.get(key_id) != key_text:
        findings.append(
            Finding(False, f"public key {key_id} is not the one you trust (substituted?)")
        )
    elif trusted_keys is None:
        findings.append(
            Finding(
                True,
                f"signature key {key_id} taken from the bundle; pass --trust to "
                "check it against a key you obtained independently",
            )
        )
    check(
        head.key_id == key_id,
        "tree head names its signing key",
        "tree head names another key than the checkpoint",
    )
    try:
        if not isinstance(key_text, str):
            raise InvalidSignature
        Ed25519PublicKey.from_public_bytes(base64.b64decode(key_text)).verify(
            signature, tree_head_bytes
        )
        findings.append(
            Finding(
                True, f"checkpoint {head.number} signature verifies (tree of {head.size} heads)"
            )
        )
    except (InvalidSignature, ValueError):
        findings.append(Finding(False, f"checkpoint {head.number} signature does not verify"))

    try:
        leaf_project, leaf_seq, leaf_head = read_leaf(leaf)
    except (ValueError, KeyError, TypeError) as exc:
        findings.append(Finding(False, f"inclusion leaf is malformed: {exc}"))
        return findings
    check(
        leaf_project == project,
        "checkpointed leaf names this project",
        f"checkpointed leaf names {leaf_project}",
    )
    if leaf_seq > len(links):
        findings.append(
            Finding(
                False,
                f"truncated: the checkpoint holds seq {leaf_seq}, the bundle ends at {len(links)}",
            )
        )
    else:
        check(
            links[leaf_seq - 1].hash == leaf_head,
            f"the chain at seq {leaf_seq} is the checkpointed head",
            f"the chain at seq {leaf_seq} differs from the checkpointed head (rewritten)",
        )
    try:
        implied = merkle.root_from_inclusion(leaf_index, head.size, merkle.leaf_hash(leaf), proof)
        check(
            implied == head.root,
            f"inclusion proof leads to the signed root {head.root.hex()[:16]}…",
            "inclusion proof does not lead to the signed root",
        )
    except ValueError as exc:
        findings.append(Finding(False, f"inclusion proof is malformed: {exc}"))

    for item in evidence:
        if "content" in item:
            actual = hashlib.sha256(base64.b64decode(item["content"])).hexdigest()
            check(
                actual == item["sha256"],
                f"evidence {item['sha256'][:12]}… matches its hash",
                f"evidence {item['sha256'][:12]}… content does not match its hash",
            )
    return findings
