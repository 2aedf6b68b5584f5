"""The plaque agent: renders every issued plaque once, off the event loop, into the plaque store.

It follows the trail topic; rendering is idempotent (files are keyed by the plaque's code), so a
redelivered record costs a file check, nothing more.
"""

from __future__ import annotations

import asyncio
import ctypes
import json
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import structlog

from events.completion import PlaqueIssued
from events.registry import parse_data
from services.adapters.plaques.render import render_all
from services.adapters.plaques.store import PlaqueFiles

log = structlog.get_logger()
PLAQUE_ISSUED = PlaqueIssued.event_type.rsplit(".", 1)[0] + "."
"""Every version of the plaque fact: a redelivered v1 record renders too."""
_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """In the render worker: end when the recorder ends, however it ends (kill -9 included)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the recorder died before the line above took effect
        os._exit(0)


def render_pool() -> ProcessPoolExecutor:
    """One render worker, started fresh (spawn, not fork): it inherits no listening socket, no
    signal handler and no broker connection of the recorder's, and it dies with the recorder."""
    return ProcessPoolExecutor(
        max_workers=1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_die_with_parent,
        initargs=(os.getpid(),),
    )


class PlaqueRenderer:
    """Owns its render worker: one that died (killed, out of memory) is replaced and the plaque
    rendered again, so a lost worker never leaves a plaque unrendered."""

    def __init__(
        self, files: PlaqueFiles, pool_factory: Callable[[], ProcessPoolExecutor] = render_pool
    ) -> None:
        self._files = files
        self._factory = pool_factory
        self._pool = pool_factory()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    async def _render(self, data: dict[str, Any]) -> dict[str, bytes]:
        for _ in range(3):
            try:
                return await asyncio.get_running_loop().run_in_executor(
                    self._pool, render_all, data, data["url"]
                )
            except BrokenProcessPool:
                log.warning("render worker lost; starting a new one")
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._factory()
        raise RuntimeError("render workers keep dying")

    async def handle(self, message: bytes) -> bool:
        """Render the plaque a trail message issues, if it is one; True when files were written."""
        body = json.loads(message)
        record = body["record"]
        if not record["type"].startswith(PLAQUE_ISSUED):
            return False
        _, issued = parse_data(record["type"], record["data"])  # a v1 plaque renders as v2
        data = issued.model_dump(mode="json")
        if self._files.has(data["code"]):
            return False
        files = await self._render(data)
        await self._files.put(data["code"], files)
        log.info("plaque rendered", project=record["project_id"], serial=data["serial"])
        return True
