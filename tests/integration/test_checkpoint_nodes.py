"""The checkpoint log's stored tree in PostgreSQL: migration 0010 builds the nodes of a log signed
before it existed, and a database superuser who edits a stored node is caught: the checkpointer
refuses to sign on an edited border, the API refuses to serve a proof that no longer verifies,
and the whole log's audit names the node."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.adapters.postgres.checkpoints import CheckpointStore
from services.adapters.postgres.migrations import MIGRATIONS_DIR, migrate
from services.adapters.postgres.pool import create_pool
from services.adapters.signing import Signer
from services.application.checkpoints import audit, sign_checkpoint
from services.application.proofs import LogDamaged, consistency_proof, inclusion_proof
from services.domain import merkle, subtrees
from services.domain.checkpoint import Checkpoint, leaf_bytes, tree_head_bytes
from tests.support.sealing import NOW
from tests.support.stack import Environment, admin_dsn

SIGNER = Signer({"nodes": Ed25519PrivateKey.generate()}, "nodes", set())
SIZES = (700, 1000)  # two checkpoints signed before the nodes existed


def signed(number: int, size: int, root: bytes) -> Checkpoint:
    head = tree_head_bytes(number, size, root, NOW, SIGNER.active)
    return Checkpoint(number, size, root, head, SIGNER.active, SIGNER.sign_bytes(head), NOW)


@pytest.fixture
async def old_log(
    environment: Environment, tmp_path: Path
) -> AsyncIterator[tuple[asyncpg.Pool, asyncpg.Connection, list[bytes], list[Checkpoint]]]:
    """A database migrated up to (not including) 0010 holding a signed log of 1,000 leaves,
    then migrated on."""
    settings = environment.settings.model_copy(
        update={"db_name": f"{environment.database}_{uuid.uuid4().hex[:6]}"}
    )
    before = tmp_path / "sql"
    before.mkdir()
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        if path.stem < "0010":
            shutil.copy(path, before / path.name)
    admin = await asyncpg.connect(admin_dsn())
    await admin.execute(f'CREATE DATABASE "{settings.db_name}" OWNER qtrail_owner')
    try:
        await migrate(settings.dsn("migrator"), before)
        superuser = await asyncpg.connect(admin_dsn(settings.db_name))
        leaves = [leaf_bytes(f"OLD-{i % 37}", i, i.to_bytes(32, "big")) for i in range(SIZES[-1])]
        await superuser.copy_records_to_table(
            "checkpoint_leaves",
            records=[
                (i, f"OLD-{i % 37}", i, i.to_bytes(32, "big"), leaf, 1 + (i >= SIZES[0]))
                for i, leaf in enumerate(leaves)
            ],
            columns=("leaf_index", "project_id", "seq", "head", "leaf", "checkpoint"),
        )
        hashes = [merkle.leaf_hash(leaf) for leaf in leaves]
        made = [signed(n, size, merkle.root(hashes[:size])) for n, size in enumerate(SIZES, 1)]
        for c in made:
            await superuser.execute(
                """INSERT INTO checkpoints (number, tree_size, root, tree_head, key_id,
                     signature, signed_at) VALUES ($1, $2, $3, $4, $5, $6, $7)""",
                *(c.number, c.tree_size, c.root, c.tree_head, c.key_id, c.signature, NOW),
            )
        assert await migrate(settings.dsn("migrator")) == [
            p.stem for p in sorted(MIGRATIONS_DIR.glob("*.sql")) if p.stem >= "0010"
        ]
        pool = await create_pool(settings, "recorder", max_size=2)
        try:
            yield pool, superuser, leaves, made
        finally:
            await pool.close()
            await superuser.close()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{settings.db_name}" WITH (FORCE)')
        await admin.close()


async def test_the_migration_builds_the_nodes_of_a_log_signed_before_them(
    old_log: tuple[asyncpg.Pool, asyncpg.Connection, list[bytes], list[Checkpoint]],
) -> None:
    pool, _, leaves, (first, second) = old_log
    store = CheckpointStore(pool)
    hashes = [merkle.leaf_hash(leaf) for leaf in leaves]
    assert await store.tree_nodes(len(leaves)) == subtrees.every_node(hashes)
    assert await audit(store, second, SIGNER.verifying_keys) is None
    for index in (0, 255, 256, 699, 999):
        proof = await inclusion_proof(store, index, leaves[index], second)
        assert list(proof.hashes) == merkle.inclusion_proof(index, hashes)
    path = await consistency_proof(store, first, second)
    assert path == merkle.consistency_proof(first.tree_size, hashes)

    with pytest.raises(asyncpg.InsufficientPrivilegeError):  # the recorder appends, never edits
        await pool.execute("UPDATE checkpoint_nodes SET hash = hash WHERE level = 0")
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await pool.execute("DELETE FROM checkpoint_nodes")


async def edit(superuser: asyncpg.Connection, node: subtrees.Node) -> None:
    await superuser.execute("SET session_replication_role = replica")
    await superuser.execute(
        "UPDATE checkpoint_nodes SET hash = $3 WHERE level = $1 AND node_index = $2",
        *node,
        b"\xee" * 32,
    )


async def test_an_edited_interior_node_is_refused_by_the_api_and_named_by_the_audit(
    old_log: tuple[asyncpg.Pool, asyncpg.Connection, list[bytes], list[Checkpoint]],
) -> None:
    pool, superuser, leaves, (_, second) = old_log
    store = CheckpointStore(pool)
    await edit(superuser, (2, 5))  # leaves 20 … 23: on no border, so signing goes on

    with pytest.raises(LogDamaged, match="no longer give the root checkpoint 2 signed"):
        await inclusion_proof(store, 16, leaves[16], second)
    assert (await inclusion_proof(store, 900, leaves[900], second)).verifies(second.root)
    assert await audit(store, second, SIGNER.verifying_keys) == (
        "node (2, 5) of the log's stored tree differs from its leaves (checkpoint 2)"
    )
    assert (await sign_checkpoint(store, SIGNER, NOW)).log_damaged is None


async def test_an_edited_border_node_stops_all_signing(
    old_log: tuple[asyncpg.Pool, asyncpg.Connection, list[bytes], list[Checkpoint]],
) -> None:
    pool, superuser, _, (first, second) = old_log
    store = CheckpointStore(pool)
    await edit(superuser, subtrees.border(second.tree_size)[-1])

    run = await sign_checkpoint(store, SIGNER, NOW)
    assert (run.made, run.log_damaged) == (
        None,
        "the log's stored tree no longer gives the root checkpoint 2 signed",
    )
    with pytest.raises(LogDamaged, match="no longer proves checkpoint 2 extends checkpoint 1"):
        await consistency_proof(store, first, second)
