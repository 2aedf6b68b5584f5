"""The CloudEvents 1.0 envelope every qtrail fact travels in.

The actor travels as three CloudEvents extension attributes (``actororg``, ``actorperson``,
``actorrole``): extension names must be lowercase alphanumerics, so they cannot nest.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from events.base import CREDIT_CODE_PATTERN, EVENT_ID_PATTERN, ProjectId, Role


def _not_reserved(value: str) -> str:
    if value.startswith("sys-"):
        raise ValueError("the prefix sys- is reserved for facts qtrail seals itself")
    return value


EventId = Annotated[
    str,
    StringConstraints(pattern=EVENT_ID_PATTERN),
    AfterValidator(_not_reserved),
    Field(
        description="事件编号 / event id made on site (e.g. UUIDv7), so an offline retry is idempotent; "
        "the prefix sys- is reserved for facts qtrail seals itself"
    ),
]

OrgCode = Annotated[
    str,
    StringConstraints(pattern=CREDIT_CODE_PATTERN),
    Field(description="统一社会信用代码 / unified social credit code, 18 characters"),
]


class Envelope(BaseModel):
    """One submitted fact, as a site app sends it (structured mode body)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    specversion: Literal["1.0"]
    id: EventId
    source: Annotated[str, StringConstraints(min_length=1, max_length=256)] = Field(
        description="提交来源 / the submitting app or device"
    )
    type: Annotated[str, StringConstraints(pattern=r"^qtrail\.[a-z_]+\.[a-z_]+\.v[1-9][0-9]*$")]
    subject: ProjectId
    time: AwareDatetime = Field(description="发生时间（现场时钟）/ when it happened, site clock")
    datacontenttype: Literal["application/json"] = "application/json"
    dataschema: str | None = None
    actororg: OrgCode
    actorperson: Annotated[str, StringConstraints(min_length=1, max_length=64)] = Field(
        description="操作人 / the person acting"
    )
    actorrole: Role = Field(description="操作角色 / the role the organization acts in")
    data: dict[str, Any]

    @property
    def occurred_at(self) -> dt.datetime:
        return self.time.astimezone(dt.UTC)
