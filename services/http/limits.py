"""Back-pressure at the door: a size limit on every request body, enforced before it is read.

A body announced larger than its route's limit is answered 413 at once; one sent without a length
(chunked) is counted as it arrives and refused the moment it passes the limit. So an anonymous
client cannot make the API read, buffer or store more than a route's limit.
"""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import Counter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from events import limits
from services.http.problems import Problem

REFUSED = Counter(
    "qtrail_http_body_too_large_total", "Requests refused for their body size", ["route"]
)

EVENT_BODY = 2 * limits.MAX_EVENT_BYTES
"""One event: its largest compact form, with room for pretty-printing."""
BATCH_BODY = 16 * 1024 * 1024
"""A batch (at most 1000 events); a larger sync is split by the site app."""
OTHER_BODY = 64 * 1024
"""Sign-in forms and everything else."""
DRAIN_MAX = 4 * 1024 * 1024
"""Bytes of a refused body read and thrown away before answering, so the client (still sending)
gets the 413 rather than a reset connection; a body announced larger is answered at once."""


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"the body exceeds {limit} bytes")
        self.limit = limit

    def problem(self) -> Problem:
        return Problem(
            413,
            "Body too large",
            f"this route takes at most {self.limit} bytes",
            kind="https://qtrail.dev/problems/body-too-large",
            errors=[{"field": "(body)", "reason": f"larger than {self.limit} bytes"}],
        )


def body_limit(evidence_max_bytes: int) -> Callable[[str, str], int]:
    """The limit of each route, by method and path."""

    def limit(method: str, path: str) -> int:
        if path == "/v1/events":
            return EVENT_BODY
        if path == "/v1/events/batch":
            return BATCH_BODY
        if method == "PUT" and path.startswith("/v1/evidence/"):
            return evidence_max_bytes
        if method == "POST" and path.startswith("/p/"):
            return PUBLIC_REPORT_BODY
        return OTHER_BODY

    return limit


class BodyLimit:
    """ASGI middleware: refuse bodies over the route's limit without reading them whole."""

    def __init__(self, app: ASGIApp, limit: Callable[[str, str], int]) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit(scope["method"], scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            if declared.isdigit() and int(declared) <= DRAIN_MAX:
                await _drain(receive)
            await self._refuse(scope, send, limit)
            return
        seen, exceeded, answered, ended = 0, False, False, False

        async def counted() -> Message:
            nonlocal seen, exceeded, ended
            message = await receive()
            ended = message["type"] != "http.request" or not message.get("more_body", False)
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    exceeded = True
                    raise BodyTooLarge(limit)
            return message

        async def guarded(message: Message) -> None:
            # Once the limit is passed, whatever the app makes of the error (a parser's 400, a
            # 500) is replaced by the 413 that says what happened.
            nonlocal answered
            if exceeded:
                if not answered:
                    answered = True
                    if not ended:
                        await _drain(receive)
                    await self._refuse(scope, send, limit)
                return
            answered = answered or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except BodyTooLarge:
            if not answered:
                answered = True
                if not ended:
                    await _drain(receive)
                await self._refuse(scope, send, limit)

    async def _refuse(self, scope: Scope, send: Send, limit: int) -> None:
        REFUSED.labels(_route(scope["path"])).inc()
        response = BodyTooLarge(limit).problem().response()
        response.headers["connection"] = "close"
        await response(scope, _no_body, send)


async def _drain(receive: Receive) -> None:
    """Read and discard what is left of the body, up to ``DRAIN_MAX`` bytes (nothing is kept).
    Only while the body is unfinished: past its end, receive() waits for the disconnect."""
    seen = 0
    while seen <= DRAIN_MAX:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return
        seen += len(message.get("body", b""))


async def _no_body() -> Message:
    return {"type": "http.disconnect"}


def _route(path: str) -> str:
    """A bounded label for metrics: the first two path segments."""
    return "/".join(path.split("/")[:3])[:40]


PUBLIC_REPORT_BODY = 8 * 1024
"""The public defect-report form: four short fields and a token (the fields' own limits are
checked after; this keeps an anonymous client from making the gateway read more)."""
