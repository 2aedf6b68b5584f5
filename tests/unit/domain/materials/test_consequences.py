"""qtrail's own evaluations, sealed by the recorder right after the fact that causes them.

A report of rebar or cement is evaluated on its own; concrete is evaluated by batch when the batch
closes. Expected verdicts are worked out by hand from the standards' figures (see the comments).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.domain.chain import SealedRecord, StoredLink, verify_links
from services.domain.materials.evaluate import FAULT
from services.domain.recording import BatchDecision, decide_batch
from services.domain.state import ProjectState
from tests.support.events import (
    batch_closed,
    lab_commissioned,
    received,
    report_revoked,
    reported,
    sample,
    sample_disposed,
    staffed,
    witness_authorized,
)
from tests.unit.domain.builders import NOW, item

P = "XZ-EVAL-001"
REPORTED = "qtrail.materials.test_reported.v1"
EVALUATED = "qtrail.materials.evaluated.v1"
WORKED_EXAMPLE = [33.6, 38.1, 28.9, 30.6, 35.3, 36.1, 34.2, 33.3, 31.7, 29.8]
"""domain.md's worked example: C30, ten groups, mean 33.16, S 2.926 → fails on the mean."""

# HRB400E Ø20 (GB/T 1499.2-2018): ReL ≥ 400, Rm ≥ 540, Agt ≥ 9.0, Rm/ReL ≥ 1.25,
# ReL/400 ≤ 1.30, bend and reverse bend passed, nominal mass 2.47 kg/m ± 5 % (Ø14–20).
# 610/455 = 1.34, 455/400 = 1.14, (2.43 − 2.47)/2.47 = −1.6 %: pass.
# (2.30 − 2.47)/2.47 = −6.88 %: beyond −5 %, a stretched or fake bar.
REBAR_OK = {
    "yield_mpa": 455,
    "tensile_mpa": 610,
    "agt_pct": 11.0,
    "mass_kg_per_m": 2.43,
    "bend_ok": True,
    "reverse_bend_ok": True,
}
REBAR_LIGHT = {**REBAR_OK, "mass_kg_per_m": 2.30}
STRAIGHTENED = {"straightened": True, "yield_mpa": 430, "tensile_mpa": 580}
CEMENT_28D = {
    "compressive_3d_mpa": 25.0,
    "compressive_28d_mpa": 48.0,
    "flexural_3d_mpa": 5.0,
    "flexural_28d_mpa": 7.5,
    "initial_set_min": 180,
    "final_set_min": 240,
    "soundness_ok": True,
}
CEMENT_3D = {k: v for k, v in CEMENT_28D.items() if "28d" not in k}


def run(
    envelopes: Sequence[Mapping[str, Any]],
    state: ProjectState | None = None,
    *,
    decided: dict[str, bytes] | None = None,
) -> BatchDecision:
    states = {state.project_id: state} if state is not None else {}
    return decide_batch([item(e) for e in envelopes], states, dict(decided or {}), NOW, {})


def accepted(decision: BatchDecision) -> BatchDecision:
    assert [(r.event_id, r.rejection.code) for r in decision.rejected] == []
    return decision


def setup() -> list[dict[str, Any]]:
    return [*staffed(P), lab_commissioned(P), witness_authorized(P)]


def prepared(*envelopes: dict[str, Any]) -> ProjectState:
    return accepted(run([*setup(), *envelopes])).states[P]


def evaluations(decision: BatchDecision) -> list[SealedRecord]:
    return [r for r in decision.sealed if r.type == EVALUATED]


def only_evaluation(decision: BatchDecision) -> dict[str, Any]:
    (record,) = evaluations(decision)
    data: dict[str, Any] = record.body["data"]
    return data


def alert_kinds(decision: BatchDecision) -> set[str]:
    return {alert.kind for _, alert in decision.alerts}


@pytest.fixture(scope="module")
def rebar() -> ProjectState:
    """Rebar samples received: HRB400E Ø20 (RB1..RB4) and a Ø10 coil bar (RC1)."""
    envelopes: list[dict[str, Any]] = []
    for sid in ("RB1", "RB2", "RB3", "RB4"):
        envelopes += [
            sample(P, sid, material="rebar", grade="HRB400E", diameter=20, batch="RB"),
            received(P, sid),
        ]
    envelopes += [
        sample(P, "RC1", material="rebar", grade="HRB400E", diameter=10, batch="RC"),
        received(P, "RC1"),
    ]
    return prepared(*envelopes)


# ----------------------------------------------------------------------------- reports


def test_a_passing_rebar_report_seals_a_system_evaluation(rebar: ProjectState) -> None:
    env = reported(P, "R-1", "RB1", REBAR_OK)
    decision = accepted(run([env], rebar))
    assert [r.type for r in decision.sealed] == [REPORTED, EVALUATED]
    cause, follow = decision.sealed
    assert cause.event_id == env["id"]
    assert follow.event_id == f"sys-eval-{env['id']}"
    assert follow.body["actor"] == {"org": "qtrail", "person": "qtrail", "role": "system"}
    assert follow.body["source"] == "qtrail"
    data = follow.body["data"]
    assert data["verdict"] == "pass"
    assert data["standard"] == "GB/T 1499.2-2018"
    assert data["rule_table"].startswith("GB/T 1499.2-2018")
    assert data["subject_kind"] == "report"
    assert data["subject_id"] == "R-1"
    assert data["material"] == "rebar"
    assert data["caused_by"] == env["id"]
    assert all(check["ok"] for check in data["checks"])
    assert data["values"]["mass_deviation_pct"] == pytest.approx(
        (2.43 - 2.47) / 2.47 * 100, abs=1e-3
    )
    state = decision.states[P]
    assert state.reports["R-1"].verdict == "pass"
    assert state.reports["R-1"].evaluation is not None
    assert state.reports["R-1"].evaluation.event_id == follow.event_id
    assert decision.alerts == []


def test_a_light_bar_fails_with_mass_failure_and_contradiction_alerts(
    rebar: ProjectState,
) -> None:
    decision = accepted(run([reported(P, "R-2", "RB2", REBAR_LIGHT, conclusion="pass")], rebar))
    data = only_evaluation(decision)
    assert data["verdict"] == "fail"
    (mass,) = [c for c in data["checks"] if c["name"] == "mass deviation %"]
    assert mass["ok"] is False
    assert mass["actual"] == pytest.approx(-6.8826, abs=1e-3)
    state = decision.states[P]
    assert state.reports["R-2"].verdict == "fail"
    assert alert_kinds(decision) == {
        "mass_deviation",
        "evaluation_failed",
        "lab_conclusion_contradicts",
    }
    for kind in ("mass_deviation", "evaluation_failed", "lab_conclusion_contradicts"):
        alert = state.alerts[f"{kind}:R-2"]
        assert alert.severity == "critical"
        assert alert.events == [decision.sealed[0].event_id, decision.sealed[1].event_id]
    assert "-6.88" in state.alerts["mass_deviation:R-2"].message_en
    assert "GB/T 1499.2-2018" in state.alerts["evaluation_failed:R-2"].message_en


def test_a_lab_failing_a_failing_bar_raises_no_contradiction(rebar: ProjectState) -> None:
    decision = accepted(run([reported(P, "R-3", "RB3", REBAR_LIGHT, conclusion="fail")], rebar))
    assert only_evaluation(decision)["verdict"] == "fail"
    assert alert_kinds(decision) == {"mass_deviation", "evaluation_failed", "lab_failed"}
    # one failure of one lot: a single disposal covers its three alerts
    (case,) = decision.states[P].dispositions.values()
    assert case.subject == "rebar:RB"
    assert case.alerts == ["lab_failed:R-3", "mass_deviation:R-3", "evaluation_failed:R-3"]


def test_a_lab_failing_a_passing_bar_is_a_contradiction(rebar: ProjectState) -> None:
    decision = accepted(run([reported(P, "R-4", "RB4", REBAR_OK, conclusion="fail")], rebar))
    assert only_evaluation(decision)["verdict"] == "pass"
    # qtrail's pass does not wave the lab's fail away: the fail is disposed of all the same
    assert alert_kinds(decision) == {"lab_conclusion_contradicts", "lab_failed"}
    assert decision.states[P].alerts["lab_failed:R-4"].requires_disposal
    alert = decision.states[P].alerts["lab_conclusion_contradicts:R-4"]
    assert "fail" in alert.message_en and "pass" in alert.message_en


def test_a_straightened_coil_bar_is_evaluated_by_gb_50204(rebar: ProjectState) -> None:
    # HRB400E Ø10 straightened (§5.3.4): mass deviation ≥ −8 %, A ≥ 15 %, and the strength of
    # GB/T 1499.2 (ReL ≥ 400, Rm ≥ 540). (0.60 − 0.617)/0.617 = −2.76 %; A 17 %: pass.
    measured = {**STRAIGHTENED, "mass_kg_per_m": 0.60, "elongation_pct": 17.0}
    decision = accepted(run([reported(P, "R-5", "RC1", measured)], rebar))
    data = only_evaluation(decision)
    assert data["standard"] == "GB 50204-2015"
    assert data["rule_table"].startswith("GB 50204-2015")
    assert data["verdict"] == "pass"
    assert data["values"]["mass_deviation_pct"] == pytest.approx(
        (0.60 - 0.617) / 0.617 * 100, abs=1e-3
    )


def test_a_straightened_bar_too_light_for_gb_50204_fails(rebar: ProjectState) -> None:
    # (0.55 − 0.617)/0.617 = −10.9 % < −8 %
    measured = {**STRAIGHTENED, "mass_kg_per_m": 0.55, "elongation_pct": 17.0}
    decision = accepted(run([reported(P, "R-6", "RC1", measured)], rebar))
    data = only_evaluation(decision)
    assert data["standard"] == "GB 50204-2015"
    assert data["verdict"] == "fail"


def test_passing_cement_is_evaluated_by_gb_175() -> None:
    # P.O 42.5: 3 d ≥ 17.0 / 3.5 MPa, 28 d ≥ 42.5 / 6.5 MPa, initial set ≥ 45 min, final ≤ 600.
    # Sampled in 2026: GB 175-2023 is the edition in force.
    state = prepared(sample(P, "C1", material="cement", grade="P.O 42.5"), received(P, "C1"))
    decision = accepted(run([reported(P, "R-C1", "C1", CEMENT_28D)], state))
    data = only_evaluation(decision)
    assert data["standard"] == "GB 175-2023"
    assert data["rule_table"].startswith("GB 175-2023")
    assert data["verdict"] == "pass"
    assert data["method"] == "P.O 42.5"
    assert data["material"] == "cement"
    assert decision.states[P].reports["R-C1"].verdict == "pass"


def test_cement_sampled_before_2024_06_01_is_judged_by_gb_175_2007() -> None:
    # the project's trail starts in 2026, so the sample's date is moved back in the state itself
    state = prepared(sample(P, "C1", material="cement", grade="P.O 42.5"), received(P, "C1"))
    taken = dt.datetime(2024, 5, 31, 9, tzinfo=dt.UTC)
    old = state.samples["C1"].model_copy(update={"taken_at": taken})
    state = state.model_copy(update={"samples": {**state.samples, "C1": old}})
    data = only_evaluation(accepted(run([reported(P, "R-C1", "C1", CEMENT_28D)], state)))
    assert data["standard"] == "GB 175-2007"
    assert any("in force on 2024-05-31" in n for n in data["notes"])


@pytest.mark.parametrize(
    ("taken", "edition"),
    [
        ("2024-05-31T15:59:00+00:00", "GB 175-2007"),  # 23:59 in China
        ("2024-05-31T16:00:00+00:00", "GB 175-2023"),  # 00:00 on 1 June in China
        ("2024-06-01T00:30:00+08:00", "GB 175-2023"),
    ],
)
def test_the_sampling_date_is_the_date_in_china(taken: str, edition: str) -> None:
    state = prepared(sample(P, "C1", material="cement", grade="P.O 42.5"), received(P, "C1"))
    moved = state.samples["C1"].model_copy(update={"taken_at": dt.datetime.fromisoformat(taken)})
    state = state.model_copy(update={"samples": {**state.samples, "C1": moved}})
    data = only_evaluation(accepted(run([reported(P, "R-C1", "C1", CEMENT_28D)], state)))
    assert data["standard"] == edition


def test_a_3_day_cement_report_is_a_preliminary_pass_without_an_alert() -> None:
    state = prepared(sample(P, "C1", material="cement", grade="P.O 42.5"), received(P, "C1"))
    early = accepted(run([reported(P, "R-C1", "C1", CEMENT_3D)], state))
    data = only_evaluation(early)
    assert data["verdict"] == "pass"
    assert data["values"]["stage"] == "preliminary"
    assert early.alerts == []
    late = accepted(run([reported(P, "R-C1b", "C1", CEMENT_28D, replaces="R-C1")], early.states[P]))
    final = only_evaluation(late)
    assert final["verdict"] == "pass"
    assert "stage" not in final["values"]
    assert late.states[P].reports["R-C1"].status == "replaced"


def test_a_failing_3_day_cement_report_fails() -> None:
    state = prepared(sample(P, "C1", material="cement", grade="P.O 42.5"), received(P, "C1"))
    decision = accepted(
        run([reported(P, "R-C1", "C1", {**CEMENT_3D, "compressive_3d_mpa": 15.0})], state)
    )
    assert only_evaluation(decision)["verdict"] == "fail"
    assert "evaluation_failed" in alert_kinds(decision)


def test_an_unknown_measurement_makes_the_evaluation_invalid_and_names_it(
    rebar: ProjectState,
) -> None:
    measured = {**REBAR_OK, "bend_ok": None, "bent_ok": False}
    measured = {k: v for k, v in measured.items() if v is not None}
    decision = accepted(run([reported(P, "R-1", "RB1", measured)], rebar))
    data = only_evaluation(decision)
    assert data["verdict"] == "invalid"
    assert any(r.startswith("bent_ok: not a field") for r in data["reasons"])
    assert alert_kinds(decision) == {"evaluation_invalid"}


def test_a_failed_bend_fails_the_report(rebar: ProjectState) -> None:
    decision = accepted(run([reported(P, "R-1", "RB1", {**REBAR_OK, "bend_ok": False})], rebar))
    data = only_evaluation(decision)
    assert data["verdict"] == "fail"
    assert [c["name"] for c in data["checks"] if not c["ok"]] == ["bend test"]


def test_an_implausible_measurement_is_invalid_not_judged(rebar: ProjectState) -> None:
    # mass in g/m: not a critical mass failure but an invalid report naming the slip
    decision = accepted(
        run([reported(P, "R-1", "RB1", {**REBAR_OK, "mass_kg_per_m": 2430.0})], rebar)
    )
    data = only_evaluation(decision)
    assert data["verdict"] == "invalid"
    assert any("g/m?" in r for r in data["reasons"])
    assert "mass_deviation" not in alert_kinds(decision)


def test_a_concrete_report_alone_produces_no_evaluation() -> None:
    state = prepared(sample(P, "S1"), received(P, "S1"))
    decision = accepted(run([reported(P, "R-S1", "S1", {"group_mpa": 20.0})], state))
    assert [r.type for r in decision.sealed] == [REPORTED]
    assert decision.alerts == []
    assert decision.states[P].reports["R-S1"].verdict is None


# ----------------------------------------------------------------------------- concrete batches


def concrete_batch(measurements: list[dict[str, Any]], batch: str = "B7") -> list[dict[str, Any]]:
    """One sample (taken, received) and one report per measurement, all in ``batch``."""
    envelopes: list[dict[str, Any]] = []
    for n, measured in enumerate(measurements, 1):
        sid = f"{batch}-S{n}"
        envelopes += [
            sample(P, sid, batch=batch),
            received(P, sid),
            reported(P, f"{batch}-R{n}", sid, measured),
        ]
    return envelopes


def test_the_worked_example_batch_fails() -> None:
    state = prepared(*concrete_batch([{"group_mpa": v} for v in WORKED_EXAMPLE]))
    close = batch_closed(P, "B7")
    decision = accepted(run([close], state))
    assert [r.type for r in decision.sealed] == [
        "qtrail.materials.concrete_batch_closed.v2",
        EVALUATED,
    ]
    data = only_evaluation(decision)
    assert data["subject_kind"] == "concrete_batch"
    assert data["subject_id"] == "B7"
    assert data["standard"] == "GB/T 50107-2010"
    assert data["caused_by"] == close["id"]
    assert data["verdict"] == "fail"
    assert data["n"] == 10
    assert data["method"] == "statistical, unknown sigma"
    assert data["values"]["mean"] == pytest.approx(statistics.fmean(WORKED_EXAMPLE))
    # stated: mean 33.16 → 33.2 < 30 + 1.15 · 2.93 (S 2.926 stated) = 33.3695; min 28.9 ≥ 27
    (mean,) = [c for c in data["checks"] if c["name"] == "mean"]
    assert mean["ok"] is False
    assert (mean["raw"], mean["stated"]) == (pytest.approx(33.16), 33.2)
    assert mean["required"] == pytest.approx(30 + 1.15 * 2.93)
    after = decision.states[P]
    assert after.concrete_batches["B7"].verdict == "fail"
    assert after.concrete_batches["B7"].evaluation is not None
    assert after.concrete_batches["B7"].evaluation.event_id == f"sys-eval-{close['id']}"
    assert alert_kinds(decision) == {"evaluation_failed"}
    assert "evaluation_failed:B7" in after.alerts


def test_specimen_triples_make_group_values_and_an_invalid_group_is_excluded() -> None:
    # [30, 31, 32] → 31.0 (mean); [34, 36, 37] → 35.7 (mean, to 0.1);
    # [20, 30, 40]: both extremes 10 off the middle 30 (> 4.5) → the group does not count.
    state = prepared(
        *concrete_batch(
            [
                {"specimen_mpa": [30.0, 31.0, 32.0]},
                {"specimen_mpa": [34.0, 36.0, 37.0]},
                {"specimen_mpa": [20.0, 30.0, 40.0]},
            ]
        )
    )
    data = only_evaluation(accepted(run([batch_closed(P, "B7")], state)))
    assert data["n"] == 2
    assert data["values"]["mean"] == pytest.approx((31.0 + 35.7) / 2)
    assert any("B7-R3" in note and "invalid" in note for note in data["notes"])
    assert not any("B7-R1" in note or "B7-R2" in note for note in data["notes"])


def test_a_report_without_group_values_is_noted_not_counted() -> None:
    state = prepared(*concrete_batch([{"group_mpa": 40.0}, {"slump_mm": 180.0}]))
    data = only_evaluation(accepted(run([batch_closed(P, "B7")], state)))
    assert data["n"] == 1
    assert any("B7-R2" in note for note in data["notes"])


def test_replaced_and_revoked_reports_are_not_counted() -> None:
    state = prepared(
        *concrete_batch([{"group_mpa": 30.0}, {"group_mpa": 40.0}, {"group_mpa": 50.0}]),
        reported(P, "B7-R2b", "B7-S2", {"group_mpa": 35.0}, replaces="B7-R2"),
        report_revoked(P, "B7-R3"),
    )
    assert state.reports["B7-R2"].status == "replaced"
    assert state.reports["B7-R3"].status == "revoked"
    # B7-S3 has no valid report left: the batch cannot close without it
    (refusal,) = run([batch_closed(P, "B7")], state).rejected
    assert refusal.rejection.code == "materials.lot_not_closable"
    (missing,) = refusal.rejection.details
    assert "B7-S3" in missing.message_en and "B7-R3 was revoked" in missing.message_en
    state = accepted(run([reported(P, "B7-R3b", "B7-S3", {"group_mpa": 33.0})], state)).states[P]
    data = only_evaluation(accepted(run([batch_closed(P, "B7")], state)))
    # counted: B7-R1 (30), the replacement B7-R2b (35) and the new B7-R3b (33)
    assert data["n"] == 3
    assert data["values"]["mean"] == pytest.approx(32.666666, abs=1e-4)
    assert data["values"]["min"] == pytest.approx(30.0)


def test_other_batches_are_not_counted() -> None:
    state = prepared(
        *concrete_batch([{"group_mpa": 40.0}], batch="B7"),
        *concrete_batch([{"group_mpa": 10.0}, {"group_mpa": 12.0}], batch="B8"),
    )
    data = only_evaluation(accepted(run([batch_closed(P, "B7")], state)))
    assert data["n"] == 1
    assert data["values"]["mean"] == pytest.approx(40.0)


def test_a_report_of_100_mm_cubes_counts_0_95_of_its_strength() -> None:
    # C30, three groups, non-statistical: m ≥ 34.5. 36.3 × 0.95 = 34.485 → 34.5 passes;
    # a 100 mm group of 36.2 (→ 34.4) fails the batch where a 150 mm one would pass
    sized = [{"group_mpa": 36.3, "specimen_size_mm": 100}] * 3
    data = only_evaluation(accepted(run([batch_closed(P, "B7")], prepared(*concrete_batch(sized)))))
    assert data["values"]["group_values"] == [34.5] * 3
    assert data["verdict"] == "pass"
    smaller = [{"group_mpa": 36.2, "specimen_size_mm": 100}] * 3
    failing = only_evaluation(
        accepted(run([batch_closed(P, "B7")], prepared(*concrete_batch(smaller))))
    )
    assert failing["verdict"] == "fail"


def test_an_implausible_group_makes_the_batch_invalid_naming_the_report() -> None:
    state = prepared(*concrete_batch([{"group_mpa": 40.0}, {"group_mpa": 5000.0}]))
    data = only_evaluation(accepted(run([batch_closed(P, "B7")], state)))
    assert data["verdict"] == "invalid"
    assert any("B7-R2" in r and "psi?" in r for r in data["reasons"])


def test_sigma0_selects_the_known_sigma_method() -> None:
    # three groups 35, 36, 37 with σ0 = 3.0: mean 36 ≥ 30 + 0.7·3 = 32.1; min 35 ≥ 30 − 2.1 and
    # ≥ 0.90·30 = 27: pass. Without σ0, three groups are judged non-statistically.
    state = prepared(*concrete_batch([{"group_mpa": v} for v in (35.0, 36.0, 37.0)]))
    known = only_evaluation(accepted(run([batch_closed(P, "B7", sigma0=3.0)], state)))
    assert known["method"] == "statistical, known sigma"
    assert known["n"] == 3
    assert known["values"]["sigma0_used"] == pytest.approx(3.0)
    assert known["verdict"] == "pass"
    (mean,) = [c for c in known["checks"] if c["name"] == "mean"]
    assert mean["required"] == pytest.approx(30 + 0.7 * 3.0)
    unknown = only_evaluation(accepted(run([batch_closed(P, "B7")], state)))
    assert unknown["method"] == "non-statistical"


def test_a_batch_whose_every_sample_was_lost_is_invalid_and_disposed_of_like_a_failure() -> None:
    state = prepared(sample(P, "S1", batch="B9"), sample_disposed(P, "S1"))
    decision = accepted(run([batch_closed(P, "B9")], state))
    assert only_evaluation(decision)["verdict"] == "invalid"
    after = decision.states[P]
    assert after.concrete_batches["B9"].verdict == "invalid"
    # no group to judge and no sampling that counts: both wait for in-situ testing
    assert alert_kinds(decision) == {"evaluation_invalid", "sampling_shortfall"}
    invalid = after.alerts["evaluation_invalid:B9"]
    assert invalid.requires_disposal and invalid.subject == "concrete:B9"
    (case,) = after.dispositions.values()
    assert set(case.alerts) == {"evaluation_invalid:B9", "sampling_shortfall:concrete:B9"}


def test_an_invalid_report_is_the_labs_to_replace_not_a_failure(rebar: ProjectState) -> None:
    decision = accepted(
        run([reported(P, "R-1", "RB1", {**REBAR_OK, "mass_kg_per_m": 2430.0})], rebar)
    )
    alert = decision.states[P].alerts["evaluation_invalid:R-1"]
    assert alert.blocking and not alert.requires_disposal


# ----------------------------------------------------------------------------- the chain


def test_the_evaluation_chains_right_after_its_cause(rebar: ProjectState) -> None:
    report = reported(P, "R-1", "RB1", REBAR_OK)
    next_fact = reported(P, "R-2", "RB2", REBAR_OK)
    decision = accepted(run([report, next_fact], rebar))
    cause, follow, nxt, nxt_follow = decision.sealed
    assert cause.seq == rebar.seq + 1
    assert cause.prev_hash.hex() == rebar.head
    assert follow.seq == cause.seq + 1
    assert follow.prev_hash == cause.hash
    assert follow.body["prev_hash"] == cause.hash.hex()
    assert (nxt.event_id, nxt.seq, nxt.prev_hash) == (next_fact["id"], follow.seq + 1, follow.hash)
    assert nxt_follow.event_id == f"sys-eval-{next_fact['id']}"
    assert decision.states[P].seq == nxt_follow.seq
    assert decision.states[P].head == nxt_follow.hash.hex()


def test_a_whole_trail_with_evaluations_verifies() -> None:
    decision = accepted(
        run(
            [
                *setup(),
                sample(P, "RB1", material="rebar", grade="HRB400E", diameter=20),
                received(P, "RB1"),
                reported(P, "R-1", "RB1", REBAR_LIGHT),
            ]
        )
    )
    links = [StoredLink(r.seq, r.canonical, r.prev_hash, r.hash) for r in decision.sealed]
    verification = verify_links(links)
    assert verification.ok, verification
    assert verification.length == len(decision.sealed)
    assert decision.sealed[-1].type == EVALUATED


def test_a_redelivered_report_produces_no_second_evaluation(rebar: ProjectState) -> None:
    env = reported(P, "R-1", "RB1", REBAR_OK)
    first = accepted(run([env], rebar))
    assert len(evaluations(first)) == 1
    assert f"sys-eval-{env['id']}" in first.digests
    again = run([env], first.states[P], decided=first.digests)
    assert again.duplicates == [env["id"]]
    assert again.sealed == []
    assert again.rejected == []
    assert again.alerts == []


def test_a_report_delivered_twice_in_one_batch_is_evaluated_once(rebar: ProjectState) -> None:
    env = reported(P, "R-1", "RB1", REBAR_LIGHT)
    decision = accepted(run([env, env], rebar))
    assert [r.type for r in decision.sealed] == [REPORTED, EVALUATED]
    assert decision.duplicates == [env["id"]]
    assert len([a for _, a in decision.alerts if a.kind == "mass_deviation"]) == 1


@pytest.mark.parametrize("split", [False, True], ids=["one batch", "two batches"])
def test_a_submitted_id_never_collides_with_a_system_fact(rebar: ProjectState, split: bool) -> None:
    report = reported(P, "R-1", "RB1", REBAR_OK)
    squatter = {**sample(P, "S-SQUAT"), "id": f"sys-eval-{report['id']}"}  # a hostile app
    if split:
        first = run([squatter], rebar)
        second = run([report], first.states.get(P, rebar), decided=first.digests)
        sealed = [*first.sealed, *second.sealed]
    else:
        sealed = run([squatter, report], rebar).sealed
    ids = [r.event_id for r in sealed]
    assert len(ids) == len(set(ids)), ids


# ----------------------------------------------------------------------------- totality

MEASURED_NAMES = st.sampled_from(
    [*REBAR_OK, *CEMENT_28D, "straightened", "elongation_pct", "specimen_size_mm", "group_mpa"]
) | st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12)
FINITE = st.floats(-1e12, 1e12)  # the event itself refuses NaN, infinities and beyond 1e12
MEASURED_VALUES = (
    FINITE | st.sampled_from([1e12, -1e12, 0.0]) | st.booleans() | st.lists(FINITE, max_size=4)
)


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from([("rebar", "HRB400E", 20.0), ("cement", "P.O 42.5", None)]),
    st.dictionaries(MEASURED_NAMES, MEASURED_VALUES, min_size=1, max_size=8),
)
def test_any_report_is_sealed_with_an_evaluation(
    material: tuple[str, str, float | None], measured: dict[str, Any]
) -> None:
    kind, grade, diameter = material
    state = prepared(
        sample(P, "X1", material=kind, grade=grade, diameter=diameter, batch="X"),
        received(P, "X1"),
    )
    decision = accepted(run([reported(P, "R-X1", "X1", measured)], state))
    data = only_evaluation(decision)
    assert data["verdict"] in ("pass", "fail", "invalid")
    assert not any(r.startswith(FAULT) for r in data["reasons"])


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(["group_mpa", "specimen_mpa", "specimen_size_mm"]),
            MEASURED_VALUES,
            min_size=1,
            max_size=3,
        ),
        min_size=1,
        max_size=4,
    )
)
def test_any_concrete_batch_is_sealed_with_an_evaluation(reports: list[dict[str, Any]]) -> None:
    state = prepared(*concrete_batch(reports))
    data = only_evaluation(accepted(run([batch_closed(P, "B7")], state)))
    assert data["verdict"] in ("pass", "fail", "invalid")
    assert not any(r.startswith(FAULT) for r in data["reasons"])
