"""Exporting a bundle over the memory ports: every leaf of the project with an inclusion proof that
checks against the signed root, a consistency proof from an older checkpoint on request, and the
refusals when there is nothing to export or nothing signed covers it yet."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import pytest

from services.adapters.signing import Signer
from services.application.checkpoints import sign_checkpoint
from services.application.export import (
    NothingToExport,
    NotYetCheckpointed,
    UnknownCheckpoint,
    export_bundle,
)
from services.domain import bundle, merkle
from services.domain.checkpoint import Checkpoint, TreeHead, read_leaf
from tests.support.events import LEADS, lot
from tests.support.fakes import MemoryFileStore
from tests.support.sealing import NOW, seal, seeded
from tests.unit.application.conftest import Stores


async def checkpointed(stores: Stores, signer: Signer, at: dt.datetime = NOW) -> Checkpoint:
    run = await sign_checkpoint(stores.log, signer, at)
    assert run.made is not None, run
    return run.made


async def two_checkpoints(stores: Stores, signer: Signer) -> tuple[str, Checkpoint, Checkpoint]:
    """A project with a leaf in each of two checkpoints (at seq 3, then 4), beside another."""
    p = await seeded(stores.trail, 3)
    await seeded(stores.trail, 3, "OTHER")
    first = await checkpointed(stores, signer)
    await seal(stores.trail, [lot(p, 10)])
    second = await checkpointed(stores, signer, NOW + dt.timedelta(hours=1))
    return p, first, second


def trusted(signer: Signer) -> dict[str, str]:
    return signer.public_keys()


def failures(exported: dict[str, Any], signer: Signer, kept: Any = None) -> list[str]:
    return [f.what for f in bundle.verify(exported, trusted(signer), kept) if not f.ok]


async def test_every_leaf_of_the_project_is_proven_under_the_signed_root(
    stores: Stores, signer: Signer
) -> None:
    p, _, second = await two_checkpoints(stores, signer)

    exported = await export_bundle(stores.trail, stores.log, None, p)

    assert exported["project"] == p and exported["manifest"]["records"] == 4
    tree_head = base64.b64decode(exported["checkpoint"]["tree_head"])
    assert tree_head == second.tree_head
    head = TreeHead.parse(tree_head)
    signer.verifying_keys[head.key_id].verify(
        bytes.fromhex(exported["checkpoint"]["signature"]), tree_head
    )
    seqs = []
    for item in exported["leaves"]:
        leaf = base64.b64decode(item["leaf"])
        project, seq, chain_head = read_leaf(leaf)
        proof = [bytes.fromhex(h) for h in item["proof"]]
        implied = merkle.root_from_inclusion(
            item["leaf_index"], head.size, merkle.leaf_hash(leaf), proof
        )
        assert implied == head.root and project == p
        assert chain_head.hex() == exported["records"][seq - 1]["hash"]
        seqs.append(seq)
    assert seqs == [3, 4]
    assert exported["consistency"] == []
    assert failures(exported, signer) == []


async def test_a_consistency_proof_from_an_older_checkpoint(stores: Stores, signer: Signer) -> None:
    p, first, second = await two_checkpoints(stores, signer)

    exported = await export_bundle(stores.trail, stores.log, None, p, since=first.number)

    (consistency,) = exported["consistency"]
    assert (consistency["checkpoint"], consistency["size"]) == (1, first.tree_size)
    proof = [bytes.fromhex(h) for h in consistency["proof"]]
    assert merkle.verify_consistency(
        first.tree_size, second.tree_size, first.root, second.root, proof
    )
    kept = {"tree_head": first.tree_head.decode(), "signature": first.signature.hex()}
    assert failures(exported, signer, kept) == []
    same = await export_bundle(stores.trail, stores.log, None, p, since=second.number)
    assert same["consistency"] == [{"checkpoint": 2, "size": second.tree_size, "proof": []}]


async def test_what_cannot_be_exported_is_refused(stores: Stores, signer: Signer) -> None:
    with pytest.raises(NothingToExport):
        await export_bundle(stores.trail, stores.log, None, "NO-SUCH-PROJECT")
    early = await seeded(stores.trail, 3)
    with pytest.raises(NotYetCheckpointed):  # nothing signed at all
        await export_bundle(stores.trail, stores.log, None, early)
    await checkpointed(stores, signer)
    late = await seeded(stores.trail, 3, "LATE")
    with pytest.raises(NotYetCheckpointed):  # sealed after the latest checkpoint
        await export_bundle(stores.trail, stores.log, None, late)
    with pytest.raises(UnknownCheckpoint):
        await export_bundle(stores.trail, stores.log, None, early, since=2)


async def test_signing_first_covers_the_head_being_exported(stores: Stores, signer: Signer) -> None:
    p = await seeded(stores.trail, 3)
    await checkpointed(stores, signer)
    await seal(stores.trail, [lot(p, 5)])

    before = await export_bundle(stores.trail, stores.log, None, p)
    after = await export_bundle(stores.trail, stores.log, None, p, checkpoint_with=signer)

    def newest_seq(exported: dict[str, Any]) -> int:
        return read_leaf(base64.b64decode(exported["leaves"][-1]["leaf"]))[1]

    assert (newest_seq(before), newest_seq(after)) == (3, 4)
    assert TreeHead.parse(base64.b64decode(after["checkpoint"]["tree_head"])).number == 2
    assert failures(after, signer) == []


async def test_evidence_files_are_included_when_the_store_has_them(
    stores: Stores, signer: Signer
) -> None:
    p = await seeded(stores.trail, 3)
    await checkpointed(stores, signer)
    label = f"auth-{p}-construction-{LEADS['construction']['id_number']}"  # see events.sha
    (state,) = (await stores.trail.load_states([p])).values()
    (sha,) = state.evidence

    files = MemoryFileStore()
    hashes_only = await export_bundle(stores.trail, stores.log, files, p)
    await files.put(sha, label.encode())
    with_files = await export_bundle(stores.trail, stores.log, files, p)
    without_store = await export_bundle(stores.trail, stores.log, None, p)

    assert hashes_only["evidence"] == without_store["evidence"] == [{"sha256": sha}]
    assert with_files["evidence"] == [
        {"sha256": sha, "content": base64.b64encode(label.encode()).decode()}
    ]
    assert failures(with_files, signer) == []
