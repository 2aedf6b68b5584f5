"""An HTTP client for tests that signs each request with the acting organization's key."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.support.events import STRUCTURED, opened
from tests.support.keys import auth, author_token


class Site:
    """What a site app (or a regulator's browser) does: post events, read projects."""

    def __init__(self, client: httpx.AsyncClient, tokens: dict[str, str]) -> None:
        self.client = client
        self.tokens = tokens

    async def post(self, event: dict[str, Any], wait: float = 0) -> httpx.Response:
        return await self.client.post(
            "/v1/events",
            params={"wait": wait},
            json=event,
            headers=STRUCTURED | auth(author_token(self.tokens, event)),
        )

    async def post_batch(self, events: list[dict[str, Any]], wait: float = 0) -> httpx.Response:
        """A batch posted with the key of its first event's author."""
        return await self.client.post(
            "/v1/events/batch",
            params={"wait": wait},
            content=json.dumps(events, ensure_ascii=False).encode(),
            headers={"content-type": "application/cloudevents-batch+json"}
            | auth(author_token(self.tokens, events[0])),
        )

    async def sealed(self, event: dict[str, Any]) -> dict[str, Any]:
        answer = await self.post(event, wait=15)
        body: dict[str, Any] = answer.json()
        assert body.get("status") == "sealed", f"{event['type']}: {answer.status_code} {body}"
        return body

    async def opened(self, project: str, **kw: Any) -> list[dict[str, Any]]:
        """Register ``project`` and have the station accept its filing: open for facts. The
        answers, each sealed.

        Posted back to back, so the recorder decides both in one batch as a rule: the test
        registrations are dated years before the recorder's clock, and a deadline sweep run
        between the two would find the station's answer overdue and lapse the registration."""
        registration, filing = opened(project, **kw)
        posted = await self.post(registration)
        assert posted.status_code == 202, posted.text
        accepted = await self.sealed(filing)  # decided after the registration, in order
        status = await self.get(f"/v1/events/{registration['id']}", as_="owner")
        registered: dict[str, Any] = status.json()
        assert registered.get("status") == "sealed", registered
        return [registered, accepted]

    async def get(self, path: str, as_: str = "regulator", **params: Any) -> httpx.Response:
        return await self.client.get(path, params=params or None, headers=auth(self.tokens[as_]))
