"""A two-building project accepted building by building through the real API, Kafka and
PostgreSQL: each building's completion refused while a division or a dwelling's acceptance is
missing, the refusal read back with its reason codes, then accepted once the gap is closed."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from tests.support.client import Site
from tests.support.events import (
    T0,
    accepted_unit,
    completion,
    division_accepted,
    dwellings_accepted,
    staffed,
)

DAY = dt.timedelta(days=1)
B1_AT, B2_AT = T0 + 60 * DAY, T0 + 75 * DAY


async def _refused(site: Site, event: dict[str, Any]) -> dict[str, Any]:
    """Post ``event``, expect its refusal, and read it back by its id."""
    answer = (await site.post(event, wait=15)).json()
    assert answer["status"] == "rejected", answer
    again = (await site.get(f"/v1/events/{event['id']}", as_="owner")).json()
    assert again["status"] == "rejected" and again["reason"] == answer["reason"]
    reason: dict[str, Any] = again["reason"]
    return reason


def _gaps(reason: dict[str, Any]) -> list[tuple[str, str]]:
    assert reason["code"] == "completion.incomplete"
    return [(item["code"], item["en"]) for item in reason["items"]]


async def test_two_buildings_are_accepted_one_by_one_once_their_gaps_are_closed(
    site: Site,
) -> None:
    project = f"ACC-{uuid.uuid4().hex[:6]}"
    for e in [
        *staffed(project),
        *accepted_unit(project, "B1", accepted_at=B1_AT, skip=("roof",)),
        *accepted_unit(project, "B2", accepted_at=B2_AT, start=T0 + 6 * DAY, skip=("dwellings",)),
        dwellings_accepted(project, "B2", {"1-0101": True, "1-0102": False}, at=T0 + 20 * DAY),
    ]:
        await site.sealed(e)

    # 1号楼: its roof division was never accepted
    reason = await _refused(site, completion(project, unit="B1", at=B1_AT))
    assert _gaps(reason) == [
        ("completion.division_not_accepted", "the roof division is not accepted")
    ]
    assert "屋面分部工程尚未验收" in reason["items"][0]["zh"]
    await site.sealed(division_accepted(project, "B1", "roof", at=T0 + 30 * DAY))
    await site.sealed(completion(project, unit="B1", at=B1_AT))

    # 2号楼: one dwelling failed, one never inspected
    reason = await _refused(site, completion(project, unit="B2", at=B2_AT))
    assert [code for code, _ in _gaps(reason)] == [
        "completion.dwelling_failed",
        "completion.dwelling_uninspected",
    ]
    assert "1-0102" in reason["items"][0]["en"] and "1-0201" in reason["items"][1]["en"]
    await site.sealed(
        dwellings_accepted(project, "B2", {"1-0102": True, "1-0201": True}, at=T0 + 40 * DAY)
    )
    await site.sealed(completion(project, unit="B2", at=B2_AT))

    state = (await site.get(f"/v1/projects/{project}")).json()
    assert state["completion"]["unit_id"] == "B1"
    assert state["completion"]["accepted_on"] == B1_AT.date().isoformat()
    units = state["units"]
    assert {u: units[u]["completion"]["accepted_on"] for u in ("B1", "B2")} == {
        "B1": B1_AT.date().isoformat(),
        "B2": B2_AT.date().isoformat(),
    }
    assert sorted(units["B1"]["divisions_accepted"]) == sorted(units["B1"]["divisions"])
    assert units["B2"]["dwelling_results"]["1-0102"]["passed"] is True
    again = (await site.post(completion(project, unit="B1", at=B2_AT), wait=15)).json()
    assert again["reason"]["code"] == "completion.already_accepted"

    steps = (await site.get(f"/v1/projects/{project}/steps")).json()
    said = [change for step in steps["steps"] for change in step["changes"]]
    assert f"completion of B1号楼 (B1) accepted on {B1_AT.date()}" in said
    assert f"completion of B2号楼 (B2) accepted on {B2_AT.date()}" in said
