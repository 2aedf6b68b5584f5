"""Signing checkpoints over the memory ports: every moved head gets a leaf once its chain still
continues its previous one; a rewritten chain is refused with a critical alert while the others are
signed; a log that no longer gives its signed root stops all signing."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Awaitable, Callable

import pytest

from services.adapters.signing import Signer
from services.application.checkpoints import CheckpointRun, Refusal, audit, sign_checkpoint
from services.application.ports import LoggedLeaf, LogSize
from services.domain import merkle
from services.domain.chain import utc_text
from services.domain.checkpoint import Checkpoint, StoredLeaf, TreeHead, leaf_bytes, read_leaf
from services.domain.continuity import Leaf
from services.domain.state import Alert
from tests.support.events import lot
from tests.support.fakes import MemoryDatabase, bodies_of, relink, reset_head
from tests.support.sealing import NOW, seal, seeded
from tests.unit.application.conftest import Stores

LATER = NOW + dt.timedelta(hours=1)


async def head_of(stores: Stores, project: str) -> tuple[int, bytes]:
    records = await stores.trail.records(project)
    return records[-1].seq, records[-1].hash


async def signed(stores: Stores, signer: Signer, now: dt.datetime = NOW) -> Checkpoint:
    run = await sign_checkpoint(stores.log, signer, now)
    assert run.made is not None and run.log_damaged is None, run
    return run.made


def alerts_of(db: MemoryDatabase, project: str) -> list[Alert]:
    return [alert for (p, _), alert in db.alerts.items() if p == project]


async def test_the_first_checkpoint_signs_every_head(stores: Stores, signer: Signer) -> None:
    a, b = await seeded(stores.trail, 4), await seeded(stores.trail, 3)

    run = await sign_checkpoint(stores.log, signer, NOW)

    assert run.refused == [] and run.log_damaged is None and run.made is not None
    made = run.made
    assert (made.number, made.tree_size, made.key_id, made.signed_at) == (1, 2, "unit-1", NOW)
    leaves = await stores.log.stored_leaves(2)
    assert {row.project_id: (row.seq, row.head) for row in leaves} == {
        a: await head_of(stores, a),
        b: await head_of(stores, b),
    }
    assert all(read_leaf(row.leaf) == (row.project_id, row.seq, row.head) for row in leaves)
    assert made.root == merkle.root([merkle.leaf_hash(row.leaf) for row in leaves])
    assert TreeHead.parse(made.tree_head) == TreeHead(1, 2, made.root, utc_text(NOW), "unit-1")
    signer.verifying_keys["unit-1"].verify(made.signature, made.tree_head)  # raises if forged
    assert await audit(stores.log, made, signer.verifying_keys) is None


async def test_nothing_moved_signs_nothing_and_only_moved_heads_get_a_leaf(
    stores: Stores, signer: Signer
) -> None:
    a, b = await seeded(stores.trail, 3), await seeded(stores.trail, 3)
    first = await signed(stores, signer)
    leaves = await stores.log.stored_leaves(first.tree_size)

    assert await sign_checkpoint(stores.log, signer, LATER) == CheckpointRun(None, [])
    assert await stores.log.size() == LogSize(2, 1, 2)

    await seal(stores.trail, [lot(a, 50)])
    second = await signed(stores, signer, LATER)
    assert (second.number, second.tree_size) == (2, 3)
    assert await stores.log.stored_leaves(2) == leaves  # appended, never changed
    old_a = next(row for row in leaves if row.project_id == a)
    assert await stores.log.project_leaves(a, 3) == [
        Leaf(old_a.index, 3, old_a.head, 1),
        Leaf(2, *await head_of(stores, a), 2),
    ]
    assert len(await stores.log.project_leaves(b, 3)) == 1
    hashes = [merkle.leaf_hash(row.leaf) for row in await stores.log.stored_leaves(3)]
    proof = merkle.consistency_proof(2, hashes)
    assert merkle.verify_consistency(2, 3, first.root, second.root, proof)


async def rewrite_in_place(stores: Stores, victim: str) -> None:
    bodies = bodies_of(stores.db, victim)
    bodies[3]["data"]["building_part"] = "改写的部位"  # seq 4, lot 1, re-linked from there on
    relink(stores.db, victim, bodies)


async def cut_and_extend(stores: Stores, victim: str) -> None:
    """Delete the signed seq 5, set the recorder's head back, let two new events seal."""
    chain = stores.db.trail[victim]
    del chain[5]
    reset_head(stores.db, victim, 4, chain[4].hash)
    await seal(stores.trail, [lot(victim, 77), lot(victim, 78)])


@pytest.mark.parametrize("attack", [rewrite_in_place, cut_and_extend])
async def test_a_chain_rewritten_under_its_leaf_is_refused_and_the_others_are_signed(
    stores: Stores, signer: Signer, attack: Callable[[Stores, str], Awaitable[None]]
) -> None:
    victim, bystander = await seeded(stores.trail, 5), await seeded(stores.trail, 3, "BYSTANDER")
    first = await signed(stores, signer)
    await attack(stores, victim)
    await seal(stores.trail, [lot(bystander, 1)])

    run = await sign_checkpoint(stores.log, signer, LATER)

    problem = "history rewritten: seq 5 is no longer the head checkpoint 1 signed"
    assert run.refused == [Refusal(victim, 5, problem)] and run.log_damaged is None
    assert run.made is not None and run.made.number == 2
    new = await stores.log.stored_leaves(run.made.tree_size)
    bystander_seq, _ = await head_of(stores, bystander)
    assert [(row.project_id, row.seq) for row in new[first.tree_size :]] == [
        (bystander, bystander_seq)
    ]
    (alert,) = alerts_of(stores.db, victim)
    assert (alert.kind, alert.severity) == ("chain_rewritten", "critical")
    assert alert.alert_id.startswith("chain_rewritten:seq-5:")
    assert problem in alert.message_en and "第 5 条" in alert.message_zh

    again = await sign_checkpoint(stores.log, signer, LATER + dt.timedelta(hours=1))
    assert again == CheckpointRun(None, [Refusal(victim, 5, problem)])
    assert alerts_of(stores.db, victim) == [alert]  # raised once, as first raised


async def test_a_recorder_head_moved_off_the_chain_is_refused(
    stores: Stores, signer: Signer
) -> None:
    victim = await seeded(stores.trail, 4)
    await signed(stores, signer)
    await seal(stores.trail, [lot(victim, 9)])
    reset_head(stores.db, victim, 5, b"\x01" * 32)
    run = await sign_checkpoint(stores.log, signer, LATER)
    assert run.made is None
    assert run.refused == [
        Refusal(victim, 5, "the recorder's head at seq 5 is not on the checkpointed chain (reset?)")
    ]


def edit_a_leaf_column(db: MemoryDatabase) -> str:
    entry = db.checkpoint_leaves[2]
    db.checkpoint_leaves[2] = entry._replace(row=dataclasses.replace(entry.row, project_id="ELSE"))
    return "leaf 2 of the log was edited: its columns differ from its bytes"


def forge_a_leaf(db: MemoryDatabase) -> str:
    entry = db.checkpoint_leaves[2]
    row = entry.row
    forged = dataclasses.replace(
        row, head=b"\xee" * 32, leaf=leaf_bytes(row.project_id, row.seq, b"\xee" * 32)
    )
    db.checkpoint_leaves[2] = entry._replace(row=forged)
    return "the log's leaves no longer hash to the root checkpoint 2 signed"


def add_a_leaf(db: MemoryDatabase) -> str:
    head = b"\x02" * 32
    db.checkpoint_leaves[3] = LoggedLeaf(
        StoredLeaf(3, "EXTRA", 1, head, leaf_bytes("EXTRA", 1, head)), 2
    )
    return "the log holds 4 leaves where checkpoint 2 signed 3"


def remove_a_leaf(db: MemoryDatabase) -> str:
    del db.checkpoint_leaves[2]
    return "the log holds 2 leaves where checkpoint 2 signed 3"


def remove_the_last_checkpoint(db: MemoryDatabase) -> str:
    del db.checkpoints[2]
    return "the log holds 3 leaves where checkpoint 1 signed 2"


def remove_every_checkpoint(db: MemoryDatabase) -> str:
    db.checkpoints.clear()
    return "the log holds 3 leaves but no signed checkpoint"


@pytest.mark.parametrize(
    "damage",
    [
        edit_a_leaf_column,
        forge_a_leaf,
        add_a_leaf,
        remove_a_leaf,
        remove_the_last_checkpoint,
        remove_every_checkpoint,
    ],
)
async def test_a_damaged_log_stops_all_signing(
    stores: Stores, signer: Signer, damage: Callable[[MemoryDatabase], str]
) -> None:
    a, b = await seeded(stores.trail, 3), await seeded(stores.trail, 3)
    await signed(stores, signer)
    await seal(stores.trail, [lot(a, 10)])
    await signed(stores, signer, LATER)
    expected = damage(stores.db)
    await seal(stores.trail, [lot(b, 11)])  # a head moved: something to sign
    leaves, checkpoints = dict(stores.db.checkpoint_leaves), dict(stores.db.checkpoints)

    run = await sign_checkpoint(stores.log, signer, LATER + dt.timedelta(hours=1))

    assert run == CheckpointRun(None, [], expected)
    assert (stores.db.checkpoint_leaves, stores.db.checkpoints) == (leaves, checkpoints)
    assert stores.db.alerts == {}
    if (latest := await stores.log.latest()) is not None:
        assert await audit(stores.log, latest, signer.verifying_keys) == expected


class FailingSigner:
    """The active key's device fails mid-signing."""

    def __init__(self, signer: Signer) -> None:
        self.active = signer.active
        self.verifying_keys = signer.verifying_keys

    def sign_bytes(self, data: bytes) -> bytes:
        raise OSError("the signing device is away")


async def test_a_failure_while_signing_commits_neither_leaves_nor_the_refusals_alert(
    stores: Stores, signer: Signer
) -> None:
    victim, bystander = await seeded(stores.trail, 5), await seeded(stores.trail, 3)
    await signed(stores, signer)
    await rewrite_in_place(stores, victim)
    await seal(stores.trail, [lot(bystander, 1)])
    size = await stores.log.size()

    with pytest.raises(OSError, match="signing device"):
        await sign_checkpoint(stores.log, FailingSigner(signer), LATER)

    assert await stores.log.size() == size
    assert alerts_of(stores.db, victim) == []
    run = await sign_checkpoint(stores.log, signer, LATER)  # the lock was let go
    assert run.made is not None and [r.project_id for r in run.refused] == [victim]
    assert len(alerts_of(stores.db, victim)) == 1
