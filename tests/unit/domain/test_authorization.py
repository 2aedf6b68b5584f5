"""Who may submit what: the type × role matrix, cell by cell, and role holding from the trail."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

import pytest

from events.base import EventData, Role
from events.registry import CATALOG, UPCASTERS
from events.supervision import (
    AcceptanceAttended,
    ArchiveTransferred,
    CommitmentsAcknowledged,
    CompletionFiled,
    FilingRefused,
    InspectionRecorded,
    RectificationOrdered,
    RectificationReported,
    RectificationVerified,
    WorkResumed,
    WorkStopped,
)
from services.domain import authorization
from services.domain.authorization import MATRIX, holds_role, may_submit, type_name
from services.domain.context import ReferencedRecord
from services.domain.state import ProjectState
from tests.support.aftercare import (
    accident_closed,
    accident_graded,
    accident_investigated,
    building,
    complaint_handled,
    complaint_lodged,
    defect_repaired,
    defect_reported,
    noon,
    repair_confirmed,
    responsibility_found,
    with_buildings,
)
from tests.support.events import (
    CONSTRUCTION,
    DESIGN,
    LAB,
    LEADS,
    ORGS,
    OWNER,
    STATION,
    STRANGER,
    SUPERVISION,
    SURVEY,
    T0,
    alert_resolved,
    appointment,
    batch_closed,
    commitment,
    completion,
    design_checked,
    division_accepted,
    dwellings_accepted,
    event,
    fact,
    filing_accepted,
    id_number,
    in_situ_tested,
    lead_change,
    lot,
    lot_closed,
    notice_filed,
    opened,
    org_code,
    received,
    registration,
    repair_accepted,
    repair_planned,
    report_revoked,
    reported,
    retest_concluded,
    sample,
    sample_disposed,
    sha,
    subitem_accepted,
    unit_lot,
    unit_registered,
    warranty_issued,
    witness_authorized,
)
from tests.unit.domain.builders import (
    DAY,
    HOUR,
    accident,
    acting,
    correction,
    decide_envelopes,
    lab_commission,
    nc_closed,
    nc_raised,
    nc_rectified,
    outcome,
    referenced_from,
    sealed_state,
    witness,
)

PROJECT = "XZ-MATRIX-01"
FRESH = "XZ-MATRIX-NEW"
PARTY_ROLES = ("owner", "survey", "design", "construction", "supervision")

# The matrix as the domain intends it, written out independently of services/domain (see
# docs/architecture.md): a change to MATRIX must change this table too.
OW, SU, DE, C, SV = Role.OWNER, Role.SURVEY, Role.DESIGN, Role.CONSTRUCTION, Role.SUPERVISION
RG = Role.REGULATOR
EXPECTED: dict[str, set[Role]] = {
    "qtrail.project.registered": {OW},
    "qtrail.party.appointed": {OW},
    "qtrail.party.lead_changed": {OW, SU, DE, C, SV},
    "qtrail.party.commitment_signed": {OW, SU, DE, C, SV},
    "qtrail.party.witness_authorized": {OW, SV},
    "qtrail.party.lab_commissioned": {OW},
    "qtrail.quality.inspection_lot_accepted": {C, SV},
    "qtrail.quality.nonconformance_raised": {OW, SV},
    "qtrail.quality.nonconformance_rectified": {C},
    "qtrail.quality.nonconformance_closed": {OW, SV},
    "qtrail.quality.accident_reported": {OW, C, SV},
    "qtrail.record.corrected": {OW, SU, DE, C, SV},
    "qtrail.materials.sample_taken": {C, SV},
    "qtrail.materials.sample_received": {Role.LAB},
    "qtrail.materials.test_reported": {Role.LAB},
    "qtrail.materials.report_revoked": {Role.LAB},
    "qtrail.materials.concrete_batch_closed": {OW, SV},
    "qtrail.materials.lot_closed": {OW, SV},
    "qtrail.materials.sample_disposed": {SV},
    "qtrail.materials.evaluated": {Role.SYSTEM},
    "qtrail.materials.alert_resolved": {OW, SV},
    "qtrail.materials.retest_concluded": {Role.LAB},
    "qtrail.materials.in_situ_tested": {Role.LAB},
    "qtrail.materials.design_checked": {DE},
    "qtrail.materials.repair_planned": {C},
    "qtrail.materials.repair_accepted": {SV},
    "qtrail.project.unit_registered": {OW},
    "qtrail.acceptance.subitem_accepted": {SV},
    "qtrail.acceptance.division_accepted": {SV},
    "qtrail.acceptance.dwellings_accepted": {SV},
    "qtrail.acceptance.notice_filed": {OW},
    "qtrail.acceptance.warranty_issued": {C},
    "qtrail.project.completion_accepted": {OW},
    "qtrail.plaque.issued": {Role.SYSTEM},
    "qtrail.plaque.installed": {OW},
    "qtrail.plaque.revoked": {OW},
    "qtrail.warranty.defect_reported": {OW, SU, DE, C, SV},
    "qtrail.warranty.repair_overdue": {Role.SYSTEM},
    "qtrail.warranty.defect_repaired": {C},
    "qtrail.warranty.repair_confirmed": {OW},
    "qtrail.aftercare.complaint_lodged": {OW, RG},
    "qtrail.aftercare.complaint_handled": {OW, RG},
    "qtrail.quality.accident_graded": {RG},
    "qtrail.quality.accident_investigated": {RG},
    "qtrail.quality.accident_closed": {RG},
    "qtrail.aftercare.responsibility_found": {RG},
    # the station's own acts; a rectification is answered by the party it is addressed to
    "qtrail.supervision.filing_accepted": {RG},
    "qtrail.supervision.filing_refused": {RG},
    "qtrail.supervision.commitments_acknowledged": {RG},
    "qtrail.supervision.inspection_recorded": {RG},
    "qtrail.supervision.rectification_ordered": {RG},
    "qtrail.supervision.rectification_reported": {OW, SU, DE, C, SV},
    "qtrail.supervision.rectification_verified": {RG},
    "qtrail.supervision.work_stopped": {RG},
    "qtrail.supervision.work_resumed": {RG},
    "qtrail.supervision.acceptance_attended": {RG},
    "qtrail.supervision.completion_filed": {RG},
    "qtrail.supervision.archive_transferred": {OW, RG},
    "qtrail.supervision.deadline_missed": {Role.SYSTEM},
}
CURRENT_TYPE = {entry.name: event_type for event_type, entry in CATALOG.items()}
"""Type name → its current versioned type, e.g. ...inspection_lot_accepted → ....v2."""

ACTOR_ORG = {**ORGS, "lab": LAB, "system": OWNER, "regulator": STATION}
"""The organization that holds each role in the staffed project. Nobody holds ``system``: the
owner's organization tries it, to show that even the registrant cannot act as qtrail."""

CELLS = [(name, role) for name in sorted(EXPECTED) for role in Role]


def cell_id(cell: tuple[str, Role]) -> str:
    return f"{cell[0].removeprefix('qtrail.')}-{cell[1].value}"


# ----------------------------------------------------------------------------- the table


def test_the_matrix_is_the_intended_table() -> None:
    assert {name: set(roles) for name, roles in MATRIX.items()} == EXPECTED


def test_every_catalog_type_has_a_matrix_row_and_no_row_is_orphaned() -> None:
    assert {entry.name for entry in CATALOG.values()} == set(MATRIX)


def test_only_facts_qtrail_makes_itself_are_open_to_the_system_role() -> None:
    open_to_system = {name for name, roles in MATRIX.items() if Role.SYSTEM in roles}
    assert open_to_system == {
        "qtrail.materials.evaluated",
        "qtrail.plaque.issued",
        "qtrail.warranty.repair_overdue",
        "qtrail.supervision.deadline_missed",
    }
    assert all(roles == {Role.SYSTEM} for name, roles in MATRIX.items() if name in open_to_system)


@pytest.mark.parametrize("cell", CELLS, ids=cell_id)
def test_may_submit_follows_the_matrix_for_every_version(cell: tuple[str, Role]) -> None:
    name, role = cell
    allowed = role in EXPECTED[name]
    assert may_submit(CURRENT_TYPE[name], role) is allowed
    for old in (t for t in UPCASTERS if type_name(t) == name):
        assert may_submit(old, role) is allowed  # an old version is judged like the current one


@pytest.mark.parametrize("role", list(Role))
def test_an_unknown_type_is_open_to_no_role(role: Role) -> None:
    assert not may_submit("qtrail.project.demolished.v1", role)


def test_type_name_drops_only_the_version() -> None:
    assert type_name("qtrail.quality.inspection_lot_accepted.v2") == (
        "qtrail.quality.inspection_lot_accepted"
    )
    assert type_name("qtrail.quality.inspection_lot_accepted.v12") == (
        "qtrail.quality.inspection_lot_accepted"
    )


# ----------------------------------------------------------------------------- the cells, end to end

CELL_AT = T0 + 3 * DAY
CELL_DAY = CELL_AT.date()


STATION_AT = T0 + 2 * DAY + 10 * HOUR
"""When the station's acts in the staffed project happened."""
STATION_DAY = (T0 + 2 * DAY).date()


def station_act(data: EventData, *, at: dt.datetime) -> dict[str, Any]:
    """A fact of the station's (the one the test registrations name), as its supervisor posts it."""
    return fact(PROJECT, data, at=at, org=STATION, role="regulator", person="监督员甲")


def _ordered(notice_id: str, role: str) -> dict[str, Any]:
    return station_act(
        RectificationOrdered(
            notice_id=notice_id,
            addressed_to=role,
            items=["钢筋保护层厚度不足"],
            issued_on=STATION_DAY,
            due_on=STATION_DAY + 10 * DAY,
        ),
        at=STATION_AT,
    )


def _reported(notice_id: str, *, at: dt.datetime) -> dict[str, Any]:
    reported_on = at.date()
    return fact(
        PROJECT,
        RectificationReported(
            notice_id=notice_id,
            reported_on=reported_on,
            actions=["已返工并复测保护层厚度"],
            evidence=[sha(f"rectified-{notice_id}")],
        ),
        at=at,
    )


@functools.cache
def staffed_project() -> tuple[ProjectState, dict[str, ReferencedRecord]]:
    """Registered; all five parties appointed; a lab commissioned; one nonconformance open and one
    rectified; every party has changed its lead once (so each has authored a record it may
    correct). The original leads have signed nothing; survey's new lead has. The station has
    addressed a rectification notice to each party (RN-<role>, open) and one more to construction,
    answered (RN-DONE), and stopped work on one part (SO-1). Materials: a concrete batch B2 and a rebar
    lot RB ready to close, a received sample S-3 without a report, and two failures under
    disposal: a waterproofing lot (re-test samples reported) and a mortar lot (tested in place
    below design, a rework planned)."""
    envelopes = [
        *opened(PROJECT),
        *(appointment(PROJECT, role) for role in PARTY_ROLES),
        lab_commission(PROJECT),
        nc_raised(PROJECT, "NC-OPEN", at=T0 + DAY + 2 * HOUR),
        nc_raised(PROJECT, "NC-DONE", at=T0 + DAY + 2 * HOUR),
        nc_rectified(PROJECT, "NC-DONE", at=T0 + DAY + 3 * HOUR),
        *(
            lead_change(
                PROJECT,
                role,
                f"{role}接任",
                id_number(20 + n),
                at=T0 + 2 * DAY,
                event_id=f"evt-base-lead-{role}",
            )
            for n, role in enumerate(PARTY_ROLES)
        ),
        witness_authorized(PROJECT, at=T0 + 2 * DAY + HOUR),
        sample(PROJECT, "S-1", at=T0 + 2 * DAY + 2 * HOUR),
        received(PROJECT, "S-1", at=T0 + 2 * DAY + 3 * HOUR),
        sample(PROJECT, "S-RCV", at=T0 + 2 * DAY + 2 * HOUR),
        sample(PROJECT, "S-UNW", witnessed=False, at=T0 + 2 * DAY + 2 * HOUR),
        reported(
            PROJECT, "R-1", "S-1", {"specimen_mpa": [35.0, 36.0, 37.0]}, at=T0 + 2 * DAY + 4 * HOUR
        ),
        *_taken_and_reported("S-2", "R-2", batch="B2"),
        sample(PROJECT, "S-3", batch="B3", at=T0 + 2 * DAY + 2 * HOUR),
        received(PROJECT, "S-3", at=T0 + 2 * DAY + 3 * HOUR),
        sample(
            PROJECT,
            "S-RB",
            material="rebar",
            grade="HRB400E",
            diameter=20,
            batch="RB",
            at=T0 + 2 * DAY + 2 * HOUR,
        ),
        sample_disposed(PROJECT, "S-RB", at=T0 + 2 * DAY + 3 * HOUR),
        *_taken_and_reported("S-WP", "R-WP", material="waterproofing", conclusion="fail"),
        *_taken_and_reported("S-WP2", "R-WP2", material="waterproofing"),
        *_taken_and_reported("S-WP3", "R-WP3", material="waterproofing"),
        *_taken_and_reported("S-MO", "R-MO", material="mortar", conclusion="fail"),
        in_situ_tested(
            PROJECT, "lab_failed:R-MO", "IS-MO", meets_design=False, at=T0 + 2 * DAY + 5 * HOUR
        ),
        repair_planned(PROJECT, "lab_failed:R-MO", at=T0 + 2 * DAY + 6 * HOUR),
        # Building B1: two accepted lots, the foundation's sub-item made of the first.
        unit_registered(PROJECT, "B1", at=T0 + 2 * DAY + 7 * HOUR),
        unit_lot(PROJECT, "B1-L1", at=T0 + 2 * DAY + 8 * HOUR),
        unit_lot(PROJECT, "B1-L2", at=T0 + 2 * DAY + 8 * HOUR),
        subitem_accepted(PROJECT, "B1", "foundation", ["B1-L1"], at=T0 + 2 * DAY + 9 * HOUR),
        commitment(PROJECT, "survey", id_number(21), at=T0 + 2 * DAY + 9 * HOUR),
        *(_ordered(f"RN-{role}", role) for role in PARTY_ROLES),
        _ordered("RN-DONE", "construction"),
        acting(_reported("RN-DONE", at=T0 + 2 * DAY + 11 * HOUR), CONSTRUCTION, "construction"),
        station_act(
            WorkStopped(
                order_id="SO-1",
                scope="partial",
                parts=["3层梁板"],
                reason="模板支撑体系不符合方案",
                ordered_on=STATION_DAY,
            ),
            at=STATION_AT,
        ),
    ]
    state, decision = sealed_state(PROJECT, envelopes)
    assert set(state.parties) == set(PARTY_ROLES) and set(state.labs) == {LAB}
    assert {nc: v.status for nc, v in state.nonconformances.items()} == {
        "NC-OPEN": "open",
        "NC-DONE": "rectified",
    }
    return state, referenced_from(decision.sealed)


AFTER = dt.date(2026, 2, 20)
"""The day the lifelong half's cells act: after building B1's acceptance (2026-02-01), before
the recorder's clock in unit tests (2026-03-01)."""
HAPPENED = T0 + 2 * DAY
"""When the cells' accidents happened (the original construction lead was in office)."""


@functools.cache
def after_completion() -> tuple[ProjectState, dict[str, ReferencedRecord]]:
    """The staffed project with building B1 accepted and in warranty (as a state: the hierarchy
    has cells of its own), a defect open and one repaired, a complaint lodged, and accidents
    reported (ACC-R), graded (ACC-G) and investigated (ACC-I)."""
    staffed, referenced = staffed_project()
    reported_at = HAPPENED + 30 * dt.timedelta(minutes=1)
    grade = {"grade": "ordinary", "loss": 2_000_000.0, "reported_at": reported_at}
    envelopes = [
        defect_reported(PROJECT, "D-OPEN", reported_on=dt.date(2026, 2, 10)),
        defect_reported(PROJECT, "D-DONE", reported_on=dt.date(2026, 2, 10)),
        defect_repaired(PROJECT, "D-DONE", repaired_on=dt.date(2026, 2, 15)),
        complaint_lodged(PROJECT, "C-1", received_on=dt.date(2026, 2, 10)),
        *(accident(PROJECT, a, at=HAPPENED) for a in ("ACC-R", "ACC-G", "ACC-I")),
        accident_graded(PROJECT, "ACC-G", **grade),
        accident_graded(PROJECT, "ACC-I", **grade),
        accident_investigated(PROJECT, "ACC-I", concluded_on=dt.date(2026, 1, 20)),
    ]
    state, decision = sealed_state(PROJECT, envelopes, with_buildings(staffed, building("B1")))
    assert decision.rejected == [], [r.rejection for r in decision.rejected]
    return state, {**referenced, **referenced_from(decision.sealed)}


AFTERCARE: dict[str, Callable[[Role], dict[str, Any]]] = {
    "qtrail.warranty.defect_reported": lambda role: defect_reported(
        PROJECT, "D-NEW", reported_on=AFTER
    ),
    "qtrail.warranty.defect_repaired": lambda role: defect_repaired(
        PROJECT, "D-OPEN", repaired_on=AFTER
    ),
    "qtrail.warranty.repair_confirmed": lambda role: repair_confirmed(
        PROJECT, "D-DONE", confirmed_on=AFTER
    ),
    "qtrail.warranty.repair_overdue": lambda role: event(
        PROJECT,
        "qtrail.warranty.repair_overdue.v1",
        {"defect_id": "D-OPEN", "unit_id": "B1", "repair_due": "2026-02-25", "as_of": "2026-02-26"},
        at=noon(dt.date(2026, 2, 26)),
    ),
    "qtrail.aftercare.complaint_lodged": lambda role: complaint_lodged(
        PROJECT, "C-NEW", received_on=AFTER
    ),
    "qtrail.aftercare.complaint_handled": lambda role: complaint_handled(
        PROJECT, "C-1", handled_on=AFTER
    ),
    "qtrail.quality.accident_graded": lambda role: accident_graded(
        PROJECT,
        "ACC-R",
        grade="ordinary",
        loss=2_000_000.0,
        reported_at=HAPPENED + 30 * dt.timedelta(minutes=1),
        at=noon(AFTER),
    ),
    "qtrail.quality.accident_investigated": lambda role: accident_investigated(
        PROJECT, "ACC-G", concluded_on=AFTER
    ),
    "qtrail.quality.accident_closed": lambda role: accident_closed(
        PROJECT, "ACC-I", closed_on=AFTER
    ),
    "qtrail.aftercare.responsibility_found": lambda role: responsibility_found(
        PROJECT,
        "F-1",
        role_found="construction",
        lead_id_number=LEADS["construction"]["id_number"],
        work_done_at=HAPPENED - HOUR,
        relates_to=["ACC-G"],
        decided_on=AFTER,
    ),
    "qtrail.supervision.completion_filed": lambda role: station_act(
        CompletionFiled(unit_id="B1", filing_number="BA-2026-001", filed_on=AFTER), at=noon(AFTER)
    ),
    "qtrail.supervision.archive_transferred": lambda role: fact(
        PROJECT,
        ArchiveTransferred(
            unit_id="B1",
            archive="徐州市城市建设档案馆",
            receipt_number="DA-2026-001",
            transferred_on=AFTER,
        ),
        at=noon(AFTER),
    ),
}
"""A minimal valid event of each fact of the lifelong half (and of the station's acts on an
accepted building), for ``after_completion``."""


def _taken_and_reported(
    sample_id: str,
    number: str,
    *,
    material: str = "concrete",
    batch: str | None = None,
    conclusion: str = "pass",
) -> list[dict[str, Any]]:
    grades = {"concrete": "C30", "waterproofing": "SBS I PY PE 4", "mortar": "M10"}
    lots = {"concrete": "B1", "waterproofing": "WP", "mortar": "MO"}
    measured = (
        {"specimen_mpa": [35.0, 36.0, 37.0]} if material == "concrete" else {"tensile_n": 560.0}
    )
    return [
        sample(
            PROJECT,
            sample_id,
            material=material,
            grade=grades[material],
            batch=batch or lots[material],
            at=T0 + 2 * DAY + 2 * HOUR,
        ),
        received(PROJECT, sample_id, at=T0 + 2 * DAY + 3 * HOUR),
        reported(
            PROJECT, number, sample_id, measured, conclusion=conclusion, at=T0 + 2 * DAY + 4 * HOUR
        ),
    ]


def payload_role(role: Role) -> str:
    """The party a role-bound payload is about: the actor's own, or construction for non-parties."""
    return role.value if role.value in PARTY_ROLES else "construction"


def _lead_change(role: Role) -> dict[str, Any]:
    return lead_change(PROJECT, payload_role(role), "再任", id_number(40), at=CELL_AT)


def _commitment(role: Role) -> dict[str, Any]:
    target = payload_role(role)
    return commitment(PROJECT, target, LEADS[target]["id_number"], at=CELL_AT)


def _correction(role: Role) -> dict[str, Any]:
    target = payload_role(role)
    return correction(PROJECT, f"evt-base-lead-{target}", {"new_lead.name": "更正"}, at=CELL_AT)


MINIMAL: dict[str, Callable[[Role], dict[str, Any]]] = {
    "qtrail.project.registered": lambda role: registration(FRESH, at=CELL_AT),
    "qtrail.party.appointed": lambda role: appointment(PROJECT, "design", at=CELL_AT),
    "qtrail.party.lead_changed": _lead_change,
    "qtrail.party.commitment_signed": _commitment,
    "qtrail.party.witness_authorized": lambda role: witness(PROJECT, at=CELL_AT),
    "qtrail.party.lab_commissioned": lambda role: lab_commission(
        PROJECT, lab=org_code(107), at=CELL_AT
    ),
    "qtrail.quality.inspection_lot_accepted": lambda role: lot(PROJECT, 1, at=CELL_AT),
    "qtrail.quality.nonconformance_raised": lambda role: nc_raised(PROJECT, "NC-NEW", at=CELL_AT),
    "qtrail.quality.nonconformance_rectified": lambda role: nc_rectified(
        PROJECT, "NC-OPEN", at=CELL_AT
    ),
    "qtrail.quality.nonconformance_closed": lambda role: nc_closed(PROJECT, "NC-DONE", at=CELL_AT),
    "qtrail.quality.accident_reported": lambda role: accident(PROJECT, "ACC-1", at=CELL_AT),
    "qtrail.record.corrected": _correction,
    "qtrail.materials.sample_taken": lambda role: sample(PROJECT, "S-NEW", at=CELL_AT),
    "qtrail.materials.sample_received": lambda role: received(PROJECT, "S-RCV", at=CELL_AT),
    "qtrail.materials.test_reported": lambda role: reported(
        PROJECT, "R-NEW", "S-3", {"specimen_mpa": [35.0, 36.0, 37.0]}, at=CELL_AT
    ),
    "qtrail.materials.report_revoked": lambda role: report_revoked(PROJECT, "R-1", at=CELL_AT),
    "qtrail.materials.concrete_batch_closed": lambda role: batch_closed(PROJECT, "B2", at=CELL_AT),
    "qtrail.materials.lot_closed": lambda role: lot_closed(PROJECT, "RB", at=CELL_AT),
    "qtrail.materials.sample_disposed": lambda role: sample_disposed(PROJECT, "S-RCV", at=CELL_AT),
    "qtrail.materials.evaluated": lambda role: evaluated(PROJECT, at=CELL_AT),
    "qtrail.materials.alert_resolved": lambda role: alert_resolved(
        PROJECT, "unwitnessed_sample:S-UNW", at=CELL_AT
    ),
    "qtrail.materials.retest_concluded": lambda role: retest_concluded(
        PROJECT, "lab_failed:R-WP", ["R-WP2", "R-WP3"], at=CELL_AT
    ),
    "qtrail.materials.in_situ_tested": lambda role: in_situ_tested(
        PROJECT, "lab_failed:R-WP", "IS-NEW", at=CELL_AT
    ),
    "qtrail.materials.design_checked": lambda role: design_checked(
        PROJECT, "lab_failed:R-MO", at=CELL_AT
    ),
    "qtrail.materials.repair_planned": lambda role: repair_planned(
        PROJECT, "lab_failed:R-WP", at=CELL_AT
    ),
    "qtrail.materials.repair_accepted": lambda role: repair_accepted(
        PROJECT, "lab_failed:R-MO", at=CELL_AT
    ),
    "qtrail.project.unit_registered": lambda role: unit_registered(PROJECT, "B2", at=CELL_AT),
    "qtrail.acceptance.subitem_accepted": lambda role: subitem_accepted(
        PROJECT, "B1", "main_structure", ["B1-L2"], at=CELL_AT
    ),
    "qtrail.acceptance.division_accepted": lambda role: division_accepted(
        PROJECT, "B1", "foundation", at=CELL_AT
    ),
    "qtrail.acceptance.dwellings_accepted": lambda role: dwellings_accepted(
        PROJECT, "B1", {"1-0101": True}, at=CELL_AT
    ),
    "qtrail.acceptance.notice_filed": lambda role: notice_filed(
        PROJECT, "B1", dt.date(2026, 2, 2), at=CELL_AT
    ),
    "qtrail.acceptance.warranty_issued": lambda role: warranty_issued(PROJECT, "B1", at=CELL_AT),
    "qtrail.project.completion_accepted": lambda role: completion(PROJECT, at=CELL_AT),
    "qtrail.plaque.issued": lambda role: event(
        PROJECT,
        "qtrail.plaque.issued.v2",
        {
            "serial": 1,
            "code": "x",
            "url": "x",
            "unit_id": "_project",
            "unit_name": "x",
            "project_name": "x",
            "design_life_years": 50,
            "started_on": "2026-01-01",
            "completed_on": "2026-01-02",
            "parties": [
                {"role": r, "org_name": "x", "leads": [{"name": "x", "start": None, "end": None}]}
                for r in PARTY_ROLES
            ],
            "warranty": [],
            "warranty_issued_on": None,
            "caused_by": "evt-x",
        },
        at=CELL_AT,
    ),
    "qtrail.plaque.installed": lambda role: event(
        PROJECT,
        "qtrail.plaque.installed.v1",
        {"serial": 1, "place": "东侧入口", "installed_on": "2026-01-05"},
        at=CELL_AT,
    ),
    "qtrail.plaque.revoked": lambda role: event(
        PROJECT, "qtrail.plaque.revoked.v1", {"serial": 1, "reason": "更正"}, at=CELL_AT
    ),
    "qtrail.supervision.filing_accepted": lambda role: filing_accepted(PROJECT, at=CELL_AT),
    "qtrail.supervision.filing_refused": lambda role: station_act(
        FilingRefused(reason="申报材料不全"), at=CELL_AT
    ),
    "qtrail.supervision.commitments_acknowledged": lambda role: station_act(
        CommitmentsAcknowledged(role="survey", lead_name="survey接任"), at=CELL_AT
    ),
    "qtrail.supervision.inspection_recorded": lambda role: station_act(
        InspectionRecorded(inspection_id="JC-NEW", inspected_on=CELL_DAY, checked=["钢筋安装"]),
        at=CELL_AT,
    ),
    "qtrail.supervision.rectification_ordered": lambda role: station_act(
        RectificationOrdered(
            notice_id="RN-NEW",
            addressed_to="construction",
            items=["混凝土养护不到位"],
            issued_on=CELL_DAY,
            due_on=CELL_DAY + 7 * DAY,
        ),
        at=CELL_AT,
    ),
    "qtrail.supervision.rectification_reported": lambda role: _reported(
        f"RN-{payload_role(role)}", at=CELL_AT
    ),
    "qtrail.supervision.rectification_verified": lambda role: station_act(
        RectificationVerified(notice_id="RN-DONE", verified_on=CELL_DAY, outcome="closed"),
        at=CELL_AT,
    ),
    "qtrail.supervision.work_stopped": lambda role: station_act(
        WorkStopped(order_id="SO-NEW", scope="full", reason="发生质量事故", ordered_on=CELL_DAY),
        at=CELL_AT,
    ),
    "qtrail.supervision.work_resumed": lambda role: station_act(
        WorkResumed(order_id="SO-1", resumed_on=CELL_DAY), at=CELL_AT
    ),
    "qtrail.supervision.acceptance_attended": lambda role: station_act(
        AcceptanceAttended(unit_id="B1", attended_on=CELL_DAY, opinion="no_objection"),
        at=CELL_AT,
    ),
    "qtrail.supervision.deadline_missed": lambda role: event(
        PROJECT,
        "qtrail.supervision.deadline_missed.v1",
        {
            "deadline_id": "refiling:construction lead 2",
            "kind": "refiling",
            "subject": "construction lead 2",
            "due_on": "2026-01-09",
            "as_of": "2026-01-10",
        },
        at=noon(dt.date(2026, 1, 10)),
    ),
}
"""A minimal valid event of each type, for the staffed project (registration: a fresh one)."""
MINIMAL |= AFTERCARE

RULE_REFUSES: dict[tuple[str, Role], str] = {
    ("qtrail.party.appointed", Role.OWNER): "party.already_appointed",  # all five are appointed
    # Only the recorder makes system facts; no submitted event's organization is qtrail.
    ("qtrail.materials.evaluated", Role.SYSTEM): "auth.not_a_party",
    ("qtrail.plaque.issued", Role.SYSTEM): "auth.not_a_party",
    ("qtrail.warranty.repair_overdue", Role.SYSTEM): "auth.not_a_party",
    ("qtrail.supervision.deadline_missed", Role.SYSTEM): "auth.not_a_party",
    # The station accepted the staffed project's filing when it was registered.
    ("qtrail.supervision.filing_accepted", Role.REGULATOR): "supervision.filing_answered",
    ("qtrail.supervision.filing_refused", Role.REGULATOR): "supervision.filing_answered",
    # The staffed project is not complete (no commitments, an open nonconformance, building B1's
    # divisions not accepted) and has no plaque.
    ("qtrail.project.completion_accepted", Role.OWNER): "completion.incomplete",
    ("qtrail.plaque.installed", Role.OWNER): "plaque.unknown",
    ("qtrail.plaque.revoked", Role.OWNER): "plaque.unknown",
}


def evaluated(project: str, *, at: dt.datetime) -> dict[str, Any]:
    return event(
        project,
        "qtrail.materials.evaluated.v1",
        {
            "subject_kind": "report",
            "subject_id": "R-1",
            "material": "concrete",
            "standard": "GB/T 50107-2010",
            "rule_table": "x",
            "verdict": "pass",
            "caused_by": "evt-x",
        },
        at=at,
    )


"""Cells the matrix allows but whose type rule refuses in a fully staffed project."""


def test_minimal_events_cover_the_whole_catalog() -> None:
    assert set(MINIMAL) == set(EXPECTED)
    for name, build in MINIMAL.items():
        assert build(Role.OWNER)["type"] == CURRENT_TYPE[name]


@pytest.mark.parametrize("cell", CELLS, ids=cell_id)
def test_each_cell_is_decided_as_the_matrix_says(cell: tuple[str, Role]) -> None:
    name, role = cell
    state, referenced = after_completion() if name in AFTERCARE else staffed_project()
    envelope = acting(MINIMAL[name](role), ACTOR_ORG[role.value], role.value)
    decision = decide_envelopes([envelope], state, referenced=referenced)
    code = outcome(decision)

    if role not in EXPECTED[name]:
        assert code == "auth.role_not_allowed"
        (rejected,) = decision.rejected
        assert role.value in rejected.rejection.message_en
        assert name in rejected.rejection.message_en
        assert CURRENT_TYPE[name] not in rejected.rejection.message_en  # named without version
    elif (name, role) in RULE_REFUSES:
        assert code == RULE_REFUSES[name, role]
    else:
        assert code is None, f"{role.value} should be able to submit {name}"
        sealed, *follow_ups = decision.sealed
        assert sealed.body["actor"]["role"] == role.value
        assert all(f.body["actor"]["role"] == "system" for f in follow_ups)
        assert sealed.type == CURRENT_TYPE[name]


def test_the_owner_may_appoint_while_a_role_is_still_open() -> None:
    """The one cell a staffed project cannot accept, accepted where the role is still open."""
    state, _ = sealed_state(PROJECT, [*opened(PROJECT)])
    assert outcome(decide_envelopes([appointment(PROJECT, "design")], state)) is None


# ----------------------------------------------------------------------------- holding a role


@pytest.mark.parametrize(
    "org,role,envelope",
    [
        pytest.param(
            SURVEY, "construction", lot(PROJECT, 1, at=CELL_AT), id="survey-as-construction"
        ),
        pytest.param(
            OWNER, "construction", lot(PROJECT, 1, at=CELL_AT), id="owner-as-construction"
        ),
        pytest.param(
            CONSTRUCTION,
            "supervision",
            lot(PROJECT, 1, at=CELL_AT),
            id="construction-as-supervision",
        ),
        pytest.param(
            STRANGER, "owner", nc_raised(PROJECT, "NC-X", at=CELL_AT), id="stranger-as-owner"
        ),
        pytest.param(DESIGN, "owner", accident(PROJECT, "ACC-X", at=CELL_AT), id="design-as-owner"),
        pytest.param(STRANGER, "survey", _correction(Role.SURVEY), id="stranger-as-survey"),
        pytest.param(SUPERVISION, "design", _commitment(Role.DESIGN), id="supervision-as-design"),
    ],
)
def test_an_organization_posting_in_a_role_it_does_not_hold_is_not_a_party(
    org: str, role: str, envelope: dict[str, Any]
) -> None:
    state, referenced = staffed_project()
    decision = decide_envelopes([acting(envelope, org, role)], state, referenced=referenced)
    assert outcome(decision) == "auth.not_a_party"
    assert org in decision.rejected[0].rejection.message_en


def test_holding_a_role_is_read_from_the_trail() -> None:
    state, _ = staffed_project()
    for role in PARTY_ROLES:
        holders = {
            org for org in {*ORGS.values(), LAB, STRANGER} if holds_role(state, org, Role(role))
        }
        assert holders == {ORGS[role]}
    assert {org for org in {*ORGS.values(), LAB} if holds_role(state, org, Role.LAB)} == {LAB}
    assert not any(holds_role(state, org, Role.SYSTEM) for org in {*ORGS.values(), LAB})


def test_a_lab_holds_its_role_only_once_commissioned() -> None:
    before, _ = sealed_state(PROJECT, [*opened(PROJECT)])
    after, _ = sealed_state(PROJECT, [lab_commission(PROJECT)], before)
    assert not holds_role(before, LAB, Role.LAB)
    assert holds_role(after, LAB, Role.LAB)
    assert not holds_role(after, org_code(107), Role.LAB)  # another lab was not commissioned


def test_a_lab_key_role_before_commission_is_not_a_party(monkeypatch: pytest.MonkeyPatch) -> None:
    """No type is open to labs yet (every lab submission is auth.role_not_allowed); once one is,
    an uncommissioned lab is refused as not a party and a commissioned one is accepted."""
    name = "qtrail.quality.accident_reported"
    report = acting(accident(PROJECT, "ACC-LAB", at=CELL_AT), LAB, "lab")
    before, _ = sealed_state(PROJECT, [*opened(PROJECT)])
    assert outcome(decide_envelopes([report], before)) == "auth.role_not_allowed"

    monkeypatch.setitem(authorization.MATRIX, name, MATRIX[name] | {Role.LAB})
    assert outcome(decide_envelopes([report], before)) == "auth.not_a_party"
    commissioned, _ = sealed_state(PROJECT, [lab_commission(PROJECT)], before)
    assert outcome(decide_envelopes([report], commissioned)) is None


def test_the_owner_holds_only_the_owner_role_until_appointed_to_more() -> None:
    state, _ = sealed_state(PROJECT, [*opened(PROJECT)])
    assert holds_role(state, OWNER, Role.OWNER)
    assert not any(holds_role(state, OWNER, Role(r)) for r in PARTY_ROLES if r != "owner")
    assert not holds_role(state, OWNER, Role.LAB)


def test_a_later_appointment_makes_an_organization_a_party_from_then_on() -> None:
    state, _ = sealed_state(PROJECT, [*opened(PROJECT)])
    signed_lot = lot(PROJECT, 1, at=CELL_AT)
    assert outcome(decide_envelopes([signed_lot], state)) == "auth.not_a_party"
    state, _ = sealed_state(PROJECT, [appointment(PROJECT, "construction")], state)
    assert outcome(decide_envelopes([signed_lot], state)) is None
