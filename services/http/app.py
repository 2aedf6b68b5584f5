"""The ASGI app: ``uvicorn --factory services.http.app:create_app`` or ``python -m services.http``.

The one composition root of the HTTP process: the lifespan builds the adapters and the use cases
once, keeps them for the routes (``deps.provide``) and closes them at shutdown.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from services.adapters.evidence import FolderEvidenceStore
from services.adapters.kafka.producer import EventProducer
from services.adapters.plaques.store import PlaqueFiles
from services.adapters.postgres.checkpoints import CheckpointStore
from services.adapters.postgres.cosignatures import CosignatureStore
from services.adapters.postgres.evidence_log import EvidenceLog
from services.adapters.postgres.health import DatabaseHealth
from services.adapters.postgres.keys import KeyStore
from services.adapters.postgres.outcome_listener import OutcomeListener
from services.adapters.postgres.pool import create_pool
from services.adapters.postgres.project_index import ProjectIndex
from services.adapters.postgres.public_reports import PublicReports
from services.adapters.postgres.rejections import ProjectRejections
from services.adapters.postgres.risk import RiskIndex
from services.adapters.postgres.scans import PlaqueScans
from services.adapters.postgres.stations import StationStore
from services.adapters.postgres.submissions import SubmissionLog
from services.adapters.postgres.trail_reader import PostgresTrailReader
from services.adapters.postgres.web_sessions import WebSessions
from services.adapters.signing import Signer, witness_verifiers
from services.application.export import export_bundle
from services.application.ingest import Ingest
from services.application.ports import FileStore
from services.application.published_log import TileServer
from services.http import deps
from services.http.limits import BodyLimit, body_limit
from services.http.problems import add_handlers, document_problems
from services.http.rate_limit import RateLimit
from services.http.routes import (
    checkpoints,
    events,
    evidence,
    log,
    ops,
    oversight,
    plaques,
    projects,
    regulator,
    reports,
    station_acts,
    station_views,
)
from services.settings import Settings, get_settings


def report_limit() -> RateLimit:
    """The public defect form: five posts an hour from one client about one project, twenty in
    all. Enough for a household correcting a typo; a script gets little from an address."""
    return RateLimit(per_key=5, per_client=20, window=3600.0)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        signer = Signer.from_settings(settings)  # first: a missing key must not leak connections
        witnesses = witness_verifiers(settings)
        async with AsyncExitStack() as opened:
            pool = await create_pool(settings, "api")
            opened.push_async_callback(pool.close)
            producer = EventProducer(settings, "gateway")
            opened.push_async_callback(producer.stop)
            await producer.start()
            store = PostgresTrailReader(pool)
            listener = OutcomeListener(settings.dsn("api"), store, settings.wait_max_waiters)
            await listener.start()
            opened.push_async_callback(listener.stop)
            receipts = await create_pool(
                settings, "api", max_size=4, server_settings={"synchronous_commit": "off"}
            )
            opened.push_async_callback(receipts.close)
            submissions = SubmissionLog(pool, receipts)

            checkpoints = CheckpointStore(pool)
            cosignatures = CosignatureStore(pool)

            async def bundle(
                evidence_store: FileStore | None, project_id: str, since: int | None
            ) -> dict[str, Any]:
                return await export_bundle(
                    store, checkpoints, evidence_store, project_id, since, None, cosignatures
                )

            deps.provide(
                app.state,
                settings=settings,
                ingest=Ingest(
                    topic=settings.topic_submitted,
                    wait_max_s=settings.wait_max_s,
                    publisher=producer,
                    statuses=store,
                    submissions=submissions,
                    waiter=listener,
                ),
                trail=store,
                refusals=submissions,
                keys=KeyStore(pool),
                evidence_log=EvidenceLog(pool),
                evidence_files=FolderEvidenceStore(Path(settings.evidence_root())),
                signer=signer,
                plaque_files=PlaqueFiles(Path(settings.plaque_root())),
                checkpoints=checkpoints,
                scans=PlaqueScans(pool),
                sessions=WebSessions(pool),
                rejections=ProjectRejections(pool),
                database=DatabaseHealth(pool),
                broker=producer,
                export_bundle=bundle,
                cosignatures=cosignatures,
                tiles=TileServer(checkpoints),
                witnesses=witnesses,
                public_reports=PublicReports(pool),
                report_limit=report_limit(),
                project_index=ProjectIndex(pool),
                stations=StationStore(pool),
                risks=RiskIndex(pool),
            )
            yield

    app = FastAPI(
        title="qtrail",
        version="1",
        summary="Lifelong construction-quality responsibility trails",
        lifespan=lifespan,
    )
    add_handlers(app)
    app.add_middleware(BodyLimit, limit=body_limit(settings.evidence_max_bytes))
    app.include_router(events.router)
    app.include_router(evidence.router)
    app.include_router(projects.router)
    app.include_router(reports.router)
    app.include_router(plaques.router)
    app.include_router(checkpoints.router)
    app.include_router(log.router)
    app.include_router(regulator.router)
    app.include_router(oversight.router)
    app.include_router(station_acts.router)
    app.include_router(station_views.router)
    app.include_router(ops.router)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_problems(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    summary=app.summary,
                    routes=app.routes,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
