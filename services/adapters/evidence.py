"""Evidence files in a local folder (the ``FileStore`` port: object storage can replace it).

Files are content-addressed by SHA-256 and never change once written. The folder store writes a
temporary file and renames it, so a crash never leaves a half-written file under its hash.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path


class FolderEvidenceStore:
    def __init__(self, root: Path) -> None:
        self._root = root

    def _path(self, sha256: str) -> Path:
        return self._root / sha256[:2] / sha256[2:4] / sha256

    def _write(self, sha256: str, content: bytes) -> None:
        path = self._path(sha256)
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        tmp.replace(path)

    async def put(self, sha256: str, content: bytes) -> None:
        await asyncio.to_thread(self._write, sha256, content)

    async def get(self, sha256: str) -> bytes | None:
        path = self._path(sha256)
        return await asyncio.to_thread(path.read_bytes) if path.exists() else None
