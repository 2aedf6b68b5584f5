"""What an evaluation says: the verdict, and every criterion with its raw, stated and required value.

A check compares the *stated* value (GB/T 8170 rounding to the increment the table names) with
the required one, as the standards do; the raw value stays beside it so a reader sees both.
``actual`` repeats the value judged, the key evaluations sealed before stating already carry.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from services.domain.materials.stating import exact, stated_exact

Verdict = Literal["pass", "fail", "invalid"]
Stage = Literal["final", "preliminary"]
"""``preliminary``: judged on what is known so far (a 3-day cement report); a later report completes it."""

MAX_REASONS = 20
"""A case with thousands of bad values gets the first ones named, then a count."""


def _plain(value: Any) -> Any:
    """JSON-safe and short: finite floats to 4 decimals, Decimals to floats."""
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float):
        return round(value, 4) if math.isfinite(value) else None
    return value


@dataclass(frozen=True)
class Check:
    name: str
    op: str
    """'>=' or '<=' or '==' or 'within ±': how the stated value is compared with required."""
    required: float | str | bool
    stated: float | str | bool | None
    """The value judged: the raw value stated to ``stated_to`` (the raw value itself if none)."""
    ok: bool
    raw: float | str | bool | None = None
    stated_to: float | None = None
    basis: str | None = None
    """The clause behind a required value that is not the table's plain figure (an allowance)."""

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "op": self.op,
            "required": _plain(self.required),
            "raw": _plain(self.stated if self.raw is None else self.raw),
            "stated": _plain(self.stated),
            "actual": _plain(self.stated),
            "ok": self.ok,
        }
        if self.stated_to is not None:
            out["stated_to"] = self.stated_to
        if self.basis is not None:
            out["basis"] = self.basis
        return out


def _compare(
    name: str,
    op: str,
    raw: float | Decimal,
    required: float | Decimal,
    stated_to: float | None,
    basis: str | None,
) -> Check:
    value = stated_exact(raw, stated_to) if stated_to is not None else exact(raw)
    limit = exact(required)
    ok = value >= limit if op == ">=" else value <= limit
    return Check(
        name,
        op,
        float(limit),
        float(value),
        ok,
        raw=float(raw),
        stated_to=stated_to,
        basis=basis,
    )


def at_least(
    name: str,
    raw: float | Decimal,
    required: float | Decimal,
    *,
    stated_to: float | None = None,
    basis: str | None = None,
) -> Check:
    return _compare(name, ">=", raw, required, stated_to, basis)


def at_most(
    name: str,
    raw: float | Decimal,
    required: float | Decimal,
    *,
    stated_to: float | None = None,
    basis: str | None = None,
) -> Check:
    return _compare(name, "<=", raw, required, stated_to, basis)


def holds(name: str, value: bool) -> Check:
    """A test that passes or fails as a whole (soundness, bend, reverse bend)."""
    return Check(name, "==", True, value, value is True)


@dataclass(frozen=True)
class Evaluation:
    verdict: Verdict
    rule_table: str
    method: str | None = None
    n: int | None = None
    checks: list[Check] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    """Why a case is invalid."""
    notes: list[str] = field(default_factory=list)
    """What a reader should know: unconfirmed figures, excluded groups, no retest allowed."""
    values: dict[str, Any] = field(default_factory=dict)
    """Derived figures (group values, mean, standard deviation, deviation %)."""
    standard: str | None = None
    """The edition judged by; None when the case named none qtrail could use."""
    stage: Stage = "final"

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "verdict": self.verdict,
            "stage": self.stage,
            "standard": self.standard,
            "method": self.method,
            "n": self.n,
            "checks": [c.as_dict() for c in self.checks],
            "rule_table": self.rule_table,
        }
        if self.reasons:
            out["reasons"] = self.reasons
        if self.notes:
            out["notes"] = self.notes
        if self.values:
            out["values"] = {
                k: [_plain(x) for x in v] if isinstance(v, list) else _plain(v)
                for k, v in self.values.items()
            }
        return out


def judged(rule_table: str, checks: list[Check], **kw: Any) -> Evaluation:
    return Evaluation(
        "pass" if all(c.ok for c in checks) else "fail", rule_table, checks=checks, **kw
    )


def invalid(rule_table: str, *reasons: str, **kw: Any) -> Evaluation:
    shown = list(reasons[:MAX_REASONS])
    if len(reasons) > MAX_REASONS:
        shown.append(f"… and {len(reasons) - MAX_REASONS} more")
    return Evaluation("invalid", rule_table, reasons=shown, **kw)
