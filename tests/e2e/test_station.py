"""The supervision station at work, in a real headless Chromium against the real stack: signs in,
finds the demo among its projects, reads the charts, issues a rectification notice from a form,
sees the builder answer through the API and verifies it; a squatted registration stays pending
and lapses; a station of another city reads none of it. Every page passes axe-core with no
serious or critical violation."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Page, async_playwright

from events.supervision import RectificationReported
from services.adapters.kafka.producer import EventProducer
from services.adapters.postgres.keys import KeyStore
from services.adapters.postgres.pool import open_pool
from services.adapters.postgres.repairs_due import PostgresRepairsDue
from services.adapters.postgres.stations import Station, StationStore
from services.adapters.postgres.trail_writer import PostgresTrailWriter
from services.application.overdue import OverdueRepairs
from services.application.record_batch import BatchRecorder, Topics
from services.cli.demo import DEMO_PROJECT, ORGS, run_demo
from services.domain.access import KeyKind
from services.domain.calendar import china_day
from services.factories import Actor, envelope
from tests.e2e.test_plaque import ARGS, CHROMIUM
from tests.support.events import STRANGER, STRUCTURED, lot, org_code, registration
from tests.support.keys import auth
from tests.support.processes import Api, Process
from tests.support.stack import ARTIFACTS, Environment, dispose, new_environment, provision

NANJING = org_code(151)
"""A station of another city (南京, 320100): none of Xuzhou's projects are its own."""
SERIOUS = {"serious", "critical"}


@pytest.fixture(scope="module")
def environment(stack: None) -> Iterator[Environment]:
    """This module's own environment (the demo and the stations it creates stay in it)."""
    env = new_environment()
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


@pytest.fixture(scope="module")
def demo(system: Api, environment: Environment) -> dict[str, str]:
    """The demo told through the API (its keys and clock kept apart from ``make up``'s); its
    keys, by role."""
    told = ARTIFACTS / f"demo-{environment.suffix}"
    settings = environment.settings.model_copy(update={"state_dir": str(told)})
    assert asyncio.run(run_demo(system.base_url, settings)) == 0
    saved = told / "demo-keys.json"
    tokens: dict[str, str] = json.loads(saved.read_text())
    return tokens


async def _nanjing_key(environment: Environment) -> str:
    async with open_pool(environment.settings, "migrator", max_size=2) as pool:
        await StationStore(pool).put(Station(NANJING, "南京市建设工程质量监督站", ("320100",)))
        return (await KeyStore(pool).create(NANJING, KeyKind.REGULATOR, "nanjing"))[1]


async def _accessible(page: Page, name: str) -> None:
    results = await Axe().run(page)
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in SERIOUS
    ]
    assert not serious, f"{name}: {serious}"


async def _sign_in(page: Page, base: str, token: str, path: str) -> None:
    await page.goto(f"{base}{path}")
    assert "/regulator/login" in page.url
    await page.fill("input[name=key]", token)
    await page.click("button[type=submit]")
    assert page.url.startswith(f"{base}{path}")


async def _state(client: httpx.AsyncClient, token: str, project: str) -> dict[str, Any]:
    answer = await client.get(f"/v1/projects/{project}", headers=auth(token))
    assert answer.status_code == 200, answer.text
    state: dict[str, Any] = answer.json()
    return state


async def test_the_station_issues_and_verifies_a_rectification_from_its_browser(
    system: Api, demo: dict[str, str]
) -> None:
    base = system.base_url
    today = china_day(dt.datetime.now(dt.UTC))
    notice = f"ZG-E2E-{uuid.uuid4().hex[:6]}"
    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1280, "height": 900})
            await _sign_in(page, base, demo["regulator"], "/regulator/projects")
            listed = await page.inner_text("main")
            assert "云龙湖畔花园" in listed and DEMO_PROJECT in listed
            await _accessible(page, "home")
            await page.fill("input[name=q]", "李振华")  # a lead's name finds the project
            await page.click("form[role=search] button")
            assert DEMO_PROJECT in await page.inner_text("main")
            await page.fill("input[name=q]", "不存在的工程")
            await page.click("form[role=search] button")
            assert DEMO_PROJECT not in await page.inner_text("main")

            await page.goto(f"{base}/regulator/projects/{DEMO_PROJECT}")
            gantt = page.locator("#chart-leads svg")
            assert await gantt.get_attribute("role") == "img"
            leads = await gantt.text_content() or ""
            assert "李振华" in leads and "陈志强" in leads  # the handover on 1号楼's builder
            strength = await page.locator("#chart-strength svg").inner_html()
            assert "fcu,k" in strength and "λ" in strength
            await page.screenshot(path=str(ARTIFACTS / "station-project-1280.png"), full_page=True)
            await _accessible(page, "project")
            phone = await browser.new_page(viewport={"width": 390, "height": 844})
            await phone.context.add_cookies(await page.context.cookies())
            await phone.goto(f"{base}/regulator/projects/{DEMO_PROJECT}")
            assert await phone.locator("#chart-leads svg").count() == 1
            await phone.screenshot(path=str(ARTIFACTS / "station-project-390.png"), full_page=True)

            await page.goto(f"{base}/regulator/risk")
            assert "风险" in await page.inner_text("h1")
            await _accessible(page, "risk")
            await page.goto(f"{base}/regulator/organizations/{ORGS['construction'][1]}")
            assert DEMO_PROJECT in await page.inner_text("main")
            await _accessible(page, "organization")

            await page.goto(f"{base}/regulator/projects/{DEMO_PROJECT}")
            await page.click(f"a[href='/regulator/projects/{DEMO_PROJECT}/acts']")
            await _accessible(page, "acts")
            form = page.locator("#act-rectification_ordered")
            await form.locator("summary").click()
            await form.locator("input[name=person]").fill("王建国")
            await form.locator("input[name=notice_id]").fill(notice)
            await form.locator("select[name=addressed_to]").select_option("construction")
            await form.locator("textarea[name=items]").fill("2号楼屋面防水收头重做")
            await form.locator("input[name=issued_on]").fill(today.isoformat())
            due = today + dt.timedelta(days=7)
            await form.locator("input[name=due_on]").fill(due.isoformat())
            await form.locator("button").click()
            assert "已封存" in await page.inner_text("[role=status]")

            async with httpx.AsyncClient(base_url=base, timeout=30) as client:
                state = await _state(client, demo["regulator"], DEMO_PROJECT)
                [alert] = [a for a in state["alerts"].values() if a.get("subject") == notice]
                assert alert["resolved_by"] is None
                answer = envelope(
                    RectificationReported(
                        notice_id=notice,
                        reported_on=today,
                        actions=["屋面防水收头已重做"],
                        evidence=["ab" * 32],
                    ),
                    DEMO_PROJECT,
                    Actor(ORGS["construction"][1], "李振华", "construction"),
                    dt.datetime.now(dt.UTC),
                )
                posted = await client.post(
                    "/v1/events",
                    params={"wait": 15},
                    json=answer,
                    headers=STRUCTURED | auth(demo["construction"]),
                )
                assert posted.json()["status"] == "sealed", posted.text

            await page.goto(f"{base}/regulator/projects/{DEMO_PROJECT}/acts")
            form = page.locator("#act-rectification_verified")
            await form.locator("summary").click()
            await form.locator("input[name=person]").fill("王建国")
            await form.locator("input[name=notice_id]").fill(notice)
            await form.locator("input[name=verified_on]").fill(today.isoformat())
            await form.locator("select[name=outcome]").select_option("closed")
            await form.locator("button").click()
            assert "已封存" in await page.inner_text("[role=status]")
            async with httpx.AsyncClient(base_url=base, timeout=30) as client:
                state = await _state(client, demo["regulator"], DEMO_PROJECT)
            [alert] = [a for a in state["alerts"].values() if a.get("subject") == notice]
            assert alert["resolved_by"] is not None  # the alert cleared
            assert state["rectifications"][notice]["status"] == "closed"
        finally:
            await browser.close()


async def test_a_form_without_the_sessions_token_is_refused(
    system: Api, demo: dict[str, str]
) -> None:
    async with httpx.AsyncClient(base_url=system.base_url, timeout=30) as client:
        signed = await client.post("/regulator/login", data={"key": demo["regulator"]})
        assert signed.status_code == 303
        forged = await client.post(
            f"/regulator/projects/{DEMO_PROJECT}/acts/work_stopped",
            data={"csrf": "0" * 64, "person": "x", "order_id": "TG-1", "scope": "full"},
        )
        assert forged.status_code == 403
        state = await _state(client, demo["regulator"], DEMO_PROJECT)
        assert "TG-1" not in state["stop_orders"]


async def _sweep_at(environment: Environment, moment: dt.datetime) -> None:
    """The recorder's deadline sweep, run as the recorder runs it (its database role, its Kafka
    principal, the real trail writer) but with the clock at ``moment``: how a test lets twenty
    working days pass."""
    settings = environment.settings
    topics = Topics(settings.topic_trail, settings.topic_rejected, settings.topic_alerts)
    async with open_pool(settings, "recorder", max_size=2) as pool:
        producer = EventProducer(settings, "recorder")
        await producer.start()
        try:
            recorder = BatchRecorder(topics, PostgresTrailWriter(pool), producer)
            await OverdueRepairs(PostgresRepairsDue(pool), recorder, clock=lambda: moment).sweep()
        finally:
            await producer.stop()


async def test_a_squatted_registration_stays_pending_then_lapses_and_the_id_is_free_again(
    system: Api, demo: dict[str, str], tokens: dict[str, str], environment: Environment
) -> None:
    project = f"SQUAT-{uuid.uuid4().hex[:6]}"
    station = ORGS["regulator"][1]
    now = dt.datetime.now(dt.UTC)
    async with httpx.AsyncClient(base_url=system.base_url, timeout=30) as client:

        async def post(event: dict[str, Any], token: str) -> dict[str, Any]:
            answer = await client.post(
                "/v1/events", params={"wait": 15}, json=event, headers=STRUCTURED | auth(token)
            )
            body: dict[str, Any] = answer.json()
            return body

        squat = registration(project, at=now, station=station, division="320302", org=STRANGER)
        assert (await post(squat, tokens["stranger"]))["status"] == "sealed"
        refused = await post(lot(project, 1, at=now), tokens["construction"])
        assert refused["reason"]["code"] == "supervision.filing_pending"
        await _sweep_at(environment, now + dt.timedelta(days=3))  # days pass: still pending
        state = await _state(client, tokens["stranger"], project)
        assert state["filing"]["status"] == "pending"
        await _sweep_at(environment, now + dt.timedelta(days=40))  # 20 working days are over
        state = await _state(client, tokens["stranger"], project)
        assert state["filing"]["status"] == "expired"
        later = dt.datetime.now(dt.UTC)
        after = await post(lot(project, 2, at=later), tokens["construction"])
        assert after.get("reason", {}).get("code") == "supervision.registration_lapsed", after
        again = registration(project, at=later, station=station, division="320302")
        assert (await post(again, tokens["owner"]))["status"] == "sealed"
        state = await _state(client, tokens["owner"], project)
        assert state["owner_org"] != STRANGER and state["filing"]["status"] == "pending"


async def test_a_station_of_another_city_reads_none_of_it(
    system: Api, demo: dict[str, str], environment: Environment
) -> None:
    nanjing = await _nanjing_key(environment)
    async with httpx.AsyncClient(base_url=system.base_url, timeout=30) as client:
        own = (await client.get("/v1/projects", headers=auth(demo["regulator"]))).json()
        assert DEMO_PROJECT in [p["project_id"] for p in own["items"]]
        other = (await client.get("/v1/projects", headers=auth(nanjing))).json()
        assert DEMO_PROJECT not in [p["project_id"] for p in other["items"]]
        state = await client.get(f"/v1/projects/{DEMO_PROJECT}", headers=auth(nanjing))
        assert state.status_code == 403
        builder = ORGS["construction"][1]
        profile = await client.get(f"/v1/organizations/{builder}", headers=auth(nanjing))
        assert profile.status_code == 404
        signed = await client.post("/regulator/login", data={"key": nanjing})
        assert signed.status_code == 303
        page = await client.get(f"/regulator/projects/{DEMO_PROJECT}")
        assert page.status_code == 404 and "云龙湖畔花园" not in page.text
