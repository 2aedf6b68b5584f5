"""Overdue warranty repairs: the recorder's periodic sweep.

A repair becomes overdue by the passing of time, not by a submitted fact, so something must look:
the leading recorder, on a timer, asks which projects hold an open defect past its due date and
seals a ``qtrail.warranty.repair_overdue.v1`` fact for each (``recording.decide_overdue``). The
fact's fold raises the alert the regulator sees; the builder's repair resolves it. Being on the
chain, the overdue repair is part of what a regulator replays, and a rebuild raises the same alert.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from services.application.ports import RepairsDue
from services.application.record_batch import BatchRecorder
from services.domain.calendar import china_day
from services.domain.recording import BatchDecision


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class OverdueRepairs:
    """The sweep's use case: find the projects with repairs past due, record what is overdue."""

    def __init__(
        self,
        due: RepairsDue,
        recorder: BatchRecorder,
        clock: Callable[[], dt.datetime] = _utc_now,
    ) -> None:
        self._due = due
        self._recorder = recorder
        self._clock = clock

    async def sweep(self) -> BatchDecision:
        """Seal every overdue repair not flagged yet; an empty decision when there is none."""
        now = self._clock()
        due = await self._due.projects_past_due(china_day(now))
        return await self._recorder.record_overdue(due, now)
