"""Completion → plaque → QR → the page a phone opens, in a real headless Chromium."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import uuid
from typing import Any

import httpx
import pytest
import zxingcpp
from PIL import Image
from playwright.async_api import async_playwright

from tests.support.client import Site
from tests.support.events import (
    LEADS,
    T0,
    accepted_unit,
    commitment,
    completion,
    id_number,
    lab_commissioned,
    lead_change,
    plaque_event,
    staffed,
    witness_authorized,
)
from tests.support.stack import ARTIFACTS

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


async def _completed(site: Site) -> tuple[str, dict[str, Any]]:
    project = f"PLQ-{uuid.uuid4().hex[:6]}"
    for e in [
        *staffed(project),
        lab_commissioned(project),
        witness_authorized(project),
        *accepted_unit(project),
    ]:
        await site.sealed(e)
    early = completion(project, signed=("owner", "design"))
    refused = (await site.post(early, wait=15)).json()
    assert refused["status"] == "rejected" and refused["reason"]["code"] == "completion.incomplete"
    codes = {item["code"] for item in refused["reason"]["items"]}
    assert codes == {"completion.signature_missing"}
    assert len(refused["reason"]["items"]) == 3
    await site.sealed(completion(project))
    state = (await site.get(f"/v1/projects/{project}")).json()
    return project, state["plaques"]["1"]


async def _file(client: httpx.AsyncClient, code: str, ext: str) -> bytes:
    for _ in range(150):
        answer = await client.get(f"/v1/plaques/{code}.{ext}")
        if answer.status_code == 200:
            return answer.content
        assert answer.status_code == 503, answer.text
        await asyncio.sleep(0.2)
    raise AssertionError(f"plaque {ext} was never rendered")


def _decoded(path: str) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(Image.open(path))]


async def test_plaque_files_carry_the_signed_url_and_the_page_fits_a_phone(
    site: Site, client: httpx.AsyncClient
) -> None:
    project, plaque = await _completed(site)
    assert plaque["url"].endswith(f"/p/{plaque['code']}")
    ARTIFACTS.mkdir(exist_ok=True)
    png = ARTIFACTS / f"plaque-{project}.png"
    png.write_bytes(await _file(client, plaque["code"], "png"))
    assert _decoded(str(png)) == [plaque["url"]]
    svg = ARTIFACTS / f"plaque-{project}.svg"
    svg.write_bytes(await _file(client, plaque["code"], "svg"))
    pdf = await _file(client, plaque["code"], "pdf")
    assert (pdf.startswith(b"%PDF-") and b"QtrailCJK" in pdf) or b"FontFile2" in pdf

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            raster = await browser.new_page(viewport={"width": 1600, "height": 1200})
            data = base64.b64encode(svg.read_bytes()).decode()
            await raster.set_content(
                f'<body style="margin:0"><img style="width:1600px" src="data:image/svg+xml;base64,{data}"></body>'
            )
            svg_png = ARTIFACTS / f"plaque-{project}-svg.png"
            await raster.screenshot(path=str(svg_png))
            assert _decoded(str(svg_png)) == [plaque["url"]]

            phone = await browser.new_page(
                viewport={"width": 390, "height": 844}, device_scale_factor=2
            )
            answer = await phone.goto(plaque["url"])
            assert answer is not None and answer.status == 200
            text = await phone.inner_text("body")
            for role in ("建设单位", "勘察单位", "设计单位", "施工单位", "监理单位"):
                assert role in text
            assert all(LEADS[r]["name"] in text for r in LEADS)
            assert all(LEADS[r]["id_number"] not in text for r in LEADS)
            assert "哈希链校验通过" in text
            wide = await phone.evaluate(
                "document.documentElement.scrollWidth > document.documentElement.clientWidth"
            )
            assert wide is False
            await phone.screenshot(
                path=str(ARTIFACTS / f"trail-page-{project}.png"), full_page=True
            )
            size = len(await phone.content())
            assert size < 50_000

            tampered = plaque["code"][:-3] + (
                "AAA" if not plaque["code"].endswith("AAA") else "BBB"
            )
            forged = await phone.goto(plaque["url"].replace(plaque["code"], tampered))
            assert forged is not None and forged.status == 404
            assert "此标牌无效" in await phone.inner_text("body")
            await phone.screenshot(path=str(ARTIFACTS / f"forged-page-{project}.png"))
        finally:
            await browser.close()
    alerts = (await site.get(f"/v1/projects/{project}/alerts")).json()["alerts"]
    assert any(a["kind"] == "forged_plaque" for a in alerts)


async def test_a_revoked_plaque_says_so_and_links_the_reissued_one(
    site: Site, client: httpx.AsyncClient
) -> None:
    project, _ = await _completed(site)
    await site.sealed(
        plaque_event(
            project, "installed", {"serial": 1, "place": "东侧入口", "installed_on": "2026-03-10"}
        )
    )
    await site.sealed(
        plaque_event(
            project,
            "revoked",
            {"serial": 1, "reason": "项目经理姓名更正", "reissue": True},
            at=T0 + dt.timedelta(days=80),
        )
    )
    state = (await site.get(f"/v1/projects/{project}")).json()
    first, second = state["plaques"]["1"], state["plaques"]["2"]
    assert (
        first["status"] == "revoked" and first["replaced_by"] == 2 and second["status"] == "valid"
    )
    page = await client.get(first["url"])
    assert page.status_code == 200 and "此标牌已撤销" in page.text and second["url"] in page.text
    info = (await client.get(f"/v1/plaques/{first['code']}")).json()
    assert info["status"] == "revoked" and info["current"] == second["url"]
    assert (await client.get(second["url"])).status_code == 200
    again = await site.post(
        plaque_event(
            project, "installed", {"serial": 1, "place": "x", "installed_on": "2026-03-11"}
        ),
        wait=15,
    )
    assert again.json()["reason"]["code"] == "plaque.unknown"


@pytest.mark.parametrize("code", ["not-a-code", "a.b", "eyJrIjoieCJ9.AAAA"])
async def test_unknown_codes_are_not_valid(client: httpx.AsyncClient, code: str) -> None:
    page = await client.get(f"/p/{code}")
    assert page.status_code == 404 and "This plaque is not valid" in page.text
    assert (await client.get(f"/v1/plaques/{code}")).status_code == 404


HANDOVER = T0 + dt.timedelta(days=20)
SUCCESSOR = ("陈志强", id_number(31))


async def _two_buildings(site: Site) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """B1 accepted on day 60 and B2 on day 100, the construction lead handing over on day 20."""
    project = f"PLQ2-{uuid.uuid4().hex[:6]}"
    for e in [
        *staffed(project),
        lab_commissioned(project),
        witness_authorized(project),
        lead_change(project, "construction", *SUCCESSOR, at=HANDOVER),
        commitment(project, "construction", SUCCESSOR[1], at=HANDOVER + dt.timedelta(hours=2)),
        *accepted_unit(project, "B1", start=T0 + dt.timedelta(days=25)),
        completion(project, unit="B1"),
        *accepted_unit(
            project,
            "B2",
            start=T0 + dt.timedelta(days=61),
            accepted_at=T0 + dt.timedelta(days=100),
        ),
        completion(project, unit="B2", at=T0 + dt.timedelta(days=100)),
    ]:
        await site.sealed(e)
    plaques = (await site.get(f"/v1/projects/{project}")).json()["plaques"]
    return project, plaques["1"], plaques["2"]


async def test_each_building_has_its_plaque_and_its_page_takes_a_defect_report(
    site: Site, client: httpx.AsyncClient
) -> None:
    project, first, second = await _two_buildings(site)
    assert (first["unit_id"], second["unit_id"]) == ("B1", "B2")
    assert first["url"] != second["url"]
    ARTIFACTS.mkdir(exist_ok=True)
    for plaque in (first, second):  # each QR decodes to its own building's page
        png = ARTIFACTS / f"plaque-{project}-{plaque['unit_id']}.png"
        png.write_bytes(await _file(client, plaque["code"], "png"))
        assert _decoded(str(png)) == [plaque["url"]]

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            phone = await browser.new_page(
                viewport={"width": 390, "height": 844}, device_scale_factor=2
            )
            answer = await phone.goto(second["url"])
            assert answer is not None and answer.status == 200
            text = await phone.inner_text("body")
            assert "B2号楼" in text and "B1号楼" not in text
            leads = await phone.inner_text("ul.leads >> nth=3")  # construction
            assert f"{LEADS['construction']['name']} 2026-01-02 – 2026-01-21" in leads
            assert f"{SUCCESSOR[0]} 2026-01-21 – 至竣工" in leads
            warranty = await phone.inner_text("table.warranty")
            assert "保修期至" in warranty and "2076-04-10" in warranty  # 50 years from B2's day
            assert "屋面防水工程" in warranty
            assert SUCCESSOR[1] not in text
            wide = await phone.evaluate(
                "document.documentElement.scrollWidth > document.documentElement.clientWidth"
            )
            assert wide is False
            await phone.screenshot(
                path=str(ARTIFACTS / f"building-page-{project}.png"), full_page=True
            )

            await phone.select_option("select[name=part]", "waterproofing")
            await phone.fill("input[name=dwelling]", "1-0201")
            await phone.fill("textarea[name=description]", "卫生间顶棚渗水，雨后更明显")
            await phone.fill("input[name=contact]", "微信 lee-0201")
            await asyncio.sleep(2.5)  # the form takes no report sent faster than a person could
            async with phone.expect_navigation():
                await phone.click("button[type=submit]")
            receipt = (await phone.inner_text("strong.receipt")).strip()
            assert receipt.startswith("PR-") and len(receipt) == 15
            assert "报修已收到" in await phone.inner_text("body")
            await phone.screenshot(path=str(ARTIFACTS / f"defect-receipt-{project}.png"))
        finally:
            await browser.close()
    listed = (await site.get(f"/v1/projects/{project}/public-reports", as_="owner")).json()
    (report,) = listed["reports"]
    assert (report["receipt"], report["unit_id"], report["plaque_serial"]) == (receipt, "B2", 2)
    assert report["contact"] == "微信 lee-0201" and report["dwelling"] == "1-0201"
