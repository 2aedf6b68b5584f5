"""Completion acceptance and plaques: every gap refused with its own code, the plaque issued with
the completion, and plaques installed or revoked only while valid."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from services.domain.recording import BatchDecision, decide_batch
from services.domain.state import PlaqueStatus, ProjectState
from tests.support.events import (
    ORGS,
    T0,
    completion,
    lab_commissioned,
    lot_closed,
    plaque_event,
    received,
    reported,
    sample,
    sample_disposed,
    staffed,
    witness_authorized,
)
from tests.unit.domain.builders import DAY, item, nc_raised

P = "XZ-DONE-001"
NOW = T0 + 90 * DAY
"""The recorder's clock: after the completion (T0 + 60 days) and the plaque events."""


def issuer(kind: str, project: str, number: str) -> tuple[str, str]:
    return f"code-{kind}-{number}", f"https://qtrail.example/{kind}/{project}/{number}"


def run(envelopes: list[Mapping[str, Any]], state: ProjectState | None = None) -> BatchDecision:
    states = {P: state} if state is not None else {}
    return decide_batch([item(e) for e in envelopes], states, {}, NOW, {}, {}, issuer)


def completed() -> tuple[ProjectState, BatchDecision]:
    decision = run([*staffed(P), completion(P, event_id="evt-completion-1")])
    assert decision.rejected == []
    return decision.states[P], decision


def test_every_gap_is_refused_with_its_own_code() -> None:
    five = tuple(ORGS)
    envelopes = [
        *staffed(P, commit=False),
        nc_raised(P, "NC-1", at=T0 + 2 * DAY),
        completion(P, signed=five[:-1]),
    ]
    decision = run(envelopes)
    (refused,) = decision.rejected
    assert refused.rejection.code == "completion.incomplete"
    codes = [gap.code for gap in refused.rejection.details]
    assert codes == [
        *["archive.commitment_missing"] * 5,
        "completion.signature_missing",
        "completion.open_nonconformance",
    ]
    assert f"{len(codes)} item(s)" in refused.rejection.message_en
    assert decision.states[P].completion is None


def test_a_complete_project_is_accepted_once_and_issues_its_plaque() -> None:
    state, decision = completed()
    assert [r.type for r in decision.sealed[-2:]] == [
        "qtrail.project.completion_accepted.v2",
        "qtrail.plaque.issued.v2",
    ]
    assert state.completion is not None
    assert state.completion.accepted_on == (T0 + 60 * DAY).date()
    plaque = state.plaques["1"]
    assert plaque.status is PlaqueStatus.VALID and plaque.code == "code-p-1"
    assert [p["role"] for p in plaque.fields["parties"]] == list(ORGS)
    again = run([completion(P, at=T0 + 61 * DAY)], state)
    assert [r.rejection.code for r in again.rejected] == ["completion.already_accepted"]


def test_without_a_signer_completion_seals_no_plaque() -> None:
    decision = decide_batch(
        [item(e) for e in [*staffed(P), completion(P)]], {}, {}, NOW, {}, {}, None
    )
    assert decision.rejected == [] and decision.states[P].plaques == {}


def test_a_plaque_is_installed_then_revoked_and_reissued() -> None:
    state, _ = completed()
    at = T0 + 70 * DAY
    installed = plaque_event(
        P, "installed", {"serial": 1, "place": "大门", "installed_on": at.date().isoformat()}
    )
    revoked = plaque_event(P, "revoked", {"serial": 1, "reason": "负责人姓名更正"}, at=at + DAY)
    decision = run([installed, revoked], state)
    assert decision.rejected == []
    state = decision.states[P]
    old, new = state.plaques["1"], state.plaques["2"]
    assert old.installed_place == "大门" and old.installed_on == at.date()
    assert old.status is PlaqueStatus.REVOKED and old.revoked_reason == "负责人姓名更正"
    assert old.replaced_by == 2 and new.status is PlaqueStatus.VALID


def test_only_a_valid_plaque_is_installed_or_revoked() -> None:
    state, _ = completed()
    at = T0 + 70 * DAY
    revoked = plaque_event(P, "revoked", {"serial": 1, "reason": "更正", "reissue": False}, at=at)
    state = run([revoked], state).states[P]
    for fact, data in [
        ("installed", {"serial": 1, "place": "大门", "installed_on": "2026-03-12"}),
        ("revoked", {"serial": 1, "reason": "再次"}),
        ("installed", {"serial": 9, "place": "大门", "installed_on": "2026-03-12"}),
    ]:
        decision = run([plaque_event(P, fact, data, at=at + dt.timedelta(hours=1))], state)
        assert [r.rejection.code for r in decision.rejected] == ["plaque.unknown"]


# ----------------------------------------------------------------------------- the material record

CEMENT_3D = {
    "compressive_3d_mpa": 25.0,
    "flexural_3d_mpa": 5.0,
    "initial_set_min": 180,
    "final_set_min": 240,
    "soundness_ok": True,
}
CEMENT_28D = {**CEMENT_3D, "compressive_28d_mpa": 48.0, "flexural_28d_mpa": 7.5}
CEMENT = {"material": "cement", "grade": "P.O 42.5", "batch": "SN"}


def with_materials(*envelopes: dict[str, Any]) -> ProjectState:
    decision = run([*staffed(P), lab_commissioned(P), witness_authorized(P), *envelopes])
    assert [(r.event_id, r.rejection.code) for r in decision.rejected] == []
    return decision.states[P]


def gaps(state: ProjectState) -> list[tuple[str, str]]:
    decision = run([completion(P)], state)
    if not decision.rejected:
        return []
    return [(gap.code, gap.message_en) for gap in decision.rejected[0].rejection.details]


def test_a_material_record_with_holes_is_refused_naming_each() -> None:
    state = with_materials(
        sample(P, "S1"),  # concrete, batch B1: no report, batch not closed
        sample(P, "M1", material="mortar", grade="M10", batch="MO"),
        received(P, "M1"),  # received, no report; mortar lots are not closed
        sample(P, "SN-1", **CEMENT),
        received(P, "SN-1"),
        reported(P, "R-SN-1", "SN-1", CEMENT_3D),  # a 3-day report only
        sample(P, "GJ-1", material="rebar", grade="HRB400E", diameter=20, batch="GJ"),
        sample_disposed(P, "GJ-1"),  # lost: needs no result, but its lot still closes
    )
    assert gaps(state) == [
        (
            "completion.sample_without_result",
            "sample S1 (concrete, lot B1) has neither a result nor an authorised disposal: "
            "not received by a lab, no report",
        ),
        (
            "completion.sample_without_result",
            "sample M1 (mortar, lot MO) has neither a result nor an authorised disposal: "
            "received by the lab, no report",
        ),
        (
            "completion.preliminary_result",
            "sample SN-1 (cement, lot SN) has a preliminary result only: only the preliminary "
            "(3-day) report R-SN-1; the 28-day report completes it",
        ),
        ("completion.lot_open", "concrete batch B1 has 1 sample(s) and is not closed"),
        ("completion.lot_open", "cement lot SN has 1 sample(s) and is not closed"),
        ("completion.lot_open", "rebar lot GJ has 1 sample(s) and is not closed"),
    ]


def test_a_preliminary_pass_completes_only_with_the_28_day_report() -> None:
    state = with_materials(
        sample(P, "SN-1", **CEMENT),
        received(P, "SN-1"),
        reported(P, "R-SN-1", "SN-1", CEMENT_3D),
    )
    assert state.reports["R-SN-1"].stage == "preliminary"
    assert [code for code, _ in gaps(state)] == [
        "completion.preliminary_result",
        "completion.lot_open",
    ]
    later = run(
        [
            reported(P, "R-SN-1-28", "SN-1", CEMENT_28D, replaces="R-SN-1"),
            lot_closed(P, "SN", material="cement", grade="P.O 42.5", quantity=150.0),
        ],
        state,
    )
    assert later.rejected == []
    assert gaps(later.states[P]) == []
