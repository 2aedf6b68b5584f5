"""A witness's adapters: the watched log over HTTP (C2SP paths under the log's URL), and the
witness's own state in a folder of its own (the last cosigned checkpoint as JSON, written
atomically; alerts appended one JSON object a line; its signing key, created once, mode 0600)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
from pathlib import Path

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.application.ports import Witnessed
from services.domain.transparency.keys import COSIGNATURE_V1, SignerKey
from services.domain.transparency.tiles import Tile

MAX_NOTE = 1 << 20


class LogUnreachable(RuntimeError):
    """The log did not answer as a log does: try again later (no alert, nothing cosigned)."""


class HttpLog:
    """A log served at ``url`` (``<url>/checkpoint``, ``<url>/tile/…``), cosignatures returned
    to ``<url>/cosignatures``."""

    def __init__(self, client: httpx.AsyncClient, url: str) -> None:
        self._client = client
        self._url = url.rstrip("/")

    async def _get(self, path: str) -> httpx.Response:
        try:
            answer = await self._client.get(f"{self._url}/{path}")
        except httpx.HTTPError as exc:
            raise LogUnreachable(f"{self._url}/{path}: {exc}") from exc
        return answer

    async def checkpoint(self) -> str:
        answer = await self._get("checkpoint")
        if answer.status_code != 200 or len(answer.content) > MAX_NOTE:
            raise LogUnreachable(f"{self._url}/checkpoint answered {answer.status_code}")
        return answer.content.decode("utf-8", errors="replace")

    async def tile(self, tile: Tile) -> bytes:
        answer = await self._get(tile.path())
        if answer.status_code == 404:
            raise KeyError(tile.path())
        if answer.status_code != 200:
            raise LogUnreachable(f"{self._url}/{tile.path()} answered {answer.status_code}")
        return answer.content

    async def publish(self, cosigned: str) -> None:
        try:
            answer = await self._client.post(
                f"{self._url}/cosignatures",
                content=cosigned.encode(),
                headers={"content-type": "text/plain; charset=utf-8"},
            )
        except httpx.HTTPError as exc:
            raise LogUnreachable(f"{self._url}/cosignatures: {exc}") from exc
        if answer.status_code != 200:
            raise LogUnreachable(
                f"{self._url}/cosignatures answered {answer.status_code}: {answer.text[:500]}"
            )


def _write_atomically(path: Path, text: str, mode: int = 0o600) -> None:
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(partial, path)


class WitnessFolder:
    """The witness's state folder: ``witnessed.json``, ``alerts.jsonl`` and ``witness.key``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)

    @property
    def alerts_path(self) -> Path:
        return self.folder / "alerts.jsonl"

    async def last(self) -> Witnessed | None:
        path = self.folder / "witnessed.json"
        if not path.exists():
            return None
        kept = json.loads(path.read_text(encoding="utf-8"))
        return Witnessed(
            kept["origin"], int(kept["size"]), base64.b64decode(kept["root"]), kept["note"]
        )

    async def save(self, witnessed: Witnessed) -> None:
        body = {
            "origin": witnessed.origin,
            "size": witnessed.size,
            "root": base64.b64encode(witnessed.root).decode(),
            "note": witnessed.note,
        }
        _write_atomically(self.folder / "witnessed.json", json.dumps(body, indent=2) + "\n")

    async def alert(self, problem: str, note: str, at: dt.datetime) -> None:
        line = json.dumps({"at": at.isoformat(), "problem": problem, "note": note[:MAX_NOTE]})
        with self.alerts_path.open("a", encoding="utf-8") as f:
            f.write(line + "\n")
            f.flush()
            os.fsync(f.fileno())

    def key(self, name: str) -> SignerKey:
        """The witness's signing key: read, or created on first use under ``name``."""
        path = self.folder / "witness.key"
        if not path.exists():
            key = SignerKey.of(name, Ed25519PrivateKey.generate(), COSIGNATURE_V1)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass
            else:
                with os.fdopen(fd, "w") as f:
                    f.write(key.text() + "\n")
        key = SignerKey.parse(path.read_text().strip())
        if key.signature_type != COSIGNATURE_V1:
            raise ValueError(f"{path} is not a cosignature/v1 key")
        return key
