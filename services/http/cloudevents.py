"""Reads CloudEvents from HTTP requests in structured, binary and batch mode, and validates them.

Structured: ``application/cloudevents+json``, the body is the envelope. Binary: attributes in
``ce-*`` headers, the body is ``data``. Batch: ``application/cloudevents-batch+json``, a JSON array
of structured envelopes. The result is the envelope as a plain dict, checked against the catalog.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from pydantic import ValidationError

from events import limits
from events.envelope import Envelope
from events.registry import UnknownEventType, known_types, parse_data
from services.http.problems import Problem, field_errors

STRUCTURED = "application/cloudevents+json"
BATCH = "application/cloudevents-batch+json"

_INVALID = "https://qtrail.dev/problems/invalid-event"


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def _json(body: bytes) -> Any:
    try:
        return limits.loads(body)
    except limits.NotJson as exc:
        reason = limits.printable(str(exc))
        raise Problem(
            400,
            "Malformed JSON",
            f"the body is not JSON an event can be made of: {reason}",
            kind="https://qtrail.dev/problems/malformed-json",
            errors=[{"field": "(body)", "reason": reason}],
        ) from exc


def _bounded(envelope: dict[str, Any]) -> None:
    """The catalog's bounds for any event (events.limits): what could never be stored."""
    found = limits.check_event(envelope)
    if not found:
        return
    errors = [{"field": v.field, "reason": v.reason} for v in found]
    extra = {"id": envelope["id"]} if isinstance(envelope.get("id"), str) else None
    if extra and limits.violations(envelope["id"]):
        extra = None
    if any(v.kind == "size" for v in found):
        raise Problem(
            413,
            "Event too large",
            f"an event is at most {limits.MAX_EVENT_BYTES} bytes as compact JSON",
            kind="https://qtrail.dev/problems/event-too-large",
            errors=errors,
            extra=extra,
        )
    if any(v.kind == "depth" for v in found):
        raise Problem(
            400,
            "Nested too deeply",
            f"JSON in an event nests at most {limits.MAX_DEPTH} levels",
            kind="https://qtrail.dev/problems/malformed-json",
            errors=errors,
            extra=extra,
        )
    raise Problem(
        422,
        "Invalid event",
        f"{len(errors)} value(s) can never be stored: " + ", ".join(e["field"] for e in errors),
        kind=_INVALID,
        errors=errors,
        extra=extra,
    )


def read_single(headers: Mapping[str, str], body: bytes) -> dict[str, Any]:
    """The envelope of a structured or binary mode request."""
    kind = media_type(headers.get("content-type"))
    if kind == STRUCTURED:
        envelope = _json(body)
        if not isinstance(envelope, dict):
            raise Problem(
                400,
                "Invalid event",
                "a structured CloudEvent is a JSON object",
                kind=_INVALID,
                errors=[{"field": "(body)", "reason": "not an object"}],
            )
        return envelope
    if "ce-specversion" in {k.lower() for k in headers}:
        if kind not in ("application/json", ""):
            raise Problem(
                415,
                "Unsupported data content type",
                f"binary mode data must be application/json, not {kind}",
                errors=[{"field": "content-type", "reason": f"unsupported: {kind}"}],
            )
        # Header values are percent-encoded (CloudEvents HTTP binding 3.1.3.2).
        envelope = {
            k.lower()[3:]: unquote(v) for k, v in headers.items() if k.lower().startswith("ce-")
        }
        envelope["data"] = _json(body)
        envelope.setdefault("datacontenttype", "application/json")
        return envelope
    raise Problem(
        415,
        "Unsupported media type",
        f"send {STRUCTURED}, binary mode (ce-* headers with application/json), or {BATCH} "
        "to /v1/events/batch",
        errors=[{"field": "content-type", "reason": f"unsupported: {kind or '(none)'}"}],
    )


def read_batch(headers: Mapping[str, str], body: bytes) -> list[Any]:
    kind = media_type(headers.get("content-type"))
    if kind != BATCH:
        raise Problem(
            415,
            "Unsupported media type",
            f"a batch is sent as {BATCH}",
            errors=[{"field": "content-type", "reason": f"unsupported: {kind or '(none)'}"}],
        )
    batch = _json(body)
    if not isinstance(batch, list):
        raise Problem(
            400,
            "Invalid batch",
            "a batch is a JSON array of CloudEvents",
            kind=_INVALID,
            errors=[{"field": "(body)", "reason": "not an array"}],
        )
    return batch


def validate(envelope: Any) -> Envelope:
    """Check the envelope and its data against the catalog; a Problem names every bad field."""
    if not isinstance(envelope, dict):
        raise Problem(
            422,
            "Invalid event",
            "a CloudEvent is a JSON object",
            kind=_INVALID,
            errors=[{"field": "(event)", "reason": "not an object"}],
        )
    _bounded(envelope)
    errors: list[dict[str, Any]] = []
    parsed: Envelope | None = None
    try:
        parsed = Envelope.model_validate(envelope)
    except ValidationError as exc:
        errors += field_errors(exc)
    event_type = envelope.get("type")
    data = envelope.get("data")
    if isinstance(event_type, str) and isinstance(data, dict):
        try:
            parse_data(event_type, data)
        except UnknownEventType:
            errors.append(
                {"field": "type", "reason": f"unknown event type; known: {known_types()}"}
            )
        except ValidationError as exc:
            errors += field_errors(exc, prefix="data.")
    # An envelope error on "data" or "type" is already reported above in its own words.
    if errors:
        unique = list({(e["field"], e["reason"]): e for e in errors}.values())
        raise Problem(
            422,
            "Invalid event",
            f"{len(unique)} invalid field(s): " + ", ".join(e["field"] for e in unique),
            kind=_INVALID,
            errors=unique,
            extra={"id": envelope.get("id")} if isinstance(envelope.get("id"), str) else None,
        )
    assert parsed is not None
    return parsed
