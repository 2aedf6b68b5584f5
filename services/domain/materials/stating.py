"""Stated values (修约), GB/T 8170-2008: the standards judge a figure as stated, not as measured.

A figure is rounded to an increment (0.1, 0.01, 0.5, 5 …): below half is dropped, above half
carries, exactly half goes to the even multiple of the increment (四舍六入五成双). The 0.5- and
5-unit increments of GB/T 8170 §3.3 (double, round, halve) come to the same thing as rounding
value/increment to a whole number. Worked in decimal from the number as written (its shortest
repr), so 0.35 is exactly a half and is never 0.34999… in binary.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from typing import Any


def exact(value: float | Decimal) -> Decimal:
    """The decimal the figure was written as (``33.6``, not 33.60000000000000142…)."""
    return value if isinstance(value, Decimal) else Decimal(repr(float(value)))


def stated_exact(value: float | Decimal, increment: float) -> Decimal:
    """``value`` stated to ``increment`` by the GB/T 8170 rule, as an exact decimal."""
    step = exact(increment)
    with localcontext() as ctx:
        ctx.prec = 60
        multiple = (exact(value) / step).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
        return multiple * step


def stated(value: float | Decimal, increment: float) -> float:
    """``value`` stated to ``increment`` by the GB/T 8170 rule."""
    return float(stated_exact(value, increment))


def increment_for(value: float, bands: Sequence[Mapping[str, Any]]) -> float:
    """The increment of the first band whose ``up_to`` covers ``value`` (``None``: no upper end)."""
    for band in bands:
        if band["up_to"] is None or value <= band["up_to"]:
            return float(band["increment"])
    return float(bands[-1]["increment"])
