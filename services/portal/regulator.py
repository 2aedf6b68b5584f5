"""The regulator's web view: a project's timeline with filters, and its state at any point.

``/regulator/login`` takes a regulator API key once and opens a server-side session; the HttpOnly
cookie holds only the session's random token (never the key), and ``/regulator/logout`` ends it.
Scripts may send the usual ``Authorization`` header instead. Plain HTML forms, no JavaScript.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Annotated, Any, get_args
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from events.base import Role
from events.materials import Material
from services.adapters.postgres.web_sessions import TTL, WebSessions
from services.api.resources import Deps
from services.domain.access import KeyKind, Principal
from services.domain.project import fold
from services.domain.replay import changes
from services.domain.state import ProjectState
from services.portal.page import page

router = APIRouter(tags=["regulator"], include_in_schema=True)
COOKIE = "qtrail_regulator"
ROLES = tuple(role.value for role in Role)
MATERIALS: tuple[str, ...] = get_args(Material)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def _regulator(request: Request, deps: Deps) -> Principal | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        principal = await deps.keys.authenticate(header[7:].strip())
    elif session := request.cookies.get(COOKIE):
        principal = await WebSessions(deps.pool).principal(session, _now())
    else:
        principal = None
    return principal if principal and principal.kind is KeyKind.REGULATOR else None


@router.get("/regulator/login", response_class=HTMLResponse, summary="Regulator sign-in form")
async def login_form(next: str = "/regulator/projects", error: str = "") -> HTMLResponse:
    warning = f'<p class="bad">{escape(error)}</p>' if error else ""
    body = (
        f"<h1>监管登录 <span class=en>Regulator sign-in</span></h1>{warning}"
        f'<form method="post" action="/regulator/login"><input type="hidden" name="next" value="{escape(next)}">'
        "<p><label>监管密钥 <span class=en>regulator API key</span><br>"
        '<input name="key" type="password" size="60" autocomplete="off" required></label></p>'
        '<p><button type="submit">登录 <span class=en>sign in</span></button></p></form>'
    )
    return HTMLResponse(
        page("监管登录 / Regulator sign-in", body), status_code=401 if error else 200
    )


@router.post("/regulator/login", summary="Regulator sign-in")
async def login(
    deps: Deps, key: Annotated[str, Form()], next: Annotated[str, Form()] = "/regulator/projects"
) -> Response:
    principal = await deps.keys.authenticate(key)
    target = next if next.startswith("/regulator/") else "/regulator/projects"
    if principal is None or principal.kind is not KeyKind.REGULATOR:
        return RedirectResponse(
            f"/regulator/login?next={quote(target)}&error={quote('不是有效的监管密钥 / not a regulator key')}",
            status_code=303,
        )
    session = await WebSessions(deps.pool).open(principal, _now())
    answer = RedirectResponse(target, status_code=303)
    answer.set_cookie(
        COOKIE,
        session,
        max_age=int(TTL.total_seconds()),
        httponly=True,
        samesite="strict",
        secure=deps.settings.public_base_url.startswith("https://"),
        path="/regulator",
    )
    return answer


@router.post("/regulator/logout", summary="Regulator sign-out: the session ends at once")
async def logout(request: Request, deps: Deps) -> Response:
    if session := request.cookies.get(COOKIE):
        await WebSessions(deps.pool).end(session, _now())
    answer = RedirectResponse("/regulator/login", status_code=303)
    answer.delete_cookie(COOKIE, path="/regulator")
    return answer


def _select(name: str, options: tuple[str, ...], chosen: str | None) -> str:
    items = "".join(
        f'<option value="{o}"{" selected" if o == chosen else ""}>{o}</option>' for o in options
    )
    return f'<select name="{name}"><option value="">全部 all</option>{items}</select>'


def _matches(record: Any, role: str | None, material: str | None, verdict: str | None) -> bool:
    data = record.body["data"]
    if role and record.body["actor"]["role"] != role:
        return False
    if material and data.get("material") != material:
        return False
    return not (verdict and data.get("verdict") != verdict)


def _state_summary(state: ProjectState) -> str:
    rows = []
    for role, party in state.parties.items():
        lead = party.current_lead
        rows.append(
            f"<tr><th>{escape(role)}</th><td>{escape(party.org_name)} · {escape(lead.name if lead else '—')}</td></tr>"
        )
    open_alerts = sum(1 for a in state.alerts.values() if a.resolved_by is None)
    rows.append(f"<tr><th>reports</th><td>{len(state.reports)}</td></tr>")
    rows.append(f"<tr><th>open alerts</th><td>{open_alerts}</td></tr>")
    rows.append(
        f"<tr><th>completion</th><td>{escape(str(state.completion.accepted_on) if state.completion else '—')}</td></tr>"
    )
    return f"<table>{''.join(rows)}</table>"


@router.get(
    "/regulator/projects/{project_id}",
    response_class=HTMLResponse,
    summary="Regulator timeline of a project",
)
async def timeline(
    project_id: str,
    request: Request,
    deps: Deps,
    role: Annotated[str | None, Query()] = None,
    material: Annotated[str | None, Query()] = None,
    verdict: Annotated[str | None, Query()] = None,
    rejected: Annotated[bool, Query()] = False,
    at_seq: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    if await _regulator(request, deps) is None:
        return RedirectResponse(
            f"/regulator/login?next={quote(str(request.url.path))}", status_code=303
        )
    role, material, verdict = role or None, material or None, verdict or None
    records = await deps.store.records(project_id)
    if not records:
        return HTMLResponse(
            page(
                "未知工程 / Unknown project", f"<p>无记录 no records for {escape(project_id)}</p>"
            ),
            404,
        )
    state = ProjectState(project_id=project_id)
    rows, at_state = [], None
    for record in records:
        after = fold(state, record)
        if _matches(record, role, material, verdict):
            link = str(request.url.include_query_params(at_seq=record.seq))
            rows.append(
                f'<tr id="seq-{record.seq}"><td><a href="{link}">#{record.seq}</a></td>'
                f"<td>{record.recorded_at:%Y-%m-%d %H:%M}</td><td>{escape(record.type.removeprefix('qtrail.'))}</td>"
                f"<td>{escape(record.body['actor']['role'])}</td><td>{'<br>'.join(escape(c) for c in changes(state, after))}</td></tr>"
            )
        state = after
        if at_seq == record.seq:
            at_state = state
    if rejected:
        for row in await deps.pool.fetch(
            "SELECT event_id, type, reason_code, message_en, rejected_at FROM rejections WHERE project_id = $1 "
            "ORDER BY rejected_at",
            project_id,
        ):
            rows.append(
                f'<tr class="bad"><td>refused</td><td>{row["rejected_at"]:%Y-%m-%d %H:%M}</td>'
                f"<td>{escape(str(row['type']))}</td><td></td><td>{escape(row['reason_code'])}: "
                f"{escape(row['message_en'])}</td></tr>"
            )
    title = state.profile.name if state.profile else project_id
    form = (
        f'<form method="get">角色 role {_select("role", ROLES, role)} 材料 material '
        f"{_select('material', MATERIALS, material)} 评定 verdict {_select('verdict', ('pass', 'fail', 'invalid'), verdict)} "
        f'<label><input type="checkbox" name="rejected" value="true"{" checked" if rejected else ""}> '
        "含被拒事件 refused events</label> <button>筛选 filter</button></form>"
    )
    point = (
        f"<h2>第 {at_seq} 条时的状态 <span class=en>State as of #{at_seq}</span></h2>{_state_summary(at_state)}"
        if at_state
        else ""
    )
    signout = (
        '<form method="post" action="/regulator/logout" class="signout">'
        "<button>退出 <span class=en>sign out</span></button></form>"
    )
    body = (
        f"<h1>{escape(title)}</h1><p><small>{escape(project_id)} · {len(records)} records</small></p>{form}{point}"
        f"<h2>时间线 <span class=en>Timeline</span> ({len(rows)})</h2>"
        f"<table><tr><th>#</th><th>recorded</th><th>type</th><th>actor</th><th>what changed</th></tr>{''.join(rows)}</table>"
        f"{signout}"
    )
    return HTMLResponse(page(f"监管 · {title}", body), headers={"cache-control": "no-store"})
