"""Completion acceptance and the permanent plaque (竣工验收, 永久性标牌)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from events.acceptance import IMPLICIT_OR_UNIT_PATTERN, IMPLICIT_UNIT
from events.base import EventData, PartyRole, Sha256Hex, ShortText, Text


class CompletionAccepted(EventData):
    """竣工验收: the owner records a building's completion acceptance, signed by the five leads.

    v2 names the building (unit project). A v1 record, from before buildings were registered,
    upcasts to the implicit unit: the whole project."""

    event_type = "qtrail.project.completion_accepted.v2"

    unit_id: str = Field(
        pattern=IMPLICIT_OR_UNIT_PATTERN, description="单位工程编号 / the building accepted"
    )
    accepted_on: dt.date = Field(description="竣工验收日期 / date of completion acceptance")
    started_on: dt.date = Field(description="开工日期 / actual construction start date")
    lead_signatures: dict[PartyRole, Sha256Hex] = Field(
        description="五方项目负责人签字页 / each of the five leads' signed page, by role"
    )
    acceptance_record: Sha256Hex = Field(description="竣工验收报告 / the acceptance report")


def completion_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """A v1 completion accepted the whole project: the implicit unit."""
    return {**data, "unit_id": IMPLICIT_UNIT}


class PlaqueParty(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    role: PartyRole
    org_name: Text
    lead_name: ShortText


class PlaqueIssued(EventData):
    """永久性标牌签发 (system): the plaque's fields and its signed code, as printed."""

    event_type = "qtrail.plaque.issued.v1"

    serial: int = Field(
        ge=1, description="标牌序号 / plaque serial on this project (reissues count up)"
    )
    code: str = Field(description="签名码 / the signed code the QR carries")
    url: str = Field(description="二维码网址 / the URL the QR encodes")
    project_name: Text
    design_life_years: int
    started_on: dt.date
    completed_on: dt.date
    parties: list[PlaqueParty] = Field(min_length=5, max_length=5)
    replaces_serial: int | None = None
    caused_by: str


class PlaqueInstalled(EventData):
    """标牌安装: the owner records where and when the plaque was installed."""

    event_type = "qtrail.plaque.installed.v1"

    serial: int = Field(ge=1)
    place: Text = Field(description="安装位置 / where on the building")
    installed_on: dt.date
    photos: list[Sha256Hex] = Field(default_factory=list, max_length=20)


class PlaqueRevoked(EventData):
    """标牌撤销: the owner revokes a plaque (e.g. after a lead's name was corrected), usually to reissue it."""

    event_type = "qtrail.plaque.revoked.v1"

    serial: int = Field(ge=1)
    reason: Text
    reissue: bool = Field(
        default=True, description="是否重新签发 / issue a new plaque in its place"
    )
