"""The responsibility ledger inside a project's state: parties, leads and their periods.

Lifelong responsibility is per period (建质[2014]124号): when a lead changes, the old lead stays
responsible for the work done in their period. So leads are never replaced in place; each has a
start and, once replaced, an end.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from events.base import PARTY_ROLES
from services.domain import reasons
from services.domain.reasons import Reason


class EventRef(BaseModel):
    """Where a fact was sealed: the proof a regulator can look up."""

    model_config = ConfigDict(frozen=True)

    event_id: str
    seq: int


class Commitment(BaseModel):
    model_config = ConfigDict(frozen=True)

    signed_on: dt.date
    evidence: str
    ref: EventRef


class LeadPeriod(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    id_number: str
    registration_number: str | None = None
    qualification: str | None = None
    start: dt.datetime
    end: dt.datetime | None = None
    """None while the lead is current."""
    authorization_evidence: str
    appointed_by: EventRef
    commitment: Commitment | None = None
    acknowledged: EventRef | None = None
    """The station's acknowledgement of this lead's authorization and commitment filing."""
    corrected_by: list[EventRef] = []

    def covers(self, moment: dt.datetime) -> bool:
        return self.start <= moment and (self.end is None or moment < self.end)


class Party(BaseModel):
    model_config = ConfigDict(frozen=True)

    role: str
    org_name: str
    org_code: str
    appointed_by: EventRef
    leads: list[LeadPeriod]

    @property
    def current_lead(self) -> LeadPeriod | None:
        return next((lead for lead in reversed(self.leads) if lead.end is None), None)

    def lead_at(self, moment: dt.datetime) -> LeadPeriod | None:
        return next((lead for lead in self.leads if lead.covers(moment)), None)


class Witness(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    id_number: str
    org_code: str
    scope: list[str]
    evidence: str
    ref: EventRef


class Lab(BaseModel):
    model_config = ConfigDict(frozen=True)

    lab_code: str
    name: str
    qualification_certificate: str
    scope: list[str]
    evidence: str
    ref: EventRef


class NonconformanceStatus(StrEnum):
    OPEN = "open"
    RECTIFIED = "rectified"
    CLOSED = "closed"


class Nonconformance(BaseModel):
    model_config = ConfigDict(frozen=True)

    nonconformance_id: str
    building_part: str
    description: str
    severity: str
    blocking: bool
    status: NonconformanceStatus
    raised_by: EventRef
    rectified_by: EventRef | None = None
    closed_by: EventRef | None = None


class AccidentStatus(StrEnum):
    REPORTED = "reported"
    GRADED = "graded"
    INVESTIGATED = "investigated"
    CLOSED = "closed"


class Accident(BaseModel):
    """A quality accident from its report through its grade (建质〔2010〕111号 §2), investigation
    and closure, each step by the supervision station."""

    model_config = ConfigDict(frozen=True)

    accident_id: str
    happened_at: dt.datetime
    building_part: str
    description: str
    casualties: int
    ref: EventRef
    grade: str | None = None
    """``especially_serious``, ``serious``, ``larger`` or ``ordinary``, once graded."""
    deaths: int | None = None
    serious_injuries: int | None = None
    direct_loss_cny: float | None = None
    reported_to_authority_at: dt.datetime | None = None
    """When the owner reported it to the authority (1 hour allowed, §3(一))."""
    graded: EventRef | None = None
    investigated: EventRef | None = None
    concluded_on: dt.date | None = None
    cause: str | None = None
    investigation_report: str | None = None
    closed: EventRef | None = None
    closed_on: dt.date | None = None
    findings: str | None = None

    @property
    def status(self) -> AccidentStatus:
        if self.closed is not None:
            return AccidentStatus.CLOSED
        if self.investigated is not None:
            return AccidentStatus.INVESTIGATED
        if self.graded is not None:
            return AccidentStatus.GRADED
        return AccidentStatus.REPORTED


class Correction(BaseModel):
    model_config = ConfigDict(frozen=True)

    corrects_event_id: str
    reason: str
    changes: dict[str, object]
    ref: EventRef


FIVE_ROLES = PARTY_ROLES
"""The five roles the archive needs (the catalog's ``PARTY_ROLES``)."""


class ArchiveGap(BaseModel):
    """One missing item of the responsibility archive (质量终身责任信息档案)."""

    model_config = ConfigDict(frozen=True)

    code: str
    role: str
    lead: str | None = None
    detail_zh: str
    detail_en: str


def _gap(reason: Reason, role: str, lead: str | None = None, /, **values: str) -> ArchiveGap:
    said = reason.format(**values)
    return ArchiveGap(
        code=said.code, role=role, lead=lead, detail_zh=said.message_zh, detail_en=said.message_en
    )


def archive_gaps(parties: dict[str, Party], uploaded: set[str] | None = None) -> list[ArchiveGap]:
    """What the archive still lacks: unappointed roles, leads without commitment, missing files.

    ``uploaded`` is the set of evidence hashes received; None skips the file check.
    """
    gaps: list[ArchiveGap] = []
    for role in FIVE_ROLES:
        party = parties.get(role)
        if party is None:
            gaps.append(_gap(reasons.ROLE_UNAPPOINTED, role, role=role))
            continue
        if party.current_lead is None:
            gaps.append(_gap(reasons.NO_CURRENT_LEAD, role))
        for lead in party.leads:
            if lead.commitment is None:
                gaps.append(_gap(reasons.COMMITMENT_MISSING, role, lead.name, lead=lead.name))
            if uploaded is not None:
                files = [lead.authorization_evidence]
                if lead.commitment is not None:
                    files.append(lead.commitment.evidence)
                gaps += [
                    _gap(reasons.EVIDENCE_PENDING, role, lead.name, sha=sha[:12])
                    for sha in files
                    if sha not in uploaded
                ]
    return gaps
