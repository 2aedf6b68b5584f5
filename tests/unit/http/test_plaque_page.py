"""The public page of one building's plaque: the building, every lead with their period, each
part's warranty or its expiry, the open defects without anything personal, and the report form."""

from __future__ import annotations

import datetime as dt
import json
import re

from events.acceptance import IMPLICIT_UNIT
from services.domain.ledger import EventRef
from services.domain.project import fold
from services.domain.recording import seal_follow_up
from services.domain.state import (
    Defect,
    DefectStatus,
    ProjectState,
    Warranty,
    WarrantyTerm,
)
from services.http.page import DefectForm, trail_page
from tests.support.events import (
    LEADS,
    T0,
    accepted_unit,
    commitment,
    completion,
    id_number,
    lead_change,
    staffed,
)
from tests.unit.domain.builders import DAY
from tests.unit.domain.test_plaques import GOLDEN, P, run
from tests.unit.http.test_templates import ATTACK, assert_inert, hostile

INTEGRITY = {"ok": True, "length": 9, "head": "ab", "checkpoint": None, "first_bad_seq": None}
ACCEPTED = (T0 + 60 * DAY).date()


def _state() -> ProjectState:
    handover = T0 + 20 * DAY
    state = run(
        [
            *staffed(P),
            lead_change(P, "construction", "陈志强", id_number(31), at=handover),
            commitment(P, "construction", id_number(31), at=handover + DAY),
            *accepted_unit(P, "B1"),
            completion(P),
        ]
    ).states[P]
    unit = state.units["B1"].model_copy(
        update={
            "name": hostile("unit.name"),
            "warranty": Warranty(
                issued_on=ACCEPTED,
                terms=[
                    WarrantyTerm(part="waterproofing", years=5),
                    WarrantyTerm(part="heating_cooling", years=2),
                    WarrantyTerm(part="decoration", years=2),
                ],
                repair_days=14,
                evidence="0" * 64,
                ref=EventRef(event_id="evt-w", seq=2),
            ),
        }
    )
    defect = Defect(
        defect_id="D-1",
        unit_id="B1",
        dwelling="1-0301",
        part="waterproofing",
        description=hostile("defect.description"),
        reported_on=ACCEPTED + 400 * DAY,
        source="public",
        public_report="PR-ABCDEFGHJKMN",
        in_warranty=True,
        repair_due=ACCEPTED + 414 * DAY,
        status=DefectStatus.OPEN,
        reported=EventRef(event_id="evt-d", seq=20),
    )
    return state.model_copy(update={"units": {"B1": unit}, "defects": {"D-1": defect}})


def _page(today: dt.date) -> str:
    state = _state()
    form = DefectForm(action=hostile("form.action"), token=hostile("form.token"))
    return trail_page(state, state.plaques["1"], None, INTEGRITY, today=today, form=form)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_page_names_the_building_and_every_lead_with_their_period() -> None:
    html = _page(ACCEPTED + 500 * DAY)
    assert ATTACK not in html and html.count("</textarea") == 1  # the form's own textarea
    assert_inert(html.replace("</textarea>", ""), ["unit.name", "form.action", "form.token"])
    text = _text(html)
    assert f"{LEADS['construction']['name']} 2026-01-02 – 2026-01-21" in text
    assert "陈志强 2026-01-21 – 至竣工 / through completion" in text
    assert all(LEADS[r]["id_number"] not in html for r in LEADS)


def test_each_part_is_in_warranty_until_its_day_then_expired() -> None:
    within = _text(_page(ACCEPTED + 500 * DAY))
    assert "保修期至 in warranty until 2031-03-01" in within  # waterproofing, five years
    assert "保修期至 in warranty until 2028-03-01" in within  # decoration, two years
    assert "2 个采暖期、供冷期 heating/cooling seasons" in within  # art. 40(3), in seasons
    assert "2 年" in within
    later = _text(_page(dt.date(2028, 3, 2)))
    assert "expired 2028-03-01" in later and "in warranty until 2031-03-01" in later


def test_open_defects_show_part_dates_and_overdue_but_no_dwelling_or_description() -> None:
    due = ACCEPTED + 414 * DAY
    on_time = _text(_page(due))
    assert "屋面防水工程" in on_time and (ACCEPTED + 400 * DAY).isoformat() in on_time
    assert due.isoformat() in on_time and "overdue" not in on_time
    late = _page(due + DAY)
    assert "逾期 overdue" in late
    assert "1-0301" not in late and "defect.description" not in late


def test_the_form_offers_every_warranty_part_and_bounds_each_field() -> None:
    html = _page(ACCEPTED + 500 * DAY)
    assert html.count("<option ") == 5
    assert 'name="description" required maxlength="1000"' in html
    assert 'name="contact" maxlength="100"' in html
    assert 'method="post"' in html and "<script" not in html


def test_an_old_chains_v1_plaque_page_reads_as_the_whole_project() -> None:
    """A chain from before buildings: a v1 completion and a v1 plaque, both sealed back then."""
    staffed_state = run(staffed(P)).states[P]
    v1_completion = {
        "accepted_on": "2026-03-02",
        "started_on": "2026-01-03",
        "lead_signatures": {role: "a" * 64 for role in LEADS},
        "acceptance_record": "b" * 64,
    }
    at = T0 + 60 * DAY
    record = seal_follow_up(
        staffed_state,
        "evt-old-completion",
        "qtrail.project.completion_accepted.v1",
        v1_completion,
        at,
    )
    completed = fold(staffed_state, record)
    golden = json.loads(GOLDEN.read_text("utf-8"))
    plaque_record = seal_follow_up(
        completed, "sys-plaque-old-1", "qtrail.plaque.issued.v1", golden, at
    )
    state = fold(completed, plaque_record)
    plaque = state.plaques["1"]
    assert plaque.unit_id == IMPLICIT_UNIT
    text = _text(trail_page(state, plaque, None, INTEGRITY, today=dt.date(2026, 7, 1)))
    assert state.profile is not None and f"building ：{state.profile.name}" in text
    assert f"{LEADS['construction']['name']} 2026-01-02 – 至竣工" in text
    assert "供热与供冷系统" in text  # no certificate on the trail: all five of art. 40's parts
    assert "保修期至 in warranty until 2031-03-01" in text  # waterproofing, five years
