"""The catalog: which CloudEvents ``type`` maps to which payload model.

A type string carries its version (``...v2``). Old versions stay registered with an upcaster
that turns their payload into the current model's shape, so a record sealed years ago still
folds with today's code.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from events.acceptance import (
    AcceptanceNoticeFiled,
    DivisionAccepted,
    DwellingsAccepted,
    SubitemAccepted,
    UnitRegistered,
    WarrantyIssued,
)
from events.aftercare import (
    AccidentClosed,
    AccidentGraded,
    AccidentInvestigated,
    ComplaintHandled,
    ComplaintLodged,
    DefectRepaired,
    DefectReported,
    RepairConfirmed,
    RepairOverdue,
    ResponsibilityFound,
)
from events.base import EventData
from events.completion import (
    CompletionAccepted,
    PlaqueInstalled,
    PlaqueIssued,
    PlaqueRevoked,
    completion_v1_to_v2,
    plaque_v1_to_v2,
)
from events.correction import RecordCorrected
from events.materials import (
    AlertResolved,
    ConcreteBatchClosed,
    DesignChecked,
    InSituTested,
    LotClosed,
    MaterialEvaluated,
    RepairAccepted,
    RepairPlanned,
    ReportRevoked,
    RetestConcluded,
    SampleDisposed,
    SampleReceived,
    SampleTaken,
    TestReported,
    concrete_batch_v1_to_v2,
)
from events.party import (
    CommitmentSigned,
    LabCommissioned,
    LeadChanged,
    PartyAppointed,
    WitnessAuthorized,
)
from events.project import ProjectRegistered, registration_v1_to_v2
from events.quality import (
    AccidentReported,
    InspectionLotAccepted,
    NonconformanceClosed,
    NonconformanceRaised,
    NonconformanceRectified,
    inspection_lot_v1_to_v2,
)
from events.supervision import (
    AcceptanceAttended,
    ArchiveTransferred,
    CommitmentsAcknowledged,
    CompletionFiled,
    DeadlineMissed,
    FilingAccepted,
    FilingRefused,
    InspectionRecorded,
    RectificationOrdered,
    RectificationReported,
    RectificationVerified,
    WorkResumed,
    WorkStopped,
)

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]

_VERSIONED = re.compile(r"^(?P<name>qtrail\.[a-z_]+\.[a-z_]+)\.v(?P<version>[1-9][0-9]*)$")


@dataclass(frozen=True)
class CatalogEntry:
    name: str
    """Type without its version, e.g. ``qtrail.project.registered``."""
    version: int
    model: type[EventData]


class UnknownEventType(LookupError):
    """The ``type`` is not in the catalog."""


CURRENT: tuple[type[EventData], ...] = (
    ProjectRegistered,
    PartyAppointed,
    LeadChanged,
    CommitmentSigned,
    WitnessAuthorized,
    LabCommissioned,
    InspectionLotAccepted,
    NonconformanceRaised,
    NonconformanceRectified,
    NonconformanceClosed,
    AccidentReported,
    RecordCorrected,
    SampleTaken,
    SampleReceived,
    TestReported,
    ReportRevoked,
    ConcreteBatchClosed,
    LotClosed,
    SampleDisposed,
    MaterialEvaluated,
    AlertResolved,
    RetestConcluded,
    InSituTested,
    DesignChecked,
    RepairPlanned,
    RepairAccepted,
    UnitRegistered,
    SubitemAccepted,
    DivisionAccepted,
    DwellingsAccepted,
    AcceptanceNoticeFiled,
    WarrantyIssued,
    CompletionAccepted,
    PlaqueIssued,
    PlaqueInstalled,
    PlaqueRevoked,
    DefectReported,
    DefectRepaired,
    RepairConfirmed,
    RepairOverdue,
    ComplaintLodged,
    ComplaintHandled,
    AccidentGraded,
    AccidentInvestigated,
    AccidentClosed,
    ResponsibilityFound,
    FilingAccepted,
    FilingRefused,
    CommitmentsAcknowledged,
    InspectionRecorded,
    RectificationOrdered,
    RectificationReported,
    RectificationVerified,
    WorkStopped,
    WorkResumed,
    AcceptanceAttended,
    CompletionFiled,
    ArchiveTransferred,
    DeadlineMissed,
)

UPCASTERS: Mapping[str, tuple[str, Upcaster]] = {
    "qtrail.project.registered.v1": ("qtrail.project.registered.v2", registration_v1_to_v2),
    "qtrail.quality.inspection_lot_accepted.v1": (
        "qtrail.quality.inspection_lot_accepted.v2",
        inspection_lot_v1_to_v2,
    ),
    "qtrail.project.completion_accepted.v1": (
        "qtrail.project.completion_accepted.v2",
        completion_v1_to_v2,
    ),
    "qtrail.plaque.issued.v1": ("qtrail.plaque.issued.v2", plaque_v1_to_v2),
    "qtrail.materials.concrete_batch_closed.v1": (
        "qtrail.materials.concrete_batch_closed.v2",
        concrete_batch_v1_to_v2,
    ),
}
"""Old type → (newer type, function from old payload to newer payload). Chains are followed."""


def _entries() -> dict[str, CatalogEntry]:
    entries: dict[str, CatalogEntry] = {}
    for model in CURRENT:
        match = _VERSIONED.match(model.event_type)
        if match is None:  # pragma: no cover - guarded by tests/unit/events/test_registry.py
            raise ValueError(f"badly formed event type {model.event_type!r}")
        entries[model.event_type] = CatalogEntry(match["name"], int(match["version"]), model)
    return entries


CATALOG: Mapping[str, CatalogEntry] = _entries()


def known_types() -> list[str]:
    return sorted([*CATALOG, *UPCASTERS])


def parse_data(event_type: str, data: Mapping[str, Any]) -> tuple[str, EventData]:
    """Validate ``data`` for ``event_type``, upcasting old versions; returns (current type, payload).

    Raises ``UnknownEventType`` or pydantic's ``ValidationError``.
    """
    payload = dict(data)
    current = event_type
    while current in UPCASTERS:
        current, upcast = UPCASTERS[current]
        payload = upcast(payload)
    entry = CATALOG.get(current)
    if entry is None:
        raise UnknownEventType(event_type)
    # Strict JSON-mode validation: dates may be ISO strings, but "5" is not an int.
    return current, entry.model.model_validate_json(json.dumps(payload), strict=True)


def title(event_type: str) -> tuple[str, str]:
    """The short (Chinese, English) name of ``event_type``; an old version has its current
    version's name, since its upcaster makes it that fact. Raises ``UnknownEventType``."""
    current = event_type
    while current in UPCASTERS:
        current = UPCASTERS[current][0]
    entry = CATALOG.get(current)
    if entry is None:
        raise UnknownEventType(event_type)
    return entry.model.title_zh, entry.model.title_en


def schema_version(event_type: str) -> int:
    match = _VERSIONED.match(event_type)
    if match is None:
        raise UnknownEventType(event_type)
    return int(match["version"])
