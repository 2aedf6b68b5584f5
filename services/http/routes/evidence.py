"""``PUT /v1/evidence/{sha256}`` and ``GET /v1/evidence/{sha256}``: content-addressed files.

An event may reference a file before it is uploaded (offline sync); the project then shows the
file as pending. The server checks the hash, the size and that the bytes are what their type says.
"""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse, Response

from services.domain.access import KeyKind
from services.http.auth import Caller, forbidden
from services.http.deps import Config, EvidenceFiles, EvidenceRecords
from services.http.problems import Problem

router = APIRouter(tags=["evidence"])

SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}
"""Allowed media types and the magic bytes their content must start with."""

Sha = Annotated[
    str, Path(pattern="^[0-9a-f]{64}$", description="SHA-256 of the file, lowercase hex")
]


@router.put("/v1/evidence/{sha256}", summary="Upload an evidence file under its SHA-256")
async def put_evidence(
    sha256: Sha,
    request: Request,
    settings: Config,
    files: EvidenceFiles,
    records: EvidenceRecords,
    caller: Caller,
) -> JSONResponse:
    if caller.kind not in (KeyKind.PARTY, KeyKind.LAB):
        raise forbidden(f"a {caller.kind.value} key cannot upload evidence")
    media_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if media_type not in SIGNATURES:
        raise Problem(
            415,
            "Unsupported evidence type",
            f"allowed: {sorted(SIGNATURES)}",
            errors=[{"field": "content-type", "reason": f"unsupported: {media_type or '(none)'}"}],
        )
    limit = settings.evidence_max_bytes
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Problem(
                413,
                "Evidence too large",
                f"at most {limit} bytes",
                errors=[{"field": "(body)", "reason": f"larger than {limit} bytes"}],
            )
        chunks.append(chunk)
    content = b"".join(chunks)
    if not content.startswith(SIGNATURES[media_type]):
        raise Problem(
            422,
            "Content does not match its type",
            f"the bytes are not {media_type}",
            errors=[{"field": "(body)", "reason": f"not a {media_type} file"}],
        )
    actual = hashlib.sha256(content).hexdigest()
    if actual != sha256:
        raise Problem(
            422,
            "Hash mismatch",
            "the body's SHA-256 differs from the URL",
            errors=[{"field": "sha256", "reason": f"body hashes to {actual}"}],
        )
    await files.put(sha256, content)  # file first: a row never names a missing file
    first = await records.note(sha256, len(content), media_type, caller.org)
    return JSONResponse(
        {"sha256": sha256, "size": len(content), "media_type": media_type},
        status_code=201 if first else 200,
    )


@router.get("/v1/evidence/{sha256}", summary="Download an evidence file (uploader or regulator)")
async def get_evidence(
    sha256: Sha, files: EvidenceFiles, records: EvidenceRecords, caller: Caller
) -> Response:
    row = await records.describe(sha256)
    if row is None:
        raise Problem(404, "Unknown evidence", f"no file {sha256} was uploaded")
    if caller.kind is not KeyKind.REGULATOR and row["uploaded_by"] != caller.org:
        raise forbidden("evidence files are served to their uploader and to regulators")
    content = await files.get(sha256)
    if content is None:
        raise Problem(503, "Evidence file unavailable", "the file store does not have it")
    return Response(
        content,
        media_type=row["media_type"],
        headers={"cache-control": "private, max-age=31536000, immutable"},
    )
