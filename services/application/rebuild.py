"""Rebuilding the read models from the log and comparing them with the live ones.

From PostgreSQL: each project's chain is replayed with today's fold and compared with its live
snapshot. From the trail topic: every message from offset 0 (duplicates from redelivery skipped
by seq) is re-hashed, each chain folded and compared likewise. Equal, or a precise diff.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import AsyncIterable, Callable, Mapping
from dataclasses import dataclass, field

from services.application.ports import ReadModels, TrailReader
from services.domain.chain import SealedRecord, canonical_bytes, chain_hash
from services.domain.history import diff
from services.domain.project import fold_chain

Progress = Callable[[str], None]


@dataclass
class Comparison:
    projects: int = 0
    records: int = 0
    differences: dict[str, list[str]] = field(default_factory=dict)

    @property
    def equal(self) -> bool:
        return not self.differences

    def differ(self, project_id: str, problem: str) -> None:
        self.differences.setdefault(project_id, []).append(problem)


async def _compare(
    models: ReadModels, chains: Mapping[str, list[SealedRecord]], result: Comparison
) -> Comparison:
    live, alerts = await models.live_states(), await models.alert_ids()
    for project_id in sorted(set(live) | set(chains)):
        records = chains.get(project_id, [])
        result.projects += 1
        result.records += len(records)
        rebuilt = fold_chain(project_id, records).model_dump(mode="json")
        problems = diff(live.get(project_id, {}), rebuilt)
        missing = set(rebuilt.get("alerts") or {}) - alerts.get(project_id, set())
        problems += [f"alerts table lacks {alert_id}" for alert_id in sorted(missing)]
        for problem in problems:  # after what reading the topic already found
            result.differ(project_id, problem)
    return result


async def from_store(
    trail: TrailReader, models: ReadModels, progress: Progress = lambda _: None
) -> Comparison:
    chains = {}
    for n, project_id in enumerate(await trail.project_ids(), 1):
        chains[project_id] = await trail.records(project_id)
        if n % 100 == 0:
            progress(f"read {n} chains")
    return await _compare(models, chains, Comparison())


async def from_topic(
    messages: AsyncIterable[tuple[int, bytes]],
    models: ReadModels,
    progress: Progress = lambda _: None,
) -> Comparison:
    """``messages``: (offset, value) of every trail topic message, each partition in order."""
    by_project: dict[str, dict[int, SealedRecord]] = defaultdict(dict)
    result = Comparison()
    read = 0
    async for offset, value in messages:
        body = json.loads(value or b"{}")
        record, digest = body["record"], bytes.fromhex(body["hash"])
        canonical = canonical_bytes(record)
        prev = bytes.fromhex(record["prev_hash"])
        if chain_hash(prev, canonical) != digest:
            result.differ(
                record["project_id"],
                f"topic offset {offset}: seq {record['seq']} does not hash to its hash",
            )
        by_project[record["project_id"]][record["seq"]] = SealedRecord(
            record["project_id"],
            record["seq"],
            record["event_id"],
            record["type"],
            canonical,
            record,
            prev,
            digest,
        )
        read += 1
        if read % 5000 == 0:
            progress(f"read {read} trail messages")
    chains = {p: [records[s] for s in sorted(records)] for p, records in by_project.items()}
    for project_id, chain in chains.items():
        if [r.seq for r in chain] != list(range(1, len(chain) + 1)):
            result.differ(project_id, "the topic lacks some seqs of this chain")
    return await _compare(models, chains, result)
