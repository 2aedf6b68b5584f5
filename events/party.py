"""Facts about the five responsible parties and their project leads (建质[2014]124号)."""

from __future__ import annotations

import datetime as dt

from pydantic import AwareDatetime, Field

from events.base import (
    ID_NUMBER_PATTERN,
    CreditCode,
    EventData,
    PartyRole,
    Person,
    Sha256Hex,
    ShortText,
    Text,
)


class PartyAppointed(EventData):
    """委托参建单位: the owner appoints an organization to one of the five roles, with its lead."""

    event_type = "qtrail.party.appointed.v1"
    title_zh = "委托参建单位"
    title_en = "Party appointed"

    role: PartyRole = Field(description="责任主体类别 / which of the five roles")
    org_name: Text = Field(description="单位全称 / organization's full name")
    org_code: CreditCode
    lead: Person = Field(
        description="项目负责人 / the organization's project lead for this project"
    )
    authorization_evidence: Sha256Hex = Field(
        description="法定代表人授权书 / the legal representative's authorization of the lead"
    )
    effective_from: AwareDatetime = Field(
        description="生效时间 / when the appointment takes effect"
    )


class LeadChanged(EventData):
    """项目负责人变更: a party's project lead is replaced; the old lead stays responsible for their period."""

    event_type = "qtrail.party.lead_changed.v1"
    title_zh = "项目负责人变更"
    title_en = "Lead changed"

    role: PartyRole
    new_lead: Person
    effective_at: AwareDatetime = Field(description="变更生效时间 / when the new lead takes over")
    reason: Text = Field(description="变更原因 / reason for the change")
    authorization_evidence: Sha256Hex = Field(
        description="新负责人的法定代表人授权书 / authorization of the new lead"
    )


class CommitmentSigned(EventData):
    """工程质量终身责任承诺书: a lead signs the lifelong quality-responsibility commitment."""

    event_type = "qtrail.party.commitment_signed.v1"
    title_zh = "工程质量终身责任承诺书"
    title_en = "Lifelong commitment signed"

    role: PartyRole
    lead_id_number: str = Field(
        pattern=ID_NUMBER_PATTERN, description="签署人的身份号码 / ID number of the signing lead"
    )
    signed_on: dt.date = Field(description="签署日期 / date signed")
    evidence: Sha256Hex = Field(description="承诺书扫描件 / the signed letter")


class WitnessAuthorized(EventData):
    """见证人授权: the owner or supervision authorizes a witness for sampling (建建[2000]211号)."""

    event_type = "qtrail.party.witness_authorized.v1"
    title_zh = "见证人授权"
    title_en = "Witness authorized"

    witness: Person
    witness_org_code: CreditCode = Field(
        description="见证人所在单位 / the witness's employer: the owner or the supervision party"
    )
    scope: list[ShortText] = Field(
        min_length=1,
        max_length=50,
        description="见证范围 / materials or tests the witness may witness",
    )
    evidence: Sha256Hex = Field(description="书面授权 / the written authorization")


class LabCommissioned(EventData):
    """委托检测机构: the owner commissions a testing lab (住建部令第57号 art. 21)."""

    event_type = "qtrail.party.lab_commissioned.v1"
    title_zh = "委托检测机构"
    title_en = "Lab commissioned"

    lab_name: Text
    lab_code: CreditCode
    qualification_certificate: ShortText = Field(
        description="检测机构资质证书编号 / lab qualification certificate"
    )
    scope: list[ShortText] = Field(
        min_length=1, max_length=50, description="委托检测范围 / commissioned scope"
    )
    evidence: Sha256Hex = Field(description="委托合同 / the commission contract")
