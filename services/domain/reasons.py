"""Why an event is refused: stable codes with a message in Chinese and English.

Codes are part of the public contract: site apps branch on them. Add codes; never reuse one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Reason:
    code: str
    zh: str
    en: str

    def format(self, **values: Any) -> Rejection:
        return Rejection(self.code, self.zh.format(**values), self.en.format(**values))


@dataclass(frozen=True)
class Rejection:
    """A decided refusal of one event, with its stable code."""

    code: str
    message_zh: str
    message_en: str


MALFORMED = Reason("event.malformed", "事件格式无效：{detail}", "malformed event: {detail}")
UNKNOWN_TYPE = Reason("event.unknown_type", "未知事件类型 {type}", "unknown event type {type}")
ID_CONFLICT = Reason(
    "event.id_conflict",
    "事件编号 {event_id} 已用于内容不同的事件，原事件保持不变",
    "event id {event_id} was already used for different content; the original stands",
)
FROM_THE_FUTURE = Reason(
    "time.in_future",
    "发生时间 {occurred_at} 晚于服务器时间超过 {tolerance} 秒",
    "occurred_at {occurred_at} is more than {tolerance} s ahead of the server clock",
)
BEFORE_REGISTRATION = Reason(
    "time.before_registration",
    "发生时间 {occurred_at} 早于项目登记时间 {registered_at}",
    "occurred_at {occurred_at} is before the project's registration at {registered_at}",
)
NOT_REGISTERED = Reason(
    "project.not_registered",
    "项目 {project_id} 尚未登记",
    "project {project_id} is not registered",
)
ALREADY_REGISTERED = Reason(
    "project.already_registered",
    "项目 {project_id} 已登记",
    "project {project_id} is already registered",
)
ROLE_NOT_ALLOWED = Reason(
    "auth.role_not_allowed",
    "角色 {role} 不能提交 {type}",
    "role {role} may not submit {type}",
)
NOT_A_PARTY = Reason(
    "auth.not_a_party",
    "单位 {org} 在本项目中不担任 {role}",
    "organization {org} does not hold the {role} role on this project",
)
