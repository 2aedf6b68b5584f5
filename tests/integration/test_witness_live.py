"""``qtrail witness`` against the running log: it cosigns a growing log (the served checkpoint then
carries its cosignature), and when an insider empties the checkpoint log, rewrites a chain and has
the operator's key sign a fresh log, the witness refuses it: exit 1, a critical log line, an alert
in its own state, and no cosignature on the rewritten log."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.support import transparency as t
from tests.support.client import Site
from tests.support.events import lot
from tests.support.insider import bodies_of, chain, qtrail, relink, seeded
from tests.support.stack import ROOT, Environment, dispose, new_environment, provision
from tests.support.stack import run as run_sync


@pytest.fixture(scope="module")
def environment(stack: None) -> Iterator[Environment]:
    env = new_environment(
        QTRAIL_WITNESS_KEYS=t.WITNESS_KEY.verifier.text(), QTRAIL_CHECKPOINT_INTERVAL_S="3600"
    )
    run_sync(provision(env))
    yield env
    run_sync(dispose(env))


@pytest.fixture(scope="module")
def witness_state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The witness's folder, holding the key the log was told about."""
    folder = tmp_path_factory.mktemp("witness")
    (folder / "witness.key").write_text(t.WITNESS_KEY.text() + "\n")
    return folder


def witness(
    environment: Environment, state: Path, log_key: str
) -> subprocess.CompletedProcess[str]:
    base = environment.settings.public_base_url
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "services.cli.main",
            "witness",
            "--log",
            f"{base}/log",
            "--log-key",
            log_key,
            "--state",
            str(state),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={k: v for k, v in os.environ.items() if not k.startswith("QTRAIL_")},
    )


async def test_a_witness_cosigns_a_growing_log_and_refuses_a_rewritten_one(
    site: Site,
    client: httpx.AsyncClient,
    environment: Environment,
    superuser: asyncpg.Connection,
    witness_state: Path,
    tmp_path: Path,
) -> None:
    first = await seeded(site, 4, "WIT")
    await seeded(site, 3, "WIT")
    assert qtrail(environment, "checkpoint").returncode == 0
    log_key = (await client.get("/log/verifier-key")).text.splitlines()[0]

    done = witness(environment, witness_state, log_key)
    assert done.returncode == 0, done.stderr
    served = (await client.get("/log/checkpoint")).text
    assert f"— {t.WITNESS} " in served and "\n2\n" in served
    kept_note = tmp_path / "kept.note"  # what a regulator saves today
    kept_note.write_text(served)
    keys = tmp_path / "signing-keys.json"
    keys.write_text((await site.get("/v1/signing-keys")).text)

    await site.sealed(lot(first, 90))
    await seeded(site, 3, "WIT")
    assert qtrail(environment, "checkpoint").returncode == 0
    done = witness(environment, witness_state, log_key)
    assert done.returncode == 0, done.stderr
    assert '"grew_from": 2' in done.stderr
    served = (await client.get("/log/checkpoint")).text
    assert f"— {t.WITNESS} " in served and "\n4\n" in served
    kept = json.loads((witness_state / "witnessed.json").read_text())
    assert kept["size"] == 4

    # A bundle carries the witnessed note; checked against the note kept at checkpoint 1.
    bundle = tmp_path / "bundle.json"
    answer = await site.get(f"/v1/projects/{first}/export", since=1)
    assert answer.status_code == 200, answer.text
    bundle.write_text(answer.text)
    assert f"— {t.WITNESS} " in answer.json()["checkpoint"]["note"]
    checks = ["verify-bundle", str(bundle), "--trust-file", str(keys), "--since", str(kept_note)]
    verified = qtrail(environment, *checks, "--witness", t.WITNESS_KEY.verifier.text())
    assert verified.returncode == 0 and "VERIFIED" in verified.stdout, verified.stdout
    assert f"witness {t.WITNESS} cosigned checkpoint 2" in verified.stdout

    # The insider: the checkpoint log emptied, a chain cut back and re-extended, a fresh log
    # signed with the operator's own key. Nothing inside the database can tell.
    await superuser.execute("SET session_replication_role = replica")
    await superuser.execute("DELETE FROM cosignatures")
    await superuser.execute("DELETE FROM checkpoint_leaves")
    await superuser.execute("DELETE FROM checkpoints")
    await superuser.execute("DELETE FROM checkpoint_nodes")
    await relink(superuser, first, bodies_of(await chain(superuser, first))[:-2])
    await superuser.execute("SET session_replication_role = origin")
    await seeded(site, 3, "WIT")
    await seeded(site, 3, "WIT")
    resigned = qtrail(environment, "checkpoint")
    assert resigned.returncode == 0, resigned.stderr
    assert "\n5\n" in (await client.get("/log/checkpoint")).text  # bigger, and not an extension

    refused = witness(environment, witness_state, log_key)
    assert refused.returncode == 1, refused.stderr
    assert '"level": "critical"' in refused.stderr and "rewritten" in refused.stderr
    alerts = (witness_state / "alerts.jsonl").read_text().splitlines()
    assert len(alerts) == 1 and "does not extend the 4" in json.loads(alerts[0])["problem"]
    assert json.loads((witness_state / "witnessed.json").read_text()) == kept
    assert f"— {t.WITNESS} " not in (await client.get("/log/checkpoint")).text

    # The rewritten log's bundle: no witness vouches for it, and it does not extend the note kept.
    answer = await site.get(f"/v1/projects/{first}/export")
    bundle.write_text(answer.text)
    refused = qtrail(environment, *checks, "--witness", t.WITNESS_KEY.verifier.text())
    assert refused.returncode == 1, refused.stdout
    assert f"checkpoint 1 is not cosigned by witness {t.WITNESS}" in refused.stdout
    assert "checkpoint 1 of the bundle is not the checkpoint 1 you kept (2 heads" in refused.stdout
    assert "the log was rewritten and signed afresh" in refused.stdout
