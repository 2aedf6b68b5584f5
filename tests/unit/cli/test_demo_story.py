"""The demo's story through the recorder's own pure path: every envelope is one the catalog takes,
and each event seals or is refused exactly as the demo expects (so `make up` tells the truth)."""

from __future__ import annotations

import datetime as dt

from services.cli.demo import DEMO_PROJECT, REPORTS, story
from services.domain.project import fold_chain
from services.domain.reasons import Rejection
from services.domain.recording import decide_batch
from services.domain.state import DefectStatus, ProjectState
from tests.unit.domain.builders import item

NOW = dt.datetime(2026, 11, 29, 8, 0, tzinfo=dt.UTC)


def issue(kind: str, project_id: str, number: str) -> tuple[str, str]:
    code = f"{kind}.{project_id}.{number}"
    return code, f"https://qtrail.example/{kind}/{code}"


def test_every_step_of_the_story_is_decided_as_the_demo_expects() -> None:
    s = story(NOW)
    state: dict[str, ProjectState] = {}
    decided: dict[str, bytes] = {}
    refusals: list[Rejection] = []
    for n, (_role, envelope, expect_sealed) in enumerate(s.events, 1):
        decision = decide_batch([item(envelope)], state, decided, NOW, issuer=issue)
        refused = [r.rejection.code for r in decision.rejected]
        assert (not refused) == expect_sealed, (n, envelope["type"], refused)
        refusals += [r.rejection for r in decision.rejected]
        state |= decision.states
        decided |= decision.digests
    final = state[DEMO_PROJECT]
    assert final.plaques, "the real completion issues the plaque"
    # one plaque per building, and the lifelong half after them
    assert sorted(p.unit_id for p in final.plaques.values()) == ["B1", "B2"]
    leak = final.defects["WX-2026-001"]
    assert (leak.unit_id, leak.in_warranty, leak.status) == ("B1", True, DefectStatus.CONFIRMED)
    assert leak.repaired_on is not None and leak.repair_due is not None
    assert leak.repaired_on <= leak.repair_due
    complaint = final.complaints["TS-2026-001"]
    assert (complaint.lodged_by_role, complaint.outcome) == ("regulator", "upheld")
    assert set(final.evidence) <= set(s.files), "every evidence hash the story names is uploaded"
    # each refusal is the one the story tells
    assert [r.code for r in refusals] == [
        "quality.signatures_missing",
        "materials.report_number_reused",
        "completion.incomplete",
        "materials.disposal_required",
    ]
    early = refusals[2]
    assert [item.code for item in early.details] == [
        "completion.open_alert",
        "completion.division_not_accepted",
    ]
    assert "B-4F" in early.details[0].message_en
    assert "main structure" in early.details[1].message_en  # it waits for B-4F's disposal
    # both buildings accepted through every division, dwelling, warranty and notice
    assert {u: unit.completion is not None for u, unit in final.units.items()} == {
        "B1": True,
        "B2": True,
    }
    assert final.completion is not None and final.completion.unit_id == "B1"
    for unit in final.units.values():
        assert set(unit.divisions_accepted) == set(unit.divisions)
        assert unit.warranty is not None and unit.notice is not None
        assert all(r.passed for r in unit.dwelling_results.values())
        assert set(unit.dwelling_results) == set(unit.dwellings)
    releak = final.units["B1"].dwelling_results["1-0302"]
    assert releak.inspected_on > final.units["B1"].dwelling_results["1-0301"].inspected_on
    signed = final.units["B1"].divisions_accepted["foundation"].lead_signatures
    assert list(signed) == ["survey", "design", "construction", "supervision"]
    # the failing batch was disposed of by core drilling and the design unit's check
    case = final.dispositions["evaluation_failed:B-4F"]
    assert [step.step for step in case.steps] == ["in_situ", "design_check"]
    assert case.closed_by is not None and "§5.0.6 item 3" in (case.closed_how or "")
    assert final.alerts["evaluation_failed:B-4F"].resolution == case.closed_how
    # every batch and lot closed, each with the samplings its quantity asks for
    assert {
        b: x.sampling.short if x.sampling else None for b, x in final.concrete_batches.items()
    } == {
        "B-3F": [],
        "B-4F": [],
    }
    assert set(final.material_lots) == {"rebar:GJ-2025-01", "rebar:GJ-2025-02", "cement:SN-2025-01"}
    assert final.reports[f"{REPORTS}S001"].stage == "preliminary"
    assert final.reports[f"{REPORTS}S002"].stage == "final"


def test_the_story_is_the_same_for_the_same_clock() -> None:
    assert story(NOW).events == story(NOW).events


def test_the_live_decisions_and_a_replay_of_the_sealed_chain_reach_the_same_state() -> None:
    """The recorder folds each payload as it validated it; a replay validates from the stored
    bytes. Over the whole story, both must reach the same state."""
    s = story(NOW)
    state: dict[str, ProjectState] = {}
    decided: dict[str, bytes] = {}
    sealed = []
    for _role, envelope, _expect in s.events:
        decision = decide_batch([item(envelope)], state, decided, NOW, issuer=issue)
        sealed += decision.sealed
        state |= decision.states
        decided |= decision.digests
    replayed = fold_chain(DEMO_PROJECT, [r for r in sealed if r.project_id == DEMO_PROJECT])
    assert replayed == state[DEMO_PROJECT]
