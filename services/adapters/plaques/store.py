"""Rendered plaque files, kept by the digest of their code; written once, served many times."""

from __future__ import annotations

import asyncio
import hashlib
import os
from pathlib import Path

FORMATS = {"svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf"}


class PlaqueFiles:
    def __init__(self, root: Path) -> None:
        self._root = root

    def _path(self, code: str, ext: str) -> Path:
        digest = hashlib.sha256(code.encode()).hexdigest()
        return self._root / digest[:2] / f"{digest}.{ext}"

    def has(self, code: str) -> bool:
        return all(self._path(code, ext).exists() for ext in FORMATS)

    def path(self, code: str, ext: str) -> Path | None:
        path = self._path(code, ext)
        return path if path.exists() else None

    def _write(self, code: str, files: dict[str, bytes]) -> None:
        for ext, content in files.items():
            path = self._path(code, ext)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(content)
            tmp.replace(path)

    async def put(self, code: str, files: dict[str, bytes]) -> None:
        await asyncio.to_thread(self._write, code, files)
