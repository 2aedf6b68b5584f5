"""Whose project is it: a station's jurisdiction, as administrative division codes (GB/T 2260).

A code's trailing zero pairs widen it: ``320000`` is the province (every ``32xxxx``), ``320300``
the city (every ``3203xx``), ``320311`` one district. A station reads the projects whose site's
division its jurisdiction covers; a chain registered before registrations named their site
(``division`` None) is read by every station, as before.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_CODE = re.compile(r"^[1-9][0-9]{5}$")


def valid_division(code: str) -> bool:
    return bool(_CODE.fullmatch(code))


def prefix(code: str) -> str:
    """The leading digits every division within ``code`` shares."""
    if not valid_division(code):
        raise ValueError(f"division: {code!r} is not a 6-digit GB/T 2260 code")
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def covers(jurisdiction: Iterable[str], division: str | None) -> bool:
    """Whether a station with ``jurisdiction`` sees a site in ``division``."""
    if division is None:
        return True
    return any(division.startswith(prefix(code)) for code in jurisdiction)
