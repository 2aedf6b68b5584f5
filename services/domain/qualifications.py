"""The practising registration a lead must hold: the construction lead (项目经理) is a registered
constructor (注册建造师), the supervision lead (总监理工程师) a registered supervising engineer
(注册监理工程师). Both carry a registration number and the qualification of their role.

The accepted titles, their legal basis and the registration number's placeholders are in
``tables/qualifications-v1.json``. A qualification matches when, with one trailing parenthesized
specialty removed, whitespace collapsed, hyphens read as spaces and letters case-folded, it equals
one of its role's titles: 一级注册建造师（建筑工程） is a constructor, 注册监理工程师 is not. No
published format of the registration number is cited, so only its presence is checked, and that
it is no placeholder (a listed word, no digit, or one character repeated).

Only submissions are judged: appointments sealed before these rules still fold.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from events.base import Person
from services.domain import reasons
from services.domain.reasons import Rejection

TABLE = Path(__file__).parent / "tables" / "qualifications-v1.json"

LEAD_REGISTRATION = ("registration_number", "qualification")
"""The lead's fields these rules keep: a correction touching one of them is judged by them too."""

_SPECIALTY = re.compile(r"\s*[(（][^()（）]*[)）]\s*$")


@dataclass(frozen=True)
class Requirement:
    """What a role's lead must hold, with the titles that say so."""

    role: str
    lead_zh: str
    lead_en: str
    needs_zh: str
    needs_en: str
    titles: frozenset[str]


@cache
def table() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(TABLE.read_text(encoding="utf-8"))
    return data


def normalized(text: str) -> str:
    return " ".join(text.replace("-", " ").split()).casefold()


@cache
def requirement(role: str) -> Requirement | None:
    """The role's requirement, or None for a role whose lead needs no registration here."""
    row = table()["roles"].get(role)
    if row is None:
        return None
    titles = frozenset(normalized(t) for lang in ("zh", "en") for t in row["titles"][lang])
    return Requirement(
        role=role,
        lead_zh=row["lead_zh"],
        lead_en=row["lead_en"],
        needs_zh=row["needs_zh"],
        needs_en=row["needs_en"],
        titles=titles,
    )


def qualifies(req: Requirement, qualification: str) -> bool:
    return normalized(_SPECIALTY.sub("", qualification)) in req.titles


@cache
def _placeholders() -> frozenset[str]:
    return frozenset(normalized(p) for p in table()["registration_number"]["placeholders"])


def is_placeholder(registration_number: str) -> bool:
    number = normalized(registration_number)
    return (
        number in _placeholders()
        or not any(c.isdigit() for c in number)
        or len(set(number.replace(" ", ""))) < 2
    )


def lead_refusal(
    role: str, lead: Person, field: str, *, only: Collection[str] = LEAD_REGISTRATION
) -> Rejection | None:
    """Why ``lead`` may not lead ``role``, or None; ``field`` is the lead's path in the payload.
    ``only`` limits the check to some of the fields (a correction is judged on those it changes)."""
    req = requirement(role)
    if req is None:
        return None
    names = {"lead_zh": req.lead_zh, "lead": req.lead_en}
    if "registration_number" in only:
        number = lead.registration_number
        if number is None:
            return reasons.REGISTRATION_MISSING.format(
                field=f"{field}.registration_number", **names
            )
        if is_placeholder(number):
            return reasons.REGISTRATION_PLACEHOLDER.format(
                field=f"{field}.registration_number", number=number, **names
            )
    if "qualification" in only:
        if lead.qualification is None:
            return reasons.QUALIFICATION_MISSING.format(
                field=f"{field}.qualification", needs_zh=req.needs_zh, needs=req.needs_en, **names
            )
        if not qualifies(req, lead.qualification):
            return reasons.QUALIFICATION_MISMATCH.format(
                field=f"{field}.qualification",
                title=lead.qualification,
                needs_zh=req.needs_zh,
                needs=req.needs_en,
                **names,
            )
    return None
