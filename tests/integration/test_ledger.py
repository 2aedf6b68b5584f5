"""The responsibility ledger over HTTP: handovers, who was responsible when, redaction, corrections."""

from __future__ import annotations

import datetime as dt
import uuid

from tests.support.client import Site
from tests.support.events import (
    LEADS,
    SURVEY,
    T0,
    commitment,
    event,
    id_number,
    lead_change,
    staffed,
)

T1 = T0 + dt.timedelta(days=1)  # appointments take effect
T2 = T0 + dt.timedelta(days=90)  # the construction lead hands over
NEW_LEAD = id_number(777)


async def _history(site: Site) -> str:
    project = f"LEDGER-{uuid.uuid4().hex[:6]}"
    for e in staffed(project):
        await site.sealed(e)
    await site.sealed(lead_change(project, "construction", "新项目经理", NEW_LEAD, at=T2))
    await site.sealed(commitment(project, "construction", NEW_LEAD, at=T2 + dt.timedelta(hours=2)))
    return project


async def _responsible(site: Site, project: str, at: dt.datetime, as_: str = "regulator") -> dict:
    answer = await site.get(
        f"/v1/projects/{project}/responsible", as_=as_, role="construction", at=at.isoformat()
    )
    return {"status": answer.status_code, **answer.json()}


async def test_responsible_before_at_and_after_a_handover(site: Site) -> None:
    project = await _history(site)
    before = await _responsible(site, project, T1 - dt.timedelta(seconds=1))
    assert before["status"] == 404
    first = await _responsible(site, project, T1 + dt.timedelta(days=10))
    assert first["lead"]["id_number"] == LEADS["construction"]["id_number"]
    assert first["lead"]["end"] is not None
    assert [p["what"] for p in first["proof"]] == ["party appointed", "commitment signed"]
    just_before = await _responsible(site, project, T2 - dt.timedelta(microseconds=1))
    assert just_before["lead"]["id_number"] == LEADS["construction"]["id_number"]
    at_handover = await _responsible(site, project, T2)
    assert at_handover["lead"]["id_number"] == NEW_LEAD
    assert at_handover["lead"]["name"] == "新项目经理"
    after = await _responsible(site, project, T2 + dt.timedelta(days=3650))
    assert after["lead"]["id_number"] == NEW_LEAD and after["lead"]["end"] is None
    assert [p["what"] for p in after["proof"]] == [
        "party appointed",
        "lead changed",
        "commitment signed",
    ]
    # Each proof names a sealed event on this project's trail.
    trail = (await site.get(f"/v1/projects/{project}/trail", limit=100)).json()
    by_seq = {r["seq"]: r["record"]["event_id"] for r in trail["records"]}
    assert all(by_seq[p["seq"]] == p["event_id"] for p in after["proof"])


async def test_id_numbers_are_shown_to_regulators_only(site: Site) -> None:
    project = await _history(site)
    as_party = await _responsible(site, project, T2, as_="owner")
    assert as_party["lead"]["id_number"] != NEW_LEAD and "*" in as_party["lead"]["id_number"]
    state = (await site.get(f"/v1/projects/{project}", as_="construction")).text
    trail = (await site.get(f"/v1/projects/{project}/trail", as_="survey")).text
    for text in (state, trail):
        assert NEW_LEAD not in text
        assert all(lead["id_number"] not in text for lead in LEADS.values())
    regulator = (await site.get(f"/v1/projects/{project}/trail", as_="regulator")).text
    assert NEW_LEAD in regulator


async def test_state_shows_parties_leads_and_archive_gaps(site: Site) -> None:
    project = f"ARCHIVE-{uuid.uuid4().hex[:6]}"
    for e in staffed(project, commit=False):
        await site.sealed(e)
    state = (await site.get(f"/v1/projects/{project}")).json()
    assert set(state["parties"]) == {"owner", "survey", "design", "construction", "supervision"}
    assert state["archive"]["complete"] is False
    codes = {(g["code"], g["role"]) for g in state["archive"]["gaps"]}
    assert ("archive.commitment_missing", "design") in codes
    assert all(e["status"] == "pending" for e in state["evidence"])


async def test_corrected_lead_name_is_shown_with_its_proof(site: Site) -> None:
    project = f"CORR-{uuid.uuid4().hex[:6]}"
    events = staffed(project)
    for e in events:
        await site.sealed(e)
    appointment_id = next(
        e["id"]
        for e in events
        if e["type"] == "qtrail.party.appointed.v1" and e["data"]["role"] == "construction"
    )
    correction = event(
        project,
        "qtrail.record.corrected.v1",
        {
            "corrects_event_id": appointment_id,
            "reason": "姓名录入错误",
            "changes": {"lead.name": "张正确"},
        },
        at=T1 + dt.timedelta(days=5),
    )
    await site.sealed(correction)
    answer = await _responsible(site, project, T1 + dt.timedelta(days=6))
    assert answer["lead"]["name"] == "张正确"
    assert answer["proof"][-1]["what"] == "lead corrected"
    assert answer["proof"][-1]["event_id"] == correction["id"]
    # A correction by an organization that did not post the original is refused.
    stranger = event(
        project,
        "qtrail.record.corrected.v1",
        {"corrects_event_id": appointment_id, "reason": "x", "changes": {"lead.name": "李冒名"}},
        org=SURVEY,
        role="survey",
        at=T1 + dt.timedelta(days=7),
    )
    refused = (await site.post(stranger, wait=10)).json()
    assert refused["status"] == "rejected" and refused["reason"]["code"] == "correction.not_author"


async def test_a_building_the_project_does_not_have_is_a_clear_404(site: Site) -> None:
    project = await _history(site)
    answer = await site.get(
        f"/v1/projects/{project}/responsible", role="construction", at=T2.isoformat(), unit="B9"
    )
    assert answer.status_code == 404
    assert "B9" in answer.json()["detail"] and answer.json()["units"] == []
    bad = await site.get(f"/v1/projects/{project}/responsible", role="construction", unit="../x")
    assert bad.status_code in (400, 422) and "unit" in bad.text
