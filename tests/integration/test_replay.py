"""Regulator replay over HTTP: state as of a moment by either clock, and the step-through."""

from __future__ import annotations

import datetime as dt
import uuid

from tests.support.client import Site
from tests.support.events import (
    LEADS,
    T0,
    appointment,
    commitment,
    id_number,
    lead_change,
)


async def test_state_as_of_by_recorded_and_by_occurred_time(site: Site) -> None:
    project = f"ASOF-{uuid.uuid4().hex[:6]}"
    opening = await site.opened(project)  # registered at T0, the filing accepted a minute on
    appointed = await site.sealed(appointment(project, "construction"))
    # An offline event arrives late: it occurred before the appointment was recorded, but is recorded after.
    late = await site.sealed(
        commitment(
            project,
            "construction",
            LEADS["construction"]["id_number"],
            at=T0 + dt.timedelta(days=1, hours=2),
        )
    )
    recorded_between = (
        dt.datetime.fromisoformat(appointed["decided_at"])
        + (
            dt.datetime.fromisoformat(late["decided_at"])
            - dt.datetime.fromisoformat(appointed["decided_at"])
        )
        / 2
    )
    by_recorded = (
        await site.get(f"/v1/projects/{project}/state", as_of=recorded_between.isoformat())
    ).json()
    lead = by_recorded["state"]["parties"]["construction"]["leads"][0]
    assert lead["commitment"] is None
    now = (
        await site.get(f"/v1/projects/{project}/state", as_of=dt.datetime.now(dt.UTC).isoformat())
    ).json()
    assert now["state"]["parties"]["construction"]["leads"][0]["commitment"] is not None
    by_occurred = (
        await site.get(
            f"/v1/projects/{project}/state",
            as_of=(T0 + dt.timedelta(hours=12)).isoformat(),
            by="occurred",
        )
    ).json()
    assert by_occurred["state"]["parties"] == {}
    assert by_occurred["state"]["seq"] == len(opening)
    as_party = await site.get(
        f"/v1/projects/{project}/state", as_="owner", as_of=dt.datetime.now(dt.UTC).isoformat()
    )
    assert LEADS["construction"]["id_number"] not in as_party.text
    bad = await site.get(f"/v1/projects/{project}/state", as_of="yesterday")
    assert bad.status_code == 422


async def test_steps_say_what_each_event_changed(site: Site) -> None:
    project = f"STEPS-{uuid.uuid4().hex[:6]}"
    opening = await site.opened(project)
    await site.sealed(appointment(project, "construction"))
    await site.sealed(
        lead_change(
            project, "construction", "新经理", id_number(555), at=T0 + dt.timedelta(days=30)
        )
    )
    steps = (await site.get(f"/v1/projects/{project}/steps")).json()["steps"]
    assert [s["seq"] for s in steps] == list(range(1, len(opening) + 3))
    assert steps[-1]["changes"] == [
        f"新经理 replaced {LEADS['construction']['name']} as construction lead"
    ]
    assert steps[-1]["changes_zh"] == [
        f"新经理 接替 {LEADS['construction']['name']} 任施工单位项目负责人"
    ]
    page = (await site.get(f"/v1/projects/{project}/steps", after=1, limit=1)).json()
    assert [s["seq"] for s in page["steps"]] == [2] and page["next_after"] == 2
