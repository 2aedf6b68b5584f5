"""Completion acceptance and the permanent plaque (竣工验收, 永久性标牌)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from events.acceptance import IMPLICIT_OR_UNIT_PATTERN, IMPLICIT_UNIT, WARRANTY_PARTS, WarrantyPart
from events.base import EventData, PartyRole, Sha256Hex, ShortText, Text


class CompletionAccepted(EventData):
    """竣工验收: the owner records a building's completion acceptance, signed by the five leads.

    v2 names the building (unit project). A v1 record, from before buildings were registered,
    upcasts to the implicit unit: the whole project."""

    event_type = "qtrail.project.completion_accepted.v2"
    title_zh = "竣工验收"
    title_en = "Completion accepted"

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


class PlaqueLead(BaseModel):
    """A lead who served on the project up to the building's completion, with their period:
    lifelong responsibility attaches to whoever led when the work was done."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: ShortText
    start: dt.date | None = Field(
        description="任职起始 / first day of their period; null: not recorded (a v1 plaque)"
    )
    end: dt.date | None = Field(
        description="任职截止 / last day of their period; null: still leading when the building was accepted"
    )


class PlaqueParty(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    role: PartyRole
    org_name: Text
    leads: list[PlaqueLead] = Field(
        min_length=1, max_length=50, description="历任项目负责人 / every lead who served, in order"
    )


class PlaqueWarranty(BaseModel):
    """One part's warranty in the building (建设工程质量管理条例 art. 40)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    part: WarrantyPart
    zh: ShortText
    en: ShortText
    years: int = Field(ge=1, le=200)
    until: dt.date = Field(description="保修期至 / the last day in warranty")


class PlaqueIssued(EventData):
    """永久性标牌签发 (system): one building's plaque, its fields and its signed code, as printed.

    v2 names the building, every lead who served with their period, and the warranty summary. A
    v1 plaque (one per project, the lead current at completion) upcasts to the implicit unit,
    its one lead per role with an unrecorded period, and no warranty summary."""

    event_type = "qtrail.plaque.issued.v2"
    title_zh = "永久性标牌签发"
    title_en = "Plaque issued"

    serial: int = Field(
        ge=1,
        description="标牌序号 / plaque serial on this project (every building's and reissue count up)",
    )
    code: str = Field(description="签名码 / the signed code the QR carries")
    url: str = Field(description="二维码网址 / the URL the QR encodes")
    unit_id: str = Field(
        pattern=IMPLICIT_OR_UNIT_PATTERN,
        description="单位工程编号 / the building the plaque is for",
    )
    unit_name: ShortText = Field(description="单位工程名称 / the building's name")
    project_name: Text
    design_life_years: int
    started_on: dt.date
    completed_on: dt.date
    parties: list[PlaqueParty] = Field(min_length=5, max_length=5)
    warranty: list[PlaqueWarranty] = Field(
        max_length=len(WARRANTY_PARTS),
        description="保修期限 / each part's warranty; empty on a v1 plaque",
    )
    warranty_issued_on: dt.date | None = Field(
        description="保修书签发日期 / the warranty certificate's date; null: none on the trail, the "
        "periods are art. 40's minimums (or, on a v1 plaque, not printed)"
    )
    replaces_serial: int | None = None
    caused_by: str


def plaque_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """A v1 plaque was the whole project's (the implicit unit) and named the one lead current at
    completion, with no period; it printed no warranty."""
    parties = [
        {
            "role": p["role"],
            "org_name": p["org_name"],
            "leads": [{"name": p["lead_name"], "start": None, "end": None}],
        }
        for p in data["parties"]
    ]
    return {
        **data,
        "unit_id": IMPLICIT_UNIT,
        "unit_name": data["project_name"][:120],
        "parties": parties,
        "warranty": [],
        "warranty_issued_on": None,
    }


class PlaqueInstalled(EventData):
    """标牌安装: the owner records where and when the plaque was installed."""

    event_type = "qtrail.plaque.installed.v1"
    title_zh = "标牌安装"
    title_en = "Plaque installed"

    serial: int = Field(ge=1)
    place: Text = Field(description="安装位置 / where on the building")
    installed_on: dt.date
    photos: list[Sha256Hex] = Field(default_factory=list, max_length=20)


class PlaqueRevoked(EventData):
    """标牌撤销: the owner revokes a plaque (e.g. after a lead's name was corrected), usually to reissue it."""

    event_type = "qtrail.plaque.revoked.v1"
    title_zh = "标牌撤销"
    title_en = "Plaque revoked"

    serial: int = Field(ge=1)
    reason: Text
    reissue: bool = Field(
        default=True, description="是否重新签发 / issue a new plaque in its place"
    )
