"""The ASGI app: ``uvicorn --factory services.http.app:create_app`` or ``python -m services.http``."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import structlog
from aiokafka.errors import KafkaError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from services.http.limits import BodyLimit, body_limit
from services.http.problems import Problem
from services.http.resources import Resources
from services.http.routes import (
    checkpoints,
    events,
    evidence,
    ops,
    plaques,
    projects,
    regulator,
    reports,
)
from services.settings import Settings, get_settings

log = structlog.get_logger()
RETRY_AFTER_S = 5


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


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.resources = await Resources.open(settings)
        try:
            yield
        finally:
            await app.state.resources.close()

    app = FastAPI(
        title="qtrail",
        version="1",
        summary="Lifelong construction-quality responsibility trails",
        lifespan=lifespan,
    )

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
        resources: Resources | None = getattr(request.app.state, "resources", None)
        # Stored only where a key was required: an anonymous form must not add rows.
        if (
            resources is not None
            and request.method == "POST"
            and request.url.path.startswith("/v1/")
        ):
            await resources.submissions.note_refused(
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

    app.add_middleware(BodyLimit, limit=body_limit(settings.evidence_max_bytes))
    app.include_router(events.router)
    app.include_router(evidence.router)
    app.include_router(projects.router)
    app.include_router(reports.router)
    app.include_router(plaques.router)
    app.include_router(checkpoints.router)
    app.include_router(regulator.router)
    app.include_router(ops.router)
    return app
