"""What the API process holds open for its lifetime, built once at start-up."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import asyncpg
from fastapi import Depends, Request

from services.adapters.evidence import EvidenceStore, FolderEvidenceStore
from services.adapters.kafka.producer import EventProducer
from services.adapters.plaques.store import PlaqueFiles
from services.adapters.postgres.evidence_log import EvidenceLog
from services.adapters.postgres.health import DatabaseHealth
from services.adapters.postgres.keys import KeyStore
from services.adapters.postgres.outcome_listener import OutcomeListener
from services.adapters.postgres.pool import create_pool
from services.adapters.postgres.rejections import ProjectRejections
from services.adapters.postgres.submissions import SubmissionLog
from services.adapters.postgres.trail_store import TrailStore
from services.adapters.signing import Signer
from services.application.ingest import Ingest
from services.settings import Settings


@dataclass
class Resources:
    settings: Settings
    pool: asyncpg.Pool
    producer: EventProducer
    store: TrailStore
    submissions: SubmissionLog
    listener: OutcomeListener
    ingest: Ingest
    keys: KeyStore
    evidence_log: EvidenceLog
    evidence: EvidenceStore
    signer: Signer
    plaque_files: PlaqueFiles
    rejections: ProjectRejections
    database: DatabaseHealth

    @classmethod
    async def open(cls, settings: Settings) -> Resources:
        signer = Signer.from_settings(settings)  # first: a missing key must not leak connections
        pool = await create_pool(settings, "api")
        producer = EventProducer(settings, "gateway")
        try:
            await producer.start()
            store = TrailStore(pool)
            submissions = SubmissionLog(pool)
            listener = OutcomeListener(settings.dsn("api"), store, settings.wait_max_waiters)
            await listener.start()
        except BaseException:
            await producer.stop()
            await pool.close()
            raise
        ingest = Ingest(
            topic=settings.topic_submitted,
            wait_max_s=settings.wait_max_s,
            publisher=producer,
            statuses=store,
            submissions=submissions,
            waiter=listener,
        )
        evidence_root = Path(settings.evidence_dir or Path(settings.state_dir) / "evidence")
        return cls(
            settings,
            pool,
            producer,
            store,
            submissions,
            listener,
            ingest,
            KeyStore(pool),
            EvidenceLog(pool),
            FolderEvidenceStore(evidence_root),
            signer,
            PlaqueFiles(Path(settings.plaque_root())),
            ProjectRejections(pool),
            DatabaseHealth(pool),
        )

    async def close(self) -> None:
        await self.listener.stop()
        await self.producer.stop()
        await self.pool.close()


def _resources(request: Request) -> Resources:
    resources: Resources = request.app.state.resources
    return resources


Deps = Annotated[Resources, Depends(_resources)]
