"""Shared building blocks of event payloads: strict models, roles and identifiers."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


class EventData(BaseModel):
    """Payload of one fact. Strict: unknown fields are refused, nothing is coerced silently."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    event_type: ClassVar[str]
    """CloudEvents ``type``, ``qtrail.<area>.<fact>.v<N>``."""


class Role(StrEnum):
    """The five responsible parties of a building project (建质[2014]124号), plus labs."""

    OWNER = "owner"  # 建设单位
    SURVEY = "survey"  # 勘察单位
    DESIGN = "design"  # 设计单位
    CONSTRUCTION = "construction"  # 施工单位
    SUPERVISION = "supervision"  # 监理单位
    LAB = "lab"  # 检测机构
    SYSTEM = "system"  # qtrail itself (evaluations, plaque issuance)


ProjectId = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$"),
    Field(description="项目编号 / stable project id: 3–64 of A–Z a–z 0–9 . _ -"),
]
"""Stable project id chosen by the owner's app; the Kafka key and the chain's name."""

Text = Annotated[str, StringConstraints(min_length=1, max_length=500)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=120)]
