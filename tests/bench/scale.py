"""``make bench-scale``: seal many events (1,000,000 over 1,000 projects by default) through
``POST /v1/events/batch`` and show whether throughput stays flat as the trail grows.

Prints the accepted and sealed rates per interval with each service's RSS, then at the end each
service's RSS and peak RSS, the time to sign a checkpoint covering every head, and the time to
verify (against the signed checkpoints) and to replay one project's chain. Writes
``.bench/scale-<time>.json``. Knobs: QTRAIL_BENCH_SCALE_EVENTS, QTRAIL_BENCH_SCALE_PROJECTS,
QTRAIL_BENCH_SCALE_CLIENTS, QTRAIL_BENCH_SCALE_INTERVAL_S. Batch bodies are built as they are sent
(1,000,000 envelopes do not fit in memory comfortably), so the load generator's CPU competes with
the services on a small machine: it is reported too.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import platform
import time
from typing import Any

import aiohttp
import asyncpg

from services.adapters.postgres.checkpoints import CheckpointStore
from services.adapters.postgres.pool import open_pool
from services.adapters.postgres.trail_reader import PostgresTrailReader
from services.adapters.signing import Signer
from services.application.checkpoints import SignedHistory, sign_checkpoint
from services.application.verify import verify_project
from tests.bench import batch as batch_load
from tests.bench.procstat import CpuMeter, Service
from tests.support.keys import issue_keys
from tests.support.processes import Api, Process
from tests.support.stack import ROOT, Environment, dispose, ensure_stack, new_environment, provision

EVENTS = int(os.environ.get("QTRAIL_BENCH_SCALE_EVENTS", "1000000"))
PROJECTS = int(os.environ.get("QTRAIL_BENCH_SCALE_PROJECTS", "1000"))
CLIENTS = int(os.environ.get("QTRAIL_BENCH_SCALE_CLIENTS", "4"))
BATCH_SIZE = int(os.environ.get("QTRAIL_BENCH_SCALE_BATCH_SIZE", "1000"))
INTERVAL_S = float(os.environ.get("QTRAIL_BENCH_SCALE_INTERVAL_S", "30"))


async def monitor(
    decided: batch_load.Decided,
    sent: batch_load.Sent,
    services: list[Service],
    samples: list[dict[str, Any]],
    start: float,
    stop: asyncio.Event,
) -> None:
    """Every INTERVAL_S: events accepted and sealed in the interval, per second, and RSS."""
    last_t, last_accepted, last_sealed = start, 0, 0
    while True:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), INTERVAL_S)
        now = time.perf_counter()
        sealed, rejected = await decided.counts()
        sample = {
            "t_s": now - start,
            "accepted_per_s": (sent.accepted - last_accepted) / (now - last_t),
            "sealed_per_s": (sealed - last_sealed) / (now - last_t),
            "sealed": sealed,
            "rejected": rejected,
            "rss_mb": {s.name: s.rss_mb() for s in services},
        }
        samples.append(sample)
        print(
            f"  {sample['t_s']:7.0f} s  accepted {sample['accepted_per_s']:7,.0f}/s  sealed "
            f"{sample['sealed_per_s']:7,.0f}/s  ({sealed:,} sealed, {rejected} rejected)  RSS "
            + ", ".join(f"{name} {mb:,.0f} MB" for name, mb in sample["rss_mb"].items()),
            flush=True,
        )
        last_t, last_accepted, last_sealed = now, sent.accepted, sealed
        if stop.is_set():
            return


def flatness(samples: list[dict[str, Any]]) -> float | None:
    """Mean sealed rate of the last quarter of the intervals over that of the first quarter (1.0:
    flat; below: decaying), the last (partial) interval left out. Once the senders are done
    (``sending_s``) the recorder has the machine to itself, which can lift the last quarter."""
    full = samples[:-1]
    if len(full) < 4:
        return None
    quarter = len(full) // 4
    first = sum(s["sealed_per_s"] for s in full[:quarter]) / quarter
    last = sum(s["sealed_per_s"] for s in full[-quarter:]) / quarter
    return last / first if first else None


async def main() -> None:
    ensure_stack()
    env = new_environment(partitions=12)
    await provision(env)
    recorder = Process("recorder", env).start()
    api = Api(env).start()
    try:
        tokens = await issue_keys(env)
        services = [
            Service.of("api", api.pid, api.module),
            Service.of("recorder", recorder.pid, recorder.module),
        ]
        for service in services:
            print(f"  measuring {service.describe()}")
        projects = [f"SCALE-{env.suffix}-{i}" for i in range(PROJECTS)]
        print(
            f"qtrail bench-scale: {EVENTS:,} events over {PROJECTS:,} projects, "
            f"{CLIENTS} clients × {BATCH_SIZE}",
            flush=True,
        )
        connector = aiohttp.TCPConnector(limit=CLIENTS + 2)
        async with aiohttp.ClientSession(connector=connector) as client:
            staffing = await batch_load.staff(client, api.base_url, tokens, projects)
            db = await asyncpg.create_pool(env.settings.dsn("reader"), min_size=2, max_size=2)
            try:
                decided = await batch_load.Decided(db, projects).mark()
                sent = batch_load.Sent()
                samples: list[dict[str, Any]] = []
                stop = asyncio.Event()
                meter = CpuMeter(services).start()
                loadgen = time.process_time()
                start = time.perf_counter()
                watcher = asyncio.create_task(
                    monitor(decided, sent, services, samples, start, stop)
                )
                bodies = batch_load.lot_batches(projects, EVENTS, BATCH_SIZE)
                await batch_load.send(
                    client, api.base_url, tokens["construction"], bodies, CLIENTS, sent
                )
                done = await decided.until(
                    sent.accepted, timeout_s=max(600, EVENTS / 50), poll_s=0.5
                )
                stop.set()
                await watcher
                meter.stop()
                loadgen = time.process_time() - loadgen
                sealed, rejected = await decided.counts()
            finally:
                await db.close()
        at_end = {s.name: {"rss_mb": s.rss_mb(), "peak_rss_mb": s.peak_rss_mb()} for s in services}
        ends = await end_of_run(env, projects[0])
    finally:
        api.stop()
        recorder.stop()
        await dispose(env)
    figures = {
        "at": dt.datetime.now(dt.UTC).isoformat(),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "loadavg_after": os.getloadavg(),
        },
        "events": EVENTS,
        "projects": PROJECTS,
        "clients": CLIENTS,
        "batch_size": BATCH_SIZE,
        "staffing_events": staffing,
        "refused": sent.refused,
        "rejected": rejected,
        "accepted_per_s": sent.accepted / sent.seconds,
        "sealed_per_s": sealed / (done - start),
        "sending_s": sent.seconds,
        "flatness_last_to_first_quarter": flatness(samples),
        "intervals": samples,
        "cpu_us_per_event": meter.us_per_event(sent.accepted),
        "loadgen_cpu_us_per_event": loadgen / sent.accepted * 1e6,
        "services_at_end": at_end,
        **ends,
    }
    flat = figures["flatness_last_to_first_quarter"]
    print(
        f"\nqtrail bench-scale: {sealed:,} sealed, {rejected} rejected, {sent.refused} refused\n"
        f"  accepted {figures['accepted_per_s']:,.0f}/s, sealed {figures['sealed_per_s']:,.0f}/s "
        f"overall; last quarter's sealed rate / first quarter's: "
        + (f"{flat:.2f}" if flat is not None else "n/a (fewer than 4 full intervals)")
        + "\n  CPU per event: "
        + ", ".join(f"{k} {v:,.0f} µs" for k, v in figures["cpu_us_per_event"].items())
        + f", load generator {figures['loadgen_cpu_us_per_event']:,.0f} µs\n  at the end: "
        + ", ".join(
            f"{name} RSS {v['rss_mb']:,.0f} MB (peak {v['peak_rss_mb']:,.0f} MB)"
            for name, v in at_end.items()
        )
        + f"\n  checkpoint signed in {ends['checkpoint_s']:.2f} s "
        f"(tree size {ends['checkpoint_tree_size']:,})\n"
        f"  signed history loaded and audited in {ends['history_load_s']:.2f} s; one project "
        f"({ends['project_events']:,} events): verify {ends['verify_s']:.2f} s "
        f"(ok: {ends['verify_ok']}), replay {ends['replay_s']:.2f} s"
    )
    out = ROOT / ".bench"
    out.mkdir(exist_ok=True)
    path = out / f"scale-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    print(f"  figures written to {path.relative_to(ROOT)}")


async def end_of_run(env: Environment, project: str) -> dict[str, Any]:
    """A checkpoint signed now (as the recorder's timer does), then the signed history loaded (its
    log audited against the signatures, as ``qtrail verify`` does once), one project verified
    against it and replayed from its chain."""
    signer = Signer.from_settings(env.settings)
    async with open_pool(env.settings, "recorder", max_size=1) as pool:
        log = CheckpointStore(pool)
        start = time.perf_counter()
        attempt = await sign_checkpoint(log, signer, dt.datetime.now(dt.UTC))
        checkpoint_s = time.perf_counter() - start
        latest = attempt.made or await log.latest()
    async with open_pool(env.settings, "reader", max_size=2) as pool:
        reader = PostgresTrailReader(pool)
        start = time.perf_counter()
        history = await SignedHistory.load(CheckpointStore(pool), signer.verifying_keys)
        history_s = time.perf_counter() - start
        start = time.perf_counter()
        result = await verify_project(reader, project, history)
        verify_s = time.perf_counter() - start
        start = time.perf_counter()
        state = await reader.state_from_chain(project)
        replay_s = time.perf_counter() - start
    return {
        "checkpoint_s": checkpoint_s,
        "checkpoint_new": attempt.made is not None,
        "checkpoint_tree_size": latest.tree_size if latest else 0,
        "project_events": result.length,
        "history_load_s": history_s,
        "verify_s": verify_s,
        "verify_ok": result.ok,
        "replay_s": replay_s,
        "replay_seq": state.seq,
    }


if __name__ == "__main__":
    asyncio.run(main())
