"""The public trail page behind a plaque's QR, as HTML: small, Chinese first, no JavaScript.

Pure: it renders a project's state (already redacted of personal data) and an integrity summary.
"""

from __future__ import annotations

from collections import Counter
from html import escape
from typing import Any

from services.domain.ledger import FIVE_ROLES
from services.domain.state import Plaque, ProjectState

ROLES = {
    "owner": ("建设单位", "Owner"),
    "survey": ("勘察单位", "Survey"),
    "design": ("设计单位", "Design"),
    "construction": ("施工单位", "Construction"),
    "supervision": ("监理单位", "Supervision"),
}
VERDICTS = {"pass": "合格", "fail": "不合格", "invalid": "无法评定", None: "按批评定或待评定"}
MATERIALS = {
    "concrete": "混凝土",
    "mortar": "砂浆",
    "rebar": "钢筋",
    "rebar_splice": "钢筋接头",
    "brick": "砖砌块",
    "cement": "水泥",
    "admixture": "外加剂",
    "waterproofing": "防水材料",
    "other": "其他",
}

CSS = """body{font:15px/1.45 system-ui,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;color:#111}
main{max-width:44em;margin:auto;padding:12px}h1{font-size:1.3em;margin:.3em 0}h2{font-size:1.05em;
margin:1.2em 0 .4em;border-bottom:1px solid #ccc}small,.en{color:#555;font-size:.82em}.ok{color:#1b7f3b}
.bad{color:#b00020}.warn{color:#b26a00}table{border-collapse:collapse;width:100%}td,th{text-align:left;
padding:3px 4px;border-bottom:1px solid #eee;vertical-align:top;overflow-wrap:anywhere}
.banner{padding:8px;border-radius:6px;margin:8px 0;font-weight:600}.b-ok{background:#e6f4ea}
.b-bad{background:#fde7ea}ul{padding-left:1.2em;margin:.3em 0}code{overflow-wrap:anywhere}"""


def _e(value: Any) -> str:
    return escape(str(value))


def _period(start: Any, end: Any) -> str:
    to = end.date().isoformat() if end else "至今 / present"
    return f"{start.date().isoformat()} – {to}"


def page(title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body><main>{body}</main></body></html>"
    )


def not_valid(reason: str) -> str:
    return page(
        "标牌无效 / Plaque not valid",
        (
            '<div class="banner b-bad">此标牌无效<br><span class="en">This plaque is not valid</span></div>'
            f'<p>二维码未通过签名验证：{_e(reason)}。<br><span class="en">The QR code failed verification: {_e(reason)}.'
            '</span></p><p>请联系当地建设工程质量监督机构。<br><span class="en">Please report it to the local construction '
            "quality supervision station.</span></p>"
        ),
    )


def trail_page(
    state: ProjectState, plaque: Plaque, current_url: str | None, integrity: dict[str, Any]
) -> str:
    profile = state.profile
    assert profile is not None
    parts: list[str] = []
    if plaque.status == "revoked":
        link = (
            f' <a href="{_e(current_url)}">查看现行标牌 / current plaque</a>' if current_url else ""
        )
        parts.append(
            f'<div class="banner b-bad">此标牌已撤销：{_e(plaque.revoked_reason)}<br>'
            f'<span class="en">This plaque was revoked.</span>{link}</div>'
        )
    else:
        parts.append(
            '<div class="banner b-ok">永久性标牌有效 <span class="en">Valid permanent plaque</span></div>'
        )
    parts.append(
        f"<h1>{_e(profile.name)}</h1><p>{_e(profile.address)}<br><small>施工许可证 / permit "
        f"{_e(profile.permit_number)} · {_e(profile.use)} · {_e(profile.structure_type)}</small></p>"
    )
    done = state.completion
    parts.append(
        "<table>"
        f"<tr><th>设计使用年限 <span class=en>design life</span></th><td>{profile.design_life_years} 年</td></tr>"
        f"<tr><th>开工 <span class=en>started</span></th><td>{_e(done.started_on if done else '—')}</td></tr>"
        f"<tr><th>竣工 <span class=en>completed</span></th><td>{_e(done.accepted_on if done else '—')}</td></tr>"
        + (
            f"<tr><th>标牌位置 <span class=en>plaque at</span></th><td>{_e(plaque.installed_place)}</td></tr>"
            if plaque.installed_place
            else ""
        )
        + "</table>"
    )
    parts.append(
        "<h2>五方责任主体及项目负责人 <span class=en>Responsible parties and leads</span></h2><table>"
    )
    for role in FIVE_ROLES:
        party = state.parties.get(role)
        zh, en = ROLES[role]
        if party is None:
            parts.append(f"<tr><th>{zh} <span class=en>{en}</span></th><td>—</td></tr>")
            continue
        leads = "".join(
            f"<li>{_e(lead.name)} <small>{_period(lead.start, lead.end)}"
            f"{' · 已签承诺书 commitment signed' if lead.commitment else ''}</small></li>"
            for lead in party.leads
        )
        parts.append(
            f"<tr><th>{zh} <span class=en>{en}</span></th><td>{_e(party.org_name)}<ul>{leads}</ul></td></tr>"
        )
    parts.append("</table>")
    tally = Counter(
        (
            state.samples[r.sample_id].material if r.sample_id in state.samples else "other",
            r.verdict,
        )
        for r in state.reports.values()
        if r.status == "valid"
    )
    batches = Counter(b.verdict for b in state.concrete_batches.values())
    parts.append("<h2>材料检测 <span class=en>Material tests</span></h2>")
    if tally or batches:
        rows = "".join(
            f"<tr><td>{MATERIALS.get(m, m)}</td><td>{VERDICTS.get(v, v)}</td><td>{n}</td></tr>"
            for (m, v), n in sorted(tally.items(), key=lambda kv: (kv[0][0], str(kv[0][1])))
        )
        rows += "".join(
            f"<tr><td>混凝土验收批 <span class=en>concrete batches</span></td><td>{VERDICTS.get(v, v)}</td>"
            f"<td>{n}</td></tr>"
            for v, n in batches.items()
        )
        parts.append(f"<table><tr><th>材料</th><th>评定</th><th>报告数</th></tr>{rows}</table>")
    else:
        parts.append("<p>无 <span class=en>none</span></p>")
    if state.alerts:
        items = "".join(
            f'<li class="{"ok" if a.resolved_by else "bad"}">{_e(a.message_zh)}<br><span class=en>{_e(a.message_en)}'
            f"</span>{'<br><small>已处理 resolved: ' + _e(a.resolution) + '</small>' if a.resolved_by else ''}</li>"
            for a in sorted(state.alerts.values(), key=lambda a: a.raised_at)
        )
        parts.append(
            f"<h2>预警及处理 <span class=en>Alerts and resolutions</span></h2><ul>{items}</ul>"
        )
    parts.append("<h2>质量问题与事故 <span class=en>Nonconformances and accidents</span></h2>")
    issues = "".join(
        f"<li>{_e(nc.nonconformance_id)} {_e(nc.building_part)}：{_e(nc.description)} "
        f"<small>{'已关闭 closed' if nc.status == 'closed' else _e(nc.status)}</small></li>"
        for nc in state.nonconformances.values()
    ) + "".join(
        f"<li class=bad>事故 accident {_e(a.accident_id)} {_e(a.building_part)}：{_e(a.description)}</li>"
        for a in state.accidents.values()
    )
    parts.append(f"<ul>{issues}</ul>" if issues else "<p>无 <span class=en>none</span></p>")
    verified = integrity["ok"]
    checkpoint = integrity.get("checkpoint")
    bad = integrity.get("first_bad_seq")
    parts.append(
        "<h2>记录完整性 <span class=en>Integrity of the record</span></h2>"
        f'<p class="{"ok" if verified else "bad"}">{"哈希链校验通过" if verified else "哈希链校验失败"}'
        f"{f'（第 {_e(bad)} 条）' if not verified and bad else ''} "
        f"<span class=en>{'the hash chain verifies' if verified else 'the hash chain does NOT verify'}"
        f"{f' (seq {_e(bad)})' if not verified and bad else ''}</span></p>"
        f"<table><tr><th>记录数 <span class=en>records</span></th><td>{integrity['length']}</td></tr>"
        f"<tr><th>链头 <span class=en>head</span></th><td><code>{_e(integrity['head'])}</code></td></tr>"
        f"<tr><th>签名检查点 <span class=en>signed checkpoint</span></th><td>"
        f"{_e(checkpoint) if checkpoint else '尚无 <span class=en>none yet</span>'}</td></tr></table>"
        f"<p><small>标牌 plaque #{plaque.serial} · "
        "由 qtrail 记录，任何改动都会使校验失败。 Recorded by qtrail; any change to a record breaks the chain."
        "</small></p>"
    )
    return page(f"{profile.name} · 质量责任追溯", "".join(parts))
