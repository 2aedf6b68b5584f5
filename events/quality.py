"""Facts about quality acceptance on site."""

from __future__ import annotations

from pydantic import Field

from events.base import EventData, ShortText, Text


class InspectionLotAccepted(EventData):
    """检验批验收: an inspection lot of a part of the building is accepted."""

    event_type = "qtrail.quality.inspection_lot_accepted.v1"

    lot_code: ShortText = Field(description="检验批编号 / inspection lot code")
    building_part: Text = Field(description="部位 / part of the building, e.g. 3层梁板")
    items: list[ShortText] = Field(
        min_length=1, max_length=200, description="验收项目 / items inspected"
    )
