"""The responsibility ledger: lead periods, who was responsible when (with proof), archive gaps."""

from __future__ import annotations

import datetime as dt
import functools

import pytest

from services.domain.context import ReferencedRecord
from services.domain.ledger import (
    FIVE_ROLES,
    ArchiveGap,
    EventRef,
    LeadPeriod,
    Party,
    archive_gaps,
)
from services.domain.responsibility import responsible_at
from services.domain.state import Completion, ProjectState, UnitProject
from tests.support.events import (
    CONSTRUCTION,
    LEADS,
    OWNER,
    T0,
    appointment,
    commitment,
    id_number,
    lead_change,
    opened,
    sha,
    staffed,
)
from tests.unit.domain.builders import (
    DAY,
    HOUR,
    correction,
    decide_envelopes,
    referenced_from,
    sealed_state,
)

PROJECT = "XZ-LEDGER-01"
T1 = T0 + DAY
"""Construction lead A takes office."""
T2 = T0 + 10 * DAY
"""Lead B takes over from A."""
TICK = dt.timedelta(microseconds=1)
A = LEADS["construction"]
B = {"name": "乙接任", "id_number": id_number(77)}


@functools.cache
def _handover() -> tuple[ProjectState, dict[str, ReferencedRecord]]:
    state, decision = sealed_state(
        PROJECT,
        [
            *opened(PROJECT, event_id="evt-ledger-registration"),
            appointment(PROJECT, "construction", at=T1, event_id="evt-ledger-appoint-c"),
            lead_change(
                PROJECT,
                "construction",
                B["name"],
                B["id_number"],
                at=T2,
                event_id="evt-ledger-lc-b",
            ),
        ],
    )
    return state, referenced_from(decision.sealed)


def handover() -> ProjectState:
    """Construction appointed with lead A at T1; lead B takes over at T2."""
    return _handover()[0]


OPENING = len(opened(PROJECT))
"""The registration and the station's acceptance of the filing come first."""
APPOINTED_REF = EventRef(event_id="evt-ledger-appoint-c", seq=OPENING + 1)
CHANGED_REF = EventRef(event_id="evt-ledger-lc-b", seq=OPENING + 2)


# ----------------------------------------------------------------------------- periods


def test_a_handover_closes_the_old_period_where_the_new_one_starts() -> None:
    party = handover().parties["construction"]
    first, second = party.leads
    assert (first.id_number, first.start, first.end) == (A["id_number"], T1, T2)
    assert (second.id_number, second.start, second.end) == (B["id_number"], T2, None)
    assert first.appointed_by == APPOINTED_REF and second.appointed_by == CHANGED_REF
    assert party.appointed_by == APPOINTED_REF  # the party's appointment is not replaced
    assert party.current_lead == second


@pytest.mark.parametrize(
    "moment,expected",
    [
        (T1 - TICK, None),
        (T1, A["id_number"]),
        (T1 + HOUR, A["id_number"]),
        (T2 - TICK, A["id_number"]),
        (T2, B["id_number"]),
        (T2 + TICK, B["id_number"]),
        (T2 + 3650 * DAY, B["id_number"]),
    ],
    ids=["before-T1", "at-T1", "after-T1", "just-before-T2", "at-T2", "after-T2", "years-later"],
)
def test_lead_at_answers_with_the_lead_in_office(moment: dt.datetime, expected: str | None) -> None:
    lead = handover().parties["construction"].lead_at(moment)
    assert (lead.id_number if lead else None) == expected


def test_lead_at_compares_instants_not_wall_clocks() -> None:
    shanghai = dt.timezone(dt.timedelta(hours=8))
    just_before = (T2 - TICK).astimezone(shanghai)
    lead = handover().parties["construction"].lead_at(just_before)
    assert lead is not None and lead.id_number == A["id_number"]


def test_a_lead_period_covers_its_start_but_not_its_end() -> None:
    period = LeadPeriod(
        name="甲",
        id_number=A["id_number"],
        start=T1,
        end=T2,
        authorization_evidence=sha("x"),
        appointed_by=APPOINTED_REF,
    )
    assert period.covers(T1) and period.covers(T2 - TICK)
    assert not period.covers(T1 - TICK) and not period.covers(T2)
    assert period.model_copy(update={"end": None}).covers(T2 + 3650 * DAY)


# ----------------------------------------------------------------------------- responsible_at


def test_responsible_during_the_first_period_is_a_with_the_appointment_as_proof() -> None:
    answer = responsible_at(handover(), "construction", T1 + HOUR)
    assert answer is not None
    assert answer["project"] == PROJECT and answer["role"] == "construction"
    assert answer["organization"] == {"name": "construction 单位有限公司", "code": CONSTRUCTION}
    assert answer["lead"]["id_number"] == A["id_number"] and answer["lead"]["name"] == A["name"]
    assert answer["lead"]["start"] == "2026-01-02T00:00:00Z"
    assert answer["lead"]["end"] == "2026-01-11T00:00:00Z"
    assert answer["proof"] == [
        {"what": "party appointed", "event_id": APPOINTED_REF.event_id, "seq": APPOINTED_REF.seq}
    ]
    assert "appointed_by" not in answer["lead"] and "corrected_by" not in answer["lead"]


def test_responsible_after_the_handover_is_b_with_the_lead_change_as_proof() -> None:
    answer = responsible_at(handover(), "construction", T2)
    assert answer is not None
    assert answer["organization"]["code"] == CONSTRUCTION
    assert answer["lead"]["id_number"] == B["id_number"] and answer["lead"]["end"] is None
    assert answer["proof"] == [
        {"what": "party appointed", "event_id": APPOINTED_REF.event_id, "seq": APPOINTED_REF.seq},
        {"what": "lead changed", "event_id": CHANGED_REF.event_id, "seq": CHANGED_REF.seq},
    ]


def test_the_moment_is_answered_in_utc() -> None:
    shanghai = dt.timezone(dt.timedelta(hours=8))
    answer = responsible_at(handover(), "construction", T2.astimezone(shanghai))
    assert answer is not None and answer["at"] == "2026-01-11T00:00:00+00:00"


@pytest.mark.parametrize(
    "role,moment", [("construction", T1 - TICK), ("supervision", T2), ("owner", T2)]
)
def test_no_one_is_responsible_before_an_appointment_or_for_an_open_role(
    role: str, moment: dt.datetime
) -> None:
    assert responsible_at(handover(), role, moment) is None


def test_a_signed_commitment_joins_the_proof_of_its_lead_only() -> None:
    signed = commitment(
        PROJECT, "construction", B["id_number"], at=T2 + HOUR, event_id="evt-ledger-commit-b"
    )
    state, _ = sealed_state(PROJECT, [signed], handover())
    b = responsible_at(state, "construction", T2 + DAY)
    a = responsible_at(state, "construction", T1)
    assert b is not None and a is not None
    assert b["proof"][-1] == {
        "what": "commitment signed",
        "event_id": "evt-ledger-commit-b",
        "seq": CHANGED_REF.seq + 1,
    }
    assert b["lead"]["commitment"]["evidence"] == sha(f"commit-{PROJECT}-{B['id_number']}")
    assert [p["what"] for p in a["proof"]] == ["party appointed"]
    assert a["lead"]["commitment"] is None


def test_a_correction_of_a_lead_joins_that_leads_proof() -> None:
    state = handover()
    fix = correction(
        PROJECT,
        "evt-ledger-lc-b",
        {"new_lead.name": "乙（更正）"},
        at=T2 + DAY,
        org=CONSTRUCTION,
        role="construction",
        event_id="evt-ledger-fix-b",
    )
    decision = decide_envelopes([fix], state, referenced=_handover()[1])
    assert decision.rejected == []
    corrected = decision.states[PROJECT]
    b = responsible_at(corrected, "construction", T2)
    a = responsible_at(corrected, "construction", T1)
    assert b is not None and a is not None
    assert b["lead"]["name"] == "乙（更正）"
    fixed = {"what": "lead corrected", "event_id": "evt-ledger-fix-b", "seq": CHANGED_REF.seq + 1}
    assert b["proof"][-1] == fixed
    assert a["lead"]["name"] == A["name"] and len(a["proof"]) == 1


# ----------------------------------------------------------------------------- archive gaps


def gap_codes(gaps: list[ArchiveGap]) -> list[tuple[str, str, str | None]]:
    return [(g.code, g.role, g.lead) for g in gaps]


def test_an_empty_project_lacks_all_five_roles() -> None:
    gaps = archive_gaps({})
    assert gap_codes(gaps) == [("archive.role_unappointed", role, None) for role in FIVE_ROLES]
    assert all(g.detail_zh and g.detail_en for g in gaps)


def test_a_staffed_project_without_commitments_misses_one_per_lead() -> None:
    state, _ = sealed_state(PROJECT, staffed(PROJECT, commit=False))
    assert gap_codes(archive_gaps(state.parties)) == [
        ("archive.commitment_missing", role, LEADS[role]["name"]) for role in FIVE_ROLES
    ]


def test_the_old_lead_still_owes_a_commitment_after_a_handover() -> None:
    state, _ = sealed_state(PROJECT, staffed(PROJECT, commit=False))
    state, _ = sealed_state(
        PROJECT,
        [lead_change(PROJECT, "construction", B["name"], B["id_number"], at=T2)],
        state,
    )
    missing = [g for g in archive_gaps(state.parties) if g.role == "construction"]
    assert gap_codes(missing) == [
        ("archive.commitment_missing", "construction", A["name"]),
        ("archive.commitment_missing", "construction", B["name"]),
    ]
    # B signs: only A's commitment is still missing.
    state, _ = sealed_state(
        PROJECT, [commitment(PROJECT, "construction", B["id_number"], at=T2 + HOUR)], state
    )
    missing = [g for g in archive_gaps(state.parties) if g.role == "construction"]
    assert gap_codes(missing) == [("archive.commitment_missing", "construction", A["name"])]


def test_a_partly_staffed_project_mixes_open_roles_and_missing_commitments() -> None:
    state, _ = sealed_state(PROJECT, staffed(PROJECT, ("owner", "construction"), commit=True))
    assert gap_codes(archive_gaps(state.parties)) == [
        ("archive.role_unappointed", role, None) for role in ("survey", "design", "supervision")
    ]


def test_with_nothing_uploaded_every_authorization_and_commitment_file_is_pending() -> None:
    state, _ = sealed_state(PROJECT, staffed(PROJECT, commit=True))
    pending = archive_gaps(state.parties, uploaded=set())
    assert all(g.code == "archive.evidence_pending" for g in pending)
    assert sorted((g.role, g.lead) for g in pending) == sorted(
        (role, LEADS[role]["name"])
        for role in FIVE_ROLES
        for _file in ("authorization", "commitment")
    )
    files = {
        sha(f"auth-{PROJECT}-{role}-{LEADS[role]['id_number']}")[:12] for role in FIVE_ROLES
    } | {sha(f"commit-{PROJECT}-{LEADS[role]['id_number']}")[:12] for role in FIVE_ROLES}
    assert {g.detail_en.split()[2].rstrip("…") for g in pending} == files


def test_an_unsigned_lead_is_pending_only_for_the_authorization() -> None:
    state, _ = sealed_state(PROJECT, staffed(PROJECT, ("construction",), commit=False))
    gaps = [g for g in archive_gaps(state.parties, uploaded=set()) if g.role == "construction"]
    assert [g.code for g in gaps] == ["archive.commitment_missing", "archive.evidence_pending"]


def test_the_archive_is_complete_when_everything_is_present() -> None:
    state, _ = sealed_state(PROJECT, staffed(PROJECT, commit=True))
    assert archive_gaps(state.parties) == []
    assert archive_gaps(state.parties, uploaded=set(state.evidence)) == []
    one_missing = set(state.evidence) - {state.parties["owner"].leads[0].authorization_evidence}
    (gap,) = archive_gaps(state.parties, uploaded=one_missing)
    assert (gap.code, gap.role) == ("archive.evidence_pending", "owner")


def test_a_party_without_a_current_lead_is_a_gap() -> None:
    period = LeadPeriod(
        name="甲",
        id_number=A["id_number"],
        start=T1,
        end=T2,
        authorization_evidence=sha("a"),
        appointed_by=APPOINTED_REF,
    )
    party = Party(
        role="owner",
        org_name="建设单位",
        org_code=OWNER,
        appointed_by=APPOINTED_REF,
        leads=[period],
    )
    gaps = [g for g in archive_gaps({"owner": party}) if g.role == "owner"]
    assert gap_codes(gaps) == [
        ("archive.no_current_lead", "owner", None),
        ("archive.commitment_missing", "owner", "甲"),
    ]


# ----------------------------------------------------------------------------- per building


def _with_building(completed_on: dt.date | None) -> ProjectState:
    completion = (
        Completion(
            unit_id="B1",
            accepted_on=completed_on,
            started_on=T0.date(),
            ref=EventRef(event_id="evt-b1-done", seq=9),
        )
        if completed_on is not None
        else None
    )
    unit = UnitProject(unit_id="B1", name="1号楼", completion=completion)
    return handover().model_copy(update={"units": {"B1": unit}})


def test_a_building_names_every_lead_who_served_on_it_until_its_completion() -> None:
    state = _with_building((T2 + 5 * DAY).date())
    answer = responsible_at(state, "construction", T1 + HOUR, "B1")
    assert answer is not None
    assert answer["lead"]["id_number"] == A["id_number"]
    assert [lead["id_number"] for lead in answer["served"]] == [A["id_number"], B["id_number"]]
    assert answer["unit"]["completed_on"] == (T2 + 5 * DAY).date().isoformat()


def test_a_building_completed_before_the_handover_was_led_by_the_first_lead_only() -> None:
    state = _with_building((T2 - 2 * DAY).date())
    years_later = T2 + 7300 * DAY
    answer = responsible_at(state, "construction", years_later, "B1")
    assert answer is not None
    # Twenty years on, the building's lead is still the one who led its work: A, not B.
    assert answer["lead"]["id_number"] == A["id_number"]
    assert [lead["id_number"] for lead in answer["served"]] == [A["id_number"]]
    assert answer["unit"]["answered_as_of"] < T2.isoformat()
    # For the project as a whole, the lead in office then is B.
    project_wide = responsible_at(state, "construction", years_later)
    assert project_wide is not None and project_wide["lead"]["id_number"] == B["id_number"]


def test_a_building_still_being_built_is_answered_at_the_moment() -> None:
    answer = responsible_at(_with_building(None), "construction", T2 + DAY, "B1")
    assert answer is not None and answer["lead"]["id_number"] == B["id_number"]
    assert answer["unit"]["completed_on"] is None and len(answer["served"]) == 2


def test_an_unknown_building_has_no_answer() -> None:
    assert responsible_at(_with_building(None), "construction", T2, "B9") is None
