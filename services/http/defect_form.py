"""The public defect-report form behind a plaque: its signed short-lived token and the checking of
what a passer-by sends.

The form needs no account, so it carries no session and CSRF has nothing to ride on; what it
needs is to be costly to abuse. Its token is a code signed like the plaque's own (kind ``f``,
bound to the project and the plaque serial, stamped with the time it was served): a report
without one, with one older than ``TOKEN_TTL`` or younger than ``TOKEN_MIN_AGE`` (a script, not a
person, fills a form in under two seconds), or with one for another plaque is refused. Every
field has a size limit, control characters are refused, and the page escapes whatever it shows.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

from events.acceptance import WARRANTY_PARTS
from services.adapters.signing import Signer
from services.domain.codes import InvalidCode

FORM = "f"
"""The kind of a form token; plaque (``p``) and report (``r``) routes refuse any other kind."""
TOKEN_TTL = dt.timedelta(hours=2)
TOKEN_MIN_AGE = dt.timedelta(seconds=2)
DESCRIPTION_MAX, CONTACT_MAX = 1000, 100
DWELLING = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,23}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_OR_NEWLINE = re.compile(r"[\x00-\x1f\x7f]")
_RECEIPT_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def form_token(signer: Signer, project_id: str, serial: int, now: dt.datetime) -> str:
    return signer.sign(FORM, project_id, f"{serial}.{int(now.timestamp())}")


@dataclass(frozen=True)
class FieldError:
    field: str
    zh: str
    en: str


_NOT_VALID = FieldError(
    "token", "表单无效，请刷新页面", "the form token is not valid: reload the page"
)


def token_problem(
    signer: Signer, token: str, project_id: str, serial: int, now: dt.datetime
) -> FieldError | None:
    """Why ``token`` does not let a report through for this plaque now (None: it does)."""
    try:
        claims = signer.verify(token)
    except InvalidCode:
        return _NOT_VALID
    bound, _, stamp = claims.number.partition(".")
    if claims.kind != FORM or claims.project_id != project_id or bound != str(serial):
        return FieldError(
            "token",
            "表单属于另一块标牌，请刷新页面",
            "the form token is for another plaque: reload the page",
        )
    if not stamp.isdigit() or len(stamp) > 12:
        return _NOT_VALID
    age = now - dt.datetime.fromtimestamp(int(stamp), dt.UTC)
    if age > TOKEN_TTL:
        return FieldError(
            "token", "表单已过期，请刷新页面", "the form has expired: reload the page"
        )
    if age < TOKEN_MIN_AGE:
        return FieldError(
            "token", "提交过快，请稍候再提交", "sent too fast: wait a moment and send again"
        )
    return None


@dataclass(frozen=True)
class PublicReport:
    """A checked report, ready to be kept off the chain."""

    part: str
    dwelling: str | None
    description: str
    contact: str | None


def check_report(
    part: str, dwelling: str, description: str, contact: str, dwellings: list[str]
) -> PublicReport | list[FieldError]:
    """The report, or every field that is wrong (each named). ``dwellings``: the building's
    registered dwellings, when it has them."""
    errors = []
    if part not in WARRANTY_PARTS:
        errors.append(FieldError("part", "请选择保修部位", "choose the part from the list"))
    dwelling, description, contact = dwelling.strip(), description.strip(), contact.strip()
    if dwelling and not DWELLING.match(dwelling):
        errors.append(
            FieldError(
                "dwelling",
                "户号只能由字母、数字、- 和 _ 组成，至多 24 个字符",
                "a dwelling number is up to 24 letters, digits, - or _",
            )
        )
    elif dwelling and dwellings and dwelling not in dwellings:
        errors.append(
            FieldError("dwelling", "本楼没有这个户号", "this building has no such dwelling")
        )
    if not description:
        errors.append(FieldError("description", "请描述问题", "describe the defect"))
    elif len(description) > DESCRIPTION_MAX:
        errors.append(
            FieldError(
                "description",
                f"问题描述至多 {DESCRIPTION_MAX} 个字",
                f"the description is at most {DESCRIPTION_MAX} characters",
            )
        )
    elif _CONTROL.search(description):
        errors.append(
            FieldError(
                "description", "问题描述含有控制字符", "the description has control characters"
            )
        )
    if len(contact) > CONTACT_MAX:
        errors.append(
            FieldError(
                "contact",
                f"联系方式至多 {CONTACT_MAX} 个字",
                f"the contact is at most {CONTACT_MAX} characters",
            )
        )
    elif _CONTROL_OR_NEWLINE.search(contact):
        errors.append(
            FieldError("contact", "联系方式含有控制字符", "the contact has control characters")
        )
    if errors:
        return errors
    return PublicReport(part, dwelling or None, description, contact or None)


def receipt_number() -> str:
    """A receipt the reporter keeps and the owner party files under: random, not a count (it
    says nothing of how many reports a project has had, and cannot be guessed)."""
    return "PR-" + "".join(secrets.choice(_RECEIPT_ALPHABET) for _ in range(12))
