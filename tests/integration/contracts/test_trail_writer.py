"""The TrailWriter port's contract: a decided batch lands whole and reads back; a position, event id
or report number another writer took first is a Collision; what the store can never hold is
Unstorable; and neither leaves anything written."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from services.application.ports import Collision, Unstorable
from services.domain.context import ReferencedRecord
from services.domain.recording import BatchDecision
from services.domain.state import Alert
from tests.integration.contracts.conftest import Storage, Trail
from tests.support.events import (
    STRANGER,
    appointment,
    lab_commissioned,
    lot,
    opened,
    received,
    registration,
    reported,
    sample,
    staffed,
    witness_authorized,
)
from tests.support.sealing import NOW, decided, seal


def project(prefix: str = "WRITE") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def reporting(project_id: str, number: str) -> list[dict[str, Any]]:
    """A staffed project whose commissioned lab reports on a witnessed sample."""
    return [
        *staffed(project_id),
        lab_commissioned(project_id),
        witness_authorized(project_id),
        sample(project_id, "S1"),
        received(project_id, "S1"),
        reported(project_id, number, "S1", {"group_mpa": 35.0}),
    ]


async def written(trail: Trail, project_id: str, event_ids: list[str]) -> tuple[object, ...]:
    """Everything the store answers about a project and some event ids."""
    return (
        await trail.records(project_id),
        await trail.load_states([project_id]),
        await trail.decided_digests(event_ids),
        await trail.sealed_by_event_ids(event_ids),
    )


async def test_a_recorded_batch_reads_back_as_decided(storage: Storage) -> None:
    trail, p = storage.trail, project()
    decision = await seal(trail, [*opened(p), appointment(p, "construction"), lot(p, 1)])
    ids = [r.event_id for r in decision.sealed]

    assert [r.seq for r in decision.sealed] == list(range(1, len(opened(p)) + 3))
    assert await trail.decided_digests([*ids, "evt-unknown"]) == decision.digests
    assert await trail.load_states([p, "UNKNOWN-PROJECT"]) == decision.states
    assert await trail.records(p) == decision.sealed
    assert await trail.sealed_by_event_ids([ids[2], "evt-unknown", ids[0]]) == [
        decision.sealed[0],
        decision.sealed[2],
    ]


async def test_a_state_read_again_is_the_state_at_the_head_now(storage: Storage) -> None:
    """Readers may keep states they read (the API does): never one the head has moved past."""
    trail, p = storage.trail, project()
    first = await seal(trail, [*opened(p), appointment(p, "construction")])
    assert await trail.load_states([p]) == first.states
    assert await trail.load_states([p]) == first.states
    second = await seal(trail, [lot(p, 1)])
    again = await trail.load_states([p])
    assert again == second.states and again[p].seq == first.states[p].seq + 1


async def test_a_refusal_is_decided_and_a_reused_id_keeps_its_first_outcome(
    storage: Storage,
) -> None:
    trail, p = storage.trail, project()
    first = await seal(trail, [*opened(p), lot(p, 1, org=STRANGER)])
    refused = first.rejected[0]
    assert refused.rejection.code == "auth.not_a_party" and refused.digest is not None
    assert await trail.decided_digests([refused.event_id or ""]) == {
        refused.event_id: refused.digest
    }
    assert await trail.sealed_by_event_ids([refused.event_id or ""]) == []

    reused = registration(p, event_id=first.sealed[0].event_id)
    reused["data"]["name"] = "另一个工程"
    again = await seal(trail, [reused])
    assert [j.conflict for j in again.rejected] == [True]
    assert await trail.decided_digests([r.event_id for r in first.sealed]) == first.digests
    assert await trail.records(p) == first.sealed


async def test_a_taken_seq_is_a_collision_and_writes_nothing(storage: Storage) -> None:
    trail, p = storage.trail, project()
    first = decided([*opened(p)])
    await trail.write(first, NOW)
    rival = decided([*opened(p)])  # another writer's decision for the same seq 1
    with pytest.raises(Collision):
        await trail.write(rival, NOW)
    assert await written(trail, p, [rival.sealed[0].event_id]) == (
        first.sealed,
        first.states,
        {},
        [],
    )


async def test_a_collision_in_one_project_leaves_the_whole_batch_unwritten(
    storage: Storage,
) -> None:
    trail, taken, fresh = storage.trail, project(), project()
    await seal(trail, [*opened(taken)])
    both = decided([*opened(fresh), appointment(fresh, "construction"), registration(taken)])
    ids = [r.event_id for r in both.sealed]
    with pytest.raises(Collision):
        await trail.write(both, NOW)
    assert await written(trail, fresh, ids) == ([], {}, {}, [])


async def test_an_event_id_decided_before_is_a_collision(storage: Storage) -> None:
    trail, p, other = storage.trail, project(), project()
    first = await seal(trail, [registration(p)])
    event_id = first.sealed[0].event_id
    blind = decided([registration(other, event_id=event_id)])  # decided without the outcome
    with pytest.raises(Collision):
        await trail.write(blind, NOW)
    assert await written(trail, other, [event_id]) == ([], {}, first.digests, first.sealed)


async def test_a_report_number_sealed_before_is_a_collision_and_is_seen(storage: Storage) -> None:
    trail, p, other = storage.trail, project(), project()
    number = f"R-{uuid.uuid4().hex[:8]}"
    first = await seal(trail, reporting(p, number))
    report = first.sealed[-1]
    assert report.body["data"]["report_number"] == number
    assert await trail.reports_seen([number, "R-NEVER"]) == {
        number: f"project {p}, event {report.event_id}"
    }
    blind = decided(reporting(other, number))  # decided without knowing the number was seen
    assert blind.sealed[-1].body["data"]["report_number"] == number
    with pytest.raises(Collision):
        await trail.write(blind, NOW)
    assert await trail.records(other) == []


async def test_referenced_records_are_the_sealed_ones(storage: Storage) -> None:
    trail, p = storage.trail, project()
    decision = await seal(trail, [*opened(p), lot(p, 1, org=STRANGER)])
    sealed, refused = decision.sealed[0], decision.rejected[0]
    found = await trail.referenced_records([sealed.event_id, refused.event_id or "", "evt-none"])
    assert found == {
        sealed.event_id: ReferencedRecord(
            sealed.event_id, p, sealed.type, sealed.body["actor"]["org"], sealed.body["data"]
        )
    }


def nul_in_snapshot(decision: BatchDecision, project_id: str) -> None:
    state = decision.states[project_id]
    decision.states[project_id] = state.model_copy(update={"counts": {"A\u0000B": 1}})


def nul_in_alert(decision: BatchDecision, project_id: str) -> None:
    alert = Alert(
        alert_id="test:nul",
        kind="test",
        severity="warning",
        events=[],
        message_zh="零\u0000字节",
        message_en="a \u0000 byte",
        raised_at=NOW,
    )
    decision.alerts.append((project_id, alert))


@pytest.mark.parametrize("spoil", [nul_in_snapshot, nul_in_alert])
async def test_what_the_store_cannot_hold_is_unstorable_and_writes_nothing(
    storage: Storage, spoil: Callable[[BatchDecision, str], None]
) -> None:
    trail, p = storage.trail, project()
    decision = decided([*opened(p)])
    spoil(decision, p)
    with pytest.raises(Unstorable):
        await trail.write(decision, NOW)
    assert await written(trail, p, list(decision.digests)) == ([], {}, {}, [])
    assert p not in await trail.project_ids()
    assert p not in await storage.models.alert_ids()
