"""Isolated qtrail environments on the real local stack: own database, topics and group.

Each environment gets a fresh database (created by the superuser, migrated by the migrator role,
used by each service's own role) and its own topic names (created by the Kafka admin principal),
so test runs never see each other's data or the `make up` demo.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
from aiokafka.admin import AIOKafkaAdminClient

from services.adapters.kafka.topics import ensure_topics, topic_names
from services.adapters.postgres.migrations import migrate
from services.settings import DEV_SECRET, Settings

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / ".artifacts"
STATE = Path(os.environ.get("QTRAIL_STATE_DIR") or ROOT / ".state")
"""deploy/stack.sh's state folder (where it notes, among other things, PostgreSQL's home)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def ensure_stack() -> None:
    """Start Kafka and PostgreSQL if they are not running (idempotent)."""
    result = subprocess.run(
        [str(ROOT / "deploy" / "stack.sh"), "up"], capture_output=True, text=True, timeout=600
    )
    if result.returncode != 0:
        raise RuntimeError(f"deploy/stack.sh up failed:\n{result.stdout}\n{result.stderr}")


def admin_dsn(database: str = "postgres") -> str:
    password = os.environ.get("QTRAIL_DB_ADMIN_PASSWORD", DEV_SECRET)
    port = os.environ.get("QTRAIL_PG_PORT", "55432")
    return f"postgresql://postgres:{password}@127.0.0.1:{port}/{database}"


@dataclass
class Environment:
    """Settings of one isolated environment, and the matching process environment variables."""

    suffix: str
    settings: Settings
    env: dict[str, str] = field(default_factory=dict)

    @property
    def database(self) -> str:
        return self.settings.db_name


def new_environment(partitions: int = 6, **overrides: str) -> Environment:
    suffix = uuid.uuid4().hex[:10]
    port = free_port()
    env = {
        "QTRAIL_HTTP_PORT": str(port),
        "QTRAIL_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "QTRAIL_DB_NAME": f"qtrail_t_{suffix}",
        "QTRAIL_TOPIC_SUBMITTED": f"qtrail.submitted.v1.t{suffix}",
        "QTRAIL_TOPIC_TRAIL": f"qtrail.trail.v1.t{suffix}",
        "QTRAIL_TOPIC_REJECTED": f"qtrail.rejected.v1.t{suffix}",
        "QTRAIL_TOPIC_ALERTS": f"qtrail.alerts.v1.t{suffix}",
        "QTRAIL_RECORDER_GROUP": f"qtrail-recorder-t{suffix}",
        "QTRAIL_KAFKA_PARTITIONS": str(partitions),
        "QTRAIL_RECORDER_METRICS_PORT": "0",
        "QTRAIL_EVIDENCE_DIR": str(ROOT / ".state" / "test-evidence" / suffix),
        "QTRAIL_EVIDENCE_MAX_BYTES": str(1024 * 1024),
        **overrides,
    }
    settings = Settings(**{k.removeprefix("QTRAIL_").lower(): v for k, v in env.items()})
    return Environment(suffix, settings, env)


async def provision(environment: Environment) -> None:
    conn = await asyncpg.connect(admin_dsn())
    try:
        await conn.execute(f'CREATE DATABASE "{environment.database}" OWNER qtrail_owner')
    finally:
        await conn.close()
    await migrate(environment.settings.dsn("migrator"))
    await ensure_topics(environment.settings)


async def dispose(environment: Environment) -> None:
    conn = await asyncpg.connect(admin_dsn())
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{environment.database}" WITH (FORCE)')
    finally:
        await conn.close()
    shutil.rmtree(environment.env["QTRAIL_EVIDENCE_DIR"], ignore_errors=True)
    admin = AIOKafkaAdminClient(**environment.settings.kafka_client("admin"))
    await admin.start()
    try:
        await admin.delete_topics(topic_names(environment.settings))
    except Exception:  # topics are per run; leaving one behind harms nothing
        pass
    finally:
        await admin.close()


def run(coro: object) -> None:
    asyncio.run(coro)  # type: ignore[arg-type]
