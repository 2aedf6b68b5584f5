"""The memory stores and a signing key the use-case tests share."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.adapters.signing import Signer
from tests.support.fakes import MemoryCheckpointLog, MemoryDatabase, MemoryReadModels, MemoryTrail


@dataclass(frozen=True)
class Stores:
    """The fakes over one memory database, as the real adapters share one PostgreSQL."""

    db: MemoryDatabase
    trail: MemoryTrail
    log: MemoryCheckpointLog
    models: MemoryReadModels


@pytest.fixture
def stores() -> Stores:
    db = MemoryDatabase()
    return Stores(db, MemoryTrail(db), MemoryCheckpointLog(db), MemoryReadModels(db))


@pytest.fixture
def signer() -> Signer:
    return Signer({"unit-1": Ed25519PrivateKey.generate()}, "unit-1", set())
