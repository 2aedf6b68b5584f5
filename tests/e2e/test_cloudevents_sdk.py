"""The reference CloudEvents SDK, as an independent client, posts in all three HTTP modes."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import httpx
from cloudevents.core.bindings import http as ce_http
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent

from tests.support.client import Site
from tests.support.events import appointment, registration
from tests.support.keys import auth


def sdk_event(envelope: dict[str, Any]) -> CloudEvent:
    attributes = {k: v for k, v in envelope.items() if k != "data"}
    attributes["time"] = dt.datetime.fromisoformat(envelope["time"])
    attributes["datacontenttype"] = "application/json"
    return CloudEvent(attributes=attributes, data=envelope["data"])


async def _post(
    client: httpx.AsyncClient, message: Any, token: str, path: str = "/v1/events"
) -> httpx.Response:
    return await client.post(
        path, params={"wait": 15}, content=message.body, headers=dict(message.headers) | auth(token)
    )


async def test_structured_mode(site: Site) -> None:
    project = f"SDK-S-{uuid.uuid4().hex[:6]}"
    message = ce_http.to_structured_event(sdk_event(registration(project)))
    answer = await _post(site.client, message, site.tokens["owner"])
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "sealed" and answer.json()["seq"] == 1


async def test_binary_mode_keeps_chinese_attributes(site: Site) -> None:
    project = f"SDK-B-{uuid.uuid4().hex[:6]}"
    await site.sealed(registration(project))
    envelope = appointment(project, "design")
    envelope["actorperson"] = "王建国"
    message = ce_http.to_binary_event(sdk_event(envelope))
    assert any(k.lower().startswith("ce-") for k in message.headers)
    answer = await _post(site.client, message, site.tokens["owner"])
    assert answer.json()["status"] == "sealed", answer.text
    trail = (await site.get(f"/v1/projects/{project}/trail")).json()
    assert trail["records"][1]["record"]["actor"]["person"] == "王建国"
    assert trail["records"][1]["record"]["data"]["lead"]["name"] == envelope["data"]["lead"]["name"]


async def test_batch_mode_answers_per_event_in_order(site: Site) -> None:
    project = f"SDK-M-{uuid.uuid4().hex[:6]}"
    # one key for the whole batch: the owner's (appointing needs no acceptance of the filing)
    good = [registration(project), appointment(project, "survey")]
    invalid = appointment(project, "design")
    invalid["data"]["role"] = "painter"
    refused = appointment(project, "survey")  # survey is appointed already by then
    fmt = JSONFormat()
    body = b"[" + b",".join(fmt.write(sdk_event(e)) for e in [*good, invalid, refused]) + b"]"
    answer = await site.client.post(
        "/v1/events/batch",
        params={"wait": 15},
        content=body,
        headers={"content-type": "application/cloudevents-batch+json"} | auth(site.tokens["owner"]),
    )
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert [r.get("status") for r in results[:2]] == ["sealed", "sealed"]
    assert [r["seq"] for r in results[:2]] == [1, 2]
    assert results[2]["status"] == 422
    assert any(e["field"] == "[2].data.role" for e in results[2]["errors"])
    assert results[3]["status"] == "rejected"
    assert results[3]["reason"]["code"] == "party.already_appointed"
    assert json.loads(fmt.write(sdk_event(good[0])))["id"] == results[0]["id"]
