"""Verifying a chain over the memory ports: its links alone, then against every leaf the project has
in the latest signed checkpoint, once the log itself has been audited."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

from services.adapters.signing import Signer
from services.application.checkpoints import SignedHistory, sign_checkpoint
from services.application.verify import verify_project
from services.domain.chain import StoredLink, Verification
from tests.support.events import lot
from tests.support.fakes import bodies_of, relink
from tests.support.sealing import NOW, seal, seeded
from tests.unit.application.conftest import Stores


async def checkpointed(stores: Stores, signer: Signer, at: dt.datetime = NOW) -> int:
    run = await sign_checkpoint(stores.log, signer, at)
    assert run.made is not None, run
    return run.made.number


async def history(stores: Stores, signer: Signer) -> SignedHistory:
    return await SignedHistory.load(stores.log, signer.verifying_keys)


async def test_an_intact_chain_verifies_with_and_without_checkpoints(
    stores: Stores, signer: Signer
) -> None:
    p = await seeded(stores.trail, 4)
    head = (await stores.trail.records(p))[-1].hash
    assert await verify_project(stores.trail, p) == Verification(True, 4, head)
    assert await verify_project(stores.trail, p, await history(stores, signer)) == Verification(
        True, 4, head
    )  # nothing signed yet
    number = await checkpointed(stores, signer)
    await seal(stores.trail, [lot(p, 9)])  # sealed since: linked, not yet signed
    result = await verify_project(stores.trail, p, await history(stores, signer))
    assert (result.ok, result.length, result.checkpoint) == (True, 5, number)


async def test_a_rewritten_chain_is_found_against_its_signed_leaves(
    stores: Stores, signer: Signer
) -> None:
    early_seq = 3
    p = await seeded(stores.trail, early_seq)
    early = await checkpointed(stores, signer)  # the head at early_seq
    await seal(stores.trail, [lot(p, n) for n in range(1, 5)])
    late_seq = early_seq + 4
    late = await checkpointed(stores, signer, NOW + dt.timedelta(hours=1))  # at late_seq
    bodies = bodies_of(stores.db, p)
    bodies[early_seq + 1]["data"]["building_part"] = "改写的部位"  # a lot sealed after early
    relink(stores.db, p, bodies)

    assert (await verify_project(stores.trail, p)).ok  # its own links hold
    result = await verify_project(stores.trail, p, await history(stores, signer))
    assert (result.ok, result.first_bad_seq, result.checkpoint) == (False, late_seq, late)
    assert result.problem == (
        f"history rewritten: seq {late_seq} is not the head checkpoint {late} signed; "
        f"seq {early_seq} still matches checkpoint {early}, so the change lies in seqs "
        f"{early_seq + 1}–{late_seq}"
    )


async def test_a_cut_off_tail_is_named(stores: Stores, signer: Signer) -> None:
    p = await seeded(stores.trail, 5)
    number = await checkpointed(stores, signer)
    del stores.db.trail[p][5]
    result = await verify_project(stores.trail, p, await history(stores, signer))
    assert (result.ok, result.length, result.first_bad_seq) == (False, 4, 5)
    assert result.problem == (
        f"truncated tail: checkpoint {number} holds seq 5, the chain ends at 4"
    )


def edit_in_place(stores: Stores, project: str, seq: int) -> None:
    """Change a stored record without re-linking: its hash no longer recomputes."""
    link = stores.db.trail[project][seq]
    body = json.loads(link.canonical)
    body["data"]["building_part"] = "篡改"
    edited = json.dumps(body, ensure_ascii=False).encode()
    stores.db.trail[project][seq] = StoredLink(link.seq, edited, link.prev_hash, link.hash)


async def test_an_edited_record_is_named_by_its_links_before_any_later_leaf(
    stores: Stores, signer: Signer
) -> None:
    p = await seeded(stores.trail, 5)
    number = await checkpointed(stores, signer)
    edit_in_place(stores, p, 3)
    result = await verify_project(stores.trail, p, await history(stores, signer))
    assert (result.ok, result.first_bad_seq, result.checkpoint) == (False, 3, number)
    assert result.problem == "record edited: hash mismatch"


async def test_a_log_that_no_longer_gives_its_signed_root_is_flagged(
    stores: Stores, signer: Signer
) -> None:
    p, q = await seeded(stores.trail, 3), await seeded(stores.trail, 4)
    number = await checkpointed(stores, signer)
    entry = stores.db.checkpoint_leaves[0]
    stores.db.checkpoint_leaves[0] = entry._replace(
        row=dataclasses.replace(entry.row, project_id="ELSEWHERE")
    )
    damaged = "leaf 0 of the log was edited: its columns differ from its bytes"
    loaded = await history(stores, signer)
    assert loaded.damaged == damaged

    result = await verify_project(stores.trail, p, loaded)
    assert (result.ok, result.first_bad_seq, result.checkpoint) == (False, None, number)
    assert result.problem == f"the checkpoint log cannot be trusted: {damaged}"
    edit_in_place(stores, q, 2)
    broken = await verify_project(stores.trail, q, loaded)
    assert (broken.ok, broken.first_bad_seq) == (False, 2)
    assert broken.problem == (
        f"record edited: hash mismatch; the checkpoint log cannot be trusted: {damaged}"
    )


async def test_a_checkpoint_signed_by_a_key_no_longer_trusted_is_flagged(
    stores: Stores, signer: Signer
) -> None:
    p = await seeded(stores.trail, 3)
    number = await checkpointed(stores, signer)
    loaded = await SignedHistory.load(stores.log, {})
    result = await verify_project(stores.trail, p, loaded)
    assert not result.ok
    assert result.problem == (
        f"the checkpoint log cannot be trusted: checkpoint {number} is signed by key unit-1, "
        "which no longer verifies"
    )
