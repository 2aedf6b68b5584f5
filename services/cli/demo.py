"""``qtrail demo``: a realistic sample project, posted through the public HTTP API.

Event ids are derived from the project and the step, so running the demo again changes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx

from services.domain.identifiers import credit_code_check

DEMO_PROJECT = "XZ-DEMO-2026-0001"


def org_code(serial: int) -> str:
    """A valid-looking unified social credit code for made-up Xuzhou organizations."""
    first17 = f"9132030{serial:010d}"
    return first17 + credit_code_check(first17)


OWNER = org_code(1)


def envelope(
    step: int,
    event_type: str,
    data: dict[str, Any],
    occurred_at: dt.datetime,
    *,
    org: str = OWNER,
    person: str = "王建国",
    role: str = "owner",
) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": f"demo-{DEMO_PROJECT}-{step:04d}",
        "source": "qtrail-demo",
        "type": event_type,
        "subject": DEMO_PROJECT,
        "time": occurred_at.isoformat(),
        "actororg": org,
        "actorperson": person,
        "actorrole": role,
        "data": data,
    }


def demo_events(now: dt.datetime) -> list[dict[str, Any]]:
    start = now - dt.timedelta(days=400)
    events = [
        envelope(
            1,
            "qtrail.project.registered.v1",
            {
                "name": "徐州市鼓楼区云龙湖畔花园 3# 住宅楼",
                "address": "江苏省徐州市鼓楼区云龙湖路 88 号",
                "permit_number": "320302202501150101",
                "use": "住宅 residential",
                "structure_type": "框架-剪力墙 frame-shear wall",
                "design_life_years": 50,
                "planned_start": (start + dt.timedelta(days=30)).date().isoformat(),
                "planned_finish": (start + dt.timedelta(days=700)).date().isoformat(),
                "floor_area_m2": 18650.4,
            },
            start,
        )
    ]
    parts = ["基础筏板", "地下室墙柱", "1层梁板", "2层梁板", "3层梁板"]
    for n, part in enumerate(parts, start=2):
        events.append(
            envelope(
                n,
                "qtrail.quality.inspection_lot_accepted.v1",
                {
                    "lot_code": f"JYP-{n:03d}",
                    "building_part": part,
                    "items": ["钢筋安装", "模板安装", "混凝土浇筑"],
                },
                start + dt.timedelta(days=30 * n),
            )
        )
    return events


async def run_demo(base_url: str) -> int:
    now = dt.datetime.now(dt.UTC)
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        for event in demo_events(now):
            answer = await client.post(
                "/v1/events",
                params={"wait": 10},
                json=event,
                headers={"content-type": "application/cloudevents+json"},
            )
            body = answer.json()
            if answer.status_code >= 400 or body.get("status") == "pending":
                print(f"demo: {event['type']} not sealed: {answer.status_code} {body}")
                return 1
            outcome = body["status"] if body["status"] != "sealed" else f"sealed #{body['seq']}"
            print(f"  {event['type']:<45} {outcome}")
        verify = (await client.get(f"/v1/projects/{DEMO_PROJECT}/verify")).json()
    print(f"demo project {DEMO_PROJECT}: {verify['length']} events, chain ok={verify['ok']}")
    print(f"  trail:  {base_url}/v1/projects/{DEMO_PROJECT}/trail")
    print(f"  verify: {base_url}/v1/projects/{DEMO_PROJECT}/verify")
    return 0 if verify["ok"] else 1
