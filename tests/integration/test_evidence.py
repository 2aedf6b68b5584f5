"""Evidence files: content-addressed upload with hash, type and size checks; pending until uploaded."""

from __future__ import annotations

import hashlib
import uuid

from tests.support.client import Site
from tests.support.events import staffed
from tests.support.keys import auth

PDF = b"%PDF-1.4\n% qtrail test evidence\n" + uuid.uuid4().bytes + b"\n%%EOF\n"


async def _put(
    site: Site, content: bytes, media_type: str, sha: str | None = None, as_: str = "owner"
):
    sha = sha or hashlib.sha256(content).hexdigest()
    return await site.client.put(
        f"/v1/evidence/{sha}",
        content=content,
        headers={"content-type": media_type} | auth(site.tokens[as_]),
    )


async def test_upload_is_checked_and_idempotent(site: Site) -> None:
    first = await _put(site, PDF, "application/pdf")
    assert first.status_code == 201 and first.json()["size"] == len(PDF)
    again = await _put(site, PDF, "application/pdf")
    assert again.status_code == 200
    wrong_hash = await _put(site, PDF, "application/pdf", sha="0" * 64)
    assert wrong_hash.status_code == 422 and wrong_hash.json()["errors"][0]["field"] == "sha256"
    wrong_type = await _put(site, PDF, "text/plain")
    assert wrong_type.status_code == 415
    not_a_png = await _put(site, PDF, "image/png")
    assert not_a_png.status_code == 422
    too_big = await _put(site, b"%PDF-" + b"x" * (1024 * 1024), "application/pdf")
    assert too_big.status_code == 413
    as_regulator = await _put(site, PDF, "application/pdf", as_="regulator")
    assert as_regulator.status_code == 403


async def test_download_by_uploader_and_regulator_only(site: Site) -> None:
    content = PDF + b"download"
    sha = hashlib.sha256(content).hexdigest()
    assert (await _put(site, content, "application/pdf")).status_code == 201
    for who, expected in [("owner", 200), ("regulator", 200), ("construction", 403)]:
        answer = await site.client.get(f"/v1/evidence/{sha}", headers=auth(site.tokens[who]))
        assert answer.status_code == expected
        if expected == 200:
            assert answer.content == content
            assert answer.headers["content-type"] == "application/pdf"


async def test_evidence_referenced_before_upload_shows_pending_then_received(site: Site) -> None:
    project = f"EVID-{uuid.uuid4().hex[:6]}"
    content = PDF + project.encode()
    sha = hashlib.sha256(content).hexdigest()
    events = staffed(project, roles=("owner",), commit=False)
    (appointed,) = [e for e in events if e["type"] == "qtrail.party.appointed.v1"]
    appointed["data"]["authorization_evidence"] = sha
    for e in events:
        await site.sealed(e)
    state = (await site.get(f"/v1/projects/{project}")).json()
    assert {"sha256": sha, "status": "pending"} in state["evidence"]
    assert (await _put(site, content, "application/pdf")).status_code == 201
    state = (await site.get(f"/v1/projects/{project}")).json()
    assert {"sha256": sha, "status": "received"} in state["evidence"]
