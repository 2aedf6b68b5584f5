"""Closing lots: a concrete batch, a rebar or a cement lot closes only when every sample assigned to
it has a complete result or an authorised disposal, and all are of its grade.

The attacks: a builder who reports only the good groups (the closing names every missing sample),
one who slips a sample of another grade into the batch (refused at sampling), one who closes a C30
batch as C25 to be judged more leniently (refused at closing, naming each sample), one who adds a
good sample to a batch after it closed, and one who counts a good group twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from services.domain.recording import BatchDecision, decide_batch
from services.domain.state import ProjectState
from tests.support.events import (
    LAB,
    OWNER,
    T0,
    batch_closed,
    event,
    lab_commissioned,
    lot_closed,
    received,
    report_revoked,
    reported,
    sample,
    sample_disposed,
    staffed,
    witness_authorized,
)
from tests.unit.domain.builders import DAY, NOW, item

P = "XZ-LOTS-001"
GROUP = {"group_mpa": 36.0}
REBAR_OK = {
    "yield_mpa": 455,
    "tensile_mpa": 610,
    "agt_pct": 11.0,
    "mass_kg_per_m": 2.43,
    "bend_ok": True,
    "reverse_bend_ok": True,
}
CEMENT_3D = {
    "compressive_3d_mpa": 25.0,
    "flexural_3d_mpa": 5.0,
    "initial_set_min": 180,
    "final_set_min": 240,
    "soundness_ok": True,
}
CEMENT_28D = {**CEMENT_3D, "compressive_28d_mpa": 48.0, "flexural_28d_mpa": 7.5}


def run(envelopes: Sequence[dict[str, Any]], state: ProjectState | None = None) -> BatchDecision:
    states = {P: state} if state is not None else {}
    return decide_batch([item(e) for e in envelopes], states, {}, NOW, {})


def prepared(*envelopes: dict[str, Any]) -> ProjectState:
    decision = run([*staffed(P), lab_commissioned(P), witness_authorized(P), *envelopes])
    assert [(r.event_id, r.rejection.code) for r in decision.rejected] == []
    return decision.states[P]


def refusal(decision: BatchDecision) -> Any:
    assert decision.sealed == []
    (rejected,) = decision.rejected
    return rejected.rejection


def sealed(decision: BatchDecision) -> ProjectState:
    assert [(r.event_id, r.rejection.code) for r in decision.rejected] == []
    return decision.states[P]


def taken(sid: str, *, report: dict[str, Any] | None = GROUP, **kw: Any) -> list[dict[str, Any]]:
    """A witnessed sample, received, and (unless ``report`` is None) reported."""
    out = [sample(P, sid, **kw), received(P, sid)]
    if report is not None:
        out.append(reported(P, f"R-{sid}", sid, report))
    return out


# ----------------------------------------------------------------------------- cherry-picking


@pytest.fixture(scope="module")
def cherry_picked() -> ProjectState:
    """Batch B1: S1, S2 reported (good); S3 received, unreported; S4 never received; S5's only
    report revoked; S6 lost and recorded so; S7 unwitnessed, re-taken as S8 (reported)."""
    return prepared(
        *taken("S1"),
        *taken("S2"),
        *taken("S3", report=None),
        sample(P, "S4"),
        *taken("S5"),
        report_revoked(P, "R-S5"),
        sample(P, "S6"),
        sample_disposed(P, "S6"),
        sample(P, "S7", witnessed=False),
        *taken("S8", replaces="S7"),
    )


def test_a_batch_with_unreported_samples_is_refused_naming_every_one(
    cherry_picked: ProjectState,
) -> None:
    rejection = refusal(run([batch_closed(P, "B1")], cherry_picked))
    assert rejection.code == "materials.lot_not_closable"
    assert rejection.message_en == "concrete batch B1 cannot be closed: 3 item(s) outstanding"
    assert rejection.message_zh == "混凝土验收批 B1 不能结束：尚有 3 项未满足"
    items = {d.message_en.split(" ")[1]: d for d in rejection.details}
    assert set(items) == {"S3", "S4", "S5"}  # S6 was disposed of, S7 re-taken as S8
    assert all(d.code == "materials.sample_without_result" for d in rejection.details)
    assert "received by the lab, no report" in items["S3"].message_en
    assert "not received by a lab" in items["S4"].message_en
    assert "R-S5 was revoked" in items["S5"].message_en
    assert all("{" not in d.message_zh + d.message_en for d in rejection.details)
    assert "尚无检测结果或经批准的处置" in items["S3"].message_zh


def test_once_every_sample_has_a_result_or_a_disposal_the_batch_closes(
    cherry_picked: ProjectState,
) -> None:
    state = sealed(
        run(
            [
                reported(P, "R-S3", "S3", GROUP),
                received(P, "S4"),
                reported(P, "R-S4", "S4", GROUP),
                reported(P, "R-S5b", "S5", GROUP),
                batch_closed(P, "B1"),
            ],
            cherry_picked,
        )
    )
    batch = state.concrete_batches["B1"]
    assert batch.verdict == "pass"
    # S1–S5 and S8 count; the lost S6 and the re-taken S7 do not
    assert batch.sampling is not None and batch.sampling.counted == 6
    evaluation = [r for r in state.reports.values() if r.sample_id == "S7"]
    assert evaluation == []


def test_the_evaluation_counts_the_retake_not_the_retaken_sample() -> None:
    # S1 was taken unwitnessed and re-taken as S2; the lab tested S1's cubes all the same
    state = prepared(
        sample(P, "S1", witnessed=False),
        *taken("S2", replaces="S1"),
        received(P, "S1"),
        reported(P, "R-S1", "S1", {"group_mpa": 20.0}),
    )
    decision = run([batch_closed(P, "B1")], state)
    evaluation = decision.sealed[-1].body["data"]
    assert evaluation["n"] == 1 and evaluation["verdict"] == "pass"
    assert evaluation["values"]["group_values"] == [36.0]


def test_a_good_group_cannot_be_counted_twice() -> None:
    state = prepared(*taken("S1"))
    rejection = refusal(run([reported(P, "R-S1-again", "S1", GROUP)], state))
    assert rejection.code == "materials.invalid"
    assert "already has report R-S1" in rejection.message_en
    other = refusal(
        run(
            [reported(P, "R-X", "S2", GROUP, replaces="R-S1")],
            prepared(*taken("S1"), *taken("S2", report=None)),
        )
    )
    assert "R-S1 is on sample S1, not S2" in other.message_en


def test_a_closing_that_states_nothing_is_refused() -> None:
    state = prepared(*taken("S1"))
    v1 = event(
        P,
        "qtrail.materials.concrete_batch_closed.v1",
        {"batch_id": "B1", "grade": "C30"},
        at=T0 + 40 * DAY,
        org=OWNER,
        role="owner",
    )
    rejection = refusal(run([v1], state))
    assert rejection.code == "materials.invalid"
    assert "data.volume_m3, data.mixes, data.working_shifts, data.floors" in rejection.message_en


# ----------------------------------------------------------------------------- grades


def test_a_sample_of_another_grade_is_refused_at_sampling() -> None:
    state = prepared(*taken("S1"))
    rejection = refusal(run([sample(P, "S2", grade="C35")], state))
    assert rejection.code == "materials.grade_mismatch"
    assert rejection.message_en == "sample S2 is C35, not the C30 of concrete batch B1"
    assert rejection.message_zh == "样品 S2 为 C35，与混凝土验收批 B1的 C30 不符"
    # the same grade however it is spelt joins; another batch takes any grade
    sealed(run([sample(P, "S3", grade="c 30"), sample(P, "S4", grade="C35", batch="B2")], state))


def test_a_rebar_sample_of_another_size_is_refused() -> None:
    state = prepared(sample(P, "GJ-1", material="rebar", grade="HRB400E", diameter=20, batch="GJ"))
    rejection = refusal(
        run([sample(P, "GJ-2", material="rebar", grade="HRB400E", diameter=25, batch="GJ")], state)
    )
    assert rejection.message_en == "sample GJ-2 is HRB400E Ø25, not the HRB400E Ø20 of rebar lot GJ"


def test_cement_is_one_grade_however_it_is_spelt() -> None:
    state = prepared(sample(P, "SN-1", material="cement", grade="P.O 42.5", batch="SN"))
    sealed(run([sample(P, "SN-2", material="cement", grade="P·O 42.5", batch="SN")], state))
    rejection = refusal(
        run([sample(P, "SN-3", material="cement", grade="P.O 42.5R", batch="SN")], state)
    )
    assert rejection.code == "materials.grade_mismatch"


def test_closing_a_c30_batch_as_c25_is_refused_naming_each_sample() -> None:
    state = prepared(*taken("S1"), *taken("S2"))
    rejection = refusal(run([batch_closed(P, "B1", grade="C25")], state))
    assert rejection.code == "materials.lot_not_closable"
    assert [d.code for d in rejection.details] == ["materials.grade_mismatch"] * 2
    assert [d.message_en for d in rejection.details] == [
        "sample S1 is C30, not the C25 of concrete batch B1",
        "sample S2 is C30, not the C25 of concrete batch B1",
    ]


# ----------------------------------------------------------------------------- closed lots


def test_a_closed_batch_takes_no_sample() -> None:
    state = sealed(run([batch_closed(P, "B1")], prepared(*taken("S1"))))
    rejection = refusal(run([sample(P, "S9")], state))
    assert rejection.code == "materials.lot_closed"
    assert rejection.message_en == "concrete batch B1 is closed: no sample may join it"


def test_a_closed_rebar_lot_takes_no_sample_but_a_retest_of_its_failure() -> None:
    rebar = {"material": "rebar", "grade": "HRB400E", "diameter": 20, "batch": "GJ"}
    state = prepared(*taken("GJ-1", report=REBAR_OK, **rebar))
    closed = sealed(run([lot_closed(P, "GJ")], state))
    rejection = refusal(run([sample(P, "GJ-2", **rebar)], closed))
    assert rejection.code == "materials.lot_closed"
    assert "but as the re-test of its open failure" in rejection.message_en
    # a failed strength opens a re-test: the double samples may join the closed lot
    weak = {**REBAR_OK, "yield_mpa": 380}
    failing = [
        *taken("GJ-3", report=None, **rebar),
        reported(P, "R-GJ-3", "GJ-3", weak, conclusion="fail"),
    ]
    failed = sealed(run([*failing, lot_closed(P, "GJ")], state))
    sealed(run([sample(P, "GJ-4", **rebar), sample(P, "GJ-5", **rebar)], failed))


def test_a_rebar_lot_needs_its_diameter_and_a_cement_lot_its_packaging() -> None:
    state = prepared(
        *taken("GJ-1", report=REBAR_OK, material="rebar", grade="HRB400E", diameter=20, batch="GJ")
    )
    assert (
        "data.diameter_mm" in refusal(run([lot_closed(P, "GJ", diameter=None)], state)).message_en
    )
    cement = prepared(
        *taken("SN-1", report=CEMENT_28D, material="cement", grade="P.O 42.5", batch="SN")
    )
    bare = lot_closed(P, "SN", material="cement", grade="P.O 42.5")
    bare["data"].pop("packaging")
    assert "data.packaging" in refusal(run([bare], cement)).message_en
    assert "no rebar sample" in refusal(run([lot_closed(P, "NONE")], state)).message_en


def test_a_cement_lot_waits_for_the_28_day_report() -> None:
    cement = {"material": "cement", "grade": "P.O 42.5", "batch": "SN"}
    state = prepared(*taken("SN-1", report=CEMENT_3D, **cement))
    assert state.reports["R-SN-1"].stage == "preliminary"
    close = lot_closed(P, "SN", material="cement", grade="P.O 42.5", quantity=180.0)
    rejection = refusal(run([close], state))
    (only,) = rejection.details
    assert only.code == "materials.sample_without_result"
    assert "only the preliminary (3-day) report R-SN-1" in only.message_en
    # the 28-day report may follow as a report of its own (not only as a replacement)
    later = sealed(run([reported(P, "R-SN-1-28d", "SN-1", CEMENT_28D)], state))
    assert later.reports["R-SN-1-28d"].stage == "final"
    lot = sealed(run([close], later)).material_lots["cement:SN"]
    assert lot.sampling.counted == 1 and lot.sampling.short == []


def test_a_lot_is_closed_once_and_by_the_owner_or_supervision_only() -> None:
    rebar = {"material": "rebar", "grade": "HRB400E", "diameter": 20, "batch": "GJ"}
    state = sealed(run([lot_closed(P, "GJ")], prepared(*taken("GJ-1", report=REBAR_OK, **rebar))))
    assert refusal(run([lot_closed(P, "GJ")], state)).code == "quality.duplicate_id"
    fresh = prepared(*taken("GJ-1", report=REBAR_OK, **rebar))
    by_lab = refusal(run([lot_closed(P, "GJ", org=LAB, role="lab")], fresh))
    assert by_lab.code == "auth.role_not_allowed"


def test_a_sample_with_a_result_is_never_re_taken_out_of_its_batch() -> None:
    """A 're-take' of a reported sample would drop its (bad) group from the batch."""
    state = prepared(*taken("S1", report={"group_mpa": 21.0}), *taken("S2"))
    rejection = refusal(run([sample(P, "S3", replaces="S1")], state))
    assert rejection.code == "materials.invalid"
    assert "sample S1 has report R-S1: a result is never re-taken" in rejection.message_en
    retaken = prepared(sample(P, "S1", witnessed=False), sample(P, "S2", replaces="S1"))
    again = refusal(run([sample(P, "S3", replaces="S1")], retaken))
    assert "already re-taken as S2" in again.message_en
