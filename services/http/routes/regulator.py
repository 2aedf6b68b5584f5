"""The regulator's web view: a project's timeline with filters, and its state at any point.

``/regulator/login`` takes a regulator API key once and opens a server-side session; the HttpOnly
cookie holds only the session's random token (never the key), and ``/regulator/logout`` ends it.
Scripts may send the usual ``Authorization`` header instead. Plain HTML forms, no JavaScript.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any, get_args
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from events.base import Role
from events.materials import MATERIAL_NAMES, Material
from events.registry import UnknownEventType, title
from services.adapters.postgres.project_index import ProjectQuery
from services.adapters.postgres.web_sessions import TTL
from services.domain.access import KeyKind, may_read_project
from services.domain.calendar import china_day
from services.domain.charts.project import project_charts
from services.domain.history import Change, changes, role_names
from services.domain.project import fold
from services.domain.state import ProjectState
from services.http.deps import ApiKeys, Config, Projects, Rejections, Sessions, TrailReader
from services.http.i18n import N_, translate
from services.http.station_session import COOKIE, now, regulator
from services.http.templates import InlineSvg, render

router = APIRouter(tags=["regulator"], include_in_schema=True)


@dataclass(frozen=True)
class Option:
    """A filter's choice: the value the query carries, named in Chinese and English."""

    value: str
    zh: str
    en: str


ROLES = tuple(Option(role.value, *role_names(role.value)) for role in Role)
MATERIALS = tuple(Option(m, *MATERIAL_NAMES[m]) for m in get_args(Material))
VERDICTS = tuple(
    Option(value, translate(en), en)
    for value, en in (("pass", N_("pass")), ("fail", N_("fail")), ("invalid", N_("invalid")))
)


@dataclass(frozen=True)
class SealedRow:
    """A sealed record in the timeline: its fact and actor named in Chinese and English, and
    what it changed."""

    seq: int
    link: str
    recorded_at: dt.datetime
    type: str
    title_zh: str
    title_en: str
    actor_zh: str
    actor_en: str
    changes: list[Change]


@dataclass(frozen=True)
class RefusedRow:
    """A refused event in the timeline; its type is named when the catalog knows it."""

    rejected_at: dt.datetime
    type: str
    title_zh: str
    title_en: str
    reason_code: str
    message_zh: str
    message_en: str


@dataclass(frozen=True)
class PartyAt:
    """A party's organization and its lead at the selected seq."""

    role_zh: str
    role_en: str
    org_name: str
    lead: str
    org_code: str


@dataclass(frozen=True)
class Point:
    """The state at a selected seq, summarised."""

    seq: int
    parties: list[PartyAt]
    reports: int
    open_alerts: int
    completion: str


@router.get("/regulator/login", response_class=HTMLResponse, summary="Regulator sign-in form")
async def login_form(next: str = "/regulator/projects", error: str = "") -> HTMLResponse:
    return HTMLResponse(
        render("regulator_login.html", next_path=next, error=error),
        status_code=401 if error else 200,
    )


@router.post("/regulator/login", summary="Regulator sign-in")
async def login(
    keys: ApiKeys,
    sessions: Sessions,
    settings: Config,
    key: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/regulator/projects",
) -> Response:
    principal = await keys.authenticate(key)
    target = next if next.startswith("/regulator/") else "/regulator/projects"
    if principal is None or principal.kind is not KeyKind.REGULATOR:
        return RedirectResponse(
            f"/regulator/login?next={quote(target)}&error=key",
            status_code=303,
        )
    session = await sessions.open(principal, now())
    answer = RedirectResponse(target, status_code=303)
    answer.set_cookie(
        COOKIE,
        session,
        max_age=int(TTL.total_seconds()),
        httponly=True,
        samesite="strict",
        secure=settings.public_base_url.startswith("https://"),
        path="/regulator",
    )
    return answer


@router.post("/regulator/logout", summary="Regulator sign-out: the session ends at once")
async def logout(request: Request, sessions: Sessions) -> Response:
    if session := request.cookies.get(COOKIE):
        await sessions.end(session, now())
    answer = RedirectResponse("/regulator/login", status_code=303)
    answer.delete_cookie(COOKIE, path="/regulator")
    return answer


def _matches(record: Any, role: str | None, material: str | None, verdict: str | None) -> bool:
    data = record.body["data"]
    if role and record.body["actor"]["role"] != role:
        return False
    if material and data.get("material") != material:
        return False
    return not (verdict and data.get("verdict") != verdict)


def _titles(event_type: str | None) -> tuple[str, str]:
    """The catalog's names of ``event_type``; none for a type it does not know (a refused event's
    type is whatever was sent)."""
    try:
        return title(event_type or "")
    except UnknownEventType:
        return "", ""


def _point(seq: int, state: ProjectState) -> Point:
    parties = []
    for role, party in state.parties.items():
        lead = party.current_lead
        parties.append(
            PartyAt(*role_names(role), party.org_name, lead.name if lead else "—", party.org_code)
        )
    return Point(
        seq=seq,
        parties=parties,
        reports=len(state.reports),
        open_alerts=sum(1 for a in state.alerts.values() if a.resolved_by is None),
        completion=str(state.completion.accepted_on) if state.completion else "—",
    )


STAGE_NAMES = {
    "pending_filing": ("待监督注册", "pending filing"),
    "construction": ("在建", "under construction"),
    "partly_completed": ("部分竣工", "partly completed"),
    "completed": ("已竣工", "completed"),
    "lapsed": ("登记失效", "registration lapsed"),
}
PAGE = 50


@router.get("/regulator/projects", response_class=HTMLResponse, summary="The station's projects")
async def projects(
    request: Request,
    keys: ApiKeys,
    sessions: Sessions,
    index: Projects,
    q: Annotated[str, Query(max_length=100)] = "",
    stage: Annotated[str, Query()] = "",
    open_alerts: Annotated[bool, Query()] = False,
    overdue: Annotated[bool, Query()] = False,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    principal = await regulator(request, keys, sessions)
    if principal is None:
        return RedirectResponse(
            f"/regulator/login?next={quote(str(request.url.path))}", status_code=303
        )
    stage = stage if stage in STAGE_NAMES else ""
    page = await index.search(
        ProjectQuery(
            jurisdiction=principal.jurisdiction,
            station=principal.org,
            q=q,
            stage=stage or None,
            open_alerts=open_alerts,
            overdue=overdue,
            limit=PAGE,
            offset=offset,
        )
    )
    items = [
        {
            **item.model_dump(),
            "stage_zh": STAGE_NAMES.get(item.stage, (item.stage, item.stage))[0],
            "stage_en": STAGE_NAMES.get(item.stage, (item.stage, item.stage))[1],
        }
        for item in page.items
    ]
    earlier = str(request.url.include_query_params(offset=max(0, offset - PAGE)))
    later = str(request.url.include_query_params(offset=offset + PAGE))
    html = render(
        "regulator_projects.html",
        station=principal.org,
        current="projects",
        counts=page.counts,
        q=q,
        stage=stage,
        stages=[(value, zh, en) for value, (zh, en) in STAGE_NAMES.items()],
        open_alerts=open_alerts,
        overdue=overdue,
        total=page.total,
        items=items,
        previous=earlier if offset else None,
        next=later if offset + PAGE < page.total else None,
    )
    return HTMLResponse(html, headers={"cache-control": "no-store"})


@router.get(
    "/regulator/projects/{project_id}",
    response_class=HTMLResponse,
    summary="Regulator timeline of a project",
)
async def timeline(
    project_id: str,
    request: Request,
    keys: ApiKeys,
    sessions: Sessions,
    trail: TrailReader,
    rejections: Rejections,
    role: Annotated[str | None, Query()] = None,
    material: Annotated[str | None, Query()] = None,
    verdict: Annotated[str | None, Query()] = None,
    rejected: Annotated[bool, Query()] = False,
    at_seq: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    principal = await regulator(request, keys, sessions)
    if principal is None:
        return RedirectResponse(
            f"/regulator/login?next={quote(str(request.url.path))}", status_code=303
        )
    role, material, verdict = role or None, material or None, verdict or None
    records = await trail.records(project_id)
    if not records:
        return HTMLResponse(render("unknown_project.html", project_id=project_id), 404)
    state = ProjectState(project_id=project_id)
    rows, point = [], None
    for record in records:
        after = fold(state, record)
        if _matches(record, role, material, verdict):
            rows.append(
                SealedRow(
                    record.seq,
                    str(request.url.include_query_params(at_seq=record.seq)),
                    record.recorded_at,
                    record.type,
                    *title(record.type),
                    *role_names(record.body["actor"]["role"]),
                    changes(state, after),
                )
            )
        state = after
        if at_seq == record.seq:
            point = _point(at_seq, state)
    if not may_read_project(principal, state):  # outside the station's jurisdiction
        return HTMLResponse(render("unknown_project.html", project_id=project_id), 404)
    refused = []
    if rejected:
        refused = [
            RefusedRow(
                row.rejected_at,
                row.type or "—",
                *_titles(row.type),
                row.reason_code,
                row.message_zh,
                row.message_en,
            )
            for row in await rejections.of_project(project_id)
        ]
    charts = {
        name: InlineSvg(svg)
        for name, svg in project_charts(state, records, china_day(now())).items()
    }
    html = render(
        "regulator_timeline.html",
        charts=charts,
        title=state.profile.name if state.profile else project_id,
        project_id=project_id,
        record_count=len(records),
        roles=ROLES,
        materials=MATERIALS,
        verdicts=VERDICTS,
        role=role,
        material=material,
        verdict=verdict,
        rejected=rejected,
        point=point,
        rows=rows,
        refused=refused,
    )
    return HTMLResponse(html, headers={"cache-control": "no-store"})
