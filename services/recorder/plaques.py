"""The plaque agent: renders every issued plaque once, off the event loop, into the plaque store.

It follows the trail topic; rendering is idempotent (files are keyed by the plaque's code), so a
redelivered record costs a file check, nothing more.
"""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ProcessPoolExecutor

import structlog

from events.completion import PlaqueIssued
from services.adapters.plaques.render import render_all
from services.adapters.plaques.store import PlaqueFiles

log = structlog.get_logger()


class PlaqueRenderer:
    def __init__(self, files: PlaqueFiles, pool: ProcessPoolExecutor) -> None:
        self._files = files
        self._pool = pool

    async def handle(self, message: bytes) -> bool:
        """Render the plaque a trail message issues, if it is one; True when files were written."""
        body = json.loads(message)
        record = body["record"]
        if record["type"] != PlaqueIssued.event_type:
            return False
        data = record["data"]
        if self._files.has(data["code"]):
            return False
        files = await asyncio.get_running_loop().run_in_executor(
            self._pool, render_all, data, data["url"]
        )
        await self._files.put(data["code"], files)
        log.info("plaque rendered", project=record["project_id"], serial=data["serial"])
        return True
