"""A project at a glance, as a station's lists show it: the stage it is at, what is open or
overdue, a risk score that puts a stop-work order before an open notice, and the text a search
matches (every lead's name, every party's credit code, casefolded).

Every summary is of a state folded from sealed records through the recorder's own path.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from typing import Any

import pytest

from services.domain.recording import decide_batch, decide_overdue
from services.domain.state import ProjectState
from services.domain.summary import RISK_WEIGHTS, ProjectSummary, summarize
from tests.support.aftercare import noon
from tests.support.events import (
    DIVISION,
    LAB,
    LEADS,
    ORGS,
    OWNER,
    STATION,
    T0,
    accepted_unit,
    completion,
    id_number,
    lab_commission,
    lead_change,
    opened,
    registration,
    staffed,
    unit_registered,
)
from tests.support.supervision import (
    filing_refused,
    ordered,
    rectification_reported,
    resumed,
    stopped,
    verified,
)
from tests.unit.domain.builders import item

UTC = dt.UTC
DAY = dt.timedelta(days=1)
P = "XZ-SUM-001"
LATER = dt.datetime(2027, 6, 1, tzinfo=UTC)
ISSUED = dt.date(2026, 1, 10)
DUE = dt.date(2026, 1, 20)


def then(state: ProjectState | None, *envelopes: Mapping[str, Any]) -> ProjectState:
    states = {state.project_id: state} if state is not None else {}
    decision = decide_batch([item(e) for e in envelopes], states, {}, LATER)
    assert [(r.event_id, r.rejection.code) for r in decision.rejected] == []
    return decision.states[P]


def swept(state: ProjectState, on: dt.date) -> ProjectState:
    decision = decide_overdue({P: state}, noon(on))
    assert decision.sealed, "nothing was overdue"
    return decision.states[P]


@functools.cache
def staffed_state() -> ProjectState:
    return then(None, *staffed(P))


@functools.cache
def built() -> ProjectState:
    """Building B1 accepted through its divisions and ready for completion; B2 registered."""
    return then(
        staffed_state(),
        *accepted_unit(P),
        unit_registered(P, "B2", at=T0 + 6 * DAY),
    )


def risk(summary: ProjectSummary) -> int:
    return sum(RISK_WEIGHTS[key] * getattr(summary, key) for key in RISK_WEIGHTS)


# ----------------------------------------------------------------------------- stage


def stage_states() -> dict[str, ProjectState]:
    pending = then(None, registration(P))
    b1_done = then(built(), completion(P))
    return {
        "pending_filing": pending,
        "construction": staffed_state(),
        "lapsed": then(pending, filing_refused(P, on=dt.date(2026, 1, 5))),
        "partly_completed": b1_done,
        "completed": then(staffed_state(), *accepted_unit(P), completion(P)),
    }


@pytest.mark.parametrize(
    "stage", ["pending_filing", "construction", "lapsed", "partly_completed", "completed"]
)
def test_a_project_is_summarized_at_its_stage(stage: str) -> None:
    assert summarize(stage_states()[stage]).stage == stage


def test_a_registration_that_expired_unanswered_is_lapsed_and_weighs_nothing() -> None:
    """The filing is the station's own to answer: pending it adds no risk, nor once it lapsed
    unanswered (its stage says so)."""
    pending = then(None, registration(P))
    (deadline,) = pending.deadlines.values()
    expired = summarize(swept(pending, deadline.due_on + dt.timedelta(days=1)))
    assert expired.stage == "lapsed"
    assert (expired.overdue, expired.open_alerts, expired.risk) == (0, 0, 0)
    assert summarize(pending).risk == 0


def test_a_summary_names_the_station_the_site_and_the_project() -> None:
    summary = summarize(staffed_state())
    assert (summary.project_id, summary.seq) == (P, staffed_state().seq)
    assert (summary.station, summary.division) == (STATION, DIVISION)
    assert summary.name == f"测试工程 {P}" and summary.permit_number == f"PERMIT-{P}"


# ----------------------------------------------------------------------------- counts and risk


def test_a_quiet_project_has_no_risk() -> None:
    summary = summarize(staffed_state())
    assert summary.risk == 0
    assert (summary.open_alerts, summary.overdue, summary.stop_orders) == (0, 0, 0)


def test_an_open_notice_and_a_stop_order_count_with_their_alerts() -> None:
    with_notice = summarize(then(staffed_state(), ordered(P, "N-1", on=ISSUED, due_on=DUE)))
    assert (with_notice.open_rectifications, with_notice.open_alerts) == (1, 1)
    assert with_notice.critical_alerts == 0 and with_notice.risk == risk(with_notice) > 0

    with_stop = summarize(then(staffed_state(), stopped(P, "O-1", on=ISSUED)))
    assert (with_stop.stop_orders, with_stop.critical_alerts, with_stop.open_alerts) == (1, 1, 1)
    assert with_stop.risk == risk(with_stop)


def test_a_stop_order_outweighs_an_open_notice_which_outweighs_nothing() -> None:
    quiet = summarize(staffed_state()).risk
    notice = summarize(then(staffed_state(), ordered(P, "N-1", on=ISSUED, due_on=DUE))).risk
    stop = summarize(then(staffed_state(), stopped(P, "O-1", on=ISSUED))).risk
    assert stop > notice > quiet


def test_an_overdue_notice_weighs_more_until_it_is_answered() -> None:
    state = then(staffed_state(), ordered(P, "N-1", on=ISSUED, due_on=DUE))
    overdue = swept(state, DUE + DAY)
    before, after = summarize(state), summarize(overdue)
    assert (after.overdue, after.open_alerts) == (1, 2)
    assert after.risk > before.risk

    answered = summarize(then(overdue, rectification_reported(P, "N-1", on=DUE + 2 * DAY)))
    assert answered.overdue == 0 and answered.open_rectifications == 1
    assert answered.risk == before.risk  # the missed alert resolved, the notice still open


def test_what_the_station_cleared_no_longer_counts() -> None:
    state = then(
        staffed_state(),
        ordered(P, "N-1", on=ISSUED, due_on=DUE),
        stopped(P, "O-1", on=ISSUED),
        rectification_reported(P, "N-1", on=DUE - DAY),
        verified(P, "N-1", on=DUE),
        resumed(P, "O-1", on=DUE),
    )
    summary = summarize(state)
    assert (summary.open_rectifications, summary.stop_orders, summary.open_alerts) == (0, 0, 0)
    assert summary.risk == 0


# ----------------------------------------------------------------------------- who, and search


@functools.cache
def people_state() -> ProjectState:
    return then(
        staffed_state(),
        lab_commission(P, at=T0 + 2 * DAY),
        lead_change(P, "construction", "Zhang Wei", id_number(41), at=noon(ISSUED)),
    )


def test_a_summary_lists_every_organization_and_every_lead_past_and_present() -> None:
    summary = summarize(people_state())
    assert summary.organizations == sorted({*ORGS.values(), LAB, OWNER})
    assert set(summary.people) == {*(lead["name"] for lead in LEADS.values()), "Zhang Wei"}
    assert summary.parties["construction"]["lead"] == "Zhang Wei"
    assert summary.parties["design"]["org_code"] == ORGS["design"]


def test_the_search_text_holds_leads_and_credit_codes_casefolded() -> None:
    text = summarize(people_state()).search_text
    assert text == text.casefold()
    assert "zhang wei" in text and "Zhang Wei" not in text
    for lead in LEADS.values():
        assert lead["name"] in text  # past and present
    for code in ORGS.values():
        assert code.casefold() in text
    assert P.casefold() in text and f"permit-{P}".casefold() in text
    assert any(c.isupper() for c in "".join(ORGS.values()))  # the codes did need folding


def test_the_search_text_of_a_project_with_no_party_is_its_own() -> None:
    text = summarize(then(None, *opened(P))).search_text
    assert P.casefold() in text and "负责人" not in text
