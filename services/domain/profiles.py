"""An organization's quality-credit profile (Article 15): across every project it took part in,
the roles it held, its leads, and what went wrong where it answered for the work.

Pure: the gateway hands it the folded states of the projects the organization appears in. What
is counted against an organization is what its own role answers for: nonconformances on the
builder, failed material results on the builder and the lab that tested them, notices on the
party they were addressed to, findings of responsibility on the party found.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from services.domain.state import ProjectState, Verdict


class ProjectRecord(BaseModel):
    """One project's part of the profile."""

    model_config = ConfigDict(frozen=True)

    project_id: str
    project_name: str
    roles: list[str]
    leads: list[str]
    nonconformances: int
    failed_materials: int
    open_alerts: int
    rectification_notices: int
    accidents: int
    findings: int


class OrganizationProfile(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    names: list[str]
    """Every name the organization was recorded under."""
    projects: list[ProjectRecord]

    def totals(self) -> dict[str, int]:
        keys = (
            "nonconformances",
            "failed_materials",
            "open_alerts",
            "rectification_notices",
            "accidents",
            "findings",
        )
        return {"projects": len(self.projects)} | {
            k: sum(getattr(p, k) for p in self.projects) for k in keys
        }


def _record(code: str, state: ProjectState) -> tuple[ProjectRecord, set[str]] | None:
    roles = sorted(role for role, party in state.parties.items() if party.org_code == code)
    names = {party.org_name for party in state.parties.values() if party.org_code == code}
    if state.owner_org == code and "owner" not in roles:
        roles.insert(0, "owner")
    lab = state.labs.get(code)
    if lab is not None:
        roles.append("lab")
        names.add(lab.name)
    if not roles:
        return None
    builds = "construction" in roles
    failed = [
        r
        for r in state.reports.values()
        if r.verdict is Verdict.FAIL and (builds or r.lab_code == code)
    ]
    record = ProjectRecord(
        project_id=state.project_id,
        project_name=state.profile.name if state.profile else state.project_id,
        roles=roles,
        leads=sorted(
            {lead.name for r in roles if r in state.parties for lead in state.parties[r].leads}
        ),
        nonconformances=len(state.nonconformances) if builds else 0,
        failed_materials=len(failed),
        open_alerts=sum(1 for a in state.alerts.values() if a.resolved_by is None),
        rectification_notices=sum(
            1 for n in state.rectifications.values() if n.addressed_to in roles
        ),
        accidents=len(state.accidents),
        findings=sum(1 for f in state.findings.values() if f.org_code == code),
    )
    return record, names


def organization_profile(code: str, states: Iterable[ProjectState]) -> OrganizationProfile:
    records, names = [], set()
    for state in states:
        found = _record(code, state)
        if found is not None:
            records.append(found[0])
            names |= found[1]
    return OrganizationProfile(code=code, names=sorted(names), projects=records)


CSV_COLUMNS = (
    "project_id",
    "project_name",
    "roles",
    "leads",
    "nonconformances",
    "failed_materials",
    "open_alerts",
    "rectification_notices",
    "accidents",
    "findings",
)
CSV_HEADER_ZH = (
    "项目编号",
    "项目名称",
    "角色",
    "项目负责人",
    "质量问题",
    "不合格材料",
    "未处理预警",
    "整改通知",
    "质量事故",
    "追责认定",
)


def csv_rows(profile: OrganizationProfile) -> list[list[str]]:
    """The profile as CSV rows, a bilingual header first; list cells joined with '; '."""
    header = [f"{zh} {en}" for zh, en in zip(CSV_HEADER_ZH, CSV_COLUMNS, strict=True)]
    rows = [header]
    for record in profile.projects:
        row = []
        for column in CSV_COLUMNS:
            value = getattr(record, column)
            row.append(_cell("; ".join(value) if isinstance(value, list) else str(value)))
        rows.append(row)
    return rows


def _cell(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (names come from the trail: hostile)."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
