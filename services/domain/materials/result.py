"""What an evaluation says: the verdict, and every criterion with required value and actual value."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Verdict = Literal["pass", "fail", "invalid"]


@dataclass(frozen=True)
class Check:
    name: str
    op: str
    """'>=' or '<=' or '==' : how actual is compared with required."""
    required: float | str | bool
    actual: float | str | bool | None
    ok: bool

    def as_dict(self) -> dict[str, Any]:
        def r(x: Any) -> Any:
            return round(x, 4) if isinstance(x, float) else x

        return {
            "name": self.name,
            "op": self.op,
            "required": r(self.required),
            "actual": r(self.actual),
            "ok": self.ok,
        }


def at_least(name: str, actual: float, required: float) -> Check:
    return Check(name, ">=", required, actual, actual >= required - 1e-9)


def at_most(name: str, actual: float, required: float) -> Check:
    return Check(name, "<=", required, actual, actual <= required + 1e-9)


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

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "verdict": self.verdict,
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
                k: round(v, 4) if isinstance(v, float) else v for k, v in self.values.items()
            }
        return out


def judged(rule_table: str, checks: list[Check], **kw: Any) -> Evaluation:
    return Evaluation(
        "pass" if all(c.ok for c in checks) else "fail", rule_table, checks=checks, **kw
    )


def invalid(rule_table: str, *reasons: str, **kw: Any) -> Evaluation:
    return Evaluation("invalid", rule_table, reasons=list(reasons), **kw)
