"""Completion acceptance and plaques: every gap refused with its own code, the plaque issued with
the completion, and plaques installed or revoked only while valid."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from events.acceptance import IMPLICIT_UNIT
from services.domain.project import fold
from services.domain.recording import BatchDecision, decide_batch, seal_submission
from services.domain.state import PlaqueStatus, ProjectState
from services.domain.submission import read_submission
from tests.support.events import (
    ORGS,
    T0,
    accepted_unit,
    completion,
    dwellings_accepted,
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
from tests.unit.domain.builders import DAY, item, nc_raised, raw_of

P = "XZ-DONE-001"
NOW = T0 + 90 * DAY
"""The recorder's clock: after the completion (T0 + 60 days) and the plaque events."""


def issuer(kind: str, project: str, number: str) -> tuple[str, str]:
    return f"code-{kind}-{number}", f"https://qtrail.example/{kind}/{project}/{number}"


def run(envelopes: Sequence[Mapping[str, Any]], state: ProjectState | None = None) -> BatchDecision:
    states = {P: state} if state is not None else {}
    return decide_batch([item(e) for e in envelopes], states, {}, NOW, {}, {}, issuer)


def completed() -> tuple[ProjectState, BatchDecision]:
    decision = run([*staffed(P), *accepted_unit(P), completion(P, event_id="evt-completion-1")])
    assert decision.rejected == []
    return decision.states[P], decision


def test_every_gap_is_refused_with_its_own_code() -> None:
    five = tuple(ORGS)
    envelopes = [
        *staffed(P, commit=False),
        nc_raised(P, "NC-1", at=T0 + 2 * DAY),
        *accepted_unit(P),
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
        [item(e) for e in [*staffed(P), *accepted_unit(P), completion(P)]],
        {},
        {},
        NOW,
        {},
        {},
        None,
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
    decision = run(
        [*staffed(P), lab_commissioned(P), witness_authorized(P), *accepted_unit(P), *envelopes]
    )
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


# ----------------------------------------------------------------------------- a building's completion


def complete_but(*skip: str, **kw: Any) -> list[tuple[str, str]]:
    """The gaps of B1's completion when its acceptance left ``skip`` out."""
    decision = run([*staffed(P), *accepted_unit(P, skip=skip, **kw), completion(P)])
    if not decision.rejected:
        return []
    (refused,) = decision.rejected
    assert refused.rejection.code == "completion.incomplete"
    return [(gap.code, gap.message_en) for gap in refused.rejection.details]


def test_a_completion_names_a_registered_building_never_the_implicit_unit() -> None:
    state, _ = completed()
    implicit = completion(P, unit=IMPLICIT_UNIT, at=T0 + 61 * DAY)
    (refused,) = run([implicit], state).rejected
    assert refused.rejection.code == "completion.implicit_unit"
    assert "register the building" in refused.rejection.message_en
    (refused,) = run([completion(P, unit="B2", at=T0 + 61 * DAY)], state).rejected
    assert refused.rejection.code == "acceptance.unknown_unit"


def test_every_missing_step_of_the_building_is_named() -> None:
    assert complete_but("roof", "decoration", "warranty", "notice", "dwellings") == [
        ("completion.division_not_accepted", "the decoration division is not accepted"),
        ("completion.division_not_accepted", "the roof division is not accepted"),
        ("completion.no_warranty", "the builder has not issued the warranty certificate"),
        ("completion.no_notice", "the supervision station was not told of the acceptance"),
        *(
            ("completion.dwelling_uninspected", f"dwelling {d} has had no per-dwelling acceptance")
            for d in ("1-0101", "1-0102", "1-0201")
        ),
    ]
    assert complete_but("main_structure") == [
        ("completion.division_not_accepted", "the main structure division is not accepted")
    ]
    assert complete_but("dwellings", housing=False) == []  # an office building has no dwellings


def test_a_dwelling_whose_latest_result_failed_blocks_completion_until_it_passes() -> None:
    base = run([*staffed(P), *accepted_unit(P, skip=("dwellings",))]).states[P]
    at = T0 + 30 * DAY
    inspected = dwellings_accepted(
        P, "B1", {"1-0101": True, "1-0102": True, "1-0201": False}, at=at
    )
    state = run([inspected], base).states[P]
    (refused,) = run([completion(P)], state).rejected
    assert [(g.code, g.message_en) for g in refused.rejection.details] == [
        (
            "completion.dwelling_failed",
            "dwelling 1-0201 failed its per-dwelling acceptance (卫生间地面渗漏) and has not "
            "passed since",
        )
    ]
    again = run([dwellings_accepted(P, "B1", {"1-0201": True}, at=at + DAY)], state).states[P]
    assert run([completion(P)], again).rejected == []


def test_a_completion_six_working_days_after_the_notice_is_refused() -> None:
    # The station was told on Monday 9 Feb 2026 of an acceptance on 2 March; the owner accepts
    # on Wednesday 25 Feb instead: 10–13 Feb, 14 Feb (worked in exchange) and 24 Feb, the
    # Spring Festival between, make six working days.
    base = run([*staffed(P), *accepted_unit(P)]).states[P]
    (refused,) = run([completion(P, at=dt.datetime(2026, 2, 25, 9, tzinfo=dt.UTC))], base).rejected
    assert [(g.code, g.message_en) for g in refused.rejection.details] == [
        (
            "completion.notice_other_day",
            "accepted_on: the station was told of an acceptance on 2026-03-02, not 2026-02-25",
        ),
        (
            "completion.notice_too_late",
            "only 6 working day(s) between the notice on 2026-02-09 and the acceptance on "
            "2026-02-25; at least 7 are required",
        ),
    ]


def test_each_building_is_accepted_once_and_the_first_is_the_projects_completion() -> None:
    second_at = T0 + 75 * DAY
    decision = run(
        [
            *staffed(P),
            *accepted_unit(P, "B1"),
            *accepted_unit(P, "B2", accepted_at=second_at, start=T0 + 6 * DAY),
            completion(P, unit="B1"),
        ]
    )
    state = decision.states[P]
    assert decision.rejected == [] and state.completion is not None
    assert state.completion.unit_id == "B1"
    assert state.units["B2"].completion is None
    state = run([completion(P, unit="B2", at=second_at)], state).states[P]
    b2 = state.units["B2"].completion
    assert b2 is not None and b2.accepted_on == second_at.date()
    # the project's trail runs on from its first building
    assert state.completion is not None and state.completion.unit_id == "B1"
    for unit, at in (("B1", second_at + DAY), ("B2", second_at + DAY)):
        (refused,) = run([completion(P, unit=unit, at=at)], state).rejected
        assert refused.rejection.code == "completion.already_accepted"


def test_an_old_v1_completion_reads_as_the_implicit_unit() -> None:
    base = run([*staffed(P)]).states[P]
    v1 = completion(P, event_id="evt-completion-v1")
    v1["type"] = "qtrail.project.completion_accepted.v1"
    del v1["data"]["unit_id"]
    (refused,) = run([v1], base).rejected  # a v1 submission today names no building
    assert refused.rejection.code == "completion.implicit_unit"
    # a record sealed before buildings were registered folds as before: one implicit unit
    old = seal_submission(read_submission(raw_of(v1)), base, NOW)
    state = fold(base, old)
    unit = state.units[IMPLICIT_UNIT]
    assert unit.implicit and unit.name == f"测试工程 {P}"
    assert unit.completion is not None and unit.completion == state.completion
    assert state.completion.accepted_on == (T0 + 60 * DAY).date()
