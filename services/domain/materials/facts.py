"""Witnessed sampling and testing: samples (taken, received, disposed of), lab reports, qtrail's
evaluations and the alerts they raise, each fact's rule next to its fold. Closing lots is in
``lots``, disposing of failures in ``disposal``; ``HANDLERS`` holds all three.

Alerts are derived here, in the fold, so a replay of the chain raises exactly the alerts the live
system raised; an alert that blocks completion stays open until an ``alert_resolved`` fact (or a
witnessed re-take of the sample) closes it, but a material failure closes only through its
disposal (GB 50300-2013 §5.0.6).
"""

from __future__ import annotations

from events.materials import (
    MANDATORY_WITNESSED,
    MATERIAL_NAMES,
    AlertResolved,
    MaterialEvaluated,
    ReportRevoked,
    SampleDisposed,
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
from services.domain.materials import alerts, disposal, lots
from services.domain.reasons import Rejection
from services.domain.state import (
    Alert,
    ProjectState,
    Report,
    ReportStatus,
    Sample,
    Verdict,
    lot_closed,
    lot_key,
    lot_names,
)
from services.domain.submission import Submission


def _resolved(
    state: ProjectState, alert_id: str, ref: EventRef, resolution: str
) -> dict[str, Alert]:
    alert = replace(state.alerts[alert_id], resolved_by=ref, resolution=resolution)
    return with_entry(state.alerts, alert_id, alert)


# ----------------------------------------------------------------------------- samples


def _witness_known(state: ProjectState, number: str) -> bool:
    return any(w.id_number == number for w in state.witnesses.values())


def _same_name(a: str, b: str) -> bool:
    return "".join(a.split()).casefold() == "".join(b.split()).casefold()


def _self_witness_refusal(data: SampleTaken) -> Rejection | None:
    """The witness attests the sampling by someone else: never the sampler, by ID number, nor
    anyone bearing the sampler's name, whom the record cannot tell from the sampler in a later
    reading (a namesake on site has another witness attend)."""
    witness, sampler = data.witness, data.sampler
    if witness is None:
        return None
    if witness.id_number == sampler.id_number:
        return reasons.WITNESS_IS_SAMPLER.format(field="data.witness")
    if _same_name(witness.name, sampler.name):
        return reasons.WITNESS_NAMED_AS_SAMPLER.format(field="data.witness", name=witness.name)
    return None


def rule_sample_taken(
    state: ProjectState, data: SampleTaken, sub: Submission, ctx: Context
) -> Rejection | None:
    if data.sample_id in state.samples:
        return reasons.DUPLICATE_ID.format(kind="sample", id=data.sample_id)
    if (problem := identity_problem(data.model_dump(mode="json"))) is not None:
        return reasons.BAD_ID_NUMBER.format(field=f"data.{problem.split(':')[0]}")
    if data.material in ("rebar", "rebar_splice") and data.diameter_mm is None:
        return reasons.MATERIALS_FIELD.format(field="data.diameter_mm", why="required for rebar")
    if (refusal := _self_witness_refusal(data)) is not None:
        return refusal
    if data.witness is not None and not _witness_known(state, data.witness.id_number):
        return reasons.WITNESS_NOT_AUTHORIZED.format(name=data.witness.name)
    if data.replaces_sample_id is not None and (
        refusal := _retake_refusal(state, data.replaces_sample_id)
    ):
        return refusal
    return _lot_refusal(state, data)


def _retake_refusal(state: ProjectState, replaced_id: str) -> Rejection | None:
    """A sample is re-taken once, and only while it has no result: re-taking a sample whose
    report is in would drop that result from its lot."""
    replaced = state.samples.get(replaced_id)
    if replaced is None:
        return reasons.UNKNOWN_SAMPLE.format(sample=replaced_id)
    if replaced.replaced_by is not None:
        why = f"sample {replaced_id} was already re-taken as {replaced.replaced_by}"
        return reasons.MATERIALS_FIELD.format(field="data.replaces_sample_id", why=why)
    results = [
        r.report_number
        for r in state.reports.values()
        if r.sample_id == replaced_id and r.status == ReportStatus.VALID
    ]
    if results:
        why = f"sample {replaced_id} has report {', '.join(results)}: a result is never re-taken"
        return reasons.MATERIALS_FIELD.format(field="data.replaces_sample_id", why=why)
    return None


def _lot_refusal(state: ProjectState, data: SampleTaken) -> Rejection | None:
    """A sample joins its lot only at the lot's grade (and, for rebar, size), and a closed lot
    only as the re-test of its open failure: a closed concrete batch takes no sample at all."""
    material, lot_id = data.material, data.batch_id
    closed = lot_closed(state, material, lot_id)
    if closed:
        case = alerts.under_way(state.dispositions, lot_key(material, lot_id))
        if case is None or disposal.retest_closed(state, case) is not None:
            lot_zh, lot_en = lot_names(material, lot_id)
            return reasons.LOT_ALREADY_CLOSED.format(
                lot=lot_en,
                lot_zh=lot_zh,
                unless="" if material == "concrete" else "（其未处理的不合格加倍取样复验除外）",
                unless_en=""
                if material == "concrete"
                else ", but as the re-test of its open failure",
            )
    if material == "concrete" and closed:
        expected, diameter = state.concrete_batches[lot_id].grade, None
    elif closed:
        lot = state.material_lots[lot_key(material, lot_id)]
        expected, diameter = lot.grade, lot.diameter_mm
    else:
        first = next(
            (s for s in lots.lot_samples(state, material, lot_id) if s.replaced_by is None), None
        )
        if first is None:
            return None
        expected, diameter = first.grade, first.diameter_mm
    return lots.grade_refusal(
        data.sample_id, data.grade, data.diameter_mm, material, lot_id, expected, diameter
    )


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
    if sample.disposed is not None:
        return _disposed(sample)
    return None


def _disposed(sample: Sample) -> Rejection:
    cause = sample.disposal_cause or "lost"
    return reasons.SAMPLE_DISPOSED.format(
        sample=sample.sample_id, cause=cause, cause_zh=CAUSES_ZH.get(cause, cause)
    )


CAUSES_ZH = {"lost": "遗失", "damaged": "损坏"}


def fold_sample_received(
    state: ProjectState, data: SampleReceived, record: SealedRecord, ref: EventRef
) -> ProjectState:
    sample = state.samples[data.sample_id]
    seal_ok = data.seal_code_seen == sample.seal_code
    lab = record.body["actor"]["org"]
    received = replace(sample, received=True, seal_ok=seal_ok, received_by=lab)
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
    return replace(state, samples=samples, **alerts.raised(state, ref, mismatch))


def rule_sample_disposed(
    state: ProjectState, data: SampleDisposed, sub: Submission, ctx: Context
) -> Rejection | None:
    sample = state.samples.get(data.sample_id)
    if sample is None:
        return reasons.UNKNOWN_SAMPLE.format(sample=data.sample_id)
    if sample.disposed is not None:
        return _disposed(sample)
    if sample.replaced_by is not None:
        return reasons.DISPOSAL_NOT_ALLOWED.format(
            sample=sample.sample_id,
            why=f"it was re-taken as sample {sample.replaced_by} and needs no result",
        )
    final = [
        r.report_number
        for r in state.reports.values()
        if r.sample_id == sample.sample_id
        and r.status == ReportStatus.VALID
        and r.stage != "preliminary"
    ]
    if final:
        return reasons.DISPOSAL_NOT_ALLOWED.format(
            sample=sample.sample_id,
            why=f"it has report {', '.join(final)}: a result on the trail is never lost",
        )
    return None


def fold_sample_disposed(
    state: ProjectState, data: SampleDisposed, record: SealedRecord, ref: EventRef
) -> ProjectState:
    sample = replace(state.samples[data.sample_id], disposed=ref, disposal_cause=data.cause)
    names = MATERIAL_NAMES.get(sample.material, (sample.material, sample.material))
    notice = alerts.SAMPLE_DISPOSED.raise_(
        sample.sample_id,
        [sample.ref.event_id, record.event_id],
        record.recorded_at,
        sample=sample.sample_id,
        material=names[1],
        lot=sample.batch_id,
        cause=data.cause,
        cause_zh=CAUSES_ZH[data.cause],
        description=data.description,
    )
    return replace(
        state,
        samples=with_entry(state.samples, sample.sample_id, sample),
        **alerts.raised(state, ref, notice),
    )


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
    if sample.disposed is not None:
        return _disposed(sample)
    if not sample.received:
        return reasons.SAMPLE_NOT_RECEIVED.format(sample=data.sample_id)
    if data.replaces_report_number is not None:
        old = state.reports.get(data.replaces_report_number)
        if old is None or old.status != ReportStatus.VALID or old.lab_code != data.lab_code:
            return reasons.MATERIALS_FIELD.format(
                field="data.replaces_report_number", why="must name a valid report of this lab"
            )
        if old.sample_id != data.sample_id:
            return reasons.MATERIALS_FIELD.format(
                field="data.replaces_report_number",
                why=f"report {old.report_number} is on sample {old.sample_id}, not {data.sample_id}",
            )
        return None
    return _second_report(state, sample)


def _second_report(state: ProjectState, sample: Sample) -> Rejection | None:
    """A sample gives one result: a further report on it replaces the one it has, so one good
    group cannot count twice. Cement's 28-day report may follow its 3-day report."""
    valid = [
        r
        for r in state.reports.values()
        if r.sample_id == sample.sample_id and r.status == ReportStatus.VALID
    ]
    if not valid or all(r.stage == "preliminary" for r in valid):
        return None
    numbers = ", ".join(r.report_number for r in valid)
    return reasons.MATERIALS_FIELD.format(
        field="data.replaces_report_number",
        why=f"sample {sample.sample_id} already has report {numbers}: a further report on it "
        "must name the one it replaces",
    )


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
    if data.lab_conclusion != "fail":
        return replace(state, reports=reports)
    sample = state.samples[data.sample_id]
    failed = alerts.LAB_FAILED.raise_(
        data.report_number,
        [record.event_id],
        record.recorded_at,
        of_lot=lot_key(sample.material, sample.batch_id),
        report=data.report_number,
        material=MATERIAL_NAMES.get(sample.material, ("", sample.material))[1],
        sample=sample.sample_id,
        lot=sample.batch_id,
    )
    return replace(state, reports=reports, **alerts.raised(state, ref, failed))


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


# ----------------------------------------------------------------------------- evaluations (qtrail's own)


def fold_evaluated(
    state: ProjectState, data: MaterialEvaluated, record: SealedRecord, ref: EventRef
) -> ProjectState:
    changes: dict[str, object] = {}
    new: list[Alert] = []
    at, caused = record.recorded_at, [data.caused_by, record.event_id]
    verdict = Verdict(data.verdict)
    of_lot: str | None = None
    if data.subject_kind == "report" and data.subject_id in state.reports:
        report = state.reports[data.subject_id]
        sample = state.samples[report.sample_id]
        of_lot = lot_key(sample.material, sample.batch_id)
        stage = "preliminary" if data.values.get("stage") == "preliminary" else "final"
        changes["reports"] = with_entry(
            state.reports,
            report.report_number,
            replace(report, verdict=verdict, evaluation=ref, stage=stage),
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
                        of_lot=of_lot,
                        report=report.report_number,
                        deviation=round(float(check["actual"]), 2),
                        allowed=check["required"],
                    )
                )
    elif data.subject_kind == "concrete_batch" and data.subject_id in state.concrete_batches:
        batch = state.concrete_batches[data.subject_id]
        of_lot = lot_key("concrete", batch.batch_id)
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
                data.subject_id, caused, at, of_lot=of_lot, subject=subject, standard=data.standard
            )
        )
    elif verdict is Verdict.INVALID:
        # A batch that cannot be judged has not been shown to conform: it is disposed of like a
        # failure. A report that cannot be judged is the lab's to replace.
        new.append(
            alerts.EVALUATION_INVALID.raise_(
                data.subject_id,
                caused,
                at,
                of_lot=of_lot,
                requires_disposal=data.subject_kind == "concrete_batch",
                subject=subject,
                standard=data.standard,
                why="; ".join(data.reasons),
            )
        )
    if new:
        changes.update(alerts.raised(state, ref, *new))
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
    if alert.requires_disposal:
        return reasons.DISPOSAL_REQUIRED.format(alert=data.alert_id)
    return None


def fold_alert_resolved(
    state: ProjectState, data: AlertResolved, record: SealedRecord, ref: EventRef
) -> ProjectState:
    return replace(state, alerts=_resolved(state, data.alert_id, ref, data.resolution))


HANDLERS = (
    Handler(SampleTaken, rule=rule_sample_taken, fold=fold_sample_taken),
    Handler(SampleReceived, rule=rule_sample_received, fold=fold_sample_received),
    Handler(SampleDisposed, rule=rule_sample_disposed, fold=fold_sample_disposed),
    Handler(TestReported, rule=rule_test_reported, fold=fold_test_reported),
    Handler(ReportRevoked, rule=rule_report_revoked, fold=fold_report_revoked),
    Handler(MaterialEvaluated, rule=no_rule, fold=fold_evaluated),
    Handler(AlertResolved, rule=rule_alert_resolved, fold=fold_alert_resolved),
    *lots.HANDLERS,
    *disposal.HANDLERS,
)
"""Every material fact's handler: samples, reports and evaluations here, closing lots, disposing
of failures."""
