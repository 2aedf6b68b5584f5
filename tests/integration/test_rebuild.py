"""Rebuilding every read model from the log equals the live system, from PostgreSQL and from Kafka."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg

from tests.integration.test_checkpoints import qtrail
from tests.support.client import Site
from tests.support.events import (
    T0,
    accepted_unit,
    batch_closed,
    commitment,
    completion,
    design_checked,
    event,
    id_number,
    in_situ_tested,
    lab_commissioned,
    lead_change,
    received,
    reported,
    sample,
    staffed,
    witness_authorized,
)
from tests.support.stack import Environment

FAILING = [33.6, 38.1, 28.9, 30.6, 35.3, 36.1, 34.2, 33.3, 31.7, 29.8]


async def _mixed_workload(site: Site) -> str:
    project = f"REB-{uuid.uuid4().hex[:6]}"
    events = [*staffed(project), lab_commissioned(project), witness_authorized(project)]
    for e in events:
        await site.sealed(e)
    appointment_id = next(
        e["id"]
        for e in events
        if e["type"] == "qtrail.party.appointed.v1" and e["data"]["role"] == "design"
    )
    await site.sealed(
        event(
            project,
            "qtrail.record.corrected.v1",
            {
                "corrects_event_id": appointment_id,
                "reason": "笔误",
                "changes": {"lead.name": "孙正名"},
            },
            at=T0 + dt.timedelta(days=2),
        )
    )
    await site.sealed(
        lead_change(
            project, "construction", "接任经理", id_number(808), at=T0 + dt.timedelta(days=20)
        )
    )
    await site.sealed(
        commitment(project, "construction", id_number(808), at=T0 + dt.timedelta(days=20, hours=1))
    )
    malformed = lead_change(project, "survey", "x", id_number(809), at=T0 + dt.timedelta(days=21))
    malformed["data"]["new_lead"]["id_number"] = "123"  # a site app's typo the catalog refuses
    refused = await site.post(malformed, wait=15)
    assert refused.status_code in (200, 422)
    for n, value in enumerate(FAILING):
        await site.sealed(sample(project, f"S{n}", at=T0 + dt.timedelta(days=25)))
        await site.sealed(received(project, f"S{n}", at=T0 + dt.timedelta(days=25, hours=3)))
        await site.sealed(reported(project, f"{project}-R{n}", f"S{n}", {"group_mpa": value}))
    await site.sealed(batch_closed(project, "B1"))
    for e in accepted_unit(project, accepted_at=T0 + dt.timedelta(days=61)):
        await site.sealed(e)
    early = await site.post(completion(project), wait=15)
    assert early.json()["reason"]["code"] == "completion.incomplete"
    # disposed of as GB 50300-2013 §5.0.6 prescribes: cores below design, the design unit's check
    failure = "evaluation_failed:B1"
    await site.sealed(in_situ_tested(project, failure, f"{project}-XC1", meets_design=False))
    await site.sealed(design_checked(project, failure))
    await site.sealed(completion(project, at=T0 + dt.timedelta(days=61)))  # issues plaque #1
    return project


async def test_rebuild_equals_live_and_names_a_tampered_read_model(
    site: Site, environment: Environment, superuser: asyncpg.Connection
) -> None:
    project = await _mixed_workload(site)
    state = (await site.get(f"/v1/projects/{project}")).json()
    assert state["plaques"]["1"]["status"] == "valid" and state["corrections"]
    for args in (("replay", "--rebuild"), ("replay", "--rebuild", "--from-kafka")):
        result = qtrail(environment, *args)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "EQUAL" in result.stdout
    await superuser.execute(
        """UPDATE project_heads SET state = jsonb_set(state, '{parties,design,org_name}', '"伪造设计院"')
           WHERE project_id = $1""",
        project,
    )
    tampered = qtrail(environment, "replay", "--rebuild")
    assert tampered.returncode == 1
    assert f"DIFFERS {project}" in tampered.stdout
    assert "parties.design.org_name: live '伪造设计院'" in tampered.stdout
