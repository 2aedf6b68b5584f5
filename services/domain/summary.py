"""A project at a glance, as a station's lists show it: its stage, what is open or overdue, who
takes part, and a risk score to sort by. Pure: the recorder stores it with each snapshot.

The score weighs what a supervisor should look at first: a stop-work order in force or a
critical alert outweighs a late filing, which outweighs an open notice.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from services.domain.state import FilingStatus, ProjectState, RectificationStatus, Severity

RISK_WEIGHTS = {
    "stop_orders": 20,
    "critical_alerts": 10,
    "overdue": 5,
    "open_alerts": 2,
    "open_rectifications": 3,
}
"""Points per open item; a pending filing adds nothing (it is the station's own to answer), nor one
that lapsed unanswered."""


class ProjectSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    project_id: str
    seq: int
    station: str | None
    division: str | None
    name: str
    permit_number: str
    address: str
    stage: str
    open_alerts: int
    critical_alerts: int
    overdue: int
    open_rectifications: int
    stop_orders: int
    risk: int
    organizations: list[str]
    """Every organization with a role: the parties, the labs, the owner."""
    people: list[str]
    """Every lead's name, past and present."""
    parties: dict[str, dict[str, Any]]
    """By role: organization name and code, current lead."""

    @property
    def search_text(self) -> str:
        """What a search matches: name, permit, address, any party's name or code, any lead."""
        parts = [self.project_id, self.name, self.permit_number, self.address, *self.people]
        for party in self.parties.values():
            parts += [party["org_name"], party["org_code"]]
        return "\n".join(parts).casefold()


def stage(state: ProjectState) -> str:
    filing = state.filing
    if filing is not None and filing.status is FilingStatus.PENDING:
        return "pending_filing"
    if filing is not None and filing.lapsed:
        return "lapsed"
    if state.units and all(u.completion is not None for u in state.units.values()):
        return "completed"
    if state.completion is not None:
        return "partly_completed"
    return "construction"


def summarize(state: ProjectState) -> ProjectSummary:
    open_alerts = [a for a in state.alerts.values() if a.resolved_by is None]
    overdue = [
        d
        for d in state.deadlines.values()
        if d.missed is not None and d.met is None and d.kind != "filing"
    ]  # a filing lapsed unanswered was the station's own to answer: its stage says it
    overdue_repairs = [
        d for d in state.defects.values() if d.overdue is not None and d.status == "open"
    ]
    counts = {
        "open_alerts": len(open_alerts),
        "critical_alerts": sum(1 for a in open_alerts if a.severity is Severity.CRITICAL),
        "overdue": len(overdue) + len(overdue_repairs),
        "open_rectifications": sum(
            1 for n in state.rectifications.values() if n.status is not RectificationStatus.CLOSED
        ),
        "stop_orders": sum(1 for o in state.stop_orders.values() if o.lifted is None),
    }
    orgs = {party.org_code for party in state.parties.values()} | set(state.labs)
    if state.owner_org:
        orgs.add(state.owner_org)
    profile = state.profile
    return ProjectSummary(
        project_id=state.project_id,
        seq=state.seq,
        station=state.filing.station if state.filing else None,
        division=state.filing.division if state.filing else None,
        name=profile.name if profile else state.project_id,
        permit_number=profile.permit_number if profile else "",
        address=profile.address if profile else "",
        stage=stage(state),
        risk=sum(RISK_WEIGHTS[key] * count for key, count in counts.items()),
        organizations=sorted(orgs),
        people=sorted({lead.name for p in state.parties.values() for lead in p.leads}),
        parties={
            role: {
                "org_name": party.org_name,
                "org_code": party.org_code,
                "lead": party.current_lead.name if party.current_lead else None,
            }
            for role, party in state.parties.items()
        },
        **counts,
    )
