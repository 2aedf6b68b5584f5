"""System facts that follow from a sealed fact: qtrail's own evaluation of a report or a batch.

The recorder seals them on the same chain, right after the fact that caused them and in the same
transaction, under a deterministic id, so a redelivery or a replay can never double them.
"""

from __future__ import annotations

from typing import Any

from events import materials as m
from events.base import EventData
from services.domain.materials import concrete
from services.domain.materials.evaluate import evaluate
from services.domain.state import ProjectState, Report, ReportStatus


def _report_case(
    report: Report, material: str, grade: str, diameter: float | None
) -> dict[str, Any] | None:
    values = dict(report.measurements)
    if material == "rebar":
        if values.get("straightened") is True:
            straightened = ("mass_kg_per_m", "elongation_pct")
            return {
                "standard": "GB 50204-2015",
                "grade": grade,
                "diameter_mm": diameter,
                **{k: values[k] for k in straightened if k in values},
            }
        keys: tuple[str, ...] = (
            "yield_mpa",
            "tensile_mpa",
            "elongation_pct",
            "agt_pct",
            "mass_kg_per_m",
        )
        return {
            "standard": "GB/T 1499.2-2018",
            "grade": grade,
            "diameter_mm": diameter,
            **{k: values[k] for k in keys if k in values},
        }
    if material == "cement":
        cement_type, _, cement_grade = grade.partition(" ")
        cement_keys = (
            "compressive_3d_mpa",
            "compressive_28d_mpa",
            "flexural_3d_mpa",
            "flexural_28d_mpa",
            "initial_set_min",
            "final_set_min",
            "soundness_ok",
        )
        return {
            "standard": "GB 175-2007",
            "type": cement_type,
            "grade": cement_grade.strip(),
            **{k: values[k] for k in cement_keys if k in values},
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
    return m.MaterialEvaluated(
        subject_kind=kind,
        subject_id=subject,
        material=material,
        standard=standard,
        rule_table=result["rule_table"],
        verdict=result["verdict"],
        method=result["method"],
        n=result["n"],
        checks=result["checks"],
        notes=[*(notes or []), *result.get("notes", [])],
        reasons=result.get("reasons", []),
        values=result.get("values", {}),
        caused_by=caused_by,
    ).model_dump(mode="json")


def follow_ups(
    state: ProjectState, event_type: str, data: EventData, event_id: str
) -> list[dict[str, Any]]:
    """Payloads of the ``materials.evaluated`` facts that ``data`` (just folded into ``state``) causes."""
    if isinstance(data, m.TestReported):
        report = state.reports[data.report_number]
        sample = state.samples[data.sample_id]
        report_case = _report_case(report, sample.material, sample.grade, sample.diameter_mm)
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
        values: list[float] = []
        notes: list[str] = []
        for report in sorted(state.reports.values(), key=lambda r: r.ref.seq):
            sample = state.samples[report.sample_id]
            if (
                sample.batch_id != data.batch_id
                or sample.material != "concrete"
                or report.status != ReportStatus.VALID
            ):
                continue
            specimens, group = (
                report.measurements.get("specimen_mpa"),
                report.measurements.get("group_mpa"),
            )
            if isinstance(specimens, list) and len(specimens) == 3:
                value = concrete.group_value([float(v) for v in specimens])
                if value is None:
                    notes.append(
                        f"report {report.report_number}: invalid group (both extremes off by > 15 %)"
                    )
                    continue
                values.append(value)
            elif isinstance(group, float | int) and not isinstance(group, bool):
                values.append(float(group))
            else:
                notes.append(
                    f"report {report.report_number}: no specimen_mpa (3 values) or group_mpa"
                )
        case: dict[str, Any] = {
            "standard": "GB/T 50107-2010",
            "grade": data.grade,
            "group_values": values,
        }
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
