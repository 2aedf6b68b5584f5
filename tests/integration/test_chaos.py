"""Chaos under load: kill -9 of the recorder, of its render worker, of the API and of the broker,
and an immediate PostgreSQL restart, while site apps keep posting and retrying. Nothing may be
lost or doubled, every chain must verify, and the services' start script must start again after
any crash.

Killing the broker and restarting PostgreSQL hits the shared stack: the fixtures bring it back up
(deploy/stack.sh up) whatever happens.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import httpx
import pytest

from tests.support.chaos import (
    Pid,
    RetryingApp,
    Tally,
    children,
    crash_broker,
    crash_postgres,
    database,
    decided_count,
    render_worker,
    stack_up,
    until_gone,
    until_group_gone,
)
from tests.support.client import Site
from tests.support.events import (
    accepted_unit,
    appointment,
    completion,
    lab_commissioned,
    lot,
    opened,
    staffed,
    witness_authorized,
)
from tests.support.keys import issue_keys
from tests.support.processes import Api, Process
from tests.support.stack import (
    ARTIFACTS,
    ROOT,
    Environment,
    dispose,
    ensure_stack,
    free_port,
    new_environment,
    provision,
)
from tests.support.topics import read_all

SITES = 8
PAUSE_S = 0.05
"""Between two events of one app: the load is steady, not a flood, so the run stays bounded."""
PROGRESS = 150
"""Events decided between one fault and the next: each fault lands on a system that works."""

T = TypeVar("T")


@pytest.fixture
def chaos_environment(stack: None) -> Iterator[Environment]:
    # A shorter session: a recorder killed -9 hands its partitions over sooner.
    env = new_environment(QTRAIL_RECORDER_SESSION_TIMEOUT_S="6")
    asyncio.run(provision(env))
    try:
        yield env
    finally:
        ensure_stack()  # whatever a fault left down comes back before anything else runs
        asyncio.run(dispose(env))


class Chaos:
    """The running system, its load and what was seen of it."""

    def __init__(self, env: Environment, site: Site) -> None:
        self.env = env
        self.site = site
        self.tally = Tally()
        self.app = RetryingApp(site, self.tally)
        self.sent: dict[str, list[str]] = {}
        self.findings: list[str] = []
        self.timeline: list[str] = []
        self.started = time.monotonic()
        self.load: list[asyncio.Task[None]] = []

    def note(self, what: str) -> None:
        self.timeline.append(f"{time.monotonic() - self.started:6.1f} s  {what}")

    async def site_app(self, project: str, stop: asyncio.Event) -> None:
        """Registration, the construction company's appointment, then inspection lots, in order,
        each sent until answered, until told to stop."""
        sent = self.sent.setdefault(project, [])
        opening = [*opened(project), appointment(project, "construction")]
        lots = (lot(project, n) for n in itertools.count(1))
        for event in itertools.chain(opening, lots):
            if stop.is_set() and len(sent) >= len(opening):
                return
            answer = await self.app.send(event)
            if answer.is_success:
                sent.append(event["id"])
            await asyncio.sleep(PAUSE_S)

    def total(self) -> int:
        return sum(len(ids) for ids in self.sent.values())

    async def decided(self) -> int:
        """Events decided so far (the database is up whenever this is asked)."""
        count = await decided_count(self.env)
        assert count is not None, "the environment's database does not answer"
        return count

    async def progress(self, at_least: int, deadline_s: float, *watched: Process) -> int:
        """Wait until ``at_least`` events are decided; the load and ``watched`` must stay alive."""
        end = time.monotonic() + deadline_s
        count: int | None = None
        while time.monotonic() < end:
            for task in self.load:
                if task.done():
                    task.result()  # an app that gave up fails the test here, with its reason
                    raise AssertionError("a site app stopped before it was told to")
            for process in watched:
                assert process.alive(), f"{process.name} died:\n{process.log_tail()}"
            count = await decided_count(self.env)
            if count is not None and count >= at_least:
                return count
            await asyncio.sleep(0.2)
        raise AssertionError(
            f"only {count} of {at_least} events decided after {deadline_s} s; "
            f"{self.tally.summary()}\n" + "\n".join(self.timeline)
        )

    async def completed_project(self) -> str:
        """A project staffed and completed, posted like a site app would: the code of the plaque
        its completion issued."""
        project = f"CHAOS-PLQ-{uuid.uuid4().hex[:6]}"
        sent = self.sent.setdefault(project, [])
        for event in [
            *staffed(project),
            lab_commissioned(project),
            witness_authorized(project),
            *accepted_unit(project),
            completion(project),
        ]:
            answer = await self.app.send(event)
            assert answer.is_success, answer.text
            sent.append(event["id"])

        async def plaque() -> str | None:
            answer = await self.site.get(f"/v1/projects/{project}")
            if answer.status_code != 200:
                return None
            issued: dict[str, Any] | None = answer.json().get("plaques", {}).get("1")
            return None if issued is None else str(issued["code"])

        code = await _polled(plaque, 60, f"no plaque issued for {project}")
        self.note(f"{project} completed, plaque issued")
        return code

    async def rendered(self, code: str, deadline_s: float) -> bool:
        async def png() -> bool | None:
            answer = await self.site.client.get(f"/v1/plaques/{code}.png")
            return True if answer.status_code == 200 else None

        try:
            await _polled(png, deadline_s, "")
        except AssertionError:
            return False
        return True


async def _polled(probe: Callable[[], Awaitable[T | None]], deadline_s: float, why: str) -> T:
    """The first answer of ``probe`` that is not None; a dropped connection is asked again."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        with contextlib.suppress(httpx.TransportError):
            if (found := await probe()) is not None:
                return found
        await asyncio.sleep(0.2)
    raise AssertionError(f"{why} within {deadline_s} s")


async def test_crashes_under_retrying_load_lose_and_double_nothing(
    chaos_environment: Environment,
) -> None:
    env = chaos_environment
    tokens = await issue_keys(env)
    recorder = Process("recorder", env).start()
    api: Api | None = None
    stop = asyncio.Event()
    chaos: Chaos | None = None
    try:
        api = await asyncio.to_thread(Api(env).start)
        async with httpx.AsyncClient(base_url=api.base_url, timeout=15) as client:
            chaos = Chaos(env, Site(client, tokens))
            projects = [f"CHAOS-{env.suffix}-{i}" for i in range(SITES)]
            chaos.load = [asyncio.create_task(chaos.site_app(p, stop)) for p in projects]
            decided = await chaos.progress(PROGRESS, 60, recorder)
            chaos.note(f"load running: {decided} decided")

            # a. The recorder, while it has a render worker (and the resource tracker) as children.
            first = await chaos.completed_project()
            assert await chaos.rendered(first, 30), f"plaque never rendered:\n{recorder.log_tail()}"
            worker = render_worker(recorder.pid)
            assert worker is not None, f"no render worker under the recorder {recorder.pid}"
            orphans = children(recorder.pid)
            base = await chaos.decided()
            recorder.kill()
            chaos.note(f"recorder killed -9 (children {[p.pid for p in orphans]})")
            if left := await until_gone(orphans, 10):
                chaos.findings.append(
                    "children outlived the recorder's kill -9: "
                    + "; ".join(f"{p.pid} {p.command()}" for p in left)
                )
                for process in left:  # started by our recorder: not left running
                    process.kill()
            recorder = Process("recorder", env).start()
            decided = await chaos.progress(base + PROGRESS, 90, recorder)
            chaos.note(f"new recorder deciding: {decided}")

            # b. The render worker of the new recorder: the recorder records on.
            second = await chaos.completed_project()
            assert await chaos.rendered(second, 30), (
                f"plaque never rendered:\n{recorder.log_tail()}"
            )
            worker = render_worker(recorder.pid)
            assert worker is not None, f"no render worker under the recorder {recorder.pid}"
            base = await chaos.decided()
            worker.kill()
            assert not await until_gone([worker], 10), "the render worker survived kill -9"
            chaos.note(f"render worker {worker.pid} killed -9")
            decided = await chaos.progress(base + PROGRESS, 60, recorder)
            chaos.note(f"recorder deciding on: {decided}")

            # c. The API; apps see refused connections and retry.
            base = await chaos.decided()
            api.kill()
            chaos.note("api killed -9")
            api = await asyncio.to_thread(Api(env).start)
            decided = await chaos.progress(base + PROGRESS, 60, recorder, api)
            chaos.note(f"new api serving: {decided}")

            # d. The broker.
            base = await chaos.decided()
            await crash_broker()
            chaos.note("broker killed -9")
            await stack_up()
            chaos.note("broker started again")
            decided = await chaos.progress(base + PROGRESS, 120, recorder, api)
            chaos.note(f"deciding after the broker's restart: {decided}")

            # e. PostgreSQL: immediate stop (crash recovery at start), started again at once.
            base = await chaos.decided()
            await crash_postgres()
            chaos.note("postgres stopped (immediate)")
            await stack_up()
            chaos.note("postgres started again")
            decided = await chaos.progress(base + PROGRESS, 90, recorder, api)
            chaos.note(f"deciding after PostgreSQL's restart: {decided}")

            stop.set()
            await asyncio.wait_for(asyncio.gather(*chaos.load), timeout=150)
            total = chaos.total()
            chaos.note(f"load ended: {total} events answered 2xx")
            await _settled(env, chaos, total)
            chaos.note("every event decided")

            # An app that waits for its outcome still hears of it after all the faults.
            for project in projects:
                closing = lot(project, 100_000)
                answer = await chaos.app.send(closing, wait=20)
                assert answer.status_code == 200 and answer.json()["status"] == "sealed", (
                    f"{project}: {answer.status_code} {answer.text}"
                )
                chaos.sent[project].append(closing["id"])

            await _assert_exactly_once(env, chaos)
            for project, ids in chaos.sent.items():
                verdict = (await chaos.site.get(f"/v1/projects/{project}/verify")).json()
                assert verdict["ok"] and verdict["length"] >= len(ids), verdict
            assert recorder.alive(), recorder.log_tail()
            chaos.note("checked")
    finally:
        stop.set()
        if chaos is not None:
            for task in chaos.load:
                task.cancel()
            await asyncio.gather(*chaos.load, return_exceptions=True)
            _keep_report(env, chaos)
        if api is not None:
            api.stop()
        recorder.stop()

    assert chaos is not None
    assert chaos.tally.server_errors == [], chaos.tally.server_errors[:10]
    assert chaos.tally.refused == [], chaos.tally.refused[:10]
    assert chaos.findings == [], "\n".join(chaos.findings)
    await _assert_published(env, chaos)


async def _settled(env: Environment, chaos: Chaos, total: int) -> None:
    """Every event the apps got a 2xx for is decided, within a deadline."""
    ids = [i for sent in chaos.sent.values() for i in sent]
    end = time.monotonic() + 90
    decided = 0
    while time.monotonic() < end:
        with contextlib.suppress(OSError, TimeoutError, asyncpg.PostgresError):
            conn = await database(env)
            try:
                decided = await conn.fetchval(
                    "SELECT count(*) FROM outcomes WHERE event_id = ANY($1)", ids
                )
            finally:
                await conn.close()
            if decided == total:
                return
        await asyncio.sleep(0.5)
    raise AssertionError(f"{total - decided} of {total} events never decided (lost)")


async def _assert_exactly_once(env: Environment, chaos: Chaos) -> None:
    """Each event sealed once, at its place: each trail holds exactly what its app sent (plus the
    system's own follow-ups, such as an issued plaque), in order, seq 1..n."""
    conn = await database(env)
    try:
        ids = [i for sent in chaos.sent.values() for i in sent]
        outcomes = await conn.fetch(
            "SELECT event_id, status, reason_code FROM outcomes WHERE event_id = ANY($1)", ids
        )
        assert len(outcomes) == len(ids) == len(set(ids))
        refused = [(r["event_id"], r["reason_code"]) for r in outcomes if r["status"] != "sealed"]
        assert refused == [], refused[:10]
        rejections = await conn.fetch("SELECT event_id, reason_code FROM rejections")
        assert rejections == [], [tuple(r) for r in rejections[:10]]
        for project, sent in chaos.sent.items():
            rows = await conn.fetch(
                "SELECT seq, event_id, type FROM trail WHERE project_id = $1 ORDER BY seq", project
            )
            assert [r["seq"] for r in rows] == list(range(1, len(rows) + 1)), project
            trail = [r["event_id"] for r in rows]
            assert len(set(trail)) == len(trail), f"{project}: an event sealed twice"
            mine = set(sent)
            assert [i for i in trail if i in mine] == sent, f"{project}: lost or out of order"
            system = [r["type"] for r in rows if r["event_id"] not in mine]
            if project.startswith("CHAOS-PLQ-"):
                assert system == ["qtrail.plaque.issued.v2"], system
            else:
                assert system == [], f"{project}: records nobody sent: {system}"
    finally:
        await conn.close()


async def _assert_published(env: Environment, chaos: Chaos) -> None:
    """Every sealed record reached the trail topic at least once (re-published after a crash)."""
    settings = env.settings
    published = {
        (m["record"]["project_id"], m["record"]["seq"])
        for m in map(
            json.loads,
            await read_all(settings, settings.topic_trail, settings.kafka_partitions),
        )
    }
    conn = await database(env)
    try:
        sealed = {
            (r["project_id"], r["seq"])
            for r in await conn.fetch(
                "SELECT project_id, seq FROM trail WHERE project_id = ANY($1)", list(chaos.sent)
            )
        }
    finally:
        await conn.close()
    missing = sorted(sealed - published)
    assert missing == [], f"{len(missing)} sealed records never published: {missing[:10]}"


def _keep_report(env: Environment, chaos: Chaos) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    lines = [
        *chaos.timeline,
        f"events answered 2xx: {chaos.total()} in {len(chaos.sent)} projects",
        chaos.tally.summary(),
        *(f"server error: {e}" for e in chaos.tally.server_errors[:20]),
        *(f"refused: {e}" for e in chaos.tally.refused[:20]),
        *(f"finding: {f}" for f in chaos.findings),
    ]
    (ARTIFACTS / f"chaos-{env.suffix}.txt").write_text("\n".join(lines) + "\n")


# ---------------------------------------------------------------- deploy/services.sh


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT does not count
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@pytest.fixture
def isolated_environment(stack: None) -> Iterator[Environment]:
    env = new_environment()
    asyncio.run(provision(env))
    try:
        yield env
    finally:
        asyncio.run(dispose(env))


async def test_services_start_again_after_their_processes_are_killed(
    isolated_environment: Environment, tmp_path: Path
) -> None:
    env = isolated_environment
    state = tmp_path / "state"
    http_port = int(env.env["QTRAIL_HTTP_PORT"])
    metrics_port = free_port()
    process_env = {
        **os.environ,
        **env.env,
        "QTRAIL_STATE_DIR": str(state),
        "QTRAIL_RECORDER_METRICS_PORT": str(metrics_port),
    }

    async def services(command: str) -> None:
        result = await asyncio.to_thread(
            subprocess.run,
            [str(ROOT / "deploy" / "services.sh"), command],
            env=process_env,
            capture_output=True,
            text=True,
            timeout=150,
        )
        logs = "\n".join(
            f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}"
            for log in sorted((state / "logs").glob("*.log"))
        )
        assert result.returncode == 0, (
            f"services.sh {command}:\n{result.stdout}{result.stderr}{logs}"
        )

    async def healthy() -> None:
        async with httpx.AsyncClient(timeout=10) as client:
            answer = await client.get(f"http://127.0.0.1:{http_port}/healthz")
        assert answer.status_code == 200, answer.text

    try:
        await services("up")
        await healthy()
        for _ in range(2):
            pids = {
                name: int((state / "run" / f"{name}.pid").read_text())
                for name in ("recorder", "api")
            }
            # The recorder is killed once it has children (the resource tracker of its render
            # pool, at least): those are what a crash could leave behind.
            end = time.monotonic() + 30
            while not children(pids["recorder"]) and time.monotonic() < end:
                await asyncio.sleep(0.2)
            assert children(pids["recorder"]), "the recorder never started its render pool"
            descendants = children(pids["recorder"])
            for pid in pids.values():
                os.kill(pid, signal.SIGKILL)
            await services("down")
            for name, pid in pids.items():
                assert await until_group_gone(pid, 15), f"{name}'s process group outlived down"
            assert not await until_gone(descendants, 5)
            assert _port_free(http_port), "the API's port is still taken after down"
            assert _port_free(metrics_port), "the recorder's metrics port is still taken after down"
            await services("up")
            await healthy()
            assert all(Pid.of(int((state / "run" / f"{name}.pid").read_text())) for name in pids)
    finally:
        with contextlib.suppress(AssertionError, subprocess.TimeoutExpired):
            await services("down")


# ---------------------------------------------------------------- the render worker


class NeverRendered(AssertionError):
    pass


async def test_plaques_are_still_rendered_after_the_render_worker_is_killed(
    isolated_environment: Environment,
) -> None:
    env = isolated_environment
    tokens = await issue_keys(env)
    recorder = Process("recorder", env).start()
    api: Api | None = None
    try:
        api = await asyncio.to_thread(Api(env).start)
        async with httpx.AsyncClient(base_url=api.base_url, timeout=15) as client:
            chaos = Chaos(env, Site(client, tokens))
            first = await chaos.completed_project()
            assert await chaos.rendered(first, 30), recorder.log_tail()
            worker = render_worker(recorder.pid)
            assert worker is not None, f"no render worker under the recorder {recorder.pid}"
            worker.kill()
            assert not await until_gone([worker], 10), "the render worker survived kill -9"
            second = await chaos.completed_project()
            if not await chaos.rendered(second, 20):
                raise NeverRendered(f"plaque {second} never rendered:\n{recorder.log_tail()}")
            assert recorder.alive(), recorder.log_tail()
    finally:
        if api is not None:
            api.stop()
        recorder.stop()
