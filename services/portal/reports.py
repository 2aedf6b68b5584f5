"""Report codes: ``GET /v1/projects/{id}/reports/{number}`` and the public status page ``GET /r/{code}``.

A report's QR holds ``<public base URL>/r/<signed code>``. Scanning it shows whether the report is
valid, replaced (with a link to the new one) or revoked; a forged code says so, with HTTP 404.
"""

from __future__ import annotations

from html import escape
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from prometheus_client import Counter

from services.api.auth import Caller, readable_state
from services.api.resources import Deps
from services.domain.codes import REPORT, InvalidCode
from services.gateway.problems import Problem

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


def report_url(deps: Deps, project_id: str, number: str) -> str:
    return f"{deps.settings.public_base_url}/r/{deps.signer.sign(REPORT, project_id, number)}"


@router.get(
    "/v1/projects/{project_id}/reports/{number}", summary="A test report with its signed code"
)
async def report(project_id: str, number: str, deps: Deps, caller: Caller) -> dict[str, Any]:
    state = await readable_state(deps, caller, project_id)
    found = state.reports.get(number)
    if found is None:
        raise Problem(404, "Unknown report", f"no report {number} on project {project_id}")
    url = report_url(deps, project_id, number)
    return {**found.model_dump(mode="json"), "code": url.rsplit("/", 1)[-1], "url": url}


@router.get("/v1/signing-keys", summary="Public keys that verify report and plaque codes")
async def signing_keys(deps: Deps) -> dict[str, Any]:
    return {"active": deps.signer.active, "keys": deps.signer.public_keys()}


def _page(title: str, body: str, status: int) -> HTMLResponse:
    html = f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>{escape(title)}</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;margin:0;padding:16px;max-width:40em}}
.s{{font-size:1.6em;font-weight:700}}dt{{color:#555;margin-top:.6em}}dd{{margin:0}}
small{{color:#555}}</style></head><body>{body}</body></html>"""
    return HTMLResponse(html, status_code=status, headers={"cache-control": "no-store"})


def _not_valid(reason: str) -> HTMLResponse:
    SCANS.labels("invalid").inc()
    return _page(
        "报告码无效 / Report code not valid",
        f'<p class="s" style="color:#b00020">此报告码无效</p><p>This report code is not valid: '
        f"{escape(reason)}.</p><p>请勿使用该报告，并联系质量监督机构。<br><small>Do not rely on this "
        "report; contact the quality supervision station.</small></p>",
        404,
    )


@router.get(
    "/r/{code}", response_class=HTMLResponse, summary="Public status page behind a report QR"
)
async def report_page(code: str, deps: Deps) -> HTMLResponse:
    try:
        claims = deps.signer.verify(code)
    except InvalidCode as exc:
        return _not_valid(str(exc))
    if claims.kind != REPORT:
        return _not_valid("not a report code")
    state = (await deps.store.load_states([claims.project_id])).get(claims.project_id)
    found = state.reports.get(claims.number) if state else None
    if state is None or found is None:
        return _not_valid("no such report")
    SCANS.labels(found.status).inc()
    zh, en, colour = STATUS_TEXT[found.status]
    sample = state.samples.get(found.sample_id)
    lab = state.labs.get(found.lab_code)
    extra = ""
    if found.status == "replaced" and found.replaced_by:
        link = report_url(deps, claims.project_id, found.replaced_by)
        extra = f'<p>替代报告 / replaced by: <a href="{escape(link)}">{escape(found.replaced_by)}</a></p>'
    project_name = state.profile.name if state.profile else claims.project_id
    body = f"""<p class="s" style="color:{colour}">报告{zh} <small>report {en}</small></p>{extra}
<dl><dt>报告编号 Report</dt><dd>{escape(found.report_number)}</dd>
<dt>工程 Project</dt><dd>{escape(project_name)}</dd>
<dt>样品 Sample</dt><dd>{escape(found.sample_id)}{escape(f" · {sample.material} {sample.grade} · {sample.building_part}" if sample else "")}</dd>
<dt>见证 Witnessed</dt><dd>{"是 yes" if sample and sample.witnessed else "否 no"}</dd>
<dt>检测机构 Lab</dt><dd>{escape(lab.name if lab else found.lab_code)}</dd>
<dt>检测日期 Tested</dt><dd>{found.tested_on.isoformat()}</dd>
<dt>检测结论 Lab conclusion</dt><dd>{escape(found.lab_conclusion)}</dd>
<dt>qtrail 评定 Evaluation</dt><dd>{escape(VERDICT_TEXT.get(found.verdict, str(found.verdict)))}</dd></dl>
<p><small>签名密钥 key {escape(claims.key_id)} · 链上位置 sealed at #{found.ref.seq}</small></p>"""
    return _page(f"检测报告 {found.report_number}", body, 200)
