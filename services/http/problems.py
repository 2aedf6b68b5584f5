"""RFC 9457 problem details, the shape of every 4xx and 5xx answer, and the exception handlers
that turn every error (a ``Problem``, invalid parameters, a dependency away, a value the database
refuses) into one."""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg
import structlog
from aiokafka.errors import KafkaError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from services.http.deps import refusal_log

PROBLEM = "application/problem+json"
RETRY_AFTER_S = 5

log = structlog.get_logger()


class Problem(Exception):
    """An HTTP error with a problem+json body; ``errors`` names each bad field and why."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        *,
        kind: str = "about:blank",
        errors: list[dict[str, Any]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.kind = kind
        self.errors = errors or []
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": self.kind,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if self.errors:
            out["errors"] = self.errors
        return out | self.extra

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, media_type=PROBLEM)


def field_errors(exc: ValidationError, prefix: str = "") -> list[dict[str, Any]]:
    """Pydantic errors as ``{"field": "data.name", "reason": "..."}``, one per bad field."""
    out = []
    for err in exc.errors():
        path = ".".join(str(p) for p in err["loc"])
        field = f"{prefix}{path}" if path else prefix.rstrip(".") or "(body)"
        out.append({"field": field, "reason": err["msg"]})
    return out


async def _body(request: Request) -> bytes:
    """The raw body if still readable (form parsing may have consumed the stream)."""
    try:
        return await request.body()
    except RuntimeError:
        return b""


def _bad_value() -> JSONResponse:
    """A value PostgreSQL cannot take (a number beyond bigint, say): the client's error."""
    return Problem(
        400,
        "Value out of range",
        "a value in the request is outside what can be stored or looked up",
        errors=[{"field": "(request)", "reason": "out of range"}],
    ).response()


def add_handlers(app: FastAPI) -> None:
    """Answer every error as a problem."""

    @app.exception_handler(Problem)
    async def _problem(_request: Request, exc: Problem) -> JSONResponse:
        return exc.response()

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": ".".join(str(p) for p in e["loc"]), "reason": e["msg"]} for e in exc.errors()
        ]
        problem = Problem(
            422, "Invalid request", "the request's parameters are invalid", errors=errors
        )
        refusals = refusal_log(request)
        # Stored only where a key was required: an anonymous form must not add rows.
        if (
            refusals is not None
            and request.method == "POST"
            and request.url.path.startswith("/v1/")
        ):
            await refusals.note_refused(
                endpoint=request.url.path,
                status=422,
                errors=errors,
                body=await _body(request),
                event_id=None,
                at=dt.datetime.now(dt.UTC),
            )
        return problem.response()

    @app.exception_handler(OSError)  # refused connections and timeouts (TimeoutError is one)
    @app.exception_handler(asyncpg.PostgresConnectionError)
    @app.exception_handler(asyncpg.InterfaceError)
    @app.exception_handler(asyncpg.CannotConnectNowError)
    @app.exception_handler(asyncpg.AdminShutdownError)
    @app.exception_handler(asyncpg.InsufficientResourcesError)
    @app.exception_handler(KafkaError)
    async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
        """PostgreSQL or Kafka away, or the pool exhausted: the client should retry later."""
        if isinstance(exc, asyncpg.InterfaceError) and isinstance(exc, ValueError):
            return _bad_value()  # the driver refused a value of the request: the client's error
        log.warning("dependency unavailable", path=request.url.path, error=repr(exc))
        answer = Problem(
            503,
            "Service unavailable",
            "the trail's storage or broker is not reachable right now; nothing was taken in. "
            "Retry after the time given.",
            kind="https://qtrail.dev/problems/unavailable",
        ).response()
        answer.headers["retry-after"] = str(RETRY_AFTER_S)
        return answer

    @app.exception_handler(asyncpg.DataError)
    async def _out_of_range(_request: Request, _exc: Exception) -> JSONResponse:
        return _bad_value()

    @app.exception_handler(asyncpg.CharacterNotInRepertoireError)
    @app.exception_handler(asyncpg.UntranslatableCharacterError)
    async def _unstorable(_request: Request, _exc: Exception) -> JSONResponse:
        return Problem(
            400,
            "Unstorable text",
            "the request holds characters that cannot be stored (e.g. NUL)",
            errors=[
                {
                    "field": "(request)",
                    "reason": "contains a NUL or another character PostgreSQL refuses",
                }
            ],
        ).response()


PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details; errors name each bad field and why",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "reason"],
                "properties": {"field": {"type": "string"}, "reason": {"type": "string"}},
            },
        },
    },
}
_SECURED_ANSWERS = {
    "401": "no API key, or an unknown or revoked one",
    "403": "the key may not do this",
}


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI document with every error answer as ``application/problem+json`` (they are:
    see the handlers above), and 401/403 on every operation that takes a key."""
    schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    problem = {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            answers = operation.setdefault("responses", {})
            if operation.get("security"):
                for code, said in _SECURED_ANSWERS.items():
                    answers.setdefault(code, {"description": said})
            for code, answer in answers.items():
                if code[0] in "45":
                    answer["content"] = problem
    return schema
