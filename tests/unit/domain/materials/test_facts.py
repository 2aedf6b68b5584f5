"""Material facts decided and folded through decide_batch: samples, receipts, reports, batches,
alerts, and the replay that must raise exactly the alerts the live recorder raised.

Every trail starts from a staffed project with a commissioned lab and an authorized witness.
Reports here are concrete reports with a group value, which qtrail does not evaluate on its own,
so the only sealed records are the ones submitted (evaluations are in test_consequences.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from events.materials import MANDATORY_WITNESSED
from services.domain.project import fold_chain
from services.domain.recording import BatchDecision, decide_batch
from services.domain.state import Alert, ProjectState
from tests.support.events import (
    LAB,
    STRANGER,
    WITNESS_ID,
    alert_resolved,
    batch_closed,
    id_number,
    lab_commissioned,
    org_code,
    person,
    received,
    report_revoked,
    reported,
    sample,
    sample_disposed,
    staffed,
    witness_authorized,
)
from tests.unit.domain.builders import NOW, item

P = "XZ-MAT-001"
OTHER_LAB = org_code(107)
GROUP = {"group_mpa": 35.0}
REFUSAL_KINDS = {"reused_report_number", "uncommissioned_lab"}


def setup(project: str = P) -> list[dict[str, Any]]:
    return [
        *staffed(project),
        lab_commissioned(project),
        lab_commissioned(project, lab=OTHER_LAB),
        witness_authorized(project),
    ]


def run(
    envelopes: Sequence[Mapping[str, Any]],
    state: ProjectState | None = None,
    *,
    reports_seen: dict[str, str] | None = None,
) -> BatchDecision:
    states = {state.project_id: state} if state is not None else {}
    return decide_batch([item(e) for e in envelopes], states, {}, NOW, {}, reports_seen)


def prepared(*envelopes: dict[str, Any]) -> ProjectState:
    """The project after setup and ``envelopes``, insisting that every one sealed."""
    decision = run([*setup(), *envelopes])
    refused = [(r.event_id, r.rejection.code) for r in decision.rejected]
    assert refused == [], f"setup events were refused: {refused}"
    return decision.states[P]


@pytest.fixture(scope="module")
def base() -> ProjectState:
    return prepared()


def refused(decision: BatchDecision, code: str) -> str:
    """The single submission was refused with ``code``; returns the English message."""
    assert decision.sealed == []
    assert len(decision.rejected) == 1, decision.rejected
    rejection = decision.rejected[0].rejection
    assert rejection.code == code, rejection
    assert "{" not in rejection.message_zh + rejection.message_en
    return rejection.message_en


def accepted(decision: BatchDecision) -> ProjectState:
    assert [(r.event_id, r.rejection.code) for r in decision.rejected] == []
    assert decision.sealed
    return decision.states[P]


def raised(decision: BatchDecision) -> dict[str, Alert]:
    return {alert.alert_id: alert for project, alert in decision.alerts if project == P}


def received_sample(sample_id: str, **kw: Any) -> list[dict[str, Any]]:
    return [sample(P, sample_id, **kw), received(P, sample_id)]


# ----------------------------------------------------------------------------- sample taken


def test_a_witnessed_concrete_sample_seals_with_its_record(base: ProjectState) -> None:
    env = sample(P, "S1")
    state = accepted(run([env], base))
    taken = state.samples["S1"]
    assert taken.witnessed is True
    assert taken.witness_name == "见证人"
    assert taken.seal_code == "SEAL-S1"
    assert taken.received is False
    assert taken.ref.event_id == env["id"]
    assert state.alerts == {}


def test_a_duplicate_sample_id_is_refused() -> None:
    state = prepared(sample(P, "S1"))
    refused(run([sample(P, "S1", batch="B2")], state), "quality.duplicate_id")


def test_rebar_without_a_diameter_is_refused(base: ProjectState) -> None:
    message = refused(
        run([sample(P, "R1", material="rebar", grade="HRB400E")], base), "materials.invalid"
    )
    assert "data.diameter_mm" in message


def test_rebar_with_a_diameter_is_accepted(base: ProjectState) -> None:
    state = accepted(run([sample(P, "R1", material="rebar", grade="HRB400E", diameter=20)], base))
    assert state.samples["R1"].diameter_mm == 20


def test_a_witness_not_authorized_on_the_project_is_refused(base: ProjectState) -> None:
    env = sample(P, "S1")
    env["data"]["witness"] = person("冒名见证人", id_number(77)).model_dump()
    message = refused(run([env], base), "materials.witness_not_authorized")
    assert "冒名见证人" in message


def test_the_witness_cannot_witness_a_sample_they_took(base: ProjectState) -> None:
    env = sample(P, "S1")
    env["data"]["sampler"] = dict(env["data"]["witness"])  # the authorized witness, by ID number
    message = refused(run([env], base), "materials.witness_is_sampler")
    assert "data.witness" in message


def test_the_same_id_number_under_another_name_is_still_the_sampler(base: ProjectState) -> None:
    env = sample(P, "S1")
    env["data"]["sampler"] = person("化名取样员", WITNESS_ID).model_dump()
    refused(run([env], base), "materials.witness_is_sampler")


@pytest.mark.parametrize("name", ["见证人", "见 证人"])
def test_a_witness_bearing_the_samplers_name_is_refused_whatever_the_id_number(
    base: ProjectState, name: str
) -> None:
    env = sample(P, "S1")
    env["data"]["sampler"] = person(name, id_number(62)).model_dump()
    message = refused(run([env], base), "materials.witness_named_as_sampler")
    assert "见证人" in message


def test_a_sampler_cannot_close_their_unwitnessed_alert_by_witnessing_the_retake() -> None:
    state = prepared(sample(P, "S1", witnessed=False))
    retake = sample(P, "S2", replaces="S1")
    retake["data"]["sampler"] = dict(retake["data"]["witness"])
    decision = run([retake], state)
    refused(decision, "materials.witness_is_sampler")
    after = decision.states.get(P, state)
    assert after.alerts["unwitnessed_sample:S1"].resolved_by is None
    assert after.samples["S1"].replaced_by is None and "S2" not in after.samples


def test_the_lab_may_not_take_a_sample(base: ProjectState) -> None:
    refused(run([sample(P, "S1", org=LAB, role="lab")], base), "auth.role_not_allowed")


@pytest.mark.parametrize("material", sorted(MANDATORY_WITNESSED))
def test_an_unwitnessed_mandatory_sample_raises_a_blocking_warning(
    base: ProjectState, material: str
) -> None:
    env = sample(P, "S1", material=material, witnessed=False, diameter=20)
    decision = run([env], base)
    state = accepted(decision)
    alert = state.alerts["unwitnessed_sample:S1"]
    assert alert.kind == "unwitnessed_sample"
    assert alert.severity == "warning"
    assert alert.blocking is True
    assert alert.resolved_by is None
    assert alert.events == [env["id"]]
    assert material in alert.message_en and "S1" in alert.message_en
    assert list(raised(decision)) == ["unwitnessed_sample:S1"]


def test_an_unwitnessed_sample_of_other_material_raises_nothing(base: ProjectState) -> None:
    decision = run([sample(P, "S1", material="other", witnessed=False)], base)
    state = accepted(decision)
    assert state.samples["S1"].witnessed is False
    assert state.alerts == {}
    assert decision.alerts == []


def test_a_witnessed_retake_resolves_the_unwitnessed_alert() -> None:
    state = prepared(sample(P, "S1", witnessed=False))
    retake = sample(P, "S2", replaces="S1")
    decision = run([retake], state)
    after = accepted(decision)
    alert = after.alerts["unwitnessed_sample:S1"]
    assert alert.resolved_by is not None
    assert alert.resolved_by.event_id == retake["id"]
    assert alert.resolution is not None and "S2" in alert.resolution
    assert after.samples["S1"].replaced_by == "S2"
    assert after.samples["S2"].replaces == "S1"
    assert "unwitnessed_sample:S2" not in after.alerts
    assert decision.alerts == []  # a resolution is not a new alert


def test_an_unwitnessed_retake_does_not_resolve_the_alert() -> None:
    state = prepared(sample(P, "S1", witnessed=False))
    after = accepted(run([sample(P, "S2", replaces="S1", witnessed=False)], state))
    assert after.alerts["unwitnessed_sample:S1"].resolved_by is None
    assert after.alerts["unwitnessed_sample:S2"].resolved_by is None
    assert after.samples["S1"].replaced_by == "S2"


def test_a_retake_of_an_unknown_sample_is_refused(base: ProjectState) -> None:
    refused(run([sample(P, "S2", replaces="NOPE")], base), "materials.unknown_sample")


# ----------------------------------------------------------------------------- sample received


def test_receiving_an_unknown_sample_is_refused(base: ProjectState) -> None:
    refused(run([received(P, "NOPE")], base), "materials.unknown_sample")


def test_a_second_receipt_is_refused() -> None:
    state = prepared(*received_sample("S1"))
    message = refused(run([received(P, "S1")], state), "materials.invalid")
    assert "S1" in message


def test_a_matching_seal_is_ok_and_raises_nothing() -> None:
    state = prepared(sample(P, "S1"))
    decision = run([received(P, "S1")], state)
    after = accepted(decision)
    assert after.samples["S1"].received is True
    assert after.samples["S1"].seal_ok is True
    assert after.alerts == {}
    assert decision.alerts == []


def test_a_wrong_seal_raises_a_critical_mismatch_naming_both_codes() -> None:
    taken = sample(P, "S1")
    state = prepared(taken)
    receipt = received(P, "S1", seal="FAKE-9")
    decision = run([receipt], state)
    after = accepted(decision)
    assert after.samples["S1"].received is True
    assert after.samples["S1"].seal_ok is False
    alert = after.alerts["seal_mismatch:S1"]
    assert alert.severity == "critical"
    assert alert.blocking is True
    assert alert.events == [taken["id"], receipt["id"]]
    for message in (alert.message_zh, alert.message_en):
        assert "SEAL-S1" in message and "FAKE-9" in message
    assert list(raised(decision)) == ["seal_mismatch:S1"]


# ----------------------------------------------------------------------------- test reported


@pytest.fixture(scope="module")
def with_samples() -> ProjectState:
    """S1 and S2 received by the lab; S3 taken but not yet received."""
    return prepared(*received_sample("S1"), *received_sample("S2"), sample(P, "S3"))


def test_a_report_seals_with_its_measurements(with_samples: ProjectState) -> None:
    env = reported(P, "R-1", "S1", GROUP)
    after = accepted(run([env], with_samples))
    report = after.reports["R-1"]
    assert report.lab_code == LAB
    assert report.sample_id == "S1"
    assert report.measurements == {"group_mpa": 35.0}
    assert report.status == "valid"
    assert report.verdict is None  # concrete reports are judged by batch
    assert report.ref.event_id == env["id"]


def test_a_lab_code_other_than_the_actor_is_refused(with_samples: ProjectState) -> None:
    env = reported(P, "R-1", "S1", GROUP)
    env["data"]["lab_code"] = OTHER_LAB
    message = refused(run([env], with_samples), "materials.invalid")
    assert "data.lab_code" in message


def test_a_report_before_receipt_is_refused(with_samples: ProjectState) -> None:
    refused(run([reported(P, "R-1", "S3", GROUP)], with_samples), "materials.sample_not_received")


def test_a_report_on_an_unknown_sample_is_refused(with_samples: ProjectState) -> None:
    refused(run([reported(P, "R-1", "NOPE", GROUP)], with_samples), "materials.unknown_sample")


def test_a_report_number_reused_on_the_same_project_is_refused_with_an_alert(
    with_samples: ProjectState,
) -> None:
    state = accepted(run([reported(P, "R-1", "S1", GROUP)], with_samples))
    again = reported(P, "R-1", "S2", GROUP)
    decision = run([again], state)
    refused(decision, "materials.report_number_reused")
    alerts = raised(decision)
    alert = alerts[f"reused_report_number:R-1:{again['id']}"]
    assert list(alerts) == [alert.alert_id]
    assert alert.kind == "reused_report_number"
    assert alert.severity == "critical"
    assert alert.events == [again["id"]]
    assert "R-1" in alert.message_en


def test_a_reuse_within_one_batch_names_the_first_report(with_samples: ProjectState) -> None:
    first, again = reported(P, "R-1", "S1", GROUP), reported(P, "R-1", "S2", GROUP)
    decision = run([first, again], with_samples)
    assert [r.event_id for r in decision.sealed] == [first["id"]]
    assert [r.rejection.code for r in decision.rejected] == ["materials.report_number_reused"]
    (alert,) = raised(decision).values()
    assert f"project {P}, event {first['id']}" in alert.message_en
    assert decision.states[P].reports["R-1"].sample_id == "S1"


def test_a_number_sealed_on_another_project_is_refused_and_named(
    with_samples: ProjectState,
) -> None:
    where = "project XZ-ELSEWHERE-9, event evt-elsewhere-1"
    env = reported(P, "R-9", "S1", GROUP)
    decision = run([env], with_samples, reports_seen={"R-9": where})
    message = refused(decision, "materials.report_number_reused")
    assert where in message
    (alert,) = raised(decision).values()
    assert alert.kind == "reused_report_number"
    assert where in alert.message_en and where in alert.message_zh


def test_a_number_seen_elsewhere_does_not_block_other_numbers(with_samples: ProjectState) -> None:
    decision = run(
        [reported(P, "R-1", "S1", GROUP)],
        with_samples,
        reports_seen={"R-9": "project XZ-ELSEWHERE-9, event evt-elsewhere-1"},
    )
    assert "R-1" in accepted(decision).reports
    assert decision.alerts == []


def test_an_uncommissioned_lab_is_refused_with_an_alert(with_samples: ProjectState) -> None:
    env = reported(P, "R-X", "S1", GROUP, org=STRANGER)
    decision = run([env], with_samples)
    refused(decision, "auth.not_a_party")
    alert = raised(decision)[f"uncommissioned_lab:R-X:{env['id']}"]
    assert alert.kind == "uncommissioned_lab"
    assert alert.severity == "critical"
    assert STRANGER in alert.message_en and "R-X" in alert.message_en


def test_an_uncommissioned_lab_receiving_a_sample_raises_no_alert(
    with_samples: ProjectState,
) -> None:
    decision = run([received(P, "S3", org=STRANGER)], with_samples)
    refused(decision, "auth.not_a_party")
    assert decision.alerts == []


def test_a_replacing_report_marks_the_old_one_replaced(with_samples: ProjectState) -> None:
    state = accepted(run([reported(P, "R-1", "S1", GROUP)], with_samples))
    after = accepted(run([reported(P, "R-2", "S1", {"group_mpa": 36.0}, replaces="R-1")], state))
    assert after.reports["R-1"].status == "replaced"
    assert after.reports["R-1"].replaced_by == "R-2"
    assert after.reports["R-2"].status == "valid"
    assert after.reports["R-2"].replaces == "R-1"


def test_replacing_an_unknown_report_is_refused(with_samples: ProjectState) -> None:
    message = refused(
        run([reported(P, "R-2", "S1", GROUP, replaces="R-NONE")], with_samples),
        "materials.invalid",
    )
    assert "data.replaces_report_number" in message


def test_revoking_marks_the_report_revoked_and_only_once(with_samples: ProjectState) -> None:
    state = accepted(run([reported(P, "R-1", "S1", GROUP)], with_samples))
    after = accepted(run([report_revoked(P, "R-1")], state))
    assert after.reports["R-1"].status == "revoked"
    message = refused(run([report_revoked(P, "R-1")], after), "materials.invalid")
    assert "revoked" in message


def test_a_lab_may_not_revoke_another_labs_report(with_samples: ProjectState) -> None:
    state = accepted(run([reported(P, "R-1", "S1", GROUP)], with_samples))
    refused(run([report_revoked(P, "R-1", org=OTHER_LAB)], state), "materials.invalid")
    assert state.reports["R-1"].status == "valid"


def test_revoking_an_unknown_report_is_refused(with_samples: ProjectState) -> None:
    refused(run([report_revoked(P, "R-NONE")], with_samples), "materials.invalid")


# ----------------------------------------------------------------------------- batch closed


def test_closing_a_batch_with_no_concrete_sample_is_refused(with_samples: ProjectState) -> None:
    message = refused(run([batch_closed(P, "B-NONE")], with_samples), "materials.invalid")
    assert "data.batch_id" in message


def test_closing_a_batch_twice_is_refused() -> None:
    close = batch_closed(P, "B1")
    state = accepted(
        run([close], prepared(*received_sample("S1"), reported(P, "R-1", "S1", GROUP)))
    )
    assert state.concrete_batches["B1"].closed_by.event_id == close["id"]
    assert state.concrete_batches["B1"].grade == "C30"
    refused(run([batch_closed(P, "B1")], state), "quality.duplicate_id")


# ----------------------------------------------------------------------------- alert resolved


@pytest.fixture(scope="module")
def with_alert() -> ProjectState:
    return prepared(sample(P, "S1", witnessed=False))


def test_resolving_an_unknown_alert_is_refused(with_alert: ProjectState) -> None:
    message = refused(run([alert_resolved(P, "no_such:alert")], with_alert), "materials.invalid")
    assert "data.alert_id" in message


def test_a_resolution_is_recorded_with_who_resolved_it(with_alert: ProjectState) -> None:
    resolution = alert_resolved(P, "unwitnessed_sample:S1")
    decision = run([resolution], with_alert)
    after = accepted(decision)
    alert = after.alerts["unwitnessed_sample:S1"]
    assert alert.resolved_by is not None
    assert alert.resolved_by.event_id == resolution["id"]
    assert alert.resolution == resolution["data"]["resolution"]
    assert decision.alerts == []


def test_resolving_an_already_resolved_alert_is_refused(with_alert: ProjectState) -> None:
    after = accepted(run([alert_resolved(P, "unwitnessed_sample:S1")], with_alert))
    message = refused(run([alert_resolved(P, "unwitnessed_sample:S1")], after), "materials.invalid")
    assert "resolved" in message


def test_an_alert_resolved_by_a_witnessed_retake_cannot_be_resolved_again() -> None:
    state = prepared(sample(P, "S1", witnessed=False), sample(P, "S2", replaces="S1"))
    refused(run([alert_resolved(P, "unwitnessed_sample:S1")], state), "materials.invalid")


def test_the_lab_may_not_resolve_an_alert(with_alert: ProjectState) -> None:
    refused(
        run([alert_resolved(P, "unwitnessed_sample:S1", org=LAB, role="lab")], with_alert),
        "auth.role_not_allowed",
    )


# ----------------------------------------------------------------------------- replay


def eventful() -> list[dict[str, Any]]:
    """Every kind of material fact, with alerts raised, resolved, refused and evaluated."""
    return [
        sample(P, "S1", witnessed=False),
        sample(P, "S2", seal="SEAL-X"),
        received(P, "S2", seal="SEAL-Y"),  # seal mismatch
        sample(P, "S3", replaces="S1"),  # witnessed re-take: resolves S1's alert
        received(P, "S3"),
        sample(P, "S4", witnessed=False),
        alert_resolved(P, "unwitnessed_sample:S4"),
        sample(P, "RB1", material="rebar", grade="HRB400E", diameter=20, batch="RB"),
        received(P, "RB1"),
        reported(
            P,
            "R-RB1",
            "RB1",
            {
                "yield_mpa": 455,
                "tensile_mpa": 610,
                "agt_pct": 11.0,
                "mass_kg_per_m": 2.30,
                "bend_ok": True,
                "reverse_bend_ok": True,
            },
        ),
        reported(P, "R-2", "S2", {"group_mpa": 33.0}),
        reported(P, "R-3", "S3", {"group_mpa": 30.0}),
        reported(P, "R-4", "S3", {"group_mpa": 31.0}, replaces="R-3"),
        reported(P, "R-2", "S3", {"group_mpa": 99.0}),  # refused: reused number
        reported(P, "R-Z", "S3", {"group_mpa": 99.0}, org=STRANGER),  # refused: not commissioned
        report_revoked(P, "R-2"),
        reported(P, "R-5", "S2", {"group_mpa": 34.0}),  # the revoked report's sample, again
        sample_disposed(P, "S4"),  # never received: recorded lost by the supervision
        batch_closed(P, "B1"),
    ]


def replayed_dispositions_match(live: ProjectState) -> bool:
    return all(
        live.alerts[a].subject == d.subject for d in live.dispositions.values() for a in d.alerts
    )


def test_replay_reproduces_the_live_alerts_and_materials_state() -> None:
    decision = run([*setup(), *eventful()])
    assert [r.rejection.code for r in decision.rejected] == [
        "materials.report_number_reused",
        "auth.not_a_party",
    ]
    live = decision.states[P]
    kinds = {alert.kind for alert in live.alerts.values()}
    assert kinds >= {
        "unwitnessed_sample",
        "seal_mismatch",
        "mass_deviation",
        "evaluation_failed",
        "sample_disposed",
    }
    assert live.dispositions and replayed_dispositions_match(live)
    assert live.alerts["unwitnessed_sample:S1"].resolved_by is not None
    assert live.alerts["unwitnessed_sample:S4"].resolved_by is not None

    replayed = fold_chain(P, decision.sealed)

    assert replayed.alerts == live.alerts
    assert replayed.samples == live.samples
    assert replayed.reports == live.reports
    assert replayed.concrete_batches == live.concrete_batches
    assert replayed.dispositions == live.dispositions
    assert replayed == live
    sealed_alerts = {a.alert_id for _, a in decision.alerts if a.kind not in REFUSAL_KINDS}
    assert sealed_alerts == set(replayed.alerts)


def test_replay_across_batches_matches_the_live_state() -> None:
    facts = [*setup(), *eventful()]
    first = run(facts[:-6])
    second = run(facts[-6:], first.states[P])
    live = second.states[P]
    replayed = fold_chain(P, [*first.sealed, *second.sealed])
    assert replayed == live
    assert replayed.alerts == live.alerts
