"""A submitted fact as the recorder decides it: envelope checked, payload typed, digest taken."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from events import limits
from events.base import EventData, Role
from events.envelope import Envelope
from events.registry import UnknownEventType, parse_data, schema_version
from services.domain import canonical, reasons
from services.domain.reasons import Rejection


@dataclass(frozen=True)
class Actor:
    org: str
    person: str
    role: Role

    def as_dict(self) -> dict[str, str]:
        return {"org": self.org, "person": self.person, "role": self.role.value}


@dataclass(frozen=True)
class Submission:
    event_id: str
    event_type: str
    """The current catalog type after upcasting: what decisions are made against."""
    submitted_type: str
    """The type as submitted; sealed as is, so the record keeps what the site said."""
    schema_version: int
    """Version of the submitted type."""
    source: str
    project_id: str
    occurred_at: dt.datetime
    actor: Actor
    data: EventData
    raw_data: dict[str, Any]
    """The payload as submitted (validated), sealed as is; folds upcast it on read."""
    digest: bytes
    """SHA-256 of the envelope's canonical bytes: the same id with another digest is a conflict."""


class Unreadable(ValueError):
    """The message cannot become a Submission; carries the rejection and what id it had, if any."""

    def __init__(
        self, rejection: Rejection, event_id: str | None, project_id: str | None, digest: bytes
    ) -> None:
        super().__init__(rejection.message_en)
        self.rejection = rejection
        self.event_id = event_id
        self.project_id = project_id
        self.digest = digest


def envelope_digest(envelope: dict[str, Any]) -> bytes:
    return hashlib.sha256(canonical.dumps(envelope)).digest()


def _label(value: Any) -> str | None:
    """An id or subject from an unreadable message, kept only if it can be stored and shown."""
    if isinstance(value, str) and 0 < len(value) <= 128 and not limits.violations(value):
        return value
    return None


def read_submission(raw: bytes) -> Submission:
    """Parse one message of the submitted topic. Raises ``Unreadable`` with the reason.

    The gateway refuses all of this before publishing; the recorder checks again because a
    message on the topic is only as good as whoever could write to it.
    """
    raw_digest = hashlib.sha256(raw).digest()
    try:
        body = limits.loads(raw)
    except limits.NotJson as exc:
        detail = limits.printable(f"not JSON: {exc}")
        raise Unreadable(reasons.MALFORMED.format(detail=detail), None, None, raw_digest) from exc
    if not isinstance(body, dict):
        raise Unreadable(
            reasons.MALFORMED.format(detail="not a JSON object"), None, None, raw_digest
        )
    event_id = _label(body.get("id"))
    project_id = _label(body.get("subject"))
    found = limits.check_event(body)
    if found:
        detail = limits.printable("; ".join(f"{v.field}: {v.reason}" for v in found))
        raise Unreadable(reasons.MALFORMED.format(detail=detail), event_id, project_id, raw_digest)
    digest = envelope_digest(body)
    try:
        envelope = Envelope.model_validate(body)
        event_type, data = parse_data(envelope.type, envelope.data)
    except UnknownEventType as exc:
        rejection = reasons.UNKNOWN_TYPE.format(type=str(exc))
        raise Unreadable(rejection, event_id, project_id, digest) from exc
    except ValidationError as exc:
        detail = limits.printable(
            "; ".join(
                f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
            )
        )
        raise Unreadable(
            reasons.MALFORMED.format(detail=detail), event_id, project_id, digest
        ) from exc
    return Submission(
        event_id=envelope.id,
        event_type=event_type,
        submitted_type=envelope.type,
        schema_version=schema_version(envelope.type),
        source=envelope.source,
        project_id=envelope.subject,
        occurred_at=envelope.occurred_at,
        actor=Actor(envelope.actororg, envelope.actorperson, envelope.actorrole),
        data=data,
        raw_data=envelope.data,
        digest=digest,
    )


def read_item(raw: bytes) -> tuple[bytes, Submission | Unreadable]:
    """A message with what it reads as: the submission, or why it is unreadable (a batch decides
    both kinds in order)."""
    try:
        return raw, read_submission(raw)
    except Unreadable as unreadable:
        return raw, unreadable
