"""What a decision may need beyond the project's own state, looked up by the recorder."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple


@dataclass(frozen=True)
class ReferencedRecord:
    """A sealed record a correction points at, as the recorder looked it up."""

    event_id: str
    project_id: str
    type: str
    actor_org: str
    data: dict[str, Any]

    @classmethod
    def of(cls, body: dict[str, Any]) -> ReferencedRecord:
        """From a sealed record's body."""
        return cls(
            body["event_id"], body["project_id"], body["type"], body["actor"]["org"], body["data"]
        )


class Context(NamedTuple):
    """What a decision may need beyond the project's own state, looked up by the recorder."""

    referenced: Mapping[str, ReferencedRecord]
    """Sealed records that corrections point at."""
    reports_seen: Mapping[str, str]
    """Report numbers already sealed anywhere, with where (a reused number is a counterfeit signal)."""
