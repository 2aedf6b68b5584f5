"""A project's history, as the regulator reads it: its state as of a moment, a step-through of what
each event changed, and the difference between two states.

All are the live fold applied to the sealed records, so history is the system's own logic.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from events.acceptance import IMPLICIT_UNIT
from services.domain import accident_grades
from services.domain.chain import SealedRecord
from services.domain.project import fold
from services.domain.state import Defect, DefectStatus, ProjectState, Sampling, UnitProject

Clock = Literal["recorded", "occurred"]


def as_of(
    project_id: str, records: Iterable[SealedRecord], moment: dt.datetime, by: Clock = "recorded"
) -> ProjectState:
    """The state from the records known at ``moment`` (by our clock), or that had occurred by then
    (the site's clock: late offline events count from when they happened)."""
    state = ProjectState(project_id=project_id)
    for record in records:
        when = record.recorded_at if by == "recorded" else record.occurred_at
        if when <= moment:
            state = fold(state, record)
    return state


@dataclass(frozen=True)
class Step:
    seq: int
    event_id: str
    type: str
    actor: str
    occurred_at: dt.datetime
    recorded_at: dt.datetime
    changes: list[str]


def changes(before: ProjectState, after: ProjectState) -> list[str]:
    """What changed between two states, in words a regulator reads (no personal ID numbers)."""
    out: list[str] = []
    if before.profile is None and after.profile is not None:
        out.append(f"project registered: {after.profile.name}")
    for role, party in after.parties.items():
        old = before.parties.get(role)
        if old is None:
            lead = party.leads[0].name
            out.append(f"{party.org_name} appointed as {role}, lead {lead}")
            continue
        if len(party.leads) > len(old.leads):
            out.append(f"{party.leads[-1].name} replaced {old.leads[-1].name} as {role} lead")
        for new_lead, old_lead in zip(party.leads, old.leads, strict=False):
            if new_lead.commitment and not old_lead.commitment:
                out.append(f"{new_lead.name} ({role}) signed the lifelong commitment")
            if new_lead.name != old_lead.name:
                out.append(f"{role} lead corrected: {old_lead.name} → {new_lead.name}")
        if party.org_name != old.org_name:
            out.append(f"{role} organization corrected: {old.org_name} → {party.org_name}")
    out += [
        f"lab {lab.name} commissioned"
        for code, lab in after.labs.items()
        if code not in before.labs
    ]
    out += [
        f"witness {w.name} authorized"
        for key, w in after.witnesses.items()
        if key not in before.witnesses
    ]
    for sid, sample in after.samples.items():
        old_sample = before.samples.get(sid)
        if old_sample is None:
            witnessed = "witnessed" if sample.witnessed else "NOT witnessed"
            out.append(f"sample {sid} taken ({sample.material} {sample.grade}, {witnessed})")
        elif sample.received and not old_sample.received:
            out.append(f"sample {sid} received, seal {'intact' if sample.seal_ok else 'MISMATCH'}")
        elif sample.disposed and not old_sample.disposed:
            out.append(f"sample {sid} recorded {sample.disposal_cause}: it will have no result")
    for number, report in after.reports.items():
        old_report = before.reports.get(number)
        if old_report is None:
            out.append(
                f"report {number} on sample {report.sample_id}: lab says {report.lab_conclusion}"
            )
        elif report.verdict != old_report.verdict:
            out.append(f"report {number} evaluated: {report.verdict}")
        elif report.status != old_report.status:
            out.append(f"report {number} {report.status}")
    for batch_id, batch in after.concrete_batches.items():
        old_batch = before.concrete_batches.get(batch_id)
        if old_batch is None:
            out.append(f"concrete batch {batch_id} closed{_samplings(batch.sampling)}")
        elif batch.verdict != old_batch.verdict:
            out.append(f"concrete batch {batch_id} evaluated: {batch.verdict}")
    out += [
        f"{lot.material} lot {lot.lot_id} closed{_samplings(lot.sampling)}"
        for key, lot in after.material_lots.items()
        if key not in before.material_lots
    ]
    for key, case in after.dispositions.items():
        old_case = before.dispositions.get(key)
        if old_case is None:
            out.append(f"disposal of {case.subject} opened (GB 50300-2013 §5.0.6)")
        out += [
            f"disposal of {case.subject}: {step.step}, {step.outcome}"
            for step in case.steps[len(old_case.steps) if old_case else 0 :]
        ]
        if case.closed_by and not (old_case and old_case.closed_by):
            out.append(f"disposal of {case.subject} closed: {case.closed_how}")
    for nc_id, nc in after.nonconformances.items():
        old_nc = before.nonconformances.get(nc_id)
        if old_nc is None or old_nc.status != nc.status:
            out.append(f"nonconformance {nc_id} {nc.status}")
    out += [f"accident {a} reported" for a in after.accidents if a not in before.accidents]
    out += _lifelong(before, after)
    for alert_id, alert in after.alerts.items():
        old_alert = before.alerts.get(alert_id)
        if old_alert is None:
            out.append(f"alert ({alert.severity}): {alert.message_en}")
        elif alert.resolved_by and not old_alert.resolved_by:
            out.append(f"alert resolved: {alert.message_en} — {alert.resolution}")
    out += [
        f"inspection lot {code} accepted ({lot.building_part})"
        for code, lot in after.inspection_lots.items()
        if code not in before.inspection_lots
    ]
    for unit_id, unit in after.units.items():
        out += _unit_changes(before.units.get(unit_id), unit)
    for serial, plaque in after.plaques.items():
        old_plaque = before.plaques.get(serial)
        if old_plaque is None:
            building = (
                ""
                if plaque.unit_id == IMPLICIT_UNIT
                else f" for {plaque.fields.get('unit_name', plaque.unit_id)}"
            )
            out.append(f"plaque #{serial} issued{building}")
        elif plaque.status != old_plaque.status:
            out.append(f"plaque #{serial} {plaque.status}")
        elif plaque.installed_place and not old_plaque.installed_place:
            out.append(f"plaque #{serial} installed at {plaque.installed_place}")
    if len(after.corrections) > len(before.corrections):
        fix = after.corrections[-1]
        out.append(
            f"correction of {fix.corrects_event_id}: {', '.join(sorted(fix.changes))} ({fix.reason})"
        )
    return out or ["(no change to the ledger)"]


def _lifelong(before: ProjectState, after: ProjectState) -> list[str]:
    """The lifelong half in words: defects and repairs, complaints, accidents from grading to
    closure, findings of responsibility (leads by name and period, never by ID number)."""
    out: list[str] = []
    for defect_id, defect in after.defects.items():
        old = before.defects.get(defect_id)
        if old is None:
            out.append(_defect_reported(defect))
        elif defect.overdue is not None and old.overdue is None:
            out.append(f"defect {defect_id}: repair overdue (due {defect.repair_due})")
        elif defect.status != old.status or len(defect.steps) != len(old.steps):
            out.append(_defect_step(defect))
    for complaint_id, complaint in after.complaints.items():
        old_complaint = before.complaints.get(complaint_id)
        if old_complaint is None:
            about = f" about building {complaint.unit_id}" if complaint.unit_id else ""
            against = (
                f", against the {complaint.against_role} party" if complaint.against_role else ""
            )
            out.append(
                f"complaint {complaint_id} lodged by the {complaint.lodged_by_role}{about}"
                f"{against} (received {complaint.received_on})"
            )
        elif complaint.handled and not old_complaint.handled:
            out.append(
                f"complaint {complaint_id} handled by the {complaint.handled_by_role} on "
                f"{complaint.handled_on}: {complaint.outcome}"
            )
    for accident_id, accident in after.accidents.items():
        old_accident = before.accidents.get(accident_id)
        if old_accident is None:
            continue
        if accident.graded and not old_accident.graded:
            zh, en = accident_grades.names(accident.grade or "")
            loss = f"{accident.direct_loss_cny or 0:,.0f}"
            out.append(
                f"accident {accident_id} graded {en} ({zh}): {accident.deaths} death(s), "
                f"{accident.serious_injuries} serious injury(ies), direct loss {loss} CNY"
            )
        elif accident.investigated and not old_accident.investigated:
            out.append(
                f"accident {accident_id} investigated (concluded {accident.concluded_on}): "
                f"{accident.cause}"
            )
        elif accident.closed and not old_accident.closed:
            out.append(
                f"accident {accident_id} closed on {accident.closed_on}: {accident.findings}"
            )
    for finding_id, finding in after.findings.items():
        if finding_id in before.findings:
            continue
        period = (
            f"{finding.lead_start.date()} – {finding.lead_end.date() if finding.lead_end else '…'}"
        )
        related = f" ({', '.join(finding.relates_to)})" if finding.relates_to else ""
        out.append(
            f"finding {finding_id}: {finding.org_name} ({finding.role}) and its lead "
            f"{finding.lead_name}, in office {period}, found responsible for "
            f"{finding.subject}{related}; {', '.join(finding.measures)} ({finding.legal_basis})"
        )
    return out


def _defect_reported(defect: Defect) -> str:
    where = f", dwelling {defect.dwelling}" if defect.dwelling else ""
    source = f", public report {defect.public_report}" if defect.public_report else ""
    if defect.in_warranty:
        due = (
            f", repair due {defect.repair_due}"
            if defect.repair_due
            else ", no repair period agreed"
        )
        warranty = f"in warranty until {defect.warranty_ends}{due}"
    else:
        warranty = f"out of warranty (ended {defect.warranty_ends}): no repair owed"
    return (
        f"defect {defect.defect_id} reported in building {defect.unit_id}{where} "
        f"({defect.part}{source}) by the {defect.reported_by}: {warranty}"
    )


def _defect_step(defect: Defect) -> str:
    if defect.status is DefectStatus.REPAIRED:
        return f"defect {defect.defect_id} repaired on {defect.repaired_on}"
    if defect.status is DefectStatus.CONFIRMED:
        return f"defect {defect.defect_id}: repair confirmed on {defect.confirmed_on}"
    due = f", repair due {defect.repair_due}" if defect.repair_due else ""
    return f"defect {defect.defect_id}: repair disputed on {defect.reopened_on}, open again{due}"


def _unit_changes(before: UnitProject | None, unit: UnitProject) -> list[str]:
    """A building's acceptance steps: registration, sub-items, divisions, dwellings, the notice,
    the warranty and its completion."""
    out: list[str] = []
    name = f"{unit.name} ({unit.unit_id})"
    if before is None and unit.registered is not None:
        dwellings = f", {len(unit.dwellings)} dwelling(s)" if unit.housing else ""
        out.append(f"building {name} registered: {len(unit.divisions)} division(s){dwellings}")
    old = before or UnitProject(unit_id=unit.unit_id, name=unit.name)
    out += [
        f"{name}: sub-item {key} accepted from {len(s.inspection_lots)} inspection lot(s)"
        for key, s in unit.subitems.items()
        if key not in old.subitems
    ]
    out += [
        f"{name}: division {d} accepted, signed by {', '.join(a.lead_signatures)}"
        for d, a in unit.divisions_accepted.items()
        if d not in old.divisions_accepted
    ]
    out += [
        f"{name}: dwelling {d} {'passed' if r.passed else 'failed'} its per-dwelling acceptance"
        for d, r in unit.dwelling_results.items()
        if old.dwelling_results.get(d) != r
    ]
    if unit.notice and unit.notice != old.notice:
        out.append(f"{name}: the station told of the acceptance on {unit.notice.planned_on}")
    if unit.warranty and not old.warranty:
        out.append(f"{name}: warranty certificate issued")
    if unit.completion and not old.completion:
        out.append(f"completion of {name} accepted on {unit.completion.accepted_on}")
    return out


def _samplings(sampling: Sampling | None) -> str:
    if sampling is None:
        return ""
    return f" ({sampling.counted} sampling(s), {sampling.required} required by {sampling.standard})"


def steps(project_id: str, records: Iterable[SealedRecord]) -> list[Step]:
    state = ProjectState(project_id=project_id)
    out = []
    for record in records:
        after = fold(state, record)
        actor = record.body["actor"]
        out.append(
            Step(
                record.seq,
                record.event_id,
                record.type,
                f"{actor['role']} {actor['org']}",
                record.occurred_at,
                record.recorded_at,
                changes(state, after),
            )
        )
        state = after
    return out


def diff(live: object, rebuilt: object, path: str = "") -> list[str]:
    """Every place two JSON-like values differ, as ``path: live … rebuilt …``."""
    if isinstance(live, dict) and isinstance(rebuilt, dict):
        out: list[str] = []
        for key in sorted(set(live) | set(rebuilt), key=str):
            where = f"{path}.{key}" if path else str(key)
            if key not in live:
                out.append(f"{where}: missing live, rebuilt has {rebuilt[key]!r}")
            elif key not in rebuilt:
                out.append(f"{where}: live has {live[key]!r}, missing rebuilt")
            else:
                out += diff(live[key], rebuilt[key], where)
        return out
    if isinstance(live, list) and isinstance(rebuilt, list) and len(live) == len(rebuilt):
        return [
            d
            for i, (a, b) in enumerate(zip(live, rebuilt, strict=True))
            for d in diff(a, b, f"{path}[{i}]")
        ]
    return [] if live == rebuilt else [f"{path}: live {live!r}, rebuilt {rebuilt!r}"]
