"""The supervision filing and the deadlines it keeps: a registration stays pending until its
station answers, a filing nobody answers lapses (so a squatted project id frees itself), only the
station named acts on it, a lead change must be re-filed within five working days, and only
qtrail's sweep records a deadline missed, once, and only when it is true.

Every state here is folded from sealed records through the recorder's own path (read_submission →
decide_batch → fold), attackers included: a squatter registering someone else's project, a
station that is not the project's, a party key or a forged system fact claiming a deadline missed.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from typing import Any

import pytest

from events.supervision import DeadlineMissed
from services.domain import calendar, filing
from services.domain.context import Context
from services.domain.project import fold
from services.domain.recording import BatchDecision, decide_batch, decide_overdue, seal_submission
from services.domain.state import FilingStatus, ProjectState, Severity
from services.domain.supervision import MISSED_KIND, rule_deadline_missed
from tests.support.aftercare import noon
from tests.support.events import (
    CONSTRUCTION,
    DIVISION,
    LEADS,
    ORGS,
    OWNER,
    STATION,
    STRANGER,
    T0,
    accepted_unit,
    appointment,
    commitment,
    completion,
    fact,
    filing_accepted,
    id_number,
    lead_change,
    lot,
    org_code,
    registration,
    sample,
    staffed,
)
from tests.support.supervision import filing_refused, inspection, registration_v1
from tests.unit.domain.builders import acting, item, nc_raised, submission

UTC = dt.UTC
DAY = dt.timedelta(days=1)
P = "XZ-FILE-001"
LATER = dt.datetime(2027, 6, 1, tzinfo=UTC)
"""The recorder's clock: after every fact these tests date."""
RECORDED = T0 + dt.timedelta(minutes=5)
"""When the recorder seals the registrations these tests make at T0."""
REGISTERED_ON = calendar.china_day(RECORDED)
FILING_DUE = calendar.add_working_days(REGISTERED_ON, filing.FILING_WORKING_DAYS).day
OTHER_STATION = org_code(151)


def run(
    state: ProjectState | None, *envelopes: Mapping[str, Any], now: dt.datetime = LATER
) -> BatchDecision:
    states = {state.project_id: state} if state is not None else {}
    return decide_batch([item(e) for e in envelopes], states, {}, now)


def then(
    state: ProjectState | None, *envelopes: Mapping[str, Any], now: dt.datetime = LATER
) -> ProjectState:
    decision = run(state, *envelopes, now=now)
    assert [(r.event_id, r.rejection.code) for r in decision.rejected] == []
    return decision.states[P]


def refused(state: ProjectState | None, envelope: Mapping[str, Any]) -> str | None:
    """The reason code of ``envelope`` on ``state``; None when it seals."""
    decision = run(state, envelope)
    if not decision.rejected:
        return None
    (rejected,) = decision.rejected
    said = rejected.rejection
    assert said.message_zh.strip() and said.message_en.strip()
    assert "{" not in said.message_zh + said.message_en  # every placeholder filled
    return said.code


def sweep(state: ProjectState, on: dt.date) -> BatchDecision:
    """The recorder's deadline sweep run at noon of ``on`` (China)."""
    return decide_overdue({state.project_id: state}, noon(on))


def swept(state: ProjectState, on: dt.date) -> ProjectState:
    return sweep(state, on).states.get(state.project_id, state)


@functools.cache
def pending(org: str = OWNER) -> ProjectState:
    """Registered by ``org`` at T0, naming STATION: the filing not yet answered."""
    return then(None, registration(P, org=org), now=RECORDED)


@functools.cache
def squatted() -> ProjectState:
    """A stranger's registration of P, with its own construction party appointed: pending."""
    return then(
        then(None, registration(P, org=STRANGER), now=RECORDED),
        acting(appointment(P, "construction"), STRANGER, "owner"),
        acting(appointment(P, "owner", org=STRANGER), STRANGER, "owner"),
    )


@functools.cache
def staffed_state() -> ProjectState:
    """Opened (the filing accepted), the five parties appointed, every lead committed."""
    return then(None, *staffed(P))


# ----------------------------------------------------------------------------- registration


def test_a_registration_is_pending_with_the_station_answer_due_in_twenty_working_days() -> None:
    state = pending()
    assert state.filing is not None
    assert (state.filing.status, state.filing.station, state.filing.division) == (
        FilingStatus.PENDING,
        STATION,
        DIVISION,
    )
    (deadline,) = state.deadlines.values()
    assert deadline.kind == "filing" and deadline.pending
    assert deadline.due_on == FILING_DUE
    # 20 working days from New Year's Day: the 1st–3rd are holidays and Sunday the 4th is worked.
    assert calendar.working_days_between(REGISTERED_ON, FILING_DUE + DAY).days == 20
    assert (FILING_DUE - REGISTERED_ON).days > 20


def test_the_stations_time_runs_from_when_qtrail_recorded_the_registration() -> None:
    """A registration dated back (offline, or to have it lapse before the station can answer)
    still leaves the station its twenty working days, counted by the recorder's clock."""
    state = then(None, registration(P), now=LATER)
    (deadline,) = state.deadlines.values()
    recorded_on = calendar.china_day(LATER)
    assert deadline.due_on == calendar.add_working_days(recorded_on, 20).day
    assert swept(state, deadline.due_on).filing == state.filing  # not lapsed on the day itself


@pytest.mark.parametrize("missing", ["station", "division"])
def test_a_registration_names_its_station_and_its_site(missing: str) -> None:
    assert refused(None, registration(P, **{missing: None})) == "supervision.station_required"  # type: ignore[arg-type]


def test_a_registration_is_not_made_again_while_pending_or_accepted() -> None:
    again = registration(P, at=T0 + DAY)
    assert refused(pending(), again) == "project.already_registered"
    assert refused(staffed_state(), again) == "project.already_registered"


# ----------------------------------------------------------------------------- pending


@pytest.mark.parametrize(
    "envelope",
    [
        lot(P, 1, at=T0 + 2 * DAY),
        sample(P, "S-1", at=T0 + 2 * DAY),
        nc_raised(P, "NC-1", at=T0 + 2 * DAY),
        inspection(P, "I-1", on=dt.date(2026, 1, 5)),
    ],
    ids=["lot", "sample", "nonconformance", "inspection"],
)
def test_while_pending_nothing_but_appointments_is_sealed(envelope: dict[str, Any]) -> None:
    state = then(
        pending(),
        appointment(P, "construction", at=T0 + DAY),
        appointment(P, "supervision", at=T0 + DAY),
    )
    assert set(state.parties) == {"construction", "supervision"}
    assert refused(state, envelope) == "supervision.filing_pending"


def test_while_pending_a_lead_change_is_refused_too() -> None:
    state = then(pending(), appointment(P, "construction", at=T0 + DAY))
    change = lead_change(P, "construction", "新负责人", id_number(40), at=T0 + 2 * DAY)
    assert refused(state, change) == "supervision.filing_pending"


def test_the_station_named_accepts_the_filing_and_the_project_opens() -> None:
    state = then(pending(), filing_accepted(P))
    assert state.filing is not None and state.filing.status is FilingStatus.ACCEPTED
    assert state.filing.filing_number == f"JD-{P}" and state.filing.supervisors == ["监督员甲"]
    (deadline,) = state.deadlines.values()
    assert deadline.met is not None and deadline.missed is None
    assert sweep(state, FILING_DUE + 30 * DAY).sealed == []  # nothing left to miss
    assert refused(then(state, appointment(P, "construction")), lot(P, 1)) is None


def test_a_station_not_named_on_the_project_cannot_answer_its_filing() -> None:
    assert refused(pending(), filing_accepted(P, station=OTHER_STATION)) == "auth.not_a_party"
    other = filing_refused(P, on=REGISTERED_ON, org=OTHER_STATION)
    assert refused(pending(), other) == "auth.not_a_party"


def test_a_party_cannot_answer_the_filing_as_the_station() -> None:
    as_owner = {**filing_accepted(P), "actororg": OWNER, "actorrole": "owner"}
    assert refused(pending(), as_owner) == "auth.role_not_allowed"  # the matrix
    posing = {**filing_accepted(P), "actororg": OWNER}  # the owner's code in the regulator role
    assert refused(pending(), posing) == "auth.not_a_party"


def test_the_filing_is_answered_once() -> None:
    state = then(pending(), filing_accepted(P))
    assert refused(state, filing_accepted(P, at=T0 + DAY)) == "supervision.filing_answered"
    refusal = filing_refused(P, on=REGISTERED_ON + DAY)
    assert refused(state, refusal) == "supervision.filing_answered"


def test_the_filing_is_not_accepted_on_a_day_before_the_registration_nor_after_the_event() -> None:
    early = filing_accepted(P)
    early["data"] = {**early["data"], "accepted_on": (REGISTERED_ON - DAY).isoformat()}
    assert refused(pending(), early) == "aftercare.date_before"
    late = filing_accepted(P)
    late["data"] = {**late["data"], "accepted_on": (REGISTERED_ON + 3 * DAY).isoformat()}
    assert refused(pending(), late) == "aftercare.date_after_event"


# ----------------------------------------------------------------------------- lapsing


def test_a_squatted_registration_lapses_and_the_project_id_is_registered_afresh() -> None:
    """A stranger registers P, appoints its own builder, and the station never answers: after
    20 working days the sweep records the filing missed, the registration expires, nothing more
    is sealed on it, and P's real owner registers it again on the same chain, from scratch."""
    squat = squatted()
    assert squat.owner_org == STRANGER and squat.filing is not None
    assert refused(squat, lot(P, 1, at=T0 + 2 * DAY)) == "supervision.filing_pending"

    assert sweep(squat, FILING_DUE).sealed == []  # the due day itself is not over
    decision = sweep(squat, FILING_DUE + DAY)
    (missed,) = decision.sealed
    assert missed.type == DeadlineMissed.event_type
    assert missed.body["actor"]["role"] == "system"
    assert missed.body["data"]["kind"] == "filing"
    assert missed.body["data"]["due_on"] == FILING_DUE.isoformat()
    expired = decision.states[P]
    assert expired.filing is not None and expired.filing.status is FilingStatus.EXPIRED
    assert expired.filing.answered is not None
    assert expired.filing.answered.event_id == missed.event_id
    assert expired.alerts == squat.alerts  # a lapse raises no alert: it frees the id

    late = FILING_DUE + 2 * DAY
    for envelope in (
        lot(P, 1, at=noon(late)),
        filing_accepted(P, at=noon(late)),
        acting(appointment(P, "design", at=noon(late)), STRANGER, "owner"),
    ):
        assert refused(expired, envelope) == "supervision.registration_lapsed"

    fresh = then(expired, registration(P, at=noon(late), event_id="evt-real-registration"))
    assert fresh.seq == expired.seq + 1 and fresh.seq == squat.seq + 2
    assert fresh.owner_org == OWNER and fresh.parties == {}
    assert fresh.registered_by is not None
    assert fresh.registered_by.event_id == "evt-real-registration"
    assert fresh.filing is not None and fresh.filing.status is FilingStatus.PENDING
    assert [d.kind for d in fresh.deadlines.values() if d.pending] == ["filing"]
    assert fresh.counts["qtrail.project.registered.v2"] == 2  # the chain keeps its history
    squatter = acting(appointment(P, "construction", at=noon(late)), STRANGER, "owner")
    assert refused(fresh, squatter) == "auth.not_a_party"  # the squatter is no longer the owner


def test_a_refused_filing_lapses_at_once() -> None:
    squat = squatted()
    refusal_day = REGISTERED_ON + 3 * DAY
    state = then(squat, filing_refused(P, on=refusal_day))
    assert state.filing is not None and state.filing.status is FilingStatus.REFUSED
    assert [d.met is not None for d in state.deadlines.values()] == [True]
    assert sweep(state, FILING_DUE + 30 * DAY).sealed == []  # the answer met the deadline
    assert refused(state, lot(P, 1, at=noon(refusal_day))) == "supervision.registration_lapsed"
    fresh = then(state, registration(P, at=noon(refusal_day + DAY)))
    assert fresh.owner_org == OWNER and fresh.parties == {} and fresh.seq == state.seq + 1


def test_the_sweep_seals_a_missed_deadline_once_with_the_same_id_every_time() -> None:
    squat = squatted()
    first = sweep(squat, FILING_DUE + DAY)
    again = sweep(squat, FILING_DUE + 5 * DAY)  # another recorder, from the same state
    assert [r.event_id for r in first.sealed] == [r.event_id for r in again.sealed]
    assert len(first.sealed) == 1
    assert sweep(first.states[P], FILING_DUE + 6 * DAY).sealed == []


# ----------------------------------------------------------------------------- deadline_missed


def missed_fact(state: ProjectState, **changes: Any) -> dict[str, Any]:
    (deadline,) = state.deadlines.values()
    data = DeadlineMissed(
        deadline_id=deadline.deadline_id,
        kind="filing",
        subject=deadline.subject,
        due_on=deadline.due_on,
        as_of=deadline.due_on + DAY,
    ).model_copy(update=changes)
    return fact(P, data, at=noon(FILING_DUE + DAY), org=OWNER, role="owner")


@pytest.mark.parametrize(
    ("org", "role", "code"),
    [
        (OWNER, "owner", "auth.role_not_allowed"),
        (STATION, "regulator", "auth.role_not_allowed"),
        (STRANGER, "system", "auth.not_a_party"),
    ],
)
def test_only_the_sweep_records_a_deadline_missed(org: str, role: str, code: str) -> None:
    forged = {**missed_fact(squatted()), "actororg": org, "actorrole": role}
    assert refused(squatted(), forged) == code


def test_no_envelope_is_qtrail_itself() -> None:
    forged = {**missed_fact(squatted()), "actororg": "qtrail", "actorrole": "system"}
    (rejected,) = run(squatted(), forged).rejected
    assert rejected.rejection.code == "event.malformed"
    assert "actororg" in rejected.rejection.message_en


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"deadline_id": "filing:registration 9"}, "does not exist"),
        ({"as_of": FILING_DUE}, "not missed on"),
        ({"due_on": FILING_DUE + DAY, "as_of": FILING_DUE + 2 * DAY}, "not missed on"),
    ],
)
def test_a_deadline_missed_that_is_not_true_is_refused(change: dict[str, Any], why: str) -> None:
    sub = submission(missed_fact(squatted(), **change))
    assert isinstance(sub.data, DeadlineMissed)
    refusal = rule_deadline_missed(squatted(), sub.data, sub, Context({}, {}))
    assert refusal is not None and refusal.code == "supervision.not_missed"
    assert why in refusal.message_en
    true = submission(missed_fact(squatted()))
    assert isinstance(true.data, DeadlineMissed)
    assert rule_deadline_missed(squatted(), true.data, true, Context({}, {})) is None


def test_a_deadline_met_or_already_missed_is_not_missed_again() -> None:
    accepted = then(pending(), filing_accepted(P))
    sub = submission(missed_fact(accepted))
    assert isinstance(sub.data, DeadlineMissed)
    refusal = rule_deadline_missed(accepted, sub.data, sub, Context({}, {}))
    assert refusal is not None and refusal.code == "supervision.not_missed"
    expired = swept(squatted(), FILING_DUE + DAY)
    sub = submission(missed_fact(squatted()))
    assert isinstance(sub.data, DeadlineMissed)
    refusal = rule_deadline_missed(expired, sub.data, sub, Context({}, {}))
    assert refusal is not None and "already recorded missed" in refusal.message_en


# ----------------------------------------------------------------------------- re-filing


GOLDEN_WEEK_EVE = dt.date(2026, 9, 30)
"""The day before 国庆 2026 (1–7 October off, Saturday 10 October worked)."""
NEW_LEAD = id_number(41)


def changed(on: dt.date = GOLDEN_WEEK_EVE) -> ProjectState:
    return then(
        staffed_state(), lead_change(P, "construction", "新项目经理", NEW_LEAD, at=noon(on))
    )


def test_a_lead_change_is_re_filed_within_five_working_days_holidays_not_counted() -> None:
    state = changed()
    (deadline,) = [d for d in state.deadlines.values() if d.kind == "refiling"]
    assert deadline.subject == "construction lead 2" and deadline.pending
    # 8 and 9 October, Saturday the 10th (worked in exchange), the 12th and the 13th.
    assert deadline.due_on == dt.date(2026, 10, 13)
    weekdays = [GOLDEN_WEEK_EVE + n * DAY for n in range(1, 14)]
    fifth_weekday = [d for d in weekdays if d.weekday() < 5][4]
    assert fifth_weekday < deadline.due_on  # weekends alone would have ended it on the 7th
    assert sweep(state, fifth_weekday + DAY).sealed == []
    assert sweep(state, deadline.due_on).sealed == []


def test_the_new_leads_commitment_meets_the_re_filing() -> None:
    state = then(changed(), commitment(P, "construction", NEW_LEAD, at=noon(dt.date(2026, 10, 12))))
    (deadline,) = [d for d in state.deadlines.values() if d.kind == "refiling"]
    assert deadline.met is not None and deadline.missed is None
    assert sweep(state, dt.date(2026, 11, 1)).sealed == []


def test_a_re_filing_missed_raises_an_alert_that_the_late_commitment_resolves() -> None:
    decision = sweep(changed(), dt.date(2026, 10, 14))
    (missed,) = decision.sealed
    assert missed.body["data"]["kind"] == "refiling"
    state = decision.states[P]
    (alert,) = [a for a in state.alerts.values() if a.resolved_by is None]
    assert alert.kind == f"{MISSED_KIND}.refiling" and alert.severity is Severity.WARNING
    assert alert.subject == "construction lead 2" and "2026-10-13" in alert.message_en
    assert [p for p, a in decision.alerts] == [P]

    late = then(state, commitment(P, "construction", NEW_LEAD, at=noon(dt.date(2026, 10, 16))))
    resolved = late.alerts[alert.alert_id]
    assert resolved.resolved_by is not None
    assert resolved.resolution is not None and "3 day(s) after 2026-10-13" in resolved.resolution
    assert sweep(late, dt.date(2026, 12, 1)).sealed == []


def test_the_old_leads_commitment_does_not_meet_the_new_leads_re_filing() -> None:
    state = changed()
    old = LEADS["construction"]["id_number"]
    assert refused(state, commitment(P, "construction", old, at=noon(dt.date(2026, 10, 9)))) == (
        "party.commitment_exists"
    )
    (deadline,) = [d for d in state.deadlines.values() if d.kind == "refiling"]
    assert deadline.pending


# ----------------------------------------------------------------------------- months


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 3, 2), 3, dt.date(2026, 6, 2)),
        (dt.date(2026, 11, 30), 3, dt.date(2027, 2, 28)),  # no 30 February: its last day
        (dt.date(2027, 11, 30), 3, dt.date(2028, 2, 29)),  # a leap year's
        (dt.date(2026, 8, 31), 1, dt.date(2026, 9, 30)),
        (dt.date(2026, 10, 15), 3, dt.date(2027, 1, 15)),  # across the year
        (dt.date(2026, 9, 30), 3, dt.date(2026, 12, 30)),
        (dt.date(2026, 12, 31), 12, dt.date(2027, 12, 31)),
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
    ],
)
def test_a_period_in_months_ends_on_the_same_day_or_the_months_last(
    day: dt.date, months: int, expected: dt.date
) -> None:
    assert filing._months_after(day, months) == expected


# ----------------------------------------------------------------------------- legacy chains


@functools.cache
def legacy() -> ProjectState:
    """A chain registered before registrations named their station: the v1 record folded as
    sealed then, then its parties appointed and committed today."""
    sub = submission(registration_v1(P, event_id="evt-legacy-registration"))
    state = fold(ProjectState(project_id=P), seal_submission(sub, ProjectState(project_id=P), T0))
    roles = tuple(ORGS)
    return then(
        state,
        *[appointment(P, role) for role in roles],
        *[
            commitment(P, role, LEADS[role]["id_number"], at=T0 + DAY + dt.timedelta(hours=1))
            for role in roles
        ],
    )


def test_a_v1_registration_folds_to_a_legacy_filing_with_no_deadline() -> None:
    state = legacy()
    assert state.filing is not None
    assert state.filing.status is FilingStatus.LEGACY
    assert (state.filing.station, state.filing.division) == (None, None)
    assert state.deadlines == {} and state.owner_org == OWNER
    assert state.counts["qtrail.project.registered.v2"] == 1  # counted as today's type
    assert refused(state, lot(P, 1, at=T0 + 2 * DAY)) is None  # open for facts


@pytest.mark.parametrize("station", [STATION, OTHER_STATION])
def test_on_a_legacy_chain_any_station_acts(station: str) -> None:
    assert filing.holds_station(legacy(), station)
    assert refused(legacy(), inspection(P, "I-1", on=dt.date(2026, 2, 1), org=station)) is None


def test_on_a_legacy_chain_a_lead_change_opens_no_re_filing() -> None:
    state = then(
        legacy(), lead_change(P, "construction", "新负责人", NEW_LEAD, at=noon(GOLDEN_WEEK_EVE))
    )
    assert state.parties["construction"].current_lead is not None
    assert state.parties["construction"].current_lead.id_number == NEW_LEAD
    assert state.deadlines == {}
    assert sweep(state, dt.date(2027, 1, 1)).sealed == []


def test_a_v1_registration_submitted_today_is_refused_for_naming_no_station() -> None:
    """Nobody escapes supervision by registering in the old shape: only records sealed before
    v2 fold as legacy."""
    assert refused(None, registration_v1(P)) == "supervision.station_required"


def test_on_a_legacy_chain_completion_opens_no_filing_deadline() -> None:
    state = then(legacy(), *accepted_unit(P), completion(P))
    assert state.units["B1"].completion is not None
    assert state.deadlines == {}


def test_a_legacy_chain_is_not_registered_again() -> None:
    assert refused(legacy(), registration(P, at=T0 + 3 * DAY)) == "project.already_registered"


def test_only_the_station_named_holds_a_new_chain() -> None:
    assert filing.holds_station(pending(), STATION)
    assert not filing.holds_station(pending(), OTHER_STATION)
    assert not filing.holds_station(pending(), CONSTRUCTION)
