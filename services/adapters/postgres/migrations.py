"""Applies the SQL migrations in schemas/sql in order, once each, under an advisory lock.

A migration that was applied and later edited is refused (its checksum changed): published
schema is never edited, a change is a new file. Migrations run as the owner role (``SET ROLE``),
so every object belongs to a role that cannot log in, whoever the migrating login is.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import asyncpg

MIGRATIONS_DIR = Path(__file__).resolve().parents[3] / "schemas" / "sql"
_LOCK_KEY = 0x71_74_72_61_69_6C  # "qtrail"


@dataclass(frozen=True)
class Migration:
    version: str
    path: Path

    @property
    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


class MigrationEdited(RuntimeError):
    """An applied migration's file changed."""


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    return [Migration(p.stem, p) for p in sorted(directory.glob("*.sql"))]


async def migrate(
    dsn: str, directory: Path = MIGRATIONS_DIR, *, owner: str = "qtrail_owner"
) -> list[str]:
    """Apply pending migrations; returns the versions applied now."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute('SET ROLE "{}"'.format(owner.replace('"', '""')))
        await conn.execute("SELECT pg_advisory_lock($1)", _LOCK_KEY)
        try:
            await conn.execute(
                """CREATE TABLE IF NOT EXISTS schema_migrations (
                     version text PRIMARY KEY, checksum text NOT NULL,
                     applied_at timestamptz NOT NULL DEFAULT now())"""
            )
            applied = {
                r["version"]: r["checksum"]
                for r in await conn.fetch("SELECT version, checksum FROM schema_migrations")
            }
            done: list[str] = []
            for migration in discover(directory):
                if migration.version in applied:
                    if applied[migration.version] != migration.checksum:
                        raise MigrationEdited(
                            f"migration {migration.version} was applied and has since been edited; "
                            "add a new migration instead"
                        )
                    continue
                async with conn.transaction():
                    await conn.execute(migration.sql)
                    await conn.execute(
                        "INSERT INTO schema_migrations (version, checksum) VALUES ($1, $2)",
                        migration.version,
                        migration.checksum,
                    )
                done.append(migration.version)
            return done
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)
    finally:
        await conn.close()
