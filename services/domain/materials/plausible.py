"""Plausible bounds of a measured quantity, and the unit slip that best explains a value outside them.

A cube strength of 5000 is not a strong concrete but 34.5 MPa typed in psi; judged as it stands it
would pass anything. Each rule table bounds every quantity it reads and lists the usual slips
(psi, kPa, g/m, a fraction for a percentage), most likely first, with the factor that undoes
them; the first slip that brings the value within bounds is named.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def implausible(value: float, bounds: Mapping[str, Any], *, scale: float = 1.0) -> str | None:
    """None when ``value`` is within ``bounds`` (times ``scale``); else why not, naming a slip."""
    low, high = bounds["min"] * scale, bounds["max"] * scale
    if low <= value <= high:
        return None
    unit = bounds["unit"]
    slip = next(
        (s["slip"] for s in bounds.get("slips", []) if low <= value * s["factor"] <= high), None
    )
    text = f"{value:g} {unit} is not a plausible {bounds['what']}"
    if slip:
        text += f"; {slip}?"
    return f"{text} (plausible: {low:.4g}–{high:.4g} {unit})"
