"""The station's acts, recorded from its browser: a form per act on a project, posting the same
CloudEvent any client would send to ``POST /v1/events``, checked the same way (the catalog's
validation, the key's organization and role, the recorder's rules) and recorded the same way
when refused. The session's CSRF token guards every post.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.application.ingest import IdConflict
from services.domain.access import Principal, may_read_project
from services.http.cloudevents import validate
from services.http.deps import ApiKeys, Ingestion, RefusalLog, Sessions, TrailReader
from services.http.problems import Problem
from services.http.station_forms import ACTS, form_fields, form_payload
from services.http.station_session import csrf_ok, csrf_token, now, regulator
from services.http.templates import render

router = APIRouter(tags=["regulator"])
WAIT_S = 10.0
"""How long a form waits for the recorder's decision before answering "pending"."""


def _acts() -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "title_zh": model.title_zh,
            "title_en": model.title_en,
            "fields": form_fields(model),
        }
        for name, model in ACTS.items()
    ]


def _page(
    request: Request,
    project_id: str,
    title: str,
    *,
    chosen: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    html = render(
        "station_acts.html",
        project_id=project_id,
        title=title,
        acts=_acts(),
        csrf=csrf_token(request),
        nonce=uuid.uuid4().hex,
        chosen=chosen,
        errors=errors or [],
        values=values or {},
    )
    return HTMLResponse(html, status_code=status, headers={"cache-control": "no-store"})


async def _readable(
    request: Request, keys: ApiKeys, sessions: Sessions, trail: TrailReader, project_id: str
) -> tuple[Principal | None, str | None]:
    """The signed-in station and the project's name, if it may read the project."""
    principal = await regulator(request, keys, sessions)
    if principal is None:
        return None, None
    state = (await trail.load_states([project_id])).get(project_id)
    if state is None or not may_read_project(principal, state):
        return principal, None
    return principal, state.profile.name if state.profile else project_id


@router.get("/regulator/projects/{project_id}/acts", response_class=HTMLResponse)
async def act_forms(
    project_id: str, request: Request, keys: ApiKeys, sessions: Sessions, trail: TrailReader
) -> Response:
    principal, title = await _readable(request, keys, sessions, trail, project_id)
    if principal is None:
        return RedirectResponse(f"/regulator/login?next={request.url.path}", status_code=303)
    if title is None:
        return HTMLResponse(render("unknown_project.html", project_id=project_id), 404)
    return _page(request, project_id, title)


@router.post("/regulator/projects/{project_id}/acts/{act}", response_class=HTMLResponse)
async def record_act(
    project_id: str,
    act: str,
    request: Request,
    keys: ApiKeys,
    sessions: Sessions,
    trail: TrailReader,
    ingest: Ingestion,
    refusals: RefusalLog,
) -> Response:
    principal, title = await _readable(request, keys, sessions, trail, project_id)
    if principal is None:
        return RedirectResponse(f"/regulator/login?next={request.url.path}", status_code=303)
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    if not csrf_ok(request, form.get("csrf", "")):
        return HTMLResponse(render("station_forbidden.html"), status_code=403)
    if title is None or act not in ACTS:
        return HTMLResponse(render("unknown_project.html", project_id=project_id), 404)
    model = ACTS[act]
    raw = {
        "specversion": "1.0",
        "id": f"station-{form.get('nonce', '')[:32] or uuid.uuid4().hex}",
        "source": "qtrail-station-forms",
        "type": model.event_type,
        "subject": project_id,
        "time": now().isoformat(),
        "datacontenttype": "application/json",
        "actororg": principal.org,
        "actorperson": form.get("person", "").strip(),
        "actorrole": "regulator",
        "data": form_payload(model, form),
    }
    try:
        envelope = validate(raw)
        if why := principal.may_write_as(envelope.actororg, envelope.actorrole):
            raise Problem(403, "Forbidden", why)
    except Problem as problem:
        await refusals.note_refused(
            endpoint=request.url.path,
            status=problem.status,
            errors=problem.errors or [{"field": "(request)", "reason": problem.detail}],
            body=json.dumps(raw, ensure_ascii=False).encode(),
            event_id=str(raw["id"]),
            at=dt.datetime.now(dt.UTC),
        )
        errors = problem.errors or [{"field": "(request)", "reason": problem.detail}]
        return _page(request, project_id, title, chosen=act, errors=errors, values=form, status=422)
    [status] = await ingest.submit(
        [(envelope.model_dump(mode="json", exclude_none=True), envelope)], WAIT_S
    )
    html = render(
        "station_act_result.html",
        project_id=project_id,
        title=title,
        act_zh=model.title_zh,
        act_en=model.title_en,
        already=isinstance(status, IdConflict),
        status=None if isinstance(status, IdConflict) else status,
    )
    return HTMLResponse(html, headers={"cache-control": "no-store"})
