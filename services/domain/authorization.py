"""Who may submit what: the event type × role matrix, and role holding from the trail itself.

An organization posts for a project only in the roles it was appointed to there; the owner is the
organization that registered the project; a lab only after the owner commissioned it.
"""

from __future__ import annotations

from events.base import PARTIES, Role
from services.domain.filing import holds_station
from services.domain.state import ProjectState

OWNER, SURVEY, DESIGN = Role.OWNER, Role.SURVEY, Role.DESIGN
CONSTRUCTION, SUPERVISION = Role.CONSTRUCTION, Role.SUPERVISION
LAB, SYSTEM, REGULATOR = Role.LAB, Role.SYSTEM, Role.REGULATOR

MATRIX: dict[str, frozenset[Role]] = {
    "qtrail.project.registered": frozenset({OWNER}),
    "qtrail.party.appointed": frozenset({OWNER}),
    "qtrail.party.lead_changed": PARTIES,
    "qtrail.party.commitment_signed": PARTIES,
    "qtrail.party.witness_authorized": frozenset({OWNER, SUPERVISION}),
    "qtrail.party.lab_commissioned": frozenset({OWNER}),
    "qtrail.quality.inspection_lot_accepted": frozenset({CONSTRUCTION, SUPERVISION}),
    "qtrail.quality.nonconformance_raised": frozenset({OWNER, SUPERVISION}),
    "qtrail.quality.nonconformance_rectified": frozenset({CONSTRUCTION}),
    "qtrail.quality.nonconformance_closed": frozenset({OWNER, SUPERVISION}),
    "qtrail.quality.accident_reported": frozenset({OWNER, CONSTRUCTION, SUPERVISION}),
    "qtrail.record.corrected": PARTIES,
    "qtrail.materials.sample_taken": frozenset({CONSTRUCTION, SUPERVISION}),
    "qtrail.materials.sample_received": frozenset({LAB}),
    "qtrail.materials.test_reported": frozenset({LAB}),
    "qtrail.materials.report_revoked": frozenset({LAB}),
    "qtrail.materials.concrete_batch_closed": frozenset({OWNER, SUPERVISION}),
    "qtrail.materials.lot_closed": frozenset({OWNER, SUPERVISION}),
    # The construction party holds the samples until the lab receives them: it may not record
    # their loss itself. The supervision, independent of the builder and the party whose witness
    # signed the seal, records it with evidence (the lab's statement, if lost in its custody).
    "qtrail.materials.sample_disposed": frozenset({SUPERVISION}),
    "qtrail.materials.evaluated": frozenset({SYSTEM}),
    # Not for material failures (the rule refuses them): those close by the steps below only.
    "qtrail.materials.alert_resolved": frozenset({OWNER, SUPERVISION}),
    # GB 50300-2013 §5.0.6, each step by whoever answers for it: tests by the commissioned lab,
    # the check by the original design unit, the plan by the builder who carries it out, the
    # re-acceptance by the supervision that accepts inspection lots. The owner holds no step.
    "qtrail.materials.retest_concluded": frozenset({LAB}),
    "qtrail.materials.in_situ_tested": frozenset({LAB}),
    "qtrail.materials.design_checked": frozenset({DESIGN}),
    "qtrail.materials.repair_planned": frozenset({CONSTRUCTION}),
    "qtrail.materials.repair_accepted": frozenset({SUPERVISION}),
    # The acceptance hierarchy (GB 50300-2013 §6.0.2–6.0.3): the supervision accepts sub-items and
    # divisions and records the per-dwelling inspection; the owner registers buildings, tells the
    # station and accepts completion; the builder gives the warranty certificate.
    "qtrail.project.unit_registered": frozenset({OWNER}),
    "qtrail.acceptance.subitem_accepted": frozenset({SUPERVISION}),
    "qtrail.acceptance.division_accepted": frozenset({SUPERVISION}),
    "qtrail.acceptance.dwellings_accepted": frozenset({SUPERVISION}),
    "qtrail.acceptance.notice_filed": frozenset({OWNER}),
    "qtrail.acceptance.warranty_issued": frozenset({CONSTRUCTION}),
    "qtrail.project.completion_accepted": frozenset({OWNER}),
    "qtrail.plaque.issued": frozenset({SYSTEM}),
    "qtrail.plaque.installed": frozenset({OWNER}),
    "qtrail.plaque.revoked": frozenset({OWNER}),
    # After completion: any party reports a defect (the owner party files a dwelling owner's public
    # report once verified); the builder repairs; the owner records the reporter's confirmation.
    "qtrail.warranty.defect_reported": PARTIES,
    "qtrail.warranty.defect_repaired": frozenset({CONSTRUCTION}),
    "qtrail.warranty.repair_confirmed": frozenset({OWNER}),
    "qtrail.warranty.repair_overdue": frozenset({SYSTEM}),  # the recorder's sweep (aftercare.py)
    "qtrail.aftercare.complaint_lodged": frozenset({OWNER, REGULATOR}),
    "qtrail.aftercare.complaint_handled": frozenset({OWNER, REGULATOR}),
    # Grading, investigating and closing an accident, and finding responsibility, are the
    # authority's acts (建质〔2010〕111号; 建质〔2014〕124号).
    "qtrail.quality.accident_graded": frozenset({REGULATOR}),
    "qtrail.quality.accident_investigated": frozenset({REGULATOR}),
    "qtrail.quality.accident_closed": frozenset({REGULATOR}),
    "qtrail.aftercare.responsibility_found": frozenset({REGULATOR}),
    # The supervision station's own acts (质量监督): the party a rectification notice names
    # answers it; the archive handover is the owner's to make and the station's to record.
    "qtrail.supervision.filing_accepted": frozenset({REGULATOR}),
    "qtrail.supervision.filing_refused": frozenset({REGULATOR}),
    "qtrail.supervision.commitments_acknowledged": frozenset({REGULATOR}),
    "qtrail.supervision.inspection_recorded": frozenset({REGULATOR}),
    "qtrail.supervision.rectification_ordered": frozenset({REGULATOR}),
    "qtrail.supervision.rectification_reported": PARTIES,
    "qtrail.supervision.rectification_verified": frozenset({REGULATOR}),
    "qtrail.supervision.work_stopped": frozenset({REGULATOR}),
    "qtrail.supervision.work_resumed": frozenset({REGULATOR}),
    "qtrail.supervision.acceptance_attended": frozenset({REGULATOR}),
    "qtrail.supervision.completion_filed": frozenset({REGULATOR}),
    "qtrail.supervision.archive_transferred": frozenset({OWNER, REGULATOR}),
    "qtrail.supervision.deadline_missed": frozenset({SYSTEM}),  # the recorder's sweep
}
"""Type (without version) → roles that may submit it. docs/architecture.md shows it as a table."""


SYSTEM_ORG = "qtrail"
"""The actor organization of facts qtrail itself seals (evaluations)."""


def type_name(event_type: str) -> str:
    return event_type.rsplit(".v", 1)[0]


def may_submit(event_type: str, role: Role) -> bool:
    return role in MATRIX.get(type_name(event_type), frozenset())


def holds_role(state: ProjectState, org: str, role: Role) -> bool:
    if role is Role.OWNER:
        return state.owner_org == org
    if role is Role.LAB:
        return org in state.labs
    if role is Role.REGULATOR:  # the station the registration names (supervision.py)
        return holds_station(state, org)
    if role is Role.SYSTEM:  # only the recorder itself acts as system: no key may (access.py)
        return org == SYSTEM_ORG
    party = state.parties.get(role.value)
    return party is not None and party.org_code == org
