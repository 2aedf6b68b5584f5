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
    completion,
    lab_commissioned,
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
