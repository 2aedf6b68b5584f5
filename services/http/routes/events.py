"""``POST /v1/events``, ``POST /v1/events/batch`` and ``GET /v1/events/{id}``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from events.envelope import Envelope
from services.application.ingest import IdConflict
from services.application.ports import EventStatus
from services.domain.access import Principal
from services.http.auth import Caller, forbidden
from services.http.cloudevents import read_batch, read_single, validate
from services.http.deps import Ingestion, RefusalLog, Stations, TrailReader
from services.http.problems import Problem
from services.http.station_registry import station_refusal

router = APIRouter(tags=["events"])

Wait = Annotated[
    float,
    Query(ge=0, le=600, description="seconds to wait for the outcome (sealed or rejected)"),
]


def _status(status: EventStatus) -> dict[str, Any]:
    """An event's status as answered: the digest stays inside."""
    out: dict[str, Any] = {"id": status.event_id, "status": status.status}
    if status.project_id is not None:
        out["project"] = status.project_id
    if status.status == "sealed":
        out |= {"seq": status.seq, "hash": status.hash}
    if status.status == "rejected":
        out["reason"] = {
            "code": status.reason_code,
            "zh": status.message_zh,
            "en": status.message_en,
        }
        if status.details:
            out["reason"]["items"] = status.details
    if status.decided_at is not None:
        out["decided_at"] = status.decided_at.isoformat()
    return out


def _status_url_prefix(request: Request) -> str:
    """Where an event's status is read, but for its id. Event ids are URL-safe by their pattern,
    so one ``url_for`` serves a whole batch (one per result cost a fifth of a batch's CPU)."""
    return str(request.url_for("event_status", event_id="_"))[:-1]


def _answer(prefix: str, status: EventStatus) -> dict[str, Any]:
    return _status(status) | {"status_url": prefix + status.event_id}


def _conflict(conflict: IdConflict) -> Problem:
    """A reused id: 409, the original stands."""
    state = conflict.original.status if conflict.original else "received"
    return Problem(
        409,
        "Event id already used",
        f"event id {conflict.event_id} was already {state} for different content; the original "
        "stands. Send new content under a new id (a correction refers to the original).",
        kind="https://qtrail.dev/problems/id-conflict",
        errors=[{"field": "id", "reason": f"already used for different content ({state})"}],
        extra={"id": conflict.event_id},
    )


def _check_writer(caller: Principal, envelope: Envelope) -> None:
    """The key's organization must be the actor; what it may do on the project is the trail's call."""
    why = caller.may_write_as(envelope.actororg, envelope.actorrole)
    if why is not None:
        field = "actororg" if envelope.actororg != caller.org else "actorrole"
        problem = forbidden(why, field)
        problem.extra = {"id": envelope.id}
        raise problem


async def _refused(
    refusals: RefusalLog, request: Request, problem: Problem, body: bytes
) -> JSONResponse:
    await refusals.note_refused(
        endpoint=request.url.path,
        status=problem.status,
        errors=problem.errors or [{"field": "(request)", "reason": problem.detail}],
        body=body,
        event_id=problem.extra.get("id"),
        at=dt.datetime.now(dt.UTC),
    )
    return problem.response()


@router.post(
    "/v1/events",
    status_code=202,
    summary="Submit one CloudEvent (structured or binary mode)",
    responses={200: {"description": "decided within ?wait"}, 422: {"description": "invalid"}},
)
async def post_event(
    request: Request,
    ingest: Ingestion,
    refusals: RefusalLog,
    caller: Caller,
    stations: Stations,
    wait: Wait = 0,
) -> JSONResponse:
    body = await request.body()
    try:
        raw = read_single(request.headers, body)
        envelope = validate(raw)
        _check_writer(caller, envelope)
        if refused := await station_refusal(envelope, stations):
            raise refused
    except Problem as problem:
        return await _refused(refusals, request, problem, body)
    raw = envelope.model_dump(mode="json", exclude_none=True)
    [status] = await ingest.submit([(raw, envelope)], wait)
    if isinstance(status, IdConflict):
        return await _refused(refusals, request, _conflict(status), body)
    return JSONResponse(
        _answer(_status_url_prefix(request), status),
        status_code=202 if status.status == "pending" else 200,
    )


@router.post(
    "/v1/events/batch",
    summary="Submit a batch of CloudEvents (application/cloudevents-batch+json)",
    responses={200: {"description": "one result per event, in order"}},
)
async def post_batch(
    request: Request,
    ingest: Ingestion,
    refusals: RefusalLog,
    caller: Caller,
    stations: Stations,
    wait: Wait = 0,
) -> JSONResponse:
    body = await request.body()
    try:
        items = read_batch(request.headers, body)
    except Problem as problem:
        return await _refused(refusals, request, problem, body)
    if len(items) > 1000:
        return await _refused(
            refusals,
            request,
            Problem(
                413,
                "Batch too large",
                f"{len(items)} events; at most 1000 per batch",
                errors=[{"field": "(body)", "reason": "more than 1000 events"}],
            ),
            body,
        )
    results: list[dict[str, Any] | None] = [None] * len(items)
    valid: list[tuple[int, dict[str, Any], Envelope]] = []
    for index, item in enumerate(items):
        try:
            envelope = validate(item)
            _check_writer(caller, envelope)
            if refused := await station_refusal(envelope, stations):
                raise refused
        except Problem as problem:
            problem.errors = [e | {"field": f"[{index}].{e['field']}"} for e in problem.errors]
            await _refused(refusals, request, problem, body)
            results[index] = problem.body()
            continue
        valid.append((index, envelope.model_dump(mode="json", exclude_none=True), envelope))
    statuses = await ingest.submit([(raw, env) for _, raw, env in valid], wait)
    prefix = _status_url_prefix(request)
    for (index, _, _), status in zip(valid, statuses, strict=True):
        if isinstance(status, IdConflict):
            conflict = _conflict(status)
            conflict.errors = [e | {"field": f"[{index}].{e['field']}"} for e in conflict.errors]
            await _refused(refusals, request, conflict, body)
            results[index] = conflict.body()
        else:
            results[index] = _answer(prefix, status)
    return JSONResponse({"results": results})


@router.get("/v1/events/{event_id}", name="event_status", summary="pending | sealed | rejected")
async def event_status(
    event_id: str, request: Request, trail: TrailReader, caller: Caller
) -> JSONResponse:
    status = await trail.status(event_id)
    if status is None:
        raise Problem(404, "Unknown event", f"no event with id {event_id} was received")
    return JSONResponse(_answer(_status_url_prefix(request), status))
