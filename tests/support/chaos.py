"""Faults for chaos tests: crashes of processes found in /proc, of the stack's broker and database,
and site apps that retry like real offline apps. Every wait has a deadline."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import subprocess
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from tests.support.client import Site
from tests.support.stack import ROOT, Environment, ensure_stack


@dataclass(frozen=True)
class Pid:
    """A process as /proc knows it: its pid and its start time, so a reused pid is not mistaken
    for the process we meant."""

    pid: int
    started: int

    @classmethod
    def of(cls, pid: int) -> Pid | None:
        stat = _stat(pid)
        return None if stat is None else cls(pid, int(stat[19]))

    def alive(self) -> bool:
        """Running, and the same process: a zombie (dead, not yet reaped) counts as gone."""
        stat = _stat(self.pid)
        return stat is not None and int(stat[19]) == self.started and stat[0] != "Z"

    def command(self) -> str:
        try:
            raw = Path(f"/proc/{self.pid}/cmdline").read_bytes()
        except OSError:
            return ""
        return raw.replace(b"\0", b" ").decode(errors="replace").strip()

    def kill(self) -> None:
        if self.alive():
            os.kill(self.pid, signal.SIGKILL)


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name: state, ppid, ... (starttime at 19)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


def children(pid: int) -> list[Pid]:
    """The live children of ``pid``, by scanning /proc (no psutil, no /proc/<pid>/task/*/children
    on every kernel)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        stat = _stat(int(entry.name))
        if stat is not None and stat[0] != "Z" and int(stat[1]) == pid:
            found.append(Pid(int(entry.name), int(stat[19])))
    return found


def render_worker(recorder_pid: int) -> Pid | None:
    """The recorder's plaque-render worker: its spawned multiprocessing child that is not the
    resource tracker."""
    for child in children(recorder_pid):
        command = child.command()
        if "multiprocessing.spawn" in command and "resource_tracker" not in command:
            return child
    return None


async def until_gone(processes: list[Pid], deadline_s: float) -> list[Pid]:
    """Wait for ``processes`` to end; those still alive at the deadline."""
    end = time.monotonic() + deadline_s
    while True:
        left = [p for p in processes if p.alive()]
        if not left or time.monotonic() > end:
            return left
        await asyncio.sleep(0.1)


def group_exists(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


async def until_group_gone(pgid: int, deadline_s: float) -> bool:
    """Whether process group ``pgid`` ended before the deadline (zombies count until reaped)."""
    end = time.monotonic() + deadline_s
    while group_exists(pgid):
        if time.monotonic() > end:
            return False
        await asyncio.sleep(0.1)
    return True


# ---------------------------------------------------------------- the stack of deploy/stack.sh


def stack_state() -> Path:
    return Path(os.environ.get("QTRAIL_STATE_DIR", str(ROOT / ".state")))


def _pid_reaped(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


async def _until_reaped(pid: int, deadline_s: float) -> None:
    """deploy/stack.sh tells a running process by ``kill -0`` on its recorded pid, which a zombie
    still answers: wait until the pid is really free before asking it to start things again."""
    end = time.monotonic() + deadline_s
    while not _pid_reaped(pid):
        if time.monotonic() > end:
            raise AssertionError(f"process {pid} still present {deadline_s} s after kill -9")
        await asyncio.sleep(0.1)


async def stack_up() -> None:
    await asyncio.to_thread(ensure_stack)


async def crash_broker() -> None:
    """kill -9 of the Kafka broker, by the pid deploy/stack.sh recorded."""
    pid = int((stack_state() / "kafka" / "broker.pid").read_text().strip())
    os.kill(pid, signal.SIGKILL)
    await _until_reaped(pid, 30)


def _postgres_bindir() -> Path:
    dirs = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: [int(part) for part in p.parent.name.split(".") if part.isdigit()],
    )
    assert dirs, "no PostgreSQL binaries under /usr/lib/postgresql"
    return dirs[-1]


def _as_postgres(command: list[str]) -> list[str]:
    """deploy/stack.sh runs the cluster as the postgres user when it runs as root."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


async def crash_postgres() -> None:
    """Stop the stack's PostgreSQL in immediate mode: no checkpoint, every backend killed, crash
    recovery at the next start (which deploy/stack.sh does with the stack's own options)."""
    data = Path((stack_state() / "pg.location").read_text().strip()) / "data"
    pg_ctl = str(_postgres_bindir() / "pg_ctl")
    command = _as_postgres([pg_ctl, "stop", "-D", str(data), "-m", "immediate", "-w", "-t", "30"])
    result = await asyncio.to_thread(
        subprocess.run, command, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, f"pg_ctl stop failed:\n{result.stdout}\n{result.stderr}"


# ---------------------------------------------------------------- site apps


@dataclass
class Tally:
    """Every answer the apps got, and every failure to get one."""

    answers: Counter[int] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    """Answers ≥ 500 other than 503: never acceptable."""
    refused: list[str] = field(default_factory=list)
    """4xx answers: none is expected of valid events sent in order."""

    def summary(self) -> str:
        answers = ", ".join(f"{code}: {n}" for code, n in sorted(self.answers.items()))
        failures = ", ".join(f"{kind}: {n}" for kind, n in sorted(self.failures.items()))
        return f"answers {{{answers}}}; no answer {{{failures}}}"


class RetryingApp:
    """A site app's outbox: an event is sent again, under its id, until the API answers it with a
    2xx or a 4xx; connection errors, timeouts and 5xx only mean "later"."""

    def __init__(self, site: Site, tally: Tally, give_up_s: float = 120) -> None:
        self.site = site
        self.tally = tally
        self.give_up_s = give_up_s

    async def send(self, event: dict[str, Any], wait: float = 0) -> httpx.Response:
        end = time.monotonic() + self.give_up_s
        delay = 0.1
        while True:
            pause = delay
            try:
                answer = await self.site.post(event, wait)
            except httpx.TransportError as exc:  # refused, reset, timed out
                self.tally.failures[type(exc).__name__] += 1
            else:
                self.tally.answers[answer.status_code] += 1
                if answer.status_code < 500:
                    if answer.status_code >= 400:
                        self.tally.refused.append(
                            f"{event['id']}: {answer.status_code} {answer.text[:500]}"
                        )
                    return answer
                if answer.status_code != 503:
                    self.tally.server_errors.append(
                        f"{event['id']}: {answer.status_code} {answer.text[:500]}"
                    )
                # Retry-After is honoured, but capped: the test has a time budget.
                pause = min(float(answer.headers.get("retry-after", delay)), 1.0)
            if time.monotonic() > end:
                raise AssertionError(
                    f"{event['id']} was never answered within {self.give_up_s} s; "
                    f"{self.tally.summary()}"
                )
            await asyncio.sleep(pause * (0.5 + random.random()))
            delay = min(delay * 2, 2.0)


# ---------------------------------------------------------------- reading the outcome


async def database(environment: Environment) -> asyncpg.Connection:
    """A connection to the environment's database, as the integration tests' ``db`` fixture
    makes it (the read-only role)."""
    return await asyncpg.connect(environment.settings.dsn("reader"), timeout=10)


async def decided_count(environment: Environment) -> int | None:
    """Events decided so far in the environment's database, or None while it is unreachable."""
    try:
        conn = await database(environment)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return None
    try:
        return int(await conn.fetchval("SELECT count(*) FROM outcomes", timeout=3))
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
        return None
    finally:
        with contextlib.suppress(Exception):  # a connection the restart cut cannot close cleanly
            await conn.close(timeout=3)
