"""A database superuser's attacks on the checkpoint log itself.

Editing, adding or removing stored leaves or checkpoints is caught before anything is signed: the
stored log must still give the last signed root. Emptying the log altogether is not: the
checkpointer then signs a fresh log over whatever the chains hold, with the operator's own key.
Only a checkpoint kept outside the database before the rewrite exposes that, which is what the
last test shows (and docs/architecture.md says). This module's database is its own, because these
tests damage the log that every project shares.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from services.adapters.postgres.pool import create_pool
from services.domain import subtrees
from services.domain.checkpoint import leaf_bytes
from tests.support.client import Site
from tests.support.events import lot
from tests.support.insider import bodies_of, chain, checkpoint, qtrail, relink, seeded
from tests.support.stack import Environment, dispose, new_environment, provision


@pytest.fixture(scope="module")
def environment(stack: None) -> Iterator[Environment]:
    env = new_environment(QTRAIL_CHECKPOINT_INTERVAL_S="3600")
    asyncio.run(provision(env))
    yield env
    asyncio.run(dispose(env))


@pytest.fixture
async def pool(environment: Environment) -> AsyncIterator[asyncpg.Pool]:
    created = await create_pool(environment.settings, "recorder", max_size=2)  # the checkpointer
    yield created
    await created.close()


async def test_an_edited_or_removed_part_of_the_log_stops_all_signing(
    site: Site, environment: Environment, pool: asyncpg.Pool, superuser: asyncpg.Connection
) -> None:
    project = await seeded(site, 3)
    assert (await checkpoint(pool, environment)).made is not None
    await site.sealed(lot(project, 2))
    made = (await checkpoint(pool, environment)).made  # at least two checkpoints
    assert made is not None and made.number >= 2
    moves = itertools.count(100)
    row = await superuser.fetchrow(
        "SELECT * FROM checkpoint_leaves WHERE project_id = $1 ORDER BY leaf_index DESC LIMIT 1",
        project,
    )
    index = row["leaf_index"]
    await superuser.execute("SET session_replication_role = replica")

    async def damaged(expected: str) -> None:
        await site.sealed(lot(project, next(moves)))  # a head moved: something to sign
        attempt = await checkpoint(pool, environment)
        assert attempt.made is None and attempt.log_damaged == expected, attempt
        cli = qtrail(environment, "checkpoint")
        assert cli.returncode == 1 and f"NOTHING SIGNED: {expected}" in cli.stderr
        answer = (await site.get(f"/v1/projects/{project}/verify")).json()
        assert answer["ok"] is False
        assert answer["problem"] == f"the checkpoint log cannot be trusted: {expected}"

    # the project column moved, so that a lookup by project misses the leaf
    await superuser.execute(
        "UPDATE checkpoint_leaves SET project_id = 'ELSEWHERE' WHERE leaf_index = $1", index
    )
    await damaged(f"leaf {index} of the log was edited: its columns differ from its bytes")
    # the leaf made to agree with a rewritten head
    forged = leaf_bytes(project, row["seq"], b"\xee" * 32)
    await superuser.execute(
        """UPDATE checkpoint_leaves SET project_id = $2, head = $3, leaf = $4
           WHERE leaf_index = $1""",
        index,
        project,
        b"\xee" * 32,
        forged,
    )
    await damaged(f"the log's leaves no longer hash to the root checkpoint {made.number} signed")
    await superuser.execute(
        "UPDATE checkpoint_leaves SET head = $2, leaf = $3 WHERE leaf_index = $1",
        index,
        bytes(row["head"]),
        bytes(row["leaf"]),
    )
    # the last checkpoint removed, its leaves left behind
    last = await superuser.fetchrow("SELECT * FROM checkpoints ORDER BY number DESC LIMIT 1")
    await superuser.execute("DELETE FROM checkpoints WHERE number = $1", last["number"])
    previous = await superuser.fetchrow("SELECT * FROM checkpoints ORDER BY number DESC LIMIT 1")
    await damaged(
        f"the log holds {last['tree_size']} leaves where checkpoint {previous['number']} "
        f"signed {previous['tree_size']}"
    )
    await superuser.execute(
        """INSERT INTO checkpoints (number, tree_size, root, tree_head, key_id, signature,
                                    signed_at) VALUES ($1, $2, $3, $4, $5, $6, $7)""",
        *(last[k] for k in ("number", "tree_size", "root", "tree_head", "key_id", "signature")),
        last["signed_at"],
    )
    # repaired: signing resumes
    restored = await checkpoint(pool, environment)
    assert restored.log_damaged is None and restored.made is not None
    assert (await site.get(f"/v1/projects/{project}/verify")).json()["ok"] is True


async def test_an_edited_tree_node_is_refused_by_the_api_and_named_by_verify(
    site: Site, environment: Environment, pool: asyncpg.Pool, superuser: asyncpg.Connection
) -> None:
    project, _ = await seeded(site, 3), await seeded(site, 3)  # a tree of two leaves at least
    made = (await checkpoint(pool, environment)).made
    assert made is not None
    answer = (await site.get(f"/v1/projects/{project}/inclusion")).json()
    index = answer["leaf_index"]
    node = subtrees.covering(*subtrees.inclusion_spans(index, made.tree_size)[-1])[0]
    kept = await superuser.fetchval(
        "SELECT hash FROM checkpoint_nodes WHERE level = $1 AND node_index = $2", *node
    )
    await superuser.execute("SET session_replication_role = replica")
    await superuser.execute(
        "UPDATE checkpoint_nodes SET hash = $3 WHERE level = $1 AND node_index = $2",
        *node,
        b"\xee" * 32,
    )

    refused = await site.get(f"/v1/projects/{project}/inclusion")
    assert refused.status_code == 500, refused.text
    assert refused.json()["title"] == "Checkpoint log damaged"
    verdict = (await site.get(f"/v1/projects/{project}/verify")).json()
    assert verdict["ok"] is False
    assert f"node {node} of the log's stored tree differs from its leaves" in verdict["problem"]

    await superuser.execute(
        "UPDATE checkpoint_nodes SET hash = $3 WHERE level = $1 AND node_index = $2", *node, kept
    )
    assert (await site.get(f"/v1/projects/{project}/inclusion")).json() == answer
    assert (await site.get(f"/v1/projects/{project}/verify")).json()["ok"] is True


async def test_a_wiped_log_resigned_afresh_is_exposed_only_by_a_kept_checkpoint(
    site: Site,
    environment: Environment,
    pool: asyncpg.Pool,
    superuser: asyncpg.Connection,
    tmp_path: Path,
) -> None:
    """The residual risk, shown: rewrite a chain, empty the checkpoint tables (leaves, nodes, checkpoints), let the
    checkpointer sign a fresh log. Verify and the trusted key are satisfied; the checkpoint the
    regulator kept is not."""
    project = await seeded(site, 3)
    for n in range(1, 3):  # several leaves for the project, so the kept log is the larger
        assert (await checkpoint(pool, environment)).made is not None
        await site.sealed(lot(project, 10 + n))
    assert (await checkpoint(pool, environment)).made is not None
    keys = tmp_path / "signing-keys.json"
    keys.write_text((await site.get("/v1/signing-keys")).text)
    kept = tmp_path / "kept.json"
    kept.write_text((await site.get("/v1/checkpoints/latest")).text)
    kept_leaf = tmp_path / "kept-leaf.json"
    kept_leaf.write_text((await site.get(f"/v1/projects/{project}/inclusion")).text)
    assert json.loads(kept_leaf.read_text())["seq"] == 5

    bodies = bodies_of(await chain(superuser, project))
    bodies[3]["data"]["building_part"] = "改写的部位"  # seq 4, a lot
    await relink(superuser, project, bodies)
    await superuser.execute("DELETE FROM checkpoint_leaves")
    await superuser.execute("DELETE FROM checkpoints")
    await superuser.execute("DELETE FROM checkpoint_nodes")

    fresh = await checkpoint(pool, environment)
    assert fresh.made is not None and fresh.made.number == 1 and fresh.refused == []
    answer = (await site.get(f"/v1/projects/{project}/verify")).json()
    assert answer["ok"] is True  # nothing inside the database contradicts the rewrite any more

    bundle = tmp_path / "bundle.json"
    assert qtrail(environment, "export", project, "-o", str(bundle)).returncode == 0
    trusted = qtrail(environment, "verify-bundle", str(bundle), "--trust-file", str(keys))
    assert trusted.returncode == 0, trusted.stdout  # the operator's key signed the fresh log

    against_kept = qtrail(
        environment,
        "verify-bundle",
        str(bundle),
        "--trust-file",
        str(keys),
        "--checkpoint",
        str(kept),
    )
    assert against_kept.returncode == 1
    assert "FAIL the log shrank: the checkpoint" in against_kept.stdout, against_kept.stdout
    against_leaf = qtrail(
        environment,
        "verify-bundle",
        str(bundle),
        "--trust-file",
        str(keys),
        "--checkpoint",
        str(kept_leaf),
    )
    assert against_leaf.returncode == 1
    assert "history rewritten: seq 5 is not the head the checkpoint" in against_leaf.stdout
    assert against_leaf.stdout.strip().splitlines()[-1].endswith("first bad seq 5")
