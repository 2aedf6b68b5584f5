"""The FileStore port's contract: content put under its SHA-256 comes back whole; an unknown hash is
None; a file once written never changes, so a second put is harmless."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from services.adapters.evidence import FolderEvidenceStore
from services.application.ports import FileStore
from tests.support.fakes import MemoryFileStore


@pytest.fixture(params=["memory", "folder"])
def files(request: pytest.FixtureRequest, tmp_path: Path) -> FileStore:
    if request.param == "memory":
        return MemoryFileStore()
    return FolderEvidenceStore(tmp_path / "evidence")


def sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


async def test_put_content_comes_back_whole(files: FileStore) -> None:
    small, large = b"%PDF-1.7 commitment letter", os.urandom(3 * 1024 * 1024)
    for content in (small, large, b""):
        await files.put(sha(content), content)
    for content in (small, large, b""):
        assert await files.get(sha(content)) == content


async def test_an_unknown_hash_is_none(files: FileStore) -> None:
    await files.put(sha(b"kept"), b"kept")
    assert await files.get(sha(b"never put")) is None


async def test_a_second_put_changes_nothing(files: FileStore) -> None:
    content = b"site photo"
    await files.put(sha(content), content)
    await files.put(sha(content), content)
    await files.put(sha(content), b"other bytes under the same name")
    assert await files.get(sha(content)) == content


async def test_hashes_that_share_a_prefix_are_separate_files(files: FileStore) -> None:
    first, second = "ab" * 32, "ab" * 2 + "cd" * 30
    await files.put(first, b"one")
    await files.put(second, b"two")
    assert (await files.get(first), await files.get(second)) == (b"one", b"two")
