"""Closing a lot: a concrete batch (then evaluated by GB/T 50107) or a rebar or cement lot.

A lot closes only when every sample assigned to it has a complete result or an authorised
disposal, and every sample is of the grade it is closed as: a builder cannot report the good
groups only, or count a sample of another grade. The closing states the lot's quantity, and the
number of samplings is checked against it (GB 50204-2015 §7.4.1 and §7.2.1, one per 60 t of
rebar): a shortfall is a failure to dispose of, not a refusal, because the samplings that were
not taken cannot be taken any more.
"""

from __future__ import annotations

from events.materials import ConcreteBatchClosed, LotClosed
from services.domain import reasons
from services.domain.chain import SealedRecord
from services.domain.context import Context
from services.domain.frozen import replace, with_entry
from services.domain.handler import Handler
from services.domain.ledger import EventRef
from services.domain.materials import alerts, sampling
from services.domain.reasons import Rejection
from services.domain.state import (
    Alert,
    ConcreteBatch,
    MaterialLot,
    ProjectState,
    Sample,
    Sampling,
    lot_key,
    lot_names,
    result_gap,
)
from services.domain.submission import Submission

_SEPARATORS = str.maketrans("", "", " .·・\u3000")


def same_grade(a: str, b: str) -> bool:
    """One grade however it is spelt: ``P.O 42.5``, ``P·O42.5`` and ``PO 42.5`` are one cement."""
    return a.upper().translate(_SEPARATORS) == b.upper().translate(_SEPARATORS)


def lot_samples(state: ProjectState, material: str, lot_id: str) -> list[Sample]:
    """The samples assigned to a lot, in the order they were taken (re-taken ones included)."""
    return sorted(
        (s for s in state.samples.values() if s.material == material and s.batch_id == lot_id),
        key=lambda s: s.ref.seq,
    )


def _spelt(grade: str, diameter: float | None) -> str:
    return grade if diameter is None else f"{grade} Ø{diameter:g}"


def grade_refusal(
    sample_id: str,
    grade: str,
    diameter: float | None,
    material: str,
    lot_id: str,
    expected: str,
    expected_diameter: float | None,
) -> Rejection | None:
    """The refusal of a sample of another grade (or, for rebar, another size) than its lot's."""
    if same_grade(grade, expected) and (
        material != "rebar" or expected_diameter is None or diameter == expected_diameter
    ):
        return None
    lot_zh, lot_en = lot_names(material, lot_id)
    sized = material == "rebar"
    return reasons.GRADE_MISMATCH.format(
        sample=sample_id,
        grade=_spelt(grade, diameter if sized else None),
        expected=_spelt(expected, expected_diameter if sized else None),
        lot=lot_en,
        lot_zh=lot_zh,
    )


def closing_refusal(
    state: ProjectState, material: str, lot_id: str, grade: str, diameter: float | None
) -> Rejection | None:
    """Every sample of another grade, and every sample without a complete result or an
    authorised disposal, each named; None when the lot may close."""
    problems: list[Rejection] = []
    kept = [s for s in lot_samples(state, material, lot_id) if s.replaced_by is None]
    for sample in kept:
        mismatch = grade_refusal(
            sample.sample_id, sample.grade, sample.diameter_mm, material, lot_id, grade, diameter
        )
        if mismatch is not None:
            problems.append(mismatch)
    for sample in kept:
        gap = result_gap(state, sample)
        if gap is not None:
            problems.append(
                reasons.SAMPLE_WITHOUT_RESULT.format(sample=sample.sample_id, why=gap.why)
            )
    if not problems:
        return None
    lot_zh, lot_en = lot_names(material, lot_id)
    summary = reasons.LOT_NOT_CLOSABLE.format(lot=lot_en, lot_zh=lot_zh, count=len(problems))
    return Rejection(summary.code, summary.message_zh, summary.message_en, tuple(problems))


def samplings(state: ProjectState, material: str, lot_id: str) -> int:
    """Samplings that count: samples neither re-taken nor disposed of (a lost sample represents
    nothing)."""
    return sum(1 for s in lot_samples(state, material, lot_id) if s.current)


def _shortfall(
    state: ProjectState,
    material: str,
    lot_id: str,
    checked: Sampling,
    record: SealedRecord,
) -> list[Alert]:
    if not checked.short:
        return []
    subject_zh, subject_en = lot_names(material, lot_id)
    key = lot_key(material, lot_id)
    return [
        alerts.SAMPLING_SHORTFALL.raise_(
            key,
            [record.event_id],
            record.recorded_at,
            of_lot=key,
            subject_zh=subject_zh,
            subject_en=subject_en,
            counted=checked.counted,
            required=checked.required,
            standard=checked.standard,
            short="; ".join(checked.short),
        )
    ]


# ----------------------------------------------------------------------------- concrete batches

STATED = ("volume_m3", "mixes", "working_shifts", "floors")
"""What a concrete batch's closing states since v2 (a v1 record upcasts with them None)."""


def rule_batch_closed(
    state: ProjectState, data: ConcreteBatchClosed, sub: Submission, ctx: Context
) -> Rejection | None:
    if data.batch_id in state.concrete_batches:
        return reasons.DUPLICATE_ID.format(kind="concrete batch", id=data.batch_id)
    unstated = [f"data.{name}" for name in STATED if getattr(data, name) is None]
    if unstated:
        return reasons.MATERIALS_FIELD.format(
            field=", ".join(unstated),
            why="required: a batch states its volume, mixes, working shifts and floors "
            "(GB 50204-2015 §7.4.1; concrete_batch_closed.v2)",
        )
    if not lot_samples(state, "concrete", data.batch_id):
        return reasons.MATERIALS_FIELD.format(
            field="data.batch_id", why="no concrete sample belongs to this batch"
        )
    return closing_refusal(state, "concrete", data.batch_id, data.grade, None)


def fold_batch_closed(
    state: ProjectState, data: ConcreteBatchClosed, record: SealedRecord, ref: EventRef
) -> ProjectState:
    checked: Sampling | None = None
    if (
        data.volume_m3 is not None
        and data.mixes is not None
        and data.working_shifts is not None
        and data.floors is not None
    ):
        requirements = sampling.concrete_requirements(
            data.volume_m3, data.mixes, data.working_shifts, data.floors, data.continuous_pour
        )
        counted = samplings(state, "concrete", data.batch_id)
        checked = sampling.checked("concrete", counted, requirements)
    batch = ConcreteBatch(
        batch_id=data.batch_id,
        grade=data.grade,
        closed_by=ref,
        volume_m3=data.volume_m3,
        mixes=data.mixes,
        working_shifts=data.working_shifts,
        floors=data.floors,
        continuous_pour=data.continuous_pour,
        sampling=checked,
    )
    new = _shortfall(state, "concrete", data.batch_id, checked, record) if checked else []
    return replace(
        state,
        concrete_batches=with_entry(state.concrete_batches, data.batch_id, batch),
        **alerts.raised(state, ref, *new),
    )


# ----------------------------------------------------------------------------- rebar and cement lots


def rule_lot_closed(
    state: ProjectState, data: LotClosed, sub: Submission, ctx: Context
) -> Rejection | None:
    if lot_key(data.material, data.lot_id) in state.material_lots:
        return reasons.DUPLICATE_ID.format(kind=f"{data.material} lot", id=data.lot_id)
    if data.material == "rebar" and data.diameter_mm is None:
        return reasons.MATERIALS_FIELD.format(field="data.diameter_mm", why="required for rebar")
    if data.material == "cement" and data.packaging is None:
        return reasons.MATERIALS_FIELD.format(
            field="data.packaging", why="required for cement: bagged or bulk (GB 50204-2015 §7.2.1)"
        )
    if data.material == "cement" and data.diameter_mm is not None:
        return reasons.MATERIALS_FIELD.format(field="data.diameter_mm", why="not for cement")
    if data.material == "rebar" and data.packaging is not None:
        return reasons.MATERIALS_FIELD.format(field="data.packaging", why="not for rebar")
    if not lot_samples(state, data.material, data.lot_id):
        return reasons.MATERIALS_FIELD.format(
            field="data.lot_id", why=f"no {data.material} sample belongs to this lot"
        )
    return closing_refusal(state, data.material, data.lot_id, data.grade, data.diameter_mm)


def fold_lot_closed(
    state: ProjectState, data: LotClosed, record: SealedRecord, ref: EventRef
) -> ProjectState:
    if data.material == "rebar":
        requirements = sampling.rebar_requirements(data.quantity_t)
    else:
        requirements = sampling.cement_requirements(data.quantity_t, data.packaging or "bagged")
    counted = samplings(state, data.material, data.lot_id)
    checked = sampling.checked(data.material, counted, requirements)
    lot = MaterialLot(
        lot_id=data.lot_id,
        material=data.material,
        grade=data.grade,
        diameter_mm=data.diameter_mm,
        quantity_t=data.quantity_t,
        packaging=data.packaging,
        closed_by=ref,
        sampling=checked,
    )
    new = _shortfall(state, data.material, data.lot_id, checked, record)
    return replace(
        state,
        material_lots=with_entry(state.material_lots, lot_key(data.material, data.lot_id), lot),
        **alerts.raised(state, ref, *new),
    )


HANDLERS = (
    Handler(ConcreteBatchClosed, rule=rule_batch_closed, fold=fold_batch_closed),
    Handler(LotClosed, rule=rule_lot_closed, fold=fold_lot_closed),
)
