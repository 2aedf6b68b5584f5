"""API-key authentication: ``Authorization: Bearer qtk_…`` (or ``X-API-Key``). 401 and 403 are problems."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from services.domain.access import KeyKind, Principal, may_read_project
from services.domain.state import ProjectState
from services.http.deps import ApiKeys, TrailReader
from services.http.problems import Problem

UNAUTHORIZED = "https://qtrail.dev/problems/unauthorized"
FORBIDDEN = "https://qtrail.dev/problems/forbidden"


BEARER = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="API 密钥 / API key: `Authorization: Bearer qtk_…` (`qtrail keys create`)",
)
API_KEY = APIKeyHeader(
    name="X-API-Key", auto_error=False, scheme_name="apiKey", description="the same key"
)


async def authenticate(
    keys: ApiKeys,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)],
    api_key: Annotated[str | None, Depends(API_KEY)],
) -> Principal:
    token = bearer.credentials.strip() if bearer else api_key
    if not token:
        raise Problem(
            401, "API key required", "send Authorization: Bearer <API key>", kind=UNAUTHORIZED
        )
    principal = await keys.authenticate(token)
    if principal is None:
        raise Problem(
            401, "Invalid API key", "the API key is unknown or revoked", kind=UNAUTHORIZED
        )
    return principal


Caller = Annotated[Principal, Depends(authenticate)]


def forbidden(detail: str, field: str | None = None) -> Problem:
    errors = [{"field": field, "reason": detail}] if field else None
    return Problem(403, "Forbidden", detail, kind=FORBIDDEN, errors=errors)


async def readable_state(trail: TrailReader, caller: Principal, project_id: str) -> ProjectState:
    """The project's state if the caller may read it; 404 for unknown, 403 for not allowed."""
    state = (await trail.load_states([project_id])).get(project_id)
    if state is None:
        raise Problem(404, "Unknown project", f"project {project_id} has no sealed events")
    if not may_read_project(caller, state):
        raise forbidden(f"organization {caller.org} holds no role on project {project_id}")
    return state


def require_kind(caller: Principal, *kinds: KeyKind) -> None:
    if caller.kind not in kinds:
        raise forbidden(f"a {caller.kind.value} key cannot do this")
