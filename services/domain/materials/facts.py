"""Witnessed sampling and testing: samples, lab receipts and reports, concrete batches, qtrail's
evaluations and the alerts they raise, each fact's rule next to its fold.

Alerts are derived here, in the fold, so a replay of the chain raises exactly the alerts the live
system raised; an alert that blocks completion stays open until an ``alert_resolved`` fact (or a
witnessed re-take of the sample) closes it.
"""

from __future__ import annotations

from events.materials import (
    MANDATORY_WITNESSED,
    AlertResolved,
    ConcreteBatchClosed,
    MaterialEvaluated,
    ReportRevoked,
    SampleReceived,
    SampleTaken,
    TestReported,
)
from services.domain import reasons
from services.domain.chain import SealedRecord
from services.domain.context import Context
from services.domain.frozen import replace, with_entry
from services.domain.handler import Handler, no_rule
from services.domain.identifiers import identity_problem
from services.domain.ledger import EventRef
from services.domain.materials import alerts
from services.domain.reasons import Rejection
from services.domain.state import (
    Alert,
    ConcreteBatch,
    ProjectState,
    Report,
    ReportStatus,
    Sample,
    Verdict,
)
from services.domain.submission import Submission


def _raised(state: ProjectState, *new: Alert) -> dict[str, Alert]:
    """The project's alerts with ``new`` ones; an alert already raised stays as it was."""
    current = dict(state.alerts)
    for alert in new:
        current.setdefault(alert.alert_id, alert)
    return current


def _resolved(
    state: ProjectState, alert_id: str, ref: EventRef, resolution: str
) -> dict[str, Alert]:
    alert = replace(state.alerts[alert_id], resolved_by=ref, resolution=resolution)
    return with_entry(state.alerts, alert_id, alert)


# ----------------------------------------------------------------------------- samples


def _witness_known(state: ProjectState, number: str) -> bool:
    return any(w.id_number == number for w in state.witnesses.values())


def rule_sample_taken(
    state: ProjectState, data: SampleTaken, sub: Submission, ctx: Context
) -> Rejection | None:
    if data.sample_id in state.samples:
        return reasons.DUPLICATE_ID.format(kind="sample", id=data.sample_id)
    if (problem := identity_problem(data.model_dump(mode="json"))) is not None:
        return reasons.BAD_ID_NUMBER.format(field=f"data.{problem.split(':')[0]}")
    if data.material in ("rebar", "rebar_splice") and data.diameter_mm is None:
        return reasons.MATERIALS_FIELD.format(field="data.diameter_mm", why="required for rebar")
    if data.witness is not None and not _witness_known(state, data.witness.id_number):
        return reasons.WITNESS_NOT_AUTHORIZED.format(name=data.witness.name)
    if data.replaces_sample_id is not None and data.replaces_sample_id not in state.samples:
        return reasons.UNKNOWN_SAMPLE.format(sample=data.replaces_sample_id)
    return None


def fold_sample_taken(
    state: ProjectState, data: SampleTaken, record: SealedRecord, ref: EventRef
) -> ProjectState:
    sample = Sample(
        sample_id=data.sample_id,
        material=data.material,
        grade=data.grade,
        diameter_mm=data.diameter_mm,
        batch_id=data.batch_id,
        building_part=data.building_part,
        witnessed=data.witness is not None,
        witness_name=data.witness.name if data.witness else None,
        sampler_name=data.sampler.name,
        seal_code=data.seal_code,
        taken_at=data.taken_at,
        ref=ref,
        replaces=data.replaces_sample_id,
    )
    samples = with_entry(state.samples, data.sample_id, sample)
    open_alerts = dict(state.alerts)
    if data.replaces_sample_id in state.samples:
        old = state.samples[data.replaces_sample_id]
        samples[old.sample_id] = replace(old, replaced_by=data.sample_id)
        unwitnessed = f"{alerts.UNWITNESSED.kind}:{old.sample_id}"
        if (
            sample.witnessed
            and unwitnessed in open_alerts
            and open_alerts[unwitnessed].resolved_by is None
        ):
            open_alerts = _resolved(state, unwitnessed, ref, f"witnessed re-take {data.sample_id}")
    if data.material in MANDATORY_WITNESSED and not sample.witnessed:
        alert = alerts.UNWITNESSED.raise_(
            data.sample_id,
            [record.event_id],
            record.recorded_at,
            material=data.material,
            sample=data.sample_id,
        )
        open_alerts.setdefault(alert.alert_id, alert)
    return replace(state, samples=samples, alerts=open_alerts)


def rule_sample_received(
    state: ProjectState, data: SampleReceived, sub: Submission, ctx: Context
) -> Rejection | None:
    sample = state.samples.get(data.sample_id)
    if sample is None:
        return reasons.UNKNOWN_SAMPLE.format(sample=data.sample_id)
    if sample.received:
        return reasons.MATERIALS_FIELD.format(
            field="data.sample_id", why=f"sample {data.sample_id} was already received"
        )
    return None


def fold_sample_received(
    state: ProjectState, data: SampleReceived, record: SealedRecord, ref: EventRef
) -> ProjectState:
    sample = state.samples[data.sample_id]
    seal_ok = data.seal_code_seen == sample.seal_code
    received = replace(sample, received=True, seal_ok=seal_ok)
    samples = with_entry(state.samples, sample.sample_id, received)
    if seal_ok:
        return replace(state, samples=samples)
    mismatch = alerts.SEAL_MISMATCH.raise_(
        sample.sample_id,
        [sample.ref.event_id, record.event_id],
        record.recorded_at,
        sample=sample.sample_id,
        expected=sample.seal_code,
        seen=data.seal_code_seen,
    )
    return replace(state, samples=samples, alerts=_raised(state, mismatch))


# ----------------------------------------------------------------------------- lab reports


def rule_test_reported(
    state: ProjectState, data: TestReported, sub: Submission, ctx: Context
) -> Rejection | None:
    if data.lab_code != sub.actor.org:
        return reasons.MATERIALS_FIELD.format(
            field="data.lab_code", why="must be the reporting lab's own code"
        )
    seen = ctx.reports_seen.get(data.report_number)
    if data.report_number in state.reports or seen is not None:
        return reasons.REPORT_REUSED.format(report=data.report_number, where=seen or "this project")
    sample = state.samples.get(data.sample_id)
    if sample is None:
        return reasons.UNKNOWN_SAMPLE.format(sample=data.sample_id)
    if not sample.received:
        return reasons.SAMPLE_NOT_RECEIVED.format(sample=data.sample_id)
    if data.replaces_report_number is not None:
        old = state.reports.get(data.replaces_report_number)
        if old is None or old.status != ReportStatus.VALID or old.lab_code != data.lab_code:
            return reasons.MATERIALS_FIELD.format(
                field="data.replaces_report_number", why="must name a valid report of this lab"
            )
    return None


def fold_test_reported(
    state: ProjectState, data: TestReported, record: SealedRecord, ref: EventRef
) -> ProjectState:
    report = Report(
        report_number=data.report_number,
        sample_id=data.sample_id,
        lab_code=data.lab_code,
        tested_on=data.tested_on,
        measurements={x.name: x.value for x in data.measurements},
        lab_conclusion=data.lab_conclusion,
        replaces=data.replaces_report_number,
        ref=ref,
    )
    reports = with_entry(state.reports, data.report_number, report)
    if data.replaces_report_number in state.reports:
        old = state.reports[data.replaces_report_number]
        reports[old.report_number] = replace(
            old, status=ReportStatus.REPLACED, replaced_by=data.report_number
        )
    return replace(state, reports=reports)


def rule_report_revoked(
    state: ProjectState, data: ReportRevoked, sub: Submission, ctx: Context
) -> Rejection | None:
    report = state.reports.get(data.report_number)
    if report is None or report.lab_code != sub.actor.org:
        return reasons.MATERIALS_FIELD.format(
            field="data.report_number", why="not a report of this lab on this project"
        )
    if report.status != ReportStatus.VALID:
        return reasons.MATERIALS_FIELD.format(
            field="data.report_number", why=f"the report is already {report.status}"
        )
    return None


def fold_report_revoked(
    state: ProjectState, data: ReportRevoked, record: SealedRecord, ref: EventRef
) -> ProjectState:
    report = replace(state.reports[data.report_number], status=ReportStatus.REVOKED)
    return replace(state, reports=with_entry(state.reports, data.report_number, report))


# ----------------------------------------------------------------------------- concrete batches


def rule_batch_closed(
    state: ProjectState, data: ConcreteBatchClosed, sub: Submission, ctx: Context
) -> Rejection | None:
    if data.batch_id in state.concrete_batches:
        return reasons.DUPLICATE_ID.format(kind="concrete batch", id=data.batch_id)
    if not any(
        s.batch_id == data.batch_id and s.material == "concrete" for s in state.samples.values()
    ):
        return reasons.MATERIALS_FIELD.format(
            field="data.batch_id", why="no concrete sample belongs to this batch"
        )
    return None


def fold_batch_closed(
    state: ProjectState, data: ConcreteBatchClosed, record: SealedRecord, ref: EventRef
) -> ProjectState:
    batch = ConcreteBatch(batch_id=data.batch_id, grade=data.grade, closed_by=ref)
    return replace(state, concrete_batches=with_entry(state.concrete_batches, data.batch_id, batch))


# ----------------------------------------------------------------------------- evaluations (qtrail's own)


def fold_evaluated(
    state: ProjectState, data: MaterialEvaluated, record: SealedRecord, ref: EventRef
) -> ProjectState:
    changes: dict[str, object] = {}
    new: list[Alert] = []
    at, caused = record.recorded_at, [data.caused_by, record.event_id]
    verdict = Verdict(data.verdict)
    if data.subject_kind == "report" and data.subject_id in state.reports:
        report = state.reports[data.subject_id]
        changes["reports"] = with_entry(
            state.reports,
            report.report_number,
            replace(report, verdict=verdict, evaluation=ref),
        )
        subject = f"报告 {report.report_number} / report {report.report_number}"
        if verdict in (Verdict.PASS, Verdict.FAIL) and verdict != report.lab_conclusion:
            new.append(
                alerts.CONCLUSION_CONTRADICTS.raise_(
                    report.report_number,
                    caused,
                    at,
                    report=report.report_number,
                    lab=report.lab_conclusion,
                    ours=verdict,
                )
            )
        for check in data.checks:
            if check.get("name") == "mass deviation %" and not check.get("ok"):
                new.append(
                    alerts.MASS_DEVIATION.raise_(
                        report.report_number,
                        caused,
                        at,
                        report=report.report_number,
                        deviation=round(float(check["actual"]), 2),
                        allowed=check["required"],
                    )
                )
    elif data.subject_kind == "concrete_batch" and data.subject_id in state.concrete_batches:
        batch = state.concrete_batches[data.subject_id]
        changes["concrete_batches"] = with_entry(
            state.concrete_batches,
            batch.batch_id,
            replace(batch, verdict=verdict, evaluation=ref),
        )
        subject = f"混凝土验收批 {batch.batch_id} / concrete batch {batch.batch_id}"
    else:
        subject = data.subject_id
    if verdict is Verdict.FAIL:
        new.append(
            alerts.EVALUATION_FAILED.raise_(
                data.subject_id, caused, at, subject=subject, standard=data.standard
            )
        )
    elif verdict is Verdict.INVALID:
        new.append(
            alerts.EVALUATION_INVALID.raise_(
                data.subject_id,
                caused,
                at,
                subject=subject,
                standard=data.standard,
                why="; ".join(data.reasons),
            )
        )
    if new:
        changes["alerts"] = _raised(state, *new)
    return replace(state, **changes)


# ----------------------------------------------------------------------------- alerts


def rule_alert_resolved(
    state: ProjectState, data: AlertResolved, sub: Submission, ctx: Context
) -> Rejection | None:
    alert = state.alerts.get(data.alert_id)
    if alert is None:
        return reasons.MATERIALS_FIELD.format(
            field="data.alert_id", why="no such alert on this project"
        )
    if alert.resolved_by is not None:
        return reasons.MATERIALS_FIELD.format(
            field="data.alert_id", why="the alert is already resolved"
        )
    return None


def fold_alert_resolved(
    state: ProjectState, data: AlertResolved, record: SealedRecord, ref: EventRef
) -> ProjectState:
    return replace(state, alerts=_resolved(state, data.alert_id, ref, data.resolution))


HANDLERS = (
    Handler(SampleTaken, rule=rule_sample_taken, fold=fold_sample_taken),
    Handler(SampleReceived, rule=rule_sample_received, fold=fold_sample_received),
    Handler(TestReported, rule=rule_test_reported, fold=fold_test_reported),
    Handler(ReportRevoked, rule=rule_report_revoked, fold=fold_report_revoked),
    Handler(ConcreteBatchClosed, rule=rule_batch_closed, fold=fold_batch_closed),
    Handler(MaterialEvaluated, rule=no_rule, fold=fold_evaluated),
    Handler(AlertResolved, rule=rule_alert_resolved, fold=fold_alert_resolved),
)
