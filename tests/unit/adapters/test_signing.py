"""The Signer: where signing keys come from, which key signs, and which keys still verify.

Every Settings here names its state directory and signing options explicitly, so the tests read
nothing from the environment that matters and write only under tmp_path.
"""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from services.adapters.signing import Signer, SigningKeysMissing
from services.domain.codes import PLAQUE, REPORT, InvalidCode
from services.settings import SECRETS, Settings

PROJECT = "XZ-2026-001"
OLD_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
NEW_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(100, 132)))


def raw(key: Ed25519PrivateKey) -> str:
    return base64.b64encode(
        key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    ).decode()


def public_raw(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def settings(state_dir: Path, **kw: Any) -> Settings:
    values: dict[str, Any] = {
        "mode": "development",
        "state_dir": str(state_dir),
        "signing_keys": "",
        "signing_key_id": "",
        "signing_disabled": "",
    }
    return Settings(**{**values, **kw})


def configured(state_dir: Path, keys: dict[str, Ed25519PrivateKey], **kw: Any) -> Signer:
    return Signer.from_settings(
        settings(state_dir, signing_keys=json.dumps({kid: raw(k) for kid, k in keys.items()}), **kw)
    )


# ----------------------------------------------------------------------------- development


def test_development_generates_one_key_and_reuses_it(tmp_path: Path) -> None:
    first = Signer.from_settings(settings(tmp_path))
    second = Signer.from_settings(settings(tmp_path))
    assert len(first.public_keys()) == 1
    assert first.public_keys() == second.public_keys()
    assert first.active == second.active
    assert first.active in first.public_keys()
    code = first.sign(REPORT, PROJECT, "BG-1")
    claims = second.verify(code)
    assert (claims.key_id, claims.kind, claims.project_id, claims.number) == (
        first.active,
        REPORT,
        PROJECT,
        "BG-1",
    )


def test_the_generated_key_is_kept_private_in_the_state_dir(tmp_path: Path) -> None:
    state_dir = tmp_path / "nested" / "state"
    signer = Signer.from_settings(settings(state_dir))
    path = state_dir / "signing-keys.json"
    assert path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    stored = json.loads(path.read_text())
    assert list(stored) == [signer.active]
    kept = Ed25519PrivateKey.from_private_bytes(base64.b64decode(stored[signer.active]))
    assert signer.public_keys()[signer.active] == base64.b64encode(public_raw(kept)).decode()


def test_each_state_dir_gets_its_own_generated_key(tmp_path: Path) -> None:
    one = Signer.from_settings(settings(tmp_path / "one"))
    two = Signer.from_settings(settings(tmp_path / "two"))
    assert set(one.public_keys().values()).isdisjoint(two.public_keys().values())
    with pytest.raises(InvalidCode):
        two.verify(one.sign(REPORT, PROJECT, "BG-1"))


def test_configured_keys_win_over_generation_in_development(tmp_path: Path) -> None:
    signer = configured(tmp_path, {"k-1": OLD_KEY})
    assert signer.active == "k-1"
    assert not (tmp_path / "signing-keys.json").exists()


# ----------------------------------------------------------------------------- rotation


def test_a_retired_key_still_verifies_after_rotation(tmp_path: Path) -> None:
    before = configured(tmp_path, {"k-2025": OLD_KEY}, signing_key_id="k-2025")
    old_code = before.sign(REPORT, PROJECT, "BG-2025-7")

    after = configured(tmp_path, {"k-2025": OLD_KEY, "k-2026": NEW_KEY}, signing_key_id="k-2026")
    assert after.active == "k-2026"
    claims = after.verify(old_code)
    assert (claims.key_id, claims.number) == ("k-2025", "BG-2025-7")

    new_code = after.sign(PLAQUE, PROJECT, "PL-1")
    assert after.verify(new_code).key_id == "k-2026"
    with pytest.raises(InvalidCode):  # the old-only signer never knew the new key
        before.verify(new_code)


def test_the_active_key_is_the_configured_id_not_the_first(tmp_path: Path) -> None:
    signer = configured(tmp_path, {"k-2025": OLD_KEY, "k-2026": NEW_KEY}, signing_key_id="k-2026")
    code = signer.sign(REPORT, PROJECT, "BG-1")
    payload = base64.urlsafe_b64decode(code.split(".")[0] + "==")
    assert json.loads(payload)["k"] == "k-2026"
    NEW_KEY.public_key().verify(base64.urlsafe_b64decode(code.split(".")[1] + "=="), payload)


def test_an_active_key_id_that_is_not_configured_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SigningKeysMissing):
        configured(tmp_path, {"k-2025": OLD_KEY}, signing_key_id="k-2026")


def test_a_disabled_key_no_longer_verifies(tmp_path: Path) -> None:
    before = configured(tmp_path, {"k-2025": OLD_KEY}, signing_key_id="k-2025")
    old_code = before.sign(REPORT, PROJECT, "BG-2025-7")
    after = configured(
        tmp_path,
        {"k-2025": OLD_KEY, "k-2026": NEW_KEY},
        signing_key_id="k-2026",
        signing_disabled=" k-2025 , k-gone",
    )
    with pytest.raises(InvalidCode):
        after.verify(old_code)
    assert "k-2025" not in after.public_keys()
    assert "k-2025" not in after.verifying_keys
    assert after.verify(after.sign(REPORT, PROJECT, "BG-2026-1")).key_id == "k-2026"


# ----------------------------------------------------------------------------- production


def production(state_dir: Path, **kw: Any) -> Settings:
    secrets = {name: f"not-the-dev-secret-{n}" for n, name in enumerate(SECRETS)}
    return settings(state_dir, mode="production", **secrets, **kw)


def test_outside_development_missing_keys_refuse_to_start(tmp_path: Path) -> None:
    with pytest.raises(SigningKeysMissing):
        Signer.from_settings(production(tmp_path))
    assert list(tmp_path.iterdir()) == []  # nothing was generated


def test_outside_development_a_stored_dev_key_is_not_used(tmp_path: Path) -> None:
    Signer.from_settings(settings(tmp_path))  # leaves signing-keys.json behind
    with pytest.raises(SigningKeysMissing):
        Signer.from_settings(production(tmp_path))


def test_outside_development_configured_keys_are_used(tmp_path: Path) -> None:
    keys = json.dumps({"k-2026": raw(NEW_KEY)})
    signer = Signer.from_settings(production(tmp_path, signing_keys=keys, signing_key_id="k-2026"))
    assert signer.verify(signer.sign(REPORT, PROJECT, "BG-1")).key_id == "k-2026"


# ----------------------------------------------------------------------------- public keys


def test_public_keys_list_every_verifying_key_as_32_raw_bytes(tmp_path: Path) -> None:
    third = Ed25519PrivateKey.from_private_bytes(bytes(range(200, 232)))
    signer = configured(
        tmp_path,
        {"k-2025": OLD_KEY, "k-2026": NEW_KEY, "k-bad": third},
        signing_key_id="k-2026",
        signing_disabled="k-bad",
    )
    listed = signer.public_keys()
    assert set(listed) == {"k-2025", "k-2026"} == set(signer.verifying_keys)
    for kid, key in (("k-2025", OLD_KEY), ("k-2026", NEW_KEY)):
        decoded = base64.b64decode(listed[kid], validate=True)
        assert len(decoded) == 32
        assert decoded == public_raw(key)
