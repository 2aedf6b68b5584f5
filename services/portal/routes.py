"""``GET /v1/projects/{id}/trail`` and ``GET /v1/projects/{id}/verify``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from services.adapters.postgres.chain_audit import verify_project
from services.api.resources import Deps
from services.gateway.problems import Problem

router = APIRouter(tags=["projects"])


def _unknown(project_id: str) -> Problem:
    return Problem(404, "Unknown project", f"project {project_id} has no sealed events")


@router.get("/v1/projects/{project_id}/trail", summary="Sealed events of a project, in chain order")
async def trail(
    project_id: str,
    request: Request,
    deps: Deps,
    after: Annotated[int, Query(ge=0, description="return records after this seq")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    records = await deps.store.trail_page(project_id, after, limit + 1)
    if not records and after == 0:
        raise _unknown(project_id)
    more = len(records) > limit
    records = records[:limit]
    page: dict[str, Any] = {
        "project": project_id,
        "records": [{"seq": r.seq, "hash": r.hash.hex(), "record": r.body} for r in records],
        "next": None,
    }
    if more:
        page["next"] = str(request.url.include_query_params(after=records[-1].seq, limit=limit))
    return page


@router.get("/v1/projects/{project_id}/verify", summary="Recompute the project's hash chain")
async def verify(project_id: str, deps: Deps) -> dict[str, Any]:
    result = await verify_project(deps.store, project_id)
    if result.length == 0 and result.ok:
        raise _unknown(project_id)
    return {
        "project": project_id,
        "ok": result.ok,
        "length": result.length,
        "head": result.head.hex(),
        "first_bad_seq": result.first_bad_seq,
        "problem": result.problem,
    }
