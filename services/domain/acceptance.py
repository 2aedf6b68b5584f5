"""The acceptance hierarchy (GB 50300-2013): buildings, sub-items, divisions, per-dwelling
acceptance, the notice to the supervision station and the warranty certificate.

Quality rolls up: a sub-item is made only of accepted inspection lots, each lot in one sub-item; a
division lists exactly the sub-items accepted in it, signed by exactly the leads §6.0.3 calls for
(``tables/gb-50300-2013.json``); a building's completion (``completion``) waits for every division
it declared. Each is accepted once, and nothing is recorded for a building after its completion.
"""

from __future__ import annotations

from events.acceptance import (
    AcceptanceNoticeFiled,
    DivisionAccepted,
    DwellingsAccepted,
    SubitemAccepted,
    UnitRegistered,
    WarrantyIssued,
)
from events.acceptance import WarrantyTerm as TermGiven
from services.domain import calendar, reasons, warranty
from services.domain.chain import SealedRecord
from services.domain.context import Context
from services.domain.divisions import division as division_rule
from services.domain.divisions import warranty_parts
from services.domain.frozen import replace, with_entry
from services.domain.handler import Handler
from services.domain.ledger import EventRef
from services.domain.reasons import Rejection
from services.domain.state import (
    AcceptanceNotice,
    AcceptedDivision,
    AcceptedSubitem,
    DwellingInspection,
    ProjectState,
    UnitProject,
    Warranty,
    WarrantyTerm,
)
from services.domain.submission import Submission


def subitem_key(division: str, subitem: str) -> str:
    return f"{division}/{subitem}"


def summary(head: Rejection, gaps: list[Rejection]) -> Rejection:
    """A refusal that lists every item behind it."""
    return Rejection(head.code, head.message_zh, head.message_en, tuple(gaps))


def open_unit(state: ProjectState, unit_id: str) -> UnitProject | Rejection:
    """The registered building a fact names, still open to acceptance records."""
    unit = state.units.get(unit_id)
    if unit is None or unit.implicit:
        return reasons.UNKNOWN_UNIT.format(unit=unit_id)
    if unit.completion is not None:
        return reasons.UNIT_COMPLETED.format(unit=unit_id)
    return unit


def with_unit(state: ProjectState, unit: UnitProject) -> ProjectState:
    return replace(state, units=with_entry(state.units, unit.unit_id, unit))


def _names(division: str) -> dict[str, str]:
    rule = division_rule(division)
    return {"division": division, "division_zh": rule.zh, "division_en": rule.en}


def _declared(unit: UnitProject, division: str) -> Rejection | None:
    if division not in unit.divisions:
        return reasons.DIVISION_NOT_DECLARED.format(unit=unit.unit_id, **_names(division))
    return None


# ----------------------------------------------------------------------------- buildings


def rule_unit_registered(
    state: ProjectState, data: UnitRegistered, sub: Submission, ctx: Context
) -> Rejection | None:
    if data.unit_id in state.units:
        return reasons.UNIT_EXISTS.format(unit=data.unit_id)
    return None


def fold_unit_registered(
    state: ProjectState, data: UnitRegistered, record: SealedRecord, ref: EventRef
) -> ProjectState:
    unit = UnitProject(
        unit_id=data.unit_id,
        name=data.name,
        housing=data.housing,
        dwellings=list(data.dwellings),
        divisions=list(data.divisions),
        floors_above=data.floors_above,
        floors_below=data.floors_below,
        floor_area_m2=data.floor_area_m2,
        registered=ref,
    )
    return with_unit(state, unit)


# ----------------------------------------------------------------------------- sub-items


def rule_subitem_accepted(
    state: ProjectState, data: SubitemAccepted, sub: Submission, ctx: Context
) -> Rejection | None:
    unit = open_unit(state, data.unit_id)
    if isinstance(unit, Rejection):
        return unit
    if refused := _declared(unit, data.division):
        return refused
    if data.division in unit.divisions_accepted:  # it was accepted without this sub-item
        return reasons.DIVISION_ACCEPTED.format(unit=unit.unit_id, **_names(data.division))
    if subitem_key(data.division, data.subitem) in unit.subitems:
        return reasons.SUBITEM_ACCEPTED.format(
            unit=unit.unit_id, subitem=data.subitem, **_names(data.division)
        )
    gaps: list[Rejection] = []
    for code in dict.fromkeys(data.inspection_lots):
        lot = state.inspection_lots.get(code)
        if lot is None:
            gaps.append(reasons.LOT_NOT_ACCEPTED.format(lot=code))
        elif lot.subitem is not None:
            gaps.append(reasons.LOT_IN_OTHER_SUBITEM.format(lot=code, other=lot.subitem))
    if gaps:
        return summary(reasons.SUBITEM_INCOMPLETE.format(count=len(gaps)), gaps)
    return None


def fold_subitem_accepted(
    state: ProjectState, data: SubitemAccepted, record: SealedRecord, ref: EventRef
) -> ProjectState:
    key = subitem_key(data.division, data.subitem)
    lots = list(dict.fromkeys(data.inspection_lots))
    accepted = AcceptedSubitem(
        division=data.division,
        subitem=data.subitem,
        inspection_lots=lots,
        accepted_on=data.accepted_on,
        record=data.record,
        ref=ref,
    )
    unit = state.units[data.unit_id]
    unit = replace(unit, subitems=with_entry(unit.subitems, key, accepted))
    owner = f"{data.unit_id}/{key}"
    inspection_lots = dict(state.inspection_lots)
    for code in lots:
        if code in inspection_lots:
            inspection_lots[code] = replace(inspection_lots[code], subitem=owner)
    return replace(with_unit(state, unit), inspection_lots=inspection_lots)


# ----------------------------------------------------------------------------- divisions


def rule_division_accepted(
    state: ProjectState, data: DivisionAccepted, sub: Submission, ctx: Context
) -> Rejection | None:
    unit = open_unit(state, data.unit_id)
    if isinstance(unit, Rejection):
        return unit
    if refused := _declared(unit, data.division):
        return refused
    names = _names(data.division)
    if data.division in unit.divisions_accepted:
        return reasons.DIVISION_ACCEPTED.format(unit=unit.unit_id, **names)
    listed = list(dict.fromkeys(data.subitems))
    accepted = [s.subitem for s in unit.subitems.values() if s.division == data.division]
    gaps = [
        reasons.SUBITEM_NOT_ACCEPTED.format(unit=unit.unit_id, subitem=name, **names)
        for name in listed
        if name not in accepted
    ]
    gaps += [
        reasons.SUBITEM_LEFT_OUT.format(subitem=name, **names)
        for name in accepted
        if name not in listed
    ]
    gaps += signature_gaps(state, data)
    if gaps:
        return summary(reasons.DIVISION_INCOMPLETE.format(count=len(gaps), **names), gaps)
    return None


def signature_gaps(state: ProjectState, data: DivisionAccepted) -> list[Rejection]:
    """Exactly the leads §6.0.3 calls for: each missing one, each one not called, each called
    party without a lead to sign."""
    rule = division_rule(data.division)
    gaps = [
        reasons.DIVISION_SIGNATURE_MISSING.format(role=role)
        for role in rule.signers
        if role not in data.lead_signatures
    ]
    gaps += [
        reasons.DIVISION_SIGNATURE_EXTRA.format(role=role, division_zh=rule.zh, division_en=rule.en)
        for role in data.lead_signatures
        if role not in rule.signers
    ]
    for role in rule.signers:
        party = state.parties.get(role)
        if role in data.lead_signatures and (party is None or party.current_lead is None):
            gaps.append(reasons.SIGNER_NOT_APPOINTED.format(role=role))
    return gaps


def fold_division_accepted(
    state: ProjectState, data: DivisionAccepted, record: SealedRecord, ref: EventRef
) -> ProjectState:
    accepted = AcceptedDivision(
        division=data.division,
        subitems=list(dict.fromkeys(data.subitems)),
        accepted_on=data.accepted_on,
        lead_signatures=dict(data.lead_signatures),
        record=data.record,
        ref=ref,
    )
    unit = state.units[data.unit_id]
    unit = replace(
        unit, divisions_accepted=with_entry(unit.divisions_accepted, data.division, accepted)
    )
    return with_unit(state, unit)


# ----------------------------------------------------------------------------- dwellings


def rule_dwellings_accepted(
    state: ProjectState, data: DwellingsAccepted, sub: Submission, ctx: Context
) -> Rejection | None:
    unit = open_unit(state, data.unit_id)
    if isinstance(unit, Rejection):
        return unit
    if not unit.housing:
        return reasons.NOT_HOUSING.format(unit=unit.unit_id)
    gaps: list[Rejection] = []
    for result in data.results:
        if result.dwelling not in unit.dwellings:
            gaps.append(
                reasons.UNKNOWN_DWELLING.format(dwelling=result.dwelling, unit=unit.unit_id)
            )
            continue
        latest = unit.dwelling_results.get(result.dwelling)
        if latest is not None and latest.passed:
            gaps.append(reasons.DWELLING_PASSED.format(dwelling=result.dwelling))
    if gaps:
        return summary(reasons.DWELLINGS_REFUSED.format(count=len(gaps)), gaps)
    return None


def fold_dwellings_accepted(
    state: ProjectState, data: DwellingsAccepted, record: SealedRecord, ref: EventRef
) -> ProjectState:
    unit = state.units[data.unit_id]
    results = dict(unit.dwelling_results)
    for result in data.results:
        results[result.dwelling] = DwellingInspection(
            passed=result.passed,
            issues=list(result.issues),
            inspected_on=data.inspected_on,
            ref=ref,
        )
    return with_unit(state, replace(unit, dwelling_results=results))


# ----------------------------------------------------------------------------- the station's notice


def rule_notice_filed(
    state: ProjectState, data: AcceptanceNoticeFiled, sub: Submission, ctx: Context
) -> Rejection | None:
    unit = open_unit(state, data.unit_id)
    if isinstance(unit, Rejection):
        return unit
    recorded_on = sub.occurred_at.date()
    if data.filed_on > recorded_on:
        return reasons.NOTICE_FILED_LATER.format(filed_on=data.filed_on, recorded_on=recorded_on)
    ahead = calendar.working_days_between(data.filed_on, data.planned_on)
    if ahead.days < calendar.NOTICE_WORKING_DAYS:
        zh, en = ahead.unknown_said()
        return reasons.NOTICE_TOO_LATE.format(
            filed_on=data.filed_on,
            planned_on=data.planned_on,
            days=ahead.days,
            unknown_zh=zh,
            unknown_en=en,
        )
    return None


def fold_notice_filed(
    state: ProjectState, data: AcceptanceNoticeFiled, record: SealedRecord, ref: EventRef
) -> ProjectState:
    notice = AcceptanceNotice(
        planned_on=data.planned_on,
        filed_on=data.filed_on,
        station=data.station,
        evidence=data.evidence,
        ref=ref,
    )
    return with_unit(state, replace(state.units[data.unit_id], notice=notice))


# ----------------------------------------------------------------------------- the warranty


def rule_warranty_issued(
    state: ProjectState, data: WarrantyIssued, sub: Submission, ctx: Context
) -> Rejection | None:
    unit = open_unit(state, data.unit_id)
    if isinstance(unit, Rejection):
        return unit
    if unit.warranty is not None:
        return reasons.WARRANTY_EXISTS.format(unit=unit.unit_id)
    design_life = state.profile.design_life_years if state.profile else 0
    given: dict[str, TermGiven] = {term.part: term for term in data.terms}
    gaps: list[Rejection] = []
    for part in warranty_parts(unit.divisions):
        least = warranty.minimum(part)
        names = {"part": part, "part_zh": least.zh, "part_en": least.en, "clause": least.clause}
        term = given.get(part)
        if term is None:
            gaps.append(reasons.WARRANTY_PART_MISSING.format(**names))
            continue
        if least.seasons is not None and term.years is not None:
            gaps.append(
                reasons.WARRANTY_PART_UNFIT.format(
                    unit_zh="采暖期、供冷期", unit_en="heating or cooling seasons", **names
                )
            )
            continue
        if least.seasons is None and term.seasons is not None:
            gaps.append(reasons.WARRANTY_PART_UNFIT.format(unit_zh="年", unit_en="years", **names))
            continue
        years = term_years(term, design_life)
        if years is None or years < least.years_for(design_life):
            gaps.append(
                reasons.WARRANTY_TOO_SHORT.format(
                    given=_said(years, least.seasons is not None),
                    minimum=_said(least.years_for(design_life), least.seasons is not None),
                    **names,
                )
            )
    if gaps:
        return summary(reasons.WARRANTY_INCOMPLETE.format(count=len(gaps)), gaps)
    return None


def term_years(term: TermGiven, design_life_years: int) -> int | None:
    """A term's length in years: seasons count one a year; the foundations and structure without
    a figure run for the design life (Art. 40(1)); another part without one has no term."""
    if term.seasons is not None:
        return term.seasons
    if term.years is not None:
        return term.years
    return design_life_years if term.part == "foundation_structure" else None


def _said(years: int | None, seasons: bool) -> str:
    if years is None:
        return "no period"
    return f"{years} season(s)" if seasons else f"{years} year(s)"


def fold_warranty_issued(
    state: ProjectState, data: WarrantyIssued, record: SealedRecord, ref: EventRef
) -> ProjectState:
    design_life = state.profile.design_life_years if state.profile else 0
    terms = [
        WarrantyTerm(part=term.part, years=term_years(term, design_life) or 0)
        for term in data.terms
    ]
    issued = Warranty(
        issued_on=data.issued_on,
        terms=terms,
        repair_days=data.repair_days,
        evidence=data.evidence,
        ref=ref,
    )
    return with_unit(state, replace(state.units[data.unit_id], warranty=issued))


HANDLERS = (
    Handler(UnitRegistered, rule=rule_unit_registered, fold=fold_unit_registered),
    Handler(SubitemAccepted, rule=rule_subitem_accepted, fold=fold_subitem_accepted),
    Handler(DivisionAccepted, rule=rule_division_accepted, fold=fold_division_accepted),
    Handler(DwellingsAccepted, rule=rule_dwellings_accepted, fold=fold_dwellings_accepted),
    Handler(AcceptanceNoticeFiled, rule=rule_notice_filed, fold=fold_notice_filed),
    Handler(WarrantyIssued, rule=rule_warranty_issued, fold=fold_warranty_issued),
)
