"""Plaques: ``GET /p/{code}`` (the page behind the QR), ``GET /v1/plaques/{code}`` and its files;
``POST /p/{code}/defects``, the public's defect report, and ``GET
/v1/projects/{id}/public-reports``, where the owner party reads them to verify and file them.

Everything but the last is public: the plaque is on the building. Personal ID numbers never appear (the
page renders a redacted state). A forged or unknown code answers 404 with a clear page and is
counted as a forged scan of the project it names; every scan is counted per day, with no personal
data kept.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import math
import time
from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

from services.adapters.plaques.store import FORMATS
from services.adapters.postgres.checkpoints import CheckpointStore
from services.adapters.postgres.public_reports import StoredReport
from services.adapters.postgres.scans import PlaqueScans
from services.adapters.postgres.trail_reader import PostgresTrailReader
from services.adapters.signing import Signer
from services.application.checkpoints import SignedHistory
from services.application.verify import verify_project
from services.domain.access import KeyKind
from services.domain.calendar import CHINA
from services.domain.codes import PLAQUE, Claims, InvalidCode, claimed
from services.domain.plaques import filed_reports
from services.domain.state import Plaque, ProjectState
from services.http.auth import Caller, forbidden, readable_state
from services.http.defect_form import (
    FieldError,
    check_report,
    form_token,
    receipt_number,
    token_problem,
)
from services.http.deps import (
    CheckpointLog,
    CodeSigner,
    Config,
    PlaqueFileStore,
    PublicDefectReports,
    ReportLimit,
    ScanCounts,
    TrailReader,
    WitnessCosignatures,
)
from services.http.page import DefectForm, not_valid, trail_page
from services.http.problems import Problem
from services.http.rate_limit import client_key
from services.http.templates import render

router = APIRouter(tags=["plaques"])

_VERIFIED: dict[str, tuple[int, dict[str, Any], float]] = {}
VERIFY_TTL_S = 300.0
"""A chain's verification is reused while its head is unchanged and younger than this."""


async def integrity(
    trail: PostgresTrailReader,
    checkpoints: CheckpointStore,
    signer: Signer,
    project_id: str,
    head_seq: int,
) -> dict[str, Any]:
    cached = _VERIFIED.get(project_id)
    if cached and cached[0] == head_seq and time.monotonic() - cached[2] < VERIFY_TTL_S:
        return cached[1]
    history = await SignedHistory.load(checkpoints, signer.verifying_keys)
    result = await verify_project(trail, project_id, history)
    summary = {
        "ok": result.ok,
        "length": result.length,
        "head": result.head.hex(),
        "checkpoint": result.checkpoint,
        "first_bad_seq": result.first_bad_seq,
    }
    _VERIFIED[project_id] = (head_seq, summary, time.monotonic())
    return summary


async def _forged(
    signer: Signer, scans: PlaqueScans, code: str, reason: str, at: dt.datetime
) -> None:
    """A forged plaque is a warning for the project it claims: someone printed it. Counted only
    when the code names one of our keys (and, in the store, a project that exists): scanning
    made-up codes adds no rows and raises no alert against a project of the scanner's choosing."""
    claim = claimed(code)
    if claim is not None and signer.knows(claim[0]):
        await scans.forged(claim[1], reason, at)


async def resolve(
    signer: Signer, trail: PostgresTrailReader, code: str
) -> tuple[Claims, ProjectState, Plaque]:
    claims = signer.verify(code)
    if claims.kind != PLAQUE:
        raise InvalidCode("not a plaque code")
    state = (await trail.load_states([claims.project_id])).get(claims.project_id)
    plaque = state.plaques.get(claims.number) if state else None
    if state is None or plaque is None or plaque.code != code:
        raise InvalidCode("no such plaque was issued")
    return claims, state, plaque


def _current(state: ProjectState, unit_id: str) -> Plaque | None:
    """The building's newest valid plaque (each building has its own)."""
    valid = [p for p in state.plaques.values() if p.status == "valid" and p.unit_id == unit_id]
    return max(valid, key=lambda p: p.serial) if valid else None


def _today() -> dt.date:
    return dt.datetime.now(CHINA).date()


@router.get(
    "/p/{code}", response_class=HTMLResponse, summary="The public trail page behind a plaque QR"
)
async def plaque_page(
    code: str,
    signer: CodeSigner,
    trail: TrailReader,
    scans: ScanCounts,
    checkpoints: CheckpointLog,
    cosignatures: WitnessCosignatures,
) -> HTMLResponse:
    try:
        _, state, plaque = await resolve(signer, trail, code)
    except InvalidCode as exc:
        now = dt.datetime.now(dt.UTC)
        await asyncio.gather(
            scans.count(code, "invalid", now), _forged(signer, scans, code, str(exc), now)
        )
        return HTMLResponse(
            not_valid(str(exc)), status_code=404, headers={"cache-control": "no-store"}
        )
    now = dt.datetime.now(dt.UTC)
    await scans.count(code, plaque.status, now)
    current = _current(state, plaque.unit_id)
    summary = await integrity(trail, checkpoints, signer, state.project_id, state.seq)
    witnessed = await cosignatures.latest_witnessed()
    html = trail_page(
        state,
        plaque,
        current.url if current and current.serial != plaque.serial else None,
        summary,
        witnessed,
        today=_today(),
        form=DefectForm(
            action=f"/p/{code}/defects",
            token=form_token(signer, state.project_id, plaque.serial, now),
        ),
    )
    return HTMLResponse(html, headers={"cache-control": "public, max-age=60"})


@router.get(
    "/v1/plaques/{name}", summary="A plaque (JSON), or its print files: add .svg, .png or .pdf"
)
async def plaque(
    name: str, signer: CodeSigner, trail: TrailReader, files: PlaqueFileStore, settings: Config
) -> Response:
    code, _, ext = name.rpartition(".")
    if ext not in FORMATS:
        code, ext = name, ""
    try:
        _, state, found = await resolve(signer, trail, code)
    except InvalidCode as exc:
        raise Problem(404, "Plaque not valid", str(exc)) from exc
    if ext:
        path = files.path(code, ext)
        if path is None:
            raise Problem(
                503,
                "Plaque still rendering",
                "the print files are being rendered; retry shortly",
                extra={"retry_after_s": 2},
            )
        return FileResponse(
            path,
            media_type=FORMATS[ext],
            headers={"cache-control": "public, max-age=31536000, immutable"},
        )
    current = _current(state, found.unit_id)
    base = settings.public_base_url
    return JSONResponse(
        {
            "project": state.project_id,
            "unit_id": found.unit_id,
            "serial": found.serial,
            "status": found.status,
            "revoked_reason": found.revoked_reason,
            "replaced_by": found.replaced_by,
            "current": current.url if current else None,
            "page": found.url,
            "fields": found.fields,
            "installed": {
                "place": found.installed_place,
                "on": str(found.installed_on) if found.installed_on else None,
            },
            "files": {ext: f"{base}/v1/plaques/{code}.{ext}" for ext in FORMATS},
        }
    )


# ----------------------------------------------------------------------------- public defect form


def _refused(
    status: int, errors: list[FieldError], headers: dict[str, str] | None = None
) -> HTMLResponse:
    return HTMLResponse(
        render("defect_refused.html", errors=errors),
        status_code=status,
        headers={"cache-control": "no-store", **(headers or {})},
    )


@router.post(
    "/p/{code}/defects",
    response_class=HTMLResponse,
    summary="Report a defect in a building, from its plaque's page (no account; kept off the chain)",
)
async def report_defect(
    code: str,
    request: Request,
    signer: CodeSigner,
    trail: TrailReader,
    reports: PublicDefectReports,
    limit: ReportLimit,
    token: Annotated[str, Form()] = "",
    part: Annotated[str, Form()] = "",
    dwelling: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    contact: Annotated[str, Form()] = "",
) -> HTMLResponse:
    named = claimed(code)
    wait = limit.hit(
        client_key(request.client.host if request.client else None), named[1] if named else "-"
    )
    if wait is not None:
        return _refused(
            429,
            [
                FieldError(
                    "(form)",
                    "提交过于频繁，请稍后再试",
                    "too many reports from here: try again later",
                )
            ],
            {"retry-after": str(max(1, math.ceil(wait)))},
        )
    try:
        _, state, plaque = await resolve(signer, trail, code)
    except InvalidCode as exc:
        return HTMLResponse(
            not_valid(str(exc)), status_code=404, headers={"cache-control": "no-store"}
        )
    now = dt.datetime.now(dt.UTC)
    problem = token_problem(signer, token, state.project_id, plaque.serial, now)
    if problem is not None:
        return _refused(400, [problem])
    unit = state.units.get(plaque.unit_id)
    checked = check_report(part, dwelling, description, contact, unit.dwellings if unit else [])
    if isinstance(checked, list):
        return _refused(422, checked)
    receipt = receipt_number()
    await reports.add(
        StoredReport(
            receipt=receipt,
            project_id=state.project_id,
            unit_id=plaque.unit_id,
            plaque_serial=plaque.serial,
            part=checked.part,
            dwelling=checked.dwelling,
            description=checked.description,
            contact=checked.contact,
            received_at=now,
        )
    )
    return HTMLResponse(
        render("defect_receipt.html", receipt=receipt, back=f"/p/{code}"),
        status_code=201,
        headers={"cache-control": "no-store"},
    )


def _owner_org(state: ProjectState) -> str | None:
    owner = state.parties.get("owner")
    return owner.org_code if owner is not None else state.owner_org


@router.get(
    "/v1/projects/{project_id}/public-reports",
    summary="The public's defect reports of a project, with contacts (the owner party's key only)",
)
async def public_reports(
    project_id: str,
    trail: TrailReader,
    reports: PublicDefectReports,
    caller: Caller,
    status: Annotated[Literal["pending", "filed", "all"], Query()] = "pending",
) -> dict[str, Any]:
    """Pending: not yet filed as a sealed ``qtrail.warranty.defect_reported`` naming the receipt;
    filed: the defect it became. Only the owner party verifies and files them, and only its key
    sees the contacts reporters chose to give."""
    state = await readable_state(trail, caller, project_id)
    if caller.kind is not KeyKind.PARTY or caller.org != _owner_org(state):
        raise forbidden(
            "only the owner party's key lists the public's reports (they carry contacts)"
        )
    filed = filed_reports(state)
    out = []
    for report in await reports.of_project(project_id):
        defect = filed.get(report.receipt)
        if status == "all" or (status == "filed") == (defect is not None):
            out.append(
                {
                    **asdict(report),
                    "received_at": report.received_at.isoformat(),
                    "filed_as": defect,
                }
            )
    return {"project": project_id, "status": status, "reports": out}
