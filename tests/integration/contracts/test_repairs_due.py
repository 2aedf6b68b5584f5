"""The RepairsDue port's contract: the projects whose snapshot holds an open defect in warranty,
due before the day asked about and not flagged overdue yet, in project id order."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from services.domain.recording import decide_batch, decide_overdue
from tests.integration.contracts.conftest import Storage
from tests.support.aftercare import (
    REPAIR_DAYS,
    building,
    defect_repaired,
    defect_reported,
    with_buildings,
)
from tests.support.events import staffed
from tests.support.sealing import NOW, items, seal

REPORTED_ON = dt.date(2026, 2, 10)
DUE = REPORTED_ON + dt.timedelta(days=REPAIR_DAYS)
LATER = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)


async def accepted_with(storage: Storage, prefix: str, *facts: Mapping[str, Any]) -> str:
    """A new project whose building B1 is accepted (in its snapshot), then ``facts`` about it."""
    project = f"{prefix}-{uuid.uuid4().hex[:8]}"
    await seal(storage.trail, staffed(project))
    state = with_buildings((await storage.trail.load_states([project]))[project], building())
    decision = decide_batch(items([f(project) for f in facts]), {project: state}, {}, LATER)
    assert decision.rejected == []
    await storage.trail.write(decision, LATER)
    return project


def reported(project: str, **kw: Any) -> dict[str, Any]:
    return defect_reported(project, "D-1", reported_on=REPORTED_ON, **kw)


async def test_only_open_repairs_in_warranty_past_their_due_date_count(storage: Storage) -> None:
    due_b = await accepted_with(storage, "DUE-B", reported)
    due_a = await accepted_with(storage, "DUE-A", reported)
    repaired = await accepted_with(storage, "DUE-R", reported, lambda p: defect_repaired(p, "D-1"))
    out_of_warranty = await accepted_with(
        storage,
        "DUE-W",
        lambda p: defect_reported(p, "D-1", part="decoration", reported_on=dt.date(2029, 1, 1)),
    )
    quiet = f"DUE-Q-{uuid.uuid4().hex[:8]}"
    await seal(storage.trail, staffed(quiet), NOW)
    assert await storage.repairs_due.projects_past_due(DUE) == []
    found = await storage.repairs_due.projects_past_due(DUE + dt.timedelta(days=1))
    assert [p for p in found if p in {due_a, due_b, repaired, out_of_warranty, quiet}] == [
        due_a,
        due_b,
    ]


async def test_a_repair_flagged_overdue_is_not_asked_about_again(storage: Storage) -> None:
    project = await accepted_with(storage, "DUE-F", reported)
    day = DUE + dt.timedelta(days=1)
    assert project in await storage.repairs_due.projects_past_due(day)
    swept = decide_overdue(await storage.trail.load_states([project]), LATER)
    assert len(swept.sealed) == 1
    await storage.trail.write(swept, LATER)
    assert project not in await storage.repairs_due.projects_past_due(day)
