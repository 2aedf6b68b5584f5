"""Frozen models, and the copies folds make of them.

States are immutable: a fold returns a new state. ``replace`` is the one way a fold changes fields
of a model: each name must be a field of the model and each value an instance of the field's
declared class, checked shallowly (``dict[str, Party]`` as a dict, ``EventRef | None`` as either,
``Any`` and ``Literal`` not at all), so a misspelt field or a bare string where an enum belongs
fails at once instead of slipping into the state as ``model_copy(update=...)`` would let it. The
check costs a dictionary lookup and an ``isinstance`` per field: replay stays as fast as before.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Mapping
from typing import TypeVar, Union, get_args, get_origin

from pydantic import BaseModel

K = TypeVar("K")
V = TypeVar("V")
M = TypeVar("M", bound=BaseModel)


def with_entry(mapping: Mapping[K, V], key: K, value: V) -> dict[K, V]:
    """A copy of ``mapping`` with ``key`` set: states are immutable, folds build new ones."""
    return {**mapping, key: value}


def replace(model: M, /, **changes: object) -> M:
    """A copy of ``model`` with ``changes``; TypeError for a name that is not a field or a value
    that is not of the field's class."""
    accepted = _accepted_by_field(type(model))
    for name, value in changes.items():
        if name not in accepted:
            raise TypeError(f"{type(model).__name__} has no field {name!r}")
        classes = accepted[name]
        if classes is not None and not isinstance(value, classes):
            raise TypeError(
                f"{type(model).__name__}.{name} takes {' | '.join(c.__name__ for c in classes)},"
                f" not {type(value).__name__}"
            )
    return model.model_copy(update=changes)


@functools.cache
def _accepted_by_field(model: type[BaseModel]) -> dict[str, tuple[type, ...] | None]:
    return {name: _accepted(field.annotation) for name, field in model.model_fields.items()}


def _accepted(annotation: object) -> tuple[type, ...] | None:
    """The classes a value of ``annotation`` is an instance of; None when not checked."""
    origin = get_origin(annotation)
    if origin is Union or origin is types.UnionType:
        found: list[type] = []
        for arg in get_args(annotation):
            classes = _accepted(arg)
            if classes is None:
                return None
            found += classes
        return tuple(found)
    if origin is not None:
        annotation = origin  # dict[str, Party] → dict; Literal[...] → Literal, not a class
    if annotation is None or annotation is types.NoneType:
        return (types.NoneType,)
    if annotation is float:
        return (float, int)  # pydantic takes an int for a float field
    if isinstance(annotation, type) and annotation is not object:
        return (annotation,)
    return None
