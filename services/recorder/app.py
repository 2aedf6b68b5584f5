"""The recorder's faust app: one agent over the submitted topic, taking events in batches.

Run it with ``python -m services.recorder`` (or ``qtrail recorder``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import faust
import structlog

from services.adapters.kafka.producer import EventProducer
from services.adapters.plaques.store import PlaqueFiles
from services.adapters.postgres.checkpoints import CheckpointStore
from services.adapters.postgres.pool import create_pool, open_pool
from services.adapters.postgres.repairs_due import PostgresRepairsDue
from services.adapters.postgres.trail_writer import PostgresTrailWriter
from services.adapters.signing import Signer
from services.application.checkpoints import sign_checkpoint
from services.application.overdue import OverdueRepairs
from services.application.record_batch import BatchRecorder, Topics
from services.domain.plaques import Issuer
from services.recorder.plaques import PlaqueRenderer
from services.settings import Settings

log = structlog.get_logger()


def plaque_issuer(settings: Settings, signer: Signer) -> Issuer:
    """Signs plaque codes with the active key; the QR encodes ``<public base URL>/p/<code>``."""

    def issue(kind: str, project_id: str, number: str) -> tuple[str, str]:
        code = signer.sign(kind, project_id, number)
        return code, f"{settings.public_base_url}/{kind}/{code}"

    return issue


def broker_credentials(settings: Settings) -> faust.SASLCredentials:
    """faust's spelling of the recorder principal (the same one its own producer uses)."""
    client = settings.kafka_client("recorder")
    return faust.SASLCredentials(
        username=client["sasl_plain_username"],
        password=client["sasl_plain_password"],
        mechanism=client["sasl_mechanism"],
        ssl_context=client.get("ssl_context"),
    )


def create_app(settings: Settings) -> faust.App:
    signer = Signer.from_settings(settings)  # loaded once: plaques and checkpoints sign with it
    app = faust.App(
        settings.recorder_group,
        broker=f"kafka://{settings.kafka_bootstrap}",
        broker_credentials=broker_credentials(settings),
        # Topics, faust's leader topic included, are created by `qtrail topics` (as the admin);
        # the recorder principal may create none, and a declare races the metadata it skips on.
        topic_allow_declare=False,
        store="memory://",
        web_enabled=False,
        topic_partitions=settings.kafka_partitions,
        consumer_auto_offset_reset="earliest",
        broker_commit_every=settings.recorder_batch,
        producer_acks=-1,
        broker_session_timeout=settings.recorder_session_timeout_s,
        broker_heartbeat_interval=settings.recorder_session_timeout_s / 4,
    )
    submitted = app.topic(
        settings.topic_submitted,
        key_serializer="raw",
        value_serializer="raw",
        partitions=settings.kafka_partitions,
    )

    @app.agent(submitted, name="record")
    async def record(stream: faust.StreamT[bytes]) -> None:
        pool = await create_pool(settings, "recorder", max_size=4)
        producer = EventProducer(settings, "recorder")
        await producer.start()
        topics = Topics(settings.topic_trail, settings.topic_rejected, settings.topic_alerts)
        recorder = BatchRecorder(
            topics, PostgresTrailWriter(pool), producer, issuer=plaque_issuer(settings, signer)
        )
        log.info("recorder started", topic=settings.topic_submitted)
        try:
            async for batch in stream.take(
                settings.recorder_batch, within=settings.recorder_batch_within_s
            ):
                await recorder.record_batch(batch)
        finally:
            await producer.stop()
            await pool.close()

    @app.timer(settings.checkpoint_interval_s, on_leader=True)  # type: ignore[untyped-decorator]
    async def checkpoint() -> None:
        try:
            async with open_pool(settings, "recorder", max_size=1) as pool:
                attempt = await sign_checkpoint(
                    CheckpointStore(pool), signer, dt.datetime.now(dt.UTC)
                )
        except Exception as exc:  # the next tick tries again
            log.error("checkpoint failed", error=repr(exc))
            return
        if attempt.log_damaged is not None:
            log.critical("checkpoint log damaged: nothing signed", problem=attempt.log_damaged)
        for refusal in attempt.refused:
            log.critical(
                "checkpoint refused a rewritten chain",
                project=refusal.project_id,
                seq=refusal.seq,
                problem=refusal.problem,
            )
        if (made := attempt.made) is not None:
            log.info(
                "checkpoint signed",
                number=made.number,
                tree_size=made.tree_size,
                root=made.root.hex(),
            )

    @app.timer(settings.overdue_sweep_interval_s, on_leader=True)  # type: ignore[untyped-decorator]
    async def overdue_repairs() -> None:
        """Seal a repair_overdue fact (and so its alert) for each warranty repair past due."""
        topics = Topics(settings.topic_trail, settings.topic_rejected, settings.topic_alerts)
        try:
            async with open_pool(settings, "recorder", max_size=2) as pool:
                producer = EventProducer(settings, "recorder")
                await producer.start()
                try:
                    recorder = BatchRecorder(topics, PostgresTrailWriter(pool), producer)
                    swept = await OverdueRepairs(PostgresRepairsDue(pool), recorder).sweep()
                finally:
                    await producer.stop()
        except Exception as exc:  # the next tick tries again
            log.error("overdue sweep failed", error=repr(exc))
            return
        for record in swept.sealed:
            data = record.body["data"]
            if record.type.startswith("qtrail.warranty.repair_overdue."):
                log.warning(
                    "warranty repair overdue",
                    project=record.project_id,
                    defect=data["defect_id"],
                    due=data["repair_due"],
                )
            else:  # a supervision deadline missed (filing.py)
                log.warning(
                    "deadline missed",
                    project=record.project_id,
                    deadline=data["deadline_id"],
                    due=data["due_on"],
                )

    trail = app.topic(
        settings.topic_trail,
        key_serializer="raw",
        value_serializer="raw",
        partitions=settings.kafka_partitions,
    )

    @app.agent(trail, name="plaques")
    async def plaques(stream: faust.StreamT[bytes]) -> None:
        renderer = PlaqueRenderer(PlaqueFiles(Path(settings.plaque_root())))
        try:
            async for message in stream:
                try:
                    await renderer.handle(message)
                except Exception as exc:  # a plaque that fails to render must not stop the trail
                    log.error("plaque rendering failed", error=repr(exc))
        finally:
            renderer.close()

    return app
