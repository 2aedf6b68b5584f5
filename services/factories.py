"""Made-up but valid facts, for the demo, the tests and the bench.

Identifiers carry their real check characters (and are never a real organization's or person's);
envelopes are built from the catalog's typed event models and validated on the way, so a fact's
shape is spelled once, in ``events/``, and a builder that drifts from it fails at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass
from typing import Any

from events.base import EventData, Person, Role
from events.envelope import Envelope
from services.domain.identifiers import credit_code_check, id_number_check


def org_code(serial: int) -> str:
    """A valid unified social credit code of a made-up Xuzhou organization."""
    first17 = f"9132030{serial:010d}"
    return first17 + credit_code_check(first17)


def id_number(serial: int) -> str:
    """A valid, made-up citizen ID number (born 1970–1999 in Xuzhou), distinct per serial < 1000."""
    first17 = (
        f"320302{1970 + serial % 30}{serial % 12 + 1:02d}{serial % 28 + 1:02d}{serial % 1000:03d}"
    )
    return first17 + id_number_check(first17)


def sha(label: str) -> str:
    """A stand-in evidence hash (for facts whose file need not exist)."""
    return hashlib.sha256(label.encode()).hexdigest()


def person(
    name: str,
    number: str,
    *,
    registration: str | None = None,
    qualification: str = "一级注册建造师",
) -> Person:
    return Person(
        name=name,
        id_number=number,
        registration_number=registration or f"REG-{number[-6:]}",
        qualification=qualification,
    )


QUALIFICATIONS = {
    "owner": "建设单位项目负责人",
    "survey": "注册土木工程师（岩土）",
    "design": "一级注册结构工程师",
    "construction": "一级注册建造师",
    "supervision": "注册监理工程师",
}
"""Each party's lead's qualification: the construction and supervision leads' are the ones
``services.domain.qualifications`` requires."""


def lead_person(role: str, name: str, number: str) -> Person:
    """A lead of ``role``, registered with its role's qualification."""
    return person(name, number, qualification=QUALIFICATIONS[role])


@dataclass(frozen=True)
class Actor:
    """Who submits a fact: the organization, the person, and the role it acts in."""

    org: str
    person: str
    role: Role | str


def envelope(
    data: EventData,
    project: str,
    actor: Actor,
    at: dt.datetime,
    *,
    event_id: str | None = None,
    source: str = "qtrail-factories",
) -> dict[str, Any]:
    """The structured-mode CloudEvent a site app posts for ``data``; raises if it is not one the
    catalog's envelope accepts."""
    body = {
        "specversion": "1.0",
        "id": event_id or f"evt-{uuid.uuid4()}",
        "source": source,
        "type": data.event_type,
        "subject": project,
        "time": at.isoformat(),
        "actororg": actor.org,
        "actorperson": actor.person,
        "actorrole": str(actor.role),
        "data": data.model_dump(mode="json", exclude_unset=True),
    }
    Envelope.model_validate(body)
    return body
