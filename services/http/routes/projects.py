"""Project reads: state and ledger, who was responsible when, trail pages, verification."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import AwareDatetime

from events.acceptance import UNIT_ID_PATTERN
from events.base import PARTY_ROLES
from services.application.checkpoints import SignedHistory
from services.application.verify import verify_project
from services.domain.access import redact
from services.domain.history import as_of as as_of_state
from services.domain.history import steps
from services.domain.ledger import FIVE_ROLES, archive_gaps
from services.domain.responsibility import responsible_at
from services.http.auth import Caller, readable_state
from services.http.deps import CheckpointLog, CodeSigner, EvidenceRecords, ScanCounts, TrailReader
from services.http.problems import Problem

ROLE_PATTERN = f"^({'|'.join(PARTY_ROLES)})$"

router = APIRouter(tags=["projects"])


@router.get(
    "/v1/projects/{project_id}", summary="Current state: parties, leads, archive completeness"
)
async def project(
    project_id: str, trail: TrailReader, evidence_log: EvidenceRecords, caller: Caller
) -> dict[str, Any]:
    state = await readable_state(trail, caller, project_id)
    received = await evidence_log.received(state.evidence)
    body = state.model_dump(mode="json")
    body["evidence"] = [
        {"sha256": sha, "status": "received" if sha in received else "pending"}
        for sha in state.evidence
    ]
    body["archive"] = {
        "complete": not (gaps := archive_gaps(state.parties, received)),
        "gaps": [g.model_dump() for g in gaps],
    }
    return body if caller.sees_personal_data else redact(body)


@router.get(
    "/v1/projects/{project_id}/responsible",
    summary="Who was the project lead for a role at a moment, with the events that prove it",
)
async def responsible(
    project_id: str,
    trail: TrailReader,
    caller: Caller,
    role: Annotated[str, Query(pattern=ROLE_PATTERN)],
    at: Annotated[AwareDatetime | None, Query(description="RFC 3339 moment; default now")] = None,
    unit: Annotated[
        str | None,
        Query(
            pattern=UNIT_ID_PATTERN,
            description="a building (unit project): also every lead who served on it, and a "
            "moment after its completion answered as of its completion",
        ),
    ] = None,
) -> dict[str, Any]:
    state = await readable_state(trail, caller, project_id)
    moment = at or dt.datetime.now(dt.UTC)
    if unit is not None and unit not in state.units:
        raise Problem(
            404,
            "No such building",
            f"project {project_id} has no building (unit project) {unit}",
            extra={"units": sorted(state.units)},
        )
    answer = responsible_at(state, role, moment, unit)
    if answer is None:
        raise Problem(
            404,
            "No responsible lead",
            f"no {role} lead was in office at {moment.isoformat()} on project {project_id}",
            extra={"roles": list(FIVE_ROLES)},
        )
    return answer if caller.sees_personal_data else redact(answer)


@router.get("/v1/projects/{project_id}/trail", summary="Sealed events of a project, in chain order")
async def trail(
    project_id: str,
    request: Request,
    trail: TrailReader,
    caller: Caller,
    after: Annotated[
        int, Query(ge=0, le=2**63 - 1, description="return records after this seq")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    await readable_state(trail, caller, project_id)
    records = await trail.trail_page(project_id, after, limit + 1)
    more = len(records) > limit
    records = records[:limit]
    page: dict[str, Any] = {
        "project": project_id,
        "redacted": not caller.sees_personal_data,
        "records": [
            {
                "seq": r.seq,
                "hash": r.hash.hex(),
                "record": r.body if caller.sees_personal_data else redact(r.body),
            }
            for r in records
        ],
        "next": None,
    }
    if more:
        page["next"] = str(request.url.include_query_params(after=records[-1].seq, limit=limit))
    return page


@router.get(
    "/v1/projects/{project_id}/verify",
    summary="Recompute the project's hash chain and check it against every signed leaf",
)
async def verify(
    project_id: str,
    trail: TrailReader,
    checkpoints: CheckpointLog,
    signer: CodeSigner,
    caller: Caller,
) -> dict[str, Any]:
    await readable_state(trail, caller, project_id)
    history = await SignedHistory.load(checkpoints, signer.verifying_keys)
    result = await verify_project(trail, project_id, history)
    return result.as_dict(project_id)


@router.get("/v1/projects/{project_id}/alerts", summary="Material alerts: raised, open or resolved")
async def project_alerts(
    project_id: str,
    trail: TrailReader,
    scans: ScanCounts,
    caller: Caller,
    status: Annotated[str, Query(pattern="^(all|open|resolved)$")] = "all",
) -> dict[str, Any]:
    state = await readable_state(trail, caller, project_id)
    answer = []
    for row in await trail.alerts(project_id):
        folded = state.alerts.get(row["alert_id"])
        resolved = folded is not None and folded.resolved_by is not None
        if status != "all" and resolved != (status == "resolved"):
            continue
        answer.append(
            {
                **{
                    k: row[k]
                    for k in (
                        "alert_id",
                        "kind",
                        "severity",
                        "message_zh",
                        "message_en",
                        "blocking",
                    )
                },
                "events": list(row["events"]),
                "raised_at": row["raised_at"].isoformat(),
                "on_chain": folded is not None,
                "resolved": resolved,
                "resolution": folded.resolution if folded else None,
                "resolved_by": folded.resolved_by.model_dump()
                if folded and folded.resolved_by
                else None,
            }
        )
    if status != "resolved":
        answer += await scans.forged_alerts(project_id)
    return {"project": project_id, "alerts": answer}


@router.get(
    "/v1/projects/{project_id}/state", summary="The project's state replayed as of a moment"
)
async def state_as_of(
    project_id: str,
    trail: TrailReader,
    caller: Caller,
    as_of: Annotated[AwareDatetime, Query(description="RFC 3339 moment")],
    by: Annotated[
        str, Query(pattern="^(recorded|occurred)$", description="which clock: ours or the site's")
    ] = "recorded",
) -> dict[str, Any]:
    await readable_state(trail, caller, project_id)
    state = as_of_state(project_id, await trail.records(project_id), as_of, by)  # type: ignore[arg-type]
    body = {"as_of": as_of.isoformat(), "by": by, "state": state.model_dump(mode="json")}
    return body if caller.sees_personal_data else redact(body)


@router.get("/v1/projects/{project_id}/steps", summary="Each sealed event with what it changed")
async def project_steps(
    project_id: str,
    trail: TrailReader,
    caller: Caller,
    after: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> dict[str, Any]:
    await readable_state(trail, caller, project_id)
    all_steps = steps(project_id, await trail.records(project_id))
    page = [s for s in all_steps if s.seq > after][:limit]
    return {
        "project": project_id,
        "steps": [
            {
                "seq": s.seq,
                "event_id": s.event_id,
                "type": s.type,
                "actor": s.actor,
                "occurred_at": s.occurred_at.isoformat(),
                "recorded_at": s.recorded_at.isoformat(),
                "changes": [change.en for change in s.changes],
                "changes_zh": [change.zh for change in s.changes],
            }
            for s in page
        ],
        "next_after": page[-1].seq if page and page[-1].seq < all_steps[-1].seq else None,
    }
