"""A station's risk page and an organization's profile, through the real API, recorder and
PostgreSQL: each station sees its own jurisdiction's projects and nothing of another's."""

from __future__ import annotations

import asyncio
import csv
import io
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.adapters.postgres.keys import KeyStore
from services.adapters.postgres.stations import Station, StationStore
from services.adapters.signing import Signer
from services.domain.access import KeyKind
from services.domain.codes import PLAQUE, Claims, sign
from tests.support.client import Site
from tests.support.events import (
    CONSTRUCTION,
    STRUCTURED,
    alert_resolved,
    filing_accepted,
    lab_commissioned,
    org_code,
    received,
    registration,
    reported,
    sample,
    staffed,
    witness_authorized,
)
from tests.support.keys import auth
from tests.support.processes import Api
from tests.support.stack import Environment

XUZHOU = Station(org_code(170), "徐州市建设工程质量监督站", ("320300",))
NANJING = Station(org_code(171), "南京市建设工程质量监督站", ("320100",))
LIGHT_REBAR = {
    "yield_mpa": 455,
    "tensile_mpa": 610,
    "agt_pct": 11.0,
    "mass_kg_per_m": 2.30,  # Ø20 nominal 2.47 kg/m: the lab said pass, qtrail says fail
    "bend_ok": True,
    "reverse_bend_ok": True,
}


@dataclass(frozen=True)
class City:
    """Two stations, each with a project in its own jurisdiction that a lab got wrong."""

    tokens: dict[str, str]
    """Regulator keys by station code."""
    projects: dict[str, str]
    """Project ids by station code."""


async def _regulator_keys(environment: Environment) -> dict[str, str]:
    pool = await asyncpg.create_pool(environment.settings.dsn("migrator"), min_size=1, max_size=2)
    assert pool is not None
    try:
        tokens = {}
        for station in (XUZHOU, NANJING):
            await StationStore(pool).put(station)
            tokens[station.code] = (
                await KeyStore(pool).create(station.code, KeyKind.REGULATOR, station.name)
            )[1]
        return tokens
    finally:
        await pool.close()


async def _sealed(site: Site, event: dict[str, Any], token: str | None = None) -> None:
    if token is None:
        await site.sealed(event)
        return
    answer = await site.client.post(
        "/v1/events", params={"wait": 15}, json=event, headers=STRUCTURED | auth(token)
    )
    assert answer.json().get("status") == "sealed", answer.text


async def _project(site: Site, station: Station, division: str, token: str) -> str:
    """A staffed project on ``station``'s filing, whose lab passed light rebar."""
    project = f"SV-{uuid.uuid4().hex[:6]}"
    _, _, *rest = staffed(project)  # staffed's own registration names the default station
    await _sealed(site, registration(project, station=station.code, division=division))
    await _sealed(site, filing_accepted(project, station=station.code), token)
    for event in [*rest, lab_commissioned(project), witness_authorized(project)]:
        await _sealed(site, event)
    await _sealed(site, sample(project, "RB-1", material="rebar", grade="HRB400E", diameter=20))
    await _sealed(site, received(project, "RB-1"))
    await _sealed(site, reported(project, f"{project}-R1", "RB-1", LIGHT_REBAR))
    return project


@pytest.fixture(scope="module")
def city(system: Api, environment: Environment, tokens: dict[str, str]) -> City:
    return asyncio.run(_city(system, environment, tokens))


async def _city(system: Api, environment: Environment, tokens: dict[str, str]) -> City:
    keys = await _regulator_keys(environment)
    async with httpx.AsyncClient(base_url=system.base_url, timeout=60) as client:
        site = Site(client, tokens)
        xuzhou = await _project(site, XUZHOU, "320311", keys[XUZHOU.code])
        nanjing = await _project(site, NANJING, "320102", keys[NANJING.code])
        # Nanjing's supervisor has dealt with its contradicted report: no longer open.
        await _sealed(site, alert_resolved(nanjing, f"lab_conclusion_contradicts:{nanjing}-R1"))
        # In Xuzhou's project only: a report number used again, and forged plaques scanned.
        await _sealed(site, sample(xuzhou, "RB-2", material="rebar", grade="HRB400E", diameter=20))
        await _sealed(site, received(xuzhou, "RB-2"))
        again = await site.post(reported(xuzhou, f"{xuzhou}-R1", "RB-2", LIGHT_REBAR), wait=15)
        assert again.json()["reason"]["code"] == "materials.report_number_reused"
        signer = Signer.from_settings(environment.settings)
        forger = Ed25519PrivateKey.generate()
        for serial in ("1", "2"):
            code = sign(Claims(signer.active, PLAQUE, xuzhou, serial), forger)
            assert (await client.get(f"/p/{code}")).status_code == 404
    return City(keys, {XUZHOU.code: xuzhou, NANJING.code: nanjing})


@pytest.fixture
async def browser(system: Api) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=system.base_url, timeout=60) as client:
        yield client


async def _signed_in(browser: httpx.AsyncClient, token: str) -> None:
    answer = await browser.post("/regulator/login", data={"key": token}, follow_redirects=False)
    assert answer.status_code == 303 and browser.cookies.get("qtrail_regulator")


async def test_each_station_sees_its_own_jurisdictions_risks_only(
    city: City, client: httpx.AsyncClient
) -> None:
    xuzhou, nanjing = city.projects[XUZHOU.code], city.projects[NANJING.code]
    for station, mine, theirs in ((XUZHOU, xuzhou, nanjing), (NANJING, nanjing, xuzhou)):
        answer = await client.get("/v1/risk", headers=auth(city.tokens[station.code]))
        assert answer.status_code == 200, answer.text
        risk = answer.json()
        # The contradiction stays the lab's, open or resolved.
        labs = risk["contradicting_labs"]
        assert [(lab["project_id"], len(lab["reports"])) for lab in labs] == [(mine, 1)]
        assert labs[0]["reports"][0]["lab_conclusion"] == "pass"
        assert labs[0]["reports"][0]["verdict"] == "fail"
        assert theirs not in answer.text
    xuzhou_risk = (await client.get("/v1/risk", headers=auth(city.tokens[XUZHOU.code]))).json()
    kinds = {row["kind"]: row for row in xuzhou_risk["alerts_by_kind"]}
    # Its alert was raised when the report was recorded (just now) and is still open.
    assert kinds["lab_conclusion_contradicts"]["counts"] == {"lt_7d": 1, "7_30d": 0, "gt_30d": 0}
    assert kinds["lab_conclusion_contradicts"]["zh"] == "检测结论与评定矛盾"
    assert xuzhou_risk["alert_totals"]["total"] == sum(r["total"] for r in kinds.values())
    assert [r["project_id"] for r in xuzhou_risk["reused_report_numbers"]] == [xuzhou]
    assert [(f["project_id"], f["scans"]) for f in xuzhou_risk["forged_scans"]] == [(xuzhou, 2)]
    nanjing_risk = (await client.get("/v1/risk", headers=auth(city.tokens[NANJING.code]))).json()
    assert nanjing_risk["reused_report_numbers"] == [] and nanjing_risk["forged_scans"] == []
    open_kinds = {r["kind"] for r in nanjing_risk["alerts_by_kind"]}
    assert "lab_conclusion_contradicts" not in open_kinds  # resolved on the chain
    assert "reused_report_number" not in open_kinds and "evaluation_failed" in open_kinds


async def test_the_risk_page_links_the_stations_projects_and_not_anothers(
    city: City, browser: httpx.AsyncClient
) -> None:
    xuzhou, nanjing = city.projects[XUZHOU.code], city.projects[NANJING.code]
    assert (await browser.get("/regulator/risk", follow_redirects=False)).status_code == 303
    await _signed_in(browser, city.tokens[XUZHOU.code])
    page = await browser.get("/regulator/risk")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert '<html lang="zh-CN">' in html
    assert f'href="/regulator/projects/{xuzhou}"' in html and nanjing not in html
    for heading in (
        "未处理预警",
        "伪造标牌扫描",
        "检测结论与评定矛盾的检测机构",
        "报告编号重复使用",
    ):
        assert heading in html
    assert 'aria-current="page"' in html and 'href="/regulator/projects"' in html


async def test_a_party_key_may_not_read_the_risk(city: City, site: Site) -> None:
    assert (await site.get("/v1/risk", as_="owner")).status_code == 403
    assert (await site.get("/v1/risk", as_="lab")).status_code == 403


async def test_an_organizations_profile_lists_the_stations_projects_with_its_csv(
    city: City, browser: httpx.AsyncClient
) -> None:
    xuzhou, nanjing = city.projects[XUZHOU.code], city.projects[NANJING.code]
    await _signed_in(browser, city.tokens[XUZHOU.code])
    page = await browser.get(f"/regulator/organizations/{CONSTRUCTION}")
    assert page.status_code == 200, page.text
    assert f'href="/regulator/projects/{xuzhou}"' in page.text and nanjing not in page.text
    assert f'href="/regulator/organizations/{CONSTRUCTION}.csv"' in page.text
    download = await browser.get(f"/regulator/organizations/{CONSTRUCTION}.csv")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    assert f'filename="{CONSTRUCTION}.csv"' in download.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["项目编号 project_id", "项目名称 project_name"]
    assert [row[0] for row in rows[1:]] == [xuzhou]
    failed = rows[0].index("不合格材料 failed_materials")
    assert rows[1][failed] == "1"
    stranger = await browser.get(f"/regulator/organizations/{org_code(179)}")
    assert stranger.status_code == 404 and "没有参建角色" in stranger.text
