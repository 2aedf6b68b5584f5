"""Quality on site: inspection lots need both signatures; nonconformances go open → rectified →
closed; accident ids are unique."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from services.domain.ledger import EventRef
from services.domain.project import decide
from tests.support.events import OWNER, SUPERVISION, lot
from tests.unit.domain.builders import (
    DAY,
    NOW,
    PROJECT,
    REGISTERED_AT,
    accident,
    assert_refused,
    decided,
    nc_closed,
    nc_raised,
    nc_rectified,
    site_state,
    submission,
    then,
)

UTC = dt.UTC
LOT = "qtrail.quality.inspection_lot_accepted.v2"
LOT_V1 = "qtrail.quality.inspection_lot_accepted.v1"


# ----------------------------------------------------------------------------- inspection lots


@pytest.mark.parametrize("missing", ["construction_signer", "supervision_signer"])
def test_a_lot_needs_both_signatures(missing: str) -> None:
    envelope = lot(PROJECT, 1, at=REGISTERED_AT + DAY)
    envelope["data"][missing] = None
    assert_refused(decide(site_state(), submission(envelope), NOW), "quality.signatures_missing")


def test_a_v1_lot_upcasts_without_signers_and_is_refused() -> None:
    envelope = lot(PROJECT, 1, at=REGISTERED_AT + DAY)
    envelope["type"] = LOT_V1
    del envelope["data"]["construction_signer"], envelope["data"]["supervision_signer"]
    sub = submission(envelope)
    assert sub.event_type == LOT and sub.submitted_type == LOT_V1 and sub.schema_version == 1
    assert_refused(decide(site_state(), sub, NOW), "quality.signatures_missing")


# ----------------------------------------------------------------------------- nonconformances


def test_a_nonconformance_goes_open_rectified_closed() -> None:
    raised = nc_raised(PROJECT, "NC-7", event_id="evt-nc-raised")
    state = then(site_state(), raised)
    nc = state.nonconformances["NC-7"]
    assert nc.status == "open" and nc.severity == "major" and nc.blocking is True
    raised_at = site_state().seq + 1
    assert nc.raised_by == EventRef(event_id="evt-nc-raised", seq=raised_at)
    assert nc.rectified_by is None and nc.closed_by is None

    state = then(state, nc_rectified(PROJECT, "NC-7", event_id="evt-nc-rectified"))
    nc = state.nonconformances["NC-7"]
    assert nc.status == "rectified"
    assert nc.rectified_by == EventRef(event_id="evt-nc-rectified", seq=raised_at + 1)

    state = then(state, nc_closed(PROJECT, "NC-7", event_id="evt-nc-closed"))
    nc = state.nonconformances["NC-7"]
    assert nc.status == "closed"
    assert nc.closed_by == EventRef(event_id="evt-nc-closed", seq=raised_at + 2)
    assert nc.raised_by.seq == raised_at and nc.rectified_by is not None


def test_the_owner_may_close_what_the_supervision_raised() -> None:
    state = then(site_state(), nc_raised(PROJECT, "NC-7"), nc_rectified(PROJECT, "NC-7"))
    assert decided(nc_closed(PROJECT, "NC-7", org=OWNER, role="owner"), state) is None


def test_a_nonconformance_id_is_unique_in_the_project() -> None:
    state = then(site_state(), nc_raised(PROJECT, "NC-7"))
    refusal = decide(state, submission(nc_raised(PROJECT, "NC-7", org=OWNER, role="owner")), NOW)
    refusal = assert_refused(refusal, "quality.duplicate_id")
    assert "NC-7" in refusal.message_en and "nonconformance" in refusal.message_en


@pytest.mark.parametrize("step", [nc_rectified, nc_closed])
def test_an_unknown_nonconformance_cannot_move(step: Any) -> None:
    refusal = decide(site_state(), submission(step(PROJECT, "NC-404")), NOW)
    refusal = assert_refused(refusal, "nonconformance.unknown")
    assert "NC-404" in refusal.message_en


def test_a_nonconformance_is_closed_only_after_rectification() -> None:
    state = then(site_state(), nc_raised(PROJECT, "NC-7"))
    refusal = assert_refused(
        decide(state, submission(nc_closed(PROJECT, "NC-7")), NOW), "nonconformance.wrong_status"
    )
    assert "open" in refusal.message_en and "rectified" in refusal.message_en


def test_a_nonconformance_is_rectified_only_while_open() -> None:
    state = then(site_state(), nc_raised(PROJECT, "NC-7"), nc_rectified(PROJECT, "NC-7"))
    refusal = decide(state, submission(nc_rectified(PROJECT, "NC-7")), NOW)
    refusal = assert_refused(refusal, "nonconformance.wrong_status")
    assert refusal.message_en.endswith("NC-7 is rectified; it must be open")
    closed = then(state, nc_closed(PROJECT, "NC-7"))
    assert decided(nc_rectified(PROJECT, "NC-7"), closed) == "nonconformance.wrong_status"
    assert decided(nc_closed(PROJECT, "NC-7"), closed) == "nonconformance.wrong_status"


def test_only_the_construction_party_rectifies() -> None:
    state = then(site_state(), nc_raised(PROJECT, "NC-7"))
    by_supervision = nc_rectified(PROJECT, "NC-7", org=SUPERVISION, role="supervision")
    assert decided(by_supervision, state) == "auth.role_not_allowed"


# ----------------------------------------------------------------------------- accidents


def test_an_accident_is_remembered_and_its_id_is_unique() -> None:
    at = REGISTERED_AT + 2 * DAY
    state = then(site_state(), accident(PROJECT, "ACC-1", at=at, event_id="evt-accident-1"))
    remembered = state.accidents["ACC-1"]
    assert remembered.happened_at == at and remembered.casualties == 0
    assert remembered.ref == EventRef(event_id="evt-accident-1", seq=site_state().seq + 1)
    again = accident(PROJECT, "ACC-1", org=SUPERVISION, role="supervision")
    refusal = assert_refused(decide(state, submission(again), NOW), "quality.duplicate_id")
    assert "accident" in refusal.message_en and "ACC-1" in refusal.message_en
