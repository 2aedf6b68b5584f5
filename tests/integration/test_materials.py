"""Sampling → report → qtrail's own evaluation → alerts, through Kafka and PostgreSQL; batches
that cannot be cherry-picked, and failures that block completion until they are disposed of as
GB 50300-2013 §5.0.6 prescribes."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import httpx

from tests.support.client import Site
from tests.support.events import (
    OWNER,
    STRANGER,
    T0,
    accepted_unit,
    alert_resolved,
    batch_closed,
    completion,
    design_checked,
    in_situ_tested,
    lab_commissioned,
    lot_closed,
    received,
    repair_accepted,
    repair_planned,
    report_revoked,
    reported,
    sample,
    staffed,
    witness_authorized,
)
from tests.support.keys import auth
from tests.support.stack import Environment
from tests.support.topics import read_all

DAY = dt.timedelta(days=1)
C30_FAILING = [33.6, 38.1, 28.9, 30.6, 35.3, 36.1, 34.2, 33.3, 31.7, 29.8]  # domain.md's example


async def _site_project(site: Site, *, building: bool = False) -> str:
    """A staffed project with a lab and a witness; with ``building``, building B1 taken through
    its acceptance too, so its completion waits on the material record alone."""
    project = f"MAT-{uuid.uuid4().hex[:6]}"
    for e in [*staffed(project), lab_commissioned(project), witness_authorized(project)]:
        await site.sealed(e)
    for e in accepted_unit(project) if building else []:
        await site.sealed(e)
    return project


async def _sample_and_report(
    site: Site,
    project: str,
    sid: str,
    number: str,
    values: dict[str, Any],
    *,
    conclusion: str = "pass",
    **kw: Any,
) -> dict:
    await site.sealed(sample(project, sid, **kw))
    await site.sealed(received(project, sid))
    return await site.sealed(reported(project, number, sid, values, conclusion=conclusion))


async def _alerts(site: Site, project: str, **params: Any) -> list[dict[str, Any]]:
    return (await site.get(f"/v1/projects/{project}/alerts", **params)).json()["alerts"]


async def test_a_failing_concrete_batch_is_evaluated_on_the_chain_and_alerted(
    site: Site, environment: Environment
) -> None:
    project = await _site_project(site)
    for n, value in enumerate(C30_FAILING):
        await _sample_and_report(site, project, f"C-{n}", f"{project}-R{n}", {"group_mpa": value})
    closed = await site.sealed(batch_closed(project, "B1"))
    trail = (await site.get(f"/v1/projects/{project}/trail", after=closed["seq"])).json()["records"]
    evaluation = trail[0]["record"]
    assert evaluation["type"] == "qtrail.materials.evaluated.v1"
    assert evaluation["actor"]["role"] == "system"
    data = evaluation["data"]
    assert (
        data["verdict"] == "fail"
        and data["method"] == "statistical, unknown sigma"
        and data["n"] == 10
    )
    assert data["rule_table"].startswith("GB/T 50107-2010")
    mean = next(c for c in data["checks"] if c["name"] == "mean")
    # judged stated (GB/T 50107-2010 §5.1): m 33.16 → 33.2, S 2.926 → 2.93, 30 + 1.15 · 2.93
    assert (
        mean["ok"] is False
        and abs(mean["raw"] - 33.16) < 1e-9
        and mean["stated"] == 33.2
        and abs(mean["required"] - 33.3695) < 1e-9
    )
    alerts = await _alerts(site, project)
    assert any(a["kind"] == "evaluation_failed" and a["severity"] == "critical" for a in alerts)
    # The alert also went out on qtrail.alerts.v1.
    messages = [
        json.loads(m)
        for m in await read_all(
            environment.settings,
            environment.settings.topic_alerts,
            environment.settings.kafka_partitions,
        )
    ]
    assert any(m["project_id"] == project and m["kind"] == "evaluation_failed" for m in messages)


async def test_light_rebar_raises_a_mass_alert_and_contradicts_the_lab(site: Site) -> None:
    project = await _site_project(site)
    # Ø20 nominal 2.47 kg/m; 2.30 is 6.9 % light: suspected stretched or fake bar.
    values = {
        "yield_mpa": 455,
        "tensile_mpa": 610,
        "agt_pct": 11.0,
        "mass_kg_per_m": 2.30,
        "bend_ok": True,
        "reverse_bend_ok": True,
    }
    await _sample_and_report(
        site,
        project,
        "RB-1",
        f"{project}-RB1",
        values,
        material="rebar",
        grade="HRB400E",
        diameter=20,
    )
    kinds = {a["kind"] for a in await _alerts(site, project)}
    assert {"mass_deviation", "evaluation_failed", "lab_conclusion_contradicts"} <= kinds
    state = (await site.get(f"/v1/projects/{project}")).json()
    assert state["reports"][f"{project}-RB1"]["verdict"] == "fail"


async def test_a_reused_report_number_and_an_uncommissioned_lab_are_refused_and_alerted(
    site: Site, client: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    first, second = await _site_project(site), await _site_project(site)
    number = f"RPT-{uuid.uuid4().hex[:6]}"
    cement = {
        "compressive_3d_mpa": 21.0,
        "compressive_28d_mpa": 47.0,
        "flexural_3d_mpa": 4.5,
        "flexural_28d_mpa": 7.2,
        "initial_set_min": 150,
        "final_set_min": 240,
        "soundness_ok": True,
    }
    await _sample_and_report(
        site, first, "CE-1", number, cement, material="cement", grade="P.O 42.5"
    )
    await site.sealed(sample(second, "CE-9", material="cement", grade="P.O 42.5"))
    await site.sealed(received(second, "CE-9"))
    reused = await site.post(reported(second, number, "CE-9", cement), wait=15)
    assert reused.json()["reason"]["code"] == "materials.report_number_reused"
    assert first in reused.json()["reason"]["en"]
    alerts = await _alerts(site, second)
    assert any(a["kind"] == "reused_report_number" and not a["on_chain"] for a in alerts)

    # A lab the owner never commissioned: its key is real, its report is refused and alerted.
    rogue = reported(second, f"{number}-X", "CE-9", cement, org=STRANGER, role="lab")
    answer = await client.post(
        "/v1/events",
        params={"wait": 15},
        json=rogue,
        headers={"content-type": "application/cloudevents+json"} | auth(tokens["rogue_lab"]),
    )
    assert answer.json()["reason"]["code"] == "auth.not_a_party"
    assert any(a["kind"] == "uncommissioned_lab" for a in await _alerts(site, second))


async def test_an_unwitnessed_sample_blocks_until_resolved_and_a_seal_mismatch_alerts(
    site: Site,
) -> None:
    project = await _site_project(site)
    await site.sealed(sample(project, "U-1", witnessed=False))
    open_alerts = await _alerts(site, project, status="open")
    assert [a["alert_id"] for a in open_alerts] == ["unwitnessed_sample:U-1"]
    await site.sealed(sample(project, "U-2", replaces="U-1", at=T0 + 4 * DAY))
    assert await _alerts(site, project, status="open") == []
    resolved = await _alerts(site, project, status="resolved")
    assert resolved[0]["resolution"].startswith("witnessed re-take")

    await site.sealed(sample(project, "M-1"))
    await site.sealed(received(project, "M-1", seal="SEAL-FORGED"))
    mismatch = [
        a for a in await _alerts(site, project, status="open") if a["kind"] == "seal_mismatch"
    ]
    assert mismatch and "SEAL-FORGED" in mismatch[0]["message_en"]
    await site.sealed(alert_resolved(project, mismatch[0]["alert_id"]))
    assert await _alerts(site, project, status="open") == []


async def test_report_codes_show_valid_replaced_and_revoked(
    site: Site, client: httpx.AsyncClient
) -> None:
    project = await _site_project(site)
    values = {"group_mpa": 35.0}
    await _sample_and_report(site, project, "Q-1", f"{project}-Q1", values)
    info = (await site.get(f"/v1/projects/{project}/reports/{project}-Q1", as_="owner")).json()
    page = await client.get(f"/r/{info['code']}")
    assert page.status_code == 200 and "报告有效" in page.text and "report valid" in page.text
    replacement = reported(
        project, f"{project}-Q2", "Q-1", values, replaces=f"{project}-Q1", at=T0 + 32 * DAY
    )
    await site.sealed(replacement)
    page = await client.get(f"/r/{info['code']}")
    assert "已被替代" in page.text and f"{project}-Q2" in page.text
    tampered = info["code"][:-2] + ("AA" if info["code"][-2:] != "AA" else "BB")
    forged = await client.get(f"/r/{tampered}")
    assert forged.status_code == 404 and "无效" in forged.text
    await site.sealed(report_revoked(project, f"{project}-Q2", at=T0 + 33 * DAY))
    new = (await site.get(f"/v1/projects/{project}/reports/{project}-Q2", as_="owner")).json()
    page = await client.get(f"/r/{new['code']}")
    assert "已作废" in page.text and "report revoked" in page.text


async def _completion_gaps(site: Site, project: str, day: int = 60) -> list[dict[str, Any]]:
    """The items of the completion's refusal (an empty list: it sealed)."""
    answer = (await site.post(completion(project, at=T0 + day * DAY), wait=15)).json()
    if answer["status"] == "sealed":
        return []
    assert answer["reason"]["code"] == "completion.incomplete", answer
    items: list[dict[str, Any]] = answer["reason"]["items"]
    return items


async def test_a_3_day_cement_report_is_preliminary_and_the_28_day_report_completes_it(
    site: Site,
) -> None:
    project = await _site_project(site, building=True)
    early = {
        "compressive_3d_mpa": 21.0,
        "flexural_3d_mpa": 4.5,
        "initial_set_min": 150,
        "final_set_min": 240,
        "soundness_ok": True,
    }
    first = await _sample_and_report(
        site, project, "CE-1", f"{project}-3D", early, material="cement", grade="P.O 42.5"
    )
    trail = (await site.get(f"/v1/projects/{project}/trail", after=first["seq"])).json()
    data = trail["records"][0]["record"]["data"]
    assert (data["verdict"], data["values"]["stage"]) == ("pass", "preliminary")
    assert data["standard"] == "GB 175-2023"  # sampled in 2026
    assert await _alerts(site, project, status="open") == []

    # a preliminary pass completes nothing: neither the lot nor the project
    def close() -> dict[str, Any]:
        return lot_closed(project, "B1", material="cement", grade="P.O 42.5", quantity=150.0)

    refused = (await site.post(close(), wait=15)).json()
    assert refused["reason"]["code"] == "materials.lot_not_closable"
    assert "only the preliminary (3-day) report" in refused["reason"]["items"][0]["en"]
    gaps = await _completion_gaps(site, project)
    assert [g["code"] for g in gaps] == ["completion.preliminary_result", "completion.lot_open"]
    late = {**early, "compressive_28d_mpa": 47.0, "flexural_28d_mpa": 7.2}
    second = await site.sealed(
        reported(
            project, f"{project}-28D", "CE-1", late, replaces=f"{project}-3D", at=T0 + 59 * DAY
        )
    )
    trail = (await site.get(f"/v1/projects/{project}/trail", after=second["seq"])).json()
    data = trail["records"][0]["record"]["data"]
    assert data["verdict"] == "pass" and "stage" not in data["values"]
    state = (await site.get(f"/v1/projects/{project}")).json()
    assert state["reports"][f"{project}-3D"]["status"] == "replaced"
    assert state["reports"][f"{project}-28D"]["stage"] == "final"
    assert await _alerts(site, project, status="open") == []
    await site.sealed(close())  # a new closing: the refused one keeps its outcome
    assert await _completion_gaps(site, project) == []


async def test_a_cherry_picked_batch_is_refused_naming_every_missing_sample(site: Site) -> None:
    project = await _site_project(site)
    good = [36.2, 37.5]
    for n, value in enumerate(good, 1):
        await _sample_and_report(site, project, f"CP-{n}", f"{project}-R{n}", {"group_mpa": value})
    await site.sealed(sample(project, "CP-3"))  # taken, received, never reported
    await site.sealed(received(project, "CP-3"))
    await site.sealed(sample(project, "CP-4"))  # taken, never sent to the lab
    close = batch_closed(project, "B1", volume=380.0, mixes=160, shifts=2)
    answer = (await site.post(close, wait=15)).json()
    assert answer["status"] == "rejected"
    reason = answer["reason"]
    assert reason["code"] == "materials.lot_not_closable"
    assert reason["en"] == "concrete batch B1 cannot be closed: 2 item(s) outstanding"
    assert [(i["code"], i["en"].split(" ")[1]) for i in reason["items"]] == [
        ("materials.sample_without_result", "CP-3"),
        ("materials.sample_without_result", "CP-4"),
    ]
    status = (await site.get(f"/v1/events/{close['id']}")).json()
    assert status["status"] == "rejected" and len(status["reason"]["items"]) == 2
    # the bad groups reported too, the batch closes and is judged on all four
    await site.sealed(reported(project, f"{project}-R3", "CP-3", {"group_mpa": 24.0}))
    await site.sealed(received(project, "CP-4"))
    await site.sealed(reported(project, f"{project}-R4", "CP-4", {"group_mpa": 25.1}))
    closed = await site.sealed(batch_closed(project, "B1", volume=380.0, mixes=160, shifts=2))
    trail = (await site.get(f"/v1/projects/{project}/trail", after=closed["seq"])).json()
    data = trail["records"][0]["record"]["data"]
    assert (data["n"], data["verdict"]) == (4, "fail")
    state = (await site.get(f"/v1/projects/{project}")).json()
    sampling = state["concrete_batches"]["B1"]["sampling"]
    assert (sampling["counted"], sampling["required"], sampling["short"]) == (4, 4, [])


async def test_a_lab_fail_on_mortar_blocks_completion_until_it_is_disposed_of(site: Site) -> None:
    project = await _site_project(site, building=True)
    await _sample_and_report(
        site,
        project,
        "MO-1",
        f"{project}-M1",
        {"compressive_mpa": 7.6},
        material="mortar",
        grade="M10",
        conclusion="fail",
    )
    failure = f"lab_failed:{project}-M1"
    (alert,) = await _alerts(site, project, status="open")
    assert (alert["alert_id"], alert["severity"], alert["blocking"]) == (failure, "critical", True)
    gaps = await _completion_gaps(site, project)
    assert [g["code"] for g in gaps] == ["completion.open_alert"]
    # the owner cannot wave it away, nor can the supervision
    for resolver in (
        alert_resolved(project, failure, org=OWNER, role="owner"),
        alert_resolved(project, failure),
    ):
        answer = (await site.post(resolver, wait=15)).json()
        assert answer["reason"]["code"] == "materials.disposal_required"
    # in place below design; the builder's rework plan; the supervision's re-acceptance
    await site.sealed(
        in_situ_tested(
            project,
            failure,
            f"{project}-GR1",
            method="penetration",
            meets_design=False,
            result="贯入法推定砂浆强度 8.1 MPa",
        )
    )
    assert await _completion_gaps(site, project)
    await site.sealed(repair_planned(project, failure, kind="rework"))
    assert await _completion_gaps(site, project)
    await site.sealed(repair_accepted(project, failure))
    assert await _alerts(site, project, status="open") == []
    (resolved,) = await _alerts(site, project, status="resolved")
    assert "§5.0.6 item 1" in resolved["resolution"]
    assert await _completion_gaps(site, project) == []
    state = (await site.get(f"/v1/projects/{project}")).json()
    case = state["dispositions"][failure]
    assert [step["step"] for step in case["steps"]] == ["in_situ", "repair_plan", "re_acceptance"]


async def test_a_failing_batch_is_disposed_of_by_core_drilling_and_the_design_units_check(
    site: Site,
) -> None:
    project = await _site_project(site, building=True)
    for n, value in enumerate(C30_FAILING):
        await _sample_and_report(site, project, f"C-{n}", f"{project}-R{n}", {"group_mpa": value})
    await site.sealed(batch_closed(project, "B1", volume=960.0, mixes=410, shifts=5))
    failure = "evaluation_failed:B1"
    gaps = await _completion_gaps(site, project)
    assert [g["code"] for g in gaps] == ["completion.open_alert"]
    early = (await site.post(design_checked(project, failure), wait=15)).json()
    assert early["reason"]["code"] == "materials.step_not_allowed"  # no test in place yet
    await site.sealed(
        in_situ_tested(
            project,
            failure,
            f"{project}-XC1",
            meets_design=False,
            result="芯样推定强度 28.6 MPa / core strength 28.6 MPa",
        )
    )
    assert await _completion_gaps(site, project)
    check = design_checked(project, failure)
    await site.sealed(check)
    (alert,) = await _alerts(site, project, status="resolved")
    assert alert["alert_id"] == failure
    assert alert["resolved_by"]["event_id"] == check["id"]
    assert "§5.0.6 item 3" in alert["resolution"]
    assert await _completion_gaps(site, project) == []
    steps = (await site.get(f"/v1/projects/{project}/steps")).json()
    said = [c for step in steps["steps"] for c in step["changes"]]
    assert "disposal of concrete:B1: in_situ, below design" in said
    assert any(c.startswith("disposal of concrete:B1 closed:") for c in said)
