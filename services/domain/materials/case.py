"""Reading a case: every field known or refused, every figure a finite and plausible number.

A misspelt field must not drop a check, so an unknown field makes the case invalid and is named.
The engine is total: wrong types, NaN, 1e308, integers of a thousand digits and nested lists all
end as reasons on an ``invalid`` result, never as an exception.
"""

from __future__ import annotations

import difflib
import math
import reprlib
from collections.abc import Collection, Mapping
from typing import Any

from services.domain.materials.plausible import implausible

COMMON_FIELDS = frozenset({"standard", "sampled_on"})
"""Fields every case may carry: which edition judges it, or the date that chooses the edition."""

_SHOW = reprlib.Repr()
_SHOW.maxstring = 40
_SHOW.maxother = 40
_SHOW.maxlist = 4
_SHOW.maxdict = 4
_SHOW.maxlevel = 2


def show(value: Any) -> str:
    """A short, safe rendering of whatever a case holds, for a reason."""
    return _SHOW.repr(value)


def finite(value: Any) -> float | None:
    """The number ``value`` is, or None for anything that is not a finite int or float."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def unknown_fields(case: Mapping[Any, Any], known: Collection[str], what: str) -> list[str]:
    """A reason per field ``known`` does not list, with the closest known name when there is one."""
    reasons = []
    for key in case:
        if key in known:
            continue
        close = difflib.get_close_matches(key, sorted(known), n=1) if isinstance(key, str) else []
        hint = f"; did you mean {close[0]}?" if close else f"; known: {', '.join(sorted(known))}"
        name = key if isinstance(key, str) and len(key) <= 40 else show(key)
        reasons.append(f"{name}: not a field of a {what} case{hint}")
    return reasons


def figure(
    case: Mapping[str, Any],
    name: str,
    bounds: Mapping[str, Any],
    *,
    required: bool,
    scale: float = 1.0,
) -> tuple[float | None, str | None]:
    """(value, None); (None, reason); or (None, None) for an optional figure absent or null."""
    if name not in case or (case[name] is None and not required):
        return None, (f"{name}: required" if required else None)
    value = finite(case[name])
    if value is None:
        return None, f"{name}: {show(case[name])} is not a finite number"
    problem = implausible(value, bounds, scale=scale)
    return (None, f"{name}: {problem}") if problem else (value, None)


def flag(case: Mapping[str, Any], name: str, *, required: bool) -> tuple[bool | None, str | None]:
    """A test result that is true (passed) or false (failed); absent or null is not given."""
    value = case.get(name)
    if value is None:
        return None, (f"{name}: required, true or false" if required else None)
    if not isinstance(value, bool):
        return None, f"{name}: {show(value)} is not true or false"
    return value, None
