"""The divisions (分部工程) of GB 50300-2013 Appendix B and the leads who sign each one's acceptance
(§6.0.3), from ``tables/gb-50300-2013.json``; and which Art. 40 warranty parts a building with
those divisions must be given a term for."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from events.acceptance import DIVISIONS, WARRANTY_PARTS

TABLE = Path(__file__).parent / "tables" / "gb-50300-2013.json"


@dataclass(frozen=True)
class DivisionRule:
    division: str
    code: str
    zh: str
    en: str
    signers: tuple[str, ...]
    """The party roles whose leads sign the division's acceptance, in Article 20's order."""
    clause: str


@cache
def table() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(TABLE.read_text(encoding="utf-8"))
    if tuple(data["divisions"]) != DIVISIONS:  # pragma: no cover - the table and catalog agree
        raise ValueError(f"{TABLE.name} divisions differ from the catalog's Division")
    return data


def division(name: str) -> DivisionRule:
    row = table()["divisions"][name]
    return DivisionRule(
        division=name,
        code=row["code"],
        zh=row["zh"],
        en=row["en"],
        signers=tuple(row["signers"]),
        clause=row["clause"],
    )


WARRANTY_PARTS_BY_DIVISION: dict[str, tuple[str, ...]] = {
    "foundation": ("foundation_structure",),
    "main_structure": ("foundation_structure",),
    # 建筑装饰装修 holds 外墙防水 (Appendix B) and the finishes; 屋面 the roof's waterproofing.
    "decoration": ("decoration", "waterproofing"),
    "roof": ("waterproofing",),
    # Pipes and equipment; 供暖 is in the same division, so its seasons are owed too.
    "plumbing_heating": ("electrical_plumbing", "heating_cooling"),
    "ventilation": ("electrical_plumbing", "heating_cooling"),
    "electrical": ("electrical_plumbing",),
    "intelligent": ("electrical_plumbing",),
    "energy": (),
    "elevator": ("electrical_plumbing",),
}
"""Art. 40's parts each division brings: a building's certificate covers every part its divisions
bring (建筑节能 is built into the others' parts and brings none of its own)."""


def warranty_parts(divisions: list[str]) -> list[str]:
    """The Art. 40 parts a building with ``divisions`` must be given a term for, in Art. 40's order."""
    owed = {part for d in divisions for part in WARRANTY_PARTS_BY_DIVISION[d]}
    return [part for part in WARRANTY_PARTS if part in owed]
