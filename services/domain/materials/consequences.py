"""System facts that follow from a sealed fact: qtrail's own evaluation of a report or a batch.

The recorder seals them on the same chain, right after the fact that caused them and in the same
transaction, under a deterministic id, so a redelivery or a replay can never double them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from events import materials as m
from events.base import EventData
from services.domain.calendar import CHINA
from services.domain.materials.evaluate import evaluate
from services.domain.state import ProjectState, Report, ReportStatus


def _report_case(
    report: Report, material: str, grade: str, diameter: float | None, sampled_on: dt.date
) -> dict[str, Any] | None:
    """The case a report makes: every measurement (an unknown one is refused, not dropped), the
    sample's grade and diameter, and the sampling date that chooses the edition."""
    values = {k: v for k, v in report.measurements.items() if k != "straightened"}
    on = sampled_on.isoformat()
    if material == "rebar":
        family = "GB 50204" if report.measurements.get("straightened") is True else "GB/T 1499.2"
        return {
            **values,
            "standard": family,
            "sampled_on": on,
            "grade": grade,
            "diameter_mm": diameter,
        }
    if material == "cement":
        cement_type, _, cement_grade = grade.partition(" ")
        return {
            **values,
            "standard": "GB 175",
            "sampled_on": on,
            "type": cement_type,
            "grade": cement_grade.strip(),
        }
    return None


def _evaluated(
    kind: str,
    subject: str,
    material: str,
    standard: str,
    case: dict[str, Any],
    caused_by: str,
    notes: list[str] | None = None,
) -> dict[str, Any]:
    result = evaluate(case).as_dict()
    values = result.get("values", {})
    if result["stage"] != "final":  # the v1 event has no stage of its own
        values = {**values, "stage": result["stage"]}
    return m.MaterialEvaluated(
        subject_kind=kind,
        subject_id=subject,
        material=material,
        standard=result["standard"] or standard,
        rule_table=result["rule_table"],
        verdict=result["verdict"],
        method=result["method"],
        n=result["n"],
        checks=result["checks"],
        notes=[*(notes or []), *result.get("notes", [])],
        reasons=result.get("reasons", []),
        values=values,
        caused_by=caused_by,
    ).model_dump(mode="json")


def follow_ups(
    state: ProjectState, event_type: str, data: EventData, event_id: str
) -> list[dict[str, Any]]:
    """Payloads of the ``materials.evaluated`` facts that ``data`` (just folded into ``state``) causes."""
    if isinstance(data, m.TestReported):
        report = state.reports[data.report_number]
        sample = state.samples[data.sample_id]
        report_case = _report_case(
            report,
            sample.material,
            sample.grade,
            sample.diameter_mm,
            sample.taken_at.astimezone(CHINA).date(),
        )
        if report_case is None:
            return []
        return [
            _evaluated(
                "report",
                report.report_number,
                sample.material,
                report_case["standard"],
                report_case,
                event_id,
            )
        ]
    if isinstance(data, m.ConcreteBatchClosed):
        groups: list[Any] = []
        ids: list[str] = []
        sizes: list[Any] = []
        notes: list[str] = []
        for report in sorted(state.reports.values(), key=lambda r: r.ref.seq):
            sample = state.samples[report.sample_id]
            if (
                sample.batch_id != data.batch_id
                or sample.material != "concrete"
                or report.status != ReportStatus.VALID
                or sample.replaced_by is not None  # its re-take's group counts, not both
            ):
                continue
            measured = report.measurements
            group = measured.get("specimen_mpa", measured.get("group_mpa"))
            if group is None:
                notes.append(
                    f"report {report.report_number}: no specimen_mpa (3 values) or group_mpa"
                )
                continue
            groups.append(group)
            ids.append(report.report_number)
            sizes.append(measured.get("specimen_size_mm", 150))
        first = min(  # the batch is judged by the edition in force when it was first sampled
            (
                s.taken_at.astimezone(CHINA).date()
                for s in state.samples.values()
                if s.batch_id == data.batch_id and s.material == "concrete"
            ),
            default=None,
        )
        case: dict[str, Any] = {
            "standard": "GB/T 50107",
            "sampled_on": first.isoformat() if first else None,
            "grade": data.grade,
            "groups": groups,
            "group_ids": ids,
        }
        if any(size != 150 for size in sizes):
            case["specimen_size_mm"] = sizes
        if data.sigma0_mpa is not None:
            case["sigma0"] = data.sigma0_mpa
        return [
            _evaluated(
                "concrete_batch",
                data.batch_id,
                "concrete",
                "GB/T 50107-2010",
                case,
                event_id,
                notes,
            )
        ]
    return []
