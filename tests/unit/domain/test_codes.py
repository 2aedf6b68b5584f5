"""Signed report and plaque codes: what a QR carries must verify offline and resist tampering."""

from __future__ import annotations

import base64
import json
import string

import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.domain.codes import PLAQUE, REPORT, Claims, InvalidCode, sign, verify

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
KEYS = {"k-2026": KEY.public_key()}
CLAIMS = Claims("k-2026", REPORT, "XZ-2026-001", "BG-2026-000123")
ALPHABET = string.ascii_uppercase + string.ascii_lowercase + string.digits + "-_"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def code_of(payload: bytes, key: Ed25519PrivateKey = KEY) -> str:
    return f"{b64(payload)}.{b64(key.sign(payload))}"


def canonical(claims: Claims) -> bytes:
    return rfc8785.dumps(
        {"k": claims.key_id, "t": claims.kind, "p": claims.project_id, "n": claims.number}
    )


@pytest.mark.parametrize(
    "claims",
    [
        CLAIMS,
        Claims("k-2026", PLAQUE, "XZ-2026-001", "PL-1"),
        Claims("k-2026", REPORT, "徐州-项目/一期", "报告 No.7 ✓"),
    ],
)
def test_sign_then_verify_round_trips_the_claims(claims: Claims) -> None:
    code = sign(claims, KEY)
    assert verify(code, KEYS) == claims
    assert "=" not in code and code.count(".") == 1
    payload_text, _ = code.split(".")
    assert unb64(payload_text) == canonical(claims)


def test_the_signature_is_over_the_canonical_payload() -> None:
    payload_text, signature_text = sign(CLAIMS, KEY).split(".")
    KEY.public_key().verify(unb64(signature_text), unb64(payload_text))


def test_changing_any_single_character_is_rejected() -> None:
    code = sign(CLAIMS, KEY)
    payload_text, signature_text = code.split(".")
    original = (unb64(payload_text), unb64(signature_text))
    accepted_same_bytes = 0
    for position, char in enumerate(code):
        if char == ".":
            replacements = ["A", "-"]
        else:
            index = ALPHABET.index(char)
            replacements = [ALPHABET[(index + step) % 64] for step in (1, 16, 32)]
        for replacement in replacements:
            mutated = code[:position] + replacement + code[position + 1 :]
            assert mutated != code
            try:
                claims = verify(mutated, KEYS)
            except InvalidCode:
                continue
            # Accepted only where base64 ignores the low bits of the last character: the bytes
            # (and so the signed payload and the signature) must be exactly the original ones.
            new_payload, new_signature = mutated.split(".")
            assert (unb64(new_payload), unb64(new_signature)) == original, (position, mutated)
            assert claims == CLAIMS
            accepted_same_bytes += 1
    # only trailing padding bits can be lenient: at most a few of the hundreds of mutations
    assert accepted_same_bytes <= 6


def test_a_code_signed_by_another_key_under_the_same_id_fails() -> None:
    forged = sign(CLAIMS, OTHER_KEY)
    with pytest.raises(InvalidCode, match="signature"):
        verify(forged, KEYS)


def test_a_signature_moved_onto_other_claims_fails() -> None:
    _, signature_text = sign(CLAIMS, KEY).split(".")
    other = Claims("k-2026", REPORT, "XZ-2026-001", "BG-2026-000124")
    with pytest.raises(InvalidCode):
        verify(f"{b64(canonical(other))}.{signature_text}", KEYS)


def test_an_unknown_key_id_fails() -> None:
    code = sign(Claims("k-unknown", REPORT, "XZ-2026-001", "BG-1"), KEY)
    with pytest.raises(InvalidCode, match="unknown signing key"):
        verify(code, KEYS)


def test_no_keys_at_all_verifies_nothing() -> None:
    with pytest.raises(InvalidCode):
        verify(sign(CLAIMS, KEY), {})


@pytest.mark.parametrize(
    "code",
    [
        "",
        "abc",
        "a.b.c",
        ".",
        "!!!.???",
        "%%%%.%%%%",
        f"{b64(b'not json')}.{b64(b'sig')}",
        f"{b64(b'[1, 2]')}.{b64(b'sig')}",
        f"{b64(b'42')}.{b64(b'sig')}",
        f"{b64(bytes([0xFF, 0xFE]))}.{b64(b'sig')}",
        f"{b64(json.dumps({'k': 'k-2026', 't': 'r', 'p': 'X'}).encode())}.{b64(b'sig')}",
    ],
)
def test_malformed_codes_fail(code: str) -> None:
    with pytest.raises(InvalidCode):
        verify(code, KEYS)


def test_a_signed_payload_that_lacks_a_claim_fails() -> None:
    payload = rfc8785.dumps({"k": "k-2026", "t": REPORT, "p": "XZ-2026-001"})
    with pytest.raises(InvalidCode):
        verify(code_of(payload), KEYS)


@pytest.mark.parametrize(
    "payload",
    [
        # spaces after separators
        json.dumps({"k": "k-2026", "n": "BG-2026-000123", "p": "XZ-2026-001", "t": "r"}).encode(),
        # keys out of order
        b'{"t":"r","k":"k-2026","p":"XZ-2026-001","n":"BG-2026-000123"}',
        # escaped non-ASCII where RFC 8785 writes it raw
        b'{"k":"k-2026","n":"BG-2026-000123","p":"\\u5f90","t":"r"}',
        # a duplicate key: JSON parsers disagree on which value wins
        b'{"k":"k-2026","n":"BG-1","n":"BG-2026-000123","p":"XZ-2026-001","t":"r"}',
    ],
)
def test_a_non_canonical_payload_with_a_valid_signature_is_rejected(payload: bytes) -> None:
    code = code_of(payload)
    KEY.public_key().verify(unb64(code.split(".")[1]), payload)  # the signature itself is good
    with pytest.raises(InvalidCode, match="canonical"):
        verify(code, KEYS)


def test_the_same_claims_in_canonical_form_verify() -> None:
    """The control for the test above: signing canonical bytes by hand is accepted."""
    assert verify(code_of(canonical(CLAIMS)), KEYS) == CLAIMS


@pytest.mark.parametrize(
    "payload",
    [
        b'{"k":"k-2026","n":NaN,"p":"XZ-2026-001","t":"r"}',
        b'{"k":"k-2026","n":123456789012345678901234567890,"p":"XZ-2026-001","t":"r"}',
    ],
)
def test_a_payload_outside_the_canonical_json_domain_is_an_invalid_code(payload: bytes) -> None:
    """An unsigned code naming a known key id with NaN or a huge integer must be InvalidCode,
    not an RFC 8785 error escaping verify (the public /r/{code} page would answer 500)."""
    with pytest.raises(InvalidCode):
        verify(f"{b64(payload)}.{b64(bytes(64))}", KEYS)
