"""Facts of the acceptance hierarchy (GB 50300-2013): buildings, sub-items, divisions, the
per-dwelling acceptance, the notice to the supervision station and the warranty certificate.

Quality is built upward: inspection lot (检验批) → sub-item (分项工程) → division (分部工程) →
unit project (单位工程, one building). Each building is accepted on its own and gets its own
permanent plaque.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, Self, get_args

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from events.base import EventData, PartyRole, Sha256Hex, ShortText

UNIT_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$"

UnitId = Annotated[
    str,
    StringConstraints(pattern=UNIT_ID_PATTERN),
    Field(
        description="单位工程编号 / the building's id in the project, e.g. B1: 1–32 of A–Z a–z 0–9 _ -"
    ),
]

IMPLICIT_UNIT = "_project"
"""The unit project a chain recorded before buildings were registered is read as: the whole
project, one building. No registration may use it (it does not match ``UNIT_ID_PATTERN``)."""
IMPLICIT_OR_UNIT_PATTERN = rf"{UNIT_ID_PATTERN}|^{IMPLICIT_UNIT}$"

DwellingId = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,23}$"),
    Field(description="户号 / a dwelling's number in the building, e.g. 1-0301"),
]

Division = Literal[
    "foundation",
    "main_structure",
    "decoration",
    "roof",
    "plumbing_heating",
    "ventilation",
    "electrical",
    "intelligent",
    "energy",
    "elevator",
]
"""The ten divisions (分部工程) of GB 50300-2013 Appendix B, in its order (codes 01–10); their
names, clauses and the leads who sign each are in ``tables/gb-50300-2013.json``."""

DIVISIONS: tuple[Division, ...] = get_args(Division)
ALWAYS_PRESENT: tuple[Division, ...] = ("foundation", "main_structure")
"""Every building has a foundation and a structure; the other divisions are declared per building."""

WarrantyPart = Literal[
    "foundation_structure",
    "waterproofing",
    "heating_cooling",
    "electrical_plumbing",
    "decoration",
]
"""The parts the Construction Quality Regulations Art. 40 gives a minimum warranty period;
the periods are in ``tables/warranty-2000.json``."""

WARRANTY_PARTS: tuple[WarrantyPart, ...] = get_args(WarrantyPart)


class UnitRegistered(EventData):
    """单位工程登记: the owner registers one building of the project, with its divisions and,
    for housing, its dwellings."""

    event_type = "qtrail.project.unit_registered.v1"
    title_zh = "单位工程登记"
    title_en = "Building registered"

    unit_id: UnitId
    name: ShortText = Field(description="单位工程名称 / the building's name, e.g. 1号楼")
    housing: bool = Field(
        description="是否住宅 / housing: every dwelling is accepted on its own (分户验收) before completion"
    )
    dwellings: list[DwellingId] = Field(
        default_factory=list,
        max_length=5000,
        description="户号清单 / every dwelling of a housing building",
    )
    divisions: list[Division] = Field(
        min_length=2,
        max_length=len(DIVISIONS),
        description="分部工程 / the divisions this building has (GB 50300-2013 Appendix B)",
    )
    floors_above: int = Field(ge=1, le=200, description="地上层数 / storeys above ground")
    floors_below: int = Field(default=0, ge=0, le=20, description="地下层数 / storeys below ground")
    floor_area_m2: float = Field(gt=0, le=10_000_000, description="建筑面积（m²）/ floor area")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if len(set(self.divisions)) != len(self.divisions):
            raise ValueError("divisions: each division at most once / 分部工程重复")
        missing = [d for d in ALWAYS_PRESENT if d not in self.divisions]
        if missing:
            raise ValueError(
                f"divisions: every building has {', '.join(missing)} / 缺少地基与基础或主体结构"
            )
        if len(set(self.dwellings)) != len(self.dwellings):
            raise ValueError("dwellings: each dwelling at most once / 户号重复")
        if self.housing and not self.dwellings:
            raise ValueError("dwellings: a housing building lists its dwellings / 住宅须列出户号")
        if not self.housing and self.dwellings:
            raise ValueError("dwellings: only housing lists dwellings / 非住宅不列户号")
        return self


class SubitemAccepted(EventData):
    """分项工程验收 (GB 50300-2013 §6.0.2): the supervision engineer accepts a sub-item from its
    accepted inspection lots."""

    event_type = "qtrail.acceptance.subitem_accepted.v1"
    title_zh = "分项工程验收"
    title_en = "Sub-item accepted"

    unit_id: UnitId
    division: Division
    subitem: ShortText = Field(description="分项工程名称 / the sub-item, e.g. 钢筋 or 混凝土")
    inspection_lots: list[ShortText] = Field(
        min_length=1,
        max_length=500,
        description="检验批编号 / the accepted inspection lots it is made of",
    )
    accepted_on: dt.date
    record: Sha256Hex = Field(description="分项工程质量验收记录 / the signed acceptance record")


class DivisionAccepted(EventData):
    """分部工程验收 (GB 50300-2013 §6.0.3): the chief supervising engineer accepts a division,
    signed by the leads the standard calls for it."""

    event_type = "qtrail.acceptance.division_accepted.v1"
    title_zh = "分部工程验收"
    title_en = "Division accepted"

    unit_id: UnitId
    division: Division
    subitems: list[ShortText] = Field(
        min_length=1, max_length=100, description="分项工程 / the accepted sub-items it is made of"
    )
    accepted_on: dt.date
    lead_signatures: dict[PartyRole, Sha256Hex] = Field(
        description="项目负责人签字 / each signing lead's signed page, by role"
    )
    record: Sha256Hex = Field(description="分部工程质量验收记录 / the signed acceptance record")


class DwellingResult(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    dwelling: DwellingId
    passed: bool
    issues: list[ShortText] = Field(
        default_factory=list, max_length=50, description="问题 / what failed, when it did"
    )

    @model_validator(mode="after")
    def _failed_says_why(self) -> Self:
        if not self.passed and not self.issues:
            raise ValueError("issues: a failed dwelling names what failed / 不合格须列出问题")
        return self


class DwellingsAccepted(EventData):
    """分户验收: the owner, the builder and the supervision inspect dwellings one by one; the
    supervision records the results. A dwelling that failed is inspected again later."""

    event_type = "qtrail.acceptance.dwellings_accepted.v1"
    title_zh = "分户验收"
    title_en = "Dwellings accepted"

    unit_id: UnitId
    inspected_on: dt.date
    results: list[DwellingResult] = Field(min_length=1, max_length=5000)
    record: Sha256Hex = Field(description="分户验收记录 / the signed per-dwelling records")

    @model_validator(mode="after")
    def _each_once(self) -> Self:
        names = [r.dwelling for r in self.results]
        if len(set(names)) != len(names):
            raise ValueError("results: each dwelling at most once / 户号重复")
        return self


class AcceptanceNoticeFiled(EventData):
    """竣工验收告知: the owner tells the supervision station when and how it will accept a building,
    at least seven working days ahead (房屋建筑和市政基础设施工程竣工验收规定 art. 6)."""

    event_type = "qtrail.acceptance.notice_filed.v1"
    title_zh = "竣工验收告知"
    title_en = "Acceptance notice filed"

    unit_id: UnitId
    planned_on: dt.date = Field(description="计划验收日期 / the planned acceptance date")
    filed_on: dt.date = Field(description="告知日期 / the day the station was told")
    station: ShortText = Field(description="质量监督机构 / the supervision station told")
    evidence: Sha256Hex = Field(description="告知书回执 / the station's receipt")


class WarrantyTerm(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    part: WarrantyPart
    years: int | None = Field(
        default=None, ge=1, le=200, description="保修年限 / years (None: the design service life)"
    )
    seasons: int | None = Field(
        default=None, ge=1, le=20, description="采暖或供冷期 / heating or cooling seasons"
    )


class WarrantyIssued(EventData):
    """工程质量保修书: the builder gives the owner the warranty certificate of a building, a
    condition of completion acceptance (建设工程质量管理条例 art. 39–40)."""

    event_type = "qtrail.acceptance.warranty_issued.v1"
    title_zh = "工程质量保修书"
    title_en = "Warranty certificate issued"

    unit_id: UnitId
    issued_on: dt.date
    terms: list[WarrantyTerm] = Field(min_length=1, max_length=len(WARRANTY_PARTS))
    repair_days: int = Field(
        ge=1,
        le=90,
        description="约定修复期限（日）/ days agreed to repair a reported defect (房屋建筑工程质量保修办法 art. 9)",
    )
    evidence: Sha256Hex = Field(description="保修书 / the signed certificate")

    @model_validator(mode="after")
    def _each_part_once(self) -> Self:
        parts = [t.part for t in self.terms]
        if len(set(parts)) != len(parts):
            raise ValueError("terms: each part at most once / 保修部位重复")
        return self
