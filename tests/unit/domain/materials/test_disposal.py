"""Every lab failure is handled: a failure (a lab's "fail" on any material, qtrail's failed or
unjudgeable batch, a mass deviation, too few samplings) blocks completion until it is disposed of
as GB 50300-2013 §5.0.6 prescribes, each step by the party entitled to it; and a sample is
recorded lost or damaged only by the supervision, with evidence, before it has a result.

The attacks: an owner waving a failure away in writing; a builder "losing" the bad samples; a
lab re-issuing a failing report as a passing one; a re-test on the old samples, on too few, or
on another lab's reports; a design check with no test in place behind it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from services.domain.recording import BatchDecision, decide_batch
from services.domain.state import ProjectState
from tests.support.events import (
    CONSTRUCTION,
    DESIGN,
    LAB,
    ORGS,
    OWNER,
    T0,
    accepted_unit,
    alert_resolved,
    batch_closed,
    completion,
    design_checked,
    in_situ_tested,
    lab_commissioned,
    lot_closed,
    org_code,
    received,
    repair_accepted,
    repair_planned,
    reported,
    retest_concluded,
    sample,
    sample_disposed,
    staffed,
    witness_authorized,
)
from tests.unit.domain.builders import DAY, acting, item

P = "XZ-DISPOSAL-01"
NOW = T0 + 90 * DAY
"""The recorder's clock: after every step and the completion (T0 + 60 days)."""
OTHER_LAB = org_code(107)
WORKED_EXAMPLE = [33.6, 38.1, 28.9, 30.6, 35.3, 36.1, 34.2, 33.3, 31.7, 29.8]
MORTAR = {"material": "mortar", "grade": "M10", "batch": "MO"}
WATERPROOFING = {"material": "waterproofing", "grade": "SBS I PY PE 4", "batch": "WP"}
REBAR = {"material": "rebar", "grade": "HRB400E", "diameter": 20, "batch": "GJ"}
REBAR_OK = {
    "yield_mpa": 455,
    "tensile_mpa": 610,
    "agt_pct": 11.0,
    "mass_kg_per_m": 2.43,
    "bend_ok": True,
    "reverse_bend_ok": True,
}
MEMBRANE = {"tensile_n": 560.0, "elongation_pct": 40.0}
ROLE_ORG = {**ORGS, "lab": LAB}


def run(envelopes: Sequence[dict[str, Any]], state: ProjectState | None = None) -> BatchDecision:
    states = {P: state} if state is not None else {}
    return decide_batch([item(e) for e in envelopes], states, {}, NOW, {})


def sealed(decision: BatchDecision) -> ProjectState:
    assert [(r.event_id, r.rejection.code) for r in decision.rejected] == []
    return decision.states[P]


def prepared(*envelopes: dict[str, Any]) -> ProjectState:
    return sealed(
        run(
            [
                *staffed(P),
                lab_commissioned(P),
                lab_commissioned(P, lab=OTHER_LAB),
                witness_authorized(P),
                *accepted_unit(P),
                *envelopes,
            ]
        )
    )


def refused(decision: BatchDecision, code: str) -> str:
    assert [r.event_id for r in decision.rejected] and decision.sealed == []
    (rejected,) = decision.rejected
    assert rejected.rejection.code == code, rejected.rejection
    assert "{" not in rejected.rejection.message_zh + rejected.rejection.message_en
    return rejected.rejection.message_en


def through_lab(
    sid: str, number: str, values: dict[str, Any], *, conclusion: str = "pass", **kw: Any
) -> list[dict[str, Any]]:
    return [
        sample(P, sid, **kw),
        received(P, sid),
        reported(P, number, sid, values, conclusion=conclusion),
    ]


def open_failures(state: ProjectState) -> set[str]:
    return {a.alert_id for a in state.alerts.values() if a.requires_disposal and not a.resolved_by}


# ----------------------------------------------------------------------------- a lab's fail


@pytest.fixture(scope="module")
def mortar_failed() -> ProjectState:
    """A mortar sample the lab failed: qtrail does not evaluate mortar, the lab's word stands."""
    return prepared(
        *through_lab("M1", "R-M1", {"compressive_mpa": 7.9}, conclusion="fail", **MORTAR)
    )


def test_a_lab_fail_on_a_material_qtrail_does_not_evaluate_raises_a_blocking_failure(
    mortar_failed: ProjectState,
) -> None:
    alert = mortar_failed.alerts["lab_failed:R-M1"]
    assert (alert.severity, alert.blocking, alert.requires_disposal) == ("critical", True, True)
    assert alert.subject == "mortar:MO"
    assert (
        "R-M1" in alert.message_en and "mortar" in alert.message_en and "§5.0.6" in alert.message_en
    )
    assert "第5.0.6条" in alert.message_zh
    (case,) = mortar_failed.dispositions.values()
    assert (case.disposition_id, case.subject, case.alerts) == (
        "lab_failed:R-M1",
        "mortar:MO",
        ["lab_failed:R-M1"],
    )
    assert case.steps == [] and case.closed_by is None


def test_the_failure_blocks_completion(mortar_failed: ProjectState) -> None:
    rejection = run([completion(P)], mortar_failed).rejected[0].rejection
    assert rejection.code == "completion.incomplete"
    assert [d.code for d in rejection.details] == ["completion.open_alert"]
    assert "R-M1" in rejection.details[0].message_en


@pytest.mark.parametrize("role", ["owner", "supervision"])
def test_no_one_waves_a_failure_away_in_writing(mortar_failed: ProjectState, role: str) -> None:
    written = acting(alert_resolved(P, "lab_failed:R-M1"), ORGS[role], role)
    message = refused(run([written], mortar_failed), "materials.disposal_required")
    assert "lab_failed:R-M1" in message and "GB 50300-2013 §5.0.6" in message


def test_a_procedural_alert_is_still_resolved_in_writing() -> None:
    state = prepared(sample(P, "U1", witnessed=False))
    after = sealed(run([alert_resolved(P, "unwitnessed_sample:U1")], state))
    assert after.alerts["unwitnessed_sample:U1"].resolved_by is not None


def test_a_lab_reissuing_a_failing_report_as_passing_does_not_dispose_of_it(
    mortar_failed: ProjectState,
) -> None:
    reissued = reported(P, "R-M1b", "M1", {"compressive_mpa": 10.5}, replaces="R-M1")
    after = sealed(run([reissued], mortar_failed))
    assert after.reports["R-M1"].status == "replaced"
    assert open_failures(after) == {"lab_failed:R-M1"}


# ----------------------------------------------------------------------------- who may take a step

STEPS = {
    "retest_concluded": ("lab", lambda: retest_concluded(P, "lab_failed:R-M1", ["X-1", "X-2"])),
    "in_situ_tested": ("lab", lambda: in_situ_tested(P, "lab_failed:R-M1", "IS-1")),
    "design_checked": ("design", lambda: design_checked(P, "lab_failed:R-M1")),
    "repair_planned": ("construction", lambda: repair_planned(P, "lab_failed:R-M1")),
    "repair_accepted": ("supervision", lambda: repair_accepted(P, "lab_failed:R-M1")),
}


@pytest.mark.parametrize(
    ("step", "role"),
    [
        (step, role)
        for step, (entitled, _) in STEPS.items()
        for role in ("owner", "survey", "design", "construction", "supervision", "lab")
        if role != entitled
    ],
)
def test_a_step_by_anyone_but_its_entitled_party_is_refused(
    mortar_failed: ProjectState, step: str, role: str
) -> None:
    envelope = acting(STEPS[step][1](), ROLE_ORG[role], role)
    message = refused(run([envelope], mortar_failed), "auth.role_not_allowed")
    assert f"qtrail.materials.{step}" in message


def test_the_owner_holds_no_step_at_all(mortar_failed: ProjectState) -> None:
    for _, build in STEPS.values():
        refused(run([acting(build(), OWNER, "owner")], mortar_failed), "auth.role_not_allowed")


def test_a_step_must_name_an_open_failure(mortar_failed: ProjectState) -> None:
    state = sealed(run([sample(P, "U1", witnessed=False)], mortar_failed))
    for alert_id in ("unwitnessed_sample:U1", "no_such:alert"):
        message = refused(
            run([in_situ_tested(P, alert_id, "IS-9")], state), "materials.no_open_failure"
        )
        assert alert_id in message


# ----------------------------------------------------------------------------- in place, then the design unit


def test_in_situ_testing_that_meets_the_design_closes_the_failure(
    mortar_failed: ProjectState,
) -> None:
    step = in_situ_tested(
        P, "lab_failed:R-M1", "IS-1", method="penetration", result="贯入法推定 10.8 MPa"
    )
    after = sealed(run([step], mortar_failed))
    alert = after.alerts["lab_failed:R-M1"]
    assert alert.resolved_by is not None and alert.resolved_by.event_id == step["id"]
    assert "§5.0.6 item 2" in (alert.resolution or "")
    (case,) = after.dispositions.values()
    assert case.closed_by == alert.resolved_by
    assert [(s.step, s.outcome, s.reports) for s in case.steps] == [
        ("in_situ", "meets design", ["IS-1"])
    ]
    # closed: nothing blocks completion any more, and no further step is open
    assert run([completion(P)], after).rejected == []
    refused(run([design_checked(P, "lab_failed:R-M1")], after), "materials.no_open_failure")


def test_the_design_unit_checks_only_work_tested_below_design(mortar_failed: ProjectState) -> None:
    message = refused(
        run([design_checked(P, "lab_failed:R-M1")], mortar_failed), "materials.step_not_allowed"
    )
    assert "the design unit's check is not open for mortar lot MO" in message
    below = sealed(
        run([in_situ_tested(P, "lab_failed:R-M1", "IS-1", meets_design=False)], mortar_failed)
    )
    assert open_failures(below) == {"lab_failed:R-M1"}
    checked = sealed(run([design_checked(P, "lab_failed:R-M1")], below))
    resolution = checked.alerts["lab_failed:R-M1"].resolution or ""
    assert "§5.0.6 item 3" in resolution and "28.6 MPa" in resolution


def test_a_design_check_that_fails_leaves_reinforcement_and_re_acceptance(
    mortar_failed: ProjectState,
) -> None:
    below = sealed(
        run([in_situ_tested(P, "lab_failed:R-M1", "IS-1", meets_design=False)], mortar_failed)
    )
    message = refused(
        run([repair_planned(P, "lab_failed:R-M1", kind="reinforce")], below),
        "materials.step_not_allowed",
    )
    assert "rests on the design unit's written check" in message
    not_met = sealed(run([design_checked(P, "lab_failed:R-M1", meets=False)], below))
    assert open_failures(not_met) == {"lab_failed:R-M1"}
    planned = sealed(run([repair_planned(P, "lab_failed:R-M1", kind="reinforce")], not_met))
    assert open_failures(planned) == {"lab_failed:R-M1"}  # a plan alone closes nothing
    accepted = sealed(run([repair_accepted(P, "lab_failed:R-M1")], planned))
    assert "§5.0.6 item 4" in (accepted.alerts["lab_failed:R-M1"].resolution or "")
    (case,) = accepted.dispositions.values()
    assert [s.step for s in case.steps] == [
        "in_situ",
        "design_check",
        "repair_plan",
        "re_acceptance",
    ]


def test_re_acceptance_follows_a_plan(mortar_failed: ProjectState) -> None:
    message = refused(
        run([repair_accepted(P, "lab_failed:R-M1")], mortar_failed), "materials.step_not_allowed"
    )
    assert "follows a technical plan" in message
    planned = sealed(run([repair_planned(P, "lab_failed:R-M1", kind="rework")], mortar_failed))
    accepted = sealed(run([repair_accepted(P, "lab_failed:R-M1")], planned))
    assert "§5.0.6 item 1" in (accepted.alerts["lab_failed:R-M1"].resolution or "")


def test_an_in_situ_report_is_the_labs_own_and_its_number_is_never_reused(
    mortar_failed: ProjectState,
) -> None:
    theirs = in_situ_tested(P, "lab_failed:R-M1", "IS-1")
    theirs["data"]["lab_code"] = OTHER_LAB
    assert "data.lab_code" in refused(run([theirs], mortar_failed), "materials.invalid")
    reused = run([in_situ_tested(P, "lab_failed:R-M1", "R-M1")], mortar_failed)
    refused(reused, "materials.report_number_reused")
    assert [a.kind for _, a in reused.alerts] == ["reused_report_number"]
    elsewhere = decide_batch(
        [item(in_situ_tested(P, "lab_failed:R-M1", "IS-7"))],
        {P: mortar_failed},
        {},
        NOW,
        {},
        {"IS-7": "project XZ-OTHER, event evt-9"},
    )
    refused(elsewhere, "materials.report_number_reused")


def test_an_uncommissioned_lab_tests_nothing_in_place(mortar_failed: ProjectState) -> None:
    stranger = org_code(199)
    step = in_situ_tested(P, "lab_failed:R-M1", "IS-1", org=stranger)
    decision = run([step], mortar_failed)
    refused(decision, "auth.not_a_party")
    assert [a.kind for _, a in decision.alerts] == ["uncommissioned_lab"]


# ----------------------------------------------------------------------------- a concrete batch


@pytest.fixture(scope="module")
def batch_failed() -> ProjectState:
    """domain.md's worked example: a C30 batch of ten groups that fails GB/T 50107-2010."""
    envelopes = []
    for n, value in enumerate(WORKED_EXAMPLE):
        envelopes += through_lab(f"C{n}", f"R-C{n}", {"group_mpa": value})
    state = prepared(*envelopes)
    return sealed(run([batch_closed(P, "B1", volume=900.0, mixes=400, shifts=4)], state))


def test_a_failing_batch_is_disposed_of_by_core_drilling_and_the_design_units_check(
    batch_failed: ProjectState,
) -> None:
    assert open_failures(batch_failed) == {"evaluation_failed:B1"}
    assert run([completion(P)], batch_failed).rejected
    message = refused(
        run([retest_concluded(P, "evaluation_failed:B1", ["R-C1", "R-C2"])], batch_failed),
        "materials.step_not_allowed",
    )
    assert "concrete is not re-tested" in message
    cores = in_situ_tested(
        P, "evaluation_failed:B1", "XC-1", meets_design=False, result="芯样推定 28.6 MPa"
    )
    below = sealed(run([cores], batch_failed))
    after = sealed(run([design_checked(P, "evaluation_failed:B1")], below))
    assert open_failures(after) == set()
    assert run([completion(P)], after).rejected == []


def test_too_few_samplings_and_a_failure_of_one_batch_are_disposed_of_together() -> None:
    envelopes = []
    for n, value in enumerate(WORKED_EXAMPLE):
        envelopes += through_lab(f"C{n}", f"R-C{n}", {"group_mpa": value})
    state = sealed(run([batch_closed(P, "B1", volume=1500.0, mixes=700)], prepared(*envelopes)))
    assert open_failures(state) == {"evaluation_failed:B1", "sampling_shortfall:concrete:B1"}
    (case,) = state.dispositions.values()
    assert case.subject == "concrete:B1"
    after = sealed(run([in_situ_tested(P, "sampling_shortfall:concrete:B1", "XC-1")], state))
    assert open_failures(after) == set()
    assert {a.resolution for a in after.alerts.values() if a.requires_disposal} == {
        "in-situ testing (core_drilling, report XC-1) meets the design: accepted "
        "(GB 50300-2013 §5.0.6 item 2)"
    }


def test_a_new_failure_after_a_disposal_closed_opens_a_new_one(mortar_failed: ProjectState) -> None:
    closed = sealed(run([in_situ_tested(P, "lab_failed:R-M1", "IS-1")], mortar_failed))
    again = sealed(
        run(
            through_lab("M2", "R-M2", {"compressive_mpa": 7.0}, conclusion="fail", **MORTAR), closed
        )
    )
    assert open_failures(again) == {"lab_failed:R-M2"}
    assert set(again.dispositions) == {"lab_failed:R-M1", "lab_failed:R-M2"}
    assert again.dispositions["lab_failed:R-M2"].closed_by is None


# ----------------------------------------------------------------------------- re-test on double samples


@pytest.fixture(scope="module")
def membrane_failed() -> ProjectState:
    """A waterproofing membrane the lab failed (its standard allows a re-test), then two new
    witnessed samples of the lot tested by the same lab: W2 passes, W3 too."""
    return prepared(
        *through_lab("W1", "R-W1", MEMBRANE, conclusion="fail", **WATERPROOFING),
        *through_lab("W2", "R-W2", MEMBRANE, **WATERPROOFING),
        *through_lab("W3", "R-W3", MEMBRANE, **WATERPROOFING),
    )


def test_a_passing_retest_on_double_samples_closes_the_failure(
    membrane_failed: ProjectState,
) -> None:
    step = retest_concluded(P, "lab_failed:R-W1", ["R-W2", "R-W3"])
    after = sealed(run([step], membrane_failed))
    resolution = after.alerts["lab_failed:R-W1"].resolution or ""
    assert resolution.startswith("re-test on double samples passed (reports R-W2, R-W3")
    assert "GB 50207-2012" in resolution
    assert run([completion(P)], after).rejected == []


def test_a_retest_on_the_failed_samples_own_lot_before_the_failure_is_refused() -> None:
    state = prepared(
        *through_lab("W0", "R-W0", MEMBRANE, **WATERPROOFING),
        *through_lab("W1", "R-W1", MEMBRANE, conclusion="fail", **WATERPROOFING),
        *through_lab("W2", "R-W2", MEMBRANE, **WATERPROOFING),
    )
    message = refused(
        run([retest_concluded(P, "lab_failed:R-W1", ["R-W0", "R-W2"])], state), "materials.invalid"
    )
    assert "R-W0 is on sample W0, taken before the failure" in message


def test_a_retest_needs_twice_the_failed_samples() -> None:
    state = prepared(
        *through_lab("W1", "R-W1", MEMBRANE, conclusion="fail", **WATERPROOFING),
        *through_lab("W1b", "R-W1b", MEMBRANE, conclusion="fail", **WATERPROOFING),
        *through_lab("W2", "R-W2", MEMBRANE, **WATERPROOFING),
        *through_lab("W3", "R-W3", MEMBRANE, **WATERPROOFING),
    )
    message = refused(
        run([retest_concluded(P, "lab_failed:R-W1", ["R-W2", "R-W3"])], state),
        "materials.step_not_allowed",
    )
    assert "2 report(s) failed, so the re-test needs at least 4" in message


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"witnessed": False}, "which was not witnessed"),
        ({"batch": "WP-2"}, "not of this lot"),
    ],
)
def test_a_retest_sample_must_be_witnessed_and_of_the_lot(change: dict[str, Any], why: str) -> None:
    state = prepared(
        *through_lab("W1", "R-W1", MEMBRANE, conclusion="fail", **WATERPROOFING),
        *through_lab("W2", "R-W2", MEMBRANE, **WATERPROOFING),
        *through_lab("W3", "R-W3", MEMBRANE, **{**WATERPROOFING, **change}),
    )
    message = refused(
        run([retest_concluded(P, "lab_failed:R-W1", ["R-W2", "R-W3"])], state), "materials.invalid"
    )
    assert why in message


def test_a_retest_is_concluded_on_the_concluding_labs_own_reports() -> None:
    state = prepared(
        *through_lab("W1", "R-W1", MEMBRANE, conclusion="fail", **WATERPROOFING),
        *through_lab("W2", "R-W2", MEMBRANE, **WATERPROOFING),
        sample(P, "W3", **WATERPROOFING),
        received(P, "W3", org=OTHER_LAB),
        reported(P, "R-W3", "W3", MEMBRANE, org=OTHER_LAB),
    )
    message = refused(
        run([retest_concluded(P, "lab_failed:R-W1", ["R-W2", "R-W3"])], state), "materials.invalid"
    )
    assert "R-W3 is not a report of this lab" in message


def test_a_pass_is_not_concluded_on_a_failing_retest_and_a_fail_ends_the_retest() -> None:
    state = prepared(
        *through_lab("W1", "R-W1", MEMBRANE, conclusion="fail", **WATERPROOFING),
        *through_lab("W2", "R-W2", MEMBRANE, **WATERPROOFING),
        *through_lab("W3", "R-W3", MEMBRANE, conclusion="fail", **WATERPROOFING),
    )
    message = refused(
        run([retest_concluded(P, "lab_failed:R-W1", ["R-W2", "R-W3"])], state), "materials.invalid"
    )
    assert "R-W3 concludes fail, not pass" in message
    failed = sealed(
        run([retest_concluded(P, "lab_failed:R-W1", ["R-W2", "R-W3"], outcome="fail")], state)
    )
    assert open_failures(failed) == {"lab_failed:R-W1", "lab_failed:R-W3"}  # one lot, one disposal
    (case,) = failed.dispositions.values()
    assert case.alerts == ["lab_failed:R-W1", "lab_failed:R-W3"]
    again = refused(
        run([retest_concluded(P, "lab_failed:R-W3", ["R-W2", "R-W3"])], failed),
        "materials.step_not_allowed",
    )
    assert "re-tested once" in again
    # what is left: in place, the design unit, or rework
    after = sealed(
        run(
            [
                repair_planned(P, "lab_failed:R-W3", kind="replace"),
                repair_accepted(P, "lab_failed:R-W1"),
            ],
            failed,
        )
    )
    assert open_failures(after) == set()


@pytest.mark.parametrize(
    ("material", "grade", "clause"),
    [
        ("mortar", "M10", "GB 50203-2011"),
        ("cement", "P.O 42.5", "GB 175"),
        ("brick", "MU10", "no re-test"),
    ],
)
def test_materials_whose_standard_has_no_retest_are_not_rethrough_lab(
    material: str, grade: str, clause: str
) -> None:
    lot = {"material": material, "grade": grade, "batch": "L1"}
    state = prepared(
        *through_lab("X1", "R-X1", {"compressive_mpa": 7.0}, conclusion="fail", **lot),
        *through_lab("X2", "R-X2", {"compressive_mpa": 12.0}, **lot),
        *through_lab("X3", "R-X3", {"compressive_mpa": 12.0}, **lot),
    )
    message = refused(
        run([retest_concluded(P, "lab_failed:R-X1", ["R-X2", "R-X3"])], state),
        "materials.step_not_allowed",
    )
    assert f"{material} is not re-tested" in message and clause in message


def test_rebar_failing_on_strength_is_retested_but_never_after_a_mass_deviation() -> None:
    weak = {**REBAR_OK, "yield_mpa": 380}
    state = prepared(*through_lab("G1", "R-G1", weak, conclusion="fail", **REBAR))
    state = sealed(run([lot_closed(P, "GJ")], state))
    retests = [
        *through_lab("G2", "R-G2", REBAR_OK, **REBAR),
        *through_lab("G3", "R-G3", REBAR_OK, **REBAR),
    ]
    state = sealed(run(retests, state))
    after = sealed(run([retest_concluded(P, "evaluation_failed:R-G1", ["R-G2", "R-G3"])], state))
    assert open_failures(after) == set()
    light = {**REBAR_OK, "mass_kg_per_m": 2.30}
    heavy_case = prepared(*through_lab("G1", "R-G1", light, conclusion="fail", **REBAR))
    more = [
        *through_lab("G2", "R-G2", REBAR_OK, **REBAR),
        *through_lab("G3", "R-G3", REBAR_OK, **REBAR),
    ]
    heavy_case = sealed(run(more, heavy_case))
    message = refused(
        run([retest_concluded(P, "mass_deviation:R-G1", ["R-G2", "R-G3"])], heavy_case),
        "materials.step_not_allowed",
    )
    assert "a mass_deviation failure may not be re-tested" in message


# ----------------------------------------------------------------------------- lost and damaged samples


def test_only_the_supervision_records_a_sample_lost_with_evidence() -> None:
    state = prepared(sample(P, "S1"))
    for org, role in (
        (CONSTRUCTION, "construction"),
        (OWNER, "owner"),
        (LAB, "lab"),
        (DESIGN, "design"),
    ):
        refused(run([sample_disposed(P, "S1", org=org, role=role)], state), "auth.role_not_allowed")
    bare = sample_disposed(P, "S1")
    bare["data"]["evidence"] = []
    refused(run([bare], state), "event.malformed")
    after = sealed(run([sample_disposed(P, "S1", cause="damaged")], state))
    disposed = after.samples["S1"]
    assert disposed.disposed is not None and disposed.disposal_cause == "damaged"
    notice = after.alerts["sample_disposed:S1"]
    assert (notice.severity, notice.blocking, notice.requires_disposal) == ("warning", False, False)
    assert "recorded damaged" in notice.message_en and "损坏" in notice.message_zh
    gaps = run([completion(P)], after).rejected[0].rejection.details
    assert [g.code for g in gaps] == ["completion.lot_open"]  # S1 needs no result; B1 a closing


def test_a_result_on_the_trail_is_never_lost() -> None:
    state = prepared(*through_lab("S1", "R-S1", {"group_mpa": 20.0}))
    message = refused(run([sample_disposed(P, "S1")], state), "materials.disposal_not_allowed")
    assert "it has report R-S1" in message


def test_a_disposed_sample_is_neither_received_nor_reported_nor_disposed_again() -> None:
    state = prepared(sample(P, "S1"), sample_disposed(P, "S1"))
    refused(run([received(P, "S1")], state), "materials.sample_disposed")
    refused(run([sample_disposed(P, "S1")], state), "materials.sample_disposed")
    received_first = prepared(sample(P, "S2"), received(P, "S2"), sample_disposed(P, "S2"))
    message = refused(
        run([reported(P, "R-S2", "S2", {"group_mpa": 35.0})], received_first),
        "materials.sample_disposed",
    )
    assert "recorded lost" in message


def test_a_retaken_sample_needs_no_disposal() -> None:
    state = prepared(sample(P, "S1", witnessed=False), sample(P, "S2", replaces="S1"))
    message = refused(run([sample_disposed(P, "S1")], state), "materials.disposal_not_allowed")
    assert "re-taken as sample S2" in message


def test_a_cement_sample_lost_after_its_3_day_report_may_be_recorded_so() -> None:
    cement = {"material": "cement", "grade": "P.O 42.5", "batch": "SN"}
    early = {
        "compressive_3d_mpa": 25.0,
        "flexural_3d_mpa": 5.0,
        "initial_set_min": 180,
        "final_set_min": 240,
        "soundness_ok": True,
    }
    state = prepared(*through_lab("SN-1", "R-SN-1", early, **cement))
    after = sealed(run([sample_disposed(P, "SN-1")], state))
    # the lot then counts no sampling: too few, to be disposed of like a failure
    closed = sealed(run([lot_closed(P, "SN", material="cement", grade="P.O 42.5")], after))
    assert open_failures(closed) == {"sampling_shortfall:cement:SN"}


def test_a_builder_losing_the_bad_samples_gains_nothing() -> None:
    """Ten samplings asked for; the builder has the supervision record two as lost before the lab
    tests them. The batch closes, but counts eight: the shortfall waits for cores."""
    envelopes = []
    for n, value in enumerate(WORKED_EXAMPLE[:8]):
        envelopes += through_lab(f"C{n}", f"R-C{n}", {"group_mpa": value})
    envelopes += [
        sample(P, "C8"),
        sample(P, "C9"),
        sample_disposed(P, "C8"),
        sample_disposed(P, "C9"),
    ]
    state = prepared(*envelopes)
    decision = run([batch_closed(P, "B1", volume=950.0, mixes=400)], state)
    after = sealed(decision)
    batch = after.concrete_batches["B1"]
    assert batch.sampling is not None and (batch.sampling.counted, batch.sampling.required) == (
        8,
        10,
    )
    assert "sampling_shortfall:concrete:B1" in open_failures(after)
