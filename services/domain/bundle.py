"""The self-verifying export bundle: a project's chain, a signed checkpoint, every leaf the project
has in it with its inclusion proof, and optional consistency proofs from older checkpoints;
checkable offline with no database and no network (docs/bundle-format.md).

Only keys the verifier obtained independently are trusted: a forger who rewrites a chain can also
make a key and sign a tree head of its own, so a key carried in a bundle proves nothing.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from services.domain import merkle
from services.domain.chain import StoredLink, utc_text, verify_links
from services.domain.checkpoint import (
    TreeHead,
    open_log_note,
    read_leaf,
    signature_holds,
)
from services.domain.transparency.checkpoint import CheckpointBody, LogCheckpoint
from services.domain.transparency.cosignature import CosignatureVerifier, cosignature_time
from services.domain.transparency.keys import COSIGNATURE_V1, MalformedKey, VerifierKey
from services.domain.transparency.note import NoteError, open_note, parse_note

FORMAT = "qtrail-bundle/2"
LEGACY = "qtrail-bundle/1"
"""The first format: only the project's newest leaf, and the exporter's public keys (never
trusted). Still read."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@dataclass(frozen=True)
class LeafProof:
    """A leaf of the project at ``index`` of the log, and its audit path in the signed tree."""

    index: int
    leaf: bytes
    proof: list[bytes]


@dataclass(frozen=True)
class ConsistencyProof:
    """Proof that the ``size``-leaf tree of checkpoint ``checkpoint`` is a prefix of the bundle's."""

    checkpoint: int
    size: int
    proof: list[bytes]


def build(
    *,
    project_id: str,
    links: list[StoredLink],
    tree_head: bytes,
    signature: bytes,
    key_id: str,
    leaves: list[LeafProof],
    consistency: list[ConsistencyProof],
    evidence: list[dict[str, str]],
    exported_at: str,
    note: str | None = None,
) -> dict[str, Any]:
    """The bundle; ``note`` is the same checkpoint as a C2SP signed note with the witnesses'
    cosignatures (optional: bundles without it still verify)."""
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
        }
        | ({"note": note} if note is not None else {}),
        "leaves": [
            {"leaf_index": p.index, "leaf": _b64(p.leaf), "proof": [h.hex() for h in p.proof]}
            for p in leaves
        ],
        "consistency": [
            {"checkpoint": c.checkpoint, "size": c.size, "proof": [h.hex() for h in c.proof]}
            for c in consistency
        ],
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
    seq: int | None = None
    """The chain position the finding is about, when it is about one."""


class Malformed(ValueError):
    """The file is not a bundle at all (wrong format, missing parts)."""


class NotACheckpoint(ValueError):
    """The kept checkpoint file is not a saved checkpoint (nor a saved inclusion answer)."""


def first_bad_seq(findings: Sequence[Finding]) -> int | None:
    """The first seq where the chain fails, or where history and a signed checkpoint disagree."""
    return min((f.seq for f in findings if not f.ok and f.seq is not None), default=None)


@dataclass(frozen=True)
class _Kept:
    head: TreeHead
    tree_head: bytes
    signature: bytes
    leaf: LeafProof | None
    note: str | None = None
    """Kept as a C2SP note (``GET /log/checkpoint``): its signature is the note's."""

    def signature_problem(self, keys: Mapping[str, Ed25519PublicKey], name: str) -> str | None:
        if self.note is not None:
            try:
                open_log_note(self.note, keys.values())
            except ValueError as exc:
                return f"{name}: its note does not verify with a key you trust ({exc})"
            return None
        if self.head.key_id not in keys:
            return f"{name} is signed by key {self.head.key_id}, not one you trust"
        if not signature_holds(keys[self.head.key_id], self.signature, self.tree_head):
            return f"{name}: its signature does not verify"
        return None


def _kept_note(saved: str) -> _Kept:
    """A checkpoint note saved from ``GET /log/checkpoint``: read (not yet verified) for its
    number, size, root and time."""
    try:
        text, _ = parse_note(saved)
        said = LogCheckpoint.from_body(CheckpointBody.parse(text))
    except ValueError as exc:
        raise NotACheckpoint(f"not a checkpoint note of qtrail's log: {exc}") from exc
    head = TreeHead(said.number, said.size, said.root, utc_text(said.signed_at), "")
    return _Kept(head, b"", b"", None, saved)


def _kept(saved: Any) -> _Kept:
    """A checkpoint saved from ``GET /v1/checkpoints/{n}`` (or ``/latest``), a project's leaf
    saved from ``GET /v1/projects/{id}/inclusion`` (which carries its checkpoint), or the C2SP
    note of ``GET /log/checkpoint`` (text)."""
    if isinstance(saved, str):
        return _kept_note(saved)
    try:
        if not isinstance(saved, dict):
            raise TypeError("not a JSON object")
        signed = saved["checkpoint"] if "leaf" in saved else saved
        tree_head = str(signed["tree_head"]).encode()
        leaf = (
            LeafProof(
                int(saved["leaf_index"]),
                str(saved["leaf"]).encode(),
                [bytes.fromhex(p) for p in saved["proof"]],
            )
            if "leaf" in saved
            else None
        )
        return _Kept(TreeHead.parse(tree_head), tree_head, bytes.fromhex(signed["signature"]), leaf)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise NotACheckpoint(f"missing or malformed part: {exc}") from exc


def _public_keys(
    trusted: Mapping[str, str], findings: list[Finding]
) -> dict[str, Ed25519PublicKey]:
    keys: dict[str, Ed25519PublicKey] = {}
    for key_id, text in trusted.items():
        try:
            keys[key_id] = Ed25519PublicKey.from_public_bytes(
                base64.b64decode(str(text), validate=True)
            )
        except (ValueError, binascii.Error):
            findings.append(Finding(False, f"trusted key {key_id} is not a base64 Ed25519 key"))
    return keys


def verify(
    bundle: Any,
    trusted: Mapping[str, str] | None = None,
    kept: Any = None,
    witnesses: Sequence[str] = (),
) -> list[Finding]:
    """Every check of a bundle, each passed or failed with what and where. Offline and pure.

    ``trusted``: key id → base64 raw Ed25519 public key, obtained independently of the bundle;
    without one nothing signed can be believed, and that is a failure. ``kept``: a checkpoint the
    verifier saved earlier (parsed JSON, or the text of a C2SP checkpoint note); the bundle's
    checkpoint must extend it. ``witnesses``: verifier keys of witnesses whose cosignature of
    the bundle's checkpoint note is required.
    """
    if not isinstance(bundle, dict) or bundle.get("format") not in (FORMAT, LEGACY):
        raise Malformed(f"not a {FORMAT} (or {LEGACY}) file")
    legacy = bundle["format"] == LEGACY
    try:
        project = str(bundle["project"])
        checkpoint, manifest = bundle["checkpoint"], bundle["manifest"]
        carried = bundle["public_keys"] if legacy else {}
        for name, part in (
            ("checkpoint", checkpoint),
            ("manifest", manifest),
            ("public_keys", carried),
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
        leaves = [
            LeafProof(
                int(p["leaf_index"]),
                base64.b64decode(p["leaf"]),
                [bytes.fromhex(h) for h in p["proof"]],
            )
            for p in ([bundle["inclusion"]] if legacy else bundle["leaves"])
        ]
        consistency = [
            ConsistencyProof(
                int(c["checkpoint"]), int(c["size"]), [bytes.fromhex(h) for h in c["proof"]]
            )
            for c in ([] if legacy else bundle.get("consistency", []))
        ]
        evidence = bundle.get("evidence", [])
        if not isinstance(evidence, list) or not all(isinstance(e, dict) for e in evidence):
            raise TypeError("evidence is not a list of objects")
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise Malformed(f"missing or malformed part: {exc}") from exc
    saved = _kept(kept) if kept is not None else None
    findings: list[Finding] = []

    def check(ok: bool, passed: str, failed: str, seq: int | None = None) -> None:
        findings.append(Finding(ok, passed if ok else failed, None if ok else seq))

    chain = verify_links(links)
    check(
        chain.ok,
        f"chain: {chain.length} records link from genesis to head {chain.head.hex()[:16]}…",
        f"chain broken at seq {chain.first_bad_seq}: {chain.problem}",
        chain.first_bad_seq,
    )
    strangers = [link.seq for link in links if _project_of(link.canonical) != project]
    check(
        not strangers,
        f"every record belongs to project {project}",
        f"records at seq {strangers} belong to another project",
        strangers[0] if strangers else None,
    )
    check(
        manifest.get("records") == len(links)
        and manifest.get("head") == (links[-1].hash.hex() if links else None)
        and manifest.get("evidence") == len(evidence),
        "manifest matches the records",
        "manifest does not match the records (count or head)",
    )
    if legacy:
        findings.append(
            Finding(True, f"format {LEGACY}: only the project's newest leaf can be checked")
        )

    try:
        head = TreeHead.parse(tree_head_bytes)
    except (ValueError, KeyError, TypeError) as exc:
        findings.append(Finding(False, f"checkpoint tree head is malformed: {exc}"))
        return findings
    check(
        head.key_id == key_id,
        "tree head names its signing key",
        "tree head names another key than the checkpoint",
    )
    keys = _public_keys(trusted or {}, findings)
    if not trusted:
        findings.append(
            Finding(
                False,
                "no trusted key: pass --trust KEY_ID=BASE64 or --trust-file FILE with the "
                "operator's public keys obtained independently (GET /v1/signing-keys); a key "
                "carried in a bundle is never trusted",
            )
        )
    elif key_id not in keys:
        findings.append(
            Finding(False, f"checkpoint {head.number} is signed by key {key_id}, not one you trust")
        )
    else:
        if legacy and key_id in carried and carried[key_id] != trusted[key_id]:
            findings.append(
                Finding(False, f"public key {key_id} is not the one you trust (substituted?)")
            )
        check(
            signature_holds(keys[key_id], signature, tree_head_bytes),
            f"checkpoint {head.number} signature verifies with your trusted key {key_id} "
            f"(tree of {head.size} heads)",
            f"checkpoint {head.number} signature does not verify",
        )

    note = checkpoint.get("note")
    if note is not None or witnesses:
        _check_note(note, head, keys, witnesses, findings)

    hashes = [link.hash for link in links]
    _check_leaves(project, leaves, head, hashes, findings)
    if saved is not None:
        _check_kept(project, saved, head, consistency, keys, leaves, hashes, findings)

    for item in evidence:
        if "content" in item:
            actual = hashlib.sha256(base64.b64decode(item["content"])).hexdigest()
            check(
                actual == item["sha256"],
                f"evidence {item['sha256'][:12]}… matches its hash",
                f"evidence {item['sha256'][:12]}… content does not match its hash",
            )
    return findings


def _check_note(
    note: Any,
    head: TreeHead,
    keys: Mapping[str, Ed25519PublicKey],
    witnesses: Sequence[str],
    findings: list[Finding],
) -> None:
    """The checkpoint's C2SP note: signed by a trusted key, saying the same tree head; each
    required witness must have cosigned it."""
    if not isinstance(note, str):
        findings.append(
            Finding(False, f"checkpoint {head.number} carries no note for witnesses to cosign")
        )
        return
    try:
        said = open_log_note(note, keys.values())
    except ValueError as exc:
        findings.append(Finding(False, f"checkpoint {head.number}'s note does not verify: {exc}"))
        return
    if (said.number, said.size, said.root, utc_text(said.signed_at)) != (
        head.number,
        head.size,
        head.root,
        head.at,
    ):
        findings.append(Finding(False, f"checkpoint {head.number}'s note says another tree head"))
        return
    findings.append(Finding(True, f"checkpoint {head.number}'s C2SP note ({said.origin}) verifies"))
    for text in witnesses:
        try:
            key = VerifierKey.parse(text)
            if key.signature_type != COSIGNATURE_V1:
                raise MalformedKey("not a cosignature/v1 key")
            opened = open_note(note, [CosignatureVerifier(key)])
        except MalformedKey as exc:
            findings.append(Finding(False, f"witness key {text!r}: {exc}"))
            continue
        except NoteError:
            findings.append(
                Finding(False, f"checkpoint {head.number} is not cosigned by witness {key.name}")
            )
            continue
        at = dt.datetime.fromtimestamp(cosignature_time(opened.verified[0]), dt.UTC)
        findings.append(
            Finding(
                True,
                f"witness {key.name} cosigned checkpoint {head.number} at {at:%Y-%m-%dT%H:%M:%SZ}",
            )
        )


def _against_chain(
    hashes: Sequence[bytes], seq: int, head: bytes, signer: str, findings: list[Finding]
) -> bool:
    """Whether the chain holds ``head`` at ``seq``; a failure is recorded, naming the seq."""
    if seq > len(hashes):
        findings.append(
            Finding(
                False,
                f"truncated: {signer} holds seq {seq}, the bundle ends at {len(hashes)}",
                len(hashes) + 1,
            )
        )
        return False
    if seq < 1 or hashes[seq - 1] != head:
        findings.append(
            Finding(False, f"history rewritten: seq {seq} is not the head {signer} signed", seq)
        )
        return False
    return True


def _check_leaves(
    project: str,
    leaves: list[LeafProof],
    head: TreeHead,
    hashes: Sequence[bytes],
    findings: list[Finding],
) -> None:
    if not leaves:
        findings.append(Finding(False, f"no leaf: no signed checkpoint covers project {project}"))
        return
    matched: list[int] = []
    for proof in sorted(leaves, key=lambda p: p.index):
        where = f"leaf {proof.index}"
        try:
            leaf_project, seq, leaf_head = read_leaf(proof.leaf)
        except (ValueError, KeyError, TypeError) as exc:
            findings.append(Finding(False, f"{where} is malformed: {exc}"))
            continue
        if leaf_project != project:
            findings.append(Finding(False, f"{where} names project {leaf_project}"))
            continue
        try:
            implied = merkle.root_from_inclusion(
                proof.index, head.size, merkle.leaf_hash(proof.leaf), proof.proof
            )
        except ValueError as exc:
            findings.append(
                Finding(False, f"{where} (seq {seq}): inclusion proof is malformed: {exc}")
            )
            continue
        if implied != head.root:
            findings.append(
                Finding(
                    False, f"{where} (seq {seq}): inclusion proof does not lead to the signed root"
                )
            )
            continue
        if _against_chain(hashes, seq, leaf_head, f"checkpoint {head.number} ({where})", findings):
            matched.append(seq)
    if matched:
        findings.append(
            Finding(
                True,
                f"the chain holds every head checkpoint {head.number} signed for the project "
                f"that the bundle carries (seqs {', '.join(map(str, matched))}), each proven in "
                f"the signed root {head.root.hex()[:16]}…",
            )
        )
        if max(matched) < len(hashes):
            findings.append(
                Finding(
                    True,
                    f"seqs {max(matched) + 1}–{len(hashes)} were sealed after checkpoint "
                    f"{head.number}: linked to its heads, not yet covered by a signature",
                )
            )
        newest = max(matched)
        if newest < len(hashes):
            findings.append(
                Finding(True, f"records after seq {newest} are newer than checkpoint {head.number}")
            )


def _check_kept(
    project: str,
    saved: _Kept,
    head: TreeHead,
    consistency: list[ConsistencyProof],
    keys: Mapping[str, Ed25519PublicKey],
    leaves: list[LeafProof],
    hashes: Sequence[bytes],
    findings: list[Finding],
) -> None:
    """The bundle's checkpoint must extend the one the verifier kept; a kept leaf of the project
    must still be on the chain."""
    old = saved.head
    name = f"the checkpoint {old.number} you kept"
    problem = saved.signature_problem(keys, name)
    if problem is not None:
        findings.append(Finding(False, problem))
        return
    below = sum(1 for p in leaves if p.index < old.size)
    if old.number == head.number and old.size != head.size:
        findings.append(
            Finding(
                False,
                f"checkpoint {head.number} of the bundle is not {name} ({old.size} heads, signed "
                f"{old.at}): the log was rewritten and signed afresh",
            )
        )
    elif old.size > head.size and old.at > head.at:
        findings.append(
            Finding(
                False,
                f"{name} is newer than checkpoint {head.number} of the bundle: export a new "
                f"bundle with `qtrail export {project} --since {old.number}`",
            )
        )
    elif old.size > head.size:
        findings.append(
            Finding(
                False,
                f"the log shrank: {name} holds {old.size} heads, checkpoint {head.number} of "
                f"the bundle, signed later, only {head.size} (the log was cut or rewritten)",
            )
        )
    elif old.size == head.size:
        findings.append(
            Finding(
                old.root == head.root,
                f"checkpoint {head.number} is {name}"
                if old.root == head.root
                else f"{name} and checkpoint {head.number} have the same size but other roots "
                "(the log was rewritten)",
            )
        )
    else:
        carried = [c for c in consistency if c.size == old.size]
        if not carried:
            findings.append(
                Finding(
                    False,
                    f"the bundle carries no consistency proof from {name} ({old.size} heads): "
                    f"export it with `qtrail export {project} --since {old.number}` "
                    f"(GET /v1/projects/{project}/export?since={old.number})",
                )
            )
        elif merkle.verify_consistency(old.size, head.size, old.root, head.root, carried[0].proof):
            findings.append(
                Finding(
                    True,
                    f"checkpoint {head.number} extends {name} (consistency proof): the "
                    f"project's leaves below index {old.size} ({below}) are in the tree you kept",
                )
            )
        else:
            findings.append(
                Finding(
                    False,
                    f"checkpoint {head.number} does not extend {name}: the log was rewritten since",
                )
            )
    if saved.leaf is None:
        return
    try:
        leaf_project, seq, leaf_head = read_leaf(saved.leaf.leaf)
        implied = merkle.root_from_inclusion(
            saved.leaf.index, old.size, merkle.leaf_hash(saved.leaf.leaf), saved.leaf.proof
        )
    except (ValueError, KeyError, TypeError) as exc:
        findings.append(Finding(False, f"the leaf you kept is malformed: {exc}"))
        return
    if leaf_project != project:
        findings.append(Finding(False, f"the leaf you kept is of project {leaf_project}"))
    elif implied != old.root:
        findings.append(Finding(False, f"the leaf you kept is not in {name}"))
    elif _against_chain(hashes, seq, leaf_head, name, findings):
        findings.append(Finding(True, f"the chain at seq {seq} is the head {name} signed"))
