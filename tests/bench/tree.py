"""The checkpoint log at growing sizes: signing a checkpoint and reading a proof cost O(log n).

For each size, a database of its own holds a signed log of that many leaves (one real project,
whose chain is sealed through the trail adapter, and padding leaves of eight projects whose heads
do not move, written with their tree nodes as migration 0010 would have built them). The real
project then moves and a checkpoint is signed (``sign_checkpoint``, as the recorder's timer does),
and its inclusion proof is read (as ``/v1/projects/{id}/inclusion`` does). Beside them, for
comparison, what the log did before it kept its nodes: read every leaf and hash the tree.

Run alone with small sizes: ``python -m tests.bench.tree 10000 100000``; ``make bench`` runs
it at its default sizes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import statistics
import sys
import time
import uuid
from typing import Any

import asyncpg
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.adapters.postgres.checkpoints import CheckpointStore
from services.adapters.postgres.migrations import migrate
from services.adapters.postgres.pool import create_pool
from services.adapters.signing import Signer
from services.application.checkpoints import sign_checkpoint
from services.application.proofs import inclusion_proof
from services.domain import merkle, subtrees
from services.domain.checkpoint import leaf_bytes, tree_head_bytes
from tests.integration.contracts.conftest import PostgresTrail
from tests.support.events import lot
from tests.support.sealing import NOW, seal, seeded
from tests.support.stack import admin_dsn, ensure_stack, new_environment

SIZES = (10_000, 100_000)
PADDING_PROJECTS = 8
ROUNDS = 5


async def _padded(superuser: asyncpg.Connection, signer: Signer, size: int) -> None:
    """Leaves 1 … size−1 of the padding projects, their nodes, their heads and checkpoint 2."""
    first = await superuser.fetchrow("SELECT root FROM checkpoints WHERE number = 1")
    assert first is not None
    rows, heads = [], {}
    for i in range(1, size):
        project, head = f"PAD-{i % PADDING_PROJECTS}", i.to_bytes(32, "big")
        rows.append((i, project, i, head, leaf_bytes(project, i, head), 2))
        heads[project] = (i, head)
    columns = ("leaf_index", "project_id", "seq", "head", "leaf", "checkpoint")
    await superuser.copy_records_to_table("checkpoint_leaves", records=rows, columns=columns)
    signed = {(0, 0): bytes(first["root"])}  # the tree of checkpoint 1: its one leaf
    nodes = subtrees.appended(1, signed, [merkle.leaf_hash(r[4]) for r in rows])
    await superuser.copy_records_to_table(
        "checkpoint_nodes",
        records=[(lv, i, h) for (lv, i), h in nodes.items()],
        columns=("level", "node_index", "hash"),
    )
    await superuser.copy_records_to_table(
        "project_heads",
        records=[(p, s, h, "{}", NOW) for p, (s, h) in heads.items()],
        columns=("project_id", "seq", "head", "state", "updated_at"),
    )
    root = subtrees.root(size, signed | nodes)
    head = tree_head_bytes(2, size, root, NOW, signer.active)
    await superuser.execute(
        """INSERT INTO checkpoints (number, tree_size, root, tree_head, key_id, signature, signed_at)
           VALUES (2, $1, $2, $3, $4, $5, $6)""",
        size,
        root,
        head,
        signer.active,
        signer.sign_bytes(head),
        NOW,
    )


async def at_size(size: int) -> dict[str, Any]:
    env = new_environment()
    name = f"{env.database}_tree"
    settings = env.settings.model_copy(update={"db_name": name})
    signer = Signer({"bench": Ed25519PrivateKey.generate()}, "bench", set())
    admin = await asyncpg.connect(admin_dsn())
    await admin.execute(f'CREATE DATABASE "{name}" OWNER qtrail_owner')
    try:
        await migrate(settings.dsn("migrator"))
        pool = await create_pool(settings, "recorder", max_size=2)
        superuser = await asyncpg.connect(admin_dsn(name))
        try:
            trail, store = PostgresTrail(pool), CheckpointStore(pool)
            real = await seeded(trail, 3, "TREE")
            assert (await sign_checkpoint(store, signer, NOW)).made is not None
            await superuser.execute("SET session_replication_role = replica")
            await _padded(superuser, signer, size)
            await superuser.execute("ANALYZE")
            signing, proving = [], []
            for n in range(ROUNDS):
                when = NOW + dt.timedelta(hours=n + 1)
                await seal(trail, [lot(real, 100 + n)], when)
                start = time.perf_counter()
                run = await sign_checkpoint(store, signer, when)
                signing.append(time.perf_counter() - start)
                assert run.made is not None and run.log_damaged is None, run
                start = time.perf_counter()
                found = await store.latest_leaf(real, run.made.tree_size)
                assert found is not None
                proof = await inclusion_proof(store, found[0], found[1], run.made)
                proving.append(time.perf_counter() - start)
                assert proof.verifies(run.made.root)
            start = time.perf_counter()
            every = await store.stored_leaves(size + ROUNDS)
            merkle.root([merkle.leaf_hash(row.leaf) for row in every])
            all_leaves = time.perf_counter() - start
            stored = await superuser.fetchrow(
                """SELECT count(*) AS rows, pg_total_relation_size('checkpoint_nodes') AS bytes
                   FROM checkpoint_nodes"""
            )
        finally:
            await superuser.close()
            await pool.close()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    return {
        "tree_size": size,
        "checkpoint_ms": round(statistics.median(signing) * 1000, 2),
        "proof_ms": round(statistics.median(proving) * 1000, 2),
        "all_leaves_root_ms": round(all_leaves * 1000, 1),
        "node_rows": stored["rows"],
        "node_bytes_per_leaf": round(stored["bytes"] / (size + ROUNDS)),
        "rounds": ROUNDS,
        "run": uuid.uuid4().hex[:6],
    }


async def checkpoint_log(sizes: tuple[int, ...] = SIZES) -> list[dict[str, Any]]:
    """The figures at each size, in turn (never concurrently: each is timed alone)."""
    return [await at_size(size) for size in sizes]


def print_figures(figures: list[dict[str, Any]]) -> None:
    print("  checkpoint log (median of signing one moved head, and of reading its proof)")
    for f in figures:
        print(
            f"    {f['tree_size']:>9,} leaves: checkpoint {f['checkpoint_ms']:8.2f} ms, "
            f"inclusion proof {f['proof_ms']:6.2f} ms; "
            f"every leaf read and hashed (before): {f['all_leaves_root_ms']:8.1f} ms; "
            f"{f['node_bytes_per_leaf']} B of nodes a leaf"
        )


if __name__ == "__main__":
    ensure_stack()
    chosen = tuple(int(a) for a in sys.argv[1:]) or SIZES
    result = asyncio.run(checkpoint_log(chosen))
    print_figures(result)
    print(json.dumps(result))
