"""Sealing decided batches into the trail in PostgreSQL.

A batch is written in one transaction (COPY for the chain rows), so it lands whole or not at all.
Forks are impossible: (project_id, seq) is the primary key, and a stale writer collides on it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

import asyncpg

from services.adapters.postgres.alerts import raise_alerts
from services.adapters.postgres.failures import unstorable
from services.adapters.postgres.outcomes import OUTCOME_CHANNEL
from services.adapters.postgres.pool import JsonText
from services.adapters.postgres.trail_reader import PostgresTrailReader, record_from_row
from services.application.ports import Collision
from services.domain.chain import SealedRecord
from services.domain.context import ReferencedRecord
from services.domain.reasons import Rejection
from services.domain.recording import BatchDecision
from services.domain.state import ProjectState
from services.domain.summary import ProjectSummary, summarize

_TRAIL_COLUMNS = (
    "project_id",
    "seq",
    "event_id",
    "type",
    "occurred_at",
    "recorded_at",
    "actor_org",
    "record",
    "prev_hash",
    "hash",
)
_OUTCOME_COLUMNS = (
    "event_id",
    "status",
    "project_id",
    "seq",
    "hash",
    "digest",
    "reason_code",
    "message_zh",
    "message_en",
    "decided_at",
    "details",
)
_REJECTION_COLUMNS = (
    "event_id",
    "project_id",
    "type",
    "digest",
    "reason_code",
    "message_zh",
    "message_en",
    "conflict",
    "raw",
    "rejected_at",
    "details",
)


def _details(rejection: Rejection) -> list[dict[str, Any]] | None:
    """Items of a summary refusal (jsonb)."""
    return [d.as_dict() for d in rejection.details] if rejection.details else None


INDEX_COLUMNS = (
    "project_id",
    "seq",
    "station",
    "division",
    "name",
    "permit_number",
    "address",
    "stage",
    "open_alerts",
    "critical_alerts",
    "overdue",
    "open_rectifications",
    "stop_orders",
    "risk",
    "organizations",
    "search",
    "summary",
    "updated_at",
)
INDEX_UPSERT = f"""INSERT INTO project_index ({", ".join(INDEX_COLUMNS)})
    VALUES ({", ".join(f"${n}" for n in range(1, len(INDEX_COLUMNS) + 1))})
    ON CONFLICT (project_id) DO UPDATE SET
    {", ".join(f"{c} = EXCLUDED.{c}" for c in INDEX_COLUMNS[1:])}
    WHERE project_index.seq < EXCLUDED.seq"""


def index_row(summary: ProjectSummary, now: dt.datetime) -> tuple[object, ...]:
    """A project's row of the stations' index, from its summary."""
    fields = summary.model_dump()
    fields.update(
        search=summary.search_text, summary=JsonText(summary.model_dump_json()), updated_at=now
    )
    return tuple(fields[c] for c in INDEX_COLUMNS)


class PostgresTrailWriter:
    """The recorder's ``TrailWriter`` port."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._reader = PostgresTrailReader(pool)

    async def load_states(self, project_ids: Iterable[str]) -> dict[str, ProjectState]:
        return await self._reader.load_states(project_ids)

    async def decided_digests(self, event_ids: Iterable[str]) -> dict[str, bytes]:
        rows = await self._pool.fetch(
            "SELECT event_id, digest FROM outcomes WHERE event_id = ANY($1::text[])",
            list(set(event_ids)),
        )
        return {r["event_id"]: bytes(r["digest"]) for r in rows}

    async def write(self, decision: BatchDecision, now: dt.datetime) -> None:
        """Write a decided batch in one transaction and notify waiters on commit.

        ``Collision`` when another writer took one of its seqs first; ``Unstorable`` when
        PostgreSQL can never take it as it is (see ``failures.unstorable``)."""
        try:
            await self._write(decision, now)
        except asyncpg.UniqueViolationError as exc:
            raise Collision(str(exc)) from exc
        except Exception as exc:
            if (refused := unstorable(exc)) is not None:
                raise refused from exc
            raise

    async def _write(self, decision: BatchDecision, now: dt.datetime) -> None:
        trail_rows = [
            (
                r.project_id,
                r.seq,
                r.event_id,
                r.type,
                r.occurred_at,
                r.recorded_at,
                r.body["actor"]["org"],
                r.canonical,
                r.prev_hash,
                r.hash,
            )
            for r in decision.sealed
        ]
        outcome_rows: list[tuple[Any, ...]] = [
            (
                r.event_id,
                "sealed",
                r.project_id,
                r.seq,
                r.hash,
                decision.digests[r.event_id],
                None,
                None,
                None,
                now,
                None,
            )
            for r in decision.sealed
        ]
        outcome_rows += [
            (
                j.event_id,
                "rejected",
                j.project_id,
                None,
                None,
                j.digest,
                j.rejection.code,
                j.rejection.message_zh,
                j.rejection.message_en,
                now,
                _details(j.rejection),
            )
            for j in decision.rejected
            if j.event_id is not None and not j.conflict
        ]
        rejection_rows = [
            (
                j.event_id,
                j.project_id,
                j.event_type,
                j.digest,
                j.rejection.code,
                j.rejection.message_zh,
                j.rejection.message_en,
                j.conflict,
                j.raw,
                now,
                _details(j.rejection),
            )
            for j in decision.rejected
        ]
        snapshots = {pid: JsonText(s.model_dump_json()) for pid, s in decision.states.items()}
        head_rows = [
            (pid, s.seq, bytes.fromhex(s.head), snapshots[pid], now)
            for pid, s in decision.states.items()
        ]
        index_rows = [index_row(summarize(s), now) for s in decision.states.values()]
        report_rows = [(*reported, now) for reported in decision.reported]
        notify = [row[0] for row in outcome_rows]
        async with self._pool.acquire() as conn, conn.transaction():
            if trail_rows:
                await conn.copy_records_to_table(
                    "trail", records=trail_rows, columns=_TRAIL_COLUMNS
                )
            if outcome_rows:
                await conn.copy_records_to_table(
                    "outcomes", records=outcome_rows, columns=_OUTCOME_COLUMNS
                )
            if rejection_rows:
                await conn.copy_records_to_table(
                    "rejections", records=rejection_rows, columns=_REJECTION_COLUMNS
                )
            await raise_alerts(conn, decision.alerts)
            if report_rows:
                await conn.copy_records_to_table(
                    "report_numbers",
                    records=report_rows,
                    columns=("report_number", "project_id", "event_id", "lab_code", "sealed_at"),
                )
            if head_rows:
                await conn.executemany(
                    """INSERT INTO project_heads (project_id, seq, head, state, updated_at)
                       VALUES ($1, $2, $3, $4, $5)
                       ON CONFLICT (project_id) DO UPDATE
                       SET seq = EXCLUDED.seq, head = EXCLUDED.head, state = EXCLUDED.state,
                           updated_at = EXCLUDED.updated_at
                       WHERE project_heads.seq < EXCLUDED.seq""",
                    head_rows,
                )
                await conn.executemany(INDEX_UPSERT, index_rows)
            if notify:
                await conn.execute(
                    "SELECT pg_notify($1, id) FROM unnest($2::text[]) AS id",
                    OUTCOME_CHANNEL,
                    notify,
                )
        for pid, state in decision.states.items():
            self._reader.remember(pid, state, len(snapshots[pid]))

    async def referenced_records(self, event_ids: Iterable[str]) -> dict[str, ReferencedRecord]:
        """Sealed records by event id, for deciding corrections that point at them."""
        rows = await self._pool.fetch(
            """SELECT t.record FROM outcomes o
               JOIN trail t ON t.project_id = o.project_id AND t.seq = o.seq
               WHERE o.event_id = ANY($1::text[]) AND o.status = 'sealed'""",
            list(set(event_ids)),
        )
        bodies = [json.loads(bytes(row["record"])) for row in rows]
        return {body["event_id"]: ReferencedRecord.of(body) for body in bodies}

    async def reports_seen(self, numbers: Iterable[str]) -> dict[str, str]:
        """Where each already-sealed report number was sealed (project and event)."""
        rows = await self._pool.fetch(
            "SELECT report_number, project_id, event_id FROM report_numbers WHERE report_number = ANY($1::text[])",
            list(set(numbers)),
        )
        return {
            r["report_number"]: f"project {r['project_id']}, event {r['event_id']}" for r in rows
        }

    async def sealed_by_event_ids(self, event_ids: Iterable[str]) -> list[SealedRecord]:
        """The sealed records of these ids, in chain order (for re-publishing duplicates)."""
        rows = await self._pool.fetch(
            """SELECT t.seq, t.record, t.prev_hash, t.hash
               FROM outcomes o JOIN trail t ON t.project_id = o.project_id AND t.seq = o.seq
               WHERE o.event_id = ANY($1::text[]) AND o.status = 'sealed'
               ORDER BY t.project_id, t.seq""",
            list(set(event_ids)),
        )
        return [record_from_row(r) for r in rows]
