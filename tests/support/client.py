"""An HTTP client for tests that signs each request with the acting organization's key."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.support.events import STRUCTURED
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

    async def get(self, path: str, as_: str = "regulator", **params: Any) -> httpx.Response:
        return await self.client.get(path, params=params or None, headers=auth(self.tokens[as_]))
