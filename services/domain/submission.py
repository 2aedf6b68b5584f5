"""A submitted fact as the recorder decides it: envelope checked, payload typed, digest taken."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import rfc8785
from pydantic import ValidationError

from events.base import EventData, Role
from events.envelope import Envelope
from events.registry import UnknownEventType, parse_data, schema_version
from services.domain import reasons
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
    return hashlib.sha256(rfc8785.dumps(envelope)).digest()


def read_submission(raw: bytes) -> Submission:
    """Parse one message of the submitted topic. Raises ``Unreadable`` with the reason."""
    raw_digest = hashlib.sha256(raw).digest()
    try:
        body = json.loads(raw)
    except ValueError as exc:
        detail = f"not JSON: {exc}"
        raise Unreadable(reasons.MALFORMED.format(detail=detail), None, None, raw_digest) from exc
    if not isinstance(body, dict):
        raise Unreadable(
            reasons.MALFORMED.format(detail="not a JSON object"), None, None, raw_digest
        )
    event_id = body.get("id") if isinstance(body.get("id"), str) else None
    project_id = body.get("subject") if isinstance(body.get("subject"), str) else None
    try:
        digest = envelope_digest(body)
    except (TypeError, ValueError):
        digest = raw_digest
    try:
        envelope = Envelope.model_validate(body)
        event_type, data = parse_data(envelope.type, envelope.data)
    except UnknownEventType as exc:
        rejection = reasons.UNKNOWN_TYPE.format(type=str(exc))
        raise Unreadable(rejection, event_id, project_id, digest) from exc
    except ValidationError as exc:
        detail = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
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
