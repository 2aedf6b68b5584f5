"""The station's acts as HTML forms, derived from the catalog's own models: each field's input
and its label come from the payload model (its type and its "中文 / English" description), and a
posted form becomes the payload the public API would be sent. Nothing here decides anything: the
form's CloudEvent goes through the same validation, key check and ingest as ``POST /v1/events``.
"""

from __future__ import annotations

import datetime as dt
import types
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, Union, get_args, get_origin

from pydantic.fields import FieldInfo

from events.base import EventData
from events.supervision import (
    AcceptanceAttended,
    ArchiveTransferred,
    CommitmentsAcknowledged,
    CompletionFiled,
    FilingAccepted,
    FilingRefused,
    InspectionRecorded,
    RectificationOrdered,
    RectificationVerified,
    WorkResumed,
    WorkStopped,
)

ACTS: dict[str, type[EventData]] = {
    "filing_accepted": FilingAccepted,
    "filing_refused": FilingRefused,
    "commitments_acknowledged": CommitmentsAcknowledged,
    "inspection_recorded": InspectionRecorded,
    "rectification_ordered": RectificationOrdered,
    "rectification_verified": RectificationVerified,
    "work_stopped": WorkStopped,
    "work_resumed": WorkResumed,
    "acceptance_attended": AcceptanceAttended,
    "completion_filed": CompletionFiled,
    "archive_transferred": ArchiveTransferred,
}
"""The station's acts a form records, by the name in the form's address."""

LABELS: dict[str, tuple[str, str]] = {
    "reason": ("理由", "reason"),
    "remarks": ("备注", "remarks"),
    "evidence": ("证据文件 SHA-256（每行一个）", "evidence SHA-256, one per line"),
    "issued_on": ("下发日期", "issued on"),
    "ordered_on": ("下达日期", "ordered on"),
    "resumed_on": ("复工日期", "resumed on"),
    "verified_on": ("复查日期", "verified on"),
    "attended_on": ("参加验收日期", "attended on"),
    "filed_on": ("备案日期", "filed on"),
    "transferred_on": ("移交日期", "handed over on"),
    "inspected_on": ("检查日期", "inspected on"),
    "order_id": ("停工通知编号", "order number"),
    "notice_id": ("整改通知单编号", "notice number"),
    "unit_id": ("单位工程", "building"),
}
"""Labels of fields whose model gives no description."""


@dataclass(frozen=True)
class FormField:
    name: str
    kind: Literal["text", "lines", "date", "select"]
    label_zh: str
    label_en: str
    required: bool
    options: tuple[str, ...] = ()


def _label(name: str, info: FieldInfo) -> tuple[str, str]:
    described = info.description or ""
    zh, sep, en = described.partition(" / ")
    if sep and zh and en:
        return zh.strip(), en.split(";")[0].strip()
    return LABELS.get(name, (name, name))


def _plain(annotation: Any) -> tuple[Any, bool]:
    """The annotation without ``| None``, and whether None was allowed."""
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return args[0], len(args) < len(get_args(annotation))
    return annotation, False


def form_fields(model: type[EventData]) -> list[FormField]:
    fields = []
    for name, info in model.model_fields.items():
        annotation, optional = _plain(info.annotation)
        zh, en = _label(name, info)
        required = info.is_required() and not optional
        if get_origin(annotation) is Literal:
            options = tuple(str(a) for a in get_args(annotation))
            fields.append(FormField(name, "select", zh, en, required, options))
        elif get_origin(annotation) is list:
            fields.append(FormField(name, "lines", zh, en, required))
        elif annotation is dt.date:
            fields.append(FormField(name, "date", zh, en, required))
        else:
            fields.append(FormField(name, "text", zh, en, required))
    return fields


def form_payload(model: type[EventData], form: Mapping[str, str]) -> dict[str, Any]:
    """The payload a posted form stands for: lists one item per line, empty optional fields
    left out (the model then names what is missing, as the API would)."""
    payload: dict[str, Any] = {}
    for field in form_fields(model):
        value = form.get(field.name, "")
        if field.kind == "lines":
            items = [line.strip() for line in value.splitlines() if line.strip()]
            if items or field.required:
                payload[field.name] = items
        elif value.strip():
            payload[field.name] = value.strip()
    return payload
