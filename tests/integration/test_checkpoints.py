"""Signed checkpoints and export bundles on the real stack: proofs, truncation, offline verification."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import uuid
from pathlib import Path

import asyncpg
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from services.domain import merkle
from services.domain.checkpoint import TreeHead
from tests.support.client import Site
from tests.support.events import appointment, lot, opened
from tests.support.stack import ROOT, Environment


def qtrail(environment: Environment, *args: str) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [sys.executable, "-m", "services.cli.main", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **environment.env},
    )


OPENING = len(opened("XZ-ANY")) + 1
"""A project's records before its lots: opened, then construction appointed."""


async def _project(site: Site, lots: int) -> str:
    project = f"CKPT-{uuid.uuid4().hex[:6]}"
    await site.opened(project)
    await site.sealed(appointment(project, "construction"))
    for n in range(lots):
        await site.sealed(lot(project, n))
    return project


async def test_checkpoints_are_signed_consistent_and_include_each_head(
    site: Site, environment: Environment
) -> None:
    first = await _project(site, 2)
    made = qtrail(environment, "checkpoint")
    assert made.returncode == 0, made.stderr
    one = (await site.get("/v1/checkpoints/latest")).json()
    await site.sealed(lot(first, 99))
    second = await _project(site, 1)
    assert qtrail(environment, "checkpoint").returncode == 0
    two = (await site.get("/v1/checkpoints/latest")).json()
    assert two["number"] == one["number"] + 1 and two["tree_size"] > one["tree_size"]
    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(two["public_keys"][two["key_id"]]))
    key.verify(bytes.fromhex(two["signature"]), two["tree_head"].encode())  # raises if forged
    assert TreeHead.parse(two["tree_head"].encode()).root.hex() == two["root"]

    proof = (
        await site.get(f"/v1/checkpoints/{two['number']}/consistency", **{"from": one["number"]})
    ).json()
    assert merkle.verify_consistency(
        one["tree_size"],
        two["tree_size"],
        bytes.fromhex(one["root"]),
        bytes.fromhex(two["root"]),
        [bytes.fromhex(p) for p in proof["proof"]],
    )
    for project, seq in ((first, OPENING + 2 + 1), (second, OPENING + 1)):
        inclusion = (await site.get(f"/v1/projects/{project}/inclusion")).json()
        assert inclusion["seq"] == seq
        implied = merkle.root_from_inclusion(
            inclusion["leaf_index"],
            two["tree_size"],
            merkle.leaf_hash(inclusion["leaf"].encode()),
            [bytes.fromhex(p) for p in inclusion["proof"]],
        )
        assert implied.hex() == two["root"]


async def test_a_cut_off_tail_is_caught_by_the_checkpoint(
    site: Site, environment: Environment, superuser: asyncpg.Connection
) -> None:
    project = await _project(site, 3)
    head = OPENING + 3
    assert qtrail(environment, "checkpoint").returncode == 0
    await superuser.execute("SET session_replication_role = replica")
    await superuser.execute("DELETE FROM trail WHERE project_id = $1 AND seq = $2", project, head)
    verify = (await site.get(f"/v1/projects/{project}/verify")).json()
    assert (
        verify["ok"] is False
        and verify["first_bad_seq"] == head
        and "truncated tail" in verify["problem"]
    )
    cli = qtrail(environment, "verify", project)
    assert cli.returncode == 1 and "truncated tail" in cli.stdout


async def test_an_export_verifies_offline_and_tampering_is_named(
    site: Site, environment: Environment, tmp_path: Path
) -> None:
    project = await _project(site, 4)
    early = await site.get(f"/v1/projects/{project}/export")
    assert early.status_code == 409 and early.json()["retry_after_s"] > 0  # the API signs nothing
    assert qtrail(environment, "checkpoint").returncode == 0
    await site.sealed(lot(project, 99))  # sealed after the checkpoint: linked, not yet covered
    answer = await site.get(f"/v1/projects/{project}/export")
    assert answer.status_code == 200
    forbidden = await site.get(f"/v1/projects/{project}/export", as_="owner")
    assert forbidden.status_code == 403
    bundle = answer.json()
    assert "public_keys" not in bundle
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle))
    untrusted = qtrail(environment, "verify-bundle", str(path))
    assert untrusted.returncode == 1 and "no trusted key" in untrusted.stdout

    keys = tmp_path / "signing-keys.json"
    keys.write_text((await site.get("/v1/signing-keys")).text)
    trusted = qtrail(environment, "verify-bundle", str(path), "--trust-file", str(keys))
    assert trusted.returncode == 0 and "VERIFIED" in trusted.stdout, trusted.stdout + trusted.stderr
    late = OPENING + 4 + 1  # lot 99
    assert f"seqs {late}–{late} were sealed after checkpoint" in trusted.stdout
    key_id = json.loads(base64.b64decode(bundle["checkpoint"]["tree_head"]))["key"]
    one_key = json.loads(keys.read_text())["keys"][key_id]
    assert (
        qtrail(environment, "verify-bundle", str(path), "--trust", f"{key_id}={one_key}").returncode
        == 0
    )

    first_lot = OPENING  # index of seq OPENING + 1
    record = json.loads(base64.b64decode(bundle["records"][first_lot]["record"]))
    record["data"]["building_part"] = "篡改"
    bundle["records"][first_lot]["record"] = base64.b64encode(json.dumps(record).encode()).decode()
    path.write_text(json.dumps(bundle))
    tampered = qtrail(environment, "verify-bundle", str(path), "--trust-file", str(keys))
    assert tampered.returncode == 1 and f"chain broken at seq {OPENING + 1}" in tampered.stdout
