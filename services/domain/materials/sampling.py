"""How many samplings a lot or batch needs: GB 50204-2015 §7.4.1 for concrete, one per 60 t of
rebar, one per 200 t of bagged (500 t of bulk) cement (§7.2.1).

Figures come from ``tables/acceptance/sampling.json``; each requirement names its rule and clause,
so a shortfall says which rule the count misses. Quantities are compared exactly (as decimals),
so 100 m³ needs one sampling and 100.1 m³ two.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

from services.domain.state import Sampling


@cache
def table() -> dict[str, Any]:
    text = (
        resources.files(__package__).joinpath("tables/acceptance/sampling.json").read_text("utf-8")
    )
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@dataclass(frozen=True)
class Requirement:
    rule: str
    required: int


def _per(quantity: float | int, step: float | int) -> int:
    """Samplings for ``quantity`` at one per ``step`` or part of it (at least one)."""
    return max(1, math.ceil(Decimal(str(quantity)) / Decimal(str(step))))


def concrete_requirements(
    volume_m3: float, mixes: int, working_shifts: int, floors: int, continuous_pour: bool
) -> list[Requirement]:
    """Each rule of §7.4.1 that applies to the batch, with the samplings it asks for."""
    t = table()["concrete"]
    out: list[Requirement] = []
    if continuous_pour and Decimal(str(volume_m3)) > Decimal(str(t["continuous_over_m3"])):
        out.append(
            Requirement(
                f"one per {t['continuous_per_m3']} m³ of a continuous pour over "
                f"{t['continuous_over_m3']} m³ ({volume_m3:g} m³)",
                _per(volume_m3, t["continuous_per_m3"]),
            )
        )
    else:
        out.append(
            Requirement(f"one per {t['per_mixes']} mixes ({mixes})", _per(mixes, t["per_mixes"]))
        )
        out.append(
            Requirement(
                f"one per {t['per_m3']} m³ ({volume_m3:g} m³)", _per(volume_m3, t["per_m3"])
            )
        )
    out.append(Requirement(f"one per working shift ({working_shifts})", working_shifts))
    out.append(Requirement(f"one per floor ({floors})", floors))
    return out


def rebar_requirements(quantity_t: float) -> list[Requirement]:
    per = table()["rebar"]["per_t"]
    return [Requirement(f"one per {per} t ({quantity_t:g} t)", _per(quantity_t, per))]


def cement_requirements(quantity_t: float, packaging: str) -> list[Requirement]:
    per = table()["cement"][f"{packaging}_per_t"]
    return [
        Requirement(
            f"one per {per} t of {packaging} cement ({quantity_t:g} t)", _per(quantity_t, per)
        )
    ]


def checked(material: str, counted: int, requirements: list[Requirement]) -> Sampling:
    """The count against the requirements: the most any rule asks for, and each rule missed."""
    entry = table()[material]
    standard = entry["standard"] + ("" if entry.get("confirmed") else " (figures unconfirmed)")
    return Sampling(
        standard=standard,
        counted=counted,
        required=max(r.required for r in requirements),
        short=[f"{r.rule}: {r.required}" for r in requirements if counted < r.required],
    )
