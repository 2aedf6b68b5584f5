"""Chain benchmarks, in process: verification against raw SHA-256 over the same bytes, and a
regulator's replay as of a moment for a project of 100,000 events."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import time
from typing import Any

import rfc8785

from services.domain import canonical
from services.domain.chain import GENESIS, StoredLink, seal, verify_links
from services.domain.history import as_of

EVENTS = int(os.environ.get("QTRAIL_BENCH_CHAIN_EVENTS", "100000"))
T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def build(n: int) -> list[Any]:
    records, prev = [], GENESIS
    for seq in range(1, n + 1):
        if seq == 1:
            event_type, data = (
                "qtrail.project.registered.v1",
                {
                    "name": "基准工程",
                    "address": "徐州",
                    "permit_number": "P-1",
                    "use": "住宅",
                    "structure_type": "框架",
                    "design_life_years": 50,
                    "planned_start": "2026-01-01",
                    "planned_finish": "2027-12-31",
                    "floor_area_m2": 1000.0,
                },
            )
        else:
            event_type, data = (
                "qtrail.quality.inspection_lot_accepted.v2",
                {
                    "lot_code": f"LOT-{seq:06d}",
                    "building_part": f"第 {seq} 批",
                    "items": ["钢筋安装"],
                    "construction_signer": "质检员",
                    "supervision_signer": "监理",
                },
            )
        moment = T0 + dt.timedelta(minutes=seq)
        record = seal(
            project_id="BENCH-100K",
            seq=seq,
            prev_hash=prev,
            event_id=f"evt-{seq:09d}",
            event_type=event_type,
            schema_version=1 if seq == 1 else 2,
            source="bench",
            occurred_at=moment,
            recorded_at=moment,
            actor={"org": "91320300000000101X", "person": "p", "role": "owner"},
            data=data,
        )
        records.append(record)
        prev = record.hash
    return records


def run() -> dict[str, float]:
    records = build(EVENTS)
    links = [StoredLink(r.seq, r.canonical, r.prev_hash, r.hash) for r in records]
    start = time.perf_counter()
    for link in links:
        hashlib.sha256(link.prev_hash + link.canonical).digest()
    raw = time.perf_counter() - start
    start = time.perf_counter()
    result = verify_links(links)
    verify = time.perf_counter() - start
    assert result.ok and result.length == EVENTS
    middle = T0 + dt.timedelta(minutes=EVENTS // 2)
    start = time.perf_counter()
    state = as_of("BENCH-100K", records, middle)
    replay = time.perf_counter() - start
    assert state.seq == EVENTS // 2
    bodies = [r.body for r in records[:20_000]]
    start = time.perf_counter()
    for body in bodies:
        rfc8785.dumps(body)
    reference = time.perf_counter() - start
    start = time.perf_counter()
    for body in bodies:
        canonical.dumps(body)
    fast = time.perf_counter() - start
    return {
        "canonical_reference_us": reference / len(bodies) * 1e6,
        "canonical_us": fast / len(bodies) * 1e6,
        "chain_events": EVENTS,
        "raw_sha256_per_s": EVENTS / raw,
        "verify_per_s": EVENTS / verify,
        "ratio_verify_to_raw_sha256": raw / verify,
        "replay_as_of_s": replay,
        "replay_records_per_s": EVENTS / replay,
    }
