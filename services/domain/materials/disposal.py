"""Disposing of a material failure as GB 50300-2013 §5.0.6 prescribes, step by step, each step by
the party entitled to it.

A failure (qtrail's failed evaluation, a lab's "fail", a mass deviation, too few samplings) opens
the disposal of its lot or batch; every later failure of that lot joins it. It closes, and with it
every failure alert of the lot, only when one of these ends is reached:

- a re-test on double samples passes, where the material's standard provides a re-test
  (``tables/acceptance/retest.json``; never after a mass deviation) — the lab;
- in-situ testing by a commissioned lab meets the design (§5.0.6 item 2) — the lab;
- below design in place, the original design unit's written check finds safety and use still met
  (item 3) — the design unit;
- a technical plan to rework, replace or reinforce (item 1, 4) — the construction party, a
  reinforcement only on the design unit's check — then re-acceptance — the supervision.

Nobody closes a failure with words alone: ``alert_resolved`` refuses failure alerts.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from events.materials import (
    DesignChecked,
    InSituTested,
    RepairAccepted,
    RepairPlanned,
    RetestConcluded,
)
from services.domain import reasons
from services.domain.chain import SealedRecord
from services.domain.context import Context
from services.domain.frozen import replace, with_entry
from services.domain.handler import Handler
from services.domain.ledger import EventRef
from services.domain.materials import alerts
from services.domain.reasons import Rejection
from services.domain.state import (
    Disposition,
    DispositionStep,
    ProjectState,
    Report,
    ReportStatus,
    Verdict,
    lot_names,
)
from services.domain.submission import Submission

STEPS: dict[str, tuple[str, str]] = {
    "retest": ("加倍取样复验", "a re-test on double samples"),
    "in_situ": ("实体检测", "in-situ testing"),
    "design_check": ("设计单位核算", "the design unit's check"),
    "repair_plan": ("技术处理方案", "a repair plan"),
    "re_acceptance": ("重新验收", "re-acceptance"),
}


@cache
def retest_table() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("tables/acceptance/retest.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def retest_rule(material: str) -> dict[str, Any]:
    materials: dict[str, dict[str, Any]] = retest_table()["materials"]
    return materials.get(material, materials["other"])


# ----------------------------------------------------------------------------- the case a step is for


def case_of(state: ProjectState, alert_id: str) -> Disposition | Rejection:
    """The disposal an open failure alert belongs to, or the refusal of a step naming another."""
    alert = state.alerts.get(alert_id)
    if (
        alert is None
        or not alert.requires_disposal
        or alert.resolved_by is not None
        or alert.subject is None
    ):
        return reasons.NO_OPEN_FAILURE.format(alert=alert_id)
    case = alerts.under_way(state.dispositions, alert.subject)
    return case if case is not None else reasons.NO_OPEN_FAILURE.format(alert=alert_id)


def not_allowed(case: Disposition, step: str, why: str) -> Rejection:
    lot_zh, lot_en = lot_names(case.material, case.lot_id)
    step_zh, step_en = STEPS[step]
    return reasons.STEP_NOT_ALLOWED.format(
        lot=lot_en, lot_zh=lot_zh, step=step_en, step_zh=step_zh, why=why
    )


def _in_lot(state: ProjectState, report: Report, case: Disposition) -> bool:
    sample = state.samples.get(report.sample_id)
    return sample is not None and (sample.material, sample.batch_id) == (case.material, case.lot_id)


def failed_reports(state: ProjectState, case: Disposition) -> list[Report]:
    """The lot's reports that failed: by the lab's conclusion or by qtrail's evaluation."""
    return sorted(
        (
            r
            for r in state.reports.values()
            if _in_lot(state, r, case) and (r.lab_conclusion == "fail" or r.verdict == Verdict.FAIL)
        ),
        key=lambda r: r.ref.seq,
    )


def retest_closed(state: ProjectState, case: Disposition) -> str | None:
    """Why the lot may not be re-tested (None: it may)."""
    rule = retest_rule(case.material)
    if not rule["retest"]:
        return f"{case.material} is not re-tested: {rule['clause']}"
    kinds = {state.alerts[a].kind for a in case.alerts if a in state.alerts}
    barred = sorted(kinds & set(rule.get("no_retest_after", [])))
    if barred:
        return f"a {', '.join(barred)} failure may not be re-tested ({rule['clause']})"
    if not failed_reports(state, case):
        return "a re-test answers a failed result, and no report of this lot failed"
    if any(step.step == "retest" for step in case.steps):
        return "its re-test was concluded already: a failure is re-tested once"
    return None


def _close(
    state: ProjectState, case: Disposition, step: DispositionStep, ref: EventRef, how: str
) -> dict[str, Any]:
    """The disposal closed by ``step``, and every failure alert of its lot resolved with ``how``."""
    closed = replace(case, steps=[*case.steps, step], closed_by=ref, closed_how=how)
    current = dict(state.alerts)
    for alert_id in case.alerts:
        alert = current.get(alert_id)
        if alert is not None and alert.resolved_by is None:
            current[alert_id] = replace(alert, resolved_by=ref, resolution=how)
    return {
        "alerts": current,
        "dispositions": with_entry(state.dispositions, case.disposition_id, closed),
    }


def _stepped(state: ProjectState, case: Disposition, step: DispositionStep) -> dict[str, Any]:
    stepped = replace(case, steps=[*case.steps, step])
    return {"dispositions": with_entry(state.dispositions, case.disposition_id, stepped)}


def _case(state: ProjectState, alert_id: str) -> Disposition:
    """The case of a step already decided (its rule found it open)."""
    case = case_of(state, alert_id)
    if not isinstance(case, Disposition):  # pragma: no cover - the rule refused this
        raise ValueError(f"no open disposal for {alert_id}")
    return case


# ----------------------------------------------------------------------------- re-test (lab)


def rule_retest(
    state: ProjectState, data: RetestConcluded, sub: Submission, ctx: Context
) -> Rejection | None:
    case = case_of(state, data.alert_id)
    if not isinstance(case, Disposition):
        return case
    if (why := retest_closed(state, case)) is not None:
        return not_allowed(case, "retest", why)
    if len(set(data.report_numbers)) != len(data.report_numbers):
        return reasons.MATERIALS_FIELD.format(
            field="data.report_numbers", why="a report is named twice"
        )
    named = set(data.report_numbers)
    failed = [r for r in failed_reports(state, case) if r.report_number not in named]
    for number in data.report_numbers:
        report = state.reports.get(number)
        problem = _retest_report_problem(state, case, report, number, sub.actor.org)
        if problem is None and data.outcome == "pass" and report is not None:
            problem = _not_passing(report)
        if problem is not None:
            return reasons.MATERIALS_FIELD.format(field="data.report_numbers", why=problem)
    needed = 2 * len(failed)
    if len(data.report_numbers) < needed:
        return not_allowed(
            case,
            "retest",
            f"{len(failed)} report(s) failed, so the re-test needs at least {needed} new "
            f"samples' reports (double samples), not {len(data.report_numbers)}",
        )
    return None


def _retest_report_problem(
    state: ProjectState, case: Disposition, report: Report | None, number: str, lab: str
) -> str | None:
    if report is None or report.lab_code != lab:
        return f"{number} is not a report of this lab on this project"
    if report.status != ReportStatus.VALID:
        return f"report {number} is {report.status}"
    sample = state.samples[report.sample_id]
    if (sample.material, sample.batch_id) != (case.material, case.lot_id):
        return f"report {number} is on sample {sample.sample_id}, not of this lot"
    if sample.ref.seq <= case.opened.seq:
        return (
            f"report {number} is on sample {sample.sample_id}, taken before the failure: a "
            "re-test is on new samples"
        )
    if not sample.witnessed:
        return f"report {number} is on sample {sample.sample_id}, which was not witnessed"
    return None


def _not_passing(report: Report) -> str | None:
    if report.lab_conclusion != "pass":
        return f"report {report.report_number} concludes {report.lab_conclusion}, not pass"
    if report.verdict is not None and report.verdict != Verdict.PASS:
        return f"qtrail evaluates report {report.report_number} {report.verdict}, not pass"
    if report.stage == "preliminary":
        return f"report {report.report_number} is preliminary"
    return None


def fold_retest(
    state: ProjectState, data: RetestConcluded, record: SealedRecord, ref: EventRef
) -> ProjectState:
    case = _case(state, data.alert_id)
    numbers = ", ".join(data.report_numbers)
    step = DispositionStep(
        step="retest",
        outcome=data.outcome,
        detail=f"re-test on double samples: reports {numbers}",
        ref=ref,
        reports=list(data.report_numbers),
    )
    if data.outcome == "fail":
        return replace(state, **_stepped(state, case, step))
    how = f"re-test on double samples passed (reports {numbers}; {retest_rule(case.material)['clause']})"
    return replace(state, **_close(state, case, step, ref, how))


# ----------------------------------------------------------------------------- in-situ testing (lab)


def rule_in_situ(
    state: ProjectState, data: InSituTested, sub: Submission, ctx: Context
) -> Rejection | None:
    case = case_of(state, data.alert_id)
    if not isinstance(case, Disposition):
        return case
    if data.lab_code != sub.actor.org:
        return reasons.MATERIALS_FIELD.format(
            field="data.lab_code", why="must be the reporting lab's own code"
        )
    seen = ctx.reports_seen.get(data.report_number)
    used_here = data.report_number in state.reports or any(
        data.report_number in step.reports for d in state.dispositions.values() for step in d.steps
    )
    if used_here or seen is not None:
        return reasons.REPORT_REUSED.format(report=data.report_number, where=seen or "this project")
    return None


def fold_in_situ(
    state: ProjectState, data: InSituTested, record: SealedRecord, ref: EventRef
) -> ProjectState:
    case = _case(state, data.alert_id)
    outcome = "meets design" if data.meets_design else "below design"
    step = DispositionStep(
        step="in_situ",
        outcome=outcome,
        detail=f"{data.method} by {data.lab_code} ({data.standard}), report "
        f"{data.report_number}, {data.building_part}: {data.result}",
        ref=ref,
        reports=[data.report_number],
    )
    if not data.meets_design:
        return replace(state, **_stepped(state, case, step))
    how = (
        f"in-situ testing ({data.method}, report {data.report_number}) meets the design: "
        "accepted (GB 50300-2013 §5.0.6 item 2)"
    )
    return replace(state, **_close(state, case, step, ref, how))


# ----------------------------------------------------------------------------- design check (design)


def rule_design_check(
    state: ProjectState, data: DesignChecked, sub: Submission, ctx: Context
) -> Rejection | None:
    case = case_of(state, data.alert_id)
    if not isinstance(case, Disposition):
        return case
    if not any(s.step == "in_situ" and s.outcome == "below design" for s in case.steps):
        return not_allowed(
            case,
            "design_check",
            "the design unit checks work a commissioned lab has tested in place and found below "
            "design (GB 50300-2013 §5.0.6 item 3); no such test is recorded",
        )
    return None


def fold_design_check(
    state: ProjectState, data: DesignChecked, record: SealedRecord, ref: EventRef
) -> ProjectState:
    case = _case(state, data.alert_id)
    outcome = "safety and use met" if data.meets_safety_and_use else "safety or use not met"
    step = DispositionStep(step="design_check", outcome=outcome, detail=data.basis, ref=ref)
    if not data.meets_safety_and_use:
        return replace(state, **_stepped(state, case, step))
    how = (
        "below design in place, the design unit's written check finds safety and use met: "
        f"accepted (GB 50300-2013 §5.0.6 item 3): {data.basis}"
    )
    return replace(state, **_close(state, case, step, ref, how))


# ----------------------------------------------------------------------------- repair (construction)


def rule_repair_planned(
    state: ProjectState, data: RepairPlanned, sub: Submission, ctx: Context
) -> Rejection | None:
    case = case_of(state, data.alert_id)
    if not isinstance(case, Disposition):
        return case
    if data.kind == "reinforce" and not any(s.step == "design_check" for s in case.steps):
        return not_allowed(
            case,
            "repair_plan",
            "a reinforcement rests on the design unit's written check, and none is recorded",
        )
    return None


def fold_repair_planned(
    state: ProjectState, data: RepairPlanned, record: SealedRecord, ref: EventRef
) -> ProjectState:
    case = _case(state, data.alert_id)
    step = DispositionStep(step="repair_plan", outcome=data.kind, detail=data.plan, ref=ref)
    return replace(state, **_stepped(state, case, step))


# ----------------------------------------------------------------------------- re-acceptance (supervision)


def rule_repair_accepted(
    state: ProjectState, data: RepairAccepted, sub: Submission, ctx: Context
) -> Rejection | None:
    case = case_of(state, data.alert_id)
    if not isinstance(case, Disposition):
        return case
    if not any(s.step == "repair_plan" for s in case.steps):
        return not_allowed(
            case,
            "re_acceptance",
            "re-acceptance follows a technical plan to rework, replace or reinforce, and none "
            "is recorded",
        )
    return None


def fold_repair_accepted(
    state: ProjectState, data: RepairAccepted, record: SealedRecord, ref: EventRef
) -> ProjectState:
    case = _case(state, data.alert_id)
    plan = next(s for s in reversed(case.steps) if s.step == "repair_plan")
    item = "item 4" if plan.outcome == "reinforce" else "item 1"
    step = DispositionStep(step="re_acceptance", outcome="accepted", detail=data.verdict, ref=ref)
    how = f"re-accepted after the {plan.outcome} plan (GB 50300-2013 §5.0.6 {item}): {data.verdict}"
    return replace(state, **_close(state, case, step, ref, how))


HANDLERS = (
    Handler(RetestConcluded, rule=rule_retest, fold=fold_retest),
    Handler(InSituTested, rule=rule_in_situ, fold=fold_in_situ),
    Handler(DesignChecked, rule=rule_design_check, fold=fold_design_check),
    Handler(RepairPlanned, rule=rule_repair_planned, fold=fold_repair_planned),
    Handler(RepairAccepted, rule=rule_repair_accepted, fold=fold_repair_accepted),
)
