"""The TrailReader port's contract: a chain's links and records in seq order as they were sealed,
the projects that have a head, and their states, replayed from the chain when a snapshot is of
another version."""

from __future__ import annotations

import uuid

from services.domain.chain import StoredLink, verify_links
from services.domain.project import fold_chain
from services.domain.state import ProjectState
from tests.integration.contracts.conftest import Storage
from tests.support.events import STRANGER, appointment, lot, opened, registration
from tests.support.sealing import NOW, seal


def project(prefix: str = "READ") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def sealed_in_two_batches(storage: Storage, p: str) -> list[StoredLink]:
    first = await seal(storage.trail, [*opened(p), appointment(p, "construction")])
    second = await seal(storage.trail, [lot(p, n) for n in range(1, 4)])
    return [
        StoredLink(r.seq, r.canonical, r.prev_hash, r.hash) for r in [*first.sealed, *second.sealed]
    ]


async def test_links_stream_the_chain_in_seq_order(storage: Storage) -> None:
    p = project()
    expected = await sealed_in_two_batches(storage, p)
    links = [link async for link in storage.trail.links(p)]
    assert links == expected
    length = len(opened(p)) + 1 + 3  # opened, construction appointed, three lots
    assert [link.seq for link in links] == list(range(1, length + 1))
    assert verify_links(links).ok
    assert [link async for link in storage.trail.links(project("NONE"))] == []


async def test_records_are_the_sealed_records(storage: Storage) -> None:
    p = project()
    first = await seal(storage.trail, [*opened(p), appointment(p, "construction")])
    second = await seal(storage.trail, [lot(p, 1), lot(p, 2)], NOW.replace(hour=13))
    assert await storage.trail.records(p) == [*first.sealed, *second.sealed]
    assert await storage.trail.records(project("NONE")) == []


async def test_project_ids_are_the_projects_with_a_head_in_order(storage: Storage) -> None:
    a, b, refused_only = project("READ-B"), project("READ-A"), project("READ-C")
    await seal(storage.trail, [*opened(a), registration(b)])
    outcome = await seal(storage.trail, [lot(refused_only, 1, org=STRANGER)])
    assert outcome.sealed == [] and len(outcome.rejected) == 1
    ids = await storage.trail.project_ids()
    assert ids == sorted(ids)
    assert {a, b} <= set(ids) and refused_only not in ids


async def test_load_states_gives_each_recorded_state_and_replay_agrees(storage: Storage) -> None:
    p, q = project(), project()
    await seal(storage.trail, [*opened(p), registration(q)])
    decision = await seal(storage.trail, [appointment(p, "construction"), lot(p, 1)])
    states = await storage.trail.load_states([p, q, p, project("NONE")])
    assert set(states) == {p, q}
    assert states[p] == decision.states[p] and states[p].seq == len(opened(p)) + 2
    assert await storage.trail.state_from_chain(p) == states[p]
    assert states[p] == fold_chain(p, await storage.trail.records(p))
    nobody = project("NONE")
    assert await storage.trail.state_from_chain(nobody) == ProjectState(project_id=nobody)


async def test_a_snapshot_of_another_version_is_replayed_from_the_chain(storage: Storage) -> None:
    p = project()
    decision = await seal(storage.trail, [*opened(p), appointment(p, "construction")])
    await storage.stale_snapshot(p)
    assert (await storage.models.live_states())[p] == {"snapshot_version": -1}
    assert await storage.trail.load_states([p]) == decision.states
    after = await seal(storage.trail, [lot(p, 1)])  # the recorder decides on the replayed state
    assert [r.seq for r in after.sealed] == [len(opened(p)) + 2]
    assert (await storage.models.live_states())[p] == after.states[p].model_dump(mode="json")
