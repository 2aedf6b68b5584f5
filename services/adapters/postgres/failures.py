"""Which PostgreSQL failures are the input's fault: the store can never take it as it is."""

from __future__ import annotations

import asyncpg

from services.application.ports import Unstorable


def unstorable(exc: BaseException) -> Unstorable | None:
    """The port's ``Unstorable`` for a failure retrying cannot cure, else None.

    PostgreSQL's data exceptions (class 22: U+0000 in text or jsonb, a number out of range),
    integrity violations other than a key collision (23) and program limits (54: a row too
    large), and values the driver cannot encode. Connections, resources, locks, shutdowns and
    permissions are the world's trouble: they are not the input's fault.
    """
    if isinstance(exc, asyncpg.UniqueViolationError):
        return None
    if isinstance(exc, asyncpg.PostgresError):
        return Unstorable(exc) if str(exc.sqlstate)[:2] in {"22", "23", "54"} else None
    if isinstance(exc, asyncpg.InterfaceError):
        return Unstorable(exc) if isinstance(exc, ValueError) else None
    if isinstance(exc, (ValueError, TypeError, OverflowError, RecursionError)):
        return Unstorable(exc)  # building the rows from this input failed
    return None
