"""Plaques: ``GET /p/{code}`` (the page behind the QR), ``GET /v1/plaques/{code}`` and its files.

Everything here is public: the plaque is on the building. Personal ID numbers never appear (the
page renders a redacted state). A forged or unknown code answers 404 with a clear page and is
counted as a forged scan of the project it names; every scan is counted per day, with no personal
data kept.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from typing import Any

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

from services.adapters.plaques.store import FORMATS
from services.adapters.postgres.checkpoints import CheckpointStore
from services.adapters.postgres.scans import PlaqueScans
from services.adapters.postgres.trail_reader import PostgresTrailReader
from services.adapters.signing import Signer
from services.application.checkpoints import SignedHistory
from services.application.verify import verify_project
from services.domain.codes import PLAQUE, Claims, InvalidCode, claimed
from services.domain.state import Plaque, ProjectState
from services.http.deps import (
    CheckpointLog,
    CodeSigner,
    Config,
    PlaqueFileStore,
    ScanCounts,
    TrailReader,
    WitnessCosignatures,
)
from services.http.page import not_valid, trail_page
from services.http.problems import Problem

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


def _current(state: ProjectState) -> Plaque | None:
    valid = [p for p in state.plaques.values() if p.status == "valid"]
    return max(valid, key=lambda p: p.serial) if valid else None


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
    await scans.count(code, plaque.status, dt.datetime.now(dt.UTC))
    current = _current(state)
    summary = await integrity(trail, checkpoints, signer, state.project_id, state.seq)
    witnessed = await cosignatures.latest_witnessed()
    html = trail_page(
        state,
        plaque,
        current.url if current and current.serial != plaque.serial else None,
        summary,
        witnessed,
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
    current = _current(state)
    base = settings.public_base_url
    return JSONResponse(
        {
            "project": state.project_id,
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
