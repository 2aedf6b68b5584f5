"""The running log checked by other people's code: events posted over HTTP, checkpoints signed,
then the served note, verifier key, tiles, inclusion and consistency proofs and a witness's
cosignature fetched over HTTP and handed to Go's x/mod sumdb/note and tlog and transparency-dev's
formats and merkle (tests/interop/main.go), never to qtrail's own verifier. And what an attacker
tries: a note edited in the database, a forged or unknown cosignature, a tile beyond the tree."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.domain.transparency.cosignature import Cosigner
from services.domain.transparency.keys import COSIGNATURE_V1, SignerKey, b64
from services.domain.transparency.note import parse_note, sign_note
from services.domain.transparency.tiles import Tile, bundles_for_size, tiles_for_size
from tests.interop.test_go_verifies import run, verifier
from tests.support import transparency as t
from tests.support.client import Site
from tests.support.events import lot
from tests.support.insider import qtrail, seeded
from tests.support.stack import Environment, dispose, new_environment, provision
from tests.support.stack import run as run_sync

__all__ = ["verifier"]  # the Go verifier's build, a fixture


@pytest.fixture(scope="module")
def environment(stack: None) -> Iterator[Environment]:
    """The witness of tests/support/transparency.py is known to this log; checkpoints are signed
    when the test says (``qtrail checkpoint``), not by the recorder's timer."""
    env = new_environment(
        QTRAIL_WITNESS_KEYS=t.WITNESS_KEY.verifier.text(), QTRAIL_CHECKPOINT_INTERVAL_S="3600"
    )
    run_sync(provision(env))
    yield env
    run_sync(dispose(env))


def _cosigned(note: str, cosigner: Cosigner, at: int = t.COSIGNED_AT) -> str:
    text, signatures = parse_note(note)
    return sign_note(text, [cosigner.at(at)], keep=signatures)


async def _text(client: httpx.AsyncClient, path: str) -> str:
    answer = await client.get(path)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/plain; charset=utf-8"
    return answer.text


async def _tiles(client: httpx.AsyncClient, sizes: list[int]) -> dict[str, str]:
    """Every tile and bundle a client of these checkpoint sizes reads, as served."""
    wanted: set[Tile] = set()
    for size in sizes:
        wanted |= {*tiles_for_size(size), *bundles_for_size(size)}
    served = {}
    for tile in sorted(wanted, key=Tile.path):
        answer = await client.get(f"/log/{tile.path()}")
        assert answer.status_code == 200, (tile.path(), answer.text)
        cache = answer.headers["cache-control"]
        assert ("immutable" in cache) == tile.full, (tile.path(), cache)
        served[tile.path()] = b64(answer.content)
    return served


@pytest.fixture(scope="module")
def live() -> dict[str, Any]:
    return {}


async def test_go_verifies_what_the_live_log_serves(
    site: Site,
    client: httpx.AsyncClient,
    environment: Environment,
    verifier: Path,
    live: dict[str, Any],
) -> None:
    first = await seeded(site, 3, "TLOG")
    await seeded(site, 3, "TLOG")
    assert qtrail(environment, "checkpoint").returncode == 0
    old = await _text(client, "/log/checkpoint")
    await site.sealed(lot(first, 77))
    await seeded(site, 3, "TLOG")
    assert qtrail(environment, "checkpoint").returncode == 0
    new = await _text(client, "/log/checkpoint")
    keys = (await _text(client, "/log/verifier-key")).splitlines()
    old_size, new_size = int(old.split("\n")[1]), int(new.split("\n")[1])
    assert (old_size, new_size) == (2, 4)

    latest = (await client.get("/v1/checkpoints/latest")).json()
    proof = (
        await client.get(f"/v1/checkpoints/{latest['number']}/consistency", params={"from": 1})
    ).json()
    inclusion = (
        await client.get(f"/v1/projects/{first}/inclusion", params={"tree_size": new_size})
    ).json()
    assert inclusion["checkpoint"]["number"] == latest["number"]  # the old fields are kept
    accepted = await client.post("/log/cosignatures", content=_cosigned(new, t.COSIGNER))
    assert accepted.status_code == 200, accepted.text
    witnessed = await _text(client, "/log/checkpoint")

    document = {
        "origin": environment.settings.origin(),
        "log_vkey": keys[0],
        "witness_vkey": t.WITNESS_KEY.verifier.text(),
        "checkpoint": witnessed,
        "old_checkpoint": old,
        "inclusion": {k: inclusion[k] for k in ("leaf_index", "tree_size", "leaf_hash", "hashes")},
        "consistency": {"hashes": [b64(bytes.fromhex(h)) for h in proof["proof"]]},
        "tiles": await _tiles(client, [old_size, new_size]),
    }
    verdict = run(verifier, document)
    assert verdict["note"] == {"ok": True, "verified": 1, "unverified": 1}, verdict
    assert verdict["checkpoint"]["ok"] and verdict["checkpoint"]["size"] == new_size
    assert verdict["old_checkpoint"]["ok"] and verdict["old_checkpoint"]["size"] == old_size
    assert verdict["cosignature"] == {"ok": True, "name": t.WITNESS, "time": t.COSIGNED_AT}
    assert verdict["inclusion"] == {"ok": True}
    assert verdict["consistency"] == {"ok": True}
    assert verdict["tiles"] == {
        "ok": True,
        "leaves": new_size,
        "entries": new_size + old_size,
        "inclusion_matches": True,
        "consistency_matches": True,
        "old_root_matches": True,
    }
    live.update(document=document)

    # Tampered on the way: Go refuses each.
    wrong_size = witnessed.replace(f"\n{new_size}\n", f"\n{new_size + 1}\n", 1)
    verdict = run(verifier, {**document, "checkpoint": wrong_size})
    assert not verdict["note"]["ok"] and not verdict["cosignature"]["ok"]
    moved = dict(document["inclusion"], leaf_index=(inclusion["leaf_index"] + 1) % new_size)
    assert not run(verifier, {**document, "inclusion": moved})["inclusion"]["ok"]
    tiles = dict(document["tiles"])
    bundle = f"tile/entries/000.p/{new_size}"
    tiles[bundle] = b64(base64.b64decode(tiles[bundle]).replace(b'"seq":', b'"seq":1', 1))
    assert not run(verifier, {**document, "tiles": tiles})["tiles"]["ok"]


async def test_forged_and_unknown_cosignatures_are_refused(
    client: httpx.AsyncClient, live: dict[str, Any]
) -> None:
    served = await _text(client, "/log/checkpoint")
    note = (await client.get("/v1/checkpoints/latest")).json()["note"]  # the log's signature only
    stranger = Cosigner(SignerKey.of(t.WITNESS, Ed25519PrivateKey.generate(), COSIGNATURE_V1))
    unknown = await client.post("/log/cosignatures", content=_cosigned(note, stranger))
    assert unknown.status_code == 403 and "no cosignature" in unknown.json()["detail"]

    honest = _cosigned(note, t.COSIGNER, t.COSIGNED_AT + 60)
    line = honest.rstrip("\n").split("\n")[-1]
    name, encoded = line.removeprefix("— ").split(" ")
    raw = bytearray(base64.b64decode(encoded))
    raw[-1] ^= 1
    forged = honest.replace(line, f"— {name} {b64(bytes(raw))}")
    refused = await client.post("/log/cosignatures", content=forged)
    assert refused.status_code == 403 and "does not verify" in refused.json()["detail"]

    garbage = await client.post("/log/cosignatures", content="not a note")
    assert garbage.status_code == 400 and garbage.json()["errors"][0]["field"] == "(body)"
    assert await _text(client, "/log/checkpoint") == served  # nothing was added


async def test_a_tile_outside_the_tree_is_not_found(client: httpx.AsyncClient) -> None:
    for path in ("tile/0/000", "tile/0/000.p/200", "tile/entries/001.p/1", "tile/0/../../etc"):
        answer = await client.get(f"/log/{path}")
        assert answer.status_code == 404, path


async def test_a_note_edited_in_the_database_fails_in_go_and_stops_signing(
    site: Site,
    client: httpx.AsyncClient,
    environment: Environment,
    superuser: asyncpg.Connection,
    verifier: Path,
    live: dict[str, Any],
) -> None:
    document = live["document"]
    number = await superuser.fetchval("SELECT max(number) FROM checkpoints")
    await superuser.execute("SET session_replication_role = replica")
    await superuser.execute(
        "UPDATE checkpoints SET note = replace(note, $2, $3) WHERE number = $1",
        number,
        "\n4\n",
        "\n5\n",
    )
    served = await _text(client, "/log/checkpoint")
    assert "\n5\n" in served
    verdict = run(verifier, {**document, "checkpoint": served})
    assert not verdict["note"]["ok"] and not verdict["checkpoint"]["ok"]

    project = await seeded(site, 3, "TLOG")
    refused = qtrail(environment, "checkpoint")
    said = refused.stdout + refused.stderr
    assert refused.returncode == 1 and "NOTHING SIGNED" in said and "note does not verify" in said
    verify = qtrail(environment, "verify", project)
    assert verify.returncode == 1, verify.stdout
