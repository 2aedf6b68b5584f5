"""Shared building blocks of event payloads: strict models, roles and identifiers."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, ClassVar, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


class EventData(BaseModel):
    """Payload of one fact. Strict: unknown fields are refused, nothing is coerced silently."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    event_type: ClassVar[str]
    """CloudEvents ``type``, ``qtrail.<area>.<fact>.v<N>``."""
    title_zh: ClassVar[str]
    """The fact's short name in Chinese, as a regulator's page heads it (e.g. 项目登记)."""
    title_en: ClassVar[str]
    """The same name in English, shown alongside."""


class Role(StrEnum):
    """The five responsible parties of a building project (建质[2014]124号), labs, qtrail itself
    and the supervision station."""

    OWNER = "owner"  # 建设单位
    SURVEY = "survey"  # 勘察单位
    DESIGN = "design"  # 设计单位
    CONSTRUCTION = "construction"  # 施工单位
    SUPERVISION = "supervision"  # 监理单位
    LAB = "lab"  # 检测机构
    SYSTEM = "system"  # qtrail itself (evaluations, plaque issuance)
    REGULATOR = "regulator"  # 质量监督机构: the supervision station


ProjectId = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$"),
    Field(description="项目编号 / stable project id: 3–64 of A–Z a–z 0–9 . _ -"),
]
"""Stable project id chosen by the owner's app; the Kafka key and the chain's name."""

Text = Annotated[str, StringConstraints(min_length=1, max_length=500)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=120)]

Sha256Hex = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9a-f]{64}$"),
    Field(description="证据文件的 SHA-256（小写十六进制）/ evidence file SHA-256, lowercase hex"),
]
"""Evidence files are referenced by content hash; the file may be uploaded later (offline sync)."""

CREDIT_CODE_PATTERN = r"^[0-9A-Z]{18}$"
"""A unified social credit code's shape (GB 32100-2015); its check character is the domain's."""
EVENT_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$"
"""An event id's shape (e.g. a UUIDv7 made on site)."""
ID_NUMBER_PATTERN = r"^[0-9]{17}[0-9X]$"
"""A citizen ID number's shape (GB 11643); its check character is the domain's."""

CreditCode = Annotated[
    str,
    StringConstraints(pattern=CREDIT_CODE_PATTERN),
    Field(
        description="统一社会信用代码 / unified social credit code (GB 32100-2015), 18 characters"
    ),
]

IdNumber = Annotated[
    str,
    StringConstraints(pattern=ID_NUMBER_PATTERN),
    Field(
        description="公民身份号码 / citizen ID number (GB 11643); personal data, shown to regulators only"
    ),
]

PartyRole = Literal["owner", "survey", "design", "construction", "supervision"]
"""The five responsible parties (Role values), as a type for payload fields: a Literal, not the
enum, so payloads stay plain strings and the published JSON Schemas keep their shape."""

PARTY_ROLES: tuple[PartyRole, ...] = get_args(PartyRole)
"""The five responsible parties, in the order Article 20 names them."""

if tuple(Role)[:5] != PARTY_ROLES:  # pragma: no cover - the two spellings must never drift
    raise ImportError(f"PartyRole {PARTY_ROLES} is not the first five Role values")

PARTIES: frozenset[Role] = frozenset(Role(role) for role in PARTY_ROLES)
"""The five responsible parties as roles an actor acts in."""

ROLE_NAMES: dict[str, tuple[str, str]] = {
    Role.OWNER.value: ("建设单位", "Owner"),
    Role.SURVEY.value: ("勘察单位", "Survey"),
    Role.DESIGN.value: ("设计单位", "Design"),
    Role.CONSTRUCTION.value: ("施工单位", "Construction"),
    Role.SUPERVISION.value: ("监理单位", "Supervision"),
}
"""Each party's name, in Chinese and English: one place for every page, plaque and message."""


class Person(BaseModel):
    """A named individual with a practising registration, e.g. a project lead or a witness."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    name: ShortText = Field(description="姓名 / full name")
    id_number: IdNumber
    registration_number: ShortText | None = Field(
        default=None, description="注册执业证号 / registration certificate number"
    )
    qualification: ShortText | None = Field(
        default=None, description="执业资格 / registered qualification, e.g. 一级注册建造师"
    )
