"""The overdue sweep over in-memory ports: it seals one repair_overdue fact per overdue repair,
with its alert, publishes both, decides again after a collision, and finds nothing the second time."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

import pytest

from services.application import record_batch as record_batch_module
from services.application.overdue import OverdueRepairs
from services.application.ports import Collision
from services.application.record_batch import BatchRecorder, Topics
from services.domain.recording import decide_batch
from tests.support.aftercare import REPAIR_DAYS, building, defect_reported, with_buildings
from tests.support.events import staffed
from tests.support.fakes import MemoryDatabase, MemoryPublisher, MemoryRepairsDue, MemoryTrail
from tests.support.sealing import items

P, QUIET = "XZ-SWEEP-001", "XZ-SWEEP-002"
REPORTED_ON = dt.date(2026, 2, 10)
DUE = REPORTED_ON + dt.timedelta(days=REPAIR_DAYS)
TOPICS = Topics("qtrail.trail.v1", "qtrail.rejected.v1", "qtrail.alerts.v1")
SETUP_AT = dt.datetime(2026, 2, 11, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    real_sleep = asyncio.sleep

    async def instant(_delay: float) -> None:
        await real_sleep(0)

    monkeypatch.setattr(record_batch_module.asyncio, "sleep", instant)


async def seeded(trail: MemoryTrail) -> None:
    """P has defect D-1, due on DUE; QUIET has none. Both buildings accepted (as state)."""
    for project, defects in [
        (P, [defect_reported(P, "D-1", reported_on=REPORTED_ON)]),
        (QUIET, []),
    ]:
        staffed_decision = decide_batch(items(staffed(project)), {}, {}, SETUP_AT)
        await trail.write(staffed_decision, SETUP_AT)
        state = with_buildings(staffed_decision.states[project], building())
        decision = decide_batch(items(defects), {project: state}, {}, SETUP_AT)
        decision.states.setdefault(project, state)
        assert decision.rejected == []
        await trail.write(decision, SETUP_AT)


def sweep_at(
    db: MemoryDatabase, trail: MemoryTrail, day: dt.date
) -> tuple[OverdueRepairs, MemoryPublisher]:
    now = dt.datetime.combine(day, dt.time(2), tzinfo=dt.UTC)  # 10:00 in China
    publisher = MemoryPublisher()
    recorder = BatchRecorder(TOPICS, trail, publisher, clock=lambda: now)
    return OverdueRepairs(MemoryRepairsDue(db), recorder, clock=lambda: now), publisher


async def test_nothing_is_overdue_on_the_due_day() -> None:
    db = MemoryDatabase()
    trail = MemoryTrail(db)
    await seeded(trail)
    sweep, publisher = sweep_at(db, trail, DUE)
    assert (await sweep.sweep()).sealed == []
    assert publisher.sent == {}


async def test_the_day_after_it_seals_the_overdue_fact_raises_and_publishes_its_alert() -> None:
    db = MemoryDatabase()
    trail = MemoryTrail(db)
    await seeded(trail)
    assert await MemoryRepairsDue(db).projects_past_due(DUE + dt.timedelta(days=1)) == [P]
    sweep, publisher = sweep_at(db, trail, DUE + dt.timedelta(days=1))
    trail.failures = [Collision("a batch of P got there first")]
    decision = await sweep.sweep()
    (record,) = decision.sealed
    assert record.type == "qtrail.warranty.repair_overdue.v1" and record.project_id == P
    chain = await trail.records(P)
    assert chain[-1].event_id == record.event_id and chain[-1].seq == len(chain)
    alert_id = f"repair_overdue:D-1:{DUE}"
    assert (P, alert_id) in db.alerts
    assert db.heads[P].state["defects"]["D-1"]["overdue"]["event_id"] == record.event_id
    published = [json.loads(value) for _, value in publisher.sent[TOPICS.alerts]]
    assert [m["alert_id"] for m in published] == [alert_id]
    assert [key for key, _ in publisher.sent[TOPICS.trail]] == [P]

    again, publisher = sweep_at(db, trail, DUE + dt.timedelta(days=2))
    assert await MemoryRepairsDue(db).projects_past_due(DUE + dt.timedelta(days=2)) == []
    assert (await again.sweep()).sealed == [] and publisher.sent == {}
