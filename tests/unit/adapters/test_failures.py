"""Which PostgreSQL failures the trail writer reports as the input's fault (Unstorable)."""

from __future__ import annotations

import asyncpg
import pytest

from services.adapters.postgres.failures import unstorable
from services.application.ports import Unstorable


@pytest.mark.parametrize(
    "exc",
    [
        asyncpg.CharacterNotInRepertoireError("nul"),
        asyncpg.NumericValueOutOfRangeError("range"),
        asyncpg.ProgramLimitExceededError("row too big"),
        asyncpg.CheckViolationError("check"),
        asyncpg.exceptions._base.DataError("invalid input for query argument $1"),
        OverflowError("math range error"),
        ValueError("bad"),
    ],
)
def test_the_inputs_fault(exc: BaseException) -> None:
    refused = unstorable(exc)
    assert isinstance(refused, Unstorable) and refused.cause is exc


@pytest.mark.parametrize(
    "exc",
    [
        asyncpg.UniqueViolationError("collision"),
        asyncpg.InsufficientPrivilegeError("grants"),
        asyncpg.AdminShutdownError("shutdown"),
        asyncpg.TooManyConnectionsError("too many"),
        asyncpg.ConnectionDoesNotExistError("gone"),
        OSError("refused"),
        TimeoutError(),
    ],
)
def test_the_worlds_trouble(exc: BaseException) -> None:
    assert unstorable(exc) is None
