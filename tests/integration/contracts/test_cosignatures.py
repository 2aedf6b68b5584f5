"""The Cosignatures port's contract: one cosignature per checkpoint and witness key, the first
kept, read back by witness name and key id, each checkpoint's apart (memory fake and PostgreSQL, the
API's role writing as the API does)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import pytest

from services.adapters.postgres.cosignatures import CosignatureStore
from services.adapters.postgres.pool import create_pool
from services.application.ports import Cosignatures
from services.domain.transparency.note import NoteSignature
from tests.integration.contracts.conftest import Storage
from tests.integration.contracts.test_checkpoint_log import extend
from tests.support.fakes import MemoryCosignatures
from tests.support.sealing import NOW
from tests.support.stack import Environment


@pytest.fixture
async def cosignatures(backend: Environment | None) -> AsyncIterator[Cosignatures]:
    if backend is None:
        yield MemoryCosignatures()
        return
    pool = await create_pool(backend.settings, "api", max_size=2)
    try:
        yield CosignatureStore(pool)
    finally:
        await pool.close()


def cosignature(name: str, key_id: int) -> NoteSignature:
    return NoteSignature(name, key_id, os.urandom(72))


async def test_one_cosignature_per_checkpoint_and_key_the_first_kept(
    storage: Storage, cosignatures: Cosignatures
) -> None:
    async with storage.log.exclusive() as session:
        _, first = await extend(session, {f"COS-{uuid.uuid4().hex[:6]}": (1, os.urandom(32))})
    async with storage.log.exclusive() as session:
        _, second = await extend(session, {f"COS-{uuid.uuid4().hex[:6]}": (1, os.urandom(32))})
    a, again, b = cosignature("a.example/w", 1), cosignature("a.example/w", 1), cosignature("b", 2)
    rotated = cosignature("a.example/w", 3)
    assert await cosignatures.add(first.number, a, NOW)
    assert not await cosignatures.add(first.number, again, NOW)
    assert await cosignatures.add(first.number, b, NOW)
    assert await cosignatures.add(first.number, rotated, NOW)
    assert await cosignatures.add(second.number, again, NOW)
    assert await cosignatures.of(first.number) == [a, rotated, b]  # by witness name and key id
    assert await cosignatures.of(second.number) == [again]
    assert await cosignatures.of(second.number + 1) == []
