"""A sealed trail for the chart tests: the recorder's own path, in steps recorded on given days.

Each step is one recorder batch at its own clock, so raises and resolutions have times apart;
the records are the sealed chain, evaluations and all, and the state is its fold.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from services.domain.chain import SealedRecord
from services.domain.state import ProjectState
from tests.support.events import (
    T0,
    batch_closed,
    lab_commissioned,
    received,
    reported,
    sample,
    staffed,
    witness_authorized,
)
from tests.unit.domain.builders import decide_envelopes

P = "XZ-CHART-001"
DAY = dt.timedelta(days=1)
NS = "{http://www.w3.org/2000/svg}"


@dataclass
class Trail:
    """A project's sealed records and state, grown one recorder batch at a time."""

    state: ProjectState | None = None
    records: list[SealedRecord] = field(default_factory=list)

    def then(self, at: dt.datetime, *envelopes: Mapping[str, Any]) -> Trail:
        """Record ``envelopes`` as one batch at ``at``; every one must seal."""
        decision = decide_envelopes(envelopes, self.state, now=at)
        refused = [(r.event_id, r.rejection.code) for r in decision.rejected]
        assert refused == [], f"setup events were refused: {refused}"
        self.state = decision.states[P]
        self.records += decision.sealed
        return self

    @property
    def folded(self) -> ProjectState:
        assert self.state is not None
        return self.state


def staffed_trail() -> Trail:
    """Five parties appointed at T0 + 1 day, a lab and a witness: ready for samples."""
    return Trail().then(T0 + 2 * DAY, *staffed(P), lab_commissioned(P), witness_authorized(P))


def concrete_batch(
    trail: Trail,
    batch: str,
    groups: Iterable[float],
    *,
    at: dt.datetime,
    grade: str = "C30",
    sigma0: float | None = None,
) -> Trail:
    """A concrete batch: one witnessed sample and one group report per value, then its closing
    (which seals qtrail's evaluation)."""
    envelopes: list[dict[str, Any]] = []
    for n, value in enumerate(groups, 1):
        sid = f"{batch}-S{n}"
        envelopes += [
            sample(P, sid, batch=batch, grade=grade, at=at),
            received(P, sid, at=at + dt.timedelta(hours=4)),
            reported(P, f"{batch}-R{n}", sid, {"group_mpa": value}, at=at + 28 * DAY),
        ]
    trail.then(at + 29 * DAY, *envelopes)
    return trail.then(
        at + 30 * DAY, batch_closed(P, batch, grade=grade, sigma0=sigma0, at=at + 30 * DAY)
    )


def parse(svg: str) -> ET.Element:
    """The chart as XML: parsing fails on anything unescaped."""
    root = ET.fromstring(svg)
    assert root.tag == f"{NS}svg"
    return root


def by_class(root: ET.Element, tag: str, cls: str) -> list[ET.Element]:
    """Elements ``tag`` whose class list has ``cls``."""
    return [e for e in root.iter(f"{NS}{tag}") if cls in e.get("class", "").split()]


def texts(element: ET.Element) -> list[str]:
    return [t.text or "" for t in element.iter(f"{NS}text")]


def tooltip(element: ET.Element) -> str:
    title = element.find(f"{NS}title")
    assert title is not None
    return title.text or ""


HOSTILE = "<script>alert(1)</script> & \"q\" 'x' </svg><svg onload=alert(1)>"
"""A name that would break out of SVG text and attributes alike if it were not escaped."""
RAW = ("<script", "</script", "<svg onload", "& ")
"""What must never appear in the SVG source, whatever was submitted."""


def assert_escaped(svg: str) -> None:
    for raw in RAW:
        assert raw not in svg, f"unescaped {raw!r}"
