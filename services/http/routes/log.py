"""The log of chain heads in the C2SP formats (public): the checkpoint note, the log's verifier
keys, hash tiles and entry bundles (c2sp.org/tlog-tiles), and witnesses' cosignatures.

Served under ``/log``, so the log's origin (``<host>/log`` by default) is also the URL prefix of
its tiles, as tlog-tiles recommends.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import PlainTextResponse, Response

from services.application.published_log import (
    CosignatureRefused,
    NoSuchTile,
    accept_cosignatures,
    served_checkpoint,
)
from services.http.deps import (
    CheckpointLog,
    CodeSigner,
    KnownWitnesses,
    LogTiles,
    WitnessCosignatures,
)
from services.http.problems import Problem

router = APIRouter(tags=["transparency log"])

TEXT = "text/plain; charset=utf-8"
IMMUTABLE = "public, max-age=31536000, immutable"
SHORT_LIVED = "public, max-age=60"
"""A partial tile never changes either, but the log may stop serving it once the full one is
there (tlog-tiles): caches keep it briefly."""
NO_CACHE = "no-cache"


@router.get(
    "/log/checkpoint",
    summary="The latest checkpoint as a C2SP signed note, with witnesses' cosignatures",
    response_class=PlainTextResponse,
)
async def checkpoint(store: CheckpointLog, cosignatures: WitnessCosignatures) -> Response:
    note = await served_checkpoint(store, cosignatures)
    if note is None:
        raise Problem(404, "No checkpoint note yet", "the next checkpoint the log signs has one")
    return Response(note, media_type=TEXT, headers={"cache-control": NO_CACHE})


@router.get(
    "/log/verifier-key",
    summary="The log's note verifier keys, one per line, the active one first",
    response_class=PlainTextResponse,
)
async def verifier_key(signer: CodeSigner) -> Response:
    text = "".join(f"{key.text()}\n" for key in signer.note_keys)
    return Response(text, media_type=TEXT, headers={"cache-control": NO_CACHE})


@router.get(
    "/log/tile/{path:path}",
    summary="A hash tile or entry bundle of the signed tree (c2sp.org/tlog-tiles)",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
async def tile(path: Annotated[str, Path(max_length=200)], tiles: LogTiles) -> Response:
    try:
        served = await tiles.tile(f"tile/{path}")
    except NoSuchTile as exc:
        raise Problem(404, "No such tile", str(exc)) from exc
    return Response(
        served.data,
        media_type="application/octet-stream",
        headers={"cache-control": IMMUTABLE if served.full else SHORT_LIVED},
    )


@router.post(
    "/log/cosignatures",
    summary="A witness returns its cosignature of a checkpoint (the note with its signature line)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {TEXT: {"schema": {"type": "string", "maxLength": 65536}}},
        }
    },
)
async def cosign(
    request: Request,
    store: CheckpointLog,
    cosignatures: WitnessCosignatures,
    witnesses: KnownWitnesses,
) -> dict[str, Any]:
    try:
        note = (await request.body()).decode("utf-8")
    except UnicodeDecodeError:
        reason = "a note is UTF-8 text"
        raise Problem(
            400, "Not a checkpoint note", reason, errors=[{"field": "(body)", "reason": reason}]
        ) from None
    try:
        accepted = await accept_cosignatures(
            store, cosignatures, witnesses, note, dt.datetime.now(dt.UTC)
        )
    except CosignatureRefused as exc:
        titles = {400: "Not a checkpoint note", 403: "Cosignature refused"}
        raise Problem(
            exc.status,
            titles.get(exc.status, "Unknown checkpoint"),
            exc.reason,
            errors=[{"field": "(body)", "reason": exc.reason}],
        ) from exc
    return {
        "checkpoint": accepted.checkpoint,
        "cosignatures": [
            {"witness": sig.name, "key_id": f"{sig.key_id:08x}", "new": new}
            for sig, new in accepted.cosignatures
        ],
    }
