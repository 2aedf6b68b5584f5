"""Report codes: ``GET /v1/projects/{id}/reports/{number}`` and the public status page ``GET /r/{code}``.

A report's QR holds ``<public base URL>/r/<signed code>``. Scanning it shows whether the report is
valid, replaced (with a link to the new one) or revoked; a forged code says so, with HTTP 404.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from prometheus_client import Counter

from services.adapters.signing import Signer
from services.domain.codes import REPORT, InvalidCode
from services.http.auth import Caller, readable_state
from services.http.deps import CodeSigner, Config, TrailReader
from services.http.problems import Problem
from services.http.templates import render
from services.settings import Settings

router = APIRouter(tags=["reports"])

SCANS = Counter("qtrail_report_scans_total", "Report code scans", ["result"])

STATUS_TEXT = {
    "valid": ("有效", "valid", "#1b7f3b"),
    "replaced": ("已被替代", "replaced", "#b26a00"),
    "revoked": ("已作废", "revoked", "#b00020"),
}
VERDICT_TEXT = {
    "pass": "合格 pass",
    "fail": "不合格 fail",
    "invalid": "无法评定 invalid",
    None: "待评定 pending",
}


def report_url(settings: Settings, signer: Signer, project_id: str, number: str) -> str:
    return f"{settings.public_base_url}/r/{signer.sign(REPORT, project_id, number)}"


@router.get(
    "/v1/projects/{project_id}/reports/{number}", summary="A test report with its signed code"
)
async def report(
    project_id: str,
    number: str,
    trail: TrailReader,
    signer: CodeSigner,
    settings: Config,
    caller: Caller,
) -> dict[str, Any]:
    state = await readable_state(trail, caller, project_id)
    found = state.reports.get(number)
    if found is None:
        raise Problem(404, "Unknown report", f"no report {number} on project {project_id}")
    url = report_url(settings, signer, project_id, number)
    return {**found.model_dump(mode="json"), "code": url.rsplit("/", 1)[-1], "url": url}


@router.get("/v1/signing-keys", summary="Public keys that verify report and plaque codes")
async def signing_keys(signer: CodeSigner) -> dict[str, Any]:
    return {"active": signer.active, "keys": signer.public_keys()}


def _not_valid(reason: str) -> HTMLResponse:
    SCANS.labels("invalid").inc()
    return HTMLResponse(
        render("report_not_valid.html", reason=reason),
        status_code=404,
        headers={"cache-control": "no-store"},
    )


@router.get(
    "/r/{code}", response_class=HTMLResponse, summary="Public status page behind a report QR"
)
async def report_page(
    code: str, signer: CodeSigner, trail: TrailReader, settings: Config
) -> HTMLResponse:
    try:
        claims = signer.verify(code)
    except InvalidCode as exc:
        return _not_valid(str(exc))
    if claims.kind != REPORT:
        return _not_valid("not a report code")
    state = (await trail.load_states([claims.project_id])).get(claims.project_id)
    found = state.reports.get(claims.number) if state else None
    if state is None or found is None:
        return _not_valid("no such report")
    SCANS.labels(found.status).inc()
    zh, en, colour = STATUS_TEXT[found.status]
    replaced_by_url = None
    if found.status == "replaced" and found.replaced_by:
        replaced_by_url = report_url(settings, signer, claims.project_id, found.replaced_by)
    html = render(
        "report.html",
        report=found,
        status_zh=zh,
        status_en=en,
        colour=colour,
        replaced_by_url=replaced_by_url,
        project_name=state.profile.name if state.profile else claims.project_id,
        sample=state.samples.get(found.sample_id),
        lab=state.labs.get(found.lab_code),
        evaluation=VERDICT_TEXT.get(found.verdict, str(found.verdict)),
        key_id=claims.key_id,
    )
    return HTMLResponse(html, headers={"cache-control": "no-store"})
