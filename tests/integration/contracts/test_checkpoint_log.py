"""The CheckpointLog port's contract: one exclusive session at a time; what a session appends and
the alerts it raises commit together when its block ends, or not at all when it raises; and the
log's reads agree with what was appended.

The log is one per database, so these tests extend whatever the module's earlier tests left; the
empty log gets a database of its own.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import os
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.adapters.postgres.checkpoints import CheckpointStore
from services.adapters.postgres.migrations import migrate
from services.adapters.postgres.pool import create_pool
from services.adapters.signing import Signer
from services.application.checkpoints import audit, sign_note_of
from services.application.ports import CheckpointLog, CheckpointSession, LoggedLeaf, LogSize
from services.domain import merkle, subtrees
from services.domain.checkpoint import (
    Checkpoint,
    StoredLeaf,
    audit_log,
    leaf_bytes,
    note_problem,
    tree_head_bytes,
)
from services.domain.continuity import Leaf
from services.domain.state import Alert
from tests.integration.contracts.conftest import Storage
from tests.support.events import appointment, lot, opened
from tests.support.fakes import MemoryCheckpointLog, MemoryDatabase
from tests.support.sealing import NOW, seal
from tests.support.stack import Environment, admin_dsn

SIGNER = Signer({"contract": Ed25519PrivateKey.generate()}, "contract", set())


def project() -> str:
    return f"LOG-{uuid.uuid4().hex[:8]}"


def alert(label: str) -> Alert:
    return Alert(
        alert_id=f"contract:{label}",
        kind="chain_rewritten",
        severity="critical",
        events=[],
        message_zh="测试",
        message_en="test",
        raised_at=NOW,
        blocking=False,
    )


async def extend(
    session: CheckpointSession, heads: dict[str, tuple[int, bytes]], *, noted: bool = False
) -> tuple[list[StoredLeaf], Checkpoint]:
    """Append one leaf per head after the session's log, the tree nodes they complete (built on
    the stored border, as the checkpointer does) and a signed checkpoint over it all."""
    last = await session.latest()
    size = await session.extent()
    border = await session.nodes(subtrees.border(size))
    new = [
        StoredLeaf(size + i, p, seq, head, leaf_bytes(p, seq, head))
        for i, (p, (seq, head)) in enumerate(sorted(heads.items()))
    ]
    nodes = subtrees.appended(size, border, [merkle.leaf_hash(row.leaf) for row in new])
    number = (last.number if last else 0) + 1
    size += len(new)
    root = subtrees.root(size, border | nodes)
    signed = tree_head_bytes(number, size, root, NOW, SIGNER.active)
    made = Checkpoint(number, size, root, signed, SIGNER.active, SIGNER.sign_bytes(signed), NOW)
    if noted:
        made = dataclasses.replace(made, note=sign_note_of(made, SIGNER))
    await session.append(new, nodes, made)
    return new, made


@pytest.fixture
async def empty_log(backend: Environment | None) -> AsyncIterator[CheckpointLog]:
    """A log nothing was ever appended to (for PostgreSQL, in a database of its own)."""
    if backend is None:
        yield MemoryCheckpointLog(MemoryDatabase())
        return
    settings = backend.settings.model_copy(update={"db_name": f"{backend.database}_empty"})
    admin = await asyncpg.connect(admin_dsn())
    try:
        await admin.execute(f'CREATE DATABASE "{settings.db_name}" OWNER qtrail_owner')
        await migrate(settings.dsn("migrator"))
        pool = await create_pool(settings, "recorder", max_size=2)
        try:
            yield CheckpointStore(pool)
        finally:
            await pool.close()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{settings.db_name}" WITH (FORCE)')
        await admin.close()


async def test_an_empty_log_has_no_checkpoint_and_no_size(empty_log: CheckpointLog) -> None:
    assert await empty_log.latest() is None
    assert await empty_log.get(1) is None
    assert await empty_log.size() is None
    assert await empty_log.stored_leaves(10) == []
    assert await empty_log.project_leaves("ANY", 10) == []
    async with empty_log.exclusive() as session:
        assert await session.latest() is None
        assert (await session.extent(), await session.newest_leaves()) == (0, {})
        assert await session.nodes([(0, 0), (3, 1)]) == {}
        assert await session.heads() == {}
        new, made = await extend(session, {"FIRST": (1, os.urandom(32))})
    assert made.number == 1 and new[0].index == 0
    assert made.root == merkle.leaf_hash(new[0].leaf)
    assert await empty_log.size() == LogSize(1, 1, 1)
    assert await empty_log.nodes([(0, 0), (0, 1), (1, 0)]) == {(0, 0): made.root}


async def test_appended_leaves_and_checkpoints_read_back_alike(storage: Storage) -> None:
    log, p, q = storage.log, project(), project()
    h1, h2, h3 = os.urandom(32), os.urandom(32), os.urandom(32)
    async with log.exclusive() as session:
        before = await log.stored_leaves(await session.extent())
        new, made = await extend(session, {p: (3, h1), q: (1, h2)})
        assert await session.latest() == made  # the session sees its own writes
        assert await session.extent() == made.tree_size == len(before) + 2
        newest = await session.newest_leaves()
        assert [newest[row.project_id] for row in new] == [
            LoggedLeaf(row, made.number) for row in new
        ]

    assert await log.latest() == made
    assert await log.get(made.number) == made
    assert await log.size() == LogSize(made.tree_size, made.number, made.tree_size)
    assert await log.stored_leaves(made.tree_size) == [*before, *new]
    assert await log.stored_leaves(len(before)) == before
    assert audit_log(await log.stored_leaves(made.tree_size), made, SIGNER.verifying_keys) is None
    assert made.root == merkle.root([merkle.leaf_hash(row.leaf) for row in [*before, *new]])
    mine = new[0] if new[0].project_id == p else new[1]
    assert await log.project_leaves(p, made.tree_size) == [Leaf(mine.index, 3, h1, made.number)]
    assert await log.project_leaves(p, mine.index) == []

    async with log.exclusive() as session:
        (later,), second = await extend(session, {p: (7, h3)})
    assert second.number == made.number + 1 and await log.get(made.number) == made
    assert await log.latest() == second
    assert await log.project_leaves(p, second.tree_size) == [
        Leaf(mine.index, 3, h1, made.number),
        Leaf(later.index, 7, h3, second.number),
    ]
    assert await log.project_leaves(p, made.tree_size) == [Leaf(mine.index, 3, h1, made.number)]
    async with log.exclusive() as session:
        assert (await session.newest_leaves())[p] == LoggedLeaf(later, second.number)


async def test_the_stored_tree_is_every_node_of_the_leaves_and_serves_any_of_them(
    storage: Storage,
) -> None:
    log = storage.log
    for step in (1, 3, 6):
        async with log.exclusive() as session:
            await extend(session, {project(): (1, os.urandom(32)) for _ in range(step)})
    latest = await log.latest()
    assert latest is not None
    leaves = await log.stored_leaves(latest.tree_size)
    expected = subtrees.every_node([merkle.leaf_hash(row.leaf) for row in leaves])
    assert await log.tree_nodes(latest.tree_size) == expected
    assert await log.nodes(expected) == expected
    older = latest.tree_size - 6
    assert await log.tree_nodes(older) == {
        (level, index): digest
        for (level, index), digest in expected.items()
        if (index + 1) << level <= older
    }
    beyond = {(0, latest.tree_size), (1, latest.tree_size), (40, 0)}
    assert await log.nodes([*beyond, (0, 0)]) == {(0, 0): expected[(0, 0)]}
    assert await audit(log, latest, SIGNER.verifying_keys) is None


async def test_a_taken_node_fails_the_append_and_the_session_commits_nothing(
    storage: Storage,
) -> None:
    log, p = storage.log, project()
    async with log.exclusive() as session:
        _, made = await extend(session, {project(): (1, os.urandom(32))})
    taken = {(0, made.tree_size - 1): os.urandom(32)}
    with pytest.raises((ValueError, asyncpg.UniqueViolationError)):
        async with log.exclusive() as session:
            row = StoredLeaf(made.tree_size, p, 1, os.urandom(32), b"{}")
            signed = tree_head_bytes(made.number + 1, made.tree_size + 1, made.root, NOW, "k")
            again = Checkpoint(
                made.number + 1, made.tree_size + 1, made.root, signed, "k", b"", NOW
            )
            await session.append([row], taken, again)
    assert await log.latest() == made
    assert await log.project_leaves(p, 10**6) == []
    stored = await log.nodes(taken)
    assert stored and stored != taken


async def test_an_exception_in_the_block_leaves_nothing_appended_and_no_alert(
    storage: Storage,
) -> None:
    log, p = storage.log, project()
    latest, size = await log.latest(), await log.size()
    with pytest.raises(RuntimeError, match="signer away"):
        async with log.exclusive() as session:
            await session.raise_alerts([(p, alert("discarded"))])
            await extend(session, {p: (1, os.urandom(32))})
            raise RuntimeError("signer away")
    assert (await log.latest(), await log.size()) == (latest, size)
    assert await log.project_leaves(p, 10**6) == []
    assert p not in await storage.models.alert_ids()

    async with log.exclusive() as session:  # the log is free again
        await session.raise_alerts([(p, alert("kept")), (p, alert("kept"))])
    assert (await storage.models.alert_ids())[p] == {"contract:kept"}


async def test_a_taken_leaf_index_fails_the_append_and_the_session_commits_nothing(
    storage: Storage,
) -> None:
    log, p = storage.log, project()
    async with log.exclusive() as session:
        (row,), made = await extend(session, {p: (1, os.urandom(32))})
    with pytest.raises((ValueError, asyncpg.UniqueViolationError)):
        async with log.exclusive() as session:
            await session.raise_alerts([(p, alert("with the failed append"))])
            signed = tree_head_bytes(made.number + 1, made.tree_size, made.root, NOW, "contract")
            again = Checkpoint(
                made.number + 1,
                made.tree_size,
                made.root,
                signed,
                "contract",
                SIGNER.sign_bytes(signed),
                NOW,
            )
            await session.append([row], {}, again)
    assert await log.latest() == made
    assert await log.project_leaves(p, 10**6) == [Leaf(row.index, 1, row.head, made.number)]
    assert p not in await storage.models.alert_ids()


async def test_a_second_session_waits_for_the_first_and_sees_its_checkpoint(
    storage: Storage,
) -> None:
    log, p = storage.log, project()
    inside, release = asyncio.Event(), asyncio.Event()
    steps: list[str] = []

    async def first() -> Checkpoint:
        async with log.exclusive() as session:
            steps.append("first in")
            inside.set()
            await release.wait()
            _, made = await extend(session, {p: (1, os.urandom(32))})
            steps.append("first out")
        return made

    async def second() -> Checkpoint | None:
        await inside.wait()
        steps.append("second asks")
        async with log.exclusive() as session:
            steps.append("second in")
            return await session.latest()

    one, two = asyncio.create_task(first()), asyncio.create_task(second())
    await inside.wait()
    await asyncio.sleep(0.5)
    assert steps == ["first in", "second asks"]
    release.set()
    made, seen = await asyncio.wait_for(asyncio.gather(one, two), timeout=10)
    assert steps == ["first in", "second asks", "first out", "second in"]
    assert seen == made


async def test_a_session_reads_the_recorded_heads_and_chains(storage: Storage) -> None:
    p = project()
    decision = await seal(storage.trail, [*opened(p), appointment(p, "construction"), lot(p, 1)])
    state = decision.states[p]
    async with storage.log.exclusive() as session:
        heads = await session.heads()
        assert heads[p] == (len(decision.sealed), bytes.fromhex(state.head))
        links = await session.links_from(p, 2)
        assert [(link.seq, link.hash) for link in links] == [
            (r.seq, r.hash) for r in decision.sealed[1:]
        ]
        assert links[0].canonical == decision.sealed[1].canonical
        assert await session.links_from(p, len(decision.sealed) + 1) == []
        assert await session.links_from(project(), 1) == []
    later = NOW + dt.timedelta(hours=1)
    await seal(storage.trail, [lot(p, 2)], later)
    async with storage.log.exclusive() as session:
        assert (await session.heads())[p][0] == len(decision.sealed) + 1


async def test_a_checkpoint_keeps_its_note_and_leaves_read_back_by_range(storage: Storage) -> None:
    log = storage.log
    async with log.exclusive() as session:
        before = await session.extent()
        new, unsigned = await extend(session, {project(): (2, os.urandom(32))}, noted=True)
    assert await log.get(unsigned.number) == unsigned and unsigned.note is not None
    assert (await log.latest()) == unsigned
    assert await log.leaf_range(before, unsigned.tree_size) == [row.leaf for row in new]
    assert await log.leaf_range(unsigned.tree_size, unsigned.tree_size + 5) == []
    assert note_problem(unsigned, SIGNER.verifying_keys) is None
