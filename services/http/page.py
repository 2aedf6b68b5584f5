"""The public trail page behind a plaque's QR, as HTML: small, Chinese first, no JavaScript.

Pure: it renders a project's state (already redacted of personal data) and an integrity summary
with the templates trail.html and not_valid.html.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from events.acceptance import WARRANTY_PARTS
from events.base import ROLE_NAMES
from services.domain.ledger import FIVE_ROLES
from services.domain.plaques import (
    building_completion,
    building_name,
    open_defects,
    served,
    warranty_summary,
)
from services.domain.state import Plaque, ProjectState
from services.domain.warranty import minimum
from services.http.defect_form import CONTACT_MAX, DESCRIPTION_MAX
from services.http.templates import render

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


@dataclass(frozen=True)
class DefectForm:
    """Where the public defect form posts, and its signed token."""

    action: str
    token: str


def not_valid(reason: str) -> str:
    return render("not_valid.html", reason=reason)


def trail_page(
    state: ProjectState,
    plaque: Plaque,
    current_url: str | None,
    integrity: dict[str, Any],
    witnessed: tuple[int, list[str]] | None = None,
    *,
    today: dt.date | None = None,
    form: DefectForm | None = None,
) -> str:
    """The public trail page of one building's plaque; ``witnessed`` is the newest checkpoint
    witnesses cosigned and who did: shown when it is the checkpoint the chain was checked against
    or a later one (a witness cosigns only a log that extends what it cosigned before).

    It lists every lead who served up to the building's completion with their period, each
    part's warranty ("in warranty until", or expired by ``today``) and the building's open
    defects: part, dates and status only. No dwelling number: with the building's name it points
    at one household's home, which is theirs to tell."""
    profile = state.profile
    assert profile is not None
    completion = building_completion(state, plaque.unit_id)
    warranty = warranty_summary(state, plaque.unit_id, completion)[1] if completion else []
    tally = Counter(
        (
            state.samples[r.sample_id].material if r.sample_id in state.samples else "other",
            r.verdict,
        )
        for r in state.reports.values()
        if r.status == "valid"
    )
    batches = Counter(b.verdict for b in state.concrete_batches.values())
    return render(
        "trail.html",
        profile=profile,
        plaque=plaque,
        current_url=current_url,
        completion=completion,
        building=building_name(state, plaque.unit_id),
        parties=[
            (
                ROLE_NAMES[role],
                party,
                served(party, completion) if party is not None else [],
            )
            for role in FIVE_ROLES
            for party in [state.parties.get(role)]
        ],
        warranty=warranty,
        today=today,
        defects=open_defects(state, plaque.unit_id, today) if today else [],
        form=form,
        parts=[(part, minimum(part).zh, minimum(part).en) for part in WARRANTY_PARTS],
        description_max=DESCRIPTION_MAX,
        contact_max=CONTACT_MAX,
        materials=[
            (MATERIALS.get(m, m), VERDICTS.get(v, v), n)
            for (m, v), n in sorted(tally.items(), key=lambda kv: (kv[0][0], str(kv[0][1])))
        ],
        batches=[(VERDICTS.get(v, v), n) for v, n in batches.items()],
        alerts=sorted(state.alerts.values(), key=lambda a: a.raised_at),
        nonconformances=list(state.nonconformances.values()),
        accidents=list(state.accidents.values()),
        verified=integrity["ok"],
        first_bad_seq=integrity.get("first_bad_seq"),
        length=integrity["length"],
        head=integrity["head"],
        checkpoint=integrity.get("checkpoint"),
        witnessed=witnessed
        if witnessed and integrity.get("checkpoint") and witnessed[0] >= integrity["checkpoint"]
        else None,
    )
