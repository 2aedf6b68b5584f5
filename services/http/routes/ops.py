"""``GET /healthz`` (PostgreSQL and Kafka really answer) and ``GET /metrics`` (Prometheus)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from services.http.deps import Broker, Database

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="Liveness and dependencies")
async def healthz(database: Database, broker: Broker) -> JSONResponse:
    pg, kafka = await asyncio.gather(database.answers(timeout_s=3), broker.healthy())
    ok = pg and kafka
    return JSONResponse(
        {"status": "ok" if ok else "degraded", "checks": {"postgres": pg, "kafka": kafka}},
        status_code=200 if ok else 503,
    )


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
