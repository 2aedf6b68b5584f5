"""The regulator's web view in a real headless Chromium: sign in, filter the timeline, pick a point;
Chinese first, every English fragment marked as English."""

from __future__ import annotations

import datetime as dt
import re
import uuid

from playwright.async_api import async_playwright

from tests.e2e.test_plaque import ARGS, CHROMIUM
from tests.support.client import Site
from tests.support.events import (
    T0,
    appointment,
    id_number,
    lead_change,
    lot,
)
from tests.support.processes import Api
from tests.support.stack import ARTIFACTS


async def test_timeline_filters_and_state_at_a_point(
    site: Site, system: Api, tokens: dict[str, str]
) -> None:
    project = f"REG-{uuid.uuid4().hex[:6]}"
    await site.opened(project)
    await site.sealed(appointment(project, "construction"))
    first_lot = await site.sealed(lot(project, 1))
    handover = await site.sealed(
        lead_change(
            project, "construction", "接任经理", id_number(901), at=T0 + dt.timedelta(days=9)
        )
    )
    refused = await site.post(
        lot(project, 2, role="supervision", org=tokens and "91320300000000105L"), wait=15
    )
    assert refused.json()["status"] == "rejected"
    url = f"{system.base_url}/regulator/projects/{project}"
    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1280, "height": 900})
            await page.goto(url)
            assert "/regulator/login" in page.url  # no key yet
            await page.fill("input[name=key]", tokens["owner"])
            await page.click("button[type=submit]")
            refused_key = await page.inner_text("p.bad")
            assert "/regulator/login" in page.url
            assert (
                refused_key.startswith("不是有效的监管密钥")
                and "not a regulator key" in refused_key
            )
            await page.fill("input[name=key]", tokens["regulator"])
            await page.click("button[type=submit]")
            assert page.url.startswith(url)
            text = await page.inner_text("body")
            assert f"#{handover['seq']}" in text
            changed = await page.inner_text(f"#seq-{handover['seq']}")
            assert "项目负责人变更" in changed and "Lead changed" in changed  # the fact's title
            assert "qtrail.party.lead_changed.v1" in changed  # the type, for experts
            assert "施工单位" in changed  # the actor's role
            assert changed.index("接任经理 接替") < changed.index("接任经理 replaced")
            assert await page.locator("[lang=en]").count() > 0
            assert await page.locator(".en:not([lang=en])").count() == 0
            await page.select_option("select[name=role]", "construction")
            await page.check("input[name=rejected]")
            await page.click("form button")
            rows = await page.locator("table >> nth=-1 >> tr").count()
            assert (
                rows == 1 + 2 + 1
            )  # header, the construction lot and lead change, the refused event
            assert "被拒" in await page.inner_text("tr.bad")
            why = await page.inner_text("tr.bad td:last-child")
            english = await page.inner_text("tr.bad td:last-child span[lang=en]")
            code, rest = why.split(" ", 1)
            assert code == "auth.not_a_party" and english and rest.endswith(english)
            assert re.search(r"[\u4e00-\u9fff]", rest.removesuffix(english))  # Chinese first
            seq = first_lot["seq"]
            await page.click(f"text=#{seq}")
            body = await page.inner_text("body")
            assert f"第 {seq} 条时的状态" in body and f"State as of #{seq}" in body
            assert "construction负责人" in body  # the lead before the handover
            assert "role=construction" in page.url  # the filters stay
            await page.screenshot(path=str(ARTIFACTS / f"regulator-{project}.png"), full_page=True)
        finally:
            await browser.close()
