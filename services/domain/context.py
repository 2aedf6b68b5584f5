"""What a decision may need beyond the project's own state, looked up by the recorder."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from services.domain.corrections import ReferencedRecord


class Context(NamedTuple):
    """What a decision may need beyond the project's own state, looked up by the recorder."""

    referenced: Mapping[str, ReferencedRecord]
    """Sealed records that corrections point at."""
    reports_seen: Mapping[str, str]
    """Report numbers already sealed anywhere, with where (a reused number is a counterfeit signal)."""
