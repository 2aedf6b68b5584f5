"""A plaque per building: every lead who served up to its completion with their period, the
warranty of each part, serials counted project-wide; and an old v1 plaque still reads."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from events.acceptance import IMPLICIT_UNIT
from events.completion import CompletionAccepted, PlaqueIssued, PlaqueRevoked
from events.registry import parse_data
from services.domain.history import Change, changes
from services.domain.ledger import EventRef
from services.domain.plaques import (
    CHINA,
    building_completion,
    filed_reports,
    open_defects,
    plaque_follow_ups,
    served,
)
from services.domain.project import fold
from services.domain.recording import BatchDecision, decide_batch, seal_follow_up
from services.domain.state import (
    Completion,
    Defect,
    DefectStatus,
    ProjectState,
    UnitProject,
    Warranty,
    WarrantyTerm,
)
from tests.support.events import (
    LEADS,
    ORGS,
    T0,
    accepted_unit,
    commitment,
    completion,
    id_number,
    lead_change,
    plaque_event,
    staffed,
    statutory_terms,
)
from tests.unit.domain.builders import DAY, item

P = "XZ-PLQ-001"
NOW = T0 + 120 * DAY
HANDOVER = T0 + 20 * DAY
SUCCESSOR = {"name": "陈志强", "id_number": id_number(31)}
GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "qtrail.plaque.issued.v1.json"


def issuer(kind: str, project: str, number: str) -> tuple[str, str]:
    return f"code-{kind}-{number}", f"https://qtrail.example/{kind}/{project}/{number}"


def run(envelopes: list[dict[str, Any]], state: ProjectState | None = None) -> BatchDecision:
    decision = decide_batch(
        [item(e) for e in envelopes], {P: state} if state else {}, {}, NOW, {}, {}, issuer
    )
    assert decision.rejected == [], [r.rejection for r in decision.rejected]
    return decision


def accepted() -> list[dict[str, Any]]:
    """Building B1 through its acceptance, ready for its completion on day 60."""
    return accepted_unit(P, "B1")


def handed_over() -> list[dict[str, Any]]:
    """The construction lead hands over to 陈志强 on day 20, who signs his commitment."""
    return [
        *staffed(P),
        lead_change(P, "construction", SUCCESSOR["name"], SUCCESSOR["id_number"], at=HANDOVER),
        commitment(P, "construction", SUCCESSOR["id_number"], at=HANDOVER + DAY),
    ]


def leads(fields: dict[str, Any], role: str) -> list[dict[str, Any]]:
    (party,) = [p for p in fields["parties"] if p["role"] == role]
    found: list[dict[str, Any]] = party["leads"]
    return found


def test_a_handover_puts_both_leads_on_the_plaque_each_with_their_period() -> None:
    state = run([*handed_over(), *accepted(), completion(P)]).states[P]
    fields = state.plaques["1"].fields
    start = (T0 + DAY).astimezone(CHINA).date().isoformat()
    handover = HANDOVER.astimezone(CHINA).date().isoformat()
    assert leads(fields, "construction") == [
        {"name": LEADS["construction"]["name"], "start": start, "end": handover},
        {"name": SUCCESSOR["name"], "start": handover, "end": None},
    ]
    for role in ("owner", "survey", "design", "supervision"):
        assert leads(fields, role) == [{"name": LEADS[role]["name"], "start": start, "end": None}]
    assert (fields["unit_id"], fields["unit_name"]) == ("B1", "B1号楼")
    assert state.plaques["1"].unit_id == "B1"
    assert fields["completed_on"] == (T0 + 60 * DAY).date().isoformat()
    assert fields["design_life_years"] == state.profile.design_life_years  # type: ignore[union-attr]


def test_a_reissued_plaque_keeps_the_leads_of_its_building_and_no_later_one() -> None:
    """A lead appointed after the building was accepted led other work; the lead who handed
    over after it stays, without an end, on this building's plaque."""
    state = run([*handed_over(), *accepted(), completion(P)]).states[P]
    later = T0 + 90 * DAY
    after = run(
        [
            lead_change(P, "construction", "吴海", id_number(32), at=later),
            plaque_event(P, "revoked", {"serial": 1, "reason": "名称更正"}, at=later + DAY),
        ],
        state,
    ).states[P]
    reissued = after.plaques["2"]
    assert reissued.unit_id == "B1" and after.plaques["1"].replaced_by == 2
    names = [(lead["name"], lead["end"]) for lead in leads(reissued.fields, "construction")]
    assert names == [
        (LEADS["construction"]["name"], HANDOVER.astimezone(CHINA).date().isoformat()),
        (SUCCESSOR["name"], None),
    ]


def test_the_periods_are_printed_in_china_time() -> None:
    """A handover at 01:00 on 21 January in Beijing is 17:00 UTC on the 20th: the site's day is
    printed."""
    late = dt.datetime(2026, 1, 20, 17, 0, tzinfo=dt.UTC)  # 01:00 on 21 January in Beijing
    state = run(
        [
            *staffed(P),
            lead_change(P, "construction", SUCCESSOR["name"], SUCCESSOR["id_number"], at=late),
            commitment(P, "construction", SUCCESSOR["id_number"], at=late + DAY),
        ]
    ).states[P]
    period = served(state.parties["construction"], None)
    assert period[0].end == dt.date(2026, 1, 21) and period[1].start == dt.date(2026, 1, 21)


def _with_certificate(state: ProjectState, terms: dict[str, int] | None) -> ProjectState:
    """B1's certificate replaced by one of ``terms`` (None: no certificate on the trail)."""
    warranty = None
    if terms is not None:
        warranty = Warranty(
            issued_on=dt.date(2026, 2, 20),
            terms=[WarrantyTerm(part=p, years=y) for p, y in terms.items()],
            repair_days=14,
            evidence="0" * 64,
            ref=EventRef(event_id="evt-warranty", seq=3),
        )
    unit = state.units["B1"].model_copy(update={"warranty": warranty})
    return state.model_copy(update={"units": {"B1": unit}})


def test_the_warranty_summary_runs_from_the_acceptance_for_each_certified_part() -> None:
    completed = run([*staffed(P), *accepted(), completion(P)]).states[P]
    state = _with_certificate(
        completed, {"foundation_structure": 50, "waterproofing": 8, "decoration": 2}
    )
    revoke = plaque_event(P, "revoked", {"serial": 1, "reason": "保修书补录"})
    fields = run([revoke], state).states[P].plaques["2"].fields
    accepted_on = (T0 + 60 * DAY).date()  # 2026-03-02
    assert accepted_on == dt.date(2026, 3, 2)
    assert fields["warranty_issued_on"] == "2026-02-20"
    assert [(w["part"], w["years"], w["until"]) for w in fields["warranty"]] == [
        ("foundation_structure", 50, "2076-03-01"),
        ("waterproofing", 8, "2034-03-01"),
        ("decoration", 2, "2028-03-01"),
    ]
    assert fields["warranty"][1]["zh"].startswith("屋面防水工程")
    assert fields["warranty"][1]["en"].startswith("roof waterproofing")


def test_the_certificate_on_the_trail_is_the_one_printed() -> None:
    fields = run([*staffed(P), *accepted(), completion(P)]).states[P].plaques["1"].fields
    assert fields["warranty_issued_on"] == (T0 + 5 * DAY).date().isoformat()
    assert [w["part"] for w in fields["warranty"]] == [t.part for t in statutory_terms()]


def test_without_a_certificate_the_plaque_prints_the_statutory_minimums() -> None:
    """An old chain's building has none on the trail: the law's minimums still run."""
    state = _with_certificate(run([*staffed(P), *accepted(), completion(P)]).states[P], None)
    revoke = plaque_event(P, "revoked", {"serial": 1, "reason": "保修书补录"})
    fields = run([revoke], state).states[P].plaques["2"].fields
    assert fields["warranty_issued_on"] is None
    years = {w["part"]: w["years"] for w in fields["warranty"]}
    assert years == {
        "foundation_structure": 50,  # the design life the project was registered with
        "waterproofing": 5,
        "heating_cooling": 2,
        "electrical_plumbing": 2,
        "decoration": 2,
    }


def _two_buildings(state: ProjectState) -> ProjectState:
    """B1 accepted on day 60 (the sealed completion), B2 on day 100; as the acceptance fold
    leaves them (B2 built directly)."""
    b1 = state.units["B1"].completion
    assert b1 is not None
    b2 = Completion(
        accepted_on=(T0 + 100 * DAY).date(),
        started_on=(T0 + 30 * DAY).date(),
        ref=EventRef(event_id="evt-b2", seq=state.seq + 1),
        unit_id="B2",
    )
    units = {
        **state.units,
        "B2": UnitProject(unit_id="B2", name="2号楼", registered=b1.ref, completion=b2),
    }
    return state.model_copy(update={"units": units})


def test_each_building_gets_its_own_plaque_and_the_serials_count_project_wide() -> None:
    state = _two_buildings(run([*staffed(P), *accepted(), completion(P)]).states[P])
    b2_accepted = CompletionAccepted(
        unit_id="B2",
        accepted_on=(T0 + 100 * DAY).date(),
        started_on=(T0 + 30 * DAY).date(),
        lead_signatures={role: "a" * 64 for role in ORGS},
        acceptance_record="b" * 64,
    )
    (b2,) = plaque_follow_ups(state, b2_accepted, "evt-b2", issuer)
    assert (b2["serial"], b2["unit_id"], b2["unit_name"]) == (2, "B2", "2号楼")
    assert b2["code"] == "code-p-2" and b2["url"].endswith(f"/p/{P}/2")
    assert (b2["started_on"], b2["completed_on"]) == ("2026-01-31", "2026-04-11")
    revoked = PlaqueRevoked(serial=1, reason="更正", reissue=True)
    (again,) = plaque_follow_ups(state, revoked, "evt-revoke", issuer)
    assert (again["serial"], again["unit_id"], again["replaces_serial"]) == (2, "B1", 1)
    assert again["completed_on"] == (T0 + 60 * DAY).date().isoformat()
    assert (
        plaque_follow_ups(state, PlaqueRevoked(serial=1, reason="x", reissue=False), "e", issuer)
        == []
    )
    assert plaque_follow_ups(state, b2_accepted, "evt-b2", None) == []


def test_a_completion_of_a_building_not_yet_folded_issues_nothing() -> None:
    state = run([*staffed(P), *accepted(), completion(P)]).states[P]
    completed = CompletionAccepted(
        unit_id="B9",
        accepted_on=(T0 + 100 * DAY).date(),
        started_on=(T0 + 30 * DAY).date(),
        lead_signatures={role: "a" * 64 for role in ORGS},
        acceptance_record="b" * 64,
    )
    assert building_completion(state, "B9") is None
    assert plaque_follow_ups(state, completed, "evt", issuer) == []


def _defect(
    defect_id: str, unit: str, status: DefectStatus, due: dt.date | None, seq: int
) -> Defect:
    return Defect(
        defect_id=defect_id,
        unit_id=unit,
        dwelling="1-0301",
        part="waterproofing",
        description="卫生间渗漏 王先生 13800000000",
        reported_on=dt.date(2026, 5, 1),
        source="public",
        public_report="PR-ABCDEFGHJKMN",
        in_warranty=True,
        repair_due=due,
        status=status,
        reported=EventRef(event_id=f"evt-{defect_id}", seq=seq),
    )


def test_open_defects_say_part_dates_status_and_overdue_and_nothing_personal() -> None:
    due = dt.date(2026, 5, 15)
    state = ProjectState(
        project_id=P,
        defects={
            "D1": _defect("D1", "B1", DefectStatus.OPEN, due, 1),
            "D2": _defect("D2", "B1", DefectStatus.REPAIRED, due, 2),
            "D3": _defect("D3", "B1", DefectStatus.CONFIRMED, due, 3),
            "D4": _defect("D4", "B2", DefectStatus.OPEN, due, 4),
            "D5": _defect("D5", "B1", DefectStatus.OPEN, None, 5),
        },
    )
    on_time = open_defects(state, "B1", due)
    assert [(d.status, d.overdue) for d in on_time] == [
        ("open", False),
        ("repaired", False),
        ("open", False),
    ]
    late = open_defects(state, "B1", due + DAY)
    assert [(d.status, d.overdue) for d in late] == [
        ("open", True),
        ("repaired", False),  # repaired: the reporter's confirmation is what is awaited
        ("open", False),  # out of warranty: no repair is due
    ]
    shown = json.dumps([vars(d) for d in late], default=str, ensure_ascii=False)
    assert "1-0301" not in shown and "13800000000" not in shown and "王" not in shown


# ----------------------------------------------------------------------------- the old version


def _golden() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(GOLDEN.read_text(encoding="utf-8"))
    return loaded


def test_a_v1_plaque_upcasts_to_the_implicit_unit_with_its_one_lead_and_no_period() -> None:
    event_type, data = parse_data("qtrail.plaque.issued.v1", _golden())
    assert event_type == PlaqueIssued.event_type and isinstance(data, PlaqueIssued)
    assert data.unit_id == IMPLICIT_UNIT and data.unit_name == "滨河花园住宅小区"
    construction = data.parties[3]
    assert construction.role == "construction"
    assert [(lead.name, lead.start, lead.end) for lead in construction.leads] == [
        ("陈志强", None, None)
    ]
    assert data.warranty == [] and data.warranty_issued_on is None


def test_a_sealed_v1_plaque_folds_reads_and_steps_with_todays_code() -> None:
    previous = run([*staffed(P), *accepted(), completion(P)]).states[P]
    before = previous.model_copy(update={"plaques": {}})
    record = seal_follow_up(
        before, "sys-plaque-golden-1", "qtrail.plaque.issued.v1", _golden(), NOW
    )
    assert record.type == "qtrail.plaque.issued.v1"
    after = fold(before, record)
    plaque = after.plaques["1"]
    assert plaque.unit_id == IMPLICIT_UNIT
    assert plaque.fields["parties"][0]["leads"] == [{"name": "王建国", "start": None, "end": None}]
    assert changes(before, after) == [Change("永久性标牌 #1 签发", "plaque #1 issued")]


def test_a_public_report_is_filed_once_a_sealed_defect_names_its_receipt() -> None:
    party = _defect("D1", "B1", DefectStatus.OPEN, None, 1).model_copy(
        update={"source": "party", "public_report": None}
    )
    state = ProjectState(
        project_id=P,
        defects={"D1": party, "D2": _defect("D2", "B1", DefectStatus.CONFIRMED, None, 2)},
    )
    assert filed_reports(state) == {"PR-ABCDEFGHJKMN": "D2"}
