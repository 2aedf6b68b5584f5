"""The ReadModels port's contract: each project's stored snapshot as JSON, and the ids of the alerts
raised for it, by sealed facts and by refusals alike."""

from __future__ import annotations

import uuid

from tests.integration.contracts.conftest import Storage
from tests.support.events import (
    LAB,
    lab_commissioned,
    received,
    reported,
    sample,
    staffed,
    witness_authorized,
)
from tests.support.sealing import seal


def project() -> str:
    return f"MODEL-{uuid.uuid4().hex[:8]}"


async def test_live_states_are_the_recorded_snapshots_as_json(storage: Storage) -> None:
    p, q = project(), project()
    first = await seal(storage.trail, [*staffed(p), *staffed(q)])
    second = await seal(storage.trail, [lab_commissioned(p)])
    live = await storage.models.live_states()
    assert live[p] == second.states[p].model_dump(mode="json")
    assert live[q] == first.states[q].model_dump(mode="json")
    assert project() not in live


async def test_alert_ids_hold_the_alerts_of_sealed_facts_and_of_refusals(storage: Storage) -> None:
    p, quiet = project(), project()
    number = f"R-{uuid.uuid4().hex[:8]}"
    decision = await seal(
        storage.trail,
        [
            *staffed(p),
            witness_authorized(p),
            sample(p, "S1"),
            received(p, "S1", seal="ANOTHER-SEAL", org=LAB),  # the lab is not commissioned yet
            reported(p, number, "S1", {"group_mpa": 35.0}),  # refused: uncommissioned lab
            *staffed(quiet),
        ],
    )
    raised = {alert.alert_id for _, alert in decision.alerts}
    assert [j.rejection.code for j in decision.rejected] == ["auth.not_a_party"] * 2
    assert any(a.startswith("uncommissioned_lab:") for a in raised), raised
    await seal(storage.trail, [lab_commissioned(p), received(p, "S1", seal="ANOTHER-SEAL")])
    ids = await storage.models.alert_ids()
    assert ids[p] == raised | {"seal_mismatch:S1"}
    assert quiet not in ids
