"""Check characters of Chinese identifiers.

Unified social credit code (统一社会信用代码), GB 32100-2015: 18 characters from a 31-character
alphabet; the last is a check character over the first 17. Citizen ID number (身份证号),
GB 11643-1999: 18 characters, ISO 7064 MOD 11-2 check. Both are pure and have no I/O.
"""

from __future__ import annotations

import functools
import re

from events.base import ID_NUMBER_PATTERN

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_SHAPE = re.compile(f"[{CREDIT_ALPHABET}]{{18}}")

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_SHAPE = re.compile(ID_NUMBER_PATTERN)


def credit_code_check(first17: str) -> str:
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


@functools.lru_cache(maxsize=4096)
def valid_credit_code(code: str) -> bool:
    """Cached: every event names its actor's code, and a city has few organizations."""
    return bool(_CREDIT_SHAPE.fullmatch(code)) and credit_code_check(code[:17]) == code[17]


def id_number_check(first17: str) -> str:
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def valid_id_number(number: str) -> bool:
    return bool(_ID_SHAPE.fullmatch(number)) and id_number_check(number[:17]) == number[17]


_ID_FIELDS = frozenset({"id_number", "lead_id_number"})
_CODE_FIELDS = frozenset({"org_code", "lab_code", "witness_org_code"})


def identity_problem(data: object, path: str = "") -> str | None:
    """The first identifier in a payload whose check character is wrong, as 'field: why'."""
    if isinstance(data, dict):
        for key, value in data.items():
            where = f"{path}.{key}" if path else key
            if isinstance(value, str) and key in _ID_FIELDS and not valid_id_number(value):
                return f"{where}: citizen ID number fails its check character (GB 11643)"
            if isinstance(value, str) and key in _CODE_FIELDS and not valid_credit_code(value):
                return f"{where}: unified social credit code fails its check character (GB 32100)"
            if (found := identity_problem(value, where)) is not None:
                return found
    elif isinstance(data, list):
        for index, value in enumerate(data):
            if (found := identity_problem(value, f"{path}[{index}]")) is not None:
                return found
    return None
