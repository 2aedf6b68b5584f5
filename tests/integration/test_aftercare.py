"""The lifelong half through the real API, Kafka and PostgreSQL: the supervision station's key
grades, investigates and closes an accident and finds a lead responsible, each act sealed; a
party's key cannot do the station's acts and the station's key cannot act as a party; a warranty
repair left undone past its due date in a building accepted through the acceptance hierarchy is
swept by the recorder into an alert the regulator sees, and the builder's repair resolves it."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.aftercare import (
    accident_closed,
    accident_graded,
    accident_investigated,
    complaint_lodged,
    defect_repaired,
    defect_reported,
    responsibility_found,
)
from tests.support.client import Site
from tests.support.events import (
    LEADS,
    OWNER,
    STATION,
    STRUCTURED,
    T0,
    accepted_unit,
    accident,
    alert_resolved,
    completion,
    staffed,
)
from tests.support.keys import auth
from tests.support.processes import Api, Process
from tests.support.stack import Environment, dispose, new_environment, provision

DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)
SWEEP_S = 2
REGULATOR = STATION
"""The station the test registrations name: the organization of the test regulator key
(tests/support/keys.py)."""


@pytest.fixture(scope="module")
def environment(stack: None) -> Iterator[Environment]:
    """This module's own environment: the recorder sweeps for overdue repairs every 2 s."""
    env = new_environment(QTRAIL_OVERDUE_SWEEP_INTERVAL_S=str(SWEEP_S))
    asyncio.run(provision(env))
    yield env
    asyncio.run(dispose(env))


@pytest.fixture(scope="module")
def system(environment: Environment) -> Iterator[Api]:
    recorder = Process("recorder", environment).start()
    try:
        api = Api(environment).start()
    except BaseException:
        recorder.stop()
        raise
    yield api
    api.stop()
    recorder.stop()


async def _post(
    client: httpx.AsyncClient, token: str, event: dict[str, Any], wait: float = 15
) -> httpx.Response:
    return await client.post(
        "/v1/events", params={"wait": wait}, json=event, headers=STRUCTURED | auth(token)
    )


async def _as_regulator(
    client: httpx.AsyncClient, tokens: dict[str, str], event: dict[str, Any]
) -> dict[str, Any]:
    answer = await _post(client, tokens["regulator"], event)
    body: dict[str, Any] = answer.json()
    assert body.get("status") == "sealed", f"{event['type']}: {answer.status_code} {body}"
    return body


async def _project(site: Site, prefix: str) -> str:
    project = f"{prefix}-{uuid.uuid4().hex[:6]}"
    opening = await site.opened(project)  # together: this module's recorder sweeps every 2 s
    for event in staffed(project)[len(opening) :]:
        await site.sealed(event)
    return project


async def _alerts(site: Site, project: str, **params: Any) -> list[dict[str, Any]]:
    answer = await site.get(f"/v1/projects/{project}/alerts", **params)
    assert answer.status_code == 200, answer.text
    alerts: list[dict[str, Any]] = answer.json()["alerts"]
    return alerts


async def test_the_station_grades_investigates_closes_and_finds_a_lead_responsible(
    site: Site, client: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    project = await _project(site, "AFT")
    happened = T0 + 20 * DAY
    await site.sealed(accident(project, "A-1", at=happened))

    # The owner told the authority 3 hours after the accident: a critical alert, citing §3(一).
    late = happened + 3 * HOUR
    await _as_regulator(
        client,
        tokens,
        accident_graded(project, "A-1", grade="larger", deaths=3, reported_at=late, org=REGULATOR),
    )
    (alert,) = [a for a in await _alerts(site, project) if a["kind"] == "accident_reported_late"]
    assert alert["severity"] == "critical" and alert["on_chain"] and not alert["resolved"]
    assert "3 h 00 min" in alert["message_en"] and "建质〔2010〕111号" in alert["message_zh"]

    concluded = (happened + 30 * DAY).date()
    await _as_regulator(
        client, tokens, accident_investigated(project, "A-1", concluded_on=concluded, org=REGULATOR)
    )
    await _as_regulator(
        client,
        tokens,
        accident_closed(project, "A-1", closed_on=concluded + DAY, org=REGULATOR),
    )
    lead = LEADS["construction"]
    finding = await _as_regulator(
        client,
        tokens,
        responsibility_found(
            project,
            "F-1",
            lead_id_number=lead["id_number"],
            work_done_at=happened - DAY,
            relates_to=["A-1"],
            org=REGULATOR,
        ),
    )

    state = (await site.get(f"/v1/projects/{project}")).json()
    assert state["accidents"]["A-1"]["grade"] == "larger"
    assert state["accidents"]["A-1"]["closed"] is not None
    assert state["findings"]["F-1"]["lead_name"] == lead["name"]
    assert state["findings"]["F-1"]["found_by"] == REGULATOR
    (resolved,) = [a for a in await _alerts(site, project, status="resolved")]
    assert resolved["alert_id"] == alert["alert_id"]

    # Sealed on the chain, as the station's acts, and the chain verifies.
    trail = (await site.get(f"/v1/projects/{project}/trail")).json()["records"]
    by_station = [r["record"] for r in trail if r["record"]["actor"]["role"] == "regulator"]
    assert [r["type"] for r in by_station] == [
        "qtrail.supervision.filing_accepted.v1",  # the project's opening
        "qtrail.quality.accident_graded.v1",
        "qtrail.quality.accident_investigated.v1",
        "qtrail.quality.accident_closed.v1",
        "qtrail.aftercare.responsibility_found.v1",
    ]
    assert by_station[-1]["seq"] == finding["seq"]
    assert all(r["actor"]["org"] == REGULATOR for r in by_station)
    verified = (await site.get(f"/v1/projects/{project}/verify")).json()
    assert verified["ok"] is True

    # The regulator's timeline reads the finding without the lead's ID number.
    page = await client.get(f"/regulator/projects/{project}", headers=auth(tokens["regulator"]))
    assert page.status_code == 200
    assert "finding F-1" in page.text and lead["name"] in page.text
    assert "追责 F-1：" in page.text and "质量监督机构" in page.text  # Chinese first
    assert lead["id_number"] not in page.text


async def test_a_party_key_cannot_do_the_stations_acts_nor_the_station_a_partys(
    site: Site, client: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    project = await _project(site, "AFT")
    happened = T0 + 20 * DAY
    await site.sealed(accident(project, "A-1", at=happened))
    grade = accident_graded(project, "A-1", grade="ordinary", deaths=1, reported_at=happened + HOUR)

    # The owner's key, acting as the owner: the matrix refuses it on the trail.
    as_owner = {**grade, "id": f"evt-{uuid.uuid4()}", "actororg": OWNER, "actorrole": "owner"}
    answer = (await _post(client, tokens["owner"], as_owner)).json()
    assert answer["status"] == "rejected" and answer["reason"]["code"] == "auth.role_not_allowed"
    # The owner's key claiming the regulator's role: the gateway refuses it outright.
    claimed = {**grade, "id": f"evt-{uuid.uuid4()}", "actororg": OWNER, "actorrole": "regulator"}
    refused = await _post(client, tokens["owner"], claimed)
    assert refused.status_code == 403 and "regulator" in refused.text
    finding = responsibility_found(
        project,
        "F-1",
        lead_id_number=LEADS["construction"]["id_number"],
        work_done_at=happened,
        org=OWNER,
        role="owner",
    )
    answer = (await _post(client, tokens["owner"], finding)).json()
    assert answer["status"] == "rejected" and answer["reason"]["code"] == "auth.role_not_allowed"

    # The regulator's key acting as a party: refused at the gateway, whatever organization.
    for org, role in [(REGULATOR, "owner"), (OWNER, "owner"), (REGULATOR, "construction")]:
        lodged = complaint_lodged(project, f"C-{role}", unit=None, org=org, role=role)
        refused = await _post(client, tokens["regulator"], lodged)
        assert refused.status_code == 403, refused.text
    # ...and as the station itself it may lodge the complaint.
    lodged = complaint_lodged(project, "C-1", unit=None, org=REGULATOR, role="regulator")
    await _as_regulator(client, tokens, lodged)
    state = (await site.get(f"/v1/projects/{project}")).json()
    assert state["accidents"]["A-1"]["grade"] is None
    assert list(state["complaints"]) == ["C-1"] and state["findings"] == {}


async def test_an_overdue_repair_is_swept_into_an_alert_and_the_repair_resolves_it(
    site: Site, client: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    project = await _project(site, "AFT")
    accepted_at = T0 + 60 * DAY
    for event in [*accepted_unit(project, "B1"), completion(project, unit="B1", at=accepted_at)]:
        await site.sealed(event)
    reported_on = accepted_at.date() + 10 * DAY  # due 14 days later (the certificate's): long past
    await site.sealed(defect_reported(project, "D-1", reported_on=reported_on))
    due = reported_on + dt.timedelta(days=14)
    alert_id = f"repair_overdue:D-1:{due}"

    # The leading recorder sweeps every 2 s: the overdue repair becomes a sealed system fact and
    # an open alert.
    deadline = asyncio.get_running_loop().time() + 60
    while not [a for a in await _alerts(site, project, status="open") if a["alert_id"] == alert_id]:
        assert asyncio.get_running_loop().time() < deadline, "no overdue alert within 60 s"
        await asyncio.sleep(0.5)
    (alert,) = [a for a in await _alerts(site, project) if a["alert_id"] == alert_id]
    assert alert["kind"] == "repair_overdue" and alert["severity"] == "warning"
    assert alert["on_chain"] and not alert["blocking"]
    trail = (await site.get(f"/v1/projects/{project}/trail")).json()["records"]
    overdue = [
        r["record"]
        for r in trail
        if r["record"]["type"].startswith("qtrail.warranty.repair_overdue")
    ]
    assert len(overdue) == 1 and overdue[0]["actor"]["role"] == "system"
    assert overdue[0]["data"]["repair_due"] == due.isoformat()

    # Swept once: later sweeps find it flagged.
    await asyncio.sleep(3 * SWEEP_S)
    trail = (await site.get(f"/v1/projects/{project}/trail")).json()["records"]
    assert sum(r["record"]["type"].startswith("qtrail.warranty.repair_overdue") for r in trail) == 1

    # The regulator sees it in the project's state and on its timeline.
    state = (await site.get(f"/v1/projects/{project}")).json()
    assert state["defects"]["D-1"]["overdue"]["event_id"] == overdue[0]["event_id"]
    assert state["alerts"][alert_id]["closes_with"] == "qtrail.warranty.defect_repaired"
    page = await client.get(f"/regulator/projects/{project}", headers=auth(tokens["regulator"]))
    assert page.status_code == 200
    assert f"defect D-1: repair overdue (due {due})" in page.text
    assert f"缺陷 D-1：维修逾期（应于 {due} 前修复）" in page.text
    assert "alert (warning): building B1, defect D-1" in page.text

    # A written resolution cannot close it; the builder's repair does.
    written = (
        await site.post(alert_resolved(project, alert_id, at=T0 + 100 * DAY), wait=15)
    ).json()
    assert written["status"] == "rejected" and written["reason"]["code"] == "alert.closes_with_fact"
    await site.sealed(defect_repaired(project, "D-1", repaired_on=due + 30 * DAY))
    (resolved,) = [
        a for a in await _alerts(site, project, status="resolved") if a["alert_id"] == alert_id
    ]
    assert "30 day(s) after the due date" in resolved["resolution"]
    assert [
        a for a in await _alerts(site, project, status="open") if a["kind"] == "repair_overdue"
    ] == []
