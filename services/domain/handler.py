"""What an area declares for each fact: the rule that may refuse it and the fold that applies it.

A ``Handler`` pairs the two for one payload class of the catalog, typed by that class end to end.
The areas (parties, quality, corrections, materials.facts, completion) declare one per fact, side
by side with the rule and the fold; ``project`` gathers them with ``registry`` and dispatches on
the payload's class.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from events.base import EventData
from services.domain.chain import SealedRecord
from services.domain.context import Context
from services.domain.ledger import EventRef
from services.domain.reasons import Rejection
from services.domain.state import ProjectState
from services.domain.submission import Submission

E = TypeVar("E", bound=EventData)


@dataclass(frozen=True)
class Handler(Generic[E]):
    """The rule and the fold of the facts whose payload is an ``event``."""

    event: type[E]
    rule: Callable[[ProjectState, E, Submission, Context], Rejection | None]
    """The refusal of a submission, or None to accept it; runs after ``project.decide``'s checks
    common to every fact (time, identity, the matrix, standing on the project)."""
    fold: Callable[[ProjectState, E, SealedRecord, EventRef], ProjectState]
    """The state with a sealed record applied; ``project.fold`` then moves the head and counts."""

    def decide(
        self, state: ProjectState, data: EventData, sub: Submission, ctx: Context
    ) -> Rejection | None:
        return self.rule(state, self._payload(data), sub, ctx)

    def apply(
        self, state: ProjectState, data: EventData, record: SealedRecord, ref: EventRef
    ) -> ProjectState:
        return self.fold(state, self._payload(data), record, ref)

    def _payload(self, data: EventData) -> E:
        if not isinstance(data, self.event):
            raise TypeError(f"the {self.event.__name__} handler was given {type(data).__name__}")
        return data


class AnyHandler(Protocol):
    """A handler whatever its payload class: what the registry holds and dispatches to."""

    @property
    def event(self) -> type[EventData]: ...

    def decide(
        self, state: ProjectState, data: EventData, sub: Submission, ctx: Context
    ) -> Rejection | None: ...

    def apply(
        self, state: ProjectState, data: EventData, record: SealedRecord, ref: EventRef
    ) -> ProjectState: ...


def no_rule(state: ProjectState, data: EventData, sub: Submission, ctx: Context) -> None:
    """For facts with no rule of their own: ``project.decide``'s common checks are all."""
    return None


def unchanged(
    state: ProjectState, data: EventData, record: SealedRecord, ref: EventRef
) -> ProjectState:
    """For facts the state keeps nothing of but their count (and evidence, and the head)."""
    return state


class RegistryError(Exception):
    """The handlers do not match the catalog one to one."""


def registry(
    handlers: Iterable[AnyHandler], catalog: Iterable[type[EventData]]
) -> Mapping[type[EventData], AnyHandler]:
    """The handlers by payload class: exactly one for each class of ``catalog``, none for another."""
    by_event: dict[type[EventData], AnyHandler] = {}
    for handler in handlers:
        if handler.event in by_event:
            raise RegistryError(f"two handlers for {handler.event.event_type}")
        by_event[handler.event] = handler
    classes = list(catalog)
    missing = [model.event_type for model in classes if model not in by_event]
    if missing:
        raise RegistryError(f"no handler for {', '.join(missing)}")
    extra = [model.event_type for model in by_event if model not in classes]
    if extra:
        raise RegistryError(f"handlers for types outside the catalog: {', '.join(extra)}")
    return by_event
