"""Least privilege, enforced by PostgreSQL and Kafka themselves rather than by our code.

Each service's database role is refused every write it should not have (the whole matrix of
tables, columns and sequences is tried, so a grant added later without updating ``WRITES`` fails
here); the schema belongs to a role that cannot log in; the local socket is closed to other OS
users; Kafka refuses clients without credentials, and each principal reaches only its topics.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import glob
import os
import shutil
import subprocess
import uuid
from typing import Any

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import (
    ClusterAuthorizationFailedError,
    GroupAuthorizationFailedError,
    KafkaConnectionError,
    TopicAuthorizationFailedError,
)

from services.adapters.postgres.trail_writer import INDEX_COLUMNS
from services.settings import DEV_SECRET, DbRole, Settings
from tests.support.stack import STATE, Environment

# ----------------------------------------------------------------------------- PostgreSQL

WRITES: dict[str, set[str]] = {
    "api": {
        "INSERT submissions",
        "INSERT ingest_rejections",
        "INSERT evidence",
        "INSERT plaque_scans",
        "UPDATE plaque_scans.scans",
        "USAGE ingest_rejections_id_seq",
        "INSERT web_sessions",
        "UPDATE web_sessions.ended_at",
        "INSERT forged_scans",
        "UPDATE forged_scans.scans",
        "UPDATE forged_scans.last_at",
        "UPDATE forged_scans.last_reason",
        "INSERT cosignatures",
        "INSERT public_reports",
    },
    "recorder": {
        "INSERT trail",
        "INSERT outcomes",
        "INSERT rejections",
        "INSERT alerts",
        "INSERT report_numbers",
        "INSERT checkpoint_leaves",
        "INSERT checkpoints",
        "INSERT checkpoint_nodes",
        "INSERT project_heads",
        "UPDATE project_heads.seq",
        "UPDATE project_heads.head",
        "UPDATE project_heads.state",
        "UPDATE project_heads.updated_at",
        "INSERT project_index",
        *(f"UPDATE project_index.{column}" for column in INDEX_COLUMNS if column != "project_id"),
        "USAGE rejections_id_seq",
    },
    "reader": set(),
}
"""Every write each service role may make; any other write must be refused by PostgreSQL."""


async def _writes(superuser: asyncpg.Connection) -> dict[str, str]:
    """Every write there is in the schema (tables, their partitions, columns, sequences)."""
    statements: dict[str, str] = {}
    for rel in await superuser.fetch(
        """SELECT c.oid, c.relname, c.relkind::text FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'S') ORDER BY c.relname"""
    ):
        name = rel["relname"]
        if rel["relkind"] == "S":
            statements[f"USAGE {name}"] = f"SELECT nextval('{name}')"
            statements[f"UPDATE {name}"] = f"SELECT setval('{name}', 1)"
            continue
        statements[f"INSERT {name}"] = f"INSERT INTO {name} DEFAULT VALUES"
        statements[f"DELETE {name}"] = f"DELETE FROM {name} WHERE false"
        statements[f"TRUNCATE {name}"] = f"TRUNCATE {name}"
        for column in await superuser.fetch(
            "SELECT attname FROM pg_attribute WHERE attrelid = $1 AND attnum > 0 "
            "AND NOT attisdropped",
            rel["oid"],
        ):
            c = column["attname"]
            statements[f"UPDATE {name}.{c}"] = f"UPDATE {name} SET {c} = {c} WHERE false"
    return statements


async def _refused(conn: asyncpg.Connection, statement: str) -> bool:
    """Whether PostgreSQL's privilege check refuses ``statement`` (nothing is kept either way)."""
    transaction = conn.transaction()
    await transaction.start()
    try:
        await conn.execute(statement)
    except asyncpg.InsufficientPrivilegeError as exc:
        # Our append-only triggers raise the same SQLSTATE; only "permission denied" is a grant.
        return "permission denied" in str(exc)
    except asyncpg.PostgresError:
        return False  # past the privilege check (a NOT NULL column, say)
    finally:
        await transaction.rollback()
    return False


@pytest.mark.parametrize("role", ["api", "recorder", "reader"])
async def test_each_service_role_is_refused_every_write_it_should_not_have(
    environment: Environment, superuser: asyncpg.Connection, role: DbRole
) -> None:
    statements = await _writes(superuser)
    assert "INSERT trail" in statements and "UPDATE project_heads.state" in statements
    assert set(WRITES[role]) <= set(statements), "WRITES names a write the schema lacks"
    conn = await asyncpg.connect(environment.settings.dsn(role))
    try:
        refused = {what for what, sql in statements.items() if await _refused(conn, sql)}
    finally:
        await conn.close()
    allowed = set(statements) - refused
    assert allowed == WRITES[role], (
        f"qtrail_{role} may also {sorted(allowed - WRITES[role])} and may not "
        f"{sorted(WRITES[role] - allowed)}: keep the grants and WRITES in step"
    )


@pytest.mark.parametrize("role", ["api", "recorder", "reader"])
@pytest.mark.parametrize(
    "statement",
    ["CREATE TABLE intruder (x int)", "CREATE TEMPORARY TABLE intruder (x int)"],
)
async def test_service_roles_create_nothing(
    environment: Environment, role: DbRole, statement: str
) -> None:
    conn = await asyncpg.connect(environment.settings.dsn(role))
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
            await conn.execute(statement)
    finally:
        await conn.close()


async def test_each_role_does_its_own_job(environment: Environment) -> None:
    """The grants are enough: the writes each service makes go through, as that service."""
    now = dt.datetime.now(dt.UTC)
    event_id = f"lp-{uuid.uuid4().hex}"
    api = await asyncpg.connect(environment.settings.dsn("api"))
    recorder = await asyncpg.connect(environment.settings.dsn("recorder"))
    reader = await asyncpg.connect(environment.settings.dsn("reader"))
    try:
        await api.execute(
            "INSERT INTO submissions (event_id, project_id, type, received_at) "
            "VALUES ($1, 'LP-1', 'qtrail.project.registered.v1', $2)",
            event_id,
            now,
        )
        await api.execute(
            """INSERT INTO plaque_scans (day, code_digest, result, scans) VALUES ($1, 'd', 'ok', 1)
               ON CONFLICT (day, code_digest, result) DO UPDATE SET scans = plaque_scans.scans + 1""",
            now.date(),
        )
        await recorder.execute(
            "INSERT INTO project_heads (project_id, seq, head, state, updated_at) "
            "VALUES ('LP-1', 1, $1, '{}', $2)",
            bytes(32),
            now,
        )
        await recorder.execute(
            "UPDATE project_heads SET seq = 2, updated_at = $1 WHERE project_id = 'LP-1'", now
        )
        assert (
            await reader.fetchval("SELECT count(*) FROM submissions WHERE event_id = $1", event_id)
            == 1
        )
        assert await reader.fetchval("SELECT seq FROM project_heads WHERE project_id = 'LP-1'") == 2
        for conn in (recorder, reader):  # key hashes are the gateway's (and the migrator's)
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
                await conn.fetchval("SELECT count(*) FROM api_keys")
    finally:
        for conn in (api, recorder, reader):
            await conn.close()


async def test_schema_belongs_to_a_role_that_cannot_log_in(
    environment: Environment, superuser: asyncpg.Connection
) -> None:
    owners = await superuser.fetch(
        """SELECT DISTINCT pg_get_userbyid(c.relowner) AS owner FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'"""
    )
    assert [r["owner"] for r in owners] == ["qtrail_owner"]
    settings = environment.settings
    for role in ("qtrail_owner", "qtrail_app"):
        with pytest.raises(
            (asyncpg.InvalidPasswordError, asyncpg.InvalidAuthorizationSpecificationError)
        ):
            await asyncpg.connect(
                user=role,
                password=DEV_SECRET,
                host=settings.pg_host,
                port=settings.pg_port,
                database=settings.db_name,
            )


async def test_postgresql_trusts_no_one(superuser: asyncpg.Connection) -> None:
    rules = await superuser.fetch("SELECT type, auth_method, error FROM pg_hba_file_rules")
    assert rules and all(r["error"] is None for r in rules)
    assert {r["auth_method"] for r in rules} <= {"peer", "scram-sha-256"}
    port = int(os.environ.get("QTRAIL_PG_PORT", "55432"))
    with pytest.raises(asyncpg.InvalidPasswordError):  # the superuser too, over TCP
        await asyncpg.connect(
            user="postgres", password="not-the-password", host="127.0.0.1", port=port
        )


def _socket_psql(os_user: str) -> subprocess.CompletedProcess[str]:
    home = (STATE / "pg.location").read_text().strip()
    psql = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"))[-1]
    port = os.environ.get("QTRAIL_PG_PORT", "55432")
    return subprocess.run(
        [shutil.which("runuser", path="/usr/sbin:/usr/bin:/sbin:/bin") or "runuser", "-u", os_user, "--", psql, "-X", "-w", "-h", f"{home}/run", "-p", port,
         "-U", "postgres", "-d", "postgres", "-tAc", "select 42"],
        capture_output=True,
        text=True,
        timeout=30,
        cwd="/",
        env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "PGCONNECT_TIMEOUT": "5"},
    )  # fmt: skip


@pytest.mark.skipif(os.geteuid() != 0, reason="switching OS users needs root")
def test_local_socket_refuses_other_os_users(environment: Environment) -> None:
    assert _socket_psql("postgres").stdout.strip() == "42"  # the cluster's own user, by peer
    other = _socket_psql("nobody")
    assert other.returncode != 0
    assert "Permission denied" in other.stderr, other.stderr


# ----------------------------------------------------------------------------- Kafka

WINDOW_S = 3.0
"""How long a read waits for a message that is there (or must stay out of reach)."""


def _without_credentials(settings: Settings) -> dict[str, Any]:
    return {"bootstrap_servers": settings.kafka_bootstrap}


def _with_password(settings: Settings, password: str) -> dict[str, Any]:
    return settings.kafka_client("gateway") | {"sasl_plain_password": password}


async def _produce(client: dict[str, Any], topic: str, value: bytes = b"probe") -> None:
    producer = AIOKafkaProducer(
        **client, enable_idempotence=True, acks="all", request_timeout_ms=5000
    )
    try:
        await asyncio.wait_for(producer.start(), 15)
        await asyncio.wait_for(producer.send_and_wait(topic, value, key=b"LP"), 15)
    finally:
        await producer.stop()


async def _read(
    client: dict[str, Any], topic: str, partitions: int, group: str | None = None
) -> list[bytes]:
    """What ``client`` reads of ``topic`` from the beginning within WINDOW_S."""
    consumer = AIOKafkaConsumer(
        **client,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        request_timeout_ms=5000,
    )
    values: list[bytes] = []
    try:
        await asyncio.wait_for(consumer.start(), 15)
        if group:
            consumer.subscribe([topic])
        else:
            assigned = [TopicPartition(topic, p) for p in range(partitions)]
            consumer.assign(assigned)
            await consumer.seek_to_beginning(*assigned)  # type: ignore[func-returns-value]
        deadline = asyncio.get_running_loop().time() + WINDOW_S
        while not values and asyncio.get_running_loop().time() < deadline:
            for messages in (await consumer.getmany(timeout_ms=500)).values():
                values.extend(m.value for m in messages if m.value is not None)
        return values
    finally:
        await consumer.stop()


async def test_kafka_refuses_a_client_without_credentials(environment: Environment) -> None:
    settings = environment.settings
    with pytest.raises(KafkaConnectionError):
        await _produce(_without_credentials(settings), settings.topic_submitted)


async def test_kafka_refuses_a_wrong_password(environment: Environment) -> None:
    settings = environment.settings
    with pytest.raises(KafkaConnectionError):
        await _produce(_with_password(settings, "not-the-password"), settings.topic_submitted)


async def test_gateway_principal_only_produces_submissions(environment: Environment) -> None:
    settings = environment.settings
    gateway = settings.kafka_client("gateway")
    marker = f"gateway-{uuid.uuid4().hex}".encode()
    await _produce(gateway, settings.topic_submitted, marker)
    with pytest.raises(TopicAuthorizationFailedError):
        await _read(gateway, settings.topic_submitted, settings.kafka_partitions)
    for topic in (settings.topic_trail, settings.topic_rejected, settings.topic_alerts):
        with pytest.raises(TopicAuthorizationFailedError):
            await _produce(gateway, topic)
    admin = AIOKafkaAdminClient(**gateway, request_timeout_ms=5000)
    await admin.start()
    try:
        created = await admin.create_topics([NewTopic(f"{settings.topic_submitted}.x", 1, 1)])
        deleted = await admin.delete_topics([settings.topic_submitted])
    finally:
        await admin.close()
    assert [e[1] for e in created.topic_errors] == [TopicAuthorizationFailedError.errno]
    assert [e[1] for e in deleted.topic_error_codes] == [TopicAuthorizationFailedError.errno]
    admin_reads = await _read(
        settings.kafka_client("admin"), settings.topic_submitted, settings.kafka_partitions
    )
    assert marker in admin_reads  # the topic is still there, with the gateway's message


async def test_recorder_principal_does_its_job_and_no_more(environment: Environment) -> None:
    settings = environment.settings
    recorder = settings.kafka_client("recorder")
    marker = f"recorder-{uuid.uuid4().hex}".encode()
    await _produce(settings.kafka_client("gateway"), settings.topic_submitted, marker)
    read = await _read(
        recorder, settings.topic_submitted, settings.kafka_partitions, settings.recorder_group
    )
    assert marker in read
    for topic in (settings.topic_trail, settings.topic_rejected, settings.topic_alerts):
        await _produce(recorder, topic)
    with pytest.raises(TopicAuthorizationFailedError):
        await _produce(recorder, settings.topic_submitted)  # no forged submissions
    with pytest.raises(GroupAuthorizationFailedError):
        await _read(recorder, settings.topic_submitted, settings.kafka_partitions, "other-group")
    admin = AIOKafkaAdminClient(**recorder, request_timeout_ms=5000)
    await admin.start()
    try:  # not even faust's own topics: qtrail topics creates them
        created = await admin.create_topics(
            [NewTopic(f"{settings.recorder_group}-x", 1, 1), NewTopic(settings.topic_trail, 1, 1)]
        )
    finally:
        await admin.close()
    assert [e[1] for e in created.topic_errors] == [TopicAuthorizationFailedError.errno] * 2


async def test_reader_principal_reads_the_trail_only(environment: Environment) -> None:
    settings = environment.settings
    reader = settings.kafka_client("reader")
    marker = f"trail-{uuid.uuid4().hex}".encode()
    await _produce(settings.kafka_client("recorder"), settings.topic_trail, marker)
    assert marker in await _read(reader, settings.topic_trail, settings.kafka_partitions)
    with pytest.raises(ClusterAuthorizationFailedError):  # it may write nowhere at all
        await _produce(reader, settings.topic_trail)
    # Not even described (READ implies DESCRIBE, so it is not readable either); reading it would
    # only spin on metadata that never comes.
    admin = AIOKafkaAdminClient(**reader, request_timeout_ms=5000)
    await admin.start()
    try:
        described = await admin.describe_topics([settings.topic_submitted, settings.topic_trail])
    finally:
        await admin.close()
    assert {d["topic"]: d["error_code"] for d in described} == {
        settings.topic_submitted: TopicAuthorizationFailedError.errno,
        settings.topic_trail: 0,
    }
