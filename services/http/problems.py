"""RFC 9457 problem details, the shape of every 4xx and 5xx answer."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse
from pydantic import ValidationError

PROBLEM = "application/problem+json"


class Problem(Exception):
    """An HTTP error with a problem+json body; ``errors`` names each bad field and why."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        *,
        kind: str = "about:blank",
        errors: list[dict[str, Any]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.kind = kind
        self.errors = errors or []
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": self.kind,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if self.errors:
            out["errors"] = self.errors
        return out | self.extra

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, media_type=PROBLEM)


def field_errors(exc: ValidationError, prefix: str = "") -> list[dict[str, Any]]:
    """Pydantic errors as ``{"field": "data.name", "reason": "..."}``, one per bad field."""
    out = []
    for err in exc.errors():
        path = ".".join(str(p) for p in err["loc"])
        field = f"{prefix}{path}" if path else prefix.rstrip(".") or "(body)"
        out.append({"field": field, "reason": err["msg"]})
    return out
