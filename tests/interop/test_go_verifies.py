"""qtrail's transparency log checked by other people's code: Go's golang.org/x/mod/sumdb/note and
sumdb/tlog, transparency-dev/formats (checkpoints, cosignature/v1) and transparency-dev/merkle.

The Go program (main.go beside this file, its modules pinned by go.mod and go.sum) is built once
per source and Go version into .cache/interop/ and reused, so repeated runs cost no build. Go
must be there (deploy/prerequisites.sh --test installs it where missing); without it these tests
are skipped, saying so.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from services.domain import merkle
from services.domain.transparency.checkpoint import CheckpointBody
from services.domain.transparency.inclusion import inclusion_proof
from services.domain.transparency.keys import b64
from services.domain.transparency.note import open_note
from services.domain.transparency.tiles import served_tiles
from tests.support import transparency as t

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
SOURCES = ("go.mod", "go.sum", "main.go")
APPROVED_TOOLCHAIN = "go1.27.3"
"""The one newer toolchain the Go module proxy may be asked for, when the local Go is too old."""


def _version(text: str) -> tuple[int, ...]:
    found = re.search(r"go(\d+)\.(\d+)(?:\.(\d+))?", text)
    assert found, text
    return tuple(int(part or 0) for part in found.groups())


def _go_env(go: str) -> dict[str, str]:
    # go.mod and go.sum are committed and never rewritten by a test; no VCS stamp is needed.
    flags = f"{os.environ.get('GOFLAGS', '')} -mod=readonly -buildvcs=false".strip()
    env = dict(os.environ, GOFLAGS=flags, CGO_ENABLED="0")
    if "HOME" not in env:  # Go keeps its module and build caches under $HOME by default
        env.setdefault("GOMODCACHE", str(ROOT / ".cache" / "go-mod"))
        env.setdefault("GOCACHE", str(ROOT / ".cache" / "go-build"))
    local = _version(subprocess.run([go, "version"], capture_output=True, text=True).stdout)
    wanted = _version("go" + re.findall(r"^go (\S+)", (HERE / "go.mod").read_text(), re.M)[0])
    env["GOTOOLCHAIN"] = "local" if local >= wanted else APPROVED_TOOLCHAIN
    return env


@pytest.fixture(scope="session")
def verifier() -> Path:
    go = shutil.which("go")
    if go is None:
        pytest.skip("Go is not installed: deploy/prerequisites.sh --test installs it")
    env = _go_env(go)
    version = subprocess.run([go, "version"], capture_output=True, text=True, env=env).stdout
    digest = hashlib.sha256(version.encode())
    for name in SOURCES:
        digest.update((HERE / name).read_bytes())
    binary = ROOT / ".cache" / "interop" / f"verifier-{digest.hexdigest()[:16]}"
    if not binary.exists():
        binary.parent.mkdir(parents=True, exist_ok=True)
        partial = binary.with_suffix(f".{os.getpid()}")
        built = subprocess.run(
            [go, "build", "-trimpath", "-o", str(partial), "."],
            cwd=HERE,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert built.returncode == 0, built.stderr
        partial.replace(binary)
    return binary


def run(verifier: Path, document: dict[str, Any]) -> dict[str, Any]:
    done = subprocess.run(
        [str(verifier)], input=json.dumps(document), capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


OLD, NEW = 5, 300
"""Two checkpoints: the one a regulator kept (5 leaves) and today's (300: a full level-0 tile,
a partial one of 44 and a partial level-1 tile)."""


def scenario() -> dict[str, Any]:
    leaves = t.leaves(NEW)
    hashes = [merkle.leaf_hash(leaf) for leaf in leaves]
    tiles = served_tiles(leaves, [OLD, NEW])
    return {
        "origin": t.ORIGIN,
        "log_vkey": t.LOG_KEY.verifier.text(),
        "witness_vkey": t.WITNESS_KEY.verifier.text(),
        "checkpoint": t.witnessed(NEW, number=2),
        "old_checkpoint": t.signed(OLD, number=1),
        "inclusion": inclusion_proof(123, NEW, hashes).as_dict(),
        "consistency": {"hashes": [b64(h) for h in merkle.consistency_proof(OLD, hashes)]},
        "tiles": {tile.path(): b64(data) for tile, data in tiles.items()},
    }


@pytest.fixture(scope="module")
def honest() -> dict[str, Any]:
    return scenario()


def test_go_verifies_the_note_checkpoint_cosignature_proofs_and_tiles(
    verifier: Path, honest: dict[str, Any]
) -> None:
    verdict = run(verifier, honest)
    assert verdict["note"] == {"ok": True, "verified": 1, "unverified": 1}
    new_root = merkle.root(t.leaf_hashes(NEW))
    assert verdict["checkpoint"] == {
        "ok": True,
        "origin": t.ORIGIN,
        "size": NEW,
        "root": b64(new_root),
        "extensions": "qtrail-checkpoint 2\nqtrail-time 2026-05-01T08:00:00.000000Z\n",
    }
    assert verdict["old_checkpoint"]["ok"] and verdict["old_checkpoint"]["size"] == OLD
    assert verdict["cosignature"] == {"ok": True, "name": t.WITNESS, "time": t.COSIGNED_AT}
    assert verdict["inclusion"] == {"ok": True}
    assert verdict["consistency"] == {"ok": True}
    # x/mod's tlog authenticated every tile against the signed root, proved every leaf from the
    # tiles, read every entry bundle, found the same proofs qtrail computed, and the old
    # checkpoint's root from the partial tiles of its size.
    assert verdict["tiles"] == {
        "ok": True,
        "leaves": NEW,
        "entries": NEW + OLD,  # the old checkpoint's partial bundle is served too
        "inclusion_matches": True,
        "consistency_matches": True,
        "old_root_matches": True,
    }


def _flip(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


def test_go_rejects_a_changed_checkpoint(verifier: Path, honest: dict[str, Any]) -> None:
    forged = _flip(honest["checkpoint"], f"\n{NEW}\n", f"\n{NEW + 1}\n")
    verdict = run(verifier, {**honest, "checkpoint": forged})
    assert not verdict["note"]["ok"]
    assert not verdict["checkpoint"]["ok"]
    assert not verdict["cosignature"]["ok"]


def test_go_rejects_a_forged_cosignature_but_still_reads_the_log_signature(
    verifier: Path, honest: dict[str, Any]
) -> None:
    line = honest["checkpoint"].rstrip("\n").split("\n")[-1]
    name, sig = line.removeprefix("— ").split(" ")
    raw = bytearray(base64.b64decode(sig))
    raw[-1] ^= 1
    forged = _flip(honest["checkpoint"], line, f"— {name} {b64(bytes(raw))}")
    verdict = run(verifier, {**honest, "checkpoint": forged})
    assert verdict["note"]["ok"]  # the log's key alone ignores a witness it does not know
    assert not verdict["cosignature"]["ok"]


def test_go_rejects_a_checkpoint_of_another_origin(verifier: Path, honest: dict[str, Any]) -> None:
    verdict = run(verifier, {**honest, "origin": "qtrail.example/other/log"})
    assert not verdict["checkpoint"]["ok"]


def test_go_rejects_tampered_proofs(verifier: Path, honest: dict[str, Any]) -> None:
    inclusion = dict(honest["inclusion"], leaf_index=124)
    consistency = {"hashes": honest["consistency"]["hashes"][::-1]}
    verdict = run(verifier, {**honest, "inclusion": inclusion, "consistency": consistency})
    assert not verdict["inclusion"]["ok"]
    assert not verdict["consistency"]["ok"]


def test_go_rejects_a_tampered_tile_or_entry(verifier: Path, honest: dict[str, Any]) -> None:
    tiles = dict(honest["tiles"])
    leaf = t.leaves(NEW)[7]
    bundle = base64.b64decode(tiles["tile/entries/000"])
    tiles["tile/entries/000"] = b64(bundle.replace(leaf, leaf.replace(b'"seq":1', b'"seq":2')))
    verdict = run(verifier, {**honest, "tiles": tiles})
    assert "does not hash" in verdict["tiles"]["error"]

    tiles = dict(honest["tiles"])
    level0 = bytearray(base64.b64decode(tiles["tile/0/001.p/44"]))
    level0[0] ^= 1
    tiles["tile/0/001.p/44"] = b64(bytes(level0))
    verdict = run(verifier, {**honest, "tiles": tiles})
    assert not verdict["tiles"]["ok"]


def test_qtrail_opens_what_go_signs_with_qtrails_keys(verifier: Path) -> None:
    """The reverse direction: x/mod's note.Sign with qtrail's log signer key and formats'
    cosignature/v1 signer with the witness's, opened by qtrail's code."""
    text = t.checkpoint(NEW, number=2).text()
    document = {
        "sign": {"text": text, "log_skey": t.LOG_KEY.text(), "witness_skey": t.WITNESS_KEY.text()}
    }
    signed = run(verifier, document)["signed"]
    assert signed["ok"], signed
    note = open_note(signed["note"], [t.LOG_VERIFIER, t.WITNESS_VERIFIER])
    assert [s.name for s in note.verified] == [t.ORIGIN, t.WITNESS]
    assert CheckpointBody.parse(note.text) == t.checkpoint(NEW, number=2).body()
