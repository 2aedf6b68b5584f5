"""The peer baseline: the ``eventsourcing`` library (a bench-only dependency, ``.[bench]``)
storing the same inspection-lot facts in the same PostgreSQL, one aggregate per project, in bulk
saves of 500 events (and, for scale, one event per save).

It is what a user could build instead: no Kafka, no HTTP, no hash chain, no decision rules. It
writes to a scratch database of the bench environment, dropped afterwards. When the library is not
installed, or PostgreSQL refuses it, the figure is ``None`` and the reason is printed.
"""

from __future__ import annotations

import os
import time
import uuid
from typing import Any

import asyncpg

from services.settings import DEV_SECRET
from tests.support.stack import Environment, admin_dsn

try:
    from eventsourcing.application import Application
    from eventsourcing.domain import Aggregate, event
except ImportError as exc:  # bench-only: pip install -e '.[bench]'
    MISSING: str | None = f"eventsourcing is not installed ({exc}); pip install -e '.[bench]'"
else:
    MISSING = None

    class Project(Aggregate):
        """A project's stream: registered, then its accepted inspection lots."""

        @event("Registered")
        def __init__(self, project_id: str) -> None:
            self.project_id = project_id
            self.lots = 0

        @staticmethod
        def create_id(project_id: str) -> uuid.UUID:
            return uuid.uuid5(uuid.NAMESPACE_URL, f"qtrail-bench:{project_id}")

        @event("LotAccepted")
        def accept_lot(self, fact: dict[str, Any]) -> None:
            self.lots += 1


SAVE_EVERY = 500


def _store(app: Any, facts: list[dict[str, Any]], save_every: int) -> tuple[float, float]:
    """Wall and CPU seconds to store ``facts``, saving every ``save_every`` events."""
    projects = {f["subject"]: Project(f["subject"]) for f in facts}
    app.save(*projects.values())  # the registrations: not timed
    touched: dict[str, Any] = {}
    start, cpu = time.perf_counter(), time.process_time()
    for n, fact in enumerate(facts, 1):
        aggregate = projects[fact["subject"]]
        aggregate.accept_lot(fact)
        touched[fact["subject"]] = aggregate
        if n % save_every == 0:
            app.save(*touched.values())
            touched.clear()
    if touched:
        app.save(*touched.values())
    return time.perf_counter() - start, time.process_time() - cpu


async def run(
    env: Environment, bulk: list[dict[str, Any]], single: list[dict[str, Any]]
) -> tuple[dict[str, float] | None, str | None]:
    """Events/s in bulk saves of SAVE_EVERY (and of ``single``, other projects' facts, one per
    save), or None and why not."""
    if MISSING is not None:
        return None, MISSING
    database = f"{env.database}_peer"
    admin = await asyncpg.connect(admin_dsn())
    try:
        await admin.execute(f'CREATE DATABASE "{database}"')
    finally:
        await admin.close()
    try:
        app = Application(
            env={
                "PERSISTENCE_MODULE": "eventsourcing.postgres",
                "POSTGRES_DBNAME": database,
                "POSTGRES_HOST": env.settings.pg_host,
                "POSTGRES_PORT": str(env.settings.pg_port),
                "POSTGRES_USER": "postgres",
                "POSTGRES_PASSWORD": os.environ.get("QTRAIL_DB_ADMIN_PASSWORD", DEV_SECRET),
                "CREATE_TABLE": "y",
            }
        )
        try:
            wall, cpu = _store(app, bulk, SAVE_EVERY)
            figures = {
                "events": len(bulk),
                "per_s": len(bulk) / wall,
                "cpu_us_per_event": cpu / len(bulk) * 1e6,
            }
            if single:
                wall, _ = _store(app, single, 1)
                figures["single_per_s"] = len(single) / wall
            return figures, None
        finally:
            app.close()
    except Exception as exc:  # a baseline that cannot run is reported, never faked
        return None, f"eventsourcing could not store events: {exc!r}"
    finally:
        admin = await asyncpg.connect(admin_dsn())
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        finally:
            await admin.close()
