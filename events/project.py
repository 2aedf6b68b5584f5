"""Facts about the project itself."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Self

from pydantic import Field, StringConstraints, model_validator

from events.base import CreditCode, EventData, ShortText, Text

AdminDivision = Annotated[
    str,
    StringConstraints(pattern=r"^[1-9][0-9]{5}$"),
    Field(description="行政区划代码 / administrative division code (GB/T 2260), 6 digits"),
]


class ProjectRegistered(EventData):
    """项目登记: the owner registers the project; it opens the project's chain."""

    event_type = "qtrail.project.registered.v2"
    title_zh = "项目登记"
    title_en = "Project registered"

    name: Text = Field(description="工程名称 / project name")
    address: Text = Field(description="工程地址 / site address")
    permit_number: ShortText = Field(
        description="施工许可证号或质量监督登记号 / construction permit or supervision registration number"
    )
    use: ShortText = Field(description="工程用途 / use of the building, e.g. 住宅 residential")
    structure_type: ShortText = Field(description="结构类型 / structure type, e.g. 框架-剪力墙")
    design_life_years: int = Field(
        ge=5,
        le=200,
        description="设计使用年限（年）/ design service life in years, typically 50 or 100",
    )
    planned_start: dt.date = Field(description="计划开工日期 / planned start date")
    planned_finish: dt.date = Field(description="计划竣工日期 / planned completion date")
    floor_area_m2: float = Field(
        gt=0, le=10_000_000, description="建筑面积（m²）/ gross floor area"
    )
    station: CreditCode | None = Field(
        default=None,
        description=(
            "质量监督机构 / the supervision station the project files with (its credit code); "
            "required: only registrations sealed before v2 have none"
        ),
    )
    division: AdminDivision | None = Field(
        default=None,
        description="工程所在地行政区划 / the site's division; required like station",
    )

    @model_validator(mode="after")
    def _finish_after_start(self) -> Self:
        if self.planned_finish < self.planned_start:
            raise ValueError(
                "planned_finish is before planned_start / 计划竣工日期早于计划开工日期"
            )
        return self


def registration_v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
    """v1 registrations named no station: they read as filed with none (the legacy status)."""
    return dict(payload)
