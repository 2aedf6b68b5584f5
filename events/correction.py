"""Corrections: nothing is ever edited; a correction is a new fact that references the old one."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from events.base import EVENT_ID_PATTERN, EventData, Text


class RecordCorrected(EventData):
    """更正: corrects fields of an earlier event, with the reason. The original stays on the chain."""

    event_type = "qtrail.record.corrected.v1"
    title_zh = "更正"
    title_en = "Record corrected"

    corrects_event_id: str = Field(
        pattern=EVENT_ID_PATTERN,
        description="被更正事件编号 / id of the corrected event",
    )
    reason: Text = Field(description="更正原因 / why")
    changes: dict[str, Any] = Field(
        min_length=1,
        description="更正后的字段值 / corrected field values, by field path, e.g. lead.name",
    )
