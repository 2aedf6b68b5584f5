"""The acceptance hierarchy (GB 50300-2013), rule by rule, and the ways around each one tried:
a sub-item of a lot nobody accepted, or of a lot already counted elsewhere; a division that leaves
out an accepted sub-item, or signed by the wrong leads; a dwelling nobody registered, or a passed
one inspected again; the station told too late across a weekend or a holiday; a warranty shorter
than Art. 40 gives, or missing a part; anything recorded for a building already accepted."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from typing import Any

import pytest

from events.acceptance import WarrantyTerm
from services.domain.reasons import Rejection
from services.domain.recording import BatchDecision, decide_batch
from services.domain.state import ProjectState
from tests.support.events import (
    ORGS,
    T0,
    accepted_unit,
    completion,
    division_accepted,
    dwellings_accepted,
    notice_filed,
    staffed,
    statutory_terms,
    subitem_accepted,
    unit_lot,
    unit_registered,
    warranty_issued,
)
from tests.unit.domain.builders import DAY, HOUR, item

P = "XZ-ACCEPT-01"
NOW = T0 + 90 * DAY
AT = T0 + 10 * DAY
"""When the facts under test happen: after the building and its lots."""


def run(envelopes: Sequence[dict[str, Any]], state: ProjectState | None = None) -> BatchDecision:
    states = {P: state} if state is not None else {}
    return decide_batch([item(e) for e in envelopes], states, {}, NOW, {}, {}, None)


def sealed(envelopes: Sequence[dict[str, Any]], state: ProjectState | None = None) -> ProjectState:
    decision = run(envelopes, state)
    assert [(r.event_id, r.rejection.as_dict()) for r in decision.rejected] == []
    return decision.states[P]


def refused(envelope: dict[str, Any], state: ProjectState) -> Rejection:
    decision = run([envelope], state)
    assert decision.sealed == [], "expected a refusal"
    (rejected,) = decision.rejected
    said = rejected.rejection
    for r in (said, *said.details):
        assert r.message_zh.strip() and r.message_en.strip() and "{" not in r.message_en
    return said


def details(rejection: Rejection) -> list[str]:
    return [d.code for d in rejection.details]


@functools.cache
def building() -> ProjectState:
    """Staffed; building B1 registered (housing: 1-0101, 1-0102, 1-0201; foundation, main
    structure, decoration, roof); lots L1 to L4 accepted, none in a sub-item yet."""
    return sealed(
        [
            *staffed(P),
            unit_registered(P, "B1", at=T0 + 5 * DAY),
            *(unit_lot(P, f"L{n}", at=T0 + 5 * DAY + n * HOUR) for n in range(1, 5)),
        ]
    )


@functools.cache
def foundation_subitems() -> ProjectState:
    """B1's foundation has two accepted sub-items: 地基 (L1) and 桩基 (L2)."""
    return sealed(
        [
            subitem_accepted(P, "B1", "foundation", ["L1"], subitem="地基", at=AT),
            subitem_accepted(P, "B1", "foundation", ["L2"], subitem="桩基", at=AT),
        ],
        building(),
    )


# ----------------------------------------------------------------------------- buildings


def test_a_building_is_registered_once() -> None:
    state = building()
    unit = state.units["B1"]
    assert unit.registered is not None and not unit.implicit
    assert unit.dwellings == ["1-0101", "1-0102", "1-0201"]
    again = refused(unit_registered(P, "B1", at=AT), state)
    assert again.code == "acceptance.unit_exists" and "B1" in again.message_en


def test_no_building_takes_the_implicit_units_id() -> None:
    envelope = unit_registered(P, "B2", at=AT)
    envelope["data"]["unit_id"] = "_project"
    (rejected,) = run([envelope], building()).rejected
    assert (
        rejected.rejection.code == "event.malformed" and "unit_id" in rejected.rejection.message_en
    )


@pytest.mark.parametrize(
    "envelope",
    [
        subitem_accepted(P, "B9", "foundation", ["L3"], at=AT),
        division_accepted(P, "B9", "foundation", at=AT),
        dwellings_accepted(P, "B9", {"1-0101": True}, at=AT),
        notice_filed(P, "B9", (AT + 30 * DAY).date(), at=AT),
        warranty_issued(P, "B9", at=AT),
        completion(P, unit="B9"),
    ],
    ids=lambda e: e["type"].split(".")[-2],
)
def test_nothing_names_a_building_before_it_is_registered(envelope: dict[str, Any]) -> None:
    said = refused(envelope, building())
    assert said.code == "acceptance.unknown_unit"
    assert "B9" in said.message_en and "unit_registered" in said.message_en


# ----------------------------------------------------------------------------- sub-items


def test_a_sub_item_is_made_of_accepted_lots_each_counted_once() -> None:
    state = foundation_subitems()
    unit = state.units["B1"]
    assert set(unit.subitems) == {"foundation/地基", "foundation/桩基"}
    assert unit.subitems["foundation/地基"].inspection_lots == ["L1"]
    assert state.inspection_lots["L1"].subitem == "B1/foundation/地基"
    assert state.inspection_lots["L3"].subitem is None


def test_a_sub_item_of_a_lot_nobody_accepted_is_refused() -> None:
    said = refused(
        subitem_accepted(P, "B1", "main_structure", ["L3", "L-FORGED", "L-GHOST"], at=AT),
        building(),
    )
    assert said.code == "acceptance.subitem_incomplete"
    assert details(said) == ["acceptance.lot_not_accepted"] * 2
    assert (
        "L-FORGED" in said.details[0].message_en and "inspection_lots" in said.details[0].message_en
    )


def test_a_lot_counted_in_one_sub_item_makes_no_other() -> None:
    said = refused(
        subitem_accepted(P, "B1", "main_structure", ["L1", "L3"], at=AT), foundation_subitems()
    )
    assert details(said) == ["acceptance.lot_in_other_subitem"]
    assert "B1/foundation/地基" in said.details[0].message_en


def test_a_sub_item_only_in_a_declared_division_and_only_once() -> None:
    said = refused(subitem_accepted(P, "B1", "elevator", ["L3"], at=AT), building())
    assert said.code == "acceptance.division_not_declared" and "elevator" in said.message_en
    again = refused(
        subitem_accepted(P, "B1", "foundation", ["L3"], subitem="地基", at=AT),
        foundation_subitems(),
    )
    assert again.code == "acceptance.subitem_already_accepted"


def test_an_inspection_lot_code_is_accepted_once() -> None:
    said = refused(unit_lot(P, "L1", at=AT), building())
    assert said.code == "quality.duplicate_id" and "L1" in said.message_en
    assert building().inspection_lots["L1"].building_part == "L1 部位"


# ----------------------------------------------------------------------------- divisions


def test_a_division_lists_every_accepted_sub_item_and_is_signed_as_the_standard_says() -> None:
    state = sealed(
        [division_accepted(P, "B1", "foundation", subitems=["地基", "桩基"], at=AT + HOUR)],
        foundation_subitems(),
    )
    accepted = state.units["B1"].divisions_accepted["foundation"]
    assert accepted.subitems == ["地基", "桩基"]
    assert list(accepted.lead_signatures) == ["survey", "design", "construction", "supervision"]
    again = refused(
        division_accepted(P, "B1", "foundation", subitems=["地基", "桩基"], at=AT + 2 * HOUR),
        state,
    )
    assert again.code == "acceptance.division_already_accepted"
    # nor does a sub-item join a division accepted without it
    late = refused(
        subitem_accepted(P, "B1", "foundation", ["L3"], subitem="基坑支护", at=AT + 2 * HOUR),
        state,
    )
    assert late.code == "acceptance.division_already_accepted"


def test_a_division_leaving_out_an_accepted_sub_item_is_refused() -> None:
    said = refused(
        division_accepted(P, "B1", "foundation", subitems=["地基"], at=AT + HOUR),
        foundation_subitems(),
    )
    assert said.code == "acceptance.division_incomplete"
    assert details(said) == ["acceptance.subitem_left_out"]
    assert "桩基" in said.details[0].message_en


def test_a_division_of_sub_items_never_accepted_is_refused() -> None:
    said = refused(
        division_accepted(
            P, "B1", "foundation", subitems=["地基", "桩基", "基坑支护"], at=AT + HOUR
        ),
        foundation_subitems(),
    )
    assert details(said) == ["acceptance.subitem_not_accepted"]
    empty = refused(division_accepted(P, "B1", "roof", at=AT), building())
    assert details(empty) == ["acceptance.subitem_not_accepted"]


@pytest.mark.parametrize(
    "division,signed,gaps",
    [
        # 地基与基础 without the survey lead, or with the design lead missing as well
        ("foundation", ("design", "construction", "supervision"), ["missing:survey"]),
        ("foundation", ("construction", "supervision"), ["missing:survey", "missing:design"]),
        # 主体结构 is the design lead's, not the survey's (§6.0.3)
        ("main_structure", ("construction", "supervision"), ["missing:design"]),
        ("main_structure", ("survey", "design", "construction", "supervision"), ["extra:survey"]),
        # 屋面: construction and supervision only; the owner signs no division
        ("roof", ("owner", "construction", "supervision"), ["extra:owner"]),
        ("roof", ("supervision",), ["missing:construction"]),
    ],
)
def test_a_division_signed_by_the_wrong_leads_is_refused_naming_each(
    division: str, signed: tuple[str, ...], gaps: list[str]
) -> None:
    state = sealed([subitem_accepted(P, "B1", division, ["L3"], at=AT)], building())
    said = refused(division_accepted(P, "B1", division, signed=signed, at=AT + HOUR), state)
    assert said.code == "acceptance.division_incomplete"
    kinds = {
        "acceptance.division_signature_missing": "missing",
        "acceptance.division_signature_extra": "extra",
    }
    named = [
        f"{kinds[d.code]}:{next(r for r in ORGS if f'the {r} lead' in d.message_en)}"
        for d in said.details
    ]
    assert named == gaps
    assert all("lead_signatures" in d.message_en for d in said.details)


def test_a_division_signed_for_a_party_never_appointed_is_refused() -> None:
    project = sealed(
        [
            *staffed(P, ("owner", "design", "construction", "supervision")),
            unit_registered(P, "B1", at=T0 + 5 * DAY),
            unit_lot(P, "L1", at=T0 + 5 * DAY + HOUR),
            subitem_accepted(P, "B1", "foundation", ["L1"], at=AT),
        ]
    )
    said = refused(division_accepted(P, "B1", "foundation", at=AT + HOUR), project)
    assert details(said) == ["acceptance.signer_not_appointed"]
    assert "survey" in said.details[0].message_en


# ----------------------------------------------------------------------------- dwellings


def test_a_failed_dwelling_is_inspected_again_and_the_latest_result_counts() -> None:
    state = sealed(
        [dwellings_accepted(P, "B1", {"1-0101": True, "1-0102": False}, at=AT)], building()
    )
    results = state.units["B1"].dwelling_results
    assert results["1-0101"].passed and not results["1-0102"].passed
    assert results["1-0102"].issues == ["卫生间地面渗漏"]
    later = sealed([dwellings_accepted(P, "B1", {"1-0102": True}, at=AT + DAY)], state)
    assert later.units["B1"].dwelling_results["1-0102"].passed
    assert later.units["B1"].dwelling_results["1-0102"].inspected_on == (AT + DAY).date()


def test_a_passed_dwelling_is_not_inspected_again() -> None:
    state = sealed([dwellings_accepted(P, "B1", {"1-0101": True}, at=AT)], building())
    said = refused(dwellings_accepted(P, "B1", {"1-0101": False}, at=AT + DAY), state)
    assert said.code == "acceptance.dwellings_refused"
    assert details(said) == ["acceptance.dwelling_already_passed"]


def test_results_only_for_the_buildings_own_dwellings_and_only_for_housing() -> None:
    said = refused(
        dwellings_accepted(P, "B1", {"1-0101": True, "2-0101": True, "9-9999": True}, at=AT),
        building(),
    )
    assert details(said) == ["acceptance.unknown_dwelling"] * 2
    assert "2-0101" in said.details[0].message_en
    office = sealed([unit_registered(P, "OFFICE", housing=False, at=AT)], building())
    said = refused(dwellings_accepted(P, "OFFICE", {"1-0101": True}, at=AT + HOUR), office)
    assert said.code == "acceptance.not_housing"


# ----------------------------------------------------------------------------- the station's notice

FRIDAY = dt.datetime(2026, 3, 6, 9, tzinfo=dt.UTC)


def test_the_notice_is_filed_seven_working_days_ahead() -> None:
    # Friday 6 March → Tuesday 17 March: 9, 10, 11, 12, 13, 16 March is 6 working days
    said = refused(notice_filed(P, "B1", dt.date(2026, 3, 17), at=FRIDAY), building())
    assert said.code == "acceptance.notice_too_late"
    assert "only 6 working day(s)" in said.message_en and "planned_on" in said.message_en
    state = sealed([notice_filed(P, "B1", dt.date(2026, 3, 18), at=FRIDAY)], building())
    notice = state.units["B1"].notice
    assert notice is not None and notice.planned_on == dt.date(2026, 3, 18)


def test_the_spring_festival_is_no_working_day_for_the_notice() -> None:
    # Thursday 12 Feb 2026 → Friday 27 Feb: 13 Feb, 14 Feb (worked in exchange), 24–26 Feb;
    # 15–23 Feb off. To Monday 2 March: 27 Feb and 28 Feb (worked in exchange) make seven.
    told = dt.datetime(2026, 2, 12, 9, tzinfo=dt.UTC)
    said = refused(notice_filed(P, "B1", dt.date(2026, 2, 27), at=told), building())
    assert "only 5 working day(s)" in said.message_en
    assert sealed([notice_filed(P, "B1", dt.date(2026, 3, 2), at=told)], building())


def test_a_notice_in_a_year_without_a_schedule_says_it_counted_weekends_only() -> None:
    far = dt.datetime(2030, 9, 30, 9, tzinfo=dt.UTC)
    decision = decide_batch(
        [item(notice_filed(P, "B1", dt.date(2030, 10, 8), at=far))],
        {P: building()},
        {},
        far + DAY,
        {},
        {},
        None,
    )
    (rejected,) = decision.rejected
    assert "only 5 working day(s)" in rejected.rejection.message_en
    assert "2030: no holiday schedule on file, weekends only" in rejected.rejection.message_en


def test_a_notice_is_not_dated_after_it_is_recorded_and_a_later_one_reschedules() -> None:
    backdated = notice_filed(P, "B1", dt.date(2026, 3, 30), at=FRIDAY, filed_on=dt.date(2026, 3, 9))
    said = refused(backdated, building())
    assert said.code == "acceptance.notice_filed_later" and "filed_on" in said.message_en
    first = sealed([notice_filed(P, "B1", dt.date(2026, 3, 18), at=FRIDAY)], building())
    second = sealed([notice_filed(P, "B1", dt.date(2026, 3, 25), at=FRIDAY + DAY)], first)
    notice = second.units["B1"].notice
    assert notice is not None and notice.planned_on == dt.date(2026, 3, 25)


# ----------------------------------------------------------------------------- the warranty


def test_a_warranty_at_the_statutory_minimum_is_issued_once() -> None:
    state = sealed([warranty_issued(P, "B1", at=AT)], building())
    issued = state.units["B1"].warranty
    assert issued is not None and issued.repair_days == 14
    # the foundations and structure for the design life (50 years), the rest as Art. 40 says
    assert {t.part: t.years for t in issued.terms} == {
        "foundation_structure": 50,
        "waterproofing": 5,
        "decoration": 2,
    }
    again = refused(warranty_issued(P, "B1", at=AT + DAY), state)
    assert again.code == "acceptance.warranty_exists"


def test_a_warranty_shorter_than_art_40_is_refused() -> None:
    terms = [
        WarrantyTerm(part="foundation_structure", years=30),
        WarrantyTerm(part="waterproofing", years=3),
        WarrantyTerm(part="decoration", years=2),
    ]
    said = refused(warranty_issued(P, "B1", terms=terms, at=AT), building())
    assert said.code == "acceptance.warranty_incomplete"
    assert details(said) == ["acceptance.warranty_too_short"] * 2
    assert "30 year(s), less than the statutory 50 year(s)" in said.details[0].message_en
    assert "art. 40(2)" in said.details[1].message_en


def test_a_warranty_leaving_out_a_part_the_building_has_is_refused() -> None:
    terms = [WarrantyTerm(part="foundation_structure"), WarrantyTerm(part="decoration", years=2)]
    said = refused(warranty_issued(P, "B1", terms=terms, at=AT), building())
    assert details(said) == ["acceptance.warranty_part_missing"]
    assert "waterproofing" in said.details[0].message_en


def test_heating_and_cooling_are_warranted_for_two_seasons() -> None:
    divisions = ("foundation", "main_structure", "plumbing_heating")
    state = sealed([unit_registered(P, "B2", divisions=divisions, at=AT)], building())
    assert [t.part for t in statutory_terms(divisions)] == [
        "foundation_structure",
        "heating_cooling",
        "electrical_plumbing",
    ]
    one_season = [
        WarrantyTerm(part="foundation_structure"),
        WarrantyTerm(part="heating_cooling", seasons=1),
        WarrantyTerm(part="electrical_plumbing", years=2),
    ]
    said = refused(warranty_issued(P, "B2", terms=one_season, at=AT + HOUR), state)
    assert details(said) == ["acceptance.warranty_too_short"]
    assert "1 season(s), less than the statutory 2 season(s)" in said.details[0].message_en
    in_years = [*one_season[:1], WarrantyTerm(part="heating_cooling", years=2), one_season[2]]
    said = refused(warranty_issued(P, "B2", terms=in_years, at=AT + HOUR), state)
    assert details(said) == ["acceptance.warranty_term_unfit"]
    no_figure = [*one_season[:2], WarrantyTerm(part="electrical_plumbing")]
    no_figure[1] = WarrantyTerm(part="heating_cooling", seasons=2)
    said = refused(warranty_issued(P, "B2", terms=no_figure, at=AT + HOUR), state)
    assert details(said) == ["acceptance.warranty_too_short"]
    assert "no period" in said.details[0].message_en


# ----------------------------------------------------------------------------- after completion


def test_nothing_is_recorded_for_a_building_after_its_completion() -> None:
    state = sealed([*staffed(P), *accepted_unit(P), unit_lot(P, "L9", at=T0 + 61 * DAY)])
    assert state.units["B1"].completion is None
    state = sealed([completion(P)], state)
    later = T0 + 62 * DAY
    for envelope in (
        subitem_accepted(P, "B1", "foundation", ["L9"], subitem="桩基", at=later),
        division_accepted(P, "B1", "foundation", at=later),
        dwellings_accepted(P, "B1", {"1-0101": True}, at=later),
        notice_filed(P, "B1", (later + 30 * DAY).date(), at=later),
        warranty_issued(P, "B1", at=later),
    ):
        assert refused(envelope, state).code == "acceptance.unit_completed"
