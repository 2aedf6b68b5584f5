"""The public defect form behind a plaque, against the real gateway and PostgreSQL: a report gets
a receipt and stays off the chain, each wrong field is named, a client is rate-limited, and only
the owner party's key lists the reports with the contacts."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import uuid
from typing import Any

import asyncpg
import httpx
import pytest

from services.http.defect_form import TOKEN_MIN_AGE
from tests.support.aftercare import defect_reported
from tests.support.client import Site
from tests.support.events import (
    accepted_unit,
    completion,
    lab_commissioned,
    staffed,
    witness_authorized,
)

TOKEN = re.compile(r'name="token" value="([^"]+)"')
RECEIPT = re.compile(r'class="receipt">(PR-[A-Z0-9]{12})<')


async def completed(site: Site) -> tuple[str, dict[str, Any]]:
    project = f"PUB-{uuid.uuid4().hex[:6]}"
    for e in [
        *staffed(project),
        lab_commissioned(project),
        witness_authorized(project),
        *accepted_unit(project),
    ]:
        await site.sealed(e)
    await site.sealed(completion(project))
    state = (await site.get(f"/v1/projects/{project}")).json()
    return project, state["plaques"]["1"]


async def form_token(client: httpx.AsyncClient, plaque: dict[str, Any]) -> str:
    page = await client.get(plaque["url"])
    assert page.status_code == 200
    found = TOKEN.search(page.text)
    assert found is not None
    await asyncio.sleep(TOKEN_MIN_AGE.total_seconds() + 0.2)  # a person takes longer than that
    return found[1].replace("&#34;", '"')


async def post(client: httpx.AsyncClient, plaque: dict[str, Any], **fields: str) -> httpx.Response:
    return await client.post(f"{plaque['url']}/defects", data=fields)


async def test_a_report_gets_a_receipt_off_the_chain_and_only_the_owner_sees_the_contact(
    site: Site, client: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    project, plaque = await completed(site)
    sealed = (await site.get(f"/v1/projects/{project}")).json()["seq"]
    token = await form_token(client, plaque)
    sent = await post(
        client,
        plaque,
        token=token,
        part="waterproofing",
        dwelling="1-0101",
        description="卫生间地面渗漏到楼下 <script>alert(1)</script>",
        contact="138 0000 0000",
    )
    assert sent.status_code == 201, sent.text
    assert sent.headers["cache-control"] == "no-store"
    receipt = RECEIPT.search(sent.text)
    assert receipt is not None and "<script>" not in sent.text
    state = (await site.get(f"/v1/projects/{project}")).json()
    assert state["seq"] == sealed and "138 0000 0000" not in str(state)  # nothing on the chain

    listed = await site.get(f"/v1/projects/{project}/public-reports", as_="owner")
    assert listed.status_code == 200, listed.text
    (report,) = listed.json()["reports"]
    assert report["receipt"] == receipt[1] and report["contact"] == "138 0000 0000"
    assert (report["part"], report["dwelling"], report["unit_id"]) == (
        "waterproofing",
        "1-0101",
        "B1",
    )
    assert report["plaque_serial"] == 1 and report["filed_as"] is None
    assert (
        await site.get(f"/v1/projects/{project}/public-reports", as_="owner", status="filed")
    ).json()["reports"] == []
    for other in ("construction", "supervision", "stranger", "regulator", "lab"):
        refused = await site.get(f"/v1/projects/{project}/public-reports", as_=other)
        assert refused.status_code == 403, (other, refused.text)
        assert "138 0000 0000" not in refused.text
    anonymous = await client.get(f"/v1/projects/{project}/public-reports")
    assert anonymous.status_code == 401
    page = await client.get(plaque["url"])
    assert "138 0000 0000" not in page.text and "1-0101" not in page.text

    # The read-only role reads the reports, never the contact column.
    assert await db.fetchval("SELECT receipt FROM public_reports WHERE project_id = $1", project)
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
        await db.fetchval("SELECT contact FROM public_reports WHERE project_id = $1", project)


async def test_each_wrong_field_is_refused_with_its_name(
    site: Site, client: httpx.AsyncClient
) -> None:
    _, plaque = await completed(site)
    token = await form_token(client, plaque)
    empty = await post(client, plaque, token=token, part="waterproofing", description="  ")
    assert empty.status_code == 422 and "<code>description</code>" in empty.text
    assert "describe the defect" in empty.text
    long = await post(
        client, plaque, token=token, part="roof", description="渗漏", contact="x" * 101
    )
    assert long.status_code == 422
    assert "<code>part</code>" in long.text and "<code>contact</code>" in long.text
    tokenless = await post(client, plaque, part="waterproofing", description="渗漏")
    assert tokenless.status_code == 400 and "<code>token</code>" in tokenless.text
    huge = await post(client, plaque, token=token, part="waterproofing", description="x" * 9000)
    assert huge.status_code == 413


async def test_a_client_is_rate_limited_per_project(site: Site, client: httpx.AsyncClient) -> None:
    _, plaque = await completed(site)
    token = await form_token(client, plaque)
    answers = [
        await post(client, plaque, token=token, part="decoration", description=f"墙皮脱落 {n}")
        for n in range(6)
    ]
    assert [a.status_code for a in answers] == [201] * 5 + [429]
    assert int(answers[-1].headers["retry-after"]) > 0
    assert "too many reports" in answers[-1].text


async def test_a_forged_plaque_code_takes_no_report(client: httpx.AsyncClient) -> None:
    answer = await client.post("/p/not-a-code/defects", data={"description": "x"})
    assert answer.status_code == 404 and "This plaque is not valid" in answer.text


async def test_a_public_report_the_owner_files_is_sealed_shows_as_filed_and_on_the_page(
    site: Site, client: httpx.AsyncClient
) -> None:
    project, plaque = await completed(site)
    token = await form_token(client, plaque)
    sent = await post(
        client, plaque, token=token, part="waterproofing", description="外墙雨后渗水", contact=""
    )
    assert sent.status_code == 201, sent.text
    receipt = RECEIPT.search(sent.text)
    assert receipt is not None
    filed = defect_reported(
        project,
        "D-PUB-1",
        reported_on=dt.date(2026, 3, 10),
        dwelling=None,
        source="public",
        public_report=receipt[1],
    )
    await site.sealed(filed)
    # Filing the same public report twice is refused: one defect per report.
    again = await site.post(
        defect_reported(
            project,
            "D-PUB-2",
            reported_on=dt.date(2026, 3, 11),
            dwelling=None,
            source="public",
            public_report=receipt[1],
        ),
        wait=15,
    )
    assert again.json()["status"] == "rejected", again.text

    listed = await site.get(f"/v1/projects/{project}/public-reports", as_="owner", status="filed")
    (report,) = listed.json()["reports"]
    assert report["receipt"] == receipt[1] and report["filed_as"] == "D-PUB-1"
    pending = await site.get(
        f"/v1/projects/{project}/public-reports", as_="owner", status="pending"
    )
    assert pending.json()["reports"] == []
    page = await client.get(plaque["url"])
    assert page.status_code == 200 and "2026-03-10" in page.text  # the open defect, by its date
