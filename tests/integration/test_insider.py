"""History cannot be rewritten unseen: a database superuser's rewrites of a checkpointed chain.

Each attack runs as the PostgreSQL superuser with the append-only triggers off
(``session_replication_role = replica``) and re-links what it changes, so the chain's own links
hold. The next checkpoint must refuse the project (naming the seq, raising a critical alert, still
signing the other projects), and verify (API and CLI) must name the first seq where history and a
signed checkpoint disagree. Then the same with exported bundles, against the trusted key and an
older checkpoint the regulator kept. The checkpoint timer is slowed down so that only the tests
sign checkpoints.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from services.adapters.postgres.pool import create_pool
from services.application.checkpoints import CheckpointRun
from tests.support.client import Site
from tests.support.events import lot
from tests.support.insider import (
    SEEDED_MIN,
    bodies_of,
    chain,
    checkpoint,
    qtrail,
    relink,
    reset_head,
    seeded,
)
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


async def leaves_of(conn: asyncpg.Connection, project: str, number: int) -> list[int]:
    rows = await conn.fetch(
        "SELECT seq FROM checkpoint_leaves WHERE project_id = $1 AND checkpoint = $2",
        project,
        number,
    )
    return [r["seq"] for r in rows]


async def assert_refused(
    attempt: CheckpointRun,
    db: asyncpg.Connection,
    project: str,
    seq: int,
    problem: str,
    bystander: str,
) -> None:
    """The checkpoint refused ``project`` at ``seq``, raised the alert, and still signed the
    bystander's new head."""
    mine = [r for r in attempt.refused if r.project_id == project]  # earlier victims stay refused
    assert [r.seq for r in mine] == [seq], attempt.refused
    assert problem in mine[0].problem
    alerts = await db.fetch(
        "SELECT * FROM alerts WHERE project_id = $1 AND kind = 'chain_rewritten'", project
    )
    assert len(alerts) == 1
    assert alerts[0]["severity"] == "critical"
    assert alerts[0]["alert_id"].startswith(f"chain_rewritten:seq-{seq}:")
    assert f"第 {seq} 条" in alerts[0]["message_zh"] and problem in alerts[0]["message_en"]
    assert attempt.made is not None and attempt.log_damaged is None
    assert await leaves_of(db, project, attempt.made.number) == []
    assert await leaves_of(db, bystander, attempt.made.number) != []


async def assert_verify_names(
    site: Site, environment: Environment, project: str, seq: int, problem: str
) -> None:
    answer = (await site.get(f"/v1/projects/{project}/verify")).json()
    assert answer["ok"] is False, answer
    assert answer["first_bad_seq"] == seq, answer
    assert problem in answer["problem"], answer
    assert answer["checkpoint"] is not None
    cli = qtrail(environment, "verify", project)
    assert cli.returncode == 1, cli.stdout + cli.stderr
    line = json.loads(cli.stdout)
    assert (line["ok"], line["first_bad_seq"]) == (False, seq)
    assert problem in line["problem"]


# ----------------------------------------------------------------------------- the checkpointer


async def test_cut_and_extend_is_refused_by_the_checkpointer_and_named_by_verify(
    site: Site,
    environment: Environment,
    pool: asyncpg.Pool,
    db: asyncpg.Connection,
    superuser: asyncpg.Connection,
) -> None:
    """The issue's attack: delete the last checkpointed record, reset the recorder's head, post
    two new events. The new chain links perfectly; seq 5 is not what checkpoint N signed."""
    project = await seeded(site, 5)
    bystander = await seeded(site, 3, "BYSTANDER")
    first = await checkpoint(pool, environment)
    assert first.made is not None and first.refused == []
    assert await leaves_of(db, project, first.made.number) == [5]

    rows = await chain(superuser, project)
    await superuser.execute("SET session_replication_role = replica")
    await superuser.execute("DELETE FROM trail WHERE project_id = $1 AND seq = 5", project)
    await reset_head(superuser, project, 4, bytes(rows[3]["hash"]))
    await site.sealed(lot(project, 77))
    await site.sealed(lot(project, 78))
    rewritten = await chain(db, project)
    assert [r["seq"] for r in rewritten] == [1, 2, 3, 4, 5, 6]
    assert bytes(rewritten[4]["hash"]) != bytes(rows[4]["hash"])
    await site.sealed(lot(bystander, 1))

    attempt = await checkpoint(pool, environment)
    signed = first.made.number
    await assert_refused(
        attempt,
        db,
        project,
        5,
        f"history rewritten: seq 5 is no longer the head checkpoint {signed} signed",
        bystander,
    )
    await assert_verify_names(
        site,
        environment,
        project,
        5,
        f"history rewritten: seq 5 is not the head checkpoint {signed} signed",
    )

    again = qtrail(environment, "checkpoint")  # refused again, still one alert
    assert again.returncode == 1
    assert f"REFUSED project {project} at seq 5" in again.stderr
    assert {
        "project": project,
        "seq": 5,
        "problem": f"history rewritten: seq 5 is no longer the head checkpoint {signed} signed",
    } in json.loads(again.stdout)["refused"]
    count = await db.fetchval(
        "SELECT count(*) FROM alerts WHERE project_id = $1 AND kind = 'chain_rewritten'", project
    )
    assert count == 1


async def test_rewrite_in_place_is_refused_and_verify_says_where_the_change_lies(
    site: Site,
    environment: Environment,
    pool: asyncpg.Pool,
    db: asyncpg.Connection,
    superuser: asyncpg.Connection,
) -> None:
    early_seq = SEEDED_MIN
    project = await seeded(site, early_seq)
    bystander = await seeded(site, 3, "BYSTANDER")
    early = await checkpoint(pool, environment)  # the project's head at early_seq
    for n in range(1, 5):
        await site.sealed(lot(project, n))
    late_seq = early_seq + 4
    late = await checkpoint(pool, environment)  # at late_seq
    assert early.made and late.made
    assert await leaves_of(db, project, late.made.number) == [late_seq]

    bodies = bodies_of(await chain(superuser, project))
    bodies[early_seq]["data"]["building_part"] = "改写的部位"  # lot 1, the seq after early_seq
    await relink(superuser, project, bodies)
    await site.sealed(lot(bystander, 1))

    attempt = await checkpoint(pool, environment)
    await assert_refused(
        attempt,
        db,
        project,
        late_seq,
        f"history rewritten: seq {late_seq} is no longer the head checkpoint "
        f"{late.made.number} signed",
        bystander,
    )
    await assert_verify_names(
        site,
        environment,
        project,
        late_seq,
        f"history rewritten: seq {late_seq} is not the head checkpoint {late.made.number} signed; "
        f"seq {early_seq} still matches checkpoint {early.made.number}, so the change lies in "
        f"seqs {early_seq + 1}–{late_seq}",
    )


async def test_reordered_records_are_refused_and_named(
    site: Site,
    environment: Environment,
    pool: asyncpg.Pool,
    db: asyncpg.Connection,
    superuser: asyncpg.Connection,
) -> None:
    project = await seeded(site, 6)
    bystander = await seeded(site, 3, "BYSTANDER")
    signed = await checkpoint(pool, environment)
    assert signed.made is not None

    bodies = bodies_of(await chain(superuser, project))
    bodies[4], bodies[5] = bodies[5], bodies[4]  # lots 2 and 3 swapped, then re-linked
    await relink(superuser, project, bodies)
    await site.sealed(lot(bystander, 1))

    attempt = await checkpoint(pool, environment)
    await assert_refused(
        attempt, db, project, 6, "history rewritten: seq 6 is no longer the head", bystander
    )
    await assert_verify_names(
        site, environment, project, 6, "history rewritten: seq 6 is not the head checkpoint"
    )


async def test_a_record_deleted_from_the_middle_is_refused_and_named(
    site: Site,
    environment: Environment,
    pool: asyncpg.Pool,
    db: asyncpg.Connection,
    superuser: asyncpg.Connection,
) -> None:
    """Seq 3 deleted and the rest renumbered and re-linked: the chain now ends at 5, but
    checkpoint N signed seq 6."""
    project = await seeded(site, 6)
    bystander = await seeded(site, 3, "BYSTANDER")
    signed = await checkpoint(pool, environment)
    assert signed.made is not None

    bodies = bodies_of(await chain(superuser, project))
    del bodies[2]
    await relink(superuser, project, bodies)
    await site.sealed(lot(bystander, 1))

    attempt = await checkpoint(pool, environment)
    await assert_refused(
        attempt,
        db,
        project,
        6,
        f"seq 6 is missing (checkpoint {signed.made.number} signed its head)",
        bystander,
    )
    await assert_verify_names(
        site,
        environment,
        project,
        6,
        f"truncated tail: checkpoint {signed.made.number} holds seq 6, the chain ends at 5",
    )


async def test_a_careless_delete_from_the_middle_is_named_by_the_links(
    site: Site, environment: Environment, pool: asyncpg.Pool, superuser: asyncpg.Connection
) -> None:
    """Without re-linking, the chain itself names the gap; the checkpoint has nothing to add."""
    project = await seeded(site, 6)
    assert (await checkpoint(pool, environment)).made is not None
    await superuser.execute("SET session_replication_role = replica")
    await superuser.execute("DELETE FROM trail WHERE project_id = $1 AND seq = 3", project)
    await assert_verify_names(site, environment, project, 3, "missing seq 3")


async def test_a_recorder_head_reset_without_new_records_is_refused(
    site: Site,
    environment: Environment,
    pool: asyncpg.Pool,
    db: asyncpg.Connection,
    superuser: asyncpg.Connection,
) -> None:
    """The checkpointed record deleted and the head set back, caught before anything new is
    sealed on top: the checkpointed seq is missing."""
    project = await seeded(site, 4)
    bystander = await seeded(site, 3, "BYSTANDER")
    signed = await checkpoint(pool, environment)
    assert signed.made is not None
    rows = await chain(superuser, project)
    await superuser.execute("SET session_replication_role = replica")
    await superuser.execute("DELETE FROM trail WHERE project_id = $1 AND seq = 4", project)
    await reset_head(superuser, project, 3, bytes(rows[2]["hash"]))
    await site.sealed(lot(bystander, 1))
    attempt = await checkpoint(pool, environment)
    await assert_refused(
        attempt,
        db,
        project,
        4,
        f"seq 4 is missing (checkpoint {signed.made.number} signed its head)",
        bystander,
    )


async def test_an_untouched_project_keeps_verifying_with_its_checkpoint(
    site: Site, environment: Environment, pool: asyncpg.Pool
) -> None:
    project = await seeded(site, 3)
    made = (await checkpoint(pool, environment)).made
    assert made is not None
    answer = (await site.get(f"/v1/projects/{project}/verify")).json()
    assert answer["ok"] is True and answer["first_bad_seq"] is None
    assert answer["checkpoint"] >= made.number
    cli = qtrail(environment, "verify", project)
    assert cli.returncode == 0 and json.loads(cli.stdout)["ok"] is True


# ----------------------------------------------------------------------------- bundles


async def test_an_exported_bundle_of_a_rewritten_chain_fails_with_and_without_a_kept_checkpoint(
    site: Site,
    environment: Environment,
    pool: asyncpg.Pool,
    superuser: asyncpg.Connection,
    tmp_path: Path,
) -> None:
    project = await seeded(site, 5)
    made = (await checkpoint(pool, environment)).made
    assert made is not None
    keys = tmp_path / "signing-keys.json"
    keys.write_text((await site.get("/v1/signing-keys")).text)
    kept = tmp_path / "kept.json"
    kept.write_text((await site.get("/v1/checkpoints/latest")).text)
    kept_leaf = tmp_path / "kept-leaf.json"
    kept_leaf.write_text((await site.get(f"/v1/projects/{project}/inclusion")).text)
    number = json.loads(kept.read_text())["number"]
    await site.sealed(lot(project, 50))

    def verify_bundle(bundle: Path, *extra: str) -> subprocess.CompletedProcess[str]:
        return qtrail(environment, "verify-bundle", str(bundle), *extra)

    clean = tmp_path / "clean.json"
    export = qtrail(environment, "export", project, "-o", str(clean), "--since", str(number))
    assert export.returncode == 0, export.stderr
    assert verify_bundle(clean).returncode == 1  # no trusted key: never VERIFIED
    for extra in ([], ["--checkpoint", str(kept)], ["--checkpoint", str(kept_leaf)]):
        result = verify_bundle(clean, "--trust-file", str(keys), *extra)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "VERIFIED" in result.stdout
    bare = tmp_path / "bare.json"
    assert qtrail(environment, "export", project, "-o", str(bare)).returncode == 0
    result = verify_bundle(bare, "--trust-file", str(keys), "--checkpoint", str(kept))
    assert result.returncode == 1 and f"--since {number}" in result.stdout

    rows = await chain(superuser, project)
    await superuser.execute("SET session_replication_role = replica")
    await superuser.execute("DELETE FROM trail WHERE project_id = $1 AND seq >= 5", project)
    await reset_head(superuser, project, 4, bytes(rows[3]["hash"]))
    await site.sealed(lot(project, 88))
    await site.sealed(lot(project, 89))

    answer = await site.get(f"/v1/projects/{project}/export", since=number)
    assert answer.status_code == 200
    rewritten = tmp_path / "rewritten.json"
    rewritten.write_text(answer.text)
    for extra in ([], ["--checkpoint", str(kept)], ["--checkpoint", str(kept_leaf)]):
        result = verify_bundle(rewritten, "--trust-file", str(keys), *extra)
        assert result.returncode == 1, result.stdout
        assert "history rewritten: seq 5 is not the head" in result.stdout
        assert result.stdout.strip().splitlines()[-1].endswith("first bad seq 5")
    assert (await site.get(f"/v1/projects/{project}/export", since=10**9)).status_code == 404
