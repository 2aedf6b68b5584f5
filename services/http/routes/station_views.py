"""The station's views across its projects: city-wide risk (``/regulator/risk``, and ``GET
/v1/risk`` for scripts) and an organization's quality-credit profile (``/regulator/
organizations/{code}``, with its CSV).

A station sees its jurisdiction and the projects that name it (``ProjectQuery``'s scope); the API
also answers administrators, over every project. Plain HTML, no JavaScript: each row links to the
project's page.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, fields
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from events.base import Role
from services.adapters.postgres.project_index import ProjectIndex, ProjectQuery
from services.adapters.postgres.risk import ForgedScans, ProjectAlert, ProjectCount, RiskIndex
from services.adapters.postgres.trail_reader import PostgresTrailReader
from services.domain.access import KeyKind, Principal
from services.domain.calendar import china_day
from services.domain.history import role_names
from services.domain.identifiers import valid_credit_code
from services.domain.materials.alerts import CONCLUSION_CONTRADICTS, REPORT_REUSED
from services.domain.profiles import OrganizationProfile, csv_rows, organization_profile
from services.domain.risk import (
    AGE_BUCKETS,
    Contradiction,
    KindAges,
    OverdueItem,
    alerts_by_kind_and_age,
    bucket_totals,
    contradictions,
    overdue_items,
)
from services.http.auth import Caller, require_kind
from services.http.deps import ApiKeys, Projects, Risks, Sessions, TrailReader
from services.http.i18n import N_, translate
from services.http.station_session import now, regulator
from services.http.templates import render

router = APIRouter(tags=["station"])

VERDICT_NAMES = {v: (translate(v), v) for v in (N_("pass"), N_("fail"), N_("invalid"))}
LISTED = 100
"""Rows a section lists at most: the worst first, the page stays one page."""


@dataclass(frozen=True)
class OverdueProject:
    project_id: str
    project_name: str
    overdue: int
    items: list[OverdueItem]


@dataclass(frozen=True)
class LabProject:
    """A lab's contradicted reports in one project."""

    lab_code: str
    lab_name: str
    project_id: str
    project_name: str
    reports: list[Contradiction]


@dataclass(frozen=True)
class RiskOverview:
    today: dt.date
    alerts_by_kind: list[KindAges]
    alert_totals: dict[str, int]
    forged_scans: list[ForgedScans]
    overdue: list[OverdueProject]
    contradicting_labs: list[LabProject]
    reused_report_numbers: list[ProjectAlert]


@dataclass(frozen=True)
class AgeBucket:
    key: str
    zh: str
    en: str


@dataclass(frozen=True)
class RiskAnswer(RiskOverview):
    """``GET /v1/risk``: the overview, with the age buckets its counts are keyed by."""

    age_buckets: list[AgeBucket]


def station_scope(principal: Principal) -> ProjectQuery:
    """A station's scope, or every project for an administrator."""
    if principal.kind is KeyKind.ADMIN:
        return ProjectQuery(jurisdiction=None)
    return ProjectQuery(jurisdiction=principal.jurisdiction, station=principal.org)


async def risk_overview(
    risks: RiskIndex, trail: PostgresTrailReader, query: ProjectQuery, today: dt.date
) -> RiskOverview:
    """Everything the risk page shows, over ``query``'s scope."""
    ages = alerts_by_kind_and_age(await risks.open_alert_groups(query), today)
    overdue: list[ProjectCount] = await risks.overdue_projects(query, LISTED)
    contradicted = await risks.projects_with_alerts(query, CONCLUSION_CONTRADICTS.kind, LISTED)
    states = await trail.load_states([p.project_id for p in (*overdue, *contradicted)])
    labs = []
    for project in contradicted:
        state = states.get(project.project_id)
        by_lab: dict[str, list[Contradiction]] = {}
        for found in contradictions(state) if state else []:
            by_lab.setdefault(found.lab_code, []).append(found)
        labs += [
            LabProject(code, reports[0].lab_name, project.project_id, project.project_name, reports)
            for code, reports in by_lab.items()
        ]
    return RiskOverview(
        today=today,
        alerts_by_kind=ages,
        alert_totals=bucket_totals(ages),
        forged_scans=await risks.forged_scans(query, LISTED),
        overdue=[
            OverdueProject(
                p.project_id,
                p.project_name,
                p.count,
                overdue_items(states[p.project_id]) if p.project_id in states else [],
            )
            for p in overdue
        ],
        contradicting_labs=sorted(labs, key=lambda lab: (lab.lab_code, lab.project_id)),
        reused_report_numbers=await risks.open_alerts_of(query, REPORT_REUSED.kind, LISTED),
    )


def _sign_in(request: Request) -> Response:
    return RedirectResponse(
        f"/regulator/login?next={quote(str(request.url.path))}", status_code=303
    )


@router.get(
    "/v1/risk",
    summary="City-wide risk over the caller's projects: open alerts by kind and age, forged "
    "plaque scans, overdue deadlines, labs contradicted by the evaluation, reused report numbers",
    responses={403: {"description": "not a regulator or administrator key"}},
)
async def risk(caller: Caller, risks: Risks, trail: TrailReader) -> RiskAnswer:
    require_kind(caller, KeyKind.REGULATOR, KeyKind.ADMIN)
    overview = await risk_overview(risks, trail, station_scope(caller), china_day(now()))
    return RiskAnswer(
        **{f.name: getattr(overview, f.name) for f in fields(RiskOverview)},
        age_buckets=[AgeBucket(*bucket) for bucket in AGE_BUCKETS],
    )


@router.get("/regulator/risk", response_class=HTMLResponse, summary="The station's city-wide risk")
async def risk_page(
    request: Request, keys: ApiKeys, sessions: Sessions, risks: Risks, trail: TrailReader
) -> Response:
    principal = await regulator(request, keys, sessions)
    if principal is None:
        return _sign_in(request)
    overview = await risk_overview(risks, trail, station_scope(principal), china_day(now()))
    html = render(
        "regulator_risk.html",
        station=principal.org,
        current="risk",
        buckets=AGE_BUCKETS,
        verdicts=VERDICT_NAMES,
        overview=overview,
    )
    return HTMLResponse(html, headers={"cache-control": "no-store"})


async def _profile(
    code: str, principal: Principal, index: ProjectIndex, trail: PostgresTrailReader
) -> OrganizationProfile | None:
    """The organization's profile over the station's projects; None when it holds no role in
    them (or the code is no credit code)."""
    if not valid_credit_code(code):
        return None
    ids = await index.of_organization(code, station_scope(principal))
    if not ids:
        return None
    states = await trail.load_states(ids)
    return organization_profile(code, (states[i] for i in ids if i in states))


ROLE_NAMES = {role.value: role_names(role.value) for role in Role}


@router.get(
    "/regulator/organizations/{code}.csv",
    summary="An organization's quality-credit profile as CSV, for a signed-in station",
)
async def organization_csv(
    code: str,
    request: Request,
    keys: ApiKeys,
    sessions: Sessions,
    index: Projects,
    trail: TrailReader,
) -> Response:
    principal = await regulator(request, keys, sessions)
    if principal is None:
        return _sign_in(request)
    profile = await _profile(code, principal, index, trail)
    if profile is None:
        html = render("regulator_organization.html", **_page(principal, code, None))
        return HTMLResponse(html, status_code=404, headers={"cache-control": "no-store"})
    out = io.StringIO()
    csv.writer(out).writerows(csv_rows(profile))
    return Response(
        "\ufeff" + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "content-disposition": f'attachment; filename="{profile.code}.csv"',
            "cache-control": "no-store",
        },
    )


def _page(principal: Principal, code: str, profile: OrganizationProfile | None) -> dict[str, Any]:
    return {
        "station": principal.org,
        "code": code,
        "profile": profile,
        "totals": profile.totals() if profile else {},
        "roles": ROLE_NAMES,
        "current": "",
    }


@router.get(
    "/regulator/organizations/{code}",
    response_class=HTMLResponse,
    summary="An organization's quality-credit profile across the station's projects",
)
async def organization_page(
    code: str,
    request: Request,
    keys: ApiKeys,
    sessions: Sessions,
    index: Projects,
    trail: TrailReader,
) -> Response:
    principal = await regulator(request, keys, sessions)
    if principal is None:
        return _sign_in(request)
    profile = await _profile(code, principal, index, trail)
    html = render("regulator_organization.html", **_page(principal, code, profile))
    return HTMLResponse(
        html, status_code=200 if profile else 404, headers={"cache-control": "no-store"}
    )
