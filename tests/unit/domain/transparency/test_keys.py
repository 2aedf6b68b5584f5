"""Note keys: key ids, verifier keys and signer keys as c2sp.org/signed-note spells them."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from services.domain.transparency.keys import (
    COSIGNATURE_V1,
    ED25519,
    MalformedKey,
    SignerKey,
    VerifierKey,
    b64,
    key_id,
    valid_key_name,
)
from tests.support import transparency as t

SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
"""The verifier key of c2sp.org/signed-note's example."""


def test_the_specs_example_key_parses_and_its_id_is_recomputed() -> None:
    key = VerifierKey.parse(SPEC_VKEY)
    assert (key.name, key.signature_type, key.key_id) == ("example.com/foo", ED25519, 0x530D903A)
    assert key.text() == SPEC_VKEY


def test_qtrails_fixed_keys() -> None:
    """The test keys' texts, frozen: tests/interop shows Go's x/mod and transparency-dev/formats
    read the same texts (NewVerifier, NewSigner, cosignature/v1)."""
    assert t.LOG_KEY.verifier.text() == (
        "qtrail.example/xuzhou/log+57ddd7f1+AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4"
    )
    assert t.WITNESS_KEY.verifier.text() == (
        "archive.xuzhou.example/witness+f56140c8+BCmsuuFBvMrwsi4alNNNC8c2HlJtC/4SyJeUvJMilm3X"
    )
    assert t.LOG_KEY.text() == (
        "PRIVATE+KEY+qtrail.example/xuzhou/log+57ddd7f1+"
        "AQABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f"
    )


def test_one_key_under_two_types_has_two_ids() -> None:
    raw = t.LOG_KEY.verifier.public_key
    assert key_id(t.ORIGIN, ED25519, raw) != key_id(t.ORIGIN, COSIGNATURE_V1, raw)
    assert key_id(t.ORIGIN, ED25519, raw) != key_id(t.WITNESS, ED25519, raw)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", "does not match"),
        ("example.com/foo+530D903A+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", "8 lowercase"),
        ("example.com/foo+530d903a", "a verifier key is"),
        ("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2", "base64"),
        ("example.com/foo+530d903a+", "empty"),
        ("example com+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", "invalid key name"),
        ("+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", "invalid key name"),
        # type 0x02 (ECDSA) is not one qtrail reads
        ("example.com/foo+530d903a+" + b64(b"\x02" + bytes(32)), "type 0x02"),
        # one byte short of an Ed25519 key
        ("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3Q==", "32 bytes"),
    ],
)
def test_malformed_verifier_keys_are_refused_with_a_reason(text: str, why: str) -> None:
    with pytest.raises(MalformedKey, match=why):
        VerifierKey.parse(text)


def test_a_signer_key_gives_its_verifier_and_never_shows_its_seed() -> None:
    assert SignerKey.parse(t.LOG_KEY.text()) == t.LOG_KEY
    assert SignerKey.parse(t.WITNESS_KEY.text()).verifier == t.WITNESS_KEY.verifier
    assert t.LOG_KEY.seed.hex() not in repr(t.LOG_KEY)
    with pytest.raises(MalformedKey, match="does not match"):
        SignerKey.parse(t.LOG_KEY.text().replace("+57ddd7f1+", "+57ddd7f0+"))
    with pytest.raises(MalformedKey, match="PRIVATE"):
        SignerKey.parse(t.LOG_KEY.verifier.text())


@pytest.mark.parametrize("name", ["", "a b", "a+b", "a\u3000b", "tab\there"])
def test_key_names_hold_no_space_and_no_plus(name: str) -> None:
    assert not valid_key_name(name)


names = st.text(
    st.characters(blacklist_categories=("Cs", "Zs", "Zl", "Zp", "Cc"), blacklist_characters="+"),
    min_size=1,
    max_size=40,
)


@settings(max_examples=40, deadline=None)
@given(names, st.binary(min_size=32, max_size=32), st.sampled_from([ED25519, COSIGNATURE_V1]))
def test_any_key_round_trips_through_its_texts(name: str, seed: bytes, kind: int) -> None:
    signer = SignerKey.of(name, Ed25519PrivateKey.from_private_bytes(seed), kind)
    assert SignerKey.parse(signer.text()) == signer
    assert VerifierKey.parse(signer.verifier.text()) == signer.verifier
