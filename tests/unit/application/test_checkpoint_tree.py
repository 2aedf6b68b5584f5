"""The checkpoint log's stored tree over the memory ports: each checkpoint appends the nodes its
leaves complete, reads O(log n) of them and no leaf beyond each project's newest; proofs and
tiles come from the nodes; an edited node is caught before it is signed on or served."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pytest

from services.adapters.signing import Signer
from services.application import proofs
from services.application.checkpoints import CheckpointRun, audit, sign_checkpoint
from services.application.ports import LoggedLeaf
from services.application.published_log import TileServer
from services.domain import merkle, subtrees
from services.domain.checkpoint import Checkpoint, StoredLeaf, leaf_bytes, tree_head_bytes
from services.domain.transparency.tiles import served_tiles
from tests.support.events import lot
from tests.support.fakes import MemoryCheckpointLog, _MemorySession, reset_head
from tests.support.sealing import NOW, seal, seeded
from tests.unit.application.conftest import Stores

LATER = NOW + dt.timedelta(hours=1)


def hashes_of(stores: Stores) -> list[bytes]:
    rows = stores.db.checkpoint_leaves
    return [merkle.leaf_hash(rows[i].row.leaf) for i in sorted(rows)]


async def test_each_checkpoint_appends_the_nodes_its_leaves_complete(
    stores: Stores, signer: Signer
) -> None:
    projects = [await seeded(stores.trail, 3) for _ in range(3)]
    for n, moving in enumerate([projects, projects[:2], projects[1:], projects], start=1):
        await seal(stores.trail, [lot(p, 10 + n) for p in moving])
        run = await sign_checkpoint(stores.log, signer, NOW + dt.timedelta(hours=n))
        assert run.made is not None and run.log_damaged is None
        assert stores.db.checkpoint_nodes == subtrees.every_node(hashes_of(stores))
        assert run.made.root == merkle.root(hashes_of(stores))
        assert await audit(stores.log, run.made, signer.verifying_keys) is None


async def padded(stores: Stores, signer: Signer, size: int) -> tuple[str, Checkpoint]:
    """A signed log of ``size`` leaves: one real project's, then eight padding projects' (their
    heads where their newest leaves say, so they do not move)."""
    real = await seeded(stores.trail, 3)
    first = await sign_checkpoint(stores.log, signer, NOW)
    assert first.made is not None and first.made.tree_size == 1
    for i in range(1, size):
        project, seq, head = f"PAD-{i % 8}", i, i.to_bytes(32, "big")
        row = StoredLeaf(i, project, seq, head, leaf_bytes(project, seq, head))
        stores.db.checkpoint_leaves[i] = LoggedLeaf(row, 2)
        reset_head(stores.db, project, seq, head)
    stores.db.checkpoint_nodes = subtrees.every_node(hashes_of(stores))
    root = subtrees.root(size, stores.db.checkpoint_nodes)
    head = tree_head_bytes(2, size, root, NOW, signer.active)
    made = Checkpoint(2, size, root, head, signer.active, signer.sign_bytes(head), NOW)
    stores.db.checkpoints[2] = made
    return real, made


@pytest.mark.parametrize("size", [1_000, 30_000])
async def test_a_checkpoint_reads_o_log_n_nodes_and_no_leaf_but_each_projects_newest(
    stores: Stores, signer: Signer, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    real, _ = await padded(stores, signer, size)
    await seal(stores.trail, [lot(real, 7)])
    asked: list[subtrees.Node] = []
    reads = _MemorySession.nodes

    async def counted(
        self: _MemorySession, wanted: Iterable[subtrees.Node]
    ) -> dict[subtrees.Node, bytes]:
        wanted = list(wanted)
        asked.extend(wanted)
        return await reads(self, wanted)

    async def refused(*_: object) -> None:
        raise AssertionError("a checkpoint reads no range of leaves")

    monkeypatch.setattr(_MemorySession, "nodes", counted)
    monkeypatch.setattr(MemoryCheckpointLog, "stored_leaves", refused)
    monkeypatch.setattr(MemoryCheckpointLog, "leaf_range", refused)

    run = await sign_checkpoint(stores.log, signer, LATER)

    assert run.made is not None and run.made.tree_size == size + 1
    assert len(asked) <= 3 * size.bit_length()  # the border, and the moved leaf's audit path
    assert run.made.root == merkle.root(hashes_of(stores))


async def test_proofs_and_hash_tiles_come_from_the_nodes(stores: Stores, signer: Signer) -> None:
    _, made = await padded(stores, signer, 600)
    leaves = [stores.db.checkpoint_leaves[i].row.leaf for i in range(600)]
    hashes = hashes_of(stores)
    proof = await proofs.inclusion_proof(stores.log, 0, leaves[0], made)
    assert list(proof.hashes) == merkle.inclusion_proof(0, hashes) and proof.verifies(made.root)
    first = stores.db.checkpoints[1]
    assert await proofs.consistency_proof(stores.log, first, made) == merkle.consistency_proof(
        1, hashes
    )
    stores.db.checkpoint_leaves.clear()  # hash tiles need no leaf
    tiles = TileServer(stores.log)
    for tile, data in served_tiles(leaves, [600]).items():
        if tile.level != "entries":
            assert (await tiles.tile(tile.path())).data == data, tile.path()


async def test_an_edited_node_off_the_border_is_refused_by_proofs_and_named_by_the_audit(
    stores: Stores, signer: Signer
) -> None:
    _, made = await padded(stores, signer, 600)
    stores.db.checkpoint_nodes[(3, 1)] = b"\xee" * 32  # leaves 8 … 15
    first, ninth = (stores.db.checkpoint_leaves[i].row.leaf for i in (0, 9))
    with pytest.raises(proofs.LogDamaged, match="no longer give the root checkpoint 2 signed"):
        await proofs.inclusion_proof(stores.log, 0, first, made)  # its path holds the node
    assert (await proofs.inclusion_proof(stores.log, 9, ninth, made)).verifies(made.root)
    with pytest.raises(proofs.LogDamaged, match="no longer proves checkpoint 2 extends"):
        await proofs.consistency_proof(stores.log, stores.db.checkpoints[1], made)
    assert await audit(stores.log, made, signer.verifying_keys) == (
        "node (3, 1) of the log's stored tree differs from its leaves (checkpoint 2)"
    )
    del stores.db.checkpoint_nodes[(3, 1)]
    assert await audit(stores.log, made, signer.verifying_keys) == (
        "node (3, 1) of the log's stored tree is missing (checkpoint 2)"
    )
    with pytest.raises(proofs.LogDamaged, match=r"node \(3, 1\) .* is missing"):
        await proofs.inclusion_proof(stores.log, 0, first, made)


async def test_an_edited_border_node_stops_all_signing(stores: Stores, signer: Signer) -> None:
    real, _ = await padded(stores, signer, 600)
    await seal(stores.trail, [lot(real, 7)])
    border = subtrees.border(600)
    for node in (border[0], border[-1]):
        kept = stores.db.checkpoint_nodes[node]
        stores.db.checkpoint_nodes[node] = b"\xee" * 32
        run = await sign_checkpoint(stores.log, signer, LATER)
        assert run == CheckpointRun(
            None, [], "the log's stored tree no longer gives the root checkpoint 2 signed"
        )
        del stores.db.checkpoint_nodes[node]
        assert (await sign_checkpoint(stores.log, signer, LATER)).log_damaged == run.log_damaged
        stores.db.checkpoint_nodes[node] = kept
    assert (await sign_checkpoint(stores.log, signer, LATER)).made is not None


async def test_tree_nodes_left_beyond_the_signed_tree_stop_all_signing(
    stores: Stores, signer: Signer
) -> None:
    """As when an insider empties the leaves and checkpoints but not the nodes."""
    real = await seeded(stores.trail, 3)
    assert (await sign_checkpoint(stores.log, signer, NOW)).made is not None
    stores.db.checkpoint_leaves.clear()
    stores.db.checkpoints.clear()
    await seal(stores.trail, [lot(real, 7)])
    run = await sign_checkpoint(stores.log, signer, LATER)
    assert run == CheckpointRun(
        None, [], "the log's stored tree holds leaf hashes beyond the 0 leaves signed"
    )
    stores.db.checkpoint_nodes.clear()  # wiped altogether: a fresh log (docs/architecture.md)
    assert (await sign_checkpoint(stores.log, signer, LATER)).made is not None
