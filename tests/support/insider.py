"""What a database insider does in the tests: superuser rewrites of chains with the triggers off,
and the helpers the insider tests share (seeding, signing a checkpoint, running the CLI)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import uuid
from typing import Any

import asyncpg

from services.adapters.postgres.checkpoints import CheckpointStore
from services.adapters.signing import Signer
from services.application.checkpoints import CheckpointRun, sign_checkpoint
from services.domain.chain import canonical_bytes, chain_hash
from tests.support.client import Site
from tests.support.events import appointment, lot, opened
from tests.support.stack import ROOT, Environment


def qtrail(environment: Environment, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "services.cli.main", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **environment.env},
    )


SEEDED_MIN = len(opened("XZ-ANY")) + 1
"""The fewest records ``seeded`` makes: a project open, with a party that may post lots."""


async def seeded(site: Site, records: int, prefix: str = "INSIDE") -> str:
    """A project with ``records`` sealed records (at least ``SEEDED_MIN``): registration, the
    station's acceptance of the filing, appointment, then lots 1, 2, …"""
    assert records >= SEEDED_MIN, f"a seeded project has at least {SEEDED_MIN} records"
    project = f"{prefix}-{uuid.uuid4().hex[:6]}"
    await site.opened(project)
    await site.sealed(appointment(project, "construction"))
    for n in range(1, records - SEEDED_MIN + 1):
        await site.sealed(lot(project, n))
    return project


async def checkpoint(pool: asyncpg.Pool, environment: Environment) -> CheckpointRun:
    signer = Signer.from_settings(environment.settings)
    return await sign_checkpoint(CheckpointStore(pool), signer, dt.datetime.now(dt.UTC))


async def chain(conn: asyncpg.Connection, project: str) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT seq, record, prev_hash, hash FROM trail WHERE project_id = $1 ORDER BY seq",
        project,
    )


async def relink(conn: asyncpg.Connection, project: str, bodies: list[dict[str, Any]]) -> None:
    """As the insider: store ``bodies`` as the project's chain from seq 1, re-sealed so every link
    holds, and point the recorder's head at the new end (its state rebuilt from the trail)."""
    await conn.execute("SET session_replication_role = replica")
    async with conn.transaction():
        await conn.execute("DELETE FROM trail WHERE project_id = $1", project)
        prev = bytes(32)
        for seq, body in enumerate(bodies, 1):
            canonical = canonical_bytes({**body, "seq": seq, "prev_hash": prev.hex()})
            digest = chain_hash(prev, canonical)
            await conn.execute(
                """INSERT INTO trail (project_id, seq, event_id, type, occurred_at, recorded_at,
                                      actor_org, record, prev_hash, hash)
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)""",
                project,
                seq,
                body["event_id"],
                body["type"],
                dt.datetime.fromisoformat(body["occurred_at"].replace("Z", "+00:00")),
                dt.datetime.fromisoformat(body["recorded_at"].replace("Z", "+00:00")),
                body["actor"]["org"],
                canonical,
                prev,
                digest,
            )
            prev = digest
        await reset_head(conn, project, len(bodies), prev)


async def reset_head(conn: asyncpg.Connection, project: str, seq: int, head: bytes) -> None:
    """The recorder's head set back (or forward) by hand; a snapshot of an unknown version makes
    the recorder rebuild its state from the trail."""
    await conn.execute(
        """UPDATE project_heads SET seq = $2, head = $3, state = '{"snapshot_version": -1}'
           WHERE project_id = $1""",
        project,
        seq,
        head,
    )


def bodies_of(rows: list[asyncpg.Record]) -> list[dict[str, Any]]:
    return [json.loads(bytes(r["record"])) for r in rows]
