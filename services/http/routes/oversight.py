"""What a station sees across projects: its jurisdiction's projects, searched, filtered and
sorted by risk, and an organization's quality-credit profile (Article 15) over them.

Regulator keys only (and administrators, who see every project). A station's scope is its
jurisdiction (``jurisdiction.covers``) and the projects that name it.
"""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from services.adapters.postgres.project_index import STAGES, ProjectQuery
from services.domain.access import KeyKind, Principal
from services.domain.identifiers import valid_credit_code
from services.domain.profiles import csv_rows, organization_profile
from services.http.auth import Caller, require_kind
from services.http.deps import Projects, TrailReader
from services.http.problems import Problem

router = APIRouter(tags=["oversight"])


def scope(caller: Principal, **filters: Any) -> ProjectQuery:
    """The caller's query: a station's jurisdiction, or everything for an administrator."""
    require_kind(caller, KeyKind.REGULATOR, KeyKind.ADMIN)
    if caller.kind is KeyKind.ADMIN:
        return ProjectQuery(jurisdiction=None, **filters)
    return ProjectQuery(jurisdiction=caller.jurisdiction, station=caller.org, **filters)


@router.get(
    "/v1/projects",
    summary="The projects in the caller's jurisdiction: searched, filtered, sorted by risk",
    responses={403: {"description": "not a regulator or administrator key"}},
)
async def list_projects(
    caller: Caller,
    index: Projects,
    q: Annotated[
        str, Query(max_length=100, description="名称、许可证号、地址、单位名称或代码、负责人")
    ] = "",
    stage: Annotated[str | None, Query(description=f"one of {', '.join(STAGES)}")] = None,
    open_alerts: Annotated[bool, Query(description="only projects with open alerts")] = False,
    overdue: Annotated[bool, Query(description="only projects with overdue items")] = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    if stage and stage not in STAGES:
        raise Problem(
            422,
            "Invalid query",
            f"stage: {stage!r} is not one of {', '.join(STAGES)}",
            errors=[{"field": "stage", "reason": f"one of {', '.join(STAGES)}"}],
        )
    query = scope(
        caller,
        q=q,
        stage=stage or None,
        open_alerts=open_alerts,
        overdue=overdue,
        limit=limit,
        offset=offset,
    )
    page = await index.search(query)
    return {
        "total": page.total,
        "counts": page.counts,
        "limit": limit,
        "offset": offset,
        "items": [item.model_dump(mode="json") for item in page.items],
    }


@router.get(
    "/v1/organizations/{code}",
    summary="An organization's quality-credit profile across the caller's projects",
    responses={
        403: {"description": "not a regulator or administrator key"},
        404: {"description": "the organization holds no role in the caller's projects"},
    },
)
async def organization(
    code: str,
    caller: Caller,
    index: Projects,
    trail: TrailReader,
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
) -> Any:
    if not valid_credit_code(code):
        raise Problem(
            422,
            "Invalid organization code",
            f"code: {code!r} is not a valid unified social credit code",
            errors=[{"field": "code", "reason": "not a valid unified social credit code"}],
        )
    query = scope(caller)
    ids = await index.of_organization(code, query)
    if not ids:
        raise Problem(404, "Unknown organization", f"{code} holds no role in your projects")
    states = await trail.load_states(ids)
    profile = organization_profile(code, (states[i] for i in ids if i in states))
    if format == "csv":
        out = io.StringIO()
        csv.writer(out).writerows(csv_rows(profile))
        return Response(
            "\ufeff" + out.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="{code}.csv"'},
        )
    return {**profile.model_dump(mode="json"), "totals": profile.totals()}
